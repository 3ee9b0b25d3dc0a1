// Label keys, label values and selector requirements as apimachinery parses and matches them
// (kubernetes/apimachinery@v0.34.0:pkg/labels/selector.go:NewRequirement, (*Requirement).Matches;
// pkg/util/validation/validation.go:IsQualifiedName, IsValidLabelValue, IsDNS1123Subdomain).
// Shared by node affinity and label selectors; parse once, match many times.

/** A node's or pod's labels (may be absent on the object). */
export type Labels = Readonly<Record<string, string>> | null | undefined;

/** The selector operators of apimachinery's `selection` package that the auditor uses. */
export type RequirementOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt' | 'Equals';

/** A parsed, validated selector requirement. */
export interface Requirement {
  readonly key: string;
  readonly operator: RequirementOperator;
  readonly values: readonly string[];
  /** Present for In/NotIn/Equals. */
  readonly valueSet?: ReadonlySet<string>;
  /** Present for Gt/Lt: the parsed threshold. */
  readonly threshold?: number | bigint;
}

const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const GO_INT = /^[+-]?[0-9]+$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Returns why `key` is not a qualified name (a valid label key), or null when it is (validation.go:IsQualifiedName). */
export function labelKeyError(key: string): string | null {
  const parts = key.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0]!;
  } else if (parts.length === 2) {
    const prefix = parts[0]!;
    name = parts[1]!;
    if (prefix.length === 0) return `invalid label key "${key}": prefix part must be non-empty`;
    if (prefix.length > 253) return `invalid label key "${key}": prefix part must be no more than 253 characters`;
    if (!DNS1123_SUBDOMAIN.test(prefix)) return `invalid label key "${key}": prefix part must be a lowercase RFC 1123 subdomain`;
  } else {
    return `invalid label key "${key}": a qualified name must consist of an optional DNS subdomain prefix, '/', and a name`;
  }
  if (name.length === 0) return `invalid label key "${key}": name part must be non-empty`;
  if (name.length > 63) return `invalid label key "${key}": name part must be no more than 63 characters`;
  if (!QUALIFIED_NAME.test(name)) {
    return `invalid label key "${key}": name part must consist of alphanumerics, '-', '_' or '.', and start and end with an alphanumeric`;
  }
  return null;
}

/** Returns why `value` is not a valid label value, or null when it is (validation.go:IsValidLabelValue). */
export function labelValueError(value: string): string | null {
  if (value.length > 63) return `invalid label value "${value}": must be no more than 63 characters`;
  if (!LABEL_VALUE.test(value)) {
    return `invalid label value "${value}": must be empty or consist of alphanumerics, '-', '_' or '.', and start and end with an alphanumeric`;
  }
  return null;
}

/**
 * Parses `s` as Go's `strconv.ParseInt(s, 10, 64)` does (optional sign, leading zeros allowed, int64 range);
 * returns a number when it is exactly representable, a bigint otherwise, or null when Go would fail.
 */
export function parseGoInt64(s: string): number | bigint | null {
  if (!GO_INT.test(s)) return null;
  // 15 digits always fit a double exactly; avoid BigInt on the common path.
  if (s.length <= 15) return Number(s);
  const n = BigInt(s);
  if (n < INT64_MIN || n > INT64_MAX) return null;
  return n;
}

/** Returns `[requirement, null]` or `[null, why]` for one requirement, with NewRequirement's validation (selector.go). */
export function parseRequirement(
  key: string,
  operator: RequirementOperator | string,
  values: readonly string[] | null | undefined,
): [Requirement, null] | [null, string] {
  const vals = values ?? [];
  const errors: string[] = [];
  const keyError = labelKeyError(key);
  if (keyError) errors.push(keyError);
  let threshold: number | bigint | undefined;
  switch (operator) {
    case 'In':
    case 'NotIn':
      if (vals.length === 0) errors.push(`for '${operator}' the values set can't be empty`);
      break;
    case 'Equals':
      if (vals.length !== 1) errors.push('exact-match requires exactly one value');
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (vals.length !== 0) errors.push(`values set must be empty for '${operator}'`);
      break;
    case 'Gt':
    case 'Lt':
      if (vals.length !== 1) errors.push(`for '${operator}' exactly one value is required`);
      for (const v of vals) {
        const parsed = parseGoInt64(v);
        if (parsed === null) errors.push(`for '${operator}' the value must be an integer, got "${v}"`);
        else threshold = parsed;
      }
      break;
    default:
      errors.push(`unsupported operator "${operator}"`);
  }
  for (const v of vals) {
    const valueError = labelValueError(v);
    if (valueError) errors.push(valueError);
  }
  if (errors.length > 0) return [null, errors.join('; ')];
  const op = operator as RequirementOperator;
  const requirement: Requirement =
    op === 'In' || op === 'NotIn' || op === 'Equals'
      ? { key, operator: op, values: vals, valueSet: new Set(vals) }
      : op === 'Gt' || op === 'Lt'
        ? { key, operator: op, values: vals, threshold }
        : { key, operator: op, values: vals };
  return [requirement, null];
}

/** Returns the label's value, or undefined when the key is absent (own properties only: `constructor` is a valid key). */
export function labelValue(labels: Labels, key: string): string | undefined {
  return labels && Object.hasOwn(labels, key) ? labels[key] : undefined;
}

/** Returns whether `labels` satisfy `r` ((*Requirement).Matches in selector.go). */
export function requirementMatches(r: Requirement, labels: Labels): boolean {
  const actual = labelValue(labels, r.key);
  switch (r.operator) {
    case 'In':
    case 'Equals':
      return actual !== undefined && r.valueSet!.has(actual);
    case 'NotIn':
      return actual === undefined || !r.valueSet!.has(actual);
    case 'Exists':
      return actual !== undefined;
    case 'DoesNotExist':
      return actual === undefined;
    case 'Gt':
    case 'Lt': {
      if (actual === undefined) return false;
      const n = parseGoInt64(actual);
      if (n === null) return false;
      return r.operator === 'Gt' ? n > r.threshold! : n < r.threshold!;
    }
  }
}

/** Returns a requirement as `kubectl` would print it, e.g. `kubernetes.io/os In [linux]`. */
export function describeRequirement(key: string, operator: string, values: readonly string[] | null | undefined): string {
  return values && values.length > 0 ? `${key} ${operator} [${values.join(', ')}]` : `${key} ${operator}`;
}
