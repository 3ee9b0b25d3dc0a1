// Benchmark of the full audit path against the floor of a bare JSON.parse of the same dump files.
// For each cluster size: generate (bench/generate-cluster.ts), write a kubectl-style dump (v1 List
// JSON files) and the Git manifests (YAML) to a temp dir, then measure in a fresh child process
// each: (a) readFile + JSON.parse of every dump file, (b) readDump + readManifestFolder + audit().
// Wall time, CPU time and peak RSS come from the child, so one measurement never inherits another's
// heap. Runs are paired (parse, then audit, `repeat` times) and each ratio is the median of the pairs'
// ratios, so that a neighbour's load on a shared machine weighs on both sides of a pair alike.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { generateCluster } from './generate-cluster.js';

export interface BenchAuditOptions {
  /** Node counts to measure; default [2500, 5000]. */
  sizes?: number[];
  /** DaemonSets per cluster; default 16. */
  daemonSets?: number;
  /** Non-daemon pods per node; default 2. */
  extraPodsPerNode?: number;
  /** Where to print the table; default console.log. */
  print?: (line: string) => void;
  /** Keep the generated files (printed path) instead of deleting them. */
  keep?: boolean;
  /** Paired runs (parse, then audit) per size; ratios are the median over the pairs. Default 3. */
  repeat?: number;
}

/** One child-process measurement. */
export interface Measurement {
  wallMs: number;
  /** User + system CPU time of the measured region: steadier than wall time on a shared machine. */
  cpuMs: number;
  peakRssMb: number;
  baseRssMb: number;
  note?: string;
  /** Audit side only: milliseconds in readDump, readManifestFolder and audit(). */
  phases?: { readDumpMs: number; manifestsMs: number; auditMs: number };
}

export interface BenchAuditRow {
  nodes: number;
  daemonSets: number;
  pods: number;
  dumpMb: number;
  findings: number | null;
  /** The median run of each side (by CPU time). */
  parse: Measurement;
  audit: Measurement;
  /** Medians over the paired runs of audit ÷ parse. */
  ratios: { wall: number; cpu: number; peakRss: number };
  pairs: number;
}

const PODS_PER_FILE = 20_000;
const SELF = fileURLToPath(import.meta.url);

/** Writes the generated cluster as kubectl would dump it and the manifests as a GitOps folder; returns the dump size. */
async function writeCluster(dir: string, nodes: number, daemonSets: number, extraPodsPerNode: number): Promise<{ pods: number; bytes: number }> {
  const c = generateCluster({ nodes, daemonSets, extraPodsPerNode });
  const dump = join(dir, 'dump');
  const git = join(dir, 'gitops');
  await mkdir(dump, { recursive: true });
  await mkdir(git, { recursive: true });
  let bytes = 0;
  const list = async (file: string, items: unknown[]): Promise<void> => {
    // Compact, as the API server sends lists (kubectl's 4-space indent would triple the bytes, not
    // the objects); the floor and the audit read the very same bytes.
    const text = JSON.stringify({ apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } });
    bytes += Buffer.byteLength(text);
    await writeFile(join(dump, file), text);
  };
  await list('nodes.json', c.nodes);
  await list('daemonsets.json', [...c.daemonSets, ...c.controllerRevisions]);
  for (let i = 0; i * PODS_PER_FILE < c.pods.length; i++) {
    await list(`pods-${String(i).padStart(2, '0')}.json`, c.pods.slice(i * PODS_PER_FILE, (i + 1) * PODS_PER_FILE));
  }
  for (const m of c.manifests) {
    const ns = m.metadata.namespace ?? 'default';
    await mkdir(join(git, ns), { recursive: true });
    await writeFile(join(git, ns, `${m.metadata.name}.yaml`), stringify(m));
  }
  return { pods: c.pods.length, bytes };
}

/** Runs this file as a child in `mode` on `dir` and returns what it measured. */
function measure(mode: 'parse' | 'audit', dir: string): Promise<Measurement & { findings?: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--max-old-space-size=8192', '--import', 'tsx', SELF, '--child', mode, dir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !line.startsWith('{')) reject(new Error(`bench child ${mode} exited ${code}: ${out.slice(-500)}`));
      else resolve(JSON.parse(line) as Measurement & { findings?: number });
    });
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Returns the run whose CPU time is the median of `runs`. */
function medianRun<T extends Measurement>(runs: T[]): T {
  return [...runs].sort((a, b) => a.cpuMs - b.cpuMs)[(runs.length - 1) >> 1]!;
}

