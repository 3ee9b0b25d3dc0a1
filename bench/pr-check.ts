// `npm run bench -- --only pr-check`: a pull-request check against a generated cluster (default 5,000
// nodes, 16 DaemonSets) where the head changes all 16 DaemonSets: half narrow their tolerations
// (GPU and control-plane nodes lost), half roll a new image with maxUnavailable 100%. Measured in one
// process, phase by phase: reading the snapshot (the kubectl dump with every pod, and the nodes
// alone), reading both sides of the change (the desired-state reader: parse and render), then the
// check itself: compareChange() and its outputs (JSON, PR comment, annotations). Goal: the check
// beyond rendering ≤ 2 s at 5,000 nodes.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { readDump } from '../functions/adapters/dump-reader.js';
import { readManifests } from '../functions/adapters/manifest-source.js';
import { changeAnnotations, compareChange, renderChangeMarkdown } from '../functions/core/change/index.js';
import type { K8sDaemonSet } from '../functions/core/k8s-types.js';
import type { Policy } from '../functions/core/types.js';
import { loadRules } from '../functions/adapters/rules-loader.js';
import { loadPolicy } from '../functions/adapters/policy-loader.js';
import { generateCluster } from './generate-cluster.js';

export interface BenchPrCheckOptions {
  sizes?: number[];
  daemonSets?: number;
  print?: (line: string) => void;
}

/** The head's version of a manifest: even ones lose every toleration, odd ones roll a new image with maxUnavailable 100%. */
function changed(m: K8sDaemonSet, i: number): K8sDaemonSet {
  const head = structuredClone(m);
  const spec = head.spec.template.spec;
  if (i % 2 === 0) {
    delete spec.tolerations;
  } else {
    spec.containers[0]!.image = `${spec.containers[0]!.image}-pr`;
    head.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '100%' } };
  }
  return head;
}

async function writeSide(dir: string, manifests: K8sDaemonSet[]): Promise<void> {
  for (const m of manifests) {
    const ns = m.metadata.namespace ?? 'default';
    await mkdir(join(dir, ns), { recursive: true });
    await writeFile(join(dir, ns, `${m.metadata.name}.yaml`), stringify(m));
  }
}

async function timed<T>(fn: () => Promise<T> | T): Promise<[T, number]> {
  const t0 = process.hrtime.bigint();
  const value = await fn();
  return [value, Number(process.hrtime.bigint() - t0) / 1e6];
}

/** Runs the benchmark and prints one row per phase per size; returns the measurements. */
export async function benchPrCheck(opts: BenchPrCheckOptions = {}): Promise<{ nodes: number; phases: Record<string, number> }[]> {
  const print = opts.print ?? console.log;
  const sizes = opts.sizes ?? [5000];
  const daemonSets = opts.daemonSets ?? 16;
  const rules = await loadRules();
  const policy: Policy = await loadPolicy(undefined, rules);
  const out: { nodes: number; phases: Record<string, number> }[] = [];
  for (const nodes of sizes) {
    const dir = await mkdtemp(join(tmpdir(), 'drift-auditor-bench-pr-'));
    try {
      const c = generateCluster({ nodes, daemonSets });
      const list = (items: unknown[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items });
      await mkdir(join(dir, 'dump'));
      await writeFile(join(dir, 'dump', 'nodes.json'), list(c.nodes));
      await writeFile(join(dir, 'dump', 'workloads.json'), list([...c.daemonSets, ...c.controllerRevisions, ...c.pods]));
      await writeFile(join(dir, 'nodes-only.json'), list(c.nodes));
      await writeSide(join(dir, 'base'), c.manifests);
      await writeSide(join(dir, 'head'), c.manifests.map(changed));

      const [, readFull] = await timed(() => readDump([join(dir, 'dump')], { cluster: 'bench' }));
      const [snapshot, readNodes] = await timed(() => readDump([join(dir, 'nodes-only.json')], { cluster: 'bench' }));
      const [[base, head], render] = await timed(() => Promise.all([readManifests(join(dir, 'base')), readManifests(join(dir, 'head'))]));
      const at = new Date('2026-11-20T10:05:00Z');
      const [report, compare] = await timed(() => compareChange(snapshot, base, head, policy, at));
      const [, outputs] = await timed(() => [JSON.stringify(report, null, 2), renderChangeMarkdown(report), changeAnnotations(report)]);
      const phases = { readFull, readNodes, render, compare, outputs };
      out.push({ nodes, phases });
      const beyond = readNodes + compare + outputs;
      print(
        `pr-check ${nodes} nodes × ${daemonSets} DaemonSets, all changed: ${report.summary.lost} placements lost, ${report.summary.gained} gained, ${report.summary.findings} findings`,
      );
      print(`  read the full dump (${c.pods.length} pods) ${readFull.toFixed(0)} ms · nodes only ${readNodes.toFixed(0)} ms`);
      print(`  read + render base and head ${render.toFixed(0)} ms`);
      print(`  compareChange() ${compare.toFixed(0)} ms · outputs (JSON, comment, annotations) ${outputs.toFixed(0)} ms`);
      print(
        `  beyond rendering (nodes-only snapshot + check + outputs): ${beyond.toFixed(0)} ms (goal ≤ 2000 ms); with the full dump: ${(readFull + compare + outputs).toFixed(0)} ms`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  return out;
}
