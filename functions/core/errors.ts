// One place for the project's error classes. Each sets `name`, keeps the original error in `cause`,
// and reads `failed to <verb> <what>: <why>`. An error means "could not judge"; drift is a Finding.

/** Base class: `exitCode` tells the CLI how to end (2 = bad usage or unreadable input). */
export class DriftAuditorError extends Error {
  readonly exitCode: number = 2;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad command-line usage. */
export class UsageError extends DriftAuditorError {}
/** An input file or folder that cannot be read or parsed (names file, line, field). */
export class InputError extends DriftAuditorError {}
/** A policy or rule file that does not validate (names file, line, field). */
export class PolicyError extends DriftAuditorError {}
/** The Kubernetes API could not be read completely. */
export class KubernetesError extends DriftAuditorError {}
/** GitHub could not be read or written. */
export class GitHubError extends DriftAuditorError {}
/** The report store could not be read or written. */
export class StoreError extends DriftAuditorError {}
