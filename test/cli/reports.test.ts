import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalStore } from '../../functions/adapters/store/index.js';
import { main, type CliIO } from '../../functions/cli/main.js';
import { sampleReport, sampleRun } from '../adapters/store/harness.js';
import { startS3Server, type S3Server } from '../adapters/store/s3-server.js';

let dir: string | undefined;
let server: S3Server | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  await server?.close();
  dir = undefined;
  server = undefined;
});

function io(env: NodeJS.ProcessEnv = {}): CliIO & { out: string; err: string } {
  const r = { out: '', err: '', env, isTTY: false, stdout: (s: string) => void (r.out += s), stderr: (s: string) => void (r.err += s) };
  return r;
}

/** A folder store holding two runs of prod-eu-1; returns their ids, oldest first. */
async function folderWithRuns(): Promise<{ store: string; ids: string[] }> {
  dir = await mkdtemp(join(tmpdir(), 'cli-reports-'));
  const store = new LocalStore(dir);
  const ids = [];
  for (const at of ['2026-06-01T12:00:00.000Z', '2026-06-02T12:00:00.000Z']) ids.push((await store.putRun(sampleRun(sampleReport(at)))).runId);
  return { store: dir, ids };
}

describe('drift-auditor reports', () => {
  it('lists the runs newest first', async () => {
    const { store, ids } = await folderWithRuns();
    const cli = io();

    const code = await main(['reports', 'list', '--store', store], cli);

    expect(code).toEqual(0);
    expect(
      cli.out
        .split('\n')
        .slice(0, 3)
        .map((l) => l.split(/\s+/)),
    ).toEqual([
      ['RUN', 'ID', 'GENERATED', 'AT', 'STATUS', 'CRITICAL', 'WARNING', 'INFO', 'WAIVED'],
      [ids[1], '2026-06-02T12:00:00.000Z', 'complete', '1', '0', '0', '0'],
      [ids[0], '2026-06-01T12:00:00.000Z', 'complete', '1', '0', '0', '0'],
    ]);
  });

  it('prints a file of the latest run, or of a given run', async () => {
    const { store, ids } = await folderWithRuns();
    const latest = io();
    const first = io();

    await main(['reports', 'get', '--store', store, '--cluster', 'prod-eu-1'], latest);
    await main(['reports', 'get', ids[0]!, '--store', store, '--file', 'report.json'], first);

    expect(latest.out).toContain('# drift-auditor: cluster prod\\-eu\\-1');
    expect(JSON.parse(first.out).generatedAt).toEqual('2026-06-01T12:00:00.000Z');
  });

  it.each([
    [['-o', 'markdown'], 'report.md'],
    [['-o', 'json'], 'report.json'],
    [['--output', 'html'], 'report.html'],
    [['--format', 'csv'], 'findings.csv'],
    [['--file', 'manifest.json'], 'manifest.json'],
    [['-o', 'json', '--file', 'report.json'], 'report.json'],
  ])('prints the file %j picks', async (flags, name) => {
    const { store, ids } = await folderWithRuns();
    const { prefix } = await new LocalStore(store).getRun('prod-eu-1', ids[1]!);
    const cli = io();

    const code = await main(['reports', 'get', '--store', store, ...flags], cli);

    expect([code, cli.out]).toEqual([0, await readFile(join(store, prefix, name), 'utf8')]);
  });

  it('writes the file to --out PATH, and to stdout with --out -, creating no file named -', async () => {
    const { store, ids } = await folderWithRuns();
    const { prefix } = await new LocalStore(store).getRun('prod-eu-1', ids[1]!);
    const bytes: Buffer[] = [];
    const piped = { ...io(), stdoutBytes: (b: Buffer) => void bytes.push(b) };
    const out = join(store, 'copy.csv');

    const written = await main(['reports', 'get', '--store', store, '-o', 'csv', '--out', out], io());
    const printed = await main(['reports', 'get', '--store', store, '--file', 'snapshot.json.gz', '--out', '-'], piped);

    expect([written, printed]).toEqual([0, 0]);
    expect(await readFile(out, 'utf8')).toEqual(await readFile(join(store, prefix, 'findings.csv'), 'utf8'));
    expect(Buffer.concat(bytes)).toEqual(await readFile(join(store, prefix, 'snapshot.json.gz')));
    expect(existsSync('-')).toBe(false);
  });

  it('still writes the file an old script names with --output PATH, with a one-line note on stderr', async () => {
    const { store, ids } = await folderWithRuns();
    const { prefix } = await new LocalStore(store).getRun('prod-eu-1', ids[1]!);
    const out = join(store, 'old.json');
    const cli = io();

    const code = await main(['reports', 'get', '--store', store, '--file', 'report.json', '--output', out], cli);

    expect(code).toEqual(0);
    expect(await readFile(out, 'utf8')).toEqual(await readFile(join(store, prefix, 'report.json'), 'utf8'));
    expect(cli.err).toEqual(
      `drift-auditor: -o/--output is the format (markdown, json, html, csv) as in kubectl; '${out}' is taken as a file this once: write --out ${out}\nwrote report.json of run ${ids[1]} to ${out}\n`,
    );
  });

  it.each([['list'], ['verify']])('takes -o json for %s as --json', async (sub) => {
    const { store } = await folderWithRuns();
    const a = io();
    const b = io();

    await main(['reports', sub, '--store', store, '-o', 'json'], a);
    await main(['reports', sub, '--store', store, '--json'], b);

    expect(JSON.parse(a.out)).toEqual(JSON.parse(b.out));
  });

  it('prints a stored file with control characters made harmless, and writes it byte for byte with --out', async () => {
    const { store, ids } = await folderWithRuns();
    const { prefix } = await new LocalStore(store).getRun('prod-eu-1', ids[1]!);
    await chmod(join(store, prefix, 'report.md'), 0o644);
    await writeFile(join(store, prefix, 'report.md'), '# ok\n\u001b]0;pwned\u0007\u001b[2J text\u202e\r\n');
    const cli = io();

    await main(['reports', 'get', '--store', store], cli);
    await main(['reports', 'get', '--store', store, '--out', join(store, 'copy.md')], io());

    expect(cli.out).toEqual('# ok\n?]0;pwned??[2J text?\r\n');
    expect(await readFile(join(store, 'copy.md'), 'utf8')).toEqual('# ok\n\u001b]0;pwned\u0007\u001b[2J text\u202e\r\n');
  });

  it('writes a binary file with --out and refuses to print it, on a terminal even with --out -', async () => {
    const { store } = await folderWithRuns();
    const out = join(dir!, 'snap.json.gz');
    const printed = io();
    const terminal = { ...io(), stdoutColumns: 80 };

    const code = await main(['reports', 'get', '--store', store, '--file', 'snapshot.json.gz', '--out', out], io());
    const refused = await main(['reports', 'get', '--store', store, '--file', 'snapshot.json.gz'], printed);
    const refusedOnTerminal = await main(['reports', 'get', '--store', store, '--file', 'snapshot.json.gz', '--out', '-'], terminal);

    expect(code).toEqual(0);
    expect(JSON.parse(gunzipSync(await readFile(out)).toString()).cluster).toEqual('prod-eu-1');
    expect([refused, refusedOnTerminal]).toEqual([2, 2]);
    expect(printed.err).toContain('it is binary; use --out PATH, or --out - into a pipe');
  });

  it('verifies a run (exit 0) and fails on a tampered object (exit 1)', async () => {
    const { store, ids } = await folderWithRuns();
    const before = io();
    const after = io();

    const ok = await main(['reports', 'verify', ids[1]!, '--store', store], before);
    await writeFile(join(store, `clusters/prod-eu-1/runs/2026/06/02/${ids[1]}/findings.csv`), 'severity\r\n');
    const bad = await main(['reports', 'verify', ids[1]!, '--store', store], after);

    expect(ok).toEqual(0);
    expect(before.out).toContain(`run ${ids[1]} of cluster prod-eu-1: all 6 objects match their sha256`);
    expect(bad).toEqual(1);
    expect(after.out).toContain('VERIFICATION FAILED: findings.csv mismatch');
  });

  it('verifies a run in S3 given by --s3-endpoint and catches a tampered object', async () => {
    server = await startS3Server();
    const env = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'eu-west-1' };
    const spec = `s3://${server.bucket}/audits`;
    const { openStore } = await import('../../functions/adapters/store/index.js');
    const { runId, keys } = await openStore(spec, { endpoint: server.endpoint, env }).putRun(sampleRun());
    await server.client().send(new PutObjectCommand({ Bucket: server.bucket, Key: `audits/${keys['report.html']}`, Body: '<h1>all green</h1>' }));
    const cli = io(env);

    const code = await main(['reports', 'verify', runId, '--store', spec, '--s3-endpoint', server.endpoint, '--json'], cli);

    expect(code).toEqual(1);
    expect(
      JSON.parse(cli.out)
        .objects.filter((o: { status: string }) => o.status !== 'ok')
        .map((o: { name: string }) => o.name),
    ).toEqual(['report.html']);
  });

  it.each([
    [['reports'], /expected list, get, verify or evidence, got ''\n/],
    [['reports', 'lsit'], /expected list, get, verify or evidence, got 'lsit' \(did you mean 'list'\?\)/],
    [['reports', 'evidnce'], /\(did you mean 'evidence'\?\)/],
    [['reports', 'list', 'extra'], /unexpected 'extra'/],
    [['reports', 'list', '--limit', '0'], /failed to parse --limit '0'/],
    [['reports', 'get', '--file', 'passwd'], /failed to get passwd of run .*: the run has manifest\.json, report\.json/],
    [
      ['reports', 'get', '--out', '/nonexistent/folder/report.md'],
      /^drift-auditor: failed to write \/nonexistent\/folder\/report\.md: the folder does not exist/,
    ],
    [['reports', 'get', '-o', 'pdf'], /^drift-auditor: -o\/--output must be one of markdown, json, html, csv, not 'pdf' \(to write a file: --out FILE\)/],
    [['reports', 'get', '-o', 'json', '--file', 'report.md'], /-o json picks report\.json, --file picks report\.md: give one/],
    [['reports', 'get', '--output', 'a/b.md', '--out', 'c.md'], /both name a file/],
    [['reports', 'get', '--json'], /--json is for list and verify/],
    [['reports', 'list', '-o', 'markdown'], /-o\/--output must be one of table, json, not 'markdown'\n/],
    [['reports', 'verify', '--out', 'x.txt'], /--out is for reports get, not reports verify/],
  ])('rejects %j with a usage error (exit 2)', async (argv, message) => {
    const { store } = await folderWithRuns();
    const cli = io();

    const code = await main([...argv, '--store', store], cli);

    expect(code).toEqual(2);
    expect(cli.err).toMatch(message);
  });

  it('asks for --cluster when the store holds several clusters', async () => {
    const { store } = await folderWithRuns();
    await new LocalStore(store).putRun(sampleRun(sampleReport(undefined, { cluster: 'staging' })));
    const cli = io();

    const code = await main(['reports', 'list', '--store', store], cli);

    expect(code).toEqual(2);
    expect(cli.err).toContain('holds prod-eu-1, staging; pass --cluster');
  });
});
