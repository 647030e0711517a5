module.exports = { displayName: 'channel-kit', preset: '../../jest.preset.js', rootDir: __dirname };
