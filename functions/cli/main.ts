// The `drift-auditor` command line: parses the subcommand and hands over to functions/cli/commands/.
// Exit codes: 0 nothing reached --fail-on, 1 drift did (or the audit is incomplete), 2 bad usage or
// unreadable input, with a one-line reason on stderr and no stack trace.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { nearest } from '../core/nearest.js';
import { DriftAuditorError, UsageError } from '../core/errors.js';
import { SEVERITIES, type Severity } from '../core/types.js';
import { terminalSafe } from './output.js';

export interface CliIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: NodeJS.ProcessEnv;
  /** True when stderr is a terminal (progress lines are shown only then). */
  isTTY: boolean;
  /** The width of stdout when it is a terminal (tables are cut to fit only then). */
  stdoutColumns?: number;
  /** Writes bytes to stdout unchanged (`--out -` of a binary file); absent, text goes through `stdout`. */
  stdoutBytes?: (b: Buffer) => void;
}

export type Command = (argv: string[], io: CliIO) => Promise<number>;

/** A command's option table, as node:util's parseArgs takes it. */
export type CommandOptions = NonNullable<ParseArgsConfig['options']>;

const COMMANDS: Record<string, () => Promise<Command>> = {
  audit: async () => (await import('./commands/audit.js')).run,
  snapshot: async () => (await import('./commands/snapshot.js')).run,
  reports: async () => (await import('./commands/reports.js')).run,
  notify: async () => (await import('./commands/notify.js')).run,
  'pr-check': async () => (await import('./commands/pr-check.js')).run,
};

export const USAGE = `usage: drift-auditor <command> [options]

commands:
  audit      audit a cluster (dump or live) against GitOps manifests
  snapshot   read a live cluster into a redacted snapshot file
  reports    list, get and verify stored reports
  notify     open, update and close GitHub issues (and PRs) from a report
  pr-check   what a manifest change does to each node's DaemonSets, before it merges

options:
  --version  print the auditor's version
  -h, --help this text

Run 'drift-auditor <command> --help' for a command's options.`;

/** Runs the CLI and returns the process exit code. */
export async function main(argv: string[], io: CliIO = defaultIO()): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(`${USAGE}\n`);
    return name ? 0 : 2;
  }
  if (name === '--version') {
    io.stdout(`${await version()}\n`);
    return 0;
  }
  const load = COMMANDS[name];
  try {
    if (!load) {
      const near = nearest(name, Object.keys(COMMANDS));
      throw new UsageError(`unknown command '${name}'${near ? ` (did you mean '${near}'?)` : ''}\n${USAGE}`);
    }
    const command = await load();
    return await command(rest, io);
  } catch (err) {
    return reportError(err, io);
  }
}

/** Parses a command's arguments strictly; an unknown or malformed option is a UsageError that shows `usage`. */
export function parseCommandLine<T extends ParseArgsConfig>(config: T, usage: string): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (err) {
    const message = (err as Error).message;
    // node:util's "Unknown option '--maniffests'": name the nearest option, as kubectl and git do.
    const unknown = /Unknown option '(--[\w-]+)'/.exec(message)?.[1];
    const near = unknown ? nearest(unknown.slice(2), Object.keys(config.options ?? {})) : null;
    throw new UsageError(`${message}${near ? ` (did you mean '--${near}'?)` : ''}\n${usage}`);
  }
}

/** Throws UsageError unless `value` of option `flag` reads OWNER/REPO (checked before any work, not after the audit). */
export function checkRepoOption(flag: string, value: string): string {
  if (!/^[\w.-]+\/[\w.-]+$/.test(value)) throw new UsageError(`failed to read ${flag}: expected OWNER/REPO, got '${value}'`);
  return value;
}

/** Prints an error as one line (plus its cause) and returns its exit code. */
export function reportError(err: unknown, io: CliIO): number {
  if (err instanceof DriftAuditorError) {
    // The cause's first line only (parsers' messages carry multi-line code frames): the reason stays one line.
    const causeLine = err.cause instanceof Error ? err.cause.message.split('\n')[0]!.trim() : '';
    const cause = causeLine && !err.message.includes(causeLine) ? ` (${causeLine})` : '';
    // Messages quote servers and input files: nothing in them may drive the terminal.
    io.stderr(terminalSafe(`drift-auditor: ${err.message}${cause}\n`));
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  io.stderr(terminalSafe(`drift-auditor: unexpected error: ${message}\n`));
  if (io.env.DRIFT_AUDITOR_DEBUG && err instanceof Error) io.stderr(`${err.stack}\n`);
  return 2;
}

/** Returns the auditor's version from package.json. */
export async function version(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/**
 * Returns a writer to `stream` that stops quietly once its reader has gone (EPIPE, as in `| head -c 100`,
 * or a closed stderr): the rest is dropped, as `cat` would be stopped by SIGPIPE, and the command still
 * finishes (a --store write is not cut short) and exits with its own code. Any other write error goes to
 * `onError` once, never to an unhandled 'error' event and its stack trace.
 */
function quietWriter(stream: NodeJS.WriteStream, onError?: (err: NodeJS.ErrnoException) => void): (s: string | Buffer) => void {
  let gone = false;
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (gone) return;
    gone = true;
    if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') onError?.(err);
  });
  return (s) => {
    if (!gone && !stream.destroyed) stream.write(s);
  };
}

