// Reads the policy file (`--rules FILE`), or the default policy shipped in rules/default-policy.yaml,
// and validates it against the rule catalog with the pure parser (functions/core/policy/parse.ts).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PolicyError } from '../core/errors.js';
import { parsePolicy } from '../core/policy/parse.js';
import type { Policy, RuleDefinition } from '../core/types.js';
import { defaultRulesDir, parseOrExplain } from './rules-loader.js';

/** Returns the path of the default policy: `default-policy.yaml` in the rules folder (DRIFT_AUDITOR_RULES_DIR, else the repository's rules/). */
export function defaultPolicyFile(env: NodeJS.ProcessEnv = process.env, rulesDir: string = defaultRulesDir(env)): string {
  return join(rulesDir, 'default-policy.yaml');
}

export interface LoadPolicyOptions {
  /** Folder holding default-policy.yaml (a Lambda bundle's rules/); default: DRIFT_AUDITOR_RULES_DIR, else the repository's rules/. */
  rulesDir?: string;
  env?: NodeJS.ProcessEnv;
}

/** Returns the validated policy in `file` (default: the shipped default policy); throws PolicyError naming file, line and field. */
export async function loadPolicy(file: string | undefined, catalog: RuleDefinition[], opts: LoadPolicyOptions = {}): Promise<Policy> {
  const path = file ?? defaultPolicyFile(opts.env ?? process.env, opts.rulesDir);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new PolicyError(`failed to read policy ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`, {
      cause: err,
    });
  }
  if (!text.trim()) throw new PolicyError(`failed to load policy ${path}: the file is empty`);
  return parseOrExplain(() => parsePolicy(text, path, catalog), `failed to load policy ${path}`);
}
