// `drift-auditor audit`: one run, top to bottom.
//   1. snapshot   — a saved dump (--snapshot) or the live cluster (--kubeconfig/--context)
//   2. desired    — the GitOps manifests (--manifests DIR | github:OWNER/REPO[@REF][:PATH])
//   3. policy     — the rule catalog (rules/) and the user's policy (--rules FILE)
//   4. audit      — the pure core
//   5. outputs    — stdout (--format), files (--out), a store (--store), GitHub (--notify-repo)
import path from 'node:path';
import { UsageError } from '../../core/errors.js';
import { SEVERITIES, type Report, type Severity, type Snapshot } from '../../core/types.js';
import {
  checkRepoOption,
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
import { ensureOutputDir, terminalSafe, writeOutputFile } from '../output.js';
import { describeGaps } from '../../core/findings.js';
import type { NotifyOptions } from '../../pipeline/notify.js';
import type { AuditRun } from '../../pipeline/run.js';

export const AUDIT_USAGE = `usage: drift-auditor audit (--snapshot PATH… | [--kubeconfig FILE] [--context NAME] [-n NS… | -A])
                          (--manifests DIR|github:OWNER/REPO[@REF][:PATH] | --live-only)
                          [--rules POLICY.yaml] [--cluster NAME] [--now RFC3339]
                          [--cluster-server URL] [--cluster-label KEY=VALUE…] [--argocd-cluster NAME]
                          [-o|--output table|markdown|json|asff|openmetrics] [--out DIR] [--fail-on none|info|warning|critical]
                          [--store DIR|s3://BUCKET/PREFIX] [--s3-endpoint URL] [--save-snapshot FILE]
                          [--notify-repo OWNER/REPO] [--notify-dry-run]

  --snapshot PATH     kubectl 'get nodes,daemonsets,pods,controllerrevisions -A -o json' output or a
                      drift-auditor snapshot (file or folder; JSON or YAML; .gz too). Repeatable.
  --kubeconfig FILE   read the live cluster (default: $KUBECONFIG, ~/.kube/config, or in-cluster)
  --context NAME      kubeconfig context (default: current-context)
  -n, --namespace NS  restrict DaemonSets and pods to these namespaces. Repeatable.
  -A, --all-namespaces  read every namespace (the default; as kubectl spells it)
  --manifests SRC     the GitOps desired state: a folder, or github:OWNER/REPO[@REF][:PATH]
                      (GITHUB_TOKEN, GITHUB_API_URL as in GitHub Actions)
  --live-only         no Git: audit coverage against the live DaemonSets' own specs (no spec, image or
                      resource comparison with Git); the report says so. One of --manifests/--live-only is required
  --rules FILE        policy: required coverage, waivers, severity overrides (default rules/default-policy.yaml)
  --cluster NAME      cluster name in the report (default: from the snapshot, else 'unknown')
  --cluster-server URL  the cluster's API server URL, as Argo CD Applications name it in destination.server
                      (https://kubernetes.default.svc and in-cluster mean the cluster Argo CD runs in: see --argocd-cluster)
  --cluster-label K=V a label of the cluster's Argo CD cluster Secret, for ApplicationSet cluster generators'
                      selectors. Repeatable.
  --argocd-cluster NAME  the cluster Argo CD runs in, by its destination name, when it is not this one (hub and
                      spokes): https://kubernetes.default.svc and in-cluster then name that cluster (default: this one)
  --now RFC3339       audit time (default: now); fixes ages and waiver expiry for reproducible runs
  -o, --output F      (also --format) stdout: table (default on a terminal), markdown or json (only the report on stdout),
                      asff (Security Hub findings; DRIFT_AUDITOR_AWS_ACCOUNT_ID, AWS_REGION, optional
                      DRIFT_AUDITOR_EKS_CLUSTER_ARN; with --store, findings gone since the last run are RESOLVED)
                      or openmetrics (node-exporter textfile collector, Pushgateway)
  --out DIR           write report.json, report.md, report.html and findings.csv there
  --fail-on SEV       exit 1 when a finding of SEV or worse remains (default critical; none: only an
                      incomplete audit fails)
  --store SPEC        keep the run as evidence: a folder or s3://BUCKET/PREFIX (never overwrites)
  --s3-endpoint URL   S3-compatible endpoint for --store (MinIO, on-prem); also AWS_ENDPOINT_URL_S3
  --save-snapshot FILE  with a live read, also write the redacted snapshot there (as 'snapshot --out
                      FILE' does: gzipped only when FILE ends in .gz); 'audit --snapshot FILE' reads it
  --notify-repo R     open/update/close GitHub issues in OWNER/REPO after the audit
                      (GITHUB_TOKEN, or GITHUB_APP_ID + GITHUB_APP_PRIVATE_KEY)
  --notify-dry-run    with --notify-repo: log on stderr what would be opened, updated and closed; write nothing

Exit codes: 0 ok, 1 drift at or above --fail-on or an incomplete audit, 2 bad usage or unreadable input.`;

/** The options `drift-auditor audit` accepts (each one explained in AUDIT_USAGE; test/cli/usage.test.ts checks). */
export const AUDIT_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  snapshot: { type: 'string', multiple: true },
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  namespace: { type: 'string', multiple: true, short: 'n' },
  'all-namespaces': { type: 'boolean', short: 'A' },
  manifests: { type: 'string' },
  'live-only': { type: 'boolean' },
  rules: { type: 'string' },
  cluster: { type: 'string' },
  'cluster-server': { type: 'string' },
  'cluster-label': { type: 'string', multiple: true },
  'argocd-cluster': { type: 'string' },
  now: { type: 'string' },
  format: { type: 'string' },
  output: { type: 'string', short: 'o' },
  out: { type: 'string' },
  'fail-on': { type: 'string' },
  store: { type: 'string' },
  's3-endpoint': { type: 'string' },
  'save-snapshot': { type: 'string' },
  'notify-repo': { type: 'string' },
  'notify-dry-run': { type: 'boolean' },
} satisfies CommandOptions;

