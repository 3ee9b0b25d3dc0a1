import { describe, expect, it } from 'vitest';
import { PolicyError } from '../../functions/core/errors.js';
import { parseRuleFile, ruleIdFromPath } from '../../functions/core/rules.js';

const GOOD = `id: coverage/missing
title: Missing
severity: critical
description: d
remediation: r
parameters:
  limit: 3
`;

describe('parseRuleFile()', () => {
  it('returns the rule definition', () => {
    const rule = parseRuleFile('coverage/missing.yaml', GOOD);

    expect(rule).toEqual({ id: 'coverage/missing', title: 'Missing', severity: 'critical', description: 'd', remediation: 'r', parameters: { limit: 3 } });
  });

  it.each([
    ['an unknown key', `${GOOD}colour: red\n`, /coverage\/missing\.yaml: line 8: colour: unknown field 'colour'/],
    ['a bad severity', GOOD.replace('critical', 'high'), /line 3: severity: Invalid enum value/],
    ['a missing field', GOOD.replace('title: Missing\n', ''), /line 1: title: Required/],
    ['an id that differs from the path', GOOD.replace('coverage/missing', 'coverage/absent'), /line 1: id: 'coverage\/absent' must equal the file path 'coverage\/missing'/],
    ['broken YAML', 'id: [coverage\n', /failed to parse rule file coverage\/missing\.yaml: line \d+/],
    ['a duplicate key', `${GOOD}title: again\n`, /line 8/],
  ])('rejects %s naming file, line and field', (_name, text, message) => {
    expect(() => parseRuleFile('coverage/missing.yaml', text)).toThrow(PolicyError);
    expect(() => parseRuleFile('coverage/missing.yaml', text)).toThrow(message);
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
