// The rule catalog holds together: every rule file names a check that emits it, every check's rules
// exist, check files are named after their rules, every rule has pass and fail cases, and no check
// emits a rule id it does not declare (run over every rule case and the bundled example).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { readDump } from '../../functions/adapters/dump-reader.js';
import { readManifestFolder } from '../../functions/adapters/manifest-folder.js';
import { buildContext } from '../../functions/core/audit.js';
import type { AuditContext } from '../../functions/core/checks/context.js';
import { CHANGE_DEFAULTS } from '../../functions/core/change/compare.js';
import { CHANGE_PARAMETERS } from '../../functions/core/checks/change-parameters.js';
import { AUDIT_CHECKS, CHECKS, checkNamed } from '../../functions/core/checks/index.js';
import { parsePolicy } from '../../functions/core/policy/parse.js';
import { RULE_IDS } from '../../functions/core/rules.js';
import { EXAMPLE_NOW } from '../../scripts/make-example.js';
import { rulesFromRepo } from '../support/builders.js';
import { caseContext, caseFiles, caseRuleIds } from './cases.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CHECKS_DIR = join(REPO, 'functions/core/checks');
const rules = rulesFromRepo();

/** Check files: functions/core/checks/<category>/<name>.ts (files directly in checks/ are shared helpers). */
function checkFiles(): string[] {
  return readdirSync(CHECKS_DIR)
    .filter((c) => statSync(join(CHECKS_DIR, c)).isDirectory())
    .flatMap((c) =>
      readdirSync(join(CHECKS_DIR, c))
        .filter((f) => f.endsWith('.ts'))
        .map((f) => `${c}/${f.slice(0, -3)}`),
    )
    .sort();
}

describe('the rule catalog', () => {
  it('has exactly the rule ids the code knows (RULE_IDS)', () => {
    expect(rules.map((r) => r.id)).toEqual([...RULE_IDS].sort());
  });

  it.each(rules.map((r) => [r.id, r.check]))('rule %s names a check that emits it (%s)', (id, check) => {
    expect(checkNamed(check ?? '')?.rules).toContain(id);
  });

  it.each(CHECKS.map((c) => [c.name, c.rules]))('check %s emits only rules of the catalog, one of them its namesake (%j)', (name, ids) => {
    expect(ids.filter((id) => !rules.some((r) => r.id === id))).toEqual([]);
    expect(ids).toContain(name);
  });

  it('names each check file after its rule and registers every one', () => {
    expect(CHECKS.map((c) => c.name).sort()).toEqual(checkFiles());
    expect(new Set([...CHECKS, ...AUDIT_CHECKS].map((c) => c.name)).size).toEqual(CHECKS.length + AUDIT_CHECKS.length);
  });

  it.each(RULE_IDS)('rule %s has pass and fail cases in test/rules/', (id) => {
    const files = caseFiles(id);

    expect([files.some((f) => f.startsWith('pass-')), files.some((f) => f.startsWith('fail-'))]).toEqual([true, true]);
  });

  it("gives the change/* parameters pr-check's own defaults", () => {
    expect({ ...CHANGE_PARAMETERS['change/rollout-risk'].parse({}), ...CHANGE_PARAMETERS['change/snapshot-stale'].parse({}) }).toEqual(CHANGE_DEFAULTS);
  });

  it('has no case folder for a rule that does not exist', () => {
    expect(caseRuleIds().filter((id) => !(RULE_IDS as readonly string[]).includes(id))).toEqual([]);
  });
});

describe('checks', () => {
  const contexts: [string, AuditContext][] = [];

  beforeAll(async () => {
    for (const id of caseRuleIds('audit')) for (const f of caseFiles(id)) contexts.push([`${id}/${f}`, await caseContext(id, f)]);
    const snapshot = await readDump([`${REPO}examples/cluster`], { cluster: 'example' });
    const desired = await readManifestFolder(`${REPO}examples/gitops`);
    const policy = parsePolicy(readFileSync(`${REPO}examples/policy.yaml`, 'utf8'), 'examples/policy.yaml', rules);
    contexts.push(['examples/', buildContext(snapshot, desired, policy, new Date(EXAMPLE_NOW))]);
  });

  it.each(CHECKS.map((c) => [c.name, c]))('%s emits only the rule ids it declares, on every case and the example', (_name, check) => {
    const emitted = new Set(contexts.flatMap(([, ctx]) => check.run(ctx).map((f) => f.rule)));

    expect([...emitted].filter((id) => !check.rules.includes(id as (typeof check.rules)[number]))).toEqual([]);
    // Each check fires somewhere, so the assertion above is not vacuous.
    expect(emitted.size).toBeGreaterThan(0);
  });
});