const mb = (bytes: number): number => Math.round(bytes / 1024 / 1024);
const cpuMsSince = (start: NodeJS.CpuUsage): number => {
  const u = process.cpuUsage(start);
  return (u.user + u.system) / 1000;
};
const rssMb = (): number => Math.round(process.resourceUsage().maxRSS / 1024);

/** The child side: one measurement, printed as a JSON line. */
async function child(mode: string, dir: string): Promise<void> {
  const dumpDir = join(dir, 'dump');
  if (mode === 'parse') {
    const base = rssMb();
    const c0 = process.cpuUsage();
    const t = performance.now();
    const files = (await readdir(dumpDir)).sort();
    const parsed: unknown[] = [];
    for (const f of files) parsed.push(JSON.parse(await readFile(join(dumpDir, f), 'utf8')));
    const wallMs = performance.now() - t;
    console.log(JSON.stringify({ wallMs, cpuMs: cpuMsSince(c0), peakRssMb: rssMb(), baseRssMb: base, objects: parsed.length }));
    return;
  }
  // Import everything first, so module loading is in neither figure.
  const { readDump } = await import('../functions/adapters/dump-reader.js');
  const { readManifestFolder } = await import('../functions/adapters/manifest-folder.js');
  const { loadRules } = await import('../functions/adapters/rules-loader.js');
  const { audit } = await import('../functions/core/audit.js');
  const { DEFAULT_THRESHOLDS } = await import('../functions/core/policy/parse.js');
  const rules = await loadRules(fileURLToPath(new URL('../rules/', import.meta.url)));
  const base = rssMb();
  const c0 = process.cpuUsage();
  const t = performance.now();
  const snapshot = await readDump([dumpDir], { cluster: 'bench' });
  const t1 = performance.now();
  const desired = await readManifestFolder(join(dir, 'gitops'));
  const t2 = performance.now();
  let findings: number | undefined;
  let note: string | undefined;
  try {
    const report = audit(
      snapshot,
      desired,
      { rules, namespaces: [], requiredCoverage: [], severityOverrides: [], waivers: [], thresholds: DEFAULT_THRESHOLDS },
      new Date('2026-11-20T10:00:00Z'),
    );
    findings = report.findings.length;
  } catch (err) {
    note = `audit() failed: ${(err as Error).message}`;
  }
  const t3 = performance.now();
  const phases = { readDumpMs: t1 - t, manifestsMs: t2 - t1, auditMs: t3 - t2 };
  console.log(JSON.stringify({ wallMs: t3 - t, cpuMs: cpuMsSince(c0), peakRssMb: rssMb(), baseRssMb: base, findings, note, phases }));
}

function pad(s: string | number, n: number): string {
  return String(s).padStart(n);
}

