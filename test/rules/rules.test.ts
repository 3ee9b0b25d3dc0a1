// One runner for every rule's pass/fail cases (format: ./cases.ts). A pass case must yield no finding
// of that rule, a fail case exactly the findings listed under `expect`.
import { describe, expect, it } from 'vitest';
import { audit } from '../../functions/core/audit.js';
import { caseFiles, caseInputs, caseRuleIds, readCase } from './cases.js';

// change/* rules compare two sides of a pull request; their cases have their own runner (change/change-cases.test.ts).
describe.each(caseRuleIds('audit'))('rule %s', (rule) => {
  const files = caseFiles(rule);

  it('has at least one pass and one fail case', () => {
    expect([files.some((f) => f.startsWith('pass-')), files.some((f) => f.startsWith('fail-'))]).toEqual([true, true]);
  });

  it.each(files)('%s', async (file) => {
    const c = readCase(rule, file);
    const { snapshot, desired, policy, at } = await caseInputs(rule, file, c);

    const found = audit(snapshot, desired, policy, at)
      .findings.filter((f) => f.rule === rule)
      .map((f) => ({ node: f.node, ...(f.container ? { container: f.container } : {}) }));

    expect(found).toEqual(file.startsWith('pass-') ? [] : c.expect);
  });
});
