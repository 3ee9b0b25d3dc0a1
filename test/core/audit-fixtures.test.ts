// audit() over real data: upstream DaemonSet manifests (test/fixtures/captures, laid out as a GitOps folder) as
// Git, real Node objects from three clusters (sbctl, honeycomb, OpenShift captures) as the cluster, and the pods a healthy
// controller would have created; and real cluster dumps (captures/sonobuoy, captures/fixinventory) audited live-only,
// whose every DaemonSet's own status, computed by the real controller, the audit must reproduce.
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDump } from '../../functions/adapters/dump-reader.js';
import { readManifestFolder } from '../../functions/adapters/manifest-folder.js';
import { audit } from '../../functions/core/audit.js';
import type { K8sDaemonSet, K8sPod } from '../../functions/core/k8s-types.js';
import { compileEligibility } from '../../functions/core/scheduling/index.js';
import { AT, desiredOf, node, pod, revision } from '../support/builders.js';
import { capture, CAPTURES, upstreamGitopsFolder } from '../support/captures.js';
import { corePolicy } from '../support/cluster.js';
import type { DesiredState } from '../../functions/core/types.js';

async function realInputs() {
  const desired = await readManifestFolder(await upstreamGitopsFolder());
  const dump = await readDump([capture('sbctl/nodes.json'), capture('honeycomb-kubernetes-agent/nodes.json'), capture('insights-operator/nodes.json')], {
    cluster: 'fixtures',
  });
  const live: K8sDaemonSet[] = desired.daemonSets.map((d) => ({
    ...structuredClone(d.manifest),
    metadata: { ...d.manifest.metadata, uid: `uid-${d.manifest.metadata.name}` },
  }));
  const pods: K8sPod[] = [];
  for (const ds of live) {
    const eligible = compileEligibility(ds);
    for (const n of dump.nodes) if (eligible(n).shouldRun) pods.push(pod(ds, n.metadata.name));
  }
  return { desired, snapshot: { ...dump, daemonSets: live, pods, controllerRevisions: live.map((ds) => revision(ds, 1)) } };
}

describe('audit() on upstream fixtures', () => {
  it('finds nothing when every eligible node runs its pod, and computes eligibility from the real specs', async () => {
    const { desired, snapshot } = await realInputs();

    const report = audit(snapshot, desired, corePolicy(), AT);

    expect(report.findings).toEqual([]);
    expect(report.summary.nodes).toEqual(11);
    expect(Object.fromEntries(report.coverage.map((c) => [`${c.namespace}/${c.name}`, c.eligible]))).toEqual({
      // gpu-feature-discovery needs NFD/NVIDIA labels that no fixture node carries.
      'default/gpu-feature-discovery': 0,
      // Tolerates NoSchedule for every key; nodeAffinity kubernetes.io/os=linux (all 11 nodes are linux).
      'kube-flannel/kube-flannel-ds': 11,
      // linux, amd64|arm64, not fargate; operator Exists tolerates everything.
      'kube-system/aws-node': 11,
      // Tolerates only nvidia.com/gpu: excluded by the 3 OpenShift masters and the 2 honeycomb nodes (type=hound:NoSchedule).
      'kube-system/nvidia-device-plugin-daemonset': 6,
      'monitoring/node-exporter': 11,
    });
  });

  it('reports the node that lost its pod', async () => {
    const { desired, snapshot } = await realInputs();
    snapshot.pods = snapshot.pods.filter((p) => !(p.metadata.name.startsWith('node-exporter') && p.spec.nodeName === 'troubleshoot-demo-002'));

    const report = audit(snapshot, desired, corePolicy(), AT);

    expect(report.findings.map((f) => [f.rule, f.namespace, f.daemonSet, f.node])).toEqual([
      ['coverage/missing', 'monitoring', 'node-exporter', 'troubleshoot-demo-002'],
    ]);
  });

  it("owns a real live pod by its DaemonSet uid and agrees with the DaemonSet's own status", async () => {
    const dump = await readDump([capture('kubeiql'), capture('apimachinery/node.yaml')]);
    const nodeName = dump.pods[0]!.spec.nodeName!;
    const snapshot = { ...dump, nodes: [node(nodeName)] };

    const report = audit(snapshot, desiredOf(dump.daemonSets), corePolicy(), AT);

    expect(report.coverage).toEqual([
      {
        namespace: 'kube-system',
        name: 'calico-node',
        inGit: true,
        inCluster: true,
        eligible: 1,
        covered: 1,
        upToDate: 1,
        ready: 1,
        misscheduled: 0,
        reported: { desired: 1, current: 1, ready: 1, upToDate: 1, misscheduled: 0 },
        nodes: { '10.76.193.41': 'running' },
        images: [
          {
            container: 'calico-node',
            git: 'registry.ng.bluemix.net/armada-master/node:v2.6.5',
            live: 'registry.ng.bluemix.net/armada-master/node:v2.6.5',
            running: [
              {
                image: 'registry.ng.bluemix.net/armada-master/node:v2.6.5',
                digest: 'sha256:d79a25b3ef899332f9de73536634c9a3ce3fa12b3e77e504cff1e2d2a8d536e6',
                pods: 1,
              },
            ],
          },
          {
            container: 'install-cni',
            git: 'registry.ng.bluemix.net/armada-master/cni:v1.11.2',
            live: 'registry.ng.bluemix.net/armada-master/cni:v1.11.2',
            running: [
              {
                image: 'registry.ng.bluemix.net/armada-master/cni:v1.11.2',
                digest: 'sha256:df0606795dc43a5f9f0823db26661a722107b93cfc88c1e20ba80bec45634023',
                pods: 1,
              },
            ],
          },
        ],
      },
    ]);
    expect(report.findings).toEqual([]);
  });
});

