// Runs one check over built inputs, the way audit() does (same context).
import { buildContext } from '../../../functions/core/audit.js';
import type { Check } from '../../../functions/core/checks/context.js';
import type { DesiredState, Finding, Policy, Snapshot } from '../../../functions/core/types.js';
import { AT, defaultPolicy } from '../../support/builders.js';

/** Returns the findings of `check` for the inputs. */
export function runCheck(check: Check, snapshot: Snapshot, desired: DesiredState, policy: Policy = defaultPolicy(), at: Date = AT): Finding[] {
  return check.run(buildContext(snapshot, desired, policy, at));
}
