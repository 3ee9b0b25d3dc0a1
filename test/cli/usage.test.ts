// Every command's usage text against its option table: each flag in a usage line is explained below it,
// and each option the parser accepts is named in the usage (issue 11: "every option in a usage line must
// be explained"). `--help` is the one exception: the top-level usage documents it for every command.
import { describe, expect, it } from 'vitest';
import { AUDIT_OPTIONS, AUDIT_USAGE } from '../../functions/cli/commands/audit.js';
import { EVIDENCE_OPTIONS, EVIDENCE_USAGE } from '../../functions/cli/commands/evidence.js';
import { NOTIFY_OPTIONS, NOTIFY_USAGE } from '../../functions/cli/commands/notify.js';
import { PR_CHECK_OPTIONS, PR_CHECK_USAGE } from '../../functions/cli/commands/pr-check.js';
import { REPORTS_OPTIONS, REPORTS_USAGE } from '../../functions/cli/commands/reports.js';
import { SNAPSHOT_OPTIONS, SNAPSHOT_USAGE } from '../../functions/cli/commands/snapshot.js';
import { main, USAGE, type CliIO, type CommandOptions } from '../../functions/cli/main.js';

const COMMANDS: [string, string, CommandOptions][] = [
  ['audit', AUDIT_USAGE, AUDIT_OPTIONS],
  ['snapshot', SNAPSHOT_USAGE, SNAPSHOT_OPTIONS],
  ['reports', REPORTS_USAGE, REPORTS_OPTIONS],
  ['reports evidence', EVIDENCE_USAGE, EVIDENCE_OPTIONS],
  ['notify', NOTIFY_USAGE, NOTIFY_OPTIONS],
  ['pr-check', PR_CHECK_USAGE, PR_CHECK_OPTIONS],
];

const FLAG = /(?<![\w-])(--[a-z][\w-]*|-[a-zA-Z])(?![\w-])/g;

/** Returns the flags named in the usage lines: the synopsis, up to the first blank line. */
function usageLineFlags(usage: string): string[] {
  const synopsis = usage.split('\n\n')[0]!;
  return [...new Set([...synopsis.matchAll(FLAG)].map((m) => m[1]!))];
}

/** Returns the flags that open an explanation line ("  -o, --output F   what it does"). */
function explainedFlags(usage: string): string[] {
  const body = usage.split('\n\n').slice(1).join('\n\n');
  return body.split('\n').flatMap((line) => {
    const head = /^ {2,}((?:--?[\w-]+)(?:, --?[\w-]+)*)(?: |$)/.exec(line)?.[1];
    return head ? head.split(', ') : [];
  });
}

function captureIO(): CliIO & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (s: string) => void out.push(s), stderr: (s: string) => void err.push(s), env: {}, isTTY: false };
}

describe('usage texts', () => {
  it.each(COMMANDS)('explain every flag of the usage lines of %s', (_name, usage) => {
    const flags = usageLineFlags(usage);

    const unexplained = flags.filter((f) => !explainedFlags(usage).includes(f));

    expect(flags.length).toBeGreaterThan(2);
    expect(unexplained).toEqual([]);
  });

  it.each(COMMANDS)('name every option the parser of %s accepts', (_name, usage, options) => {
    const named = new Set([...usage.matchAll(FLAG)].map((m) => m[1]!));

    const missing = Object.entries(options)
      .filter(([long]) => long !== 'help')
      .flatMap(([long, o]) => [`--${long}`, ...(o.short ? [`-${o.short}`] : [])])
      .filter((f) => !named.has(f));

    expect(missing).toEqual([]);
  });

  it.each(COMMANDS)('print the usage of %s with --help, exit 0', async (name, usage) => {
    const io = captureIO();

    const code = await main([...name.split(' '), '--help'], io);

    expect([code, io.out.join('')]).toEqual([0, `${usage}\n`]);
  });

  it('lists --version, -h and --help at the top level, each explained', () => {
    const explained = explainedFlags(USAGE);

    expect(['--version', '-h', '--help'].filter((f) => !explained.includes(f))).toEqual([]);
  });
});
