// `npm run bench`: runs every benchmark module that exists (each is owned by a different part of the
// project and may not have landed yet), one after another, and prints their tables.
// Options: --sizes 2500,5000 (node counts), --repeat N (keep the fastest of N runs), --only audit,snapshot,…
import { parseArgs } from 'node:util';

interface BenchModule { file: string; name: string; fn: string }

const MODULES: BenchModule[] = [
  { file: './audit.js', name: 'audit', fn: 'benchAudit' },
  { file: './snapshot.js', name: 'snapshot', fn: 'benchSnapshot' },
  { file: './html.js', name: 'html', fn: 'benchHtml' },
  { file: './lambda.js', name: 'lambda', fn: 'benchLambda' },
];

/** Runs the selected benchmarks; returns the number that failed. */
export async function runBenchmarks(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { sizes: { type: 'string' }, only: { type: 'string' }, repeat: { type: 'string' } } });
  const repeat = values.repeat ? Math.max(1, Number(values.repeat) || 1) : undefined;
  const sizes = values.sizes?.split(',').map((s) => Number(s.trim())).filter((n) => Number.isInteger(n) && n > 0);
  const only = values.only?.split(',').map((s) => s.trim());
  let failed = 0;
  for (const m of MODULES) {
    if (only && !only.includes(m.name)) continue;
    let mod: Record<string, unknown>;
    try {
      mod = (await import(m.file)) as Record<string, unknown>;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ERR_MODULE_NOT_FOUND' && String((err as Error).message).includes(m.file.slice(2, -3))) {
        console.log(`\n== ${m.name}: skipped (bench/${m.file.slice(2, -3)}.ts is not there yet)`);
        continue;
      }
      throw err;
    }
    const fn = mod[m.fn];
    if (typeof fn !== 'function') {
      console.log(`\n== ${m.name}: skipped (bench/${m.file.slice(2, -3)}.ts exports no ${m.fn})`);
      continue;
    }
    console.log(`\n== ${m.name}`);
    try {
      await (fn as (o: { sizes?: number[]; repeat?: number }) => Promise<unknown>)({ ...(sizes?.length ? { sizes } : {}), ...(repeat ? { repeat } : {}) });
    } catch (err) {
      failed++;
      console.log(`${m.name} failed: ${(err as Error).message}`);
    }
  }
  return failed;
}

runBenchmarks(process.argv.slice(2)).then((failed) => {
  process.exitCode = failed ? 1 : 0;
}, (err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
