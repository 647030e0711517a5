import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';

// The architecture, checked: apps depend on libs, channel services never on core services, the contract on
// nothing, and only the messaging lib talks to Kafka.
const depConstraints = [
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib', 'type:testing'] },
  { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib', 'type:testing'] },
  { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:lib', 'type:tooling'] },
  { sourceTag: 'type:tooling', onlyDependOnLibsWithTags: ['type:lib', 'type:tooling'] },
  // Cross-service end-to-end tests (e2e/): run the apps as processes, never import them.
  { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:lib', 'type:testing', 'type:tooling'] },
  { sourceTag: 'scope:channel', onlyDependOnLibsWithTags: ['scope:shared'] },
  { sourceTag: 'scope:core', onlyDependOnLibsWithTags: ['scope:shared'] },
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
  {
    sourceTag: 'type:contract',
    onlyDependOnLibsWithTags: [],
    bannedExternalImports: ['@nestjs/*', 'kafkajs', 'mongoose', 'mongodb', 'rxjs'],
  },
];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    ignores: [
      '**/dist',
      '**/node_modules',
      '**/.nx',
      '**/coverage',
      '**/tmp',
      '**/*.js',
      '**/*.mjs',
      // Browser code served as is (no build step): linted by the block below.
      '!apps/gateway/public/**/*.js',
    ],
  },
  {
    // The web chat widget runs in customers' browsers, in pages we do not control.
    files: ['apps/gateway/public/**/*.js'],
    languageOptions: {
      ecmaVersion: 2020,
      sourceType: 'script',
      globals: Object.fromEntries(
        [
          'window',
          'document',
          'location',
          'localStorage',
          'navigator',
          'console',
          'fetch',
          'URL',
          'URLSearchParams',
          'crypto',
          'setTimeout',
          'clearTimeout',
          'setInterval',
          'clearInterval',
          'Promise',
          'Map',
          'Set',
          'CSSStyleSheet',
          'AbortController',
          'Date',
          'JSON',
          'Math',
          'Array',
          'Object',
          'String',
          'Number',
        ].map((name) => [name, 'readonly']),
      ),
    },
    rules: { 'no-undef': 'error', strict: ['error', 'function'] },
  },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@nx/enforce-module-boundaries': ['error', { enforceBuildableLibDependency: false, depConstraints }],
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false },
      ],
      '@typescript-eslint/no-floating-promises': 'error',
      // Config classes annotate property types so class-transformer can convert env strings.
      '@typescript-eslint/no-inferrable-types': ['error', { ignoreProperties: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'kafkajs', message: 'Only libs/messaging talks to Kafka; use @ponte/messaging.' }],
          patterns: [
            { group: ['@ponte/*/src', '@ponte/*/src/*'], message: 'Import a lib through its entry point.' },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Read configuration through the typed config class of the app (see libs/platform).',
        },
      ],
    },
  },
  {
    // Allowed exceptions: the Kafka wrapper itself; config loading, local infrastructure and tooling read the env.
    files: ['libs/messaging/src/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: [
      'libs/platform/src/config/**/*.ts',
      'libs/platform/src/bootstrap/**/*.ts',
      'libs/local-infra/src/**/*.ts',
      'libs/testing/src/**/*.ts',
      'tools/**/*.ts',
      '**/*.spec.ts',
      '**/*.int-spec.ts',
    ],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    // A test that indexes a fixture it just built fails loudly anyway; production code must narrow instead.
    files: ['**/*.spec.ts', '**/*.int-spec.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  prettier,
];