const FORMATS = ['table', 'markdown', 'json', 'asff', 'openmetrics'] as const;
type Format = (typeof FORMATS)[number];

/** Settings tests inject (GitHub throttling off); production passes none. */
export interface AuditOverrides {
  notify?: Partial<NotifyOptions>;
}

/** Runs `drift-auditor audit` and returns the exit code. */
export const run: Command = (argv, io) => runAudit(argv, io, {});

/** Returns the audit command with overrides for its adapters. */
export function auditCommand(overrides: AuditOverrides): Command {
  return (argv, io) => runAudit(argv, io, overrides);
}

async function runAudit(argv: string[], io: CliIO, overrides: AuditOverrides): Promise<number> {
  const args = parseAuditArgs(argv);
  if (args.help) {
    io.stdout(`${AUDIT_USAGE}\n`);
    return 0;
  }
  const auditorVersion = await version();
  // An unusable --out is found before the (possibly long) read, not after it.
  if (args.out) await ensureOutputDir(args.out);
  const { checkRenderSettings, readDesired, readPolicy, readSnapshot } = await import('../../pipeline/inputs.js');
  if (!args.liveOnly) checkRenderSettings(io.env);

  // 1-3. What runs, what Git wants, what the user requires.
  const snapshot =
    args.snapshots.length > 0 ? await readSnapshot({ kind: 'dump', paths: args.snapshots, cluster: args.cluster }) : await readLive(args, io, auditorVersion);
  const desired = await readDesired(args.liveOnly ? { kind: 'none' } : { kind: 'manifests', spec: args.manifests }, {
    env: io.env,
    snapshot,
    cluster: args.clusterHints,
  });
  const { policy, policySource } = await readPolicy({ rulesDir: io.env.DRIFT_AUDITOR_RULES_DIR, file: args.rules });

  // 4. The audit. With a store, the evidence is the redacted snapshot, and the report names its sha256 (a
  // dump's own file hashes stay in inputs.snapshot.files), so anyone can fetch it, re-run the audit and compare.
  const { runAudit } = await import('../../pipeline/run.js');
  const run = runAudit({ snapshot, desired, policy, policySource, at: args.now, auditorVersion }, args.store ? 'redacted' : 'none');
  const { report } = run;
  for (const w of report.warnings ?? []) io.stderr(terminalSafe(`drift-auditor: warning: ${w.message}\n`));

  // 5. Outputs.
  const notified = await writeOutputs(run, args, io, overrides);
  const code = exitCode(report, args.failOn, io);
  if (notified === false) {
    io.stderr('drift-auditor: GitHub was not fully brought in line with the report (see notify above)\n');
    return Math.max(code, 1);
  }
  return code;
}

