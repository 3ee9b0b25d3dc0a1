import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { audit } from '../../functions/core/audit.js';
import { AT, daemonSet, defaultPolicy, desiredOf, node, pod, snapshotOf } from '../support/builders.js';
import { corePolicy, correctCluster, inputsOf } from '../support/cluster.js';

type Schema = Record<string, unknown>;
const SCHEMA = JSON.parse(readFileSync(new URL('../../docs/report.schema.json', import.meta.url), 'utf8')) as Schema;

/** Returns the JSON paths where `value` breaks `schema` (the subset of draft 2020-12 the report schema uses). */
function violations(value: unknown, schema: Schema, path = '$'): string[] {
  if (typeof schema.$ref === 'string') return violations(value, resolve(schema.$ref), path);
  const out: string[] = [];
  const typeOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v);
  if ('const' in schema && value !== schema.const) out.push(`${path}: must be ${JSON.stringify(schema.const)}`);
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) out.push(`${path}: ${JSON.stringify(value)} not in enum`);
  if (schema.type !== undefined) {
    const types = ([] as string[]).concat(schema.type as string);
    const t = typeOf(value);
    if (!types.includes(t) && !(t === 'integer' && types.includes('number'))) return [...out, `${path}: expected ${types.join('|')}, got ${t}`];
  }
  if (Array.isArray(schema.oneOf)) {
    const ok = (schema.oneOf as Schema[]).filter((s) => violations(value, s, path).length === 0).length;
    if (ok !== 1) out.push(`${path}: matches ${ok} of oneOf`);
  }
  if (typeof schema.pattern === 'string' && typeof value === 'string' && !new RegExp(schema.pattern).test(value))
    out.push(`${path}: does not match ${schema.pattern}`);
  if (typeof schema.minimum === 'number' && typeof value === 'number' && value < schema.minimum) out.push(`${path}: below ${schema.minimum}`);
  if (typeOf(value) === 'object') {
    const obj = value as Record<string, unknown>;
    for (const k of (schema.required as string[] | undefined) ?? []) if (!(k in obj)) out.push(`${path}: missing ${k}`);
    const props = (schema.properties as Record<string, Schema> | undefined) ?? {};
    for (const [k, v] of Object.entries(obj)) {
      if (props[k]) out.push(...violations(v, props[k], `${path}.${k}`));
      else if (schema.additionalProperties === false) out.push(`${path}: unknown field ${k}`);
      else if (typeof schema.additionalProperties === 'object') out.push(...violations(v, schema.additionalProperties as Schema, `${path}.${k}`));
    }
  }
  if (Array.isArray(value) && schema.items) value.forEach((v, i) => out.push(...violations(v, schema.items as Schema, `${path}[${i}]`)));
  return out;
}

function resolve(ref: string): Schema {
  return ref
    .replace(/^#\//, '')
    .split('/')
    .reduce<Schema>((s, k) => s[k] as Schema, SCHEMA);
}

describe('audit() report', () => {
  it('validates against docs/report.schema.json for a correct cluster', () => {
    const { snapshot, desired } = inputsOf(correctCluster());

    const report = audit(snapshot, desired, defaultPolicy(), AT, { auditorVersion: '0.1.0', policySource: { file: 'p.yaml', sha256: 'a'.repeat(64) } });

    expect(violations(JSON.parse(JSON.stringify(report)), SCHEMA)).toEqual([]);
  });

  it('validates against the schema with gaps and findings of every kind', () => {
    const git = daemonSet('kube-system/agent', { image: 'nginx:1.28', nodeSelector: { pool: 'a' } });
    const live = daemonSet('kube-system/agent', { image: 'nginx:1.27' });
    const nodes = [node('a1', { labels: { pool: 'a' } }), node('a2', { labels: { pool: 'a' } }), node('b1', { labels: { pool: 'b' } })];
    const snapshot = snapshotOf({
      nodes,
      daemonSets: [live, daemonSet('kube-system/extra')],
      pods: [pod(live, 'a1', { waiting: 'CrashLoopBackOff', readySince: '2026-01-01T00:00:00Z' }), pod(live, 'b1')],
      gaps: [{ source: 'kubernetes:list pods', message: 'forbidden' }],
    });
    const desired = desiredOf([git, daemonSet('logging/shipper')], { problems: [{ rule: 'manifest/invalid', file: 'x.yaml', line: 2, message: 'bad' }] });

    const report = audit(snapshot, desired, corePolicy(), AT);

    expect(new Set(report.findings.map((f) => f.rule))).toEqual(
      new Set([
        'audit/incomplete',
        'coverage/missing',
        'coverage/misscheduled',
        'coverage/unready',
        'image/drift',
        'image/outdated-pod',
        'resource/missing',
        'resource/unmanaged',
        'manifest/invalid',
      ]),
    );
    expect(violations(JSON.parse(JSON.stringify(report)), SCHEMA)).toEqual([]);
  });

  it('is checked strictly enough to catch a broken report', () => {
    const { snapshot, desired } = inputsOf(correctCluster());
    const report = JSON.parse(JSON.stringify(audit(snapshot, desired, defaultPolicy(), AT))) as Record<string, unknown>;
    delete report.complete;
    (report.summary as Record<string, unknown>).bySeverity = { critical: 0, warning: 0 };
    report.findings = [{ rule: 'coverage/missing', severity: 'high', namespace: 'x', daemonSet: 'y', node: null, message: 'm' }];

    expect(violations(report, SCHEMA)).toEqual(['$: missing complete', '$.summary.bySeverity: missing info', '$.findings[0].severity: "high" not in enum']);
  });
});
