#!/usr/bin/env node
// Entry point for `drift-auditor`. In a clone (functions/ beside bin/) it runs the TypeScript source
// through tsx, so `npm start` needs no build and a dist/cli/ left by an old build never shadows the
// source. An installed package ships no functions/: it runs the bundle `npm run build:cli` made.
import { existsSync } from 'node:fs';
import { URL } from 'node:url';

const argv = process.argv.slice(2);
// The AWS SDK prints an 8-line notice on Node 20 (supported here) before any S3 error; keep stderr to the one-line reason.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** Exits 2 with one line, as the CLI does for bad input. */
function fail(reason) {
  process.stderr.write(`drift-auditor: ${reason}\n`);
  process.exit(2);
}

const source = new URL('../functions/cli/main.ts', import.meta.url);
let main;
if (existsSync(source)) {
  const tsx = await import('tsx/esm/api').catch(() => fail('cannot run the TypeScript source: tsx is missing (run npm ci in this clone)'));
  // A live read loads @kubernetes/client-node; loading it before tsx's hooks are in place keeps its large
  // module graph out of the transform cache (about 50 MB less peak memory on a 150,000-pod cluster).
  if (argv[0] === 'snapshot' || (argv[0] === 'audit' && !argv.includes('--snapshot'))) await import('@kubernetes/client-node');
  tsx.register();
  ({ main } = await import(source.href));
} else {
  const bundle = new URL('../dist/cli/index.mjs', import.meta.url);
  if (!existsSync(bundle)) fail('this package has no dist/cli/: it was packed without its prepare script (npm run build:cli)');
  ({ main } = await import(bundle.href));
}
process.exitCode = await main(argv);