interface AuditArgs {
  help: boolean;
  snapshots: string[];
  kubeconfig?: string;
  context?: string;
  namespaces: string[];
  manifests: string;
  liveOnly: boolean;
  rules?: string;
  cluster?: string;
  /** --cluster-server, --cluster-label and --argocd-cluster. */
  clusterHints: ReturnType<typeof parseClusterHints>;
  now: Date;
  format: Format;
  out?: string;
  failOn: Severity | 'none';
  store?: string;
  s3Endpoint?: string;
  saveSnapshot?: string;
  notifyRepo?: string;
  notifyDryRun: boolean;
}

/** Parses and validates the audit command line; throws UsageError with a one-line reason. */
export function parseAuditArgs(argv: string[]): AuditArgs {
  const { values } = parseCommandLine(
    {
      args: argv,
      strict: true,
      allowPositionals: false,
      options: AUDIT_OPTIONS,
    },
    AUDIT_USAGE,
  );
  const help = Boolean(values.help);
  const snapshots = values.snapshot ?? [];
  if (!help && snapshots.length > 0 && (values.kubeconfig || values.context)) {
    throw new UsageError('--snapshot reads a saved dump; --kubeconfig/--context read a live cluster: give one or the other');
  }
  if (!help && snapshots.length > 0 && (values.namespace?.length || values['save-snapshot'])) {
    // Silently ignoring them would audit another scope than asked, or leave no snapshot where one was expected.
    throw new UsageError(
      `${values.namespace?.length ? '--namespace' : '--save-snapshot'} applies to a live read, not to --snapshot (scope a dump with the policy's namespaces)`,
    );
  }
  if (!help && values['all-namespaces'] && values.namespace?.length)
    throw new UsageError('-A/--all-namespaces and -n/--namespace contradict each other: give one');
  if (!help && values.manifests && values['live-only'])
    throw new UsageError('--manifests and --live-only contradict each other: audit against Git, or say --live-only');
  // Auditing without Git must be a choice the user states: a forgotten --manifests is not a live-only audit.
  if (!help && !values.manifests && !values['live-only']) throw new UsageError(`--manifests DIR|github:… or --live-only is required\n${AUDIT_USAGE}`);
  if (!help && values['notify-repo'] !== undefined) checkRepoOption('--notify-repo', values['notify-repo']);
  if (!help && values['notify-dry-run'] && values['notify-repo'] === undefined)
    throw new UsageError('--notify-dry-run needs --notify-repo OWNER/REPO: the repository whose issues it plans');
  if (values['save-snapshot'] === '-')
    throw new UsageError('--save-snapshot names a file (stdout carries the report): print a snapshot with drift-auditor snapshot -o json|yaml');
  if (values.out === '-')
    throw new UsageError('--out names the folder for report.json, report.md, report.html and findings.csv, not stdout: print with -o json|markdown');
  const format = parseOutputFormat(values, FORMATS, { fallback: 'table' }).format!;
  const failOn = parseFailOn(values['fail-on'], 'critical');
  const now = parseNow(values.now);
  return {
    help,
    snapshots,
    kubeconfig: values.kubeconfig,
    context: values.context,
    namespaces: values.namespace ?? [],
    manifests: values.manifests ?? '',
    liveOnly: Boolean(values['live-only']),
    rules: values.rules,
    cluster: values.cluster,
    clusterHints: parseClusterHints(values['cluster-server'], values['cluster-label'], values['argocd-cluster']),
    now,
    format,
    out: values.out,
    failOn,
    store: values.store,
    s3Endpoint: values['s3-endpoint'],
    saveSnapshot: values['save-snapshot'],
    notifyRepo: values['notify-repo'],
    notifyDryRun: Boolean(values['notify-dry-run']),
  };
}

