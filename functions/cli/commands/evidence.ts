// `drift-auditor reports evidence`: the evidence pack for a cluster and period, from the stored runs:
// required vs covered node-hours per requiredCoverage entry and DaemonSet, every run with its hashes
// and verify result, gaps in evidence, findings opened and closed, and the exception register, as
// evidence.json, evidence.html, evidence.pdf and CSV files in --out.
import path from 'node:path';
import { periodOf } from '../../core/evidence/index.js';
import { parseExpiry } from '../../core/policy/parse.js';
import { UsageError } from '../../core/errors.js';
import { parseCommandLine, version, type CliIO, type CommandOptions } from '../main.js';
import { ensureOutputDir, terminalSafe, writeOutputFile } from '../output.js';

export const EVIDENCE_USAGE = `usage: drift-auditor reports evidence [--store SPEC] [--s3-endpoint URL] [--cluster NAME]
                                     (--from DATE --to DATE | --period 2026-Q3|2026-11) --out DIR
                                     [--max-gap HOURS] [--no-pdf] [--now RFC3339]

  --store SPEC     the evidence store: a folder or s3://BUCKET/PREFIX (default: $DRIFT_AUDITOR_STORE,
                   else ./reports)
  --s3-endpoint URL  S3-compatible endpoint (MinIO, on-prem); also AWS_ENDPOINT_URL_S3
  --cluster NAME   the cluster (default: the only cluster in the store)
  --from, --to     the period: YYYY-MM-DD (midnight UTC) or RFC 3339; --to is exclusive
  --period P       a quarter (2026-Q3) or a month (2026-11), in UTC
  --out DIR        write evidence.json, evidence.html, evidence.pdf, coverage.csv, runs.csv, gaps.csv,
                   findings.csv and exceptions.csv there
  --max-gap HOURS  the longest time one run's state may stand for (default 25, for daily runs)
  --no-pdf         skip the PDF (it needs headless Chromium: @sparticuz/chromium or CHROMIUM_PATH)
  --now RFC3339    the pack's generatedAt (default: now), for reproducible packs

Interval rule: each run's state holds from its own time until the next run, for at most --max-gap
hours. Incomplete, unverifiable or missing runs are gaps in evidence, never coverage.
Exit codes: 0 the pack shows no gap and every run verified, 1 it shows a gap or a failed verification,
2 bad usage or unreadable store.`;

/** The options `drift-auditor evidence` accepts (each one explained in EVIDENCE_USAGE; test/cli/usage.test.ts checks). */
export const EVIDENCE_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  store: { type: 'string' },
  's3-endpoint': { type: 'string' },
  cluster: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  period: { type: 'string' },
  out: { type: 'string' },
  'max-gap': { type: 'string' },
  'no-pdf': { type: 'boolean' },
  now: { type: 'string' },
} satisfies CommandOptions;

function date(flag: string, v: string): Date {
  const d = parseExpiry(v);
  if (!d) throw new UsageError(`failed to read ${flag} '${v}': expected YYYY-MM-DD or an RFC 3339 time`);
  return d;
}

/** Runs `drift-auditor reports evidence` and returns the exit code. */
export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandLine(
    {
      args: argv,
      strict: true,
      allowPositionals: true,
      options: EVIDENCE_OPTIONS,
    },
    EVIDENCE_USAGE,
  );
  if (values.help) {
    io.stdout(`${EVIDENCE_USAGE}\n`);
    return 0;
  }
  if (positionals.length) throw new UsageError(`failed to parse arguments: unexpected '${positionals.join(' ')}'\n${EVIDENCE_USAGE}`);
  let from: Date;
  let to: Date;
  if (values.period !== undefined) {
    if (values.from !== undefined || values.to !== undefined) throw new UsageError('--period names the whole period: give it or --from/--to, not both');
    const p = periodOf(values.period);
    if (!p) throw new UsageError(`failed to read --period '${values.period}': expected a quarter (2026-Q3) or a month (2026-11)`);
    [from, to] = p;
  } else {
    if (values.from === undefined || values.to === undefined) throw new UsageError(`--from and --to (or --period) are required\n${EVIDENCE_USAGE}`);
    from = date('--from', values.from);
    to = date('--to', values.to);
  }
  if (to.getTime() <= from.getTime())
    throw new UsageError(`failed to read the period: --to (${to.toISOString()}) must be after --from (${from.toISOString()})`);
  if (!values.out) throw new UsageError(`--out is required\n${EVIDENCE_USAGE}`);
  if (values.out === '-') throw new UsageError("--out names the folder for the pack's files, not stdout: give a folder");
  const maxGapHours = values['max-gap'] === undefined ? undefined : Number(values['max-gap']);
  if (maxGapHours !== undefined && !(Number.isFinite(maxGapHours) && maxGapHours > 0))
    throw new UsageError(`failed to read --max-gap '${values['max-gap']}': expected a positive number of hours`);
  const now = values.now === undefined ? new Date() : date('--now', values.now);
  await ensureOutputDir(values.out);

  const { openRunStore: openStore } = await import('../../pipeline/store.js');
  const evidence = await import('../../adapters/evidence-pack.js');
  const storeSpec = values.store ?? (io.env.DRIFT_AUDITOR_STORE || 'reports');
  const store = openStore(storeSpec, { endpoint: values['s3-endpoint'], env: io.env });
  const clusters = await store.listClusters();
  const cluster = values.cluster ?? (clusters.length === 1 ? clusters[0]! : undefined);
  if (!cluster) throw new UsageError(`failed to pick a cluster: ${storeSpec} holds ${clusters.length ? clusters.join(', ') : 'no runs'}; pass --cluster`);

  const pack = await evidence.buildEvidenceFromStore(store, {
    cluster,
    from,
    to,
    generatedAt: now.toISOString(),
    auditorVersion: await version(),
    ...(maxGapHours ? { maxGapHours } : {}),
  });
  const files: Record<string, string | Buffer> = evidence.renderEvidenceFiles(pack);
  if (!values['no-pdf']) files['evidence.pdf'] = await (await import('../../adapters/evidence-pdf.js')).printPdf(files['evidence.html'] as string, io.env);
  for (const [name, body] of Object.entries(files)) await writeOutputFile(path.join(values.out, name), body);

  const s = pack.summary;
  const lines = pack.coverage.map(
    (c) =>
      `  ${c.requirement} / ${c.daemonSet}: ${c.percent === null ? 'nothing required' : `${c.percent.toFixed(3)} %`} of ${c.requiredNodeHours.toFixed(1)} required node-hours`,
  );
  io.stderr(
    terminalSafe(
      `evidence for cluster ${cluster}, ${pack.period.from} to ${pack.period.to}: ${s.runs} runs (${s.usableRuns} usable), ${s.evidenceGapHours.toFixed(1)} h in gaps\n${lines.join('\n')}${lines.length ? '\n' : ''}wrote ${Object.keys(files).join(', ')} to ${values.out}\n`,
    ),
  );
  return s.evidenceGapHours > 0 || pack.runs.some((r) => !r.verified) ? 1 : 0;
}
