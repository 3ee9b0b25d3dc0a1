import { describe, expect, it } from 'vitest';
import { emptyDumpContents, kindFromFileName, parseDumpText, snapshotFromDump } from '../../functions/core/dump.js';
import { InputError } from '../../functions/core/errors.js';
import type { K8sDaemonSet } from '../../functions/core/k8s-types.js';
import { daemonSet, node, pod, revision } from '../support/builders.js';

const ds = daemonSet('kube-system/agent');
const list = (items: unknown[], extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ apiVersion: 'v1', kind: 'List', metadata: {}, items, ...extra });

describe('parseDumpText()', () => {
  it('sorts the objects of a v1 List by kind and ignores other kinds', () => {
    const text = list([node('n1'), ds, pod(ds, 'n1'), { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' } }]);

    const c = parseDumpText('dump.json', text);

    expect([c.nodes.length, c.daemonSets.length, c.pods.length, c.controllerRevisions.length]).toEqual([1, 1, 1, 0]);
  });

  it('takes the kind of items from a typed list and infers it for untyped lists', () => {
    const { kind: _k, ...bare } = node('n2');

    const c = parseDumpText('nodes.json', JSON.stringify({ kind: 'NodeList', items: [bare] }));
    parseDumpText('more.json', JSON.stringify({ metadata: {}, items: [bare] }), c);

    expect(c.nodes.map((n) => n.metadata.name)).toEqual(['n2', 'n2']);
  });

  it('checks only the metadata of pods no DaemonSet controls (the audit reads nothing else of them)', () => {
    const other = { kind: 'Pod', metadata: { name: 'web-1', namespace: 'shop' }, spec: { containers: 'not read' } };

    const c = parseDumpText('dump.json', list([node('n1'), other]));

    expect(c.pods.map((p) => p.metadata.name)).toEqual(['web-1']);
  });

  it("reads sonobuoy's resources/ files: JSON arrays whose items have no kind, typed by the file name or their shape", () => {
    const strip = <T extends object>(o: T): Omit<T, 'kind' | 'apiVersion'> => {
      const { kind: _k, apiVersion: _a, ...rest } = o as T & { kind?: string; apiVersion?: string };
      return rest;
    };
    const c = emptyDumpContents();

    parseDumpText('resources/cluster/Nodes.json', JSON.stringify([strip(node('n1'))]), c);
    parseDumpText('resources/ns/kube-system/core_v1_pods.json', JSON.stringify([strip(pod(ds, 'n1'))]), c);
    parseDumpText('resources/ns/kube-system/apps_v1_daemonsets.json', JSON.stringify([strip(ds)]), c);
    parseDumpText('resources/ns/kube-system/ControllerRevisions.json', JSON.stringify([strip(revision(ds, 1))]), c);
    parseDumpText('resources/ns/kube-system/anything.json', JSON.stringify([strip(node('n2'))]), c);

    expect([c.nodes.map((n) => n.metadata.name), c.pods.length, c.daemonSets.length, c.controllerRevisions.length]).toEqual([['n1', 'n2'], 1, 1, 1]);
  });

  it.each([
    ['resources/ns/a/extensions_v1beta1_daemonsets.json', 'DaemonSet'],
    ['resources/cluster/core_v1_nodes.json.gz', 'Node'],
    ['Pods.json', 'Pod'],
    ['cluster/ControllerRevisions.yaml', 'ControllerRevision'],
    ['resources/ns/a/core_v1_services.json', undefined],
  ])('kindFromFileName(%s) is %s', (file, kind) => {
    expect(kindFromFileName(file)).toEqual(kind);
  });

  it('reads an extensions/v1beta1 DaemonSet as the API server converts it: templateGeneration becomes the generation annotation, the selector defaults to the template labels', () => {
    const { selector: _s, ...spec } = ds.spec;
    const old = { ...ds, apiVersion: 'extensions/v1beta1', spec: { ...spec, templateGeneration: 3 } };

    const c = parseDumpText('dump.json', list([old]));

    expect(c.daemonSets[0]!.metadata.annotations?.['deprecated.daemonset.template.generation']).toEqual('3');
    expect(c.daemonSets[0]!.spec.selector).toEqual({ matchLabels: ds.spec.template.metadata!.labels });
  });

  it('reads YAML with several documents', () => {
    const c = parseDumpText('dump.yaml', 'apiVersion: v1\nkind: Node\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Node\nmetadata: {name: b}\n');

    expect(c.nodes.map((n) => n.metadata.name)).toEqual(['a', 'b']);
  });

  it('reads the snapshot header from the List annotations', () => {
    const annotations = {
      'drift-auditor.io/cluster': 'prod-eu',
      'drift-auditor.io/server-version': 'v1.33.2',
      'drift-auditor.io/started-at': '2026-06-01T11:59:00Z',
      'drift-auditor.io/finished-at': '2026-06-01T11:59:30Z',
      'drift-auditor.io/auditor-version': '0.1.0',
      'drift-auditor.io/namespaces': 'kube-system, monitoring',
      'drift-auditor.io/gaps': JSON.stringify([{ source: 'kubernetes:list pods', message: 'forbidden' }]),
    };

    const c = parseDumpText('snap.json', list([node('n1')], { metadata: { annotations } }));
    const s = snapshotFromDump(c, [{ path: 'snap.json', sha256: 'ab' }]);

    expect(s.cluster).toEqual('prod-eu');
    expect(s.gaps).toEqual([{ source: 'kubernetes:list pods', message: 'forbidden' }]);
    expect(s.source).toEqual({
      kind: 'dump',
      files: [{ path: 'snap.json', sha256: 'ab' }],
      serverVersion: 'v1.33.2',
      startedAt: '2026-06-01T11:59:00Z',
      finishedAt: '2026-06-01T11:59:30Z',
      auditorVersion: '0.1.0',
      namespaces: ['kube-system', 'monitoring'],
    });
  });

  it.each([
    ['an empty file', '  \n', /x: the file is empty/],
    ['invalid JSON', '{\n "kind": "List",\n "items": [,]\n}', /x: line 3: invalid JSON/],
    ['a JSON array of numbers', '[1, 2]', /x: not a Kubernetes List or object \(found an array of number\)/],
    ['an object without kind or items', '{"a": 1}', /x: not a Kubernetes List or object \(no kind and no items\)/],
    ['invalid YAML', 'kind: List\nitems: [\n', /x: line \d+: invalid YAML/],
    ['a YAML scalar', 'hello', /x: not a Kubernetes List or object \(found string\)/],
    [
      'a YAML alias bomb',
      `a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n`,
      /x: line 1: .*alias/i,
    ],
    ['bad gaps annotation', list([], { metadata: { annotations: { 'drift-auditor.io/gaps': 'nope' } } }), /annotation drift-auditor.io\/gaps is not JSON/],
    [
      'a node with a string for taints',
      list([{ ...node('n1'), spec: { taints: 'bad' } }]),
      /^failed to read dump x: Node n1: spec\.taints must be a list, not string "bad"$/,
    ],
    [
      'a node label that is a number',
      list([node('n1', { labels: { a: 1 as unknown as string } })]),
      /^failed to read dump x: Node n1: metadata\.labels\.a must be a string \(quote it\), not number 1$/,
    ],
    [
      'a pod with a null owner reference',
      list([{ ...pod(ds, 'n1'), metadata: { name: 'p1', namespace: 'kube-system', ownerReferences: [null] } }]),
      /^failed to read dump x: Pod kube-system\/p1: metadata\.ownerReferences\[0\] must be an object, not null$/,
    ],
    [
      'a container status whose imageID is a number',
      list([{ ...pod(ds, 'n1'), status: { containerStatuses: [{ name: 'c', imageID: 5 }] } }]),
      /: status\.containerStatuses\[0\]\.imageID must be a string, not number 5$/,
    ],
    ['a pod status that is not an object', list([{ ...pod(ds, 'n1'), status: 'x' }]), /: status must be an object, not string "x"$/],
    [
      'a DaemonSet whose containers are not a list',
      list([{ ...ds, spec: { ...ds.spec, template: { spec: { containers: 'x' } } } }]),
      /^failed to read dump x: DaemonSet kube-system\/agent: spec\.template\.spec\.containers must be a list, not string "x"$/,
    ],
    ['a node without a name', list([{ ...node('n1'), metadata: { labels: {} } }]), /^failed to read dump x: Node \(no name\): metadata\.name is missing$/],
    [
      'an apps/v1 DaemonSet without a selector',
      list([{ ...ds, spec: { template: ds.spec.template } }]),
      /^failed to read dump x: DaemonSet kube-system\/agent: spec\.selector is missing$/,
    ],
    [
      'a revision without a number',
      list([{ kind: 'ControllerRevision', metadata: { name: 'r1', namespace: 'kube-system' }, revision: '2' }]),
      /ControllerRevision kube-system\/r1: revision must be a number, not string "2"$/,
    ],
    [
      'a YAML .nan',
      'kind: Node\nmetadata: {name: n1}\nspec:\n  x: .nan\n',
      /^failed to read dump x: line 4: invalid YAML: \.nan is not a number Kubernetes accepts/,
    ],
    [
      'a YAML -.inf',
      'kind: List\nitems:\n- kind: DaemonSet\n  metadata: {name: a}\n  spec:\n    minReadySeconds: -.inf\n',
      /^failed to read dump x: line 6: invalid YAML: -\.inf is not a number/,
    ],
    [
      'a YAML document nested 20,000 levels deep',
      `kind: Node\nmetadata: {name: n1}\nspec: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`,
      /^failed to read dump x: line 3: invalid YAML: the document is nested too deeply to read/,
    ],
    [
      'a JSON Node nested 20,000 levels deep',
      list([{ ...node('n1'), spec: { x: 'DEEP' } }]).replace('"DEEP"', `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`),
      /^failed to read dump x: Node n1: spec\.x(\.a){10}…\(88 levels more\) is nested more than 100 levels deep$/,
    ],
  ])('rejects %s naming the file', (_n, text, message) => {
    expect(() => parseDumpText('x', text)).toThrow(InputError);
    expect(() => parseDumpText('x', text)).toThrow(message);
  });
});

describe('parseDumpText()', () => {
  it('refuses snapshot files of two different clusters', () => {
    const of = (cluster: string) => list([node('n1')], { metadata: { annotations: { 'drift-auditor.io/cluster': cluster } } });
    const c = parseDumpText('prod.json', of('prod'));
    parseDumpText('prod-again.json', of('prod'), c);

    expect(() => parseDumpText('staging.json', of('staging'), c)).toThrow(
      "failed to read dump staging.json: it is a snapshot of cluster 'staging', but an earlier file is of cluster 'prod'; audit one cluster at a time",
    );
  });
});

describe('snapshotFromDump()', () => {
  it('rejects a dump without nodes', () => {
    const c = parseDumpText('pods.json', list([pod(ds, 'n1')]));

    expect(() => snapshotFromDump(c, [{ path: 'pods.json', sha256: '' }])).toThrow('no Node objects in pods.json: a dump without nodes cannot be audited');
  });

  it('drops objects that two files both hold, and prefers the given cluster name', () => {
    const c = emptyDumpContents();
    parseDumpText('a.json', list([node('n1')]), c);
    parseDumpText('b.json', list([node('n1'), node('n2')]), c);

    const s = snapshotFromDump(c, [], 'given');

    expect(s.nodes.map((n) => n.metadata.name)).toEqual(['n1', 'n2']);
    expect(s.cluster).toEqual('given');
  });

  const scheduled = (d: K8sDaemonSet, n: number): K8sDaemonSet => ({
    ...d,
    status: { desiredNumberScheduled: n, currentNumberScheduled: n, numberReady: n, numberMisscheduled: 0, updatedNumberScheduled: n },
  });
  const other = daemonSet('monitoring/exporter');

  it('records a gap when the dump has no Pod list while the DaemonSets report scheduled pods (kubectl get nodes,daemonsets)', () => {
    const s = snapshotFromDump(parseDumpText('d.json', list([node('n1'), scheduled(ds, 1), scheduled(other, 2), revision(ds, 1)])), []);

    expect(s.gaps).toEqual([
      {
        source: 'dump:pods',
        message:
          'the dump has no Pod list, while its DaemonSets report 3 scheduled pods: coverage cannot be judged (dump pods too: kubectl get nodes,daemonsets,pods,controllerrevisions -A -o json)',
      },
    ]);
  });

  it('records a gap for a namespace whose DaemonSets report pods the dump does not hold', () => {
    const s = snapshotFromDump(parseDumpText('d.json', list([node('n1'), scheduled(ds, 1), scheduled(other, 2), pod(ds, 'n1'), revision(ds, 1)])), []);

    expect(s.gaps).toEqual([
      {
        source: 'dump:pods/monitoring',
        message: 'the dump has no Pod in namespace monitoring, while its DaemonSets report 2 scheduled pods: coverage there cannot be judged',
      },
    ]);
  });

  it('records no gap for zero pods when the DaemonSets report none scheduled either', () => {
    const s = snapshotFromDump(parseDumpText('d.json', list([node('n1'), scheduled(ds, 0), revision(ds, 1)])), []);

    expect([s.gaps, s.source.notes]).toEqual([[], undefined]);
  });

  it('counts a listed pod of any owner as the namespace having been dumped', () => {
    const web = { ...pod(ds, 'n1', { name: 'web-1', owner: { kind: 'ReplicaSet', name: 'web', uid: 'uid-rs' } }) };

    const s = snapshotFromDump(parseDumpText('d.json', list([node('n1'), scheduled(ds, 1), web, revision(ds, 1)])), []);

    expect(s.gaps).toEqual([]);
  });

  it('records a gap when pods name DaemonSet controllers but the dump has no DaemonSet list', () => {
    const s = snapshotFromDump(parseDumpText('d.json', list([node('n1'), pod(ds, 'n1'), pod(other, 'n1')])), []);

    expect(s.gaps).toEqual([
      { source: 'dump:daemonsets', message: 'the dump has no DaemonSet list, while 2 pods name a DaemonSet as controller: their DaemonSets cannot be audited' },
    ]);
  });

  it('records a gap for a namespace whose daemon pods have no DaemonSet in the dump', () => {
    const s = snapshotFromDump(parseDumpText('d.json', list([node('n1'), scheduled(ds, 1), pod(ds, 'n1'), pod(other, 'n1'), revision(ds, 1)])), []);

    expect(s.gaps).toEqual([
      {
        source: 'dump:daemonsets/monitoring',
        message: 'the dump has no DaemonSet in namespace monitoring, while 1 pod there names a DaemonSet as controller: those DaemonSets cannot be audited',
      },
    ]);
  });

  it('notes, without a gap, that a dump without ControllerRevisions judges up-to-date pods by generation or image', () => {
    const s = snapshotFromDump(parseDumpText('d.json', list([node('n1'), scheduled(ds, 1), pod(ds, 'n1')])), []);

    expect(s.gaps).toEqual([]);
    expect(s.source.notes).toEqual([
      'the dump has no ControllerRevision: whether a pod is up to date is judged by its pod-template-generation label where the DaemonSet records a template generation, else by its container images alone',
    ]);
  });

  it('names the cluster unknown when nothing says otherwise', () => {
    expect(snapshotFromDump(parseDumpText('a.json', list([node('n1')])), []).cluster).toEqual('unknown');
  });
});
