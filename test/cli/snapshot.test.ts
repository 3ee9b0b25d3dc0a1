import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { readDump } from '../../functions/adapters/dump-reader.js';
import { main, type CliIO } from '../../functions/cli/main.js';
import { kubeconfigFor, startK8sApi, type K8sApi, type K8sFault } from '../emulators/k8s-api/server.js';
import { exampleCluster } from '../adapters/kubernetes/example-cluster.js';

let api: K8sApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

function io(isTTY = false): CliIO & { out: string; err: string } {
  const r = { out: '', err: '', env: {}, isTTY, stdout: (s: string) => void (r.out += s), stderr: (s: string) => void (r.err += s) };
  return r;
}

async function setup(faults: K8sFault[] = [], cluster = exampleCluster()): Promise<{ kubeconfig: string; dir: string }> {
  api = await startK8sApi({ ...cluster, token: 'cli-token', faults });
  const dir = mkdtempSync(join(tmpdir(), 'cli-snapshot-'));
  return { kubeconfig: kubeconfigFor(api, { dir }), dir };
}

describe('drift-auditor snapshot', () => {
  it('writes the snapshot file and says what it wrote', async () => {
    const { kubeconfig, dir } = await setup();
    const out = join(dir, 'snap.json.gz');
    const cli = io();

    const code = await main(['snapshot', '--kubeconfig', kubeconfig, '--cluster', 'prod', '-n', 'kube-system', '--out', out], cli);

    expect(code).toEqual(0);
    const list = JSON.parse(gunzipSync(readFileSync(out)).toString('utf8'));
    expect(list.metadata.annotations['drift-auditor.io/cluster']).toEqual('prod');
    expect(list.metadata.annotations['drift-auditor.io/namespaces']).toEqual('kube-system');
    expect(cli.err).toMatch(/^wrote .*snap\.json\.gz: 4 nodes, 3 DaemonSets, 7 daemon pods, 2 revisions \(\d+ bytes, sha256 [0-9a-f]{64}\)\n$/);
    expect(cli.out).toEqual('');
  });

  it('shows a progress line on a terminal only', async () => {
    const { kubeconfig, dir } = await setup();
    const tty = io(true);
    const pipe = io(false);
    const lists = Object.values(exampleCluster()).map((items: unknown[]) => items.length);
    const objects = lists.reduce((a, b) => a + b, 0);
    const pages = lists.reduce((a, n) => a + Math.ceil(n / 2), 0);

    await main(['snapshot', '--kubeconfig', kubeconfig, '--page-size', '2', '--out', join(dir, 'a.json.gz')], tty);
    await main(['snapshot', '--kubeconfig', kubeconfig, '--page-size', '2', '--out', join(dir, 'b.json.gz')], pipe);

    expect(tty.err).toMatch(/^\rread \d+ objects in \d+ pages, \d+\.\ds/);
    expect(tty.err).toMatch(new RegExp(`\\rread ${objects} objects in ${pages} pages, \\d+\\.\\ds\\nwrote `));
    expect(pipe.err.includes('\r')).toBe(false);
  });

  it('exits 2 with one line and writes no file when the read fails', async () => {
    const { kubeconfig, dir } = await setup([{ kind: '403', resource: 'pods' }]);
    const out = join(dir, 'never.json.gz');
    const cli = io();

    const code = await main(['snapshot', '--kubeconfig', kubeconfig, '--out', out], cli);

    expect(code).toEqual(2);
    expect(cli.err.split('\n').filter(Boolean)).toEqual([
      expect.stringMatching(
        /^drift-auditor: failed to list pods in all namespaces: forbidden \(403\): the auditor needs get\/list on pods; see deploy\/rbac\.yaml/,
      ),
    ]);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('never'))).toEqual([]);
  });

  it('exits 2 before reading the cluster when the --out folder does not exist', async () => {
    const { kubeconfig, dir } = await setup();
    const cli = io();

    const code = await main(['snapshot', '--kubeconfig', kubeconfig, '--out', join(dir, 'missing', 'snap.json.gz')], cli);

    expect([code, cli.err]).toEqual([
      2,
      `drift-auditor: failed to write snapshot ${join(dir, 'missing', 'snap.json.gz')}: folder ${join(dir, 'missing')} does not exist\n`,
    ]);
    expect(api!.requests).toEqual([]);
  });

  it("prints one line, without the parser's code frame, for a kubeconfig that is a Helm template", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-snapshot-'));
    writeFileSync(join(dir, 'config'), 'clusters:\n  - {{ .Values.cluster | toYaml | nindent 4 }}\n');
    const cli = io();

    const code = await main(['snapshot', '--kubeconfig', join(dir, 'config'), '--out', join(dir, 'x.json.gz')], cli);

    expect([code, cli.err.split('\n').filter(Boolean).length]).toEqual([2, 1]);
    expect(cli.err).toMatch(/^drift-auditor: failed to load kubeconfig from .*config: /);
  });

  it('writes plain JSON to a file whose name does not end in .gz', async () => {
    const { kubeconfig, dir } = await setup();
    const out = join(dir, 'prod.json');

    const code = await main(['snapshot', '--kubeconfig', kubeconfig, '--out', out], io());

    expect(code).toEqual(0);
    expect(JSON.parse(readFileSync(out, 'utf8')).kind).toEqual('List');
  });

  it.each([[['-o', 'json']], [['--output', 'json']], [['--format', 'json']], [['--out', '-']]])(
    'prints the snapshot as JSON on stdout with %j and writes no file',
    async (flags) => {
      const { kubeconfig, dir } = await setup();
      const before = readdirSync(dir);
      const cli = io();

      const code = await main(['snapshot', '--kubeconfig', kubeconfig, '-n', 'kube-system', ...flags], cli);

      expect(code).toEqual(0);
      const list = JSON.parse(cli.out);
      expect([list.kind, list.items.filter((i: { kind: string }) => i.kind === 'Node').length]).toEqual(['List', 4]);
      expect(cli.err).toEqual('printed the snapshot: 4 nodes, 3 DaemonSets, 7 daemon pods, 2 revisions\n');
      expect(readdirSync(dir)).toEqual(before);
      expect(existsSync('-')).toBe(false);
    },
  );

  it('prints the same List as YAML with -o yaml, and writes it to a file the audit reads back', async () => {
    const { kubeconfig, dir } = await setup();
    const json = io();
    const yaml = io();

    await main(['snapshot', '--kubeconfig', kubeconfig, '-o', 'json'], json);
    await main(['snapshot', '--kubeconfig', kubeconfig, '-o', 'yaml'], yaml);
    const code = await main(['snapshot', '--kubeconfig', kubeconfig, '-o', 'yaml', '--out', join(dir, 'prod.yaml')], io());

    const fromJson = JSON.parse(json.out);
    const fromYaml = YAML.parse(yaml.out);
    const strip = (l: { metadata: { annotations: Record<string, string> } }) => ({ ...l, metadata: {} });
    expect(strip(fromYaml)).toEqual(strip(fromJson));
    expect(code).toEqual(0);
    const read = await readDump([join(dir, 'prod.yaml')]);
    expect([read.nodes.length, read.daemonSets.length, read.pods.length]).toEqual([
      4,
      fromJson.items.filter((i: { kind: string }) => i.kind === 'DaemonSet').length,
      fromJson.items.filter((i: { kind: string }) => i.kind === 'Pod').length,
    ]);
  });

  it.each([
    ['json', (t: string): unknown => JSON.parse(t)],
    ['yaml', (t: string): unknown => YAML.parse(t)],
  ] as const)('escapes bidi and C1 characters from the cluster on stdout with -o %s, keeping the value', async (format, parse) => {
    const cluster = exampleCluster();
    const planted = 'ok\u202egnp.exe\u009b2J';
    cluster.nodes[0]!.metadata.labels = { ...cluster.nodes[0]!.metadata.labels, team: planted };
    const { kubeconfig } = await setup([], cluster);
    const cli = io();

    await main(['snapshot', '--kubeconfig', kubeconfig, '-o', format], cli);

    expect(cli.out).not.toMatch(/[\u0080-\u009f\u202a-\u202e]/);
    const list = parse(cli.out) as { items: { kind: string; metadata: { labels?: Record<string, string> } }[] };
    expect(list.items.find((i) => i.metadata.labels?.team)?.metadata.labels?.team).toEqual(planted);
  });

  it('still writes the file an old script names with -o PATH, with a one-line note on stderr', async () => {
    const { kubeconfig, dir } = await setup();
    const out = join(dir, 'old.json.gz');
    const cli = io();

    const code = await main(['snapshot', '--kubeconfig', kubeconfig, '-o', out], cli);

    expect(code).toEqual(0);
    expect(JSON.parse(gunzipSync(readFileSync(out)).toString('utf8')).kind).toEqual('List');
    expect(cli.err.split('\n')[0]).toEqual(
      `drift-auditor: -o/--output is the format (json, yaml) as in kubectl; '${out}' is taken as a file this once: write --out ${out}`,
    );
    expect(cli.out).toEqual('');
  });

  it.each([
    [['snapshot'], /-o json\|yaml \(print the snapshot\) or --out FILE \(write it\) is required/],
    [['snapshot', '-o', 'xml'], /^drift-auditor: -o\/--output must be one of json, yaml, not 'xml' \(to write a file: --out FILE\)\n/],
    [['snapshot', '-o', 'a/b.json', '--out', 'c.json'], /both name a file/],
    [['snapshot', '-o', 'json', '--format', 'yaml'], /-o\/--output 'json' and --format 'yaml' disagree/],
    [['snapshot', '--out', 'x', '--page-size', '0'], /--page-size must be a positive integer, not '0'/],
    [['snapshot', '--bogus'], /Unknown option '--bogus'/],
  ])('exits 2 on bad usage %j', async (argv, message) => {
    const cli = io();

    const code = await main(argv, cli);

    expect(code).toEqual(2);
    expect(cli.err).toMatch(message);
  });
});
