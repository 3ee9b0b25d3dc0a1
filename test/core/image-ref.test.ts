import { describe, expect, it } from 'vitest';
import { checkImageRef, digestFromImageID, type ImageRef, isMutableTag, parseImageRef, sameImage } from '../../functions/core/image-ref.js';

const SHA = 'sha256:' + 'a'.repeat(64);
const SHA_B = 'sha256:' + 'b'.repeat(64);

describe('parseImageRef()', () => {
  // mirrors github.com/distribution/reference normalize_test.go:TestParseNormalizedNamed and reference_test.go:TestReferenceParse
  it.each<[string, Omit<ImageRef, 'normalized'>, string]>([
    ['nginx', { registry: 'docker.io', repository: 'library/nginx', tag: 'latest', tagImplicit: true, digest: null }, 'docker.io/library/nginx:latest'],
    ['nginx:1.27', { registry: 'docker.io', repository: 'library/nginx', tag: '1.27', tagImplicit: false, digest: null }, 'docker.io/library/nginx:1.27'],
    [
      'library/nginx:1.27',
      { registry: 'docker.io', repository: 'library/nginx', tag: '1.27', tagImplicit: false, digest: null },
      'docker.io/library/nginx:1.27',
    ],
    [
      'docker.io/nginx',
      { registry: 'docker.io', repository: 'library/nginx', tag: 'latest', tagImplicit: true, digest: null },
      'docker.io/library/nginx:latest',
    ],
    [
      'index.docker.io/library/nginx:1',
      { registry: 'docker.io', repository: 'library/nginx', tag: '1', tagImplicit: false, digest: null },
      'docker.io/library/nginx:1',
    ],
    [
      'fluent/fluentd-kubernetes-daemonset:v1-debian-elasticsearch',
      { registry: 'docker.io', repository: 'fluent/fluentd-kubernetes-daemonset', tag: 'v1-debian-elasticsearch', tagImplicit: false, digest: null },
      'docker.io/fluent/fluentd-kubernetes-daemonset:v1-debian-elasticsearch',
    ],
    [
      'registry.k8s.io/pause:3.9',
      { registry: 'registry.k8s.io', repository: 'pause', tag: '3.9', tagImplicit: false, digest: null },
      'registry.k8s.io/pause:3.9',
    ],
    ['localhost/x', { registry: 'localhost', repository: 'x', tag: 'latest', tagImplicit: true, digest: null }, 'localhost/x:latest'],
    ['localhost:5000/x', { registry: 'localhost:5000', repository: 'x', tag: 'latest', tagImplicit: true, digest: null }, 'localhost:5000/x:latest'],
    ['localhost:5000/team/x:2', { registry: 'localhost:5000', repository: 'team/x', tag: '2', tagImplicit: false, digest: null }, 'localhost:5000/team/x:2'],
    ['10.0.0.1:5000/ns/app:v1', { registry: '10.0.0.1:5000', repository: 'ns/app', tag: 'v1', tagImplicit: false, digest: null }, '10.0.0.1:5000/ns/app:v1'],
    ['[::1]:5000/app:v1', { registry: '[::1]:5000', repository: 'app', tag: 'v1', tagImplicit: false, digest: null }, '[::1]:5000/app:v1'],
    [
      '602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.23.1',
      { registry: '602401143452.dkr.ecr.us-west-2.amazonaws.com', repository: 'amazon-k8s-cni', tag: 'v1.23.1', tagImplicit: false, digest: null },
      '602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.23.1',
    ],
    [
      'public.ecr.aws/csi-components/livenessprobe:v2.19.0-eksbuild.5',
      { registry: 'public.ecr.aws', repository: 'csi-components/livenessprobe', tag: 'v2.19.0-eksbuild.5', tagImplicit: false, digest: null },
      'public.ecr.aws/csi-components/livenessprobe:v2.19.0-eksbuild.5',
    ],
    [`nginx@${SHA}`, { registry: 'docker.io', repository: 'library/nginx', tag: null, tagImplicit: false, digest: SHA }, `docker.io/library/nginx@${SHA}`],
    [
      `nginx:1.27@${SHA}`,
      { registry: 'docker.io', repository: 'library/nginx', tag: '1.27', tagImplicit: false, digest: SHA },
      `docker.io/library/nginx:1.27@${SHA}`,
    ],
    ['quay.io/a__b/c.d-e:tag_1', { registry: 'quay.io', repository: 'a__b/c.d-e', tag: 'tag_1', tagImplicit: false, digest: null }, 'quay.io/a__b/c.d-e:tag_1'],
    ['Foo.io/bar', { registry: 'Foo.io', repository: 'bar', tag: 'latest', tagImplicit: true, digest: null }, 'Foo.io/bar:latest'],
  ])('%s', (input, expected, normalized) => {
    expect(parseImageRef(input)).toEqual({ ...expected, normalized });
  });

  it.each<[string, string]>([
    ['', 'empty'],
    ['NGINX', 'repository name (library/NGINX) must be lowercase'],
    ['docker.io/Library/nginx', 'repository name (Library/nginx) must be lowercase'],
    ['nginx:', 'invalid tag ""'],
    ['nginx:-bad', 'invalid tag "-bad"'],
    [`nginx:${'t'.repeat(129)}`, `invalid tag "${'t'.repeat(129)}"`],
    ['nginx@sha256:abc', 'invalid digest "sha256:abc"'],
    [`nginx@sha256:${'A'.repeat(64)}`, 'invalid sha256 digest: must be 64 lowercase hex characters'],
    [`nginx@md5:${'a'.repeat(32)}`, 'unsupported digest algorithm "md5"'],
    ['a'.repeat(64), 'cannot specify 64-byte hexadecimal strings'],
    ['docker.io//nginx', 'invalid repository name "/nginx"'],
    ['nginx/', 'invalid repository name "nginx/"'],
    ['my_registry.io:port/x', 'invalid registry "my_registry.io:port"'],
    ['nginx--:1', 'invalid repository name "library/nginx--"'],
    ['has space', 'invalid repository name "library/has space"'],
  ])('rejects %j: %s', (input, why) => {
    expect(checkImageRef(input)).toEqual({ ref: null, error: `invalid image reference "${input}": ${why}` });
  });

  it('rejects names longer than 255 characters', () => {
    expect(parseImageRef(`registry.example.com/${'a'.repeat(240)}`)).toEqual(null);
  });
});

