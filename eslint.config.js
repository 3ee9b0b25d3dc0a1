// Lint rules that keep the architecture honest: the core is pure (no I/O, no clock, no env),
// adapters never import handlers, handlers and the CLI go through the pipeline, and nothing reads ../shared.
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
    // Imports run one way: handlers and cli -> pipeline -> adapters and core. What the pipeline serves
    // (inputs, the audit run, artifacts, stores, notifiers) is never wired a second time in a caller.
    files: ['functions/handlers/**/*.ts', 'functions/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          {
            group: [
              '**/adapters/dump-reader*', '**/adapters/manifest-source*', '**/adapters/github-source*', '**/adapters/kustomize*',
              '**/adapters/manifest-folder*', '**/adapters/rules-loader*', '**/adapters/policy-loader*', '**/adapters/report-source*',
              '**/adapters/github-notify/**', '**/adapters/github-checks*', '**/adapters/store/**', '**/adapters/sha256*', '**/adapters/kubernetes/read-cluster*',
              '**/adapters/kubernetes/snapshot-file*', '**/adapters/kubernetes/projection*', '**/core/audit*',
            ],
            message: 'handlers and the CLI call the pipeline (functions/pipeline/) for inputs, the audit, artifacts, stores and notifiers',
          },
          { group: ['**/adapters/kubernetes/index*'], importNames: ['readCluster', 'writeSnapshotFile', 'serializeSnapshot', 'projectPod', 'projectNode', 'projectDaemonSet', 'projectControllerRevision'], message: 'read and write snapshots through functions/pipeline/live.ts' },
        ],
      }],
      // The same for lazy `await import(...)`, which no-restricted-imports does not see.
      'no-restricted-syntax': ['error', {
        selector: "ImportExpression[source.value=/adapters\\/(dump-reader|manifest-source|github-source|kustomize|manifest-folder|rules-loader|policy-loader|report-source|github-notify|github-checks|store|sha256|kubernetes)|core\\/audit/]",
        message: 'handlers and the CLI call the pipeline (functions/pipeline/) for inputs, the audit, artifacts, stores and notifiers',
      }],
    },
  },
  {
    files: ['functions/pipeline/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/handlers/**', '**/cli/**'], message: 'the pipeline does not depend on its callers' }] }],
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
