// `drift-auditor notify`: read a stored report (file or s3://) and bring GitHub in line with it:
// one issue per drifting DaemonSet (created, edited, closed, reopened in place) and PRs where the
// policy says Git follows the cluster. `--dry-run` prints the plan and writes nothing.
import { UsageError } from '../../core/errors.js';
import { SEVERITIES, type Severity } from '../../core/types.js';
import type { NotifyOptions } from '../../pipeline/notify.js';
import { type CliIO, type Command, parseCommandLine, checkRepoOption, type CommandOptions } from '../main.js';
import { terminalSafe } from '../output.js';

export const NOTIFY_USAGE = `usage: drift-auditor notify --report PATH|s3://BUCKET/KEY --repo OWNER/REPO
                           [--min-severity critical|warning|info] [--label L…] [--max-writes N]
                           [--dry-run | --plan-only] [--manifests-repo OWNER/REPO@REF] [--report-url URL]
                           [--no-pulls] [--lock-store DIR|s3://BUCKET/PREFIX] [--s3-endpoint URL]

  --report SRC          the report.json of an audit: a file or s3://BUCKET/KEY (AWS_REGION, AWS_ENDPOINT_URL_S3)
  --repo OWNER/REPO     repository for the issues (GITHUB_TOKEN, or GITHUB_APP_ID + GITHUB_APP_PRIVATE_KEY;
                        GITHUB_API_URL for GitHub Enterprise)
  --min-severity SEV    open issues for findings at or above SEV (default warning)
  --label L             extra label on every issue (repeatable)
  --max-writes N        stop after N write calls and say what was not done (default 50)
  --dry-run             print the planned actions; make no write call (reads GitHub's issues)
  --plan-only           print the issues a first run would open (titles, labels, bodies) with no
                        network at all, as if the repository had no drift issue yet (--repo optional)
  --lock-store SPEC     serialise notify runs per repository and cluster with a lock object in this
                        store (the evidence store: a folder or s3://BUCKET/PREFIX); runs wait for it
  --s3-endpoint URL     S3-compatible endpoint for --lock-store (or AWS_ENDPOINT_URL_S3)
  --manifests-repo R    OWNER/REPO@REF for PRs where Git follows the cluster (default: the report's
                        GitHub source); PRs target REF
  --report-url URL      link to the full report in issue bodies (default: the --report location)
  --no-pulls            issues only

Exit codes: 0 done, 1 the write cap stopped the run, an action failed, duplicates were found (and
healed) or the report is incomplete, 2 bad usage, unreadable input or GitHub unreachable.`;

/** The options `drift-auditor notify` accepts (each one explained in NOTIFY_USAGE; test/cli/usage.test.ts checks). */
export const NOTIFY_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  report: { type: 'string' },
  repo: { type: 'string' },
  'min-severity': { type: 'string' },
  label: { type: 'string', multiple: true },
  'max-writes': { type: 'string' },
  'dry-run': { type: 'boolean' },
  'plan-only': { type: 'boolean' },
  'lock-store': { type: 'string' },
  's3-endpoint': { type: 'string' },
  'manifests-repo': { type: 'string' },
  'report-url': { type: 'string' },
  'no-pulls': { type: 'boolean' },
} satisfies CommandOptions;

interface NotifyArgs {
  help: boolean;
  report: string;
  repo: string;
  minSeverity: Severity;
  labels: string[];
  maxWrites: number;
  dryRun: boolean;
  planOnly: boolean;
  lockStore?: string;
  s3Endpoint?: string;
  manifestsRepo?: string;
  reportUrl?: string;
  pulls: boolean;
}

