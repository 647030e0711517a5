module.exports = { displayName: 'email-ingest', preset: '../../jest.preset.js', rootDir: __dirname };
