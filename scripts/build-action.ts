// `npm run build:action`: bundles the GitHub Action's entry point into dist/pr-check/index.mjs, the
// file action.yml runs. The bundle is committed (an action gets no npm ci); test/cli/github-action.test.ts
// fails when it is not what this script builds from the current source.
import { build, type BuildOptions } from 'esbuild';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** The esbuild options of the action bundle (the test builds with the same ones). */
export const ACTION_BUILD: BuildOptions = {
  absWorkingDir: ROOT,
  entryPoints: ['functions/cli/github-action-main.ts'],
  outfile: 'dist/pr-check/index.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  // CommonJS dependencies call require() on builtins; an ESM bundle needs one.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  plugins: [{
    // The other commands are loaded on demand by main.ts; the action runs only pr-check, so they stay out.
    name: 'only-pr-check',
    setup(b) {
      b.onResolve({ filter: /^\.\/commands\/(audit|snapshot|reports|notify)\.js$/ }, (args) => ({ path: args.path, external: true }));
    },
  }],
};

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const result = await build({ ...ACTION_BUILD, metafile: true });
  const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
  console.log(`dist/pr-check/index.mjs: ${(bytes / 1024 / 1024).toFixed(2)} MB`);
}
