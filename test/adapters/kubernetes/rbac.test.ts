import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';

const docs = parseAllDocuments(readFileSync(new URL('../../../deploy/rbac.yaml', import.meta.url), 'utf8')).map((d) => d.toJS());

describe('deploy/rbac.yaml', () => {
  it('grants get/list on nodes, pods, daemonsets and controllerrevisions and nothing else', () => {
    const role = docs.find((d) => d.kind === 'ClusterRole');

    const grants = role.rules.flatMap((r: { apiGroups: string[]; resources: string[]; verbs: string[] }) =>
      r.apiGroups.flatMap((g) => r.resources.map((res) => `${g}/${res}: ${[...r.verbs].sort().join(',')}`)),
    );

    expect(grants.sort()).toEqual(['/nodes: get,list', '/pods: get,list', 'apps/controllerrevisions: get,list', 'apps/daemonsets: get,list']);
  });

  it('binds the role to the drift-auditor group and service account', () => {
    const binding = docs.find((d) => d.kind === 'ClusterRoleBinding');

    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'drift-auditor-read' });
    expect(binding.subjects).toEqual([
      { kind: 'Group', name: 'drift-auditor', apiGroup: 'rbac.authorization.k8s.io' },
      { kind: 'ServiceAccount', name: 'drift-auditor', namespace: 'drift-auditor' },
    ]);
  });
});
