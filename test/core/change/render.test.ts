import { describe, expect, it } from 'vitest';
import {
  changeAnnotations,
  changeCommentMarker,
  changeExitCode,
  compareChange,
  renderChangeMarkdown,
  renderChangeTable,
} from '../../../functions/core/change/index.js';
import { AT, daemonSet, defaultPolicy, desiredOf, node, snapshotOf } from '../../support/builders.js';

const HOSTILE = 'n1-@octocat-#12-](javascript:alert(1))';

/** A check where the head drops the GPU toleration on a node whose name tries to mention, link and inject. */
function hostileCheck() {
  const snapshot = snapshotOf({
    cluster: 'prod <b>',
    nodes: [node(HOSTILE, { taints: ['nvidia.com/gpu=present:NoSchedule'], nodeGroup: 'gpu-@ml' }), node('w1')],
  });
  snapshot.source.finishedAt = AT.toISOString();
  const base = desiredOf([daemonSet('logging/agent', { tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists' }] })]);
  const head = desiredOf([daemonSet('logging/agent')]);
  return compareChange(snapshot, base, head, defaultPolicy(), AT);
}

describe('renderChangeMarkdown()', () => {
  it("starts with the cluster's hidden marker and escapes every string from the cluster", () => {
    const md = renderChangeMarkdown(hostileCheck());

    expect(md.split('\n')[0]).toBe(changeCommentMarker('prod <b>'));
    expect(changeCommentMarker('prod <b>')).toBe('<!-- drift-auditor:pr-check cluster=prod%20%3Cb%3E -->');
    // Inside code spans nothing mentions, links or renders; outside them every string is escaped.
    const prose = md
      .split('\n')
      .slice(1)
      .join('\n')
      .replace(/(`+)[^`]*?\1/g, '');
    expect(md).toContain(`\`${HOSTILE}\``);
    expect([/@octocat/.test(prose), prose.includes('](javascript:'), prose.includes('<b>')]).toEqual([false, false, false]);
    expect(prose).toContain('n1\\-@\u200doctocat\\-\\#\u200d12\\-\\]\\(javascript\\:alert\\(1\\)\\)');
    expect(md).toContain('| `logging/agent` | modified | 2 | 1 | 1 | 0 |');
  });
});

describe('changeAnnotations()', () => {
  it('gives one annotation per DaemonSet and rule on its manifest line, listing node groups', () => {
    const annotations = changeAnnotations(hostileCheck());

    expect(annotations).toEqual([
      {
        path: 'gitops/logging/agent.yaml',
        start_line: 1,
        end_line: 1,
        annotation_level: 'warning',
        title: 'logging/agent loses 1 node (change/coverage-lost)',
        message: `1 node · pool gpu-@ml · zone (none) · taints nvidia.com/gpu=present:NoSchedule — taint nvidia.com/gpu=present:NoSchedule not tolerated (${HOSTILE})`,
      },
    ]);
  });
});

describe('renderChangeTable()', () => {
  it('replaces control characters from the cluster', () => {
    const r = hostileCheck();
    r.findings[0]!.node = 'n1\u001b[31m';

    expect(renderChangeTable(r)).not.toContain('\u001b');
  });
});

describe('changeExitCode()', () => {
  it('fails at or above --fail-on, and always when incomplete', () => {
    const r = hostileCheck();

    expect([changeExitCode(r, 'critical').code, changeExitCode(r, 'warning').code, changeExitCode(r, 'none').code]).toEqual([0, 1, 0]);
    expect(changeExitCode({ ...r, complete: false, gaps: [{ source: 'head:x', message: 'bad' }] }, 'none')).toEqual({
      code: 1,
      reason: 'the check is INCOMPLETE, so it cannot say what the change does: head:x: bad',
    });
  });
});
