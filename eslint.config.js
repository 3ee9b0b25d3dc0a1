// Lint rules that keep the architecture honest: the core is pure (no I/O, no clock, no env),
// adapters never import handlers, and nothing reads ../shared.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'cdk.out/**', 'dist/**', 'coverage/**', 'reports/**', 'out/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.property.name='only'][callee.object.name=/^(it|describe|test)$/]", message: 'no focused tests' },
        { selector: "CallExpression[callee.property.name='skip'][callee.object.name=/^(it|describe|test)$/]", message: 'no skipped tests' },
      ],
    },
  },
  {
    files: ['functions/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['node:*', 'fs', 'path', 'http', 'https', 'os', 'child_process', 'zlib', 'crypto'], message: 'the core does no I/O: pass data in' },
          { group: ['**/adapters/**', '**/handlers/**', '**/cli/**', '@aws-sdk/*', '@kubernetes/*', 'octokit', '@octokit/*'], message: 'the core imports only the core and pure libraries' },
        ],
      }],
      'no-restricted-globals': ['error',
        { name: 'process', message: 'the core reads no env: pass settings in' },
        { name: 'fetch', message: 'the core does no I/O' },
      ],
      'no-restricted-properties': ['error', { object: 'Date', property: 'now', message: 'the core has no clock: time is an argument' }],
    },
  },
  {
    files: ['functions/adapters/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/handlers/**', '**/cli/**'], message: 'adapters do not depend on handlers or the CLI' }] }],
    },
  },
  {
    files: ['bin/**/*.mjs', 'scripts/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
