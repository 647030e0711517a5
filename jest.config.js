// One jest run over every project, so the real servers start once (see jest.preset.js).
module.exports = {
  projects: [
    '<rootDir>/apps/*/jest.config.js',
    '<rootDir>/libs/*/jest.config.js',
    '<rootDir>/tools/jest.config.js',
    '<rootDir>/e2e/jest.config.js',
  ],
  maxWorkers: 2,
  // Global options are not read from the projects' preset: the integration tests wait on real servers.
  testTimeout: 60_000,
};
