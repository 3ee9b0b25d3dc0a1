// `drift-auditor reports list|get|verify`: read stored runs back from a folder or S3. `verify`
// recomputes every object's sha256 against the run's manifest (and the manifest against the
// run index) and exits 1 on any mismatch or missing object, so it can gate an evidence export.
import { UsageError } from '../../core/errors.js';
import { nearest } from '../../core/nearest.js';
import { SEVERITIES } from '../../core/types.js';
import { type CliIO, parseCommandLine, parseOutputFormat, type CommandOptions } from '../main.js';
import { terminalSafe, writeOutputFile } from '../output.js';

export const REPORTS_USAGE = `usage: drift-auditor reports list   [--store SPEC] [--s3-endpoint URL] [--cluster NAME] [--limit N] [-o table|json] [--json]
       drift-auditor reports get    [--store SPEC] [--s3-endpoint URL] [--cluster NAME] [RUN_ID|latest]
                                    [-o markdown|json|html|csv | --file NAME] [--out PATH|-]
       drift-auditor reports verify [--store SPEC] [--s3-endpoint URL] [--cluster NAME] [RUN_ID|latest] [-o table|json] [--json]
       drift-auditor reports evidence …   an evidence pack over a period (see its own usage)

  --store SPEC        a folder or s3://BUCKET/PREFIX (default: $DRIFT_AUDITOR_STORE, else ./reports)
  --s3-endpoint URL   S3-compatible endpoint (MinIO, on-prem); also AWS_ENDPOINT_URL_S3. Path-style.
  --cluster NAME      the cluster (default: the only cluster in the store)
  --limit N           list at most N runs, newest first (default 20)
  -o, --output F      the format, as in kubectl (also --format). list, verify: table (default) or json.
                      get: markdown (report.md, the default), json (report.json), html (report.html) or
                      csv (findings.csv)
  --file NAME         get: the run's file by name: report.md, report.json, report.html, findings.csv,
                      manifest.json or snapshot.json.gz (binary: needs --out)
  --out PATH          get: write the file there, byte for byte, instead of printing it (printing replaces
                      control characters, which a tampered store object could carry, by '?'). '--out -'
                      is stdout: the exact bytes into a pipe, printed as above on a terminal
  --json              list, verify: the same as -o json

RUN_ID defaults to latest. AWS settings: AWS_REGION, the SDK credential chain.
Exit codes: 0 ok, 1 verify found a mismatch or a missing object, 2 bad usage or unreadable store.`;

/** The options `drift-auditor reports` accepts (each one explained in REPORTS_USAGE; test/cli/usage.test.ts checks). */
export const REPORTS_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  store: { type: 'string' },
  's3-endpoint': { type: 'string' },
  cluster: { type: 'string' },
  limit: { type: 'string' },
  file: { type: 'string' },
  output: { type: 'string', short: 'o' },
  format: { type: 'string' },
  out: { type: 'string' },
  json: { type: 'boolean' },
} satisfies CommandOptions;

const SUBCOMMANDS = ['list', 'get', 'verify'] as const;
/** The files `reports get -o FORMAT` prints. */
const GET_FILES = { markdown: 'report.md', json: 'report.json', html: 'report.html', csv: 'findings.csv' } as const;
type Subcommand = (typeof SUBCOMMANDS)[number];

interface ReportsArgs {
  help: boolean;
  sub: Subcommand;
  store: string;
  s3Endpoint?: string;
  cluster?: string;
  runId: string;
  file: string;
  out?: string;
  limit: number;
  json: boolean;
}

/** Parses the arguments of `drift-auditor reports`. */
export function parseReportsArgs(argv: string[], io: Pick<CliIO, 'env' | 'stderr'>): ReportsArgs {
  const parsed = parseCommandLine(
    {
      args: argv,
      strict: true,
      allowPositionals: true,
      options: REPORTS_OPTIONS,
    },
    REPORTS_USAGE,
  );
  const { values, positionals } = parsed;
  const [sub, runId, ...extra] = positionals;
  if (values.help) return { help: true, sub: 'list', store: '', runId: 'latest', file: 'report.md', limit: 20, json: false };
  if (!sub || !SUBCOMMANDS.includes(sub as Subcommand)) {
    const near = sub ? nearest(sub, [...SUBCOMMANDS, 'evidence']) : null;
    throw new UsageError(
      `failed to parse arguments: expected list, get, verify or evidence, got '${sub ?? ''}'${near ? ` (did you mean '${near}'?)` : ''}\n${REPORTS_USAGE}`,
    );
  }
  if (extra.length || (sub === 'list' && runId))
    throw new UsageError(`failed to parse arguments: unexpected '${[...(sub === 'list' ? [runId] : []), ...extra].join(' ')}'\n${REPORTS_USAGE}`);
  const limit = values.limit === undefined ? 20 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`failed to parse --limit '${values.limit}': expected a positive whole number`);
  let file = values.file ?? 'report.md';
  let out = values.out;
  let json = values.json ?? false;
  if (sub === 'get') {
    if (values.json) throw new UsageError('--json is for list and verify; reports get picks its file with -o json|markdown|html|csv');
    // Older releases took --output PATH for the file to write: a path-like value still is one, with a note on stderr.
    const { format, legacyFile } = parseOutputFormat(values, Object.keys(GET_FILES) as (keyof typeof GET_FILES)[], { legacyFileFlag: '--out', io });
    if (legacyFile !== undefined && out !== undefined)
      throw new UsageError(`--output ${legacyFile} and --out ${out} both name a file: give --out PATH and -o ${Object.keys(GET_FILES).join('|')}`);
    out = legacyFile ?? out;
    if (format !== undefined && values.file !== undefined && GET_FILES[format] !== values.file)
      throw new UsageError(`-o ${format} picks ${GET_FILES[format]}, --file picks ${values.file}: give one`);
    if (format !== undefined) file = GET_FILES[format];
  } else {
    if (values.file !== undefined || out !== undefined)
      throw new UsageError(`${values.file !== undefined ? '--file' : '--out'} is for reports get, not reports ${sub}`);
    const { format } = parseOutputFormat(values, ['table', 'json'] as const);
    if (format === 'table' && json) throw new UsageError('-o table and --json contradict each other: give one');
    json ||= format === 'json';
  }
  return {
    help: false,
    sub: sub as Subcommand,
    store: values.store ?? (io.env.DRIFT_AUDITOR_STORE || 'reports'),
    s3Endpoint: values['s3-endpoint'],
    cluster: values.cluster,
    runId: runId ?? 'latest',
    file,
    out,
    limit,
    json,
  };
}

