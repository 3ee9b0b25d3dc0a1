// `drift-auditor reports list|get|verify`: read stored runs back from a folder or S3. `verify`
// recomputes every object's sha256 against the run's manifest (and the manifest against the
// run index) and exits 1 on any mismatch or missing object, so it can gate an evidence export.
import { UsageError } from '../../core/errors.js';
import { SEVERITIES } from '../../core/types.js';
import { type CliIO, parseCommandLine } from '../main.js';
import { terminalSafe, writeOutputFile } from '../output.js';

export const REPORTS_USAGE = `usage: drift-auditor reports list   [--store SPEC] [--s3-endpoint URL] [--cluster NAME] [--limit N] [--json]
       drift-auditor reports get    [--store SPEC] [--s3-endpoint URL] [--cluster NAME] [RUN_ID|latest] [--file NAME] [--output PATH]
       drift-auditor reports verify [--store SPEC] [--s3-endpoint URL] [--cluster NAME] [RUN_ID|latest] [--json]
       drift-auditor reports evidence --from DATE --to DATE --out DIR [...]   (see reports evidence --help)

  --store SPEC        a folder or s3://BUCKET/PREFIX (default: $DRIFT_AUDITOR_STORE, else ./reports)
  --s3-endpoint URL   S3-compatible endpoint (MinIO, on-prem); also AWS_ENDPOINT_URL_S3. Path-style.
  --cluster NAME      the cluster (default: the only cluster in the store)
  --limit N           list at most N runs, newest first (default 20)
  --file NAME         which file of the run to print: report.md (default), report.json, report.html,
                      findings.csv, manifest.json, snapshot.json.gz (binary: needs --output)
  --output PATH       write the file there, byte for byte, instead of printing it (printing replaces
                      control characters, which a tampered store object could carry, by '?')
  --json              machine-readable output

RUN_ID defaults to latest. AWS settings: AWS_REGION, the SDK credential chain.
Exit codes: 0 ok, 1 verify found a mismatch or a missing object, 2 bad usage or unreadable store.`;

const SUBCOMMANDS = ['list', 'get', 'verify'] as const;
type Subcommand = (typeof SUBCOMMANDS)[number];

interface ReportsArgs {
  help: boolean;
  sub: Subcommand;
  store: string;
  s3Endpoint?: string;
  cluster?: string;
  runId: string;
  file: string;
  output?: string;
  limit: number;
  json: boolean;
}

/** Parses the arguments of `drift-auditor reports`. */
export function parseReportsArgs(argv: string[], env: NodeJS.ProcessEnv): ReportsArgs {
  const parsed = parseCommandLine({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      store: { type: 'string' },
      's3-endpoint': { type: 'string' },
      cluster: { type: 'string' },
      limit: { type: 'string' },
      file: { type: 'string' },
      output: { type: 'string', short: 'o' },
      json: { type: 'boolean' },
    },
  }, REPORTS_USAGE);
  const { values, positionals } = parsed;
  const [sub, runId, ...extra] = positionals;
  if (values.help) return { help: true, sub: 'list', store: '', runId: 'latest', file: 'report.md', limit: 20, json: false };
  if (!sub || !SUBCOMMANDS.includes(sub as Subcommand)) throw new UsageError(`failed to parse arguments: expected list, get or verify, got '${sub ?? ''}'\n${REPORTS_USAGE}`);
  if (extra.length || (sub === 'list' && runId)) throw new UsageError(`failed to parse arguments: unexpected '${[...(sub === 'list' ? [runId] : []), ...extra].join(' ')}'\n${REPORTS_USAGE}`);
  const limit = values.limit === undefined ? 20 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`failed to parse --limit '${values.limit}': expected a positive whole number`);
  return {
    help: false,
    sub: sub as Subcommand,
    store: values.store ?? (env.DRIFT_AUDITOR_STORE || 'reports'),
    s3Endpoint: values['s3-endpoint'],
    cluster: values.cluster,
    runId: runId ?? 'latest',
    file: values.file ?? 'report.md',
    output: values.output,
    limit,
    json: values.json ?? false,
  };
}

/** Runs `drift-auditor reports` and returns the exit code. */
export async function run(argv: string[], io: CliIO): Promise<number> {
  if (argv[0] === 'evidence') return (await import('./evidence.js')).run(argv.slice(1), io);
  const args = parseReportsArgs(argv, io.env);
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
    const rows = runs.map((r) => [r.runId, r.generatedAt, r.complete ? 'complete' : 'INCOMPLETE', ...SEVERITIES.map((s) => String(r.bySeverity[s] ?? 0)), String(r.waived)]);
    print(columns(['RUN ID', 'GENERATED AT', 'STATUS', ...SEVERITIES.map((s) => s.toUpperCase()), 'WAIVED'], rows));
    if (runs.length === 0) io.stderr(`no runs of cluster ${cluster} in ${args.store}\n`);
    return 0;
  }

  if (args.sub === 'get') {
    const stored = await store.getRun(cluster, args.runId);
    const known = ['manifest.json', ...stored.manifest.objects.map((o) => o.name)];
    if (!known.includes(args.file)) throw new UsageError(`failed to get ${args.file} of run ${stored.runId}: the run has ${known.join(', ')}`);
    const body = await store.getObject(stored.prefix + args.file);
    if (args.output) {
      await writeOutputFile(args.output, body);
      io.stderr(`wrote ${args.file} of run ${stored.runId} to ${args.output}\n`);
    } else if (args.file.endsWith('.gz')) {
      throw new UsageError(`failed to print ${args.file}: it is binary; use --output PATH`);
    } else {
      print(body.toString('utf8'));
    }
    return 0;
  }

  const result = await store.verifyRun(cluster, args.runId);
  if (args.json) {
    io.stdout(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    print(columns(['STATUS', 'OBJECT', 'SHA256 (EXPECTED)', 'DETAIL'], result.objects.map((o) => [
      o.status.toUpperCase(), o.name, o.expectedSha256, o.status === 'ok' ? '' : o.detail ?? (o.status === 'missing' ? 'object not found' : `actual ${o.actualSha256}`),
    ])));
    const bad = result.objects.filter((o) => o.status !== 'ok');
    print(result.ok
      ? `run ${result.runId} of cluster ${cluster}: all ${result.objects.length} objects match their sha256\n`
      : `run ${result.runId} of cluster ${cluster}: VERIFICATION FAILED: ${bad.map((o) => `${o.name} ${o.status}`).join(', ')}\n`);
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
  return [head, ...rows].map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n') + '\n';
}
