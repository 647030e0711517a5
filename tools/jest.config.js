// The repo's own scripts, tested as a user runs them (`npm start` end to end).
module.exports = {
  displayName: 'tools',
  preset: '../jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/**/*.int-spec.ts'],
};
