// `npm run bench`: the audit, snapshot, HTML report and Lambda benchmarks, one after another, each
// printing its own table of figures. Speed and memory goals live here, never in timed tests.
// Options: --sizes 2500,5000 (node counts), --repeat N (audit: N paired runs, median ratios; others: fastest of N), --only audit,snapshot,…
import { parseArgs } from 'node:util';
import { benchAudit } from './audit.js';
import { benchHtml } from './html.js';
import { benchLambda } from './lambda.js';
import { benchPrCheck } from './pr-check.js';
import { benchRender } from './render.js';
import { benchSnapshot } from './snapshot.js';

type Bench = (o: { sizes?: number[]; repeat?: number }) => Promise<unknown>;

const BENCHES: [name: string, run: Bench][] = [
  ['audit', benchAudit],
  // The snapshot bench reads one cluster: the largest size given (default 5,000 nodes × 30 pods).
  ['snapshot', ({ sizes, repeat }) => benchSnapshot({ ...(sizes ? { nodes: Math.max(...sizes) } : {}), ...(repeat ? { runs: repeat } : {}) })],
  ['html', benchHtml],
  ['lambda', benchLambda],
  // A PR check at the largest size given (default 5,000 nodes), 16 DaemonSets changed.
  ['pr-check', ({ sizes }) => benchPrCheck(sizes ? { sizes: [Math.max(...sizes)] } : {})],
  ['render', benchRender],
];

/** Runs the selected benchmarks; returns the number that failed. */
export async function runBenchmarks(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { sizes: { type: 'string' }, only: { type: 'string' }, repeat: { type: 'string' } } });
  const repeat = values.repeat ? Math.max(1, Number(values.repeat) || 1) : undefined;
  const sizes = values.sizes
    ?.split(',')
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isInteger(n) && n > 0);
  const only = values.only?.split(',').map((s) => s.trim());
  let failed = 0;
  for (const [name, run] of BENCHES) {
    if (only && !only.includes(name)) continue;
    console.log(`\n== ${name}`);
    try {
      await run({ ...(sizes?.length ? { sizes } : {}), ...(repeat ? { repeat } : {}) });
    } catch (err) {
      failed++;
      console.log(`${name} failed: ${(err as Error).message}`);
    }
  }
  return failed;
}

runBenchmarks(process.argv.slice(2)).then(
  (failed) => {
    process.exitCode = failed ? 1 : 0;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
