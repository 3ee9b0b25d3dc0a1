import { describe, expect, it } from 'vitest';
import { PolicyError } from '../../functions/core/errors.js';
import { parseRuleFile, ruleIdFromPath } from '../../functions/core/rules.js';

const GOOD = `id: practice/no-resource-limits
check: practice/no-resource-limits
title: Limits
severity: critical
description: d
remediation: r
parameters:
  require: [memory]
`;
const FILE = 'practice/no-resource-limits.yaml';

describe('parseRuleFile()', () => {
  it('returns the rule definition', () => {
    const rule = parseRuleFile(FILE, GOOD);

    expect(rule).toEqual({
      id: 'practice/no-resource-limits',
      check: 'practice/no-resource-limits',
      title: 'Limits',
      severity: 'critical',
      description: 'd',
      remediation: 'r',
      parameters: { require: ['memory'] },
    });
  });

  it("fills in the parameters the file leaves out from the check's schema", () => {
    const rule = parseRuleFile(FILE, GOOD.replace(/parameters:\n.*\n/, ''));

    expect(rule.parameters).toEqual({ require: ['memory', 'cpu'] });
  });

  it.each([
    ['an unknown key', `${GOOD}colour: red\n`, /no-resource-limits\.yaml: line 9: colour: unknown field 'colour'/],
    ['a bad severity', GOOD.replace('critical', 'high'), /line 4: severity: Invalid enum value/],
    ['a missing field', GOOD.replace('title: Limits\n', ''), /line 1: title: Required/],
    ['no check', GOOD.replace('check: practice/no-resource-limits\n', ''), /line 1: check: Required/],
    [
      'an unknown check',
      GOOD.replace('check: practice/no-resource-limits', 'check: practice/no-limits'),
      /line 2: check: no check named 'practice\/no-limits'/,
    ],
    [
      'a check that does not emit the rule',
      GOOD.replace('check: practice/no-resource-limits', 'check: coverage/missing'),
      /line 2: check: check 'coverage\/missing' emits coverage\/missing, not practice\/no-resource-limits/,
    ],
    ['an unknown parameter', GOOD.replace('require: [memory]', 'requires: [memory]'), /line 8: parameters.requires: unknown field 'requires'/],
    ['a parameter of the wrong type', GOOD.replace('require: [memory]', 'require: memory'), /line 8: parameters.require: Expected array, received string/],
    ['a parameter value the check does not know', GOOD.replace('require: [memory]', 'require: [gpu]'), /line 8: parameters.require.0: Invalid enum value/],
    [
      'an id that differs from the path',
      GOOD.replace('id: practice/no-resource-limits', 'id: practice/mutable-image-tag'),
      /line 2: check: check 'practice\/no-resource-limits' emits practice\/no-resource-limits, not practice\/mutable-image-tag/,
    ],
    ['broken YAML', 'id: [coverage\n', /failed to parse rule file practice\/no-resource-limits\.yaml: line \d+/],
    ['a duplicate key', `${GOOD}title: again\n`, /line 9/],
  ])('rejects %s naming file, line and field', (_name, text, message) => {
    expect(() => parseRuleFile(FILE, text)).toThrow(PolicyError);
    expect(() => parseRuleFile(FILE, text)).toThrow(message);
  });

  it('rejects `parameters: {clases: 42}` on the priority-class rule, naming the line of the field', () => {
    const text =
      'id: practice/no-priority-class\ncheck: practice/no-priority-class\ntitle: t\nseverity: info\ndescription: d\nremediation: r\nparameters: {clases: 42}\n';

    expect(() => parseRuleFile('practice/no-priority-class.yaml', text)).toThrow(
      "failed to load rule file practice/no-priority-class.yaml: line 7: parameters.clases: unknown field 'clases'",
    );
  });

  it('rejects parameters on a rule whose check takes none', () => {
    const text = 'id: coverage/missing\ncheck: coverage/missing\ntitle: t\nseverity: info\ndescription: d\nremediation: r\nparameters:\n  limit: 3\n';

    expect(() => parseRuleFile('coverage/missing.yaml', text)).toThrow(
      'failed to load rule file coverage/missing.yaml: line 8: parameters: coverage/missing takes no parameters',
    );
  });

  it('rejects an id that differs from the path', () => {
    const text = GOOD.replace(/practice\/no-resource-limits/g, 'practice/no-priority-class').replace('require: [memory]', 'classes: [x]');

    expect(() => parseRuleFile(FILE, text)).toThrow("line 1: id: 'practice/no-priority-class' must equal the file path 'practice/no-resource-limits'");
  });
});

describe('ruleIdFromPath()', () => {
  it.each([
    ['coverage/missing.yaml', 'coverage/missing'],
    ['/repo/rules/image/drift.yml', 'image/drift'],
    ['rules\\image\\drift.yaml', 'image/drift'],
  ])('maps %s to %s', (path, id) => {
    expect(ruleIdFromPath(path)).toEqual(id);
  });
});
