// The rule-case format and its runner, shared by rules.test.ts (each case) and catalog.test.ts (the
// catalog as a whole). A case is test/rules/<category>/<name>/{pass,fail}-*.yaml: a small scenario
// (nodes, one DaemonSet in Git and/or the cluster, its pods), optionally with a policy, input gaps, a
// manifests folder (read the way the CLI reads one) and the audit time.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { readLocalManifests } from '../../functions/adapters/manifest-source.js';
import { buildContext } from '../../functions/core/audit.js';
import type { AuditContext } from '../../functions/core/checks/context.js';
import type { K8sControllerRevision } from '../../functions/core/k8s-types.js';
import { parsePolicy } from '../../functions/core/policy/parse.js';
import type { DesiredState, Gap, Policy, Snapshot } from '../../functions/core/types.js';
import {
  AT,
  daemonSet,
  type DaemonSetOptions,
  defaultPolicy,
  desiredOf,
  node,
  type NodeOptions,
  pod,
  type PodOptions,
  revision,
  rulesFromRepo,
  snapshotOf,
} from '../support/builders.js';

export interface Case {
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
  /** A policy file's content (apiVersion and kind may be left out); default: every rule as its file says, no waivers. */
  policy?: Record<string, unknown>;
  /** Gaps of the snapshot (inputs that could not be read). */
  gaps?: Gap[];
  /** A folder of manifests, relative to the case file, read as the CLI reads --manifests; it replaces the DaemonSet in Git. */
  manifests?: string;
  /** The audit time; default the builders' AT. */
  at?: string;
  /** Fail cases: the findings of the rule, as node (null for DaemonSet level) and optional container. */
  expect?: { node: string | null; container?: string }[];
}

export const ROOT = fileURLToPath(new URL('./', import.meta.url));

/** Returns every rule id that has a case folder (test/rules/<category>/<name>/), sorted; `audit` leaves out change/*, whose cases have their own format and runner (change/change-cases.test.ts). */
export function caseRuleIds(only: 'all' | 'audit' = 'all'): string[] {
  return readdirSync(ROOT)
    .filter((c) => (only === 'all' || c !== 'change') && statSync(join(ROOT, c)).isDirectory())
    .flatMap((c) =>
      readdirSync(join(ROOT, c))
        .filter((n) => statSync(join(ROOT, c, n)).isDirectory())
        .map((n) => `${c}/${n}`),
    )
    .sort();
}

/** Returns the case files of a rule (`pass-*.yaml`, `fail-*.yaml`), sorted. */
export function caseFiles(rule: string): string[] {
  let names: string[] = [];
  try {
    names = readdirSync(join(ROOT, rule));
  } catch {
    return [];
  }
  return names.filter((f) => /^(pass|fail)-.*\.ya?ml$/.test(f)).sort();
}

/** Returns the case in `test/rules/<rule>/<file>`. */
export function readCase(rule: string, file: string): Case {
  return parse(readFileSync(join(ROOT, rule, file), 'utf8')) as Case;
}

/** Returns the audit inputs a case describes. */
export async function caseInputs(rule: string, file: string, c: Case): Promise<{ snapshot: Snapshot; desired: DesiredState; policy: Policy; at: Date }> {
  const git = daemonSet(c.daemonSet.key, { ...c.daemonSet, asManifest: true });
  const live = daemonSet(c.daemonSet.key, { ...c.daemonSet, ...c.live });
  const revisions: K8sControllerRevision[] = c.revisions ? Object.entries(c.revisions).map(([n, h]) => revision(live, Number(n), h)) : [revision(live, 1)];
  const snapshot = snapshotOf({
    nodes: Object.entries(c.nodes).map(([name, o]) => node(name, o ?? {})),
    daemonSets: c.inCluster === false ? [] : [live],
    pods: (c.pods ?? []).map(({ node: n, ...o }) => pod(live, n, o)),
    controllerRevisions: revisions,
    ...(c.gaps ? { gaps: c.gaps } : {}),
  });
  const ns = live.metadata.namespace!;
  const desired =
    c.manifests !== undefined
      ? await readLocalManifests(join(dirname(join(ROOT, rule, file)), c.manifests))
      : desiredOf(c.inGit === false ? [] : [git], { managedNamespaces: c.managedNamespaces ?? [ns] });
  const policy = c.policy
    ? parsePolicy(stringify({ apiVersion: 'drift-auditor.io/v1', kind: 'Policy', ...c.policy }), `${rule}/${file}`, rulesFromRepo())
    : defaultPolicy();
  return { snapshot, desired, policy, at: c.at ? new Date(c.at) : AT };
}

/** Returns the check context of a case (what every check sees). */
export async function caseContext(rule: string, file: string): Promise<AuditContext> {
  const { snapshot, desired, policy, at } = await caseInputs(rule, file, readCase(rule, file));
  return buildContext(snapshot, desired, policy, at);
}