async function readLive(args: AuditArgs, io: CliIO, auditorVersion: string): Promise<Snapshot> {
  const live = await import('../../pipeline/live.js');
  if (args.saveSnapshot) await live.checkSnapshotTarget(args.saveSnapshot);
  const snapshot = await live.readLiveSnapshot({
    kubeconfig: args.kubeconfig,
    context: args.context,
    namespaces: args.namespaces.length > 0 ? args.namespaces : undefined,
    cluster: args.cluster,
    auditorVersion,
    env: io.env,
    onProgress: io.isTTY ? live.progressPrinter((s) => io.stderr(s)) : undefined,
  });
  if (args.saveSnapshot) await live.saveSnapshot(snapshot, args.saveSnapshot);
  return snapshot;
}

/** Writes every output; returns whether notify completed (undefined when not asked to notify). */
async function writeOutputs(run: AuditRun, args: AuditArgs, io: CliIO, overrides: AuditOverrides): Promise<boolean | undefined> {
  const { report } = run;
  const { renderArtifacts, reportJson } = await import('../../pipeline/artifacts.js');
  // With a store, the HTML report carries the trend of the earlier runs of this cluster.
  const pipelineStore = args.store ? await import('../../pipeline/store.js') : undefined;
  const store = pipelineStore?.openRunStore(args.store!, { endpoint: args.s3Endpoint, env: io.env });

  if (args.format === 'asff') {
    const { asffOptionsFromEnv } = await import('../../adapters/security-hub.js');
    const target = asffOptionsFromEnv(io.env);
    // The store's previous run of this cluster: its findings that are gone become RESOLVED.
    const [last] = store ? await store.listRuns(report.cluster, { limit: 1 }) : [];
    const previous = last && store ? (await store.getRun(report.cluster, last.runId)).report : null;
    io.stdout(`${JSON.stringify((await import('../../core/render/asff.js')).renderAsff(report, { ...target, previous }), null, 2)}\n`);
  } else if (args.format === 'openmetrics') io.stdout((await import('../../core/render/openmetrics.js')).renderOpenMetrics(report));
  else if (args.format === 'json') io.stdout(reportJson(report));
  else if (args.format === 'markdown') io.stdout(terminalSafe((await import('../../core/render/markdown.js')).renderMarkdown(report)));
  else io.stdout((await import('../../core/render/table.js')).renderTable(report, { terminalColumns: io.stdoutColumns }));

  const artifacts = store ? await pipelineStore!.renderStoredArtifacts(store, report) : args.out ? renderArtifacts(report) : undefined;
  if (args.out && artifacts) {
    await ensureOutputDir(args.out);
    for (const [name, { body }] of Object.entries(artifacts)) await writeOutputFile(path.join(args.out, name), body);
    io.stderr(`wrote ${Object.keys(artifacts).join(', ')} to ${args.out}\n`);
  }

  let reportUrl: string | undefined;
  if (store) {
    const stored = await pipelineStore!.storeRun(store, run, artifacts);
    reportUrl = stored.reportUrl;
    io.stderr(`stored run ${stored.runId} in ${stored.location}\n`);
  }

  if (args.notifyRepo) {
    const { notifyGitHub } = await import('../../pipeline/notify.js');
    const result = await notifyGitHub(report, {
      repo: args.notifyRepo,
      dryRun: args.notifyDryRun,
      reportUrl,
      env: io.env,
      lock: store,
      log: (s: string) =>
        io.stderr(`${s}
`),
      ...overrides.notify,
    });
    io.stderr(`notify: ${result.summary}\n`);
    return result.complete;
  }
  return undefined;
}

function exitCode(report: Report, failOn: Severity | 'none', io: CliIO): number {
  if (!report.complete) {
    io.stderr(terminalSafe(`drift-auditor: the audit is INCOMPLETE, so it cannot say there is no drift: ${describeGaps(report.gaps)}\n`));
    return 1;
  }
  if (failOn === 'none') return 0;
  const worst = SEVERITIES.indexOf(failOn);
  const failing = report.findings.filter((f) => SEVERITIES.indexOf(f.severity) <= worst).length;
  if (failing > 0) {
    io.stderr(`drift-auditor: ${failing} finding(s) at or above ${failOn}\n`);
    return 1;
  }
  return 0;
}
