import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../functions/core/errors.js';
import { editDaemonSetImages } from '../../../functions/core/github-issues/manifest-edit.js';
import { capture } from '../../support/captures.js';

const fixture = (name: string) => readFileSync(capture(name), 'utf8');

/** Returns the 1-based numbers of lines that differ (the files must have as many lines). */
function changedLines(a: string, b: string): number[] {
  const x = a.split('\n');
  const y = b.split('\n');
  expect(y.length).toEqual(x.length);
  return x.flatMap((l, i) => (l === y[i] ? [] : [i + 1]));
}

describe('editDaemonSetImages()', () => {
  it('changes exactly the image line of a manifest with a license header and comments', () => {
    const text = fixture('k8s-device-plugin/nvidia-device-plugin.yml');

    const r = editDaemonSetImages(text, 'nvidia-device-plugin.yml', { namespace: 'kube-system', name: 'nvidia-device-plugin-daemonset' }, [
      { container: 'nvidia-device-plugin-ctr', image: 'nvcr.io/nvidia/k8s-device-plugin:v0.20.1' },
    ]);

    expect([changedLines(text, r.text), r.text.split('\n')[40], r.changed]).toEqual([
      [41],
      '      - image: nvcr.io/nvidia/k8s-device-plugin:v0.20.1',
      [{ container: 'nvidia-device-plugin-ctr', from: 'nvcr.io/nvidia/k8s-device-plugin:v0.20.0', to: 'nvcr.io/nvidia/k8s-device-plugin:v0.20.1', line: 41 }],
    ]);
  });

  it('changes only the named containers of a DaemonSet without namespace (indented sequences)', () => {
    const text = fixture('aws-ebs-csi-driver/node.yaml');

    const r = editDaemonSetImages(text, 'ebs-csi-node.yaml', { namespace: 'kube-system', name: 'ebs-csi-node' }, [
      { container: 'ebs-plugin', image: 'public.ecr.aws/ebs-csi-driver/aws-ebs-csi-driver:v1.64.1' },
      { container: 'liveness-probe', image: 'public.ecr.aws/csi-components/livenessprobe@sha256:' + 'a'.repeat(64) },
    ]);

    expect(changedLines(text, r.text)).toEqual([51, 148]);
  });

  it.each([
    ['double quotes', 'image: "reg/app:1" # pinned', 'image: "reg/app:2" # pinned'],
    ['single quotes', "image: 'reg/app:1'", "image: 'reg/app:2'"],
    ['a trailing comment', 'image: reg/app:1  # keep me', 'image: reg/app:2  # keep me'],
  ])('keeps %s', (_name, line, want) => {
    const text = `# head\napiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: ds, namespace: ns}\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          ${line}\n`;

    const r = editDaemonSetImages(text, 'f.yaml', { namespace: 'ns', name: 'ds' }, [{ container: 'app', image: 'reg/app:2' }]);

    expect(r.text).toEqual(text.replace(line, want));
  });

  it('returns the text unchanged when the image is already there', () => {
    const text = fixture('k8s-device-plugin/nvidia-device-plugin.yml');

    const r = editDaemonSetImages(text, 'f', { namespace: 'kube-system', name: 'nvidia-device-plugin-daemonset' }, [
      { container: 'nvidia-device-plugin-ctr', image: 'nvcr.io/nvidia/k8s-device-plugin:v0.20.0' },
    ]);

    expect([r.text === text, r.method, r.changed]).toEqual([true, 'unchanged', []]);
  });

  it.each([
    ['a DaemonSet that is not in the file', { namespace: 'kube-system', name: 'other' }, 'nvidia-device-plugin-ctr', /no DaemonSet kube-system\/other/],
    ['a container the DaemonSet lacks', { namespace: 'kube-system', name: 'nvidia-device-plugin-daemonset' }, 'sidecar', /has no container sidecar/],
  ])('throws an InputError for %s', (_name, target, container, message) => {
    const run = () => editDaemonSetImages(fixture('k8s-device-plugin/nvidia-device-plugin.yml'), 'gpu.yml', target, [{ container, image: 'x:1' }]);

    expect(run).toThrow(InputError);
    expect(run).toThrow(message);
  });
});
