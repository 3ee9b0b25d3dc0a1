// Reads the rule catalog from rules/<category>/<name>.yaml (top-level files there are policy, not
// rules). The folder is the repository's rules/, or DRIFT_AUDITOR_RULES_DIR (the Lambda bundle
// copies rules/ next to the handler).
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../core/errors.js';
import { parseRuleFile } from '../core/rules.js';
import type { RuleDefinition } from '../core/types.js';

/** Returns the rules folder: `DRIFT_AUDITOR_RULES_DIR` when set, else the repository's rules/. */
export function defaultRulesDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.DRIFT_AUDITOR_RULES_DIR || fileURLToPath(new URL('../../rules/', import.meta.url));
}

/** Returns every rule under `dir` (sorted by id); throws PolicyError on a bad file, InputError on an unreadable folder. */
export async function loadRules(dir?: string): Promise<RuleDefinition[]> {
  dir ||= defaultRulesDir();
  const files: string[] = [];
  const walk = async (d: string, depth: number): Promise<void> => {
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch (err) {
      throw new InputError(`failed to read rules folder ${d}: ${(err as Error).message}`, { cause: err });
    }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p, depth + 1);
      else if (depth > 0 && /\.ya?ml$/.test(e.name)) files.push(p);
    }
  };
  await walk(dir, 0);
  const rules: RuleDefinition[] = [];
  for (const f of files) rules.push(parseRuleFile(relative(dir, f), await readFile(f, 'utf8')));
  return rules.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
