// `npm run build:action`: bundles the GitHub Action's entry point into dist/pr-check/index.mjs, the
// file action.yml runs. The bundle is committed (an action gets no npm ci); test/cli/github-action.test.ts
// fails when it is not what this script builds from the current source.
import { build, type BuildOptions } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { NODE_BUNDLE } from './node-bundle.js';

/** The esbuild options of the action bundle (the test builds with the same ones). */
export const ACTION_BUILD: BuildOptions = {
  ...NODE_BUNDLE,
  entryPoints: ['functions/cli/github-action-main.ts'],
  outfile: 'dist/pr-check/index.mjs',
  plugins: [
    {
      // The other commands are loaded on demand by main.ts; the action runs only pr-check, so they stay out.
      name: 'only-pr-check',
      setup(b) {
        b.onResolve({ filter: /^\.\/commands\/(audit|snapshot|reports|notify)\.js$/ }, (args) => ({ path: args.path, external: true }));
      },
    },
  ],
};

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const result = await build({ ...ACTION_BUILD, metafile: true });
  const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
  console.log(`dist/pr-check/index.mjs: ${(bytes / 1024 / 1024).toFixed(2)} MB`);
}