/** Runs `drift-auditor reports` and returns the exit code. */
export async function run(argv: string[], io: CliIO): Promise<number> {
  if (argv[0] === 'evidence') return (await import('./evidence.js')).run(argv.slice(1), io);
  const args = parseReportsArgs(argv, io);
  if (args.help) {
    io.stdout(`${REPORTS_USAGE}\n`);
    return 0;
  }
  const { openRunStore } = await import('../../pipeline/store.js');
  const store = openRunStore(args.store, { endpoint: args.s3Endpoint, env: io.env });
  // Text for people goes through terminalSafe (store objects can be tampered with); JSON is escaped already.
  const print = (s: string): void => io.stdout(terminalSafe(s));
  const cluster = args.cluster ?? (await onlyCluster(await store.listClusters(), args.store));

  if (args.sub === 'list') {
    const runs = await store.listRuns(cluster, { limit: args.limit });
    if (args.json) {
      io.stdout(`${JSON.stringify(runs, null, 2)}\n`);
      return 0;
    }
    const rows = runs.map((r) => [
      r.runId,
      r.generatedAt,
      r.complete ? 'complete' : 'INCOMPLETE',
      ...SEVERITIES.map((s) => String(r.bySeverity[s] ?? 0)),
      String(r.waived),
    ]);
    print(columns(['RUN ID', 'GENERATED AT', 'STATUS', ...SEVERITIES.map((s) => s.toUpperCase()), 'WAIVED'], rows));
    if (runs.length === 0) io.stderr(`no runs of cluster ${cluster} in ${args.store}\n`);
    return 0;
  }

  if (args.sub === 'get') {
    const stored = await store.getRun(cluster, args.runId);
    const known = ['manifest.json', ...stored.manifest.objects.map((o) => o.name)];
    if (!known.includes(args.file)) throw new UsageError(`failed to get ${args.file} of run ${stored.runId}: the run has ${known.join(', ')}`);
    const body = await store.getObject(stored.prefix + args.file);
    // `--out -` is stdout: the exact bytes into a pipe; on a terminal it prints as without --out.
    if (args.out === '-' && io.stdoutColumns === undefined) {
      (io.stdoutBytes ?? ((b: Buffer) => io.stdout(b.toString('utf8'))))(body);
    } else if (args.out !== undefined && args.out !== '-') {
      await writeOutputFile(args.out, body);
      io.stderr(`wrote ${args.file} of run ${stored.runId} to ${args.out}\n`);
    } else if (args.file.endsWith('.gz')) {
      throw new UsageError(`failed to print ${args.file}: it is binary; use --out PATH, or --out - into a pipe`);
    } else {
      print(body.toString('utf8'));
    }
    return 0;
  }

  const result = await store.verifyRun(cluster, args.runId);
  if (args.json) {
    io.stdout(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    print(
      columns(
        ['STATUS', 'OBJECT', 'SHA256 (EXPECTED)', 'DETAIL'],
        result.objects.map((o) => [
          o.status.toUpperCase(),
          o.name,
          o.expectedSha256,
          o.status === 'ok' ? '' : (o.detail ?? (o.status === 'missing' ? 'object not found' : `actual ${o.actualSha256}`)),
        ]),
      ),
    );
    const bad = result.objects.filter((o) => o.status !== 'ok');
    print(
      result.ok
        ? `run ${result.runId} of cluster ${cluster}: all ${result.objects.length} objects match their sha256\n`
        : `run ${result.runId} of cluster ${cluster}: VERIFICATION FAILED: ${bad.map((o) => `${o.name} ${o.status}`).join(', ')}\n`,
    );
  }
  return result.ok ? 0 : 1;
}

async function onlyCluster(clusters: string[], store: string): Promise<string> {
  if (clusters.length === 1) return clusters[0]!;
  if (clusters.length === 0) throw new UsageError(`failed to pick a cluster: ${store} holds no runs`);
  throw new UsageError(`failed to pick a cluster: ${store} holds ${clusters.join(', ')}; pass --cluster`);
}

function columns(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return (
    [head, ...rows]
      .map((r) =>
        r
          .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}