/** The real cluster dumps sit in the captures, under their repository: sonobuoy/<dir>, fixinventory/<dir>. */
const REAL = CAPTURES;
interface Meta {
  cluster: string;
  now: string;
  exceptions: { daemonSet: string; field: string; auditor: number; status: number }[];
}
/** No Git: the live DaemonSets' own specs decide eligibility (what --live-only audits). */
const NO_GIT: DesiredState = { source: { kind: 'folder', location: '(none)' }, daemonSets: [], managedNamespaces: [], problems: [], gaps: [] };

/** Returns each DaemonSet's coverage as the audit computed it and as its own status reports it, documented skews applied to the status. */
async function coverageOf(dir: string, paths: string[]) {
  const meta = JSON.parse(await readFile(join(REAL, dir, 'meta.json'), 'utf8')) as Meta;
  const snapshot = await readDump(paths, { cluster: meta.cluster });
  const report = audit(snapshot, NO_GIT, corePolicy(), new Date(meta.now));
  const computed: Record<string, unknown> = {};
  const reported: Record<string, unknown> = {};
  for (const c of report.coverage) {
    const key = `${c.namespace}/${c.name}`;
    computed[key] = { desired: c.eligible, current: c.covered, ready: c.ready, upToDate: c.upToDate, misscheduled: c.misscheduled };
    const status: Record<string, number> = { ...c.reported! };
    for (const e of meta.exceptions.filter((x) => x.daemonSet === key)) status[e.field] = e.auditor;
    reported[key] = status;
  }
  return { computed, reported, report, snapshot, meta };
}

