const { readFileSync } = require('node:fs');
const path = require('node:path');
const preset = require('../../jest.preset.js');

const swc = JSON.parse(readFileSync(path.join(__dirname, '../../.swcrc'), 'utf8'));

module.exports = {
  displayName: 'gateway',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  // jose 6 ships ES modules only. Node loads them with require(esm); jest's own module loader does not (before
  // Node 24.9), so jest compiles jose to CommonJS like the TypeScript sources.
  transform: {
    ...preset.transform,
    '^.+/node_modules/jose/.+\\.js$': ['@swc/jest', { ...swc, swcrc: false, jsc: { target: 'es2022' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
};
