module.exports = { displayName: 'telegram', preset: '../../jest.preset.js', rootDir: __dirname };