describe('audit() of real cluster dumps, live-only', () => {
  it.each([
    ['sonobuoy/sonobuoy-aws-k8s18-a', 4],
    ['sonobuoy/sonobuoy-aws-k8s18-b', 4],
    ['sonobuoy/sonobuoy-kind-k8s114-heptio-sonobuoy', 6],
    ['sonobuoy/sonobuoy-kind-k8s114-kube-system', 6],
    ['sonobuoy/sonobuoy-kind-k8s121', 3],
    ['fixinventory/fixinventory-doks-k8s121', 5],
  ])("%s: reproduces every DaemonSet's own status (%i DaemonSets)", async (dir, daemonSets) => {
    const { computed, reported, report } = await coverageOf(dir, [join(REAL, dir, 'dump.json')]);

    expect(Object.keys(computed)).toHaveLength(daemonSets);
    expect(computed).toEqual(reported);
    expect([report.complete, report.gaps]).toEqual([true, []]);
  });

  it('documents the one known listing skew rather than hiding it', async () => {
    const { computed, meta } = await coverageOf('sonobuoy/sonobuoy-kind-k8s114-kube-system', [
      join(REAL, 'sonobuoy/sonobuoy-kind-k8s114-kube-system', 'dump.json'),
    ]);

    expect(meta.exceptions.map((e) => [e.daemonSet, e.field, e.auditor, e.status])).toEqual([
      ['heptio-sonobuoy/sonobuoy-e2eds-daemon-set-e3edc45d5adf4fb1', 'ready', 1, 0],
    ]);
    expect((computed['heptio-sonobuoy/sonobuoy-e2eds-daemon-set-e3edc45d5adf4fb1'] as { ready: number }).ready).toEqual(1);
  });

  it('notes that a dump without ControllerRevisions judges up-to-date pods without them, and stays complete', async () => {
    const { report } = await coverageOf('sonobuoy/sonobuoy-aws-k8s18-b', [join(REAL, 'sonobuoy/sonobuoy-aws-k8s18-b', 'dump.json')]);

    expect(report.complete).toBe(true);
    expect(report.inputs.snapshot.notes).toEqual([expect.stringMatching(/^the dump has no ControllerRevision: /) as unknown as string]);
  });

  it.each(['sonobuoy/sonobuoy-aws-k8s18-a', 'sonobuoy/sonobuoy-kind-k8s114-heptio-sonobuoy', 'sonobuoy/sonobuoy-kind-k8s121'])(
    "%s: reads the same from sonobuoy's own layout (resources/ JSON arrays without kind or apiVersion)",
    async (dir) => {
      const list = JSON.parse(await readFile(join(REAL, dir, 'dump.json'), 'utf8')) as { items: Record<string, unknown>[] };
      const out = await mkdtemp(join(tmpdir(), 'sonobuoy-'));
      const files = new Map<string, Record<string, unknown>[]>();
      for (const { kind, apiVersion: _a, ...item } of list.items) {
        const ns = (item.metadata as { namespace?: string }).namespace;
        const file = kind === 'Node' ? 'resources/cluster/Nodes.json' : `resources/ns/${ns}/${kind as string}s.json`;
        files.set(file, [...(files.get(file) ?? []), item]);
      }
      for (const [file, items] of files) {
        await mkdir(join(out, file, '..'), { recursive: true });
        await writeFile(join(out, file), JSON.stringify(items, null, 2));
      }

      const fromArrays = await coverageOf(dir, [join(out, 'resources')]);
      const fromList = await coverageOf(dir, [join(REAL, dir, 'dump.json')]);

      expect(fromArrays.computed).toEqual(fromList.computed);
      expect(fromArrays.computed).toEqual(fromArrays.reported);
      expect(fromArrays.report.findings).toEqual(fromList.report.findings);
      expect((await readdir(join(out, 'resources', 'ns'))).length).toBeGreaterThan(0);
    },
  );

  it('records a gap instead of coverage/missing findings marked complete for a dump without pods (kubectl get nodes,daemonsets)', async () => {
    const list = JSON.parse(await readFile(join(REAL, 'fixinventory/fixinventory-doks-k8s121', 'dump.json'), 'utf8')) as { items: { kind: string }[] };
    const dir = await mkdtemp(join(tmpdir(), 'no-pods-'));
    await writeFile(join(dir, 'dump.json'), JSON.stringify({ ...list, items: list.items.filter((i) => i.kind === 'Node' || i.kind === 'DaemonSet') }));

    const { report } = await coverageOf('fixinventory/fixinventory-doks-k8s121', [join(dir, 'dump.json')]);

    expect(report.complete).toBe(false);
    expect(report.gaps.map((g) => g.source)).toEqual(['dump:pods']);
  });

  it('records a gap for a dump without DaemonSets whose pods name DaemonSet controllers', async () => {
    const list = JSON.parse(await readFile(join(REAL, 'fixinventory/fixinventory-doks-k8s121', 'dump.json'), 'utf8')) as { items: { kind: string }[] };
    const dir = await mkdtemp(join(tmpdir(), 'no-ds-'));
    await writeFile(join(dir, 'dump.json'), JSON.stringify({ ...list, items: list.items.filter((i) => i.kind !== 'DaemonSet') }));

    const { report } = await coverageOf('fixinventory/fixinventory-doks-k8s121', [join(dir, 'dump.json')]);

    expect(report.complete).toBe(false);
    expect(report.gaps.map((g) => g.source)).toEqual(['dump:daemonsets']);
  });
});
