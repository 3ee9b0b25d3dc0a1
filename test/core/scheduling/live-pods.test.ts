// Live pods and DaemonSets captured from real clusters (see test/fixtures/captures/SOURCES.md).
import { describe, expect, it } from 'vitest';
import { digestFromImageID, isMutableTag, parseImageRef, sameImage } from '../../../functions/core/image-ref.js';
import type { K8sDaemonSet, K8sPod } from '../../../functions/core/k8s-types.js';
import { isDaemonPodOf, isPodAvailable, isPodReady, maxUnavailableCount, targetNodeName } from '../../../functions/core/scheduling/index.js';
import { loadJson } from './helpers.js';

const calicoDs = loadJson<K8sDaemonSet>('kubeiql/daemonset.json');
const calicoPod = loadJson<K8sPod>('kubeiql/pod2.json');
const pending = loadJson<{ items: K8sPod[] }>('troubleshoot/message-container-creating-failed-mount.json').items[0]!;

describe('live calico-node DaemonSet and its pod (IBM Cloud)', () => {
  it('owns the pod: controller reference with its uid and matching labels (even with extensions/v1beta1 apiVersion)', () => {
    expect(isDaemonPodOf(calicoPod, calicoDs)).toEqual(true);
  });

  it('does not own the pod once its labels stop matching the selector', () => {
    const relabelled: K8sPod = { ...calicoPod, metadata: { ...calicoPod.metadata, labels: { 'k8s-app': 'something-else' } } };

    expect(isDaemonPodOf(relabelled, calicoDs)).toEqual(false);
  });

  it('maps the pod to its node and finds it ready and available', () => {
    const at = new Date('2018-07-27T00:00:00Z');

    expect([targetNodeName(calicoPod), isPodReady(calicoPod), isPodAvailable(calicoPod, 0, at), isPodAvailable(calicoPod, 30, at)]).toEqual([
      '10.76.193.41',
      true,
      true,
      true,
    ]);
  });

  it('reads registry digests from docker-pullable imageIDs and matches each status image to the template', () => {
    const statuses = calicoPod.status!.containerStatuses!;
    const templateImages = calicoDs.spec.template.spec.containers.map((c) => c.image!);

    expect(statuses.map((s) => digestFromImageID(s.imageID))).toEqual([
      'sha256:d79a25b3ef899332f9de73536634c9a3ce3fa12b3e77e504cff1e2d2a8d536e6',
      'sha256:df0606795dc43a5f9f0823db26661a722107b93cfc88c1e20ba80bec45634023',
    ]);
    expect(statuses.map((s) => templateImages.some((t) => sameImage(t, s.image!)))).toEqual([true, true]);
  });

  it('uses the integer maxUnavailable 5 as is', () => {
    expect(maxUnavailableCount(calicoDs, 40)).toEqual(5);
  });
});

describe('Pending DaemonSet pod with the controller-injected matchFields affinity (troubleshoot)', () => {
  it('maps to its node by spec.nodeName, and by the matchFields term once nodeName is removed', () => {
    const unbound: K8sPod = { ...pending, spec: { ...pending.spec, nodeName: undefined } };

    expect([targetNodeName(pending), targetNodeName(unbound)]).toEqual(['minikube', 'minikube']);
  });

  it('is not ready and has no digest yet', () => {
    const status = pending.status!.containerStatuses![0]!;

    expect([isPodReady(pending), digestFromImageID(status.imageID)]).toEqual([false, null]);
  });

  it('runs an untagged image, which is the mutable docker.io/library/alpine:latest', () => {
    const image = pending.spec.containers[0]!.image!;

    expect([parseImageRef(image)?.normalized, isMutableTag(image)]).toEqual(['docker.io/library/alpine:latest', true]);
  });
});
