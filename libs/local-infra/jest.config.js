module.exports = { displayName: 'local-infra', preset: '../../jest.preset.js', rootDir: __dirname };
