import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { desiredStateFromFiles, parseManifestFile } from '../../functions/core/manifests.js';
import { capture, UPSTREAM_GITOPS } from '../support/captures.js';

/** Returns an upstream manifest by its path in the GitOps folder the captures make (support/captures.ts). */
const fixture = (p: string): string => readFileSync(capture(UPSTREAM_GITOPS[p]!), 'utf8');

const DS = (name: string, ns?: string): string => `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: ${name}
${ns ? `  namespace: ${ns}\n` : ''}spec:
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
        - name: ${name}
          image: example/${name}:1
`;

describe('parseManifestFile()', () => {
  it('reads the DaemonSet of a real multi-document file and skips the other kinds', () => {
    const r = parseManifestFile('kube-flannel/kube-flannel.yml', fixture('kube-flannel/kube-flannel.yml'));

    expect(r.problems).toEqual([]);
    expect(r.daemonSets.map((d) => [d.manifest.metadata.namespace, d.manifest.metadata.name, d.line, d.documentIndex])).toEqual([
      ['kube-flannel', 'kube-flannel-ds', 100, 5],
    ]);
    expect(r.namespaces).toEqual(['kube-flannel']);
  });

  it('puts a DaemonSet without namespace in default', () => {
    const r = parseManifestFile('nvidia/gpu-feature-discovery-daemonset.yaml', fixture('nvidia/gpu-feature-discovery-daemonset.yaml'));

    expect(r.daemonSets.map((d) => d.manifest.metadata.namespace)).toEqual(['default']);
    expect(r.namespaces).toEqual(['default']);
  });

  it('gives the line of the document start after comments', () => {
    const r = parseManifestFile('aws/aws-k8s-cni.yaml', fixture('aws/aws-k8s-cni.yaml'));

    expect(r.daemonSets.map((d) => [d.manifest.metadata.name, d.line])).toEqual([['aws-node', 161]]);
  });

  it('reads JSON and kind: List items', () => {
    const list = {
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'logging' } },
        {
          apiVersion: 'apps/v1',
          kind: 'DaemonSet',
          metadata: { name: 'fb', namespace: 'logging' },
          spec: { selector: {}, template: { spec: { containers: [] } } },
        },
      ],
    };

    const r = parseManifestFile('list.json', JSON.stringify(list, null, 2));

    expect(r.daemonSets.map((d) => `${d.manifest.metadata.namespace}/${d.manifest.metadata.name}`)).toEqual(['logging/fb']);
    expect(r.namespaces).toEqual(['logging']);
  });

  it('skips DaemonSets of other API versions and objects without kind', () => {
    const text = `${DS('a').replace('apps/v1', 'extensions/v1beta1')}---\nimage:\n  tag: 1\n---\n${DS('b', 'x')}`;

    const r = parseManifestFile('f.yaml', text);

    expect(r.daemonSets.map((d) => d.manifest.metadata.name)).toEqual(['b']);
    expect(r.problems).toEqual([]);
  });

  it('reports a broken document with its line and keeps the good ones', () => {
    const text = `${DS('a', 'x')}---\nkind: DaemonSet\nmetadata: [unclosed\n---\n${DS('b', 'x')}`;

    const r = parseManifestFile('f.yaml', text);

    expect(r.daemonSets.map((d) => d.manifest.metadata.name)).toEqual(['a', 'b']);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ rule: 'manifest/invalid', file: 'f.yaml', line: 17 });
    expect(r.problems[0]!.message).toMatch(/^invalid YAML/);
  });

  it('reports a Helm template clearly', () => {
    const text = '{{- if .Values.enabled }}\napiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: {{ .Values.name }}\n{{- end }}\n';

    const r = parseManifestFile('chart/templates/ds.yaml', text);

    expect(r.problems).toEqual([
      { rule: 'manifest/invalid', file: 'chart/templates/ds.yaml', line: 1, message: expect.stringMatching(/unrendered Helm\/Go template/) },
    ]);
  });

  it.each([
    ['YAML', 'ds.yaml', 'apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: agent\n  labels:\n    {{- include "x.labels" . | nindent 4 }}\n'],
    ['JSON', 'ds.json', '{\n  "kind": "DaemonSet",\n  "metadata": {\n  "name": "a"\n  },\n  "spec": {{ toJson .Values.spec }}\n}'],
  ])('reports a Helm template in %s at the line of its first {{ }}', (_case, file, text) => {
    const r = parseManifestFile(file, text);

    expect(r.problems).toEqual([{ rule: 'manifest/invalid', file, line: 6, message: expect.stringMatching(/^unrendered Helm\/Go template/) }]);
  });

  it('reports a quoted Helm expression in a DaemonSet field', () => {
    const r = parseManifestFile('ds.yaml', DS('a', 'x').replace('example/a:1', '"{{ .Values.image }}"'));

    expect(r.daemonSets).toEqual([]);
    expect(r.problems[0]!.message).toMatch(/spec\.template\.spec\.containers\[0\]\.image holds an unrendered Helm template/);
  });

  it('accepts {{ }} in a ConfigMap (alerting templates are legitimate config)', () => {
    const text =
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: am, namespace: mon}\ndata:\n  tmpl: |\n    {{ range .Alerts }}{{ .Labels.alertname }}{{ end }}\n';

    const r = parseManifestFile('cm.yaml', text);

    expect(r.problems).toEqual([]);
    expect(r.namespaces).toEqual(['mon']);
  });

  it('refuses a YAML alias bomb', () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++)
      lines.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(',')}]`,
      );

    const r = parseManifestFile('bomb.yaml', `${lines.join('\n')}\nkind: DaemonSet\n`);

    expect(r.problems).toEqual([{ rule: 'manifest/invalid', file: 'bomb.yaml', line: 1, message: expect.stringMatching(/alias bomb/) }]);
  });

  it.each([
    ['spec.selector', (t: string) => t.replace('  selector:\n    matchLabels: {app: a}\n', '')],
    ['spec.template', (t: string) => t.replace(/ {2}template:[\s\S]*$/, '')],
    ['metadata.name', (t: string) => t.replace('  name: a\n', '')],
  ])('reports a DaemonSet missing %s', (field, edit) => {
    const r = parseManifestFile('ds.yaml', edit(DS('a', 'x')));

    expect(r.daemonSets).toEqual([]);
    // The DaemonSet is named on the problem whenever its name could be read.
    const named = field === 'metadata.name' ? {} : { daemonSet: 'x/a' };
    expect(r.problems).toEqual([{ rule: 'manifest/invalid', file: 'ds.yaml', line: 1, message: expect.stringContaining(`missing ${field}`), ...named }]);
  });

  it.each([
    [
      'tolerations that are not a list',
      (t: string) => t.replace('    spec:\n', '    spec:\n      tolerations: all\n'),
      13,
      'spec.template.spec.tolerations must be a list, not string "all"',
    ],
    [
      'a null toleration',
      (t: string) => t.replace('    spec:\n', '    spec:\n      tolerations: [~]\n'),
      13,
      'spec.template.spec.tolerations[0] must be an object, not null',
    ],
    [
      'an unquoted number label',
      (t: string) => t.replace('labels: {app: a}', 'labels: {app: a, version: 2}'),
      11,
      'spec.template.metadata.labels.version must be a string (quote it), not number 2',
    ],
    [
      'env without a name',
      (t: string) => t.replace('image: example/a:1\n', 'image: example/a:1\n          env: [{value: x}]\n'),
      16,
      'spec.template.spec.containers[0].env[0].name is missing',
    ],
    [
      'a container that is not an object',
      (t: string) => t.replace(/ {8}- name: a\n {10}image: example\/a:1\n/, '        - a\n'),
      14,
      'spec.template.spec.containers[0] must be an object, not string "a"',
    ],
  ])('reports a DaemonSet with %s at the line of the field, and keeps the good ones', (_case, edit, line, message) => {
    const r = parseManifestFile('ds.yaml', `${edit(DS('a', 'x'))}---\n${DS('b', 'x')}`);

    expect(r.daemonSets.map((d) => d.manifest.metadata.name)).toEqual(['b']);
    expect(r.problems).toEqual([{ rule: 'manifest/invalid', file: 'ds.yaml', line, message: `DaemonSet a: ${message}`, daemonSet: 'x/a' }]);
  });

  it('gives each item of a kind: List its own line', () => {
    const items = [DS('a', 'x'), DS('b', 'x').replace('image: example/b:1', 'image: example/b:1\n          env: 5')].map(
      (d) => `${d.trimEnd().replace(/^/gm, '    ').replace(/^ {4}/, '  - ')}\n`,
    );
    const r = parseManifestFile('list.yaml', `apiVersion: v1\nkind: List\nitems:\n${items.join('')}`);

    expect(r.daemonSets.map((d) => [d.manifest.metadata.name, d.line])).toEqual([['a', 4]]);
    expect(r.problems).toEqual([
      {
        rule: 'manifest/invalid',
        file: 'list.yaml',
        line: 34,
        message: 'DaemonSet b: spec.template.spec.containers[0].env must be a list, not number 5',
        daemonSet: 'x/b',
      },
    ]);
  });

  it('honours YAML merge keys as kubectl does', () => {
    const text = DS('a', 'x').replace(
      / {8}- name: a\n {10}image: example\/a:1\n/,
      '        - <<: &base {name: a, image: example/a:1}\n          imagePullPolicy: Always\n',
    );

    const r = parseManifestFile('ds.yaml', text);

    expect([r.problems, r.daemonSets[0]!.manifest.spec.template.spec.containers]).toEqual([
      [],
      [{ name: 'a', image: 'example/a:1', imagePullPolicy: 'Always' }],
    ]);
  });

  it('reads YAML 1.1 octal and booleans as kubectl does (defaultMode: 0644 is 420; hostNetwork: yes is true)', () => {
    const text = DS('a', 'x').replace(
      '    spec:\n',
      '    spec:\n      hostNetwork: yes\n      volumes: [{name: v, secret: {secretName: s, defaultMode: 0644}}]\n',
    );

    const r = parseManifestFile('ds.yaml', text);
    const spec = r.daemonSets[0]!.manifest.spec.template.spec;

    expect([r.problems, spec.hostNetwork, spec.volumes]).toEqual([[], true, [{ name: 'v', secret: { secretName: 's', defaultMode: 420 } }]]);
  });

  it('reports an unquoted label value that YAML 1.1 reads as a boolean, as the API server would', () => {
    const r = parseManifestFile('ds.yaml', DS('a', 'x').replace('labels: {app: a}', 'labels: {app: a, enabled: on}'));

    expect(r.problems.map((p) => p.message)).toEqual(['DaemonSet a: spec.template.metadata.labels.enabled must be a string (quote it), not boolean true']);
  });

  it('reports an alias to an anchor of another document as such, not as an alias bomb', () => {
    const r = parseManifestFile('ds.yaml', `base: &base {name: a}\n---\n${DS('a', 'x').replace('  name: a\n', '  name: *base\n')}`);

    expect(r.problems).toEqual([{ rule: 'manifest/invalid', file: 'ds.yaml', line: 3, message: expect.stringMatching(/^invalid YAML: Unresolved alias/) }]);
  });

  it('reads an unquoted {{ … }} key as an unrendered template, printing no warning', () => {
    const warn = vi.spyOn(process, 'emitWarning');
    const text = DS('a', 'x').replace('  name: a\n', '  {{ .Values.nameKey }}: a\n');

    const r = parseManifestFile('ds.yaml', text);

    expect(r.problems).toEqual([
      { rule: 'manifest/invalid', file: 'ds.yaml', line: 4, message: expect.stringMatching(/^unrendered Helm\/Go template/) as unknown as string },
    ]);
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
  });

  it.each([
    ['.nan', 'minReadySeconds: .nan', 7],
    ['-.inf', 'minReadySeconds: -.inf', 7],
    ['.Inf', 'minReadySeconds: .Inf', 7],
  ])('refuses %s (NaN and infinity are no Kubernetes values) with its line', (_n, field, line) => {
    const r = parseManifestFile('ds.yaml', DS('a', 'x').replace('spec:\n', `spec:\n  ${field}\n`));

    expect(r.problems).toEqual([
      {
        rule: 'manifest/invalid',
        file: 'ds.yaml',
        line: 1,
        message: expect.stringMatching(
          new RegExp(`^invalid YAML: .* is not a number Kubernetes accepts .*\\(line ${line}, column \\d+\\)$`),
        ) as unknown as string,
      },
    ]);
    expect(r.daemonSets).toEqual([]);
  });

  it.each([
    [
      'YAML',
      'ds.yaml',
      DS('a', 'x').replace('spec:\n', `spec:\n  deep: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`),
      /^invalid YAML: the document is nested too deeply to read/,
    ],
    [
      'JSON',
      'ds.json',
      JSON.stringify({ kind: 'ConfigMap', data: 'DEEP' }).replace('"DEEP"', `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`),
      /^data(\.a){11}…\(988 levels more\) is nested more than 1000 levels deep$/,
    ],
  ])('reports a %s document nested 20,000 levels deep as manifest/invalid, without a stack overflow', (_n, file, text, message) => {
    const r = parseManifestFile(file, text);

    expect(r.problems).toEqual([
      { rule: 'manifest/invalid', file, line: expect.any(Number) as unknown as number, message: expect.stringMatching(message) as unknown as string },
    ]);
  });

  it('refuses a DaemonSet nested deeper than any real one, naming the field', () => {
    const deep = `${'{"a":'.repeat(200)}1${'}'.repeat(200)}`;
    const text = JSON.stringify({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'a', namespace: 'x' },
      spec: { selector: {}, template: { spec: { containers: [], x: 'DEEP' } } },
    }).replace('"DEEP"', deep);

    const r = parseManifestFile('ds.json', text);

    expect(r.problems.map((p) => [p.daemonSet, p.message])).toEqual([
      ['x/a', 'DaemonSet a: spec.template.spec.x.a.a.a.a.a.a.a.a…(88 levels more) is nested more than 100 levels deep'],
    ]);
  });

  it('reports invalid JSON with its line', () => {
    const r = parseManifestFile('x.json', '{\n  "kind": "DaemonSet",\n  oops\n}');

    expect(r.problems).toEqual([{ rule: 'manifest/invalid', file: 'x.json', line: 3, message: expect.stringMatching(/^invalid JSON/) }]);
  });
});

describe('desiredStateFromFiles()', () => {
  it('keeps the first of two declarations of one DaemonSet and reports the second', () => {
    const a = parseManifestFile('a.yaml', DS('agent', 'x'));
    const b = parseManifestFile('b.yaml', DS('agent', 'x'));

    const d = desiredStateFromFiles({ kind: 'folder', location: 'g' }, [a, b]);

    expect(d.daemonSets.map((x) => x.file)).toEqual(['a.yaml']);
    expect(d.problems).toEqual([
      {
        rule: 'manifest/invalid',
        file: 'b.yaml',
        line: 1,
        message: 'DaemonSet x/agent is declared again (first at a.yaml:1); only the first declaration is audited',
      },
    ]);
    expect(d.managedNamespaces).toEqual(['x']);
  });

  it('records an unrendered kustomization as a gap (Git not read completely), a broken file only as a finding', () => {
    const broken = parseManifestFile('broken.yaml', 'kind: DaemonSet\nmetadata: {name: x\n');
    const unrendered = {
      daemonSets: [],
      namespaces: [],
      problems: [
        {
          rule: 'manifest/unrendered' as const,
          file: 'apps/kustomization.yaml',
          message: 'kustomization in apps not rendered: neither kubectl nor kustomize is on PATH',
        },
      ],
    };

    const d = desiredStateFromFiles({ kind: 'folder', location: 'g' }, [broken, unrendered]);

    expect(d.problems.map((p) => p.rule)).toEqual(['manifest/invalid', 'manifest/unrendered']);
    expect(d.gaps).toEqual([
      { source: 'git:apps/kustomization.yaml', message: 'kustomization in apps not rendered: neither kubectl nor kustomize is on PATH' },
    ]);
  });
});
