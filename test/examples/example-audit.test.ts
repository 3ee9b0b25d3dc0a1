// The bundled example (examples/) audited the way `npm start` does: the dump folder, the GitOps
// folder, the rule catalog and examples/policy.yaml at the fixed audit time. It must yield exactly
// the planted findings examples/README.md documents, and nothing on the nodes where Kubernetes
// behaves correctly (cordoned node, NotReady node within the grace period, GPU-only plugin).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../functions/core/types.js';
import { renderExample } from '../../scripts/make-example.js';
import { auditExample } from '../support/example.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const node = (ip: string): string => `ip-${ip.replace(/\./g, '-')}.eu-west-1.compute.internal`;

/** rule, namespace/daemonSet, node, container: the planted drifts, as examples/README.md lists them. */
const PLANTED: [string, string, string | null, string | undefined][] = [
  ['coverage/missing', 'monitoring/node-exporter', node('10.0.3.160'), undefined],
  ['coverage/unready', 'monitoring/node-exporter', node('10.0.1.57'), 'node-exporter'],
  ['image/drift', 'kube-system/nvidia-device-plugin-daemonset', null, 'nvidia-device-plugin-ctr'],
  ['image/outdated-pod', 'kube-system/nvidia-device-plugin-daemonset', node('10.0.1.200'), 'nvidia-device-plugin-ctr'],
  ['image/outdated-pod', 'kube-system/nvidia-device-plugin-daemonset', node('10.0.3.210'), 'nvidia-device-plugin-ctr'],
  ['image/digest-split', 'logging/fluentd', null, 'fluentd'],
  ['resource/unmanaged', 'monitoring/netshoot-debug', null, undefined],
  ['policy/waiver-expired', 'monitoring/netshoot-debug', null, undefined],
  ['coverage/kept', 'logging/fluentd', node('10.0.2.80'), undefined],
];
/** The policy's "logs from every linux node" requirement, which fluentd's own tolerations exclude on GPU nodes. */
const REQUIRED_MISSING: typeof PLANTED = [
  ['coverage/required-missing', 'logging/fluentd', node('10.0.1.200'), undefined],
  ['coverage/required-missing', 'logging/fluentd', node('10.0.3.210'), undefined],
];

let report: Report;

beforeAll(async () => {
  report = await auditExample();
});

describe('audit() on examples/', () => {
  it('yields exactly the planted findings', () => {
    const expected = [...PLANTED, ...REQUIRED_MISSING];

    const actual = report.findings.map((f) => [f.rule, `${f.namespace}/${f.daemonSet}`, f.node, f.container]);

    expect(actual.sort()).toEqual(expected.map((e) => [...e]).sort());
  });

  it('hides behind the live waiver exactly the containers without a memory limit in kube-system', () => {
    const waived = report.waived.map((f) => [f.rule, `${f.namespace}/${f.daemonSet}`, f.container]);

    expect(waived.sort()).toEqual([
      ['practice/no-resource-limits', 'kube-system/aws-node', 'aws-eks-nodeagent'],
      ['practice/no-resource-limits', 'kube-system/aws-node', 'aws-node'],
      ['practice/no-resource-limits', 'kube-system/aws-node', 'aws-vpc-cni-init'],
      ['practice/no-resource-limits', 'kube-system/kube-proxy', 'kube-proxy'],
      ['practice/no-resource-limits', 'kube-system/nvidia-device-plugin-daemonset', 'nvidia-device-plugin-ctr'],
    ]);
  });

  it('reads the whole example without gaps', () => {
    expect({ complete: report.complete, gaps: report.gaps, nodes: report.summary.nodes, daemonSets: report.summary.daemonSets })
      .toEqual({ complete: true, gaps: [], nodes: 14, daemonSets: 6 });
  });

  it('states the crash loop as the pod shows it: restarts, last exit, Ready transition', () => {
    const unready = report.findings.filter((f) => f.rule === 'coverage/unready').map((f) => f.message);

    expect(unready).toEqual([
      `pod node-exporter-pgdz4 on node ${node('10.0.1.57')} has not been Ready since 2026-11-20T09:12:40Z (47m before the audit): `
      + 'container node-exporter is waiting: CrashLoopBackOff, 14 restarts, last exit code 1 (Error) at 2026-11-20T09:54:52Z',
    ]);
  });

  it('lists what to do for each rule with a finding, linking its rule file', () => {
    expect(report.rules?.map((r) => [r.id, r.severity, r.docs])).toEqual([
      'coverage/kept', 'coverage/missing', 'coverage/required-missing', 'coverage/unready', 'image/digest-split', 'image/drift', 'image/outdated-pod',
      'policy/waiver-expired', 'resource/unmanaged',
    ].map((id) => [id, report.findings.find((f) => f.rule === id)!.severity, `rules/${id}.yaml`]));
    expect(report.rules?.every((r) => r.remediation.length > 40 && r.title.length > 10)).toBe(true);
  });

  it('reports nothing on the cordoned node', () => {
    const cordoned = node('10.0.3.92');

    const onCordoned = report.findings.filter((f) => f.node === cordoned);

    expect(onCordoned).toEqual([]);
  });

  it.each([
    ['kube-system/aws-node', 14, 14, 14, 13],
    ['kube-system/kube-proxy', 14, 14, 14, 13],
    ['kube-system/nvidia-device-plugin-daemonset', 2, 2, 2, 2],
    ['logging/fluentd', 11, 11, 11, 11],
    ['monitoring/node-exporter', 14, 13, 13, 11],
    ['monitoring/netshoot-debug', 2, 2, 2, 2],
  ])('recomputes %s as eligible %i, covered %i, up to date %i, ready %i, agreeing with its own status', (key, eligible, covered, upToDate, ready) => {
    const c = report.coverage.find((x) => `${x.namespace}/${x.name}` === key)!;

    expect({ eligible: c.eligible, covered: c.covered, upToDate: c.upToDate, ready: c.ready })
      .toEqual({ eligible, covered, upToDate, ready });
    expect({ eligible: c.reported?.desired, covered: c.reported?.current, upToDate: c.reported?.upToDate, ready: c.reported?.ready })
      .toEqual({ eligible, covered, upToDate, ready });
  });

  it('runs the GPU device plugin only on the GPU nodes', () => {
    const plugin = report.coverage.find((x) => x.name === 'nvidia-device-plugin-daemonset')!;

    expect(Object.keys(plugin.nodes).sort()).toEqual([node('10.0.1.200'), node('10.0.3.210')]);
  });
});

describe('renderExample()', () => {
  it('reproduces the committed dump from examples/gitops byte for byte', () => {
    const rendered = renderExample(`${ROOT}examples/gitops`);

    const stale = Object.entries(rendered).filter(([file, text]) => readFileSync(`${ROOT}${file}`, 'utf8') !== text).map(([file]) => file);

    expect(stale).toEqual([]);
  });
});