function defaultIO(): CliIO {
  // A stderr that cannot be written leaves nowhere to say so; a stdout that cannot (a full disk behind `> file`) is one line and exit 2.
  const stderr = quietWriter(process.stderr);
  const stdout = quietWriter(process.stdout, (err) => {
    stderr(terminalSafe(`drift-auditor: failed to write to stdout: ${err.code ?? err.message}\n`));
    process.exit(2);
  });
  return {
    stdout,
    stderr,
    stdoutBytes: stdout,
    env: process.env,
    isTTY: Boolean(process.stderr.isTTY),
    ...(process.stdout.isTTY ? { stdoutColumns: process.stdout.columns || 120 } : {}),
  };
}

/**
 * Returns the format -o/--output names (as in kubectl), or --format, which must agree with it; `fallback`
 * when neither is given. With `legacyFileFlag`, a value that is no format but reads as a path (it holds a
 * '/' or a '.') is what older releases took for a file: it comes back as `legacyFile`, with a one-line
 * deprecation note naming `legacyFileFlag` on stderr. Anything else is a UsageError listing the formats.
 */
export function parseOutputFormat<F extends string>(
  values: { output?: string; format?: string },
  formats: readonly F[],
  opts: { fallback?: F; legacyFileFlag?: string; io?: Pick<CliIO, 'stderr'> } = {},
): { format?: F; legacyFile?: string } {
  const { output, format } = values;
  if (output !== undefined && opts.legacyFileFlag && !formats.includes(output as F) && /[/.]/.test(output)) {
    opts.io?.stderr(
      terminalSafe(
        `drift-auditor: -o/--output is the format (${formats.join(', ')}) as in kubectl; '${output}' is taken as a file this once: write ${opts.legacyFileFlag} ${output}\n`,
      ),
    );
    return { ...parseOutputFormat({ format }, formats, { fallback: opts.fallback }), legacyFile: output };
  }
  if (output !== undefined && format !== undefined && output !== format)
    throw new UsageError(`-o/--output '${output}' and --format '${format}' disagree: give one`);
  const chosen = output ?? format;
  if (chosen !== undefined && !formats.includes(chosen as F)) {
    const file = opts.legacyFileFlag ? ` (to write a file: ${opts.legacyFileFlag} FILE)` : '';
    throw new UsageError(`${output !== undefined ? '-o/--output' : '--format'} must be one of ${formats.join(', ')}, not '${chosen}'${file}`);
  }
  return { format: (chosen as F | undefined) ?? opts.fallback };
}

/** Returns --fail-on's severity (or `none`), `fallback` when absent; a UsageError names the allowed values. */
export function parseFailOn(value: string | undefined, fallback: Severity | 'none'): Severity | 'none' {
  const failOn = (value ?? fallback) as Severity | 'none';
  if (failOn !== 'none' && !SEVERITIES.includes(failOn))
    throw new UsageError(`--fail-on must be one of none, ${[...SEVERITIES].reverse().join(', ')}, not '${failOn}'`);
  return failOn;
}

/** Returns --cluster-server, --cluster-label and --argocd-cluster as the audited cluster's Argo CD identity; a UsageError names a malformed one. */
export function parseClusterHints(
  server: string | undefined,
  labels: string[] | undefined,
  argocdCluster?: string,
): { server?: string; labels?: Record<string, string>; argocdCluster?: string } {
  if (argocdCluster !== undefined && !/^[A-Za-z0-9][\w.:/-]*$/.test(argocdCluster))
    throw new UsageError(`--argocd-cluster must name the cluster Argo CD runs in (its destination name), not '${argocdCluster}'`);
  // Values are quoted as JSON: a newline in one must not break the one-line reason.
  const quote = (v: string) => (/^[\x20-\x7e]*$/.test(v) ? `'${v}'` : JSON.stringify(v));
  if (server !== undefined && !/^https?:\/\/[^\s/]+\S*$/.test(server))
    throw new UsageError(`--cluster-server must be the API server's URL as Argo CD names it (https://…), not ${quote(server)}`);
  const out: Record<string, string> = {};
  for (const l of labels ?? []) {
    // A label of the Argo CD cluster Secret: a Kubernetes label value (63 characters of [A-Za-z0-9_.-], alphanumeric at each end), as the API server validates it.
    const m = /^([A-Za-z0-9][\w./-]*)=((?:[A-Za-z0-9](?:[\w.-]{0,61}[A-Za-z0-9])?)?)$/.exec(l);
    if (!m) throw new UsageError(`--cluster-label must be KEY=VALUE with a Kubernetes label value, not ${quote(l)}`);
    out[m[1]!] = m[2]!;
  }
  return { ...(server !== undefined ? { server } : {}), ...(labels?.length ? { labels: out } : {}), ...(argocdCluster !== undefined ? { argocdCluster } : {}) };
}

/** Returns --now as a Date (now when absent); anything but an RFC 3339 time is a UsageError. */
export function parseNow(value: string | undefined): Date {
  if (value === undefined) return new Date();
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value) || Number.isNaN(Date.parse(value))) {
    throw new UsageError(`--now must be an RFC 3339 time such as 2026-11-20T10:00:00Z, not '${value}'`);
  }
  return new Date(value);
}
