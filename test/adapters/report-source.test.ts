import { describe, expect, it } from 'vitest';
import { parseReport } from '../../functions/adapters/report-source.js';
import { audit } from '../../functions/core/audit.js';
import { InputError } from '../../functions/core/errors.js';
import { AT, defaultPolicy } from '../support/builders.js';
import { correctCluster, inputsOf } from '../support/cluster.js';

/** A real report: the audit of the correct cluster with one pod removed (one finding). */
function realReport(): Record<string, unknown> {
  const c = correctCluster();
  c.pods = c.pods.slice(1);
  const { snapshot, desired } = inputsOf(c);
  return JSON.parse(JSON.stringify(audit(snapshot, desired, defaultPolicy(), AT))) as Record<string, unknown>;
}

const edit = (f: (r: Record<string, unknown>) => void): string => {
  const r = realReport();
  f(r);
  return JSON.stringify(r);
};

describe('parseReport()', () => {
  it('accepts what audit() writes, fields a newer auditor adds included', () => {
    const r = realReport();

    const parsed = parseReport(JSON.stringify({ ...r, rules: [{ id: 'coverage/missing' }] }), 'report.json');

    expect(parsed).toEqual({ ...r, rules: [{ id: 'coverage/missing' }] });
    expect((parsed.findings as unknown[]).length).toBeGreaterThan(0);
  });

  it.each([
    [
      'coverage holding [1, "x", null]',
      (r: Record<string, unknown>) => {
        r.coverage = [1, 'x', null];
      },
      'field coverage[0] must be an object, not number 1',
    ],
    [
      'a null summary',
      (r: Record<string, unknown>) => {
        r.summary = null;
      },
      'field summary must be an object, not null',
    ],
    [
      'a summary count that is a string',
      (r: Record<string, unknown>) => {
        (r.summary as Record<string, unknown>).findings = '3';
      },
      'field summary.findings must be a number, not string "3"',
    ],
    [
      'a negative count',
      (r: Record<string, unknown>) => {
        (r.summary as { bySeverity: Record<string, unknown> }).bySeverity.critical = -1;
      },
      'field summary.bySeverity.critical must be greater than or equal to 0, not number -1',
    ],
    [
      'no nodes',
      (r: Record<string, unknown>) => {
        delete r.nodes;
      },
      'field nodes is missing',
    ],
    [
      'a node whose taints are a string',
      (r: Record<string, unknown>) => {
        (r.nodes as Record<string, unknown>[])[0]!.taints = 'none';
      },
      'field nodes[0].taints must be a list, not string "none"',
    ],
    [
      'a coverage state that is no pod state',
      (r: Record<string, unknown>) => {
        (r.coverage as { nodes: Record<string, unknown> }[])[0]!.nodes = { n1: 'fine' };
      },
      'field coverage[0].nodes.n1 must be one of running, unready, missing, misscheduled, kept, not-eligible, not string "fine"',
    ],
    [
      'a finding of unknown severity',
      (r: Record<string, unknown>) => {
        (r.findings as Record<string, unknown>[])[0]!.severity = 'high';
      },
      'field findings[0].severity must be one of critical, warning, info, not string "high"',
    ],
    [
      'a finding without a node field',
      (r: Record<string, unknown>) => {
        delete (r.findings as Record<string, unknown>[])[0]!.node;
      },
      'field findings[0].node is missing',
    ],
    [
      'a waived entry that is null',
      (r: Record<string, unknown>) => {
        r.waived = [null];
      },
      'field waived[0] must be an object, not null',
    ],
    [
      'a gap without a message',
      (r: Record<string, unknown>) => {
        r.gaps = [{ source: 'x' }];
        r.complete = false;
      },
      'field gaps[0].message is missing',
    ],
    [
      'a snapshot source of unknown kind',
      (r: Record<string, unknown>) => {
        (r.inputs as { snapshot: Record<string, unknown> }).snapshot.kind = 'guess';
      },
      'field inputs.snapshot.kind must be one of dump, live, not string "guess"',
    ],
    [
      'a generatedAt that is no time',
      (r: Record<string, unknown>) => {
        r.generatedAt = 'yesterday';
      },
      'field generatedAt must be an RFC 3339 time, not string "yesterday"',
    ],
    [
      'schemaVersion 2',
      (r: Record<string, unknown>) => {
        r.schemaVersion = 2;
      },
      'field schemaVersion must be 1, not number 2',
    ],
    [
      'complete with gaps',
      (r: Record<string, unknown>) => {
        r.gaps = [{ source: 'kubernetes:list pods', message: 'forbidden' }];
      },
      'field complete must be false: the report records gaps (what could not be read), so it is not complete',
    ],
  ])('refuses %s, naming the field in one line', (_n, change, message) => {
    const text = edit(change);

    expect(() => parseReport(text, 'r.json')).toThrow(InputError);
    expect(() => parseReport(text, 'r.json')).toThrow(new InputError(`failed to read report r.json: ${message}`));
  });

  it.each([
    ['null', 'field (root) must be an object, not null'],
    ['[]', 'field (root) must be an object, not a list'],
  ])('refuses %s at the root', (text, message) => {
    expect(() => parseReport(text, 'r.json')).toThrow(`failed to read report r.json: ${message}`);
  });
});