describe('sameImage()', () => {
  it.each<[string, string, boolean]>([
    ['nginx', 'docker.io/library/nginx:latest', true],
    ['nginx:1.27', 'docker.io/library/nginx:1.27', true],
    ['index.docker.io/library/nginx:1.27', 'nginx:1.27', true],
    ['nginx:1.27', 'nginx:1.28', false],
    ['nginx', 'nginx:1.27', false],
    ['registry.k8s.io/pause:3.9', 'k8s.gcr.io/pause:3.9', false],
    [`nginx:1.27@${SHA}`, `nginx@${SHA}`, true],
    [`nginx:1.27@${SHA}`, `nginx:1.27@${SHA_B}`, false],
    [`nginx@${SHA}`, `mirror.example.com/library/nginx@${SHA}`, false],
    [`nginx:1.27@${SHA}`, 'nginx:1.27', false],
    ['NGINX', 'NGINX', true],
    ['NGINX', 'nginx', false],
  ])('%s vs %s → %s', (a, b, expected) => {
    expect([sameImage(a, b), sameImage(b, a)]).toEqual([expected, expected]);
  });
});

describe('digestFromImageID()', () => {
  it.each<[string | undefined, string | null]>([
    [`docker-pullable://nginx@${SHA}`, SHA],
    [`docker-pullable://602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni@${SHA}`, SHA],
    [`docker.io/library/nginx@${SHA}`, SHA],
    [`registry.k8s.io/pause@${SHA}`, SHA],
    // A bare sha256 is the image config ID (hash of the config JSON), not a registry manifest digest.
    [SHA, null],
    [`docker://${SHA}`, null],
    ['', null],
    [undefined, null],
    ['docker-pullable://nginx@sha256:short', null],
  ])('%s → %s', (imageID, expected) => {
    expect(digestFromImageID(imageID)).toEqual(expected);
  });
});

describe('isMutableTag()', () => {
  it.each<[string, boolean]>([
    ['nginx', true],
    ['nginx:latest', true],
    ['registry.k8s.io/pause:latest', true],
    ['nginx:1.27', false],
    [`nginx@${SHA}`, false],
    [`nginx:latest@${SHA}`, false],
    ['NGINX', false],
  ])('%s → %s', (ref, expected) => {
    expect(isMutableTag(ref)).toEqual(expected);
  });
});
