// `npm run build:cli` (and `prepare`, so `npm pack` and installs from a git URL get it): bundles the CLI
// into dist/cli/index.mjs plus the chunks its commands load on demand, the code an installed package
// runs (bin/drift-auditor.mjs). Not committed: a clone runs the TypeScript source instead.
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NODE_BUNDLE, ROOT } from './node-bundle.js';

/**
 * The folder of the CLI bundle, relative to the repository root. Its depth matters: the source finds the
 * package's files relative to itself (`new URL('../../rules/', import.meta.url)` in functions/adapters/,
 * `../../package.json` in functions/cli/), and from dist/cli/ the same paths reach the installed package's
 * rules/ and package.json, whatever the working directory (as from dist/pr-check/ for the action).
 */
export const CLI_OUTDIR = 'dist/cli';

/**
 * The packages left out of the bundle: exactly package.json's `dependencies`, the only packages an install
 * brings. They are the ones that cannot be bundled: Chromium's brotli-packed binary and playwright-core's
 * assets are found next to their own modules, and the kubectl layer is a zip tools.ts resolves, not imports.
 */
export const CLI_EXTERNAL: string[] = Object.keys(
  (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies,
);

/** The esbuild options of the CLI bundle. */
export const CLI_BUILD: BuildOptions = {
  ...NODE_BUNDLE,
  entryPoints: [{ in: 'functions/cli/main.ts', out: 'index' }],
  outdir: CLI_OUTDIR,
  outExtension: { '.js': '.mjs' },
  // Chunks follow the source's lazy imports: `--version` loads 7 KB of the 2.2 MB, and each command only what
  // it imports (one file evaluated 0.2-0.5 s at start-up, with the SDKs inside or external).
  splitting: true,
  chunkNames: '[name]-[hash]',
  external: CLI_EXTERNAL,
};

/** Packages the bundled code require()s inside a try, working without them: ws's native speed-ups, node-fetch's charset converter. */
const OPTIONAL_REQUIRES = ['bufferutil', 'encoding', 'utf-8-validate'];

/** Returns the packages the bundle imports that an install would not bring (none, or the build is wrong). */
export function missingAtRunTime(metafile: Metafile): string[] {
  const imported = Object.values(metafile.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path));
  const packageOf = (p: string): string => p.split('/').slice(0, p.startsWith('@') ? 2 : 1).join('/');
  return [...new Set(imported.filter((p) => !isBuiltin(p)).map(packageOf))]
    .filter((p) => !CLI_EXTERNAL.includes(p) && !OPTIONAL_REQUIRES.includes(p)).sort();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  // Chunk names carry hashes: clear the folder so no chunk of an older build lingers in a package.
  const outdir = path.join(ROOT, CLI_OUTDIR);
  await rm(outdir, { recursive: true, force: true });
  const result = await build({ ...CLI_BUILD, metafile: true });
  const missing = missingAtRunTime(result.metafile);
  if (missing.length) {
    await rm(outdir, { recursive: true, force: true });
    console.error(`${CLI_OUTDIR}/ would import ${missing.join(', ')}, which an install does not bring: bundle it, or add it to package.json's dependencies`);
    process.exit(1);
  }
  const outputs = Object.values(result.metafile.outputs);
  const bytes = outputs.reduce((n, o) => n + o.bytes, 0);
  console.log(`${CLI_OUTDIR}/: ${(bytes / 1024 / 1024).toFixed(2)} MB in ${outputs.length} files`);
}
