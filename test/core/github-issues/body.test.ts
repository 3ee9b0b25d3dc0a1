import { describe, expect, it } from 'vitest';
import { issueBody, issueTitle, reportLink, safeLocation } from '../../../functions/core/github-issues/body.js';
import { findingKey, selectSubjects } from '../../../functions/core/github-issues/subjects.js';
import type { RuleDefinition } from '../../../functions/core/types.js';
import { finding, report } from './reports.js';

const DS = 'kube-system/agent';
const WAITING = 'Back-off pulling image: auth failed for robot with password s3cr3t-waiting';
const RULES: RuleDefinition[] = [
  { id: 'coverage/unready', title: 'Daemon pod not Ready', severity: 'warning', description: 'd', remediation: 'Read the pod events.\n\nMore text.' },
];

function bodyFor(f: ReturnType<typeof finding>[]) {
  const r = report(f);
  return issueBody(selectSubjects(r, 'warning')[0]!, r, { minSeverity: 'warning', rules: RULES });
}

describe('issueBody()', () => {
  it('carries the reason code, node and rule but never the message or free-text values from the cluster', () => {
    const unready = finding(DS, 'coverage/unready', {
      node: 'n1',
      container: 'agent',
      message: `pod p on node n1 is not Ready: ${WAITING}`,
      expected: 'Ready',
      actual: `container agent is waiting: ImagePullBackOff (${WAITING})`,
      reason: 'ImagePullBackOff',
    });

    const body = bodyFor([unready]);

    expect(body).not.toContain('s3cr3t-waiting');
    expect(body).not.toContain('Back-off');
    expect(body).toContain('ImagePullBackOff');
    expect(body).toContain('n1');
    expect(body).toContain('Daemon pod not Ready');
    expect(body).toContain('Read the pod events\\.');
    expect(body).toContain('rules/coverage/unready.yaml');
  });

  it('shows short plain values as they are and free text as a sha256 prefix', () => {
    const drift = finding(DS, 'spec/drift', { path: 'spec.template.spec.containers[name=agent].resources.limits.memory', expected: '200Mi', actual: '300Mi' });
    const text = finding(DS, 'spec/drift', { path: 'metadata.labels.note', expected: 'a b', actual: 'free text from the cluster' });

    const body = bodyFor([drift, text]);

    expect(body).toContain('200Mi → 300Mi');
    expect(body).not.toContain('free text from the cluster');
    expect(body).toMatch(/sha256\\:[0-9a-f]{16} → sha256\\:[0-9a-f]{16}/);
  });

  it('keeps a finding key free of free text: a reason code stands for the actual value', () => {
    const unready = finding(DS, 'coverage/unready', { node: 'n1', expected: 'Ready', actual: `waiting: ${WAITING}`, reason: 'ImagePullBackOff' });

    expect(findingKey(unready)).toBe('["coverage/unready","n1",null,null,"Ready","ImagePullBackOff"]');
  });
});

describe('issueTitle()', () => {
  it('shows bidi overrides and control characters instead of applying them', () => {
    const title = issueTitle('prod\u202Eue-dorp', 'kube-system/agent\u0007\u2066');

    expect([...title].filter((c) => c < ' ' || /[\u202A-\u202E\u2066-\u2069]/.test(c))).toEqual([]);
    expect(title).toContain('<U+202E>');
    expect(title).toContain('<U+0007>');
    expect(title).toContain('<U+2066>');
  });
});

describe('reportLink()', () => {
  it.each([
    'https://bucket.s3.eu-west-1.amazonaws.com/r/report.html?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLE%2F20261120&X-Amz-Security-Token=IQoJb3JpZ2luX2VjE&X-Amz-Signature=abc',
    'https://example.com/r?sig=abc',
  ])('never links a URL that carries a credential: %s', (url) => {
    expect(reportLink(url)).toBe('');
  });

  it('links an object by its s3:// location, and strips userinfo from a URL', () => {
    expect(reportLink('s3://evidence/clusters/prod/runs/x/report.html')).toBe('Full report: `s3://evidence/clusters/prod/runs/x/report.html`');
    expect(safeLocation('https://user:pw@reports.example.com/x.html')).toBe('https://reports.example.com/x.html');
  });
});
