module.exports = { displayName: 'social', preset: '../../jest.preset.js', rootDir: __dirname };