/** Measures the audit path against a bare JSON.parse at each size and prints a table; returns the rows. */
export async function benchAudit(opts: BenchAuditOptions = {}): Promise<BenchAuditRow[]> {
  const print = opts.print ?? ((l: string) => console.log(l));
  const sizes = opts.sizes ?? [2500, 5000];
  const daemonSets = opts.daemonSets ?? 16;
  const extra = opts.extraPodsPerNode ?? 2;
  const rows: BenchAuditRow[] = [];
  const pairs = Math.max(1, opts.repeat ?? 3);
  print(
    `audit benchmark: ${daemonSets} DaemonSets, ${extra} other pods per node; each figure from its own child process; ratios are medians of ${pairs} paired run(s)`,
  );
  print(
    `${'nodes'.padStart(6)} ${'pods'.padStart(7)} ${'dump MB'.padStart(8)} | ${'parse s'.padStart(8)} ${'cpu s'.padStart(6)} ${'RSS MB'.padStart(7)} | ${'audit s'.padStart(8)} ${'cpu s'.padStart(6)} ${'RSS MB'.padStart(7)} | ${'wall ×'.padStart(6)} ${'cpu ×'.padStart(6)} ${'RSS ×'.padStart(6)} | findings`,
  );
  for (const nodes of sizes) {
    const dir = await mkdtemp(join(tmpdir(), `drift-bench-${nodes}-`));
    try {
      const { pods, bytes } = await writeCluster(dir, nodes, daemonSets, extra);
      const parses: Measurement[] = [];
      const audits: (Measurement & { findings?: number })[] = [];
      for (let i = 0; i < pairs; i++) {
        parses.push(await measure('parse', dir));
        audits.push(await measure('audit', dir));
      }
      const ratio = (f: (m: Measurement) => number): number => median(parses.map((p, i) => f(audits[i]!) / f(p)));
      const ratios = { wall: ratio((m) => m.wallMs), cpu: ratio((m) => m.cpuMs), peakRss: ratio((m) => m.peakRssMb) };
      const parse = medianRun(parses);
      const auditRun = medianRun(audits);
      const row: BenchAuditRow = { nodes, daemonSets, pods, dumpMb: mb(bytes), findings: auditRun.findings ?? null, parse, audit: auditRun, ratios, pairs };
      rows.push(row);
      const sec = (ms: number, n: number): string => pad((ms / 1000).toFixed(2), n);
      const ph = auditRun.phases;
      print(
        `${pad(nodes, 6)} ${pad(pods, 7)} ${pad(row.dumpMb, 8)} | ${sec(parse.wallMs, 8)} ${sec(parse.cpuMs, 6)} ${pad(parse.peakRssMb, 7)} | ${sec(auditRun.wallMs, 8)} ${sec(auditRun.cpuMs, 6)} ${pad(auditRun.peakRssMb, 7)} | ${pad(ratios.wall.toFixed(2), 6)} ${pad(ratios.cpu.toFixed(2), 6)} ${pad(ratios.peakRss.toFixed(2), 6)} | ${row.findings ?? '-'}${auditRun.note ? `  (${auditRun.note})` : ''}`,
      );
      if (ph)
        print(
          `${' '.repeat(24)}audit s = readDump ${(ph.readDumpMs / 1000).toFixed(2)} + manifests ${(ph.manifestsMs / 1000).toFixed(2)} + audit() ${(ph.auditMs / 1000).toFixed(2)}`,
        );
      print(
        `${' '.repeat(24)}dump audit against a bare JSON.parse: CPU ${ratios.cpu.toFixed(2)}× (goal ≤ 1.2×: ${ratios.cpu <= 1.2 ? 'met' : 'not met'}), peak memory ${ratios.peakRss.toFixed(2)}× (goal < 1×: ${ratios.peakRss < 1 ? 'met' : 'not met'})`,
      );
    } finally {
      if (opts.keep) print(`  files kept in ${dir}`);
      else await rm(dir, { recursive: true, force: true });
    }
  }
  if (rows.length >= 2) {
    const [a, b] = [rows[0]!, rows.at(-1)!];
    const work = (x: BenchAuditRow): number => x.nodes * x.daemonSets + x.pods;
    print(
      `scaling ${a.nodes} -> ${b.nodes} nodes: work (nodes × DaemonSets + pods) ×${(work(b) / work(a)).toFixed(2)}, ` +
        `parse cpu ×${(b.parse.cpuMs / a.parse.cpuMs).toFixed(2)}, audit cpu ×${(b.audit.cpuMs / a.audit.cpuMs).toFixed(2)}, ` +
        `audit() alone ×${((b.audit.phases?.auditMs ?? 0) / Math.max(1, a.audit.phases?.auditMs ?? 0)).toFixed(2)}, ` +
        `audit RSS above baseline ×${((b.audit.peakRssMb - b.audit.baseRssMb) / Math.max(1, a.audit.peakRssMb - a.audit.baseRssMb)).toFixed(2)}`,
    );
  }
  print(
    'goal: the dump audit ≤ 1.2× a bare JSON.parse in CPU (median of paired runs) and below it in peak memory; wall time swings on a shared machine, CPU time less',
  );
  return rows;
}

if (process.argv[1] === SELF && process.argv[2] === '--child') {
  child(process.argv[3]!, process.argv[4]!).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
