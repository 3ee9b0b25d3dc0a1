// What action.yml runs (github-action-main.ts, bundled by scripts/build-action.ts into dist/pr-check/index.mjs):
// turns the action's inputs (INPUT_* variables, as the Actions runner sets them) into a
// `drift-auditor pr-check --github` command line, runs it, and copies the Markdown to the job
// summary. Base and head default to the pull request's two commits, read through the GitHub API.
import { appendFile, readFile } from 'node:fs/promises';
import { InputError, UsageError } from '../core/errors.js';
import { prCheckCommand } from './commands/pr-check.js';
import { reportError, type CliIO } from './main.js';

/** Returns an action input as the runner passes it (`INPUT_<NAME>`, spaces as `_`, upper case), trimmed; '' when unset. */
export function actionInput(env: NodeJS.ProcessEnv, name: string): string {
  return (env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
}

/** Returns the items of a multi-value input, as Actions users write them: one a line or comma-separated, blanks dropped. */
function actionList(value: string): string[] {
  return value
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Returns the pr-check arguments for the action's inputs and the pull request event. */
export async function actionArguments(env: NodeJS.ProcessEnv): Promise<string[]> {
  const input = (name: string) => actionInput(env, name);
  const args: string[] = [];
  const snapshot = input('snapshot');
  const store = input('store');
  if (snapshot) args.push('--snapshot', snapshot);
  if (store) args.push('--store', store);
  if (input('cluster')) args.push('--cluster', input('cluster'));
  // Argo CD's names for the cluster; pr-check validates them, as it does on the command line.
  if (input('cluster-server')) args.push('--cluster-server', input('cluster-server'));
  for (const label of actionList(input('cluster-labels'))) args.push('--cluster-label', label);
  if (input('argocd-cluster')) args.push('--argocd-cluster', input('argocd-cluster'));
  const repository = env.GITHUB_REPOSITORY ?? '';
  const folder = input('path').replace(/^\.?\/*|\/+$/g, '');
  const side = async (name: 'base' | 'head'): Promise<string> => {
    const given = input(name);
    if (given) return given;
    // The pull request's own commits, read through the API: no checkout needed.
    if (!env.GITHUB_EVENT_PATH)
      throw new UsageError(`the '${name}' input is empty and GITHUB_EVENT_PATH is not set: run on a pull_request event or give '${name}'`);
    let event: { pull_request?: Record<string, { sha?: string } | undefined> };
    try {
      event = JSON.parse(await readFile(env.GITHUB_EVENT_PATH, 'utf8')) as typeof event;
    } catch (err) {
      throw new InputError(`failed to read the pull request event ${env.GITHUB_EVENT_PATH}: ${(err as Error).message}`, { cause: err });
    }
    const sha = event.pull_request?.[name]?.sha;
    if (!sha || !repository)
      throw new UsageError(`the '${name}' input is empty and the event has no pull_request.${name}.sha: run on a pull_request event or give '${name}'`);
    return `github:${repository}@${sha}${folder ? `:${folder}` : ''}`;
  };
  args.push('--base', await side('base'), '--head', await side('head'));
  if (input('rules')) args.push('--rules', input('rules'));
  args.push('--fail-on', input('fail-on') || 'critical');
  if (input('s3-endpoint')) args.push('--s3-endpoint', input('s3-endpoint'));
  args.push('-o', 'markdown', '--github');
  return args;
}

/** Runs the action: returns the exit code (0 pass, 1 findings or incomplete, 2 bad input). */
export async function runAction(env: NodeJS.ProcessEnv, io: Omit<CliIO, 'env'>, overrides: Parameters<typeof prCheckCommand>[0] = {}): Promise<number> {
  const token = actionInput(env, 'github-token');
  const runEnv = { ...env, ...(token ? { GITHUB_TOKEN: token } : {}) };
  const out: string[] = [];
  const cli: CliIO = {
    ...io,
    env: runEnv,
    stdout: (s) => {
      out.push(s);
      io.stdout(s);
    },
  };
  let code: number;
  try {
    code = await prCheckCommand(overrides)(await actionArguments(runEnv), cli);
  } catch (err) {
    return reportError(err, cli);
  }
  if (env.GITHUB_STEP_SUMMARY && out.length) await appendFile(env.GITHUB_STEP_SUMMARY, out.join(''));
  return code;
}
