// One runner for every rule's pass/fail cases: test/rules/<category>/<name>/{pass,fail}-*.yaml.
// Each case is a small scenario (nodes, one DaemonSet in Git and/or the cluster, its pods); a pass
// case must yield no finding of that rule, a fail case exactly the findings listed under `expect`.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { audit } from '../../functions/core/audit.js';
import type { K8sControllerRevision } from '../../functions/core/k8s-types.js';
import { AT, daemonSet, type DaemonSetOptions, defaultPolicy, desiredOf, node, type NodeOptions, pod, type PodOptions, revision, snapshotOf } from '../support/builders.js';

interface Case {
  description: string;
  nodes: Record<string, NodeOptions>;
  /** The DaemonSet (`key` is namespace/name) as both Git and the cluster have it. */
  daemonSet: DaemonSetOptions & { key: string };
  /** Overrides for the live DaemonSet only. */
  live?: DaemonSetOptions;
  inGit?: boolean;
  inCluster?: boolean;
  /** Namespaces Git manages; default: the DaemonSet's own. */
  managedNamespaces?: string[];
  /** Revision number -> hash; default one revision with the builders' current hash. */
  revisions?: Record<number, string>;
  pods?: (PodOptions & { node: string })[];
  /** Fail cases: the findings of the rule, as node (null for DaemonSet level) and optional container. */
  expect?: { node: string | null; container?: string }[];
}

const ROOT = fileURLToPath(new URL('./', import.meta.url));
// change/* rules compare two sides of a pull request; their cases have their own runner (change/change-cases.test.ts).
const ruleDirs = readdirSync(ROOT).filter((c) => c !== 'change' && statSync(join(ROOT, c)).isDirectory())
  .flatMap((c) => readdirSync(join(ROOT, c)).map((n) => `${c}/${n}`)).sort();

function findingsFor(rule: string, c: Case): { node: string | null; container?: string }[] {
  const git = daemonSet(c.daemonSet.key, { ...c.daemonSet, asManifest: true });
  const live = daemonSet(c.daemonSet.key, { ...c.daemonSet, ...c.live });
  const revisions: K8sControllerRevision[] = c.revisions ? Object.entries(c.revisions).map(([n, h]) => revision(live, Number(n), h)) : [revision(live, 1)];
  const snapshot = snapshotOf({
    nodes: Object.entries(c.nodes).map(([name, o]) => node(name, o ?? {})),
    daemonSets: c.inCluster === false ? [] : [live],
    pods: (c.pods ?? []).map(({ node: n, ...o }) => pod(live, n, o)),
    controllerRevisions: revisions,
  });
  const ns = live.metadata.namespace!;
  const desired = desiredOf(c.inGit === false ? [] : [git], { managedNamespaces: c.managedNamespaces ?? [ns] });
  return audit(snapshot, desired, defaultPolicy(), AT).findings
    .filter((f) => f.rule === rule)
    .map((f) => ({ node: f.node, ...(f.container ? { container: f.container } : {}) }));
}

describe.each(ruleDirs)('rule %s', (rule) => {
  const files = readdirSync(join(ROOT, rule)).filter((f) => /^(pass|fail)-.*\.ya?ml$/.test(f)).sort();

  it('has at least one pass and one fail case', () => {
    expect([files.some((f) => f.startsWith('pass-')), files.some((f) => f.startsWith('fail-'))]).toEqual([true, true]);
  });

  it.each(files)('%s', (file) => {
    const c = parse(readFileSync(join(ROOT, rule, file), 'utf8')) as Case;

    const found = findingsFor(rule, c);

    expect(found).toEqual(file.startsWith('pass-') ? [] : c.expect);
  });
});
