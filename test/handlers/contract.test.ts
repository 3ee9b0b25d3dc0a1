import { describe, expect, it } from 'vitest';
import { failureKey, stagingSnapshotKey } from '../../functions/handlers/shared/contract.js';

describe('stagingSnapshotKey()', () => {
  it.each([
    ['prod', 'a1b2-c3', 'staging/prod/a1b2-c3/snapshot.json.gz'],
    ['prod', 'name/with:odd chars', 'staging/prod/name_with_odd_chars/snapshot.json.gz'],
  ])('keys cluster %s run %s under staging/', (cluster, runId, key) => {
    expect(stagingSnapshotKey(cluster, runId)).toEqual(key);
  });
});

describe('failureKey()', () => {
  it('keys a failure by time and run under the cluster, sortable and never latest.json', () => {
    const key = failureKey('prod', 'exec-1', new Date('2026-06-01T12:00:00.123Z'));

    expect(key).toEqual('clusters/prod/failures/2026-06-01T12-00-00-123Z-exec-1.json');
  });
});
