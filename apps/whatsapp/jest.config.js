module.exports = { displayName: 'whatsapp', preset: '../../jest.preset.js', rootDir: __dirname };
