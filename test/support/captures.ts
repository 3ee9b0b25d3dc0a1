// The upstream captures (test/fixtures/captures/<repository>/, attributed in its SOURCES.md): each file kept
// once, read from there by every test that needs it; and the GitOps folder some tests lay out from them.
import { copyFile, mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The captures folder, with a trailing slash. */
export const CAPTURES = fileURLToPath(new URL('../fixtures/captures/', import.meta.url));

/** Returns the path of a capture: `capture('sbctl/nodes.json')`. */
export function capture(path: string): string {
  return join(CAPTURES, path);
}

/** The five upstream DaemonSet manifests as a GitOps repository holds them: path in the folder -> capture. */
export const UPSTREAM_GITOPS: Record<string, string> = {
  'aws/aws-k8s-cni.yaml': 'amazon-vpc-cni-k8s/aws-k8s-cni.yaml',
  'kube-flannel/kube-flannel.yml': 'flannel/kube-flannel.yml',
  'monitoring/nodeExporter-daemonset.yaml': 'kube-prometheus/nodeExporter-daemonset.yaml',
  'nvidia/gpu-feature-discovery-daemonset.yaml': 'k8s-device-plugin/gpu-feature-discovery-daemonset.yaml',
  'nvidia/nvidia-device-plugin.yml': 'k8s-device-plugin/nvidia-device-plugin.yml',
};

/** Returns a new temporary folder holding UPSTREAM_GITOPS: a GitOps folder of real upstream manifests. */
export async function upstreamGitopsFolder(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'upstream-gitops-'));
  for (const [path, source] of Object.entries(UPSTREAM_GITOPS)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await copyFile(capture(source), join(dir, path));
  }
  return dir;
}
