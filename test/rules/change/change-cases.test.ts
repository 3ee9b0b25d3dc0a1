// The runner for the change/* rules' cases: test/rules/change/<name>/{pass,fail}-*.yaml. A case is
// a few nodes plus one DaemonSet as the base and the head of a pull request have it (either may be
// absent: added or removed); the check runs on a snapshot taken a minute before the check unless the
// case says otherwise. A pass case yields no finding of the rule, a fail case exactly `expect`.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { compareChange } from '../../../functions/core/change/index.js';
import type { Policy, RequiredCoverage } from '../../../functions/core/types.js';
import { AT, daemonSet, type DaemonSetOptions, defaultPolicy, desiredOf, node, type NodeOptions, snapshotOf } from '../../support/builders.js';

interface Case {
  description: string;
  nodes: Record<string, NodeOptions | null>;
  base?: DaemonSetOptions & { key: string };
  head?: DaemonSetOptions & { key: string };
  /** Seconds between the snapshot and the check (default 60); null: the snapshot records no time. */
  snapshotAgeSeconds?: number | null;
  requiredCoverage?: RequiredCoverage[];
  expect?: { node: string | null }[];
}

const ROOT = fileURLToPath(new URL('./', import.meta.url));
const rules = readdirSync(ROOT)
  .filter((n) => statSync(join(ROOT, n)).isDirectory())
  .sort();

function findingsFor(rule: string, c: Case): { node: string | null }[] {
  const snapshot = snapshotOf({ nodes: Object.entries(c.nodes).map(([name, o]) => node(name, o ?? {})) });
  const age = c.snapshotAgeSeconds === undefined ? 60 : c.snapshotAgeSeconds;
  if (age === null) for (const n of snapshot.nodes) n.status = {};
  else snapshot.source.finishedAt = new Date(AT.getTime() - age * 1000).toISOString();
  const side = (d: Case['base']) => desiredOf(d ? [daemonSet(d.key, { ...d, asManifest: true })] : []);
  const policy: Policy = { ...defaultPolicy(), requiredCoverage: c.requiredCoverage ?? [] };
  return compareChange(snapshot, side(c.base), side(c.head), policy, AT)
    .findings.filter((f) => f.rule === `change/${rule}`)
    .map((f) => ({ node: f.node }));
}

describe.each(rules)('rule change/%s', (rule) => {
  const files = readdirSync(join(ROOT, rule))
    .filter((f) => /^(pass|fail)-.*\.ya?ml$/.test(f))
    .sort();

  it('has at least one pass and one fail case', () => {
    expect([files.some((f) => f.startsWith('pass-')), files.some((f) => f.startsWith('fail-'))]).toEqual([true, true]);
  });

  it.each(files)('%s', (file) => {
    const c = parse(readFileSync(join(ROOT, rule, file), 'utf8')) as Case;

    const found = findingsFor(rule, c);

    expect(found).toEqual(file.startsWith('pass-') ? [] : c.expect);
  });
});
