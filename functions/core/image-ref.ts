// Container image references, normalised the way Docker and containerd read them
// (github.com/distribution/reference: regexp.go grammar, normalize.go:ParseNormalizedNamed/splitDockerDomain,
// reference.go:Parse with go-digest validation). Pure: parse, compare, and read digests from imageIDs.

/** A parsed, normalised image reference. */
export interface ImageRef {
  /** Registry host (with port), `docker.io` for Docker Hub. */
  registry: string;
  /** Repository path inside the registry, `library/<name>` for single-component Docker Hub names. */
  repository: string;
  /** The tag; `latest` when neither a tag nor a digest was given (see `tagImplicit`); null when only a digest was given. */
  tag: string | null;
  /** True when `tag` is the implied `latest`. */
  tagImplicit: boolean;
  /** `algorithm:hex` when the reference is pinned by digest, else null. */
  digest: string | null;
  /** `registry/repository[:tag][@digest]`, e.g. `docker.io/library/nginx:latest`. */
  normalized: string;
}

/** The outcome of parsing: the reference, or why it is invalid. */
export type ImageRefCheck = { ref: ImageRef; error: null } | { ref: null; error: string };

const DEFAULT_REGISTRY = 'docker.io';
const LEGACY_DEFAULT_REGISTRY = 'index.docker.io';
const NAME_TOTAL_LENGTH_MAX = 255;
// regexp.go: domain = host[:port], host = domain name or [IPv6]; path components lowercase alphanumerics
// joined by '.', '_', '__' or runs of '-'.
const DOMAIN =
  /^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const IDENTIFIER = /^[a-f0-9]{64}$/;
// go-digest: only registered algorithms, lowercase hex of the exact length.
const DIGEST_HEX_LENGTH: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

function digestError(digest: string): string | null {
  if (!DIGEST.test(digest)) return `invalid digest "${digest}"`;
  const [algorithm, hex] = digest.split(':') as [string, string];
  const length = DIGEST_HEX_LENGTH[algorithm];
  if (length === undefined) return `unsupported digest algorithm "${algorithm}"`;
  if (hex.length !== length || !/^[a-f0-9]+$/.test(hex)) return `invalid ${algorithm} digest: must be ${length} lowercase hex characters`;
  return null;
}

/** Returns the parsed reference or why it is invalid (ParseNormalizedNamed, then TagNameOnly for the implied `latest`). */
export function checkImageRef(input: string): ImageRefCheck {
  const fail = (why: string): ImageRefCheck => ({ ref: null, error: `invalid image reference "${input}": ${why}` });
  if (typeof input !== 'string' || input.length === 0) return fail('empty');
  if (IDENTIFIER.test(input)) return fail('cannot specify 64-byte hexadecimal strings');

  let rest = input;
  let digest: string | null = null;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    const why = digestError(digest);
    if (why) return fail(why);
  }
  let tag: string | null = null;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) return fail(`invalid tag "${tag}"`);
  }

  // normalize.go:splitDockerDomain: the first component is a registry when it contains '.' or ':',
  // is `localhost`, or has an uppercase letter; otherwise the name lives on Docker Hub.
  const slash = rest.indexOf('/');
  let registry: string;
  let repository: string;
  const first = slash >= 0 ? rest.slice(0, slash) : '';
  if (slash < 0 || (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first)) {
    registry = DEFAULT_REGISTRY;
    repository = rest;
  } else {
    registry = first;
    repository = rest.slice(slash + 1);
  }
  if (registry === LEGACY_DEFAULT_REGISTRY) registry = DEFAULT_REGISTRY;
  if (registry === DEFAULT_REGISTRY && !repository.includes('/')) repository = `library/${repository}`;

  if (!DOMAIN.test(registry)) return fail(`invalid registry "${registry}"`);
  if (repository.toLowerCase() !== repository) return fail(`repository name (${repository}) must be lowercase`);
  if (!repository.split('/').every((c) => PATH_COMPONENT.test(c))) return fail(`invalid repository name "${repository}"`);
  if (registry.length + 1 + repository.length > NAME_TOTAL_LENGTH_MAX) return fail(`repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters`);

  const tagImplicit = tag === null && digest === null;
  if (tagImplicit) tag = 'latest';
  const normalized = `${registry}/${repository}${tag !== null ? `:${tag}` : ''}${digest !== null ? `@${digest}` : ''}`;
  return { ref: { registry, repository, tag, tagImplicit, digest, normalized }, error: null };
}

/** Returns the parsed, normalised reference, or null when it is invalid (use checkImageRef for the reason). */
export function parseImageRef(input: string): ImageRef | null {
  return checkImageRef(input).ref;
}

/**
 * Returns whether two references name the same image. When either is pinned by digest, both must be,
 * with the same registry/repository and digest (the tag is then ignored, as runtimes pull by digest);
 * otherwise registry/repository and tag must match. Invalid references compare as raw strings.
 */
export function sameImage(a: string, b: string): boolean {
  if (a === b) return true;
  const ra = parseImageRef(a);
  const rb = parseImageRef(b);
  if (!ra || !rb) return false;
  if (ra.registry !== rb.registry || ra.repository !== rb.repository) return false;
  if (ra.digest !== null || rb.digest !== null) return ra.digest === rb.digest;
  return ra.tag === rb.tag;
}

/**
 * Returns the registry (manifest) digest in a container status `imageID`, or null.
 * Handles `docker-pullable://repo@sha256:…` and `repo@sha256:…` (containerd). A bare `sha256:…` (or
 * `docker://sha256:…`) is the image *config* ID, a hash of the image's config JSON, not the manifest digest a
 * registry serves and a `@sha256:` pin names; treating it as one would report false drift, so it gives null.
 */
export function digestFromImageID(imageID: string | null | undefined): string | null {
  if (!imageID) return null;
  const withoutScheme = imageID.replace(/^[a-z][a-z0-9+.-]*:\/\//, '');
  const at = withoutScheme.lastIndexOf('@');
  if (at < 0) return null;
  const digest = withoutScheme.slice(at + 1);
  return digestError(digest) === null ? digest : null;
}

/**
 * Returns whether the reference floats: tag `latest` (explicit or implied) and not pinned by digest.
 * Invalid references give false; checkImageRef reports them.
 */
export function isMutableTag(input: string): boolean {
  const ref = parseImageRef(input);
  return ref !== null && ref.digest === null && ref.tag === 'latest';
}
