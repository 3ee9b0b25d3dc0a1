// Snapshot benchmark: readCluster + writeSnapshotFile against the k8s-api emulator at 5,000 nodes × 30 pods
// (~3.7 KB pods, 500 per page), next to the floor (bare fetch + JSON.parse of the same pages, keeping
// nothing) and kubectl at a size it can finish. The emulator and every client run in their own child
// process so that one's CPU and memory do not pollute another's figures. The floor and the reader run from
// an esbuild bundle of this file (plain node, as the Lambda runs); the reader also runs under tsx, as the
// CLI does (tsx plus client-node's module graph add ~150 MB of RSS before any object is read).
// Run: npx tsx bench/snapshot.ts [nodes]
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { K8sControllerRevision, K8sDaemonSet, K8sNode, K8sPod } from '../functions/core/k8s-types.js';
import { findTool } from '../functions/adapters/tools.js';
import { hexOf, imageIdOf, nodeOf, timeAfter, uidOf } from './live-objects.js';

const SELF = fileURLToPath(import.meta.url);
const PAGE = 500;
const CREATED = '2026-09-01T08:00:00Z';

export interface BenchSnapshotOptions {
  nodes?: number;
  podsPerNode?: number;
  /** Pods for the kubectl comparison (kubectl needs ~137 s and ~10 GB at 150k). */
  kubectlPods?: number;
  /** Runs of floor and reader at full size (the best is reported). */
  runs?: number;
}

interface Measure {
  wallMs: number;
  maxRssMB: number;
  fileMB?: number;
  objects?: number;
}

