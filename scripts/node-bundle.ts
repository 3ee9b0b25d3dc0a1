// What every esbuild bundle of the app shares: the GitHub Action's (scripts/build-action.ts) and the
// installable CLI's (scripts/build-cli.ts). Node 20, ESM, minified, built from the repository root.
import type { BuildOptions } from 'esbuild';
import { fileURLToPath } from 'node:url';

/** The repository root, with a trailing slash. */
export const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** The esbuild options both bundles share; each adds its entry point, output and plugins. */
export const NODE_BUNDLE: BuildOptions = {
  absWorkingDir: ROOT,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  // CommonJS dependencies call require() on builtins; an ESM bundle needs one.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
};
