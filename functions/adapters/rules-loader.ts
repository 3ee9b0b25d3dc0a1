// Reads the rule catalog from rules/<category>/<name>.yaml (top-level files there are policy, not
// rules). The folder is the repository's rules/, or DRIFT_AUDITOR_RULES_DIR (the Lambda bundle
// copies rules/ next to the handler).
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DriftAuditorError, InputError, PolicyError } from '../core/errors.js';
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
  for (const f of files) {
    const text = await readFile(f, 'utf8');
    rules.push(parseOrExplain(() => parseRuleFile(relative(dir!, f), text), `failed to load rule ${relative(dir!, f)}`));
  }
  return rules.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Runs a pure parser; anything it throws that is not already a project error (a YAML alias bomb, say) becomes a PolicyError naming the file. */
export function parseOrExplain<T>(parse: () => T, what: string): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof DriftAuditorError) throw err;
    const message = (err as Error).message ?? String(err);
    throw new PolicyError(`${what}: ${/alias/i.test(message) ? 'YAML alias bomb: too many alias expansions; refusing to read it' : message}`, { cause: err });
  }
}
