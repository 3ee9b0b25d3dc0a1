// Errors of the handlers themselves (the rest come from functions/core/errors.ts). Step Functions matches
// Retry and Catch on the class name, so names are part of the state machine's contract.
import { DriftAuditorError } from '../../core/errors.js';

/** The audit found gaps: its report is stored as evidence, but the run must not count as audited (not retried). */
export class AuditIncompleteError extends DriftAuditorError {}
