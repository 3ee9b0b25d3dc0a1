// `drift-auditor pr-check`: what a change to the GitOps manifests does to the nodes of a real cluster.
// The command line in, stdout and the exit code out; the run itself is the pipeline's (functions/pipeline/change.ts):
//   1. snapshot — a saved dump or snapshot (--snapshot PATH|s3://BUCKET/KEY), or the latest run of a
//                 cluster in the evidence store (--store S --cluster C)
//   2. base, head — both sides through the audit's desired-state reader (folders or github:…)
//   3. policy   — the rule catalog (rules/, change/*) and the user's policy (--rules FILE)
//   4. compare  — the pure core (functions/core/change)
//   5. outputs  — stdout (-o), and with --github a check run plus one upserted PR comment
import { changeExitCode, renderChangeMarkdown, renderChangeTable } from '../../core/change/index.js';
import { UsageError } from '../../core/errors.js';
import { type Severity } from '../../core/types.js';
import type { PublishOverrides } from '../../pipeline/change.js';
import {
  parseClusterHints,
  parseCommandLine,
  parseFailOn,
  parseNow,
  parseOutputFormat,
  version,
  type CliIO,
  type Command,
  type CommandOptions,
} from '../main.js';
import { terminalSafe, writeOutputFile } from '../output.js';

export const PR_CHECK_USAGE = `usage: drift-auditor pr-check (--snapshot PATH|s3://BUCKET/KEY | --store DIR|s3://BUCKET/PREFIX --cluster NAME)
                             --base DIR|github:OWNER/REPO[@REF][:PATH] --head DIR|github:OWNER/REPO[@REF][:PATH]
                             [--cluster-server URL] [--cluster-label KEY=VALUE…] [--argocd-cluster NAME]
                             [--rules POLICY.yaml] [-o table|markdown|json] [--out FILE]
                             [--fail-on none|info|warning|critical] [--now RFC3339] [--github] [--s3-endpoint URL]

  --snapshot SRC   the cluster's nodes: a kubectl dump or drift-auditor snapshot (file or folder, .gz too),
                   or s3://BUCKET/KEY of one. Repeatable.
  --store S        the evidence store (folder or s3://BUCKET/PREFIX): its latest run's snapshot of --cluster
  --cluster NAME   the cluster (with --store: whose snapshot; else the name shown)
  --cluster-server URL  the cluster's API server URL, as Argo CD Applications name it in destination.server
                   (https://kubernetes.default.svc and in-cluster mean the cluster Argo CD runs in: see --argocd-cluster)
  --cluster-label K=V  a label of the cluster's Argo CD cluster Secret, for ApplicationSet cluster generators'
                   selectors. Repeatable.
  --argocd-cluster NAME  the cluster Argo CD runs in, by its destination name, when it is not this one (hub and
                   spokes): https://kubernetes.default.svc and in-cluster then name that cluster (default: this one)
  --base SRC       the manifests before the change (folder or github:OWNER/REPO@REF:PATH)
  --head SRC       the manifests after the change
  --rules FILE     policy: requiredCoverage makes a lost node critical; waivers, severities, parameters
  -o, --output F   stdout: table (default), markdown (the PR comment) or json (the full check); also --format
  --out FILE       also write the JSON check there
  --fail-on SEV    exit 1 when a finding of SEV or worse remains (default critical)
  --now RFC3339    the check's time (default now): the snapshot's age is measured against it
  --github         publish a check run on the PR's head commit and upsert one PR comment
                   (GITHUB_TOKEN, GITHUB_API_URL, GITHUB_REPOSITORY, GITHUB_EVENT_PATH as in Actions)
  --s3-endpoint URL  S3-compatible endpoint for s3:// snapshots and stores; also AWS_ENDPOINT_URL_S3

Exit codes: 0 ok, 1 a finding at or above --fail-on or an incomplete check, 2 bad usage or unreadable input.`;

/** The options `drift-auditor pr-check` accepts (each one explained in PR_CHECK_USAGE; test/cli/usage.test.ts checks). */
export const PR_CHECK_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  snapshot: { type: 'string', multiple: true },
  store: { type: 'string' },
  cluster: { type: 'string' },
  'cluster-server': { type: 'string' },
  'cluster-label': { type: 'string', multiple: true },
  'argocd-cluster': { type: 'string' },
  base: { type: 'string' },
  head: { type: 'string' },
  rules: { type: 'string' },
  output: { type: 'string', short: 'o' },
  format: { type: 'string' },
  out: { type: 'string' },
  'fail-on': { type: 'string' },
  now: { type: 'string' },
  github: { type: 'boolean' },
  's3-endpoint': { type: 'string' },
} satisfies CommandOptions;

const OUTPUTS = ['table', 'markdown', 'json'] as const;
type Output = (typeof OUTPUTS)[number];

