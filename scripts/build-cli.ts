// `npm run build:cli` (and `prepare`, so `npm pack` and installs from a git URL get it): bundles the CLI
// into dist/cli/index.mjs plus the chunks its commands load on demand, the code an installed package
// runs (bin/drift-auditor.mjs). Not committed: a clone runs the TypeScript source instead.
import { build, type BuildOptions, type Metafile, type Plugin } from 'esbuild';
import { readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NODE_BUNDLE, ROOT } from './node-bundle.js';

/** The folder of the CLI bundle, relative to the repository root. */
export const CLI_OUTDIR = 'dist/cli';

/**
 * The packages left out of the bundle: exactly package.json's `dependencies`, the only packages an install
 * brings. They are the ones that cannot be bundled: Chromium's brotli-packed binary and playwright-core's
 * assets are found next to their own modules, and the kubectl layer is a zip tools.ts resolves, not imports.
 */
export const CLI_EXTERNAL: string[] = Object.keys(
  (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies,
);

/**
 * The source finds package.json and rules/ relative to its own file (`new URL('../../rules/', import.meta.url)`),
 * at depths that differ per file. In the bundle every module shares the chunk's URL, so each app module's
 * `import.meta.url` is rewritten to where its source file sits relative to dist/cli/: the same relative
 * paths then reach the installed package's own files, whatever the working directory.
 */
function sourceRelativeImportMetaUrl(outdir: string): Plugin {
  return {
    name: 'source-relative-import-meta-url',
    setup(b) {
      b.onLoad({ filter: /[\\/]functions[\\/].*\.ts$/ }, async (args) => {
        const text = await readFile(args.path, 'utf8');
        if (!text.includes('import.meta.url')) return undefined;
        const fromOut = path.relative(path.join(ROOT, outdir), args.path).split(path.sep).join('/');
        return { contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(fromOut)}, import.meta.url).href`), loader: 'ts' };
      });
    },
  };
}

/** The esbuild options of the CLI bundle. */
export const CLI_BUILD: BuildOptions = {
  ...NODE_BUNDLE,
  entryPoints: [{ in: 'functions/cli/main.ts', out: 'index' }],
  outdir: CLI_OUTDIR,
  outExtension: { '.js': '.mjs' },
  // One chunk per lazily loaded command: `--version` parses 0.1 MB instead of the whole 2.2 MB, and an
  // audit of a dump never evaluates the Kubernetes client or the AWS SDK.
  splitting: true,
  chunkNames: '[name]-[hash]',
  external: CLI_EXTERNAL,
  plugins: [sourceRelativeImportMetaUrl(CLI_OUTDIR)],
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
