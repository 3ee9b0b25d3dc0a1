// `npm run build:cli` (and `prepare`, so `npm pack` and installs from a git URL get it): bundles the CLI
// into dist/cli/index.mjs plus the chunks its commands load on demand, the code an installed package
// runs (bin/drift-auditor.mjs). Not committed: a clone runs the TypeScript source instead.
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
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
  const packageOf = (p: string): string =>
    p
      .split('/')
      .slice(0, p.startsWith('@') ? 2 : 1)
      .join('/');
  return [...new Set(imported.filter((p) => !isBuiltin(p)).map(packageOf))].filter((p) => !CLI_EXTERNAL.includes(p) && !OPTIONAL_REQUIRES.includes(p)).sort();
}

/** The file beside the bundle that carries the licences of the packages bundled into it (minifying drops their comments). */
export const NOTICES_FILE = 'THIRD-PARTY-NOTICES.txt';

/** Returns the text of NOTICES_FILE: the bundled packages (name, version, licence), grouped under each distinct licence (and NOTICE) text. */
export async function thirdPartyNotices(metafile: Metafile): Promise<string> {
  const dirs = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
    const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m) dirs.add(path.resolve(ROOT, m[1]!));
  }
  const byText = new Map<string, Set<string>>();
  for (const dir of dirs) {
    const pkg = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as { name: string; version: string; license?: string };
    const files = (await readdir(dir)).filter((f) => /^(licen[cs]e|copying|notice)(\.|$)/i.test(f)).sort();
    const text =
      (await Promise.all(files.map(async (f) => (await readFile(path.join(dir, f), 'utf8')).trim()))).join('\n\n') || '(the package has no licence file)';
    byText.set(text, (byText.get(text) ?? new Set()).add(`${pkg.name}@${pkg.version} (${pkg.license ?? 'licence not stated'})`));
  }
  const groups = [...byText].map(([text, names]) => `${[...names].sort().join('\n')}\n\n${text}`).sort();
  return `The packages bundled into dist/cli/ and their licences.\n\n${groups.join(`\n\n${'-'.repeat(72)}\n\n`)}\n`;
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
  await writeFile(path.join(outdir, NOTICES_FILE), await thirdPartyNotices(result.metafile));
  const outputs = Object.values(result.metafile.outputs);
  const bytes = outputs.reduce((n, o) => n + o.bytes, 0);
  console.log(`${CLI_OUTDIR}/: ${(bytes / 1024 / 1024).toFixed(2)} MB in ${outputs.length} files`);
}
