// Rendering benchmark: a repository of 40 Argo CD Applications for one cluster — 20 Helm (10 from a
// chart in the repository, 10 pulled from a loopback Helm repository), 10 Kustomize overlays with
// image overrides, 10 plain directories — read with the real helm and kubectl. Cold is the first read
// in this process with an empty chart cache; warm is a second read (charts cached, tools found).
// Targets: cold ≤ 10 s, warm ≤ 2 s.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readManifests } from '../functions/adapters/manifest-source.js';
import { findTool } from '../functions/adapters/tools.js';
import { startHelmRepo } from '../test/emulators/helm-repo/server.js';

const CHART = fileURLToPath(new URL('../test/fixtures/charts/node-agent', import.meta.url));
const REPO = 'https://github.com/acme/bench';

function app(name: string, source: string, ns: string): string {
  return `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: { name: ${name}, namespace: argocd }
spec:
  project: default
${source}  destination: { name: bench, namespace: ${ns} }
`;
}

/** Writes the 40-Application repository; returns its folder. */
export function writeBenchRepo(helmRepoURL: string, counts = { helmLocal: 10, helmRemote: 10, kustomize: 10, plain: 10 }): string {
  const dir = mkdtempSync(join(tmpdir(), 'bench-render-'));
  const put = (p: string, text: string) => {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  };
  cpSync(CHART, join(dir, 'charts/node-agent'), { recursive: true });
  put('base/agent/kustomization.yaml', 'resources: [ds.yaml]\n');
  put(
    'base/agent/ds.yaml',
    'apiVersion: apps/v1\nkind: DaemonSet\nmetadata: { name: agent }\nspec:\n  selector: { matchLabels: { app: agent } }\n  template:\n    metadata: { labels: { app: agent } }\n    spec: { containers: [ { name: agent, image: registry.example.com/agent:1.0.0 } ] }\n',
  );
  for (let i = 0; i < counts.helmLocal; i++) {
    put(`values/local-${i}.yaml`, `clusterName: bench\nlogLevel: debug\nextraArgs: [--shard=${i}]\n`);
    put(
      `apps/helm-local-${i}.yaml`,
      app(
        `helm-local-${i}`,
        `  source:\n    repoURL: ${REPO}\n    path: charts/node-agent\n    helm:\n      valueFiles: [../../values/local-${i}.yaml]\n      parameters: [ { name: image.tag, value: "1.8.${i}" } ]\n`,
        `helm-local-${i}`,
      ),
    );
  }
  for (let i = 0; i < counts.helmRemote; i++) {
    put(
      `apps/helm-remote-${i}.yaml`,
      app(
        `helm-remote-${i}`,
        `  source:\n    repoURL: ${helmRepoURL}\n    chart: node-agent\n    targetRevision: 1.4.${i % 3}\n    helm:\n      valuesObject: { clusterName: bench, nameOverride: remote-${i} }\n`,
        `helm-remote-${i}`,
      ),
    );
  }
  for (let i = 0; i < counts.kustomize; i++) {
    put(`overlays/k-${i}/kustomization.yaml`, `resources: [../../base/agent]\nnameSuffix: "-${i}"\n`);
    put(
      `apps/kustomize-${i}.yaml`,
      app(
        `kustomize-${i}`,
        `  source:\n    repoURL: ${REPO}\n    path: overlays/k-${i}\n    kustomize:\n      images: [ "registry.example.com/agent:1.0.${i}" ]\n`,
        `kustomize-${i}`,
      ),
    );
  }
  for (let i = 0; i < counts.plain; i++) {
    put(
      `plain/p-${i}/ds.yaml`,
      `apiVersion: apps/v1\nkind: DaemonSet\nmetadata: { name: plain-${i} }\nspec:\n  selector: { matchLabels: { app: plain-${i} } }\n  template:\n    metadata: { labels: { app: plain-${i} } }\n    spec: { containers: [ { name: a, image: registry.example.com/plain:${i} } ] }\n`,
    );
    put(`apps/plain-${i}.yaml`, app(`plain-${i}`, `  source:\n    repoURL: ${REPO}\n    path: plain/p-${i}\n`, `plain-${i}`));
  }
  return dir;
}

/** Returns the CPU seconds of this process and its waited-for children (helm, kubectl), from /proc (Linux). */
function cpuSeconds(): number {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
    // utime, stime, cutime, cstime are fields 14-17 of stat(5), counted from the state field (3).
    return (
      fields
        .slice(11, 15)
        .map(Number)
        .reduce((a, b) => a + b, 0) / 100
    );
  } catch {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  }
}

/** Runs the rendering benchmark and prints cold and warm times and peak memory. */
export async function benchRender(): Promise<void> {
  const helm = await findTool('helm');
  await findTool('kubectl');
  const helmRepo = await startHelmRepo({ helm, charts: [{ dir: CHART, versions: ['1.4.0', '1.4.1', '1.4.2'] }] });
  const dir = writeBenchRepo(helmRepo.url);
  const cacheDir = mkdtempSync(join(tmpdir(), 'bench-render-cache-'));
  try {
    const opts = { repoURL: REPO, cluster: { name: 'bench' }, cacheDir, capabilities: { kubeVersion: '1.31.0' } };
    const time = async () => {
      const t = performance.now();
      const c = cpuSeconds();
      const d = await readManifests(dir, opts);
      return { ms: performance.now() - t, cpu: cpuSeconds() - c, daemonSets: d.daemonSets.length, problems: d.problems.length };
    };
    const cold = await time();
    const warm = await time();
    const warm2 = await time();
    const best = warm.ms < warm2.ms ? warm : warm2;
    const peak = process.resourceUsage().maxRSS / 1024;
    console.log('| what | figure | target |');
    console.log('|---|---|---|');
    console.log(
      `| render 40 Applications (20 Helm, 10 Kustomize, 10 plain), cold | ${(cold.ms / 1000).toFixed(2)} s wall, ${cold.cpu.toFixed(2)} s CPU (Node + helm + kubectl), ${cold.daemonSets} DaemonSets, ${cold.problems} problems | ≤ 10 s |`,
    );
    console.log(`| same, warm (best of 2) | ${(best.ms / 1000).toFixed(2)} s wall, ${best.cpu.toFixed(2)} s CPU | ≤ 2 s |`);
    console.log(
      `| load average while measured (the machine is shared) | ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} on ${availableParallelism()} cores | |`,
    );
    console.log(
      `| peak RSS of the Node process (helm and kubectl run as child processes; process-wide, so benchmarks run before it in the same process count: use --only render) | ${peak.toFixed(0)} MB | |`,
    );
    console.log(`| chart repository requests | ${helmRepo.log.length} (index.yaml once per read, each chart version once per cold cache) | |`);
    if (cold.daemonSets !== 40 || cold.problems) throw new Error(`expected 40 DaemonSets and no problems, got ${cold.daemonSets} and ${cold.problems}`);
  } finally {
    await helmRepo.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(cacheDir, { recursive: true, force: true });
  }
}