export interface PrCheckArgs {
  help: boolean;
  snapshots: string[];
  store?: string;
  cluster?: string;
  /** --cluster-server, --cluster-label and --argocd-cluster. */
  clusterHints: ReturnType<typeof parseClusterHints>;
  base: string;
  head: string;
  rules?: string;
  output: Output;
  out?: string;
  failOn: Severity | 'none';
  now: Date;
  github: boolean;
  s3Endpoint?: string;
}

/** Settings tests inject (GitHub throttling and retries off); production passes none. */
export interface PrCheckOverrides {
  github?: PublishOverrides;
}

/** Runs `drift-auditor pr-check` and returns the exit code. */
export const run: Command = (argv, io) => runPrCheck(argv, io, {});

/** Returns the pr-check command with overrides for its adapters. */
export function prCheckCommand(overrides: PrCheckOverrides): Command {
  return (argv, io) => runPrCheck(argv, io, overrides);
}

/** Parses and validates the pr-check command line; throws UsageError with a one-line reason. */
export function parsePrCheckArgs(argv: string[]): PrCheckArgs {
  const { values } = parseCommandLine(
    {
      args: argv,
      strict: true,
      allowPositionals: false,
      options: PR_CHECK_OPTIONS,
    },
    PR_CHECK_USAGE,
  );
  const help = Boolean(values.help);
  const snapshots = values.snapshot ?? [];
  if (!help) {
    if (snapshots.length > 0 && values.store)
      throw new UsageError('--snapshot names a snapshot; --store reads the latest one of --cluster: give one or the other');
    if (snapshots.length === 0 && !values.store) throw new UsageError(`--snapshot or --store is required\n${PR_CHECK_USAGE}`);
    if (values.store && !values.cluster) throw new UsageError('--store needs --cluster: whose latest snapshot to read');
    if (!values.base || !values.head) throw new UsageError(`--base and --head are required\n${PR_CHECK_USAGE}`);
  }
  const output = parseOutputFormat(values, OUTPUTS, { fallback: 'table' }).format!;
  if (values.out === '-') throw new UsageError('--out - would print the JSON check beside the -o output: print it with -o json');
  const failOn = parseFailOn(values['fail-on'], 'critical');
  const now = parseNow(values.now);
  return {
    help,
    snapshots,
    store: values.store,
    cluster: values.cluster,
    clusterHints: parseClusterHints(values['cluster-server'], values['cluster-label'], values['argocd-cluster']),
    base: values.base ?? '',
    head: values.head ?? '',
    rules: values.rules,
    output,
    out: values.out,
    failOn,
    now,
    github: Boolean(values.github),
    s3Endpoint: values['s3-endpoint'],
  };
}

async function runPrCheck(argv: string[], io: CliIO, overrides: PrCheckOverrides): Promise<number> {
  const args = parsePrCheckArgs(argv);
  if (args.help) {
    io.stdout(`${PR_CHECK_USAGE}\n`);
    return 0;
  }
  const auditorVersion = await version();
  (await import('../../pipeline/inputs.js')).checkRenderSettings(io.env);
  const { publishChangeCheck, runChangeCheck } = await import('../../pipeline/change.js');
  const s3 = { env: io.env, ...(args.s3Endpoint ? { endpoint: args.s3Endpoint } : {}) };
  const report = await runChangeCheck({
    snapshot: args.store
      ? { kind: 'stored', store: args.store, cluster: args.cluster!, s3 }
      : { kind: 'dump', paths: args.snapshots, cluster: args.cluster, s3 },
    base: args.base,
    head: args.head,
    policy: { rulesDir: io.env.DRIFT_AUDITOR_RULES_DIR, file: args.rules },
    at: args.now,
    auditorVersion,
    env: io.env,
    cluster: args.clusterHints,
    onStoredSnapshot: (runId) => io.stderr(terminalSafe(`pr-check: snapshot of ${args.cluster} from run ${runId}\n`)),
  });

  const json = `${JSON.stringify(report, null, 2)}\n`;
  if (args.output === 'json') io.stdout(json);
  else if (args.output === 'markdown') io.stdout(terminalSafe(renderChangeMarkdown(report)));
  else io.stdout(renderChangeTable(report, { terminalColumns: io.stdoutColumns }));
  if (args.out) await writeOutputFile(args.out, json);

  const { code, reason } = changeExitCode(report, args.failOn);
  if (reason) io.stderr(terminalSafe(`drift-auditor: ${reason}\n`));
  if (args.github) {
    const result = await publishChangeCheck(report, code === 0, io.env, overrides.github);
    io.stderr(
      `pr-check: check run ${result.checkRun.id} on ${result.pr.owner}/${result.pr.repo}@${result.pr.headSha.slice(0, 12)} (${result.checkRun.requests} request(s)); comment ${result.comment ?? 'unchanged'} on #${result.pr.number}\n`,
    );
  }
  return code;
}
