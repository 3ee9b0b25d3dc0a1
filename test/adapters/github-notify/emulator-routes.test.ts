// The emulator's issue, git data and pull routes, driven by the real octokit client.
import { Octokit } from 'octokit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gitDataRoutes, putCommit } from '../../emulators/github/git-data.js';
import { issueRoutes, labelRoutes } from '../../emulators/github/issues.js';
import { pullRoutes } from '../../emulators/github/pulls.js';
import { newRepo, startGitHubEmulator, type GitHubEmulator } from '../../emulators/github/server.js';

let emu: GitHubEmulator;
let octokit: Octokit;

beforeEach(async () => {
  emu = await startGitHubEmulator([...issueRoutes, ...labelRoutes, ...gitDataRoutes, ...pullRoutes]);
  emu.state.repos.set('acme/ops', newRepo('acme', 'ops'));
  octokit = new Octokit({ baseUrl: emu.url, auth: 't', throttle: { enabled: false }, retry: { enabled: false } });
});
afterEach(async () => {
  await emu.close();
});

describe('issue routes', () => {
  it('paginates the issues list with Link headers and filters by state and labels', async () => {
    for (let i = 0; i < 105; i++) await octokit.rest.issues.create({ owner: 'acme', repo: 'ops', title: `t${i}`, labels: i % 2 ? ['drift'] : [] });

    const all = await octokit.paginate(octokit.rest.issues.listForRepo, { owner: 'acme', repo: 'ops', state: 'all', per_page: 20 });
    const drift = await octokit.paginate(octokit.rest.issues.listForRepo, { owner: 'acme', repo: 'ops', state: 'all', labels: 'drift', per_page: 20 });

    expect(all.length).toEqual(105);
    expect(drift.length).toEqual(52);
    expect(drift.every((i) => i.labels.some((l) => typeof l !== 'string' && l.name === 'drift'))).toEqual(true);
  });

  it('closes, reopens and comments on an issue', async () => {
    const { data: created } = await octokit.rest.issues.create({ owner: 'acme', repo: 'ops', title: 'x', body: 'b' });

    await octokit.rest.issues.update({ owner: 'acme', repo: 'ops', issue_number: created.number, state: 'closed' });
    await octokit.rest.issues.createComment({ owner: 'acme', repo: 'ops', issue_number: created.number, body: 'done' });
    const { data: got } = await octokit.rest.issues.get({ owner: 'acme', repo: 'ops', issue_number: created.number });
    const { data: comments } = await octokit.rest.issues.listComments({ owner: 'acme', repo: 'ops', issue_number: created.number });

    expect([got.state, got.comments, comments.map((c) => c.body)]).toEqual(['closed', 1, ['done']]);
  });

  it('answers 422 already_exists for a taken label name', async () => {
    await octokit.rest.issues.createLabel({ owner: 'acme', repo: 'ops', name: 'drift', color: 'ededed' });

    const err = await octokit.rest.issues.createLabel({ owner: 'acme', repo: 'ops', name: 'Drift', color: 'ededed' }).catch((e: { status: number }) => e);

    expect((err as { status: number }).status).toEqual(422);
  });
});

describe('git data and pull routes', () => {
  it('commits a changed file on a new branch and opens one PR for it', async () => {
    const repo = emu.state.repos.get('acme/ops')!;
    const base = putCommit(
      repo,
      new Map([
        ['ds/a.yaml', 'image: a:1\n'],
        ['README', 'hi\n'],
      ]),
      [],
      'init',
    );
    repo.refs.set('refs/heads/main', base.sha);

    const { data: ref } = await octokit.rest.git.getRef({ owner: 'acme', repo: 'ops', ref: 'heads/main' });
    const { data: commit } = await octokit.rest.git.getCommit({ owner: 'acme', repo: 'ops', commit_sha: ref.object.sha });
    const { data: tree } = await octokit.rest.git.getTree({ owner: 'acme', repo: 'ops', tree_sha: commit.tree.sha, recursive: '1' });
    const entry = tree.tree.find((e) => e.path === 'ds/a.yaml')!;
    const { data: blob } = await octokit.rest.git.getBlob({ owner: 'acme', repo: 'ops', file_sha: entry.sha! });
    const { data: newBlob } = await octokit.rest.git.createBlob({ owner: 'acme', repo: 'ops', content: 'image: a:2\n', encoding: 'utf-8' });
    const { data: newTree } = await octokit.rest.git.createTree({
      owner: 'acme',
      repo: 'ops',
      base_tree: commit.tree.sha,
      tree: [{ path: 'ds/a.yaml', mode: '100644', type: 'blob', sha: newBlob.sha }],
    });
    const { data: newCommit } = await octokit.rest.git.createCommit({ owner: 'acme', repo: 'ops', message: 'm', tree: newTree.sha, parents: [commit.sha] });
    await octokit.rest.git.createRef({ owner: 'acme', repo: 'ops', ref: 'refs/heads/fix', sha: newCommit.sha });
    const again = await octokit.rest.git
      .createRef({ owner: 'acme', repo: 'ops', ref: 'refs/heads/fix', sha: newCommit.sha })
      .catch((e: { status: number; message: string }) => e);
    const { data: pr } = await octokit.rest.pulls.create({ owner: 'acme', repo: 'ops', title: 'fix', head: 'fix', base: 'main', body: 'b' });
    const dup = await octokit.rest.pulls.create({ owner: 'acme', repo: 'ops', title: 'fix', head: 'fix', base: 'main' }).catch((e: { status: number }) => e);
    const { data: listed } = await octokit.rest.pulls.list({ owner: 'acme', repo: 'ops', head: 'acme:fix', state: 'all' });

    expect(Buffer.from(blob.content, 'base64').toString('utf8')).toEqual('image: a:1\n');
    expect(repo.commits.get(repo.refs.get('refs/heads/fix')!)!.files).toEqual(
      new Map([
        ['ds/a.yaml', 'image: a:2\n'],
        ['README', 'hi\n'],
      ]),
    );
    expect([(again as { status: number }).status, (again as { message: string }).message]).toEqual([422, expect.stringContaining('Reference already exists')]);
    expect((dup as { status: number }).status).toEqual(422);
    expect(listed.map((p) => [p.number, p.head.ref, p.base.ref, p.state])).toEqual([[pr.number, 'fix', 'main', 'open']]);
  });
});
