// The README's usage examples as written (issue 11: "The README's usage examples all run as written"):
// every `drift-auditor …` command in its sh blocks goes through the command's own option table and
// argument checks (they name clusters, buckets and repositories this machine cannot reach), and every
// npm script it names that runs the CLI is run, in-process, from package.json's own command line.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { describe, expect, it } from 'vitest';
import { AUDIT_OPTIONS, parseAuditArgs } from '../../functions/cli/commands/audit.js';
import { EVIDENCE_OPTIONS } from '../../functions/cli/commands/evidence.js';
import { NOTIFY_OPTIONS, parseNotifyArgs } from '../../functions/cli/commands/notify.js';
import { PR_CHECK_OPTIONS, parsePrCheckArgs } from '../../functions/cli/commands/pr-check.js';
import { parseReportsArgs, REPORTS_OPTIONS } from '../../functions/cli/commands/reports.js';
import { SNAPSHOT_OPTIONS } from '../../functions/cli/commands/snapshot.js';
import { main, type CliIO, type CommandOptions } from '../../functions/cli/main.js';

const README = readFileSync('README.md', 'utf8');
const SCRIPTS = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;

interface Example {
  line: string;
  env: Record<string, string>;
  command: string;
  args: string[];
}

/**
 * Returns the drift-auditor commands of the README's sh blocks and of the `run:` steps of its yaml blocks:
 * continuations joined, comments and redirections (`> file`, `>> "$GITHUB_STEP_SUMMARY"`, `| …`) dropped.
 */
function readmeCommands(): Example[] {
  const sh = [...README.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.replace(/\\\n\s*/g, ' ').split('\n'));
  const steps = [...README.matchAll(/```yaml\n([\s\S]*?)```/g)].flatMap((m) => [...m[1]!.matchAll(/^\s*-?\s*run:\s*(.*)$/gm)].map((r) => r[1]!));
  return [...sh, ...steps]
    .map((l) =>
      l
        .replace(/\s+#.*$/, '')
        .split(/\s+(?:>>?|\|)\s+/)[0]!
        .trim(),
    )
    .flatMap((line) => {
      const words = line.split(/\s+/);
      const env = Object.fromEntries(
        words.filter((w, i) => /^[A-Z_]+=/.test(w) && words.slice(0, i).every((p) => /^[A-Z_]+=/.test(p))).map((w) => w.split(/=(.*)/s).slice(0, 2)),
      );
      const rest = words.slice(Object.keys(env).length);
      const at = rest[0] === 'npx' ? 1 : 0;
      if (rest[at] !== 'drift-auditor') return [];
      // `drift-auditor --version` and the like: the top level's own options.
      if (rest[at + 1]?.startsWith('-')) return [{ line, env, command: '', args: rest.slice(at + 1) }];
      const sub = rest[at + 1] === 'reports' && rest[at + 2] === 'evidence' ? 2 : 1;
      return [{ line, env, command: rest.slice(at + 1, at + 1 + sub).join(' '), args: rest.slice(at + 1 + sub) }];
    });
}

const TABLES: Record<string, CommandOptions> = {
  '': { version: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, // main.ts's USAGE
  audit: AUDIT_OPTIONS,
  snapshot: SNAPSHOT_OPTIONS,
  reports: REPORTS_OPTIONS,
  'reports evidence': EVIDENCE_OPTIONS,
  notify: NOTIFY_OPTIONS,
  'pr-check': PR_CHECK_OPTIONS,
};

/** The commands' own argument checks (formats, --fail-on, contradictions), where a command has them apart from its run. */
const CHECKS: Record<string, (args: string[], env: Record<string, string>) => unknown> = {
  audit: (args) => parseAuditArgs(args),
  'pr-check': (args) => parsePrCheckArgs(args),
  reports: (args, env) => parseReportsArgs(args, { env, stderr: () => undefined }),
  notify: (args) => parseNotifyArgs(args),
};

/** What each npm script the README names must exit with, as the README says. */
const SCRIPT_EXITS: Record<string, number> = {
  start: 0, // "npm start prints the table below": the example's drift is planted, so it passes --fail-on none
  'example:argocd': 0,
  'example:pr': 1, // "…and fails because the example policy wants logs from every Linux node"
};

function captureIO(env: NodeJS.ProcessEnv): CliIO & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (s: string) => void out.push(s), stderr: (s: string) => void err.push(s), env, isTTY: false };
}

describe("the README's drift-auditor commands", () => {
  const examples = readmeCommands();

  it('cover every command', () => {
    expect(new Set(examples.map((e) => e.command))).toEqual(new Set(Object.keys(TABLES)));
  });

  it.each(examples.map((e) => [e.line, e]))('%s: passes its option table and argument checks', (_line, example) => {
    const { command, args, env } = example as Example;

    const parse = () => parseArgs({ args, options: TABLES[command], strict: true, allowPositionals: command === 'reports' });
    const check = () => CHECKS[command]?.(args, env);

    expect(parse).not.toThrow();
    expect(check).not.toThrow();
  });
});

describe("the README's npm scripts", () => {
  const named = [...new Set([...README.matchAll(/`?npm (?:start|run ([\w:-]+))/g)].map((m) => m[1] ?? 'start'))];
  const cli = named.filter((n) => SCRIPTS[n]?.includes('node bin/drift-auditor.mjs '));

  it('include every script that runs the CLI', () => {
    expect(cli.sort()).toEqual(Object.keys(SCRIPT_EXITS).sort());
  });

  it.each(cli)(
    'npm run %s exits as the README says',
    async (name) => {
      const [assignments, args] = SCRIPTS[name]!.split('node bin/drift-auditor.mjs ') as [string, string];
      const env = Object.fromEntries(
        assignments
          .trim()
          .split(/\s+/)
          .filter(Boolean)
          .map((w) => w.split(/=(.*)/s).slice(0, 2)),
      );
      const io = captureIO({ ...process.env, ...env });

      const code = await main(args.split(/\s+/), io);

      expect([code, io.err.filter((l) => l.startsWith('drift-auditor: ') && !l.includes('finding(s) at or above'))]).toEqual([SCRIPT_EXITS[name], []]);
    },
    120_000,
  );
});
