// The GitOps fixture repositories as file maps (with the loopback Helm repository's URL filled in), for
// writing to a folder or seeding the GitHub emulator.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));

/** Returns the files of test/fixtures/<name> (SOURCES.md left out), with `HELM_REPO_URL` replaced. */
export function fixtureFiles(name: string, helmRepoURL = 'http://127.0.0.1:9'): Record<string, string> {
  const root = join(FIXTURES, name);
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (e !== 'SOURCES.md') out[relative(root, p)] = readFileSync(p, 'utf8').replaceAll('HELM_REPO_URL', helmRepoURL);
    }
  };
  walk(root);
  return out;
}