/** Runs the benchmark, prints a table, and returns the figures by name. */
export async function benchSnapshot(o: BenchSnapshotOptions = {}): Promise<Record<string, string | number>> {
  const nodes = o.nodes ?? 5000;
  const podsPerNode = o.podsPerNode ?? 30;
  const kubectlPods = o.kubectlPods ?? 10_000;
  const runs = o.runs ?? 2;
  const dir = mkdtempSync(join(tmpdir(), 'bench-snapshot-'));
  const bundle = await bundleSelf(dir);
  const rows: { name: string; pods: number; m: Measure }[] = [];
  const out: Record<string, string | number> = {};
  try {
    const big = await startEmulator(nodes, podsPerNode);
    try {
      await measureChild('floor', big.url, dir, bundle); // warm-up: the emulator builds its page buffers once
      const floor = best(await repeat(runs, () => measureChild('floor', big.url, dir, bundle)));
      const reader = best(await repeat(runs, () => measureChild('reader', big.url, dir, bundle)));
      const readerTsx = best(await repeat(runs, () => measureChild('reader', big.url, dir)));
      const readerPreload = best(await repeat(runs, () => measureChild('reader', big.url, dir, undefined, true)));
      rows.push(
        { name: 'floor: fetch + JSON.parse, keep nothing', pods: big.pods, m: floor },
        { name: 'readCluster + writeSnapshotFile (bundle)', pods: big.pods, m: reader },
        { name: 'readCluster + writeSnapshotFile (tsx, CLI)', pods: big.pods, m: readerTsx },
        { name: '  same, client-node loaded before tsx', pods: big.pods, m: readerPreload },
      );
      Object.assign(out, {
        pods: big.pods,
        floorWallS: sec(floor.wallMs),
        floorRssMB: floor.maxRssMB,
        readerWallS: sec(reader.wallMs),
        readerRssMB: reader.maxRssMB,
        readerVsFloor: Number((reader.wallMs / floor.wallMs).toFixed(2)),
        snapshotMB: reader.fileMB ?? 0,
        readerTsxWallS: sec(readerTsx.wallMs),
        readerTsxRssMB: readerTsx.maxRssMB,
        readerPreloadRssMB: readerPreload.maxRssMB,
      });
    } finally {
      big.stop();
    }
    const smallNodes = Math.ceil(kubectlPods / podsPerNode);
    const small = await startEmulator(smallNodes, podsPerNode);
    try {
      await measureChild('floor', small.url, dir, bundle);
      const floor = await measureChild('floor', small.url, dir, bundle);
      const reader = await measureChild('reader', small.url, dir, bundle);
      rows.push({ name: 'floor', pods: small.pods, m: floor }, { name: 'readCluster + writeSnapshotFile (bundle)', pods: small.pods, m: reader });
      {
        const kubectl = await measureKubectl(small.url, dir, await findTool('kubectl'));
        rows.push({ name: 'kubectl get nodes,ds,pods -A -o json --chunk-size=500', pods: small.pods, m: kubectl });
        Object.assign(out, {
          kubectlPods: small.pods,
          kubectlWallS: sec(kubectl.wallMs),
          kubectlRssMB: kubectl.maxRssMB,
          readerSmallWallS: sec(reader.wallMs),
          readerSmallRssMB: reader.maxRssMB,
        });
      }
    } finally {
      small.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  printTable(rows);
  console.log(
    `targets: wall ≤ 1.3× floor (got ${out.readerVsFloor}×), peak RSS ≤ 300 MB (got ${out.readerRssMB} bundled, ${out.readerTsxRssMB} under tsx), snapshot ≤ 40 MB gz (got ${out.snapshotMB})`,
  );
  return out;
}

function sec(ms: number): number {
  return Number((ms / 1000).toFixed(2));
}

function best(ms: Measure[]): Measure {
  return ms.reduce((a, b) => (b.wallMs < a.wallMs ? b : a));
}

async function repeat<T>(n: number, fn: () => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(await fn());
  return out;
}

function printTable(rows: { name: string; pods: number; m: Measure }[]): void {
  const header = ['measure', 'pods', 'wall s', 'peak RSS MB', 'snapshot MB gz'];
  const lines = rows.map((r) => [
    r.name,
    r.pods.toLocaleString('en-US'),
    sec(r.m.wallMs).toFixed(2),
    String(r.m.maxRssMB),
    r.m.fileMB === undefined ? '' : r.m.fileMB.toFixed(1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (l: string[]): string => l.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(fmt(header));
  for (const l of lines) console.log(fmt(l));
}

// ---- children -------------------------------------------------------------------------------------

function nodeArgs(heapMB?: number): string[] {
  return [...(heapMB ? [`--max-old-space-size=${heapMB}`] : []), '--import', 'tsx', SELF];
}

async function startEmulator(nodes: number, podsPerNode: number): Promise<{ url: string; pods: number; stop: () => void }> {
  const child = spawn(process.execPath, [...nodeArgs(8192), 'serve', String(nodes), String(podsPerNode)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const rl = createInterface({ input: child.stdout! });
  const line = await new Promise<string>((resolve, reject) => {
    rl.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
  });
  rl.close();
  const { url, pods } = JSON.parse(line) as { url: string; pods: number };
  return { url, pods, stop: () => child.kill('SIGTERM') };
}

/** Bundles this file with esbuild the way the Lambda is bundled (ESM, createRequire banner). */
async function bundleSelf(dir: string): Promise<string> {
  const { build } = await import('esbuild');
  const outfile = join(dir, 'snapshot-bench.mjs');
  await build({
    entryPoints: [SELF],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    minify: true,
    logLevel: 'error',
    external: ['esbuild'],
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  return outfile;
}

async function measureChild(mode: 'floor' | 'reader', url: string, dir: string, bundle?: string, preloadClient = false): Promise<Measure> {
  // preloadClient: client-node imported before tsx's hooks exist, so tsx does not track its ~900 modules.
  const args = bundle ? [bundle, mode, url, dir] : [...(preloadClient ? ['--import', '@kubernetes/client-node'] : []), ...nodeArgs(), mode, url, dir];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`${mode} child exited with ${code}`);
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Measure;
}

async function measureKubectl(url: string, dir: string, KUBECTL: string): Promise<Measure> {
  const kubeconfig = writeKubeconfig(url, dir);
  const outFile = join(dir, 'kubectl.json');
  const t0 = Date.now();
  const child = spawn(
    '/usr/bin/time',
    [
      '-v',
      KUBECTL,
      '--kubeconfig',
      kubeconfig,
      '--cache-dir',
      mkdtempSync(join(dir, 'cache-')),
      'get',
      'nodes,daemonsets,pods',
      '-A',
      '-o',
      'json',
      '--chunk-size=500',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.pipe(createWriteStream(outFile));
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const wallMs = Date.now() - t0;
  if (code !== 0) throw new Error(`kubectl exited with ${code}: ${stderr.slice(-500)}`);
  const kb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1] ?? 0);
  return { wallMs, maxRssMB: Math.round(kb / 1024) };
}

function writeKubeconfig(url: string, dir: string): string {
  const path = join(dir, `kubeconfig-${process.pid}-${Date.now()}`);
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': 'bench',
    clusters: [{ name: 'bench', cluster: { server: url, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'bench', user: { token: 'bench' } }],
    contexts: [{ name: 'bench', context: { cluster: 'bench', user: 'bench' } }],
  };
  writeFileSync(path, JSON.stringify(config));
  return path;
}

async function childServe(nodes: number, podsPerNode: number): Promise<void> {
  const { startK8sApi } = await import('../test/emulators/k8s-api/server.js');
  const cluster = generate(nodes, podsPerNode);
  const api = await startK8sApi({
    nodes: cluster.nodes,
    daemonSets: cluster.daemonSets,
    controllerRevisions: cluster.controllerRevisions,
    pods: cluster.pods(),
  });
  process.stdout.write(`${JSON.stringify({ url: api.url, pods: nodes * podsPerNode })}\n`);
  process.on('SIGTERM', () => void api.close().then(() => process.exit(0)));
}

async function childFloor(url: string): Promise<void> {
  const t0 = performance.now();
  let objects = 0;
  for (const path of ['/api/v1/nodes', '/apis/apps/v1/daemonsets', '/apis/apps/v1/controllerrevisions', '/api/v1/pods']) {
    let cont: string | undefined;
    do {
      const res = await fetch(`${url}${path}?limit=${PAGE}${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`, { headers: { Accept: 'application/json' } });
      const list = JSON.parse(await res.text()) as { items: unknown[]; metadata: { continue?: string } };
      objects += list.items.length;
      cont = list.metadata.continue;
    } while (cont);
  }
  const wallMs = performance.now() - t0;
  report({ wallMs, maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024), objects });
}

async function childReader(url: string, dir: string): Promise<void> {
  const { readCluster, writeSnapshotFile } = await import('../functions/adapters/kubernetes/index.js');
  const kubeconfig = writeKubeconfig(url, dir);
  const t0 = performance.now();
  const snapshot = await readCluster({ kubeconfig, pageSize: PAGE, auditorVersion: 'bench' });
  const file = join(dir, `snapshot-${process.pid}.json.gz`);
  await writeSnapshotFile(snapshot, file);
  const wallMs = performance.now() - t0;
  report({
    wallMs,
    maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    fileMB: Number((statSync(file).size / 1e6).toFixed(1)),
    objects: snapshot.pods.length,
  });
}

function report(m: Measure): void {
  process.stdout.write(`${JSON.stringify({ ...m, wallMs: Math.round(m.wallMs) })}\n`);
}

// ---- the generated cluster --------------------------------------------------------------------------

interface Agent {
  namespace: string;
  name: string;
  image: string;
  env: number;
}

const AGENTS: Agent[] = [
  { namespace: 'kube-system', name: 'aws-node', image: '602401143452.dkr.ecr.eu-west-1.amazonaws.com/amazon-k8s-cni:v1.20.4-eksbuild.1', env: 8 },
  { namespace: 'kube-system', name: 'kube-proxy', image: '602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/kube-proxy:v1.33.0-minimal-eksbuild.2', env: 1 },
  { namespace: 'kube-system', name: 'ebs-csi-node', image: 'public.ecr.aws/ebs-csi-driver/aws-ebs-csi-driver:v1.45.0', env: 3 },
  { namespace: 'monitoring', name: 'node-exporter', image: 'quay.io/prometheus/node-exporter:v1.9.1', env: 1 },
  { namespace: 'logging', name: 'fluent-bit', image: 'cr.fluentbit.io/fluent/fluent-bit:4.0.3', env: 4 },
  { namespace: 'datadog', name: 'datadog-agent', image: 'gcr.io/datadoghq/agent:7.66.1', env: 6 },
];
const APPS = ['checkout', 'payments', 'search', 'catalog', 'orders', 'frontend', 'recommendations', 'inventory'];

/** A generated cluster; pods are yielded one at a time so the emulator keeps only their JSON. */
function generate(
  nodeCount: number,
  podsPerNode: number,
): { nodes: K8sNode[]; daemonSets: K8sDaemonSet[]; controllerRevisions: K8sControllerRevision[]; pods: () => Generator<K8sPod> } {
  const images = AGENTS.map((a) => ({ id: imageIdOf(a.image), ref: a.image, sizeBytes: 50_000_000 }));
  const nodes = Array.from({ length: nodeCount }, (_, i) =>
    nodeOf({
      name: `ip-10-${(i >> 16) & 255}-${(i >> 8) & 255}-${i & 255}.eu-west-1.compute.internal`,
      ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
      region: 'eu-west-1',
      zone: `eu-west-1${'abc'[i % 3]}`,
      arch: i % 4 === 0 ? 'arm64' : 'amd64',
      instanceType: i % 4 === 0 ? 'm7g.2xlarge' : 'm6i.2xlarge',
      createdAt: CREATED,
      nodeGroup: `ng-${i % 5}`,
      kubeletVersion: 'v1.33.2-eks-1234567',
      images,
    }),
  );
  const agents = AGENTS.slice(0, Math.min(AGENTS.length, podsPerNode));
  const daemonSets = agents.map((a): K8sDaemonSet => ({
    metadata: {
      name: a.name,
      namespace: a.namespace,
      uid: uidOf(`ds/${a.name}`),
      generation: 3,
      creationTimestamp: CREATED,
      labels: { 'app.kubernetes.io/name': a.name },
      annotations: { 'deprecated.daemonset.template.generation': '3' },
    },
    spec: {
      selector: { matchLabels: { 'app.kubernetes.io/name': a.name } },
      template: { metadata: { labels: { 'app.kubernetes.io/name': a.name } }, spec: podSpec(a.name, a.image, a.env, '') },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%', maxSurge: 0 } },
      revisionHistoryLimit: 10,
    },
    status: {
      currentNumberScheduled: nodeCount,
      desiredNumberScheduled: nodeCount,
      numberReady: nodeCount,
      numberAvailable: nodeCount,
      updatedNumberScheduled: nodeCount,
      numberMisscheduled: 0,
      observedGeneration: 3,
    },
  }));
  const controllerRevisions = daemonSets.map((ds): K8sControllerRevision => ({
    metadata: {
      name: `${ds.metadata.name}-${hexOf(ds.metadata.name, 10)}`,
      namespace: ds.metadata.namespace,
      uid: uidOf(`cr/${ds.metadata.name}`),
      labels: { 'controller-revision-hash': hexOf(ds.metadata.name, 10) },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'DaemonSet', name: ds.metadata.name, uid: ds.metadata.uid!, controller: true, blockOwnerDeletion: true },
      ],
    },
    revision: 3,
    data: { spec: { template: { ...ds.spec.template, $patch: 'replace' } } },
  }));
  function* pods(): Generator<K8sPod> {
    for (let n = 0; n < nodeCount; n++) {
      const node = nodes[n]!;
      for (let k = 0; k < podsPerNode; k++) {
        const i = n * podsPerNode + k;
        if (k < daemonSets.length) {
          const ds = daemonSets[k]!;
          yield pod(
            `${ds.metadata.name}-${hexOf(`p${i}`, 5)}`,
            ds.metadata.namespace!,
            node,
            { kind: 'DaemonSet', name: ds.metadata.name, uid: ds.metadata.uid! },
            { 'app.kubernetes.io/name': ds.metadata.name, 'controller-revision-hash': hexOf(ds.metadata.name, 10), 'pod-template-generation': '3' },
            agents[k]!,
            i,
          );
        } else {
          const app = APPS[i % APPS.length]!;
          const rs = `${app}-${hexOf(app, 10)}`;
          yield pod(
            `${rs}-${hexOf(`p${i}`, 5)}`,
            `team-${app}`,
            node,
            { kind: 'ReplicaSet', name: rs, uid: uidOf(`rs/${app}`) },
            { app, 'pod-template-hash': hexOf(app, 10) },
            { namespace: `team-${app}`, name: app, image: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/${app}:2026.11.${i % 28}`, env: 3 },
            i,
          );
        }
      }
    }
  }
  return { nodes, daemonSets, controllerRevisions, pods };
}

function podSpec(name: string, image: string, envCount: number, nodeName: string): K8sPod['spec'] {
  return {
    volumes: [
      { name: 'config', configMap: { name: `${name}-config`, defaultMode: 420 } },
      {
        name: 'kube-api-access',
        projected: {
          defaultMode: 420,
          sources: [
            { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
            { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
          ],
        },
      },
    ],
    containers: [
      {
        name,
        image,
        imagePullPolicy: 'IfNotPresent',
        args: ['--config=/etc/config/config.yaml'],
        ports: [{ containerPort: 8080, name: 'metrics', protocol: 'TCP' }],
        env: Array.from({ length: envCount }, (_, e) => ({ name: `${name.toUpperCase().replace(/-/g, '_')}_SETTING_${e}`, value: hexOf(`${name}/${e}`, 24) })),
        resources: { limits: { memory: '256Mi' }, requests: { cpu: '50m', memory: '128Mi' } },
        volumeMounts: [
          { mountPath: '/etc/config', name: 'config', readOnly: true },
          { mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', name: 'kube-api-access', readOnly: true },
        ],
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
      },
    ],
    restartPolicy: 'Always',
    terminationGracePeriodSeconds: 30,
    dnsPolicy: 'ClusterFirst',
    serviceAccountName: name,
    serviceAccount: name,
    ...(nodeName ? { nodeName } : {}),
    securityContext: {},
    schedulerName: 'default-scheduler',
    tolerations: [
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ],
    priority: 0,
    enableServiceLinks: true,
    preemptionPolicy: 'PreemptLowerPriority',
  };
}

function pod(
  name: string,
  namespace: string,
  node: K8sNode,
  owner: { kind: string; name: string; uid: string },
  labels: Record<string, string>,
  a: Agent,
  i: number,
): K8sPod {
  const nodeName = node.metadata.name;
  const start = timeAfter(CREATED, 600 + (i % 3600));
  const spec = podSpec(a.name, a.image, a.env, nodeName);
  if (owner.kind === 'DaemonSet')
    spec.affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] }],
        },
      },
    };
  const cond = (type: string) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: start });
  return {
    metadata: {
      name,
      generateName: name.slice(0, -5),
      namespace,
      uid: uidOf(`pod/${i}`),
      resourceVersion: String(50_000_000 + i),
      creationTimestamp: start,
      labels,
      ownerReferences: [{ apiVersion: 'apps/v1', kind: owner.kind, name: owner.name, uid: owner.uid, controller: true, blockOwnerDeletion: true }],
      managedFields: [
        {
          manager: 'kube-controller-manager',
          operation: 'Update',
          apiVersion: 'v1',
          time: start,
          fieldsType: 'FieldsV1',
          fieldsV1: {
            'f:metadata': { 'f:generateName': {}, 'f:labels': { '.': {} }, 'f:ownerReferences': { '.': {} } },
            'f:spec': { 'f:containers': {}, 'f:volumes': {} },
          },
        },
        {
          manager: 'kubelet',
          operation: 'Update',
          apiVersion: 'v1',
          time: start,
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:status': { 'f:conditions': {}, 'f:containerStatuses': {}, 'f:podIP': {}, 'f:startTime': {} } },
          subresource: 'status',
        },
      ],
    },
    spec,
    status: {
      phase: 'Running',
      conditions: [cond('Initialized'), cond('Ready'), cond('ContainersReady'), cond('PodScheduled')],
      hostIP: (node.status?.addresses as { address: string }[])[0]!.address,
      podIP: `100.64.${(i >> 8) & 255}.${i & 255}`,
      startTime: start,
      qosClass: 'Burstable',
      containerStatuses: [
        {
          name: a.name,
          image: a.image,
          imageID: imageIdOf(a.image),
          containerID: `containerd://${hexOf(`c${i}`)}`,
          ready: true,
          started: true,
          restartCount: 0,
          state: { running: { startedAt: start } },
        },
      ],
    } as K8sPod['status'],
  };
}

// ---- entry ------------------------------------------------------------------------------------------

const [mode, a1, a2] = process.argv.slice(2);
if (process.argv[1] === SELF) {
  if (mode === 'serve') await childServe(Number(a1), Number(a2));
  else if (mode === 'floor') await childFloor(a1!);
  else if (mode === 'reader') await childReader(a1!, a2!);
  else {
    const figures = await benchSnapshot({ nodes: mode ? Number(mode) : undefined });
    console.log(JSON.stringify(figures));
  }
}