/** Parses and validates the notify command line; throws UsageError with a one-line reason. */
export function parseNotifyArgs(argv: string[]): NotifyArgs {
  const { values } = parseCommandLine(
    {
      args: argv,
      strict: true,
      allowPositionals: false,
      options: NOTIFY_OPTIONS,
    },
    NOTIFY_USAGE,
  );
  const help = Boolean(values.help);
  if (!help && !values.report) throw new UsageError(`--report is required\n${NOTIFY_USAGE}`);
  const planOnly = Boolean(values['plan-only']);
  if (!help && planOnly && (values['dry-run'] || values['lock-store']))
    throw new UsageError(`--plan-only makes no request at all: it takes no ${values['dry-run'] ? '--dry-run' : '--lock-store'}`);
  if (!help && !values.repo && !planOnly) throw new UsageError(`--repo is required\n${NOTIFY_USAGE}`);
  if (!help && values.repo !== undefined) checkRepoOption('--repo', values.repo);
  const minSeverity = (values['min-severity'] ?? 'warning') as Severity;
  if (!SEVERITIES.includes(minSeverity)) throw new UsageError(`--min-severity must be one of ${SEVERITIES.join(', ')}, not '${values['min-severity']}'`);
  const maxWrites = Number(values['max-writes'] ?? 50);
  if (!Number.isInteger(maxWrites) || maxWrites < 0) throw new UsageError(`--max-writes must be a whole number ≥ 0, not '${values['max-writes']}'`);
  for (const l of values.label ?? []) {
    if (l.length === 0 || l.length > 50) throw new UsageError(`--label must be 1 to 50 characters, not '${l}'`);
  }
  return {
    help,
    report: values.report ?? '',
    repo: values.repo ?? '',
    minSeverity,
    labels: values.label ?? [],
    maxWrites,
    dryRun: Boolean(values['dry-run']),
    planOnly,
    lockStore: values['lock-store'],
    s3Endpoint: values['s3-endpoint'],
    manifestsRepo: values['manifests-repo'],
    reportUrl: values['report-url'],
    pulls: !values['no-pulls'],
  };
}

/** Returns the notify command; `overrides` reach `notify()` (tests pass `{ throttle: false }`). */
export function notifyCommand(overrides: Partial<NotifyOptions> = {}): Command {
  return async (argv: string[], io: CliIO): Promise<number> => {
    const args = parseNotifyArgs(argv);
    if (args.help) {
      io.stdout(`${NOTIFY_USAGE}\n`);
      return 0;
    }
    const { readReport } = await import('../../pipeline/store.js');
    const { notifyGitHub: notify, planOffline } = await import('../../pipeline/notify.js');
    const report = await readReport(args.report, io.env);
    if (args.planOnly) {
      io.stdout(terminalSafe(planOffline(report, { minSeverity: args.minSeverity, labels: args.labels, reportUrl: args.reportUrl ?? args.report })));
      return report.complete ? 0 : 1;
    }
    const log = args.dryRun ? (s: string) => io.stdout(`${s}\n`) : (s: string) => io.stderr(`${s}\n`);
    const lock = args.lockStore
      ? (await import('../../pipeline/store.js')).openRunStore(args.lockStore, { endpoint: args.s3Endpoint, env: io.env })
      : undefined;
    const result = await notify(report, {
      repo: args.repo,
      minSeverity: args.minSeverity,
      labels: args.labels,
      maxWrites: args.maxWrites,
      dryRun: args.dryRun,
      manifestsRepo: args.manifestsRepo,
      reportUrl: args.reportUrl ?? args.report,
      pulls: args.pulls,
      env: io.env,
      log,
      lock,
      ...overrides,
    });
    io.stderr(`notify: ${result.summary}\n`);
    for (const line of result.notDone) io.stderr(`drift-auditor: not done: ${line}\n`);
    if (!report.complete) {
      io.stderr('drift-auditor: the report is INCOMPLETE: no issue was closed and nothing was reported resolved\n');
      return 1;
    }
    return result.complete ? 0 : 1;
  };
}

/** Runs `drift-auditor notify` and returns the exit code. */
export const run: Command = notifyCommand();
