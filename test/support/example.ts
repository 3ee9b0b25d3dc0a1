// The bundled example (examples/) audited the way `npm start` does: the dump folder, the GitOps folder,
// the rule catalog and examples/policy.yaml at the example's fixed audit time.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readDump } from '../../functions/adapters/dump-reader.js';
import { readManifestFolder } from '../../functions/adapters/manifest-folder.js';
import { loadRules } from '../../functions/adapters/rules-loader.js';
import { audit } from '../../functions/core/audit.js';
import { parsePolicy } from '../../functions/core/policy/parse.js';
import type { Report } from '../../functions/core/types.js';
import { EXAMPLE_NOW } from '../../scripts/make-example.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Returns the example's report, as `npm start` writes it to out/example/report.json. */
export async function auditExample(): Promise<Report> {
  const snapshot = await readDump([`${ROOT}examples/cluster`], { cluster: 'example' });
  const desired = await readManifestFolder(`${ROOT}examples/gitops`);
  const rules = await loadRules(`${ROOT}rules`);
  const policy = parsePolicy(readFileSync(`${ROOT}examples/policy.yaml`, 'utf8'), 'examples/policy.yaml', rules);
  return audit(snapshot, desired, policy, new Date(EXAMPLE_NOW));
}
