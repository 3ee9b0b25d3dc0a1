// The shapes of the objects the audit reads (Node, Pod, DaemonSet, ControllerRevision), checked field by
// field so that a hand-edited or foreign dump, or a Git manifest, fails with the field named instead of
// breaking the audit; and the limits no Kubernetes object comes near (nesting depth, finite numbers).
// Pure: dumps (core/dump.ts) and manifests (core/manifests.ts) both use it.

// Fields not named here pass through unread. Absent and null optional fields are fine; wrong types are
// not (the API server rejects them too).
type Path = (string | number)[];
/** What is wrong with an object: the field's path and why (`must be a list, not string "all"`). */
export interface ShapeProblem {
  path: Path;
  message: string;
}
/** Checks a value; on failure returns the problem with the path below the value (callers prepend theirs, so success allocates nothing). */
type ShapeCheck = (v: unknown) => ShapeProblem | undefined;

function typeName(v: unknown): string {
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  return v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)?.slice(0, 40)}`;
}
const must = (want: string, v: unknown): ShapeProblem => ({ path: [], message: `must be ${want}, not ${typeName(v)}` });
const under = (seg: string | number, e: ShapeProblem): ShapeProblem => {
  e.path.unshift(seg);
  return e;
};
const str: ShapeCheck = (v) => (typeof v === 'string' ? undefined : must('a string', v));
const num: ShapeCheck = (v) => (typeof v === 'number' && Number.isFinite(v) ? undefined : must('a number', v));
const bool: ShapeCheck = (v) => (typeof v === 'boolean' ? undefined : must('true or false', v));
const intOrString: ShapeCheck = (v) => ((typeof v === 'number' && Number.isFinite(v)) || typeof v === 'string' ? undefined : must('a number or a string', v));
const anyObject: ShapeCheck = (v) => (isObject(v) ? undefined : must('an object', v));
const stringMap: ShapeCheck = (v) => {
  if (!isObject(v)) return must('an object of strings', v);
  for (const k in v) if (typeof v[k] !== 'string') return under(k, must('a string (quote it)', v[k]));
  return undefined;
};
const listOf =
  (item: ShapeCheck): ShapeCheck =>
  (v) => {
    if (!Array.isArray(v)) return must('a list', v);
    for (let i = 0; i < v.length; i++) {
      const e = item(v[i]);
      if (e) return under(i, e);
    }
    return undefined;
  };
const shape = (fields: Record<string, ShapeCheck>, required: string[] = []): ShapeCheck => {
  const keys = Object.keys(fields);
  const checks = keys.map((k) => fields[k]!);
  return (v) => {
    if (!isObject(v)) return must('an object', v);
    for (let i = 0; i < required.length; i++) if (v[required[i]!] == null) return { path: [required[i]!], message: 'is missing' };
    for (let i = 0; i < keys.length; i++) {
      const x = v[keys[i]!];
      if (x == null) continue;
      const e = checks[i]!(x);
      if (e) return under(keys[i]!, e);
    }
    return undefined;
  };
};

/** Returns a field path as people write it: `spec.template.spec.tolerations[0]`, `metadata.labels["app.kubernetes.io/name"]`. */
export function formatPath(path: Path): string {
  // A path down a deeply nested value stays one readable line: its first steps, then how many more.
  if (path.length > 16) return `${formatPath(path.slice(0, 12))}…(${path.length - 12} levels more)`;
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out || '(object)';
}

const metadata = shape(
  {
    name: str,
    namespace: str,
    uid: str,
    creationTimestamp: str,
    deletionTimestamp: str,
    labels: stringMap,
    annotations: stringMap,
    ownerReferences: listOf(shape({ apiVersion: str, kind: str, name: str, uid: str, controller: bool }, ['kind', 'name'])),
  },
  ['name'],
);
const requirement = shape({ key: str, operator: str, values: listOf(str) }, ['key', 'operator']);
const container = shape(
  {
    name: str,
    image: str,
    imagePullPolicy: str,
    env: listOf(shape({ name: str }, ['name'])),
    resources: shape({ limits: anyObject, requests: anyObject }),
  },
  ['name'],
);
const podSpec = shape(
  {
    nodeName: str,
    nodeSelector: stringMap,
    hostNetwork: bool,
    priorityClassName: str,
    containers: listOf(container),
    initContainers: listOf(container),
    affinity: shape({
      nodeAffinity: shape({
        requiredDuringSchedulingIgnoredDuringExecution: shape({
          nodeSelectorTerms: listOf(shape({ matchExpressions: listOf(requirement), matchFields: listOf(requirement) })),
        }),
      }),
    }),
    tolerations: listOf(shape({ key: str, operator: str, value: str, effect: str, tolerationSeconds: num })),
  },
  ['containers'],
);
const condition = shape({ type: str, status: str, reason: str, message: str, lastTransitionTime: str }, ['type', 'status']);
const daemonSetStatus = Object.fromEntries(
  [
    'currentNumberScheduled',
    'desiredNumberScheduled',
    'numberMisscheduled',
    'numberReady',
    'numberAvailable',
    'numberUnavailable',
    'updatedNumberScheduled',
    'observedGeneration',
  ].map((k) => [k, num]),
);

// Pods are most of a dump, so of them only what the audit reads is checked, to the depth where a wrong
// type would break it (ownership, labels, target node, container names and images, status lists),
// keeping the check to a few percent of JSON.parse.
const podMetadata = shape(
  {
    metadata: shape(
      {
        name: str,
        namespace: str,
        uid: str,
        labels: stringMap,
        ownerReferences: listOf(shape({ kind: str, name: str, uid: str, controller: bool }, ['kind', 'name'])),
      },
      ['name'],
    ),
  },
  ['metadata'],
);
const podContainer = shape({ name: str, image: str }, ['name']);
// Image references and digests are parsed as strings (image-ref.ts); the rest of a status is only read or printed.
const containerStatus = shape({ name: str, image: str, imageID: str }, ['name']);
const podAffinity = shape({
  nodeAffinity: shape({ requiredDuringSchedulingIgnoredDuringExecution: shape({ nodeSelectorTerms: listOf(shape({ matchFields: listOf(requirement) })) }) }),
});
const daemonPodSpec = shape({ nodeName: str, containers: listOf(podContainer), initContainers: listOf(podContainer) }, ['containers']);
/** The target node comes from the affinity only while spec.nodeName is unset (scheduling/pods.ts:targetNodeName). */
const unboundAffinity: ShapeCheck = (v) => {
  if (!isObject(v) || v.nodeName != null || v.affinity == null) return undefined;
  const e = podAffinity(v.affinity);
  return e && under('affinity', e);
};
const pod = shape(
  {
    spec: (v) => daemonPodSpec(v) ?? unboundAffinity(v),
    status: shape({ phase: str, conditions: listOf(anyObject), containerStatuses: listOf(containerStatus), initContainerStatuses: listOf(containerStatus) }),
  },
  ['spec'],
);
const isDaemonPod = (v: unknown): boolean => {
  const refs = (v as { metadata: { ownerReferences?: { kind?: unknown; controller?: unknown }[] } }).metadata.ownerReferences;
  return Array.isArray(refs) && refs.some((r) => r.controller === true && r.kind === 'DaemonSet');
};

const daemonSetOf = (required: string[]): ShapeCheck =>
  shape(
    {
      metadata,
      spec: shape(
        {
          selector: shape({ matchLabels: stringMap, matchExpressions: listOf(requirement) }),
          template: shape({ metadata: shape({ labels: stringMap, annotations: stringMap }), spec: podSpec }, ['spec']),
          updateStrategy: shape({ type: str, rollingUpdate: shape({ maxUnavailable: intOrString, maxSurge: intOrString }) }),
          minReadySeconds: num,
          templateGeneration: num,
        },
        required,
      ),
      status: shape(daemonSetStatus),
    },
    ['metadata', 'spec'],
  );

const SHAPES: Record<string, ShapeCheck> = {
  Node: shape(
    {
      metadata,
      spec: shape({ unschedulable: bool, taints: listOf(shape({ key: str, value: str, effect: str }, ['key', 'effect'])) }),
      status: shape({ conditions: listOf(condition), nodeInfo: shape({ architecture: str, operatingSystem: str, kubeletVersion: str }) }),
    },
    ['metadata'],
  ),
  // Only daemon pods (controller reference to a DaemonSet) are read beyond metadata; other pods are skipped by the audit.
  Pod: (v) => podMetadata(v) ?? (isDaemonPod(v) ? pod(v) : undefined),
  // apps/v1 requires the selector; extensions/v1beta1 defaulted it from the template labels.
  DaemonSet: (v) =>
    (isObject(v) && typeof v.apiVersion === 'string' && v.apiVersion !== 'apps/v1' ? daemonSetOf(['template']) : daemonSetOf(['selector', 'template']))(v),
  ControllerRevision: shape({ metadata, revision: num }, ['metadata', 'revision']),
};

/**
 * Returns why a Node, Pod, DaemonSet or ControllerRevision cannot be audited: the first field of a
 * wrong type or missing (format it as `${formatPath(path)} ${message}`: `spec.template.spec.tolerations
 * must be a list, not string "all"`), or undefined when its shape is fine. Only the fields the audit reads are checked.
 */
export function objectShapeProblem(kind: string, value: unknown): ShapeProblem | undefined {
  const check = SHAPES[kind];
  return check ? check(value) : undefined;
}

/**
 * How deep any object the audit keeps may nest. Real objects stay near 15 levels (a DaemonSet's
 * matchExpressions values are 12 down); the audit, the renderers and JSON.stringify recurse, so a value
 * nested thousands of levels deep would end the run with a stack overflow instead of naming the file.
 */
export const MAX_OBJECT_DEPTH = 100;

/**
 * Returns the first place where a value nests deeper than `maxDepth` or holds a number that is not finite
 * (YAML's .nan and .inf: Kubernetes accepts neither, and JSON cannot carry them), or undefined. Iterative,
 * so that the check itself cannot overflow the stack.
 */
export function valueProblem(value: unknown, maxDepth = MAX_OBJECT_DEPTH): ShapeProblem | undefined {
  const values: unknown[] = [value];
  const depths: number[] = [0];
  while (values.length) {
    const v = values.pop();
    const depth = depths.pop()!;
    if (typeof v === 'number') {
      if (!Number.isFinite(v))
        return { path: pathTo(value, (x) => x === v || (Number.isNaN(x) && Number.isNaN(v)), maxDepth) ?? [], message: `must be a finite number, not ${v}` };
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= maxDepth) return { path: pathTo(value, (x) => x === v, maxDepth) ?? [], message: `is nested more than ${maxDepth} levels deep` };
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        values.push(v[i]);
        depths.push(depth + 1);
      }
    } else {
      for (const k in v) {
        values.push((v as Record<string, unknown>)[k]);
        depths.push(depth + 1);
      }
    }
  }
  return undefined;
}

/** Returns the path to the first value `is` accepts, searching no deeper than `maxDepth` (so the recursion is bounded). */
function pathTo(v: unknown, is: (x: unknown) => boolean, maxDepth: number): Path | undefined {
  if (is(v)) return [];
  if (maxDepth <= 0 || typeof v !== 'object' || v === null) return undefined;
  const keys: (string | number)[] = Array.isArray(v) ? v.map((_, i) => i) : Object.keys(v);
  for (const k of keys) {
    const p = pathTo((v as Record<string | number, unknown>)[k], is, maxDepth - 1);
    if (p) return [k, ...p];
  }
  return undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
