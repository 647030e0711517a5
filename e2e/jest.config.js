// Cross-service end-to-end tests: the real router and channel services as processes (see README.md).
module.exports = { displayName: 'e2e', preset: '../jest.preset.js', rootDir: __dirname };
