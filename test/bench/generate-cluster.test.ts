// The benchmark's generated cluster must be one the audit can trust: every daemon pod owned by an
// existing DaemonSet and matching its selector, revisions owned by their DaemonSet, status fields
// the controller would write, and objects of realistic size.
import { beforeAll, describe, expect, it } from 'vitest';
import { generateCluster, type GeneratedCluster } from '../../bench/generate-cluster.js';
import { audit } from '../../functions/core/audit.js';
import { compileEligibility } from '../../functions/core/scheduling/eligibility.js';
import { isDaemonPodOf, targetNodeName } from '../../functions/core/scheduling/pods.js';
import { defaultPolicy, desiredOf, snapshotOf } from '../support/builders.js';

let cluster: GeneratedCluster;

beforeAll(() => {
  cluster = generateCluster({ nodes: 120, daemonSets: 16, extraPodsPerNode: 2 });
});

const size = (o: unknown): number => JSON.stringify(o).length;

describe('generateCluster()', () => {
  it('owns every DaemonSet-controlled pod by an existing DaemonSet uid, with labels matching its selector', () => {
    const byUid = new Map(cluster.daemonSets.map((d) => [d.metadata.uid, d]));

    const orphans = cluster.pods
      .filter((p) => p.metadata.ownerReferences?.[0]?.kind === 'DaemonSet')
      .filter((p) => {
        const ds = byUid.get(p.metadata.ownerReferences![0]!.uid);
        return !ds || !isDaemonPodOf(p, ds);
      })
      .map((p) => p.metadata.name);

    expect(orphans).toEqual([]);
  });

  it('maps every daemon pod to an existing node through the controller-injected matchFields term', () => {
    const names = new Set(cluster.nodes.map((n) => n.metadata.name));

    const strays = cluster.pods.filter((p) => !names.has(targetNodeName(p) ?? '')).map((p) => p.metadata.name);

    expect(strays).toEqual([]);
  });

  it("owns every ControllerRevision by a DaemonSet, one of them carrying the pods' current hash", () => {
    const revisionsByDs = new Map<string, string[]>();
    for (const r of cluster.controllerRevisions) {
      const uid = r.metadata.ownerReferences![0]!.uid;
      revisionsByDs.set(uid, [...(revisionsByDs.get(uid) ?? []), r.metadata.labels!['controller-revision-hash']!]);
    }

    const withoutCurrent = cluster.pods
      .filter((p) => p.metadata.ownerReferences?.[0]?.kind === 'DaemonSet')
      .filter((p) => !revisionsByDs.get(p.metadata.ownerReferences![0]!.uid)?.includes(p.metadata.labels!['controller-revision-hash']!)).length;

    expect({ daemonSetsWithRevisions: revisionsByDs.size, withoutCurrent }).toEqual({ daemonSetsWithRevisions: 16, withoutCurrent: 0 });
  });

  it('writes each DaemonSet status as the controller computes it from eligibility and pods', () => {
    const mismatches = cluster.daemonSets
      .filter((ds) => {
        const shouldRun = compileEligibility(ds);
        const desired = cluster.nodes.filter((n) => shouldRun(n).shouldRun).length;
        const owned = cluster.pods.filter((p) => isDaemonPodOf(p, ds));
        return (
          ds.status?.desiredNumberScheduled !== desired || (ds.status?.currentNumberScheduled ?? 0) + (ds.status?.numberMisscheduled ?? 0) !== owned.length
        );
      })
      .map((d) => d.metadata.name);

    expect(mismatches).toEqual([]);
  });

  it('makes the Git manifests differ from the live DaemonSets only by server defaults, status and one hot-fix', () => {
    const liveImages = cluster.daemonSets.map((d) => d.spec.template.spec.containers[0]!.image);
    const gitImages = cluster.manifests.map((m) => m.spec.template.spec.containers[0]!.image);

    const differing = cluster.manifests.filter((_, i) => liveImages[i] !== gitImages[i]).map((m) => m.metadata.name);

    expect({ differing, gitHasStatus: cluster.manifests.some((m) => 'status' in m || m.metadata.uid) }).toEqual({
      differing: ['dcgm-exporter'],
      gitHasStatus: false,
    });
  });

  it.each([
    ['node', () => cluster.nodes, 4_000, 9_000],
    ['daemon pod', () => cluster.pods.filter((p) => p.metadata.ownerReferences?.[0]?.kind === 'DaemonSet'), 3_000, 8_000],
    ['other pod', () => cluster.pods.filter((p) => p.metadata.ownerReferences?.[0]?.kind === 'ReplicaSet'), 3_000, 8_000],
  ])('keeps the average %s size realistic', (_kind, objects, min, max) => {
    const list = objects();

    const average = list.reduce((a, o) => a + size(o), 0) / list.length;

    expect(average >= min && average <= max ? 'in range' : `average ${Math.round(average)} bytes`).toEqual('in range');
  });

  it('puts at least 15 daemon pods per node on average with 16 DaemonSets at the benchmark mix', () => {
    const daemonPods = cluster.pods.filter((p) => p.metadata.ownerReferences?.[0]?.kind === 'DaemonSet').length;

    expect(daemonPods / cluster.nodes.length >= 13 && cluster.pods.length / cluster.nodes.length >= 15).toEqual(true);
  });

  it('audits clean except for the drift it plants (the dcgm-exporter hot-fix)', () => {
    const snapshot = snapshotOf({ ...cluster, cluster: 'bench' });

    const report = audit(snapshot, desiredOf(cluster.manifests), defaultPolicy(), new Date('2026-11-20T10:00:00Z'));

    const byRule = [...new Set(report.findings.map((f) => `${f.rule} ${f.daemonSet}`))].sort();
    expect(byRule).toEqual(['image/drift dcgm-exporter', 'image/outdated-pod dcgm-exporter']);
  });

  it('is deterministic for a seed', () => {
    const [a, b] = [generateCluster({ nodes: 20, daemonSets: 4 }), generateCluster({ nodes: 20, daemonSets: 4 })];

    expect(JSON.stringify(a) === JSON.stringify(b) && a.pods.length > 0).toEqual(true);
  });
});
