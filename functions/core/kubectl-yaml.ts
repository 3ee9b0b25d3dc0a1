// YAML read the way kubectl reads it (sigs.k8s.io/yaml, go-yaml v2, YAML 1.1 scalars) where that differs
// from YAML 1.2 in files people write, for manifests and YAML dumps alike.
import type { Tags } from 'yaml';

/** The most alias expansions a document may use (guards against "billion laughs" alias bombs). */
export const MAX_ALIAS_COUNT = 100;

/**
 * Parse options: `<<: *base` merge keys, legacy octal (`defaultMode: 0644` is 420, not 644) and the 1.1
 * booleans (`hostNetwork: yes`; an unquoted label value `on` is a boolean, which the API server rejects).
 * Reading them as YAML 1.2 would report spec/drift or manifest/invalid that is not there.
 * `.nan` and `.inf` are errors at their line: no Kubernetes field takes them, and JSON (the API's wire
 * format) cannot carry them. `logLevel: 'error'`: the yaml library's warnings (a `{{ … }}` key read as a
 * collection) would go to stderr through process.emitWarning; the callers report such documents themselves.
 */
export const KUBECTL_YAML = {
  merge: true,
  logLevel: 'error' as const,
  customTags: (tags: Tags): Tags => [
    {
      identify: () => false,
      default: true,
      tag: 'tag:yaml.org,2002:float',
      test: /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
      resolve: (s: string, onError: (message: string) => void) => {
        onError(`${s} is not a number Kubernetes accepts (NaN and infinity cannot be sent as JSON)`);
        return s;
      },
    },
    {
      identify: (v: unknown) => typeof v === 'number',
      default: true,
      tag: 'tag:yaml.org,2002:int',
      format: 'OCT',
      test: /^0[0-7]+$/,
      resolve: (s: string) => parseInt(s, 8),
    },
    {
      identify: (v: unknown) => typeof v === 'boolean',
      default: true,
      tag: 'tag:yaml.org,2002:bool',
      test: /^(?:y|Y|yes|Yes|YES|on|On|ON|n|N|no|No|NO|off|Off|OFF)$/,
      resolve: (s: string) => /^(?:y|yes|on)$/i.test(s),
    },
    ...tags,
  ],
};

/**
 * How deep a whole document may nest. The yaml library itself stops near 1,000 levels (its parser
 * recurses); JSON.parse does not, so JSON documents are held to the same bound before anything recurses.
 */
export const MAX_DOCUMENT_DEPTH = 1000;

/** Returns a YAML error's first line, with a stack overflow inside the parser said as what it means. */
export function yamlErrorText(message: string): string {
  const first = message.split('\n')[0]!;
  return /Maximum call stack size exceeded/.test(first) ? `the document is nested too deeply to read (more than about ${MAX_DOCUMENT_DEPTH} levels)` : first;
}
