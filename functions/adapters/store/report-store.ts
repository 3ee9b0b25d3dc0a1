// The evidence store: every audit run is kept as a set of immutable objects under
// clusters/<cluster>/runs/<YYYY>/<MM>/<DD>/<run-id>/, listed with their sha256 in manifest.json.
// Objects are only ever created, never overwritten (a second write of identical bytes is a no-op);
// a per-run index object feeds history, and clusters/<cluster>/latest.json moves last, only after
// every object of the run is stored. Backends (local folder, S3) implement five small primitives.
//
// Retries and doubled runs. The run id is generatedAt plus the report's sha256, so the same inputs at
// the same time always name the same run, and a retry is a no-op that succeeds:
//   - report.json is written first: it is the run's identity, and every other object follows from it;
//   - a run whose manifest.json already names this report is stored: only index and latest.json are
//     made sure of (an attempt may have stopped between them);
//   - report.html embeds the trend of the runs BEFORE it (readHistory), which can still change when an
//     older run is stored late; a retry that finds another rendering of it from an earlier attempt of
//     the same run keeps the stored one (`adopted`), as it keeps every object it finds;
//   - a run folder that holds report.json but no manifest (an attempt that died) is completed by its
//     retry, or collected by the next run of the cluster an hour or more later: its manifest then lists
//     the objects it has, so it is never orphaned outside `reports list` and `reports verify`.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { StoreError } from '../../core/errors.js';
import type { Report, Severity } from '../../core/types.js';
import { sha256Hex } from '../sha256.js';

/** One file of a run besides report.json (which the store serializes itself) and the snapshot. */
export interface Artifact {
  body: Buffer | string;
  contentType: string;
}

export interface RunInput {
  report: Report;
  /**
   * By file name: `report.md`, `report.html`, `findings.csv`, … A `report.json` here must hold the same
   * report; the store always writes its own serialization of `report` (naming the snapshot's sha256).
   */
  artifacts: Record<string, Artifact>;
  /** The audited snapshot as gzipped JSON (stored as snapshot.json.gz). */
  snapshot?: Buffer;
}

export interface PutRunResult {
  runId: string;
  /** Store-relative key by name (`report.html`, …, `manifest.json`, `index`, and `latest.json` when it moved). */
  keys: Record<string, string>;
  /** Standard run files that were not supplied (e.g. no snapshot): the run is stored without them. */
  missing?: string[];
  /** True when the run was already stored completely (a retry or a doubled run): nothing was written. */
  alreadyStored?: boolean;
  /** History-dependent artifacts kept as an earlier attempt of this same run stored them. */
  adopted?: string[];
  /** Interrupted earlier runs of the cluster that this run found and completed (their run ids). */
  collected?: string[];
}

export interface ManifestObject {
  name: string;
  key: string;
  sha256: string;
  size: number;
  contentType: string;
}

/** manifest.json: what a run consists of, for `verify`. */
export interface RunManifest {
  schemaVersion: 1;
  cluster: string;
  runId: string;
  generatedAt: string;
  complete: boolean;
  reportSha256: string;
  /** The snapshot's sha256 as the report names it (of snapshot.json.gz unless the report named its JSON). */
  snapshotSha256?: string;
  objects: ManifestObject[];
}

/** One entry of the run history (the per-run index object). */
export interface RunSummary {
  cluster: string;
  runId: string;
  generatedAt: string;
  complete: boolean;
  findings: number;
  bySeverity: Record<Severity, number>;
  waived: number;
  /** Store-relative folder of the run. */
  prefix: string;
  manifestSha256: string;
}

export interface StoredRun {
  runId: string;
  prefix: string;
  manifest: RunManifest;
  report: Report;
}

export type VerifyStatus = 'ok' | 'mismatch' | 'missing';

export interface VerifyResult {
  cluster: string;
  runId: string;
  ok: boolean;
  objects: { name: string; key: string; status: VerifyStatus; expectedSha256: string; actualSha256?: string; detail?: string }[];
}

/** Where audit runs are kept; `LocalStore` and `S3Store` implement it. */
export interface ReportStore {
  /** Stores one run (never overwriting), then moves latest.json; throws `RunStoreError` naming what is missing. */
  putRun(run: RunInput): Promise<PutRunResult>;
  /** Returns the clusters that have runs. */
  listClusters(): Promise<string[]>;
  /** Returns the cluster's runs, newest first; `before` (an ISO time) keeps only runs generated earlier. */
  listRuns(cluster: string, opts?: { limit?: number; before?: string }): Promise<RunSummary[]>;
  /** Returns a run's manifest and report; `runId` may be `latest`. */
  getRun(cluster: string, runId: string): Promise<StoredRun>;
  /** Returns an object's bytes by store-relative key. */
  getObject(key: string): Promise<Buffer>;
  /** Recomputes every object's sha256 and compares it with the manifest (and the manifest with the index). */
  verifyRun(cluster: string, runId: string): Promise<VerifyResult>;
  /** Human-readable location of a key (`s3://bucket/prefix/key` or a path), for messages. */
  describe(key: string): string;
  /**
   * Takes the lock `name` (an object under locks/, created only if absent, or taken over once expired),
   * waiting up to `waitSeconds` for another holder; throws `LockBusyError` naming the holder after that.
   */
  acquireLock(name: string, opts?: LockOptions): Promise<HeldLock>;
}

export interface LockOptions {
  /** A holder that dies keeps the lock this long (default 900 s). */
  ttlSeconds?: number;
  /** How long to wait for another holder (default 600 s). */
  waitSeconds?: number;
  /** Pause between looks while waiting (default 1,000 ms). */
  pollMs?: number;
  /** Who holds it, for messages (default host and pid). */
  holder?: string;
  /** Clock (tests). */
  now?: () => number;
}

export interface HeldLock {
  key: string;
  /** True when the lock was taken over from a holder whose lock had expired. */
  tookOver: boolean;
  /** How long this run waited for another holder (ms). */
  waitedMs: number;
  /** Gives the lock up (marks it released; a lock that was taken over meanwhile is left alone). */
  release(): Promise<void>;
}

/** The lock is held by another run and did not come free in time. */
export class LockBusyError extends StoreError {}

interface LockBody {
  holder: string;
  token: string;
  acquiredAt: string;
  expiresAt: string;
  released?: boolean;
}

/** A run that could not be stored completely; latest.json was not moved. */
export class RunStoreError extends StoreError {
  constructor(
    message: string,
    readonly runId: string,
    readonly missing: string[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Thrown by backends when a key exists with different bytes: nothing was overwritten. */
export class ObjectExistsError extends StoreError {}

export { sha256Hex };

/**
 * Returns the sha256 of a gzipped snapshot as stored (snapshot.json.gz), which is what the report names:
 * anyone can check it with `sha256sum snapshot.json.gz`. Throws unless the bytes are gzip data.
 */
export function snapshotSha256Of(gzipped: Buffer): string {
  if (gzipped.length < 18 || gzipped[0] !== 0x1f || gzipped[1] !== 0x8b) throw new StoreError('failed to read snapshot: not gzip data');
  return sha256Hex(gzipped);
}

/** Returns the run id: generatedAt in compact UTC (sortable) plus 8 hex of the report's sha256. */
export function runIdOf(generatedAt: string, reportSha256: string): string {
  const d = new Date(generatedAt);
  if (Number.isNaN(d.getTime())) throw new StoreError(`failed to name run: generatedAt '${generatedAt}' is not a date`);
  const iso = d.toISOString();
  const ms = iso.slice(20, 23);
  return `${iso.slice(0, 19).replace(/[-:]/g, '')}${ms === '000' ? '' : ms}Z-${reportSha256.slice(0, 8)}`;
}

const RUN_ID = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})?Z-([0-9a-f]{8})$/;

/** Returns the time a run id names (ms since the epoch), or NaN when it is not a run id. */
export function runTimeOf(runId: string): number {
  const m = RUN_ID.exec(runId);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, +(m[7] ?? 0)) : Number.NaN;
}

/** Orders run ids by the time they name, then by id (string order misplaces ids with milliseconds). */
export function compareRunIds(a: string, b: string): number {
  return runTimeOf(a) - runTimeOf(b) || (a < b ? -1 : a > b ? 1 : 0);
}
const CLUSTER = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const OBJECT_NAME = /^[a-z0-9][a-z0-9._-]{0,99}$/;

/** Throws unless `cluster` is safe as a key segment (no slashes, no `..`). */
export function checkCluster(cluster: string): string {
  if (!CLUSTER.test(cluster) || cluster.includes('..')) {
    throw new StoreError(`failed to use cluster name '${cluster}': only letters, digits, '.', '_' and '-' are allowed in store keys`);
  }
  return cluster;
}

/** Returns the store-relative folder of a run. */
export function runPrefix(cluster: string, runId: string): string {
  const m = RUN_ID.exec(runId);
  if (!m) throw new StoreError(`failed to find run '${runId}': not a run id (expected e.g. 20260601T120000Z-1a2b3c4d)`);
  return `clusters/${checkCluster(cluster)}/runs/${m[1]}/${m[2]}/${m[3]}/${runId}/`;
}

function indexKey(cluster: string, runId: string): string {
  return `clusters/${cluster}/index/${runId.slice(0, 4)}/${runId}.json`;
}

function latestKey(cluster: string): string {
  return `clusters/${cluster}/latest.json`;
}

/** Returns the report.json bytes, run id and folder of a run, naming the snapshot's sha256 in the report. */
export function serializeRun(run: RunInput): { report: Report; reportJson: Buffer; reportSha: string; runId: string; prefix: string; snapshotSha?: string } {
  const report = structuredClone(run.report);
  let snapshotSha: string | undefined;
  if (run.snapshot) {
    const stored = snapshotSha256Of(run.snapshot);
    const named = report.inputs.snapshot.sha256;
    // The report may name the gzip file or the JSON inside it; anything else is another snapshot.
    if (named && named !== stored && named !== sha256Hex(gunzip(run.snapshot))) {
      throw new StoreError(`failed to store run: the report names snapshot sha256 ${named}, but the snapshot given hashes to ${stored}`);
    }
    // The report must name the snapshot it came from, so anyone can re-run the audit and compare.
    report.inputs.snapshot.sha256 = snapshotSha = named ?? stored;
  }
  const reportJson = Buffer.from(`${JSON.stringify(report, null, 2)}\n`);
  const reportSha = sha256Hex(reportJson);
  const runId = runIdOf(report.generatedAt, reportSha);
  return { report, reportJson, reportSha, runId, prefix: runPrefix(checkCluster(report.cluster), runId), ...(snapshotSha ? { snapshotSha } : {}) };
}

/** The standard files of a run, in the order they are listed. */
const STANDARD = ['report.json', 'report.md', 'report.html', 'findings.csv', 'snapshot.json.gz'];
const RESERVED = new Set(['snapshot.json.gz', 'manifest.json']);
/** Artifacts that embed the store's earlier runs (the trend), so two attempts of one run may render them differently. */
const HISTORY_DEPENDENT = new Set(['report.html']);
/** An interrupted run is collected by a later run only when it is at least this much older (its own retry may be under way). */
const COLLECT_AFTER_MS = 3600_000;
/** Content types of the standard files, for objects whose backend keeps none (a local folder). */
const CONTENT_TYPES: Record<string, string> = {
  'report.json': 'application/json',
  'report.md': 'text/markdown; charset=utf-8',
  'report.html': 'text/html; charset=utf-8',
  'findings.csv': 'text/csv; charset=utf-8',
  'snapshot.json.gz': 'application/gzip',
};
const CONCURRENCY = 4;

/** What a backend reads back: bytes plus the sha256 and content type stored with them (when kept). */
export interface StoredObject {
  body: Buffer;
  sha256?: string;
  contentType?: string;
  /** Opaque version for compare-and-swap of latest.json (ETag, or content hash locally). */
  version?: string;
}

interface LatestPointer {
  runId: string;
  generatedAt: string;
  prefix: string;
  manifestSha256: string;
}

/** The run logic shared by every backend; subclasses supply the object primitives. */
export abstract class BaseReportStore implements ReportStore {
  /** Creates `key` only if absent; `'unchanged'` when it exists with the same sha256; ObjectExistsError otherwise. */
  protected abstract createObject(key: string, body: Buffer, contentType: string, sha256: string): Promise<'created' | 'unchanged'>;
  /** Returns the object, or null when it does not exist. */
  protected abstract readObject(key: string): Promise<StoredObject | null>;
  /** Returns every key under `prefix`. */
  protected abstract listKeys(prefix: string): Promise<string[]>;
  /** Returns the names directly under `prefix` (one level, no trailing slash). */
  protected abstract listChildren(prefix: string): Promise<string[]>;
  /** Replaces `key` if its version is still `expected` (null: still absent); false when someone else won. */
  protected abstract swapObject(key: string, body: Buffer, contentType: string, sha256: string, expected: string | null): Promise<boolean>;
  abstract describe(key: string): string;

  async putRun(run: RunInput): Promise<PutRunResult> {
    const cluster = checkCluster(run.report.cluster);
    for (const name of Object.keys(run.artifacts)) {
      if (!OBJECT_NAME.test(name)) throw new StoreError(`failed to store run: artifact name '${name}' is not a plain file name`);
      if (RESERVED.has(name)) throw new StoreError(`failed to store run: '${name}' is written by the store itself, not passed as an artifact`);
    }
    const given = run.artifacts['report.json'];
    if (given && !sameJson(given.body, run.report)) throw new StoreError('failed to store run: the report.json artifact is not the report being stored');
    const artifacts = Object.entries(run.artifacts).filter(([name]) => name !== 'report.json');
    const { report, reportJson, reportSha, runId, prefix, snapshotSha } = serializeRun(run);

    const objects: { name: string; body: Buffer; contentType: string }[] = [
      { name: 'report.json', body: reportJson, contentType: 'application/json' },
      ...artifacts.map(([name, a]) => ({ name, body: Buffer.isBuffer(a.body) ? a.body : Buffer.from(a.body), contentType: a.contentType })),
      ...(run.snapshot ? [{ name: 'snapshot.json.gz', body: run.snapshot, contentType: 'application/gzip' }] : []),
    ];
    const entries: ManifestObject[] = objects.map((o) => ({
      name: o.name,
      key: prefix + o.name,
      sha256: sha256Hex(o.body),
      size: o.body.length,
      contentType: o.contentType,
    }));
    const standardMissing = STANDARD.filter((n) => !entries.some((e) => e.name === n));
    const done = (r: Omit<PutRunResult, 'runId'>): PutRunResult => ({ runId, ...r, ...(standardMissing.length ? { missing: standardMissing } : {}) });

    // A retry (or a doubled run) of a run that is already stored completely writes nothing new.
    const stored = await this.storedManifest(prefix, reportSha, runId, cluster);
    if (stored) {
      // Same report, so the same run; an object that differs from the stored one is an error. An object the
      // stored run lacks (a run collected after an interruption) stays out of it: its manifest is final.
      const storedSha = new Map(stored.manifest.objects.map((o) => [o.name, o.sha256]));
      const differs = entries.filter((e) => !HISTORY_DEPENDENT.has(e.name) && storedSha.has(e.name) && storedSha.get(e.name) !== e.sha256).map((e) => e.name);
      const lacking = STANDARD.filter((n) => !storedSha.has(n));
      if (differs.length > 0) {
        throw new RunStoreError(
          `failed to store run ${runId} of cluster ${cluster} at ${this.describe(prefix)}: the run is already stored, and ${differs.join(', ')} ${differs.length === 1 ? 'differs' : 'differ'} from it (not overwritten); latest.json is unchanged`,
          runId,
          differs,
        );
      }
      const keys = await this.finishRun(stored.manifest, stored.body, report);
      return { ...done({ keys, alreadyStored: true }), ...(lacking.length ? { missing: lacking } : {}) };
    }

    // report.json first: a folder with objects but no report.json is never left behind by a dying run.
    const failures = new Map<string, unknown>();
    const adopted: string[] = [];
    const write = async (i: number): Promise<void> => {
      const o = objects[i]!;
      try {
        await this.createObject(entries[i]!.key, o.body, o.contentType, entries[i]!.sha256);
      } catch (err) {
        const kept = err instanceof ObjectExistsError && HISTORY_DEPENDENT.has(o.name) ? await this.readObject(entries[i]!.key).catch(() => null) : null;
        if (!kept) {
          failures.set(o.name, err);
          return;
        }
        // Another attempt of this very run (same report.json) rendered it with the history it saw: keep that.
        entries[i] = { ...entries[i]!, sha256: sha256Hex(kept.body), size: kept.body.length };
        adopted.push(o.name);
      }
    };
    await write(0);
    if (!failures.has('report.json'))
      await pool(
        objects.slice(1).map((_o, j) => () => write(j + 1)),
        CONCURRENCY,
      );
    if (failures.size > 0) {
      const first = [...failures.values()][0];
      const conflicts = [...failures].filter(([, e]) => e instanceof ObjectExistsError).map(([n]) => n);
      const missing = [...(failures.has('report.json') ? objects.map((o) => o.name) : failures.keys()), 'manifest.json'];
      const why = conflicts.length
        ? `${conflicts.join(', ')} already exist${conflicts.length === 1 ? 's' : ''} with different content (not overwritten)`
        : ((first as Error)?.message ?? String(first));
      throw new RunStoreError(
        `failed to store run ${runId} of cluster ${cluster} at ${this.describe(prefix)}: ${missing.length - 1} of ${objects.length} objects not written (missing: ${missing.join(', ')}): ${why}; latest.json is unchanged`,
        runId,
        missing,
        { cause: first },
      );
    }

    const manifest: RunManifest = {
      schemaVersion: 1,
      cluster,
      runId,
      generatedAt: report.generatedAt,
      complete: report.complete,
      reportSha256: reportSha,
      ...(snapshotSha ? { snapshotSha256: snapshotSha } : {}),
      objects: entries,
    };
    let manifestBody: Buffer = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
    let finalManifest = manifest;
    try {
      await this.createObject(prefix + 'manifest.json', manifestBody, 'application/json', sha256Hex(manifestBody));
    } catch (err) {
      // A concurrent attempt of the same run wrote its manifest first: the run is stored, by it.
      const other = err instanceof ObjectExistsError ? await this.storedManifest(prefix, reportSha, runId, cluster).catch(() => null) : null;
      if (!other) {
        throw new RunStoreError(
          `failed to store run ${runId} of cluster ${cluster}: could not write ${this.describe(prefix + 'manifest.json')} (missing: manifest.json, index): ${(err as Error).message}; latest.json is unchanged`,
          runId,
          ['manifest.json', 'index'],
          { cause: err },
        );
      }
      manifestBody = other.body;
      finalManifest = other.manifest;
    }
    const keys = await this.finishRun(finalManifest, manifestBody, report);
    const collected = await this.collectInterrupted(cluster, report.generatedAt).catch(() => []);
    return done({ keys, ...(adopted.length ? { adopted } : {}), ...(collected.length ? { collected } : {}) });
  }

  /** Returns the run's manifest when it exists and names this report; null when absent; throws when it names another. */
  private async storedManifest(prefix: string, reportSha: string, runId: string, cluster: string): Promise<{ manifest: RunManifest; body: Buffer } | null> {
    // Unreadable (e.g. S3's 403 for a missing key without s3:ListBucket): the create-only writes below still guard it.
    const existing = await this.readObject(prefix + 'manifest.json').catch(() => null);
    if (!existing) return null;
    const manifest = validManifest(existing.body, prefix);
    if (typeof manifest === 'string' || manifest.reportSha256 !== reportSha) {
      throw new RunStoreError(
        `failed to store run ${runId} of cluster ${cluster}: ${this.describe(prefix + 'manifest.json')} already exists for another report (not overwritten); latest.json is unchanged`,
        runId,
        ['manifest.json'],
      );
    }
    return { manifest, body: existing.body };
  }

  /** Writes the run's index entry (create-only) and moves latest.json; returns the run's keys by name. */
  private async finishRun(manifest: RunManifest, manifestBody: Buffer, report: Report): Promise<Record<string, string>> {
    const { cluster, runId } = manifest;
    const prefix = runPrefix(cluster, runId);
    const manifestSha = sha256Hex(manifestBody);
    const summary: RunSummary = {
      cluster,
      runId,
      generatedAt: manifest.generatedAt,
      complete: manifest.complete,
      findings: report.summary.findings,
      bySeverity: report.summary.bySeverity,
      waived: report.summary.waived,
      prefix,
      manifestSha256: manifestSha,
    };
    const indexBody = Buffer.from(`${JSON.stringify(summary, null, 2)}\n`);
    const keys: Record<string, string> = Object.fromEntries(manifest.objects.map((e) => [e.name, e.key]));
    keys['manifest.json'] = prefix + 'manifest.json';
    try {
      await this.createObject(indexKey(cluster, runId), indexBody, 'application/json', sha256Hex(indexBody));
      keys.index = indexKey(cluster, runId);
    } catch (err) {
      throw new RunStoreError(
        `failed to store run ${runId} of cluster ${cluster}: could not write ${this.describe(indexKey(cluster, runId))} (missing: index): ${(err as Error).message}; latest.json is unchanged`,
        runId,
        ['index'],
        { cause: err },
      );
    }
    try {
      if (await this.moveLatest(cluster, { runId, generatedAt: manifest.generatedAt, prefix, manifestSha256: manifestSha }))
        keys['latest.json'] = latestKey(cluster);
    } catch (err) {
      throw new RunStoreError(
        `failed to update ${this.describe(latestKey(cluster))}: ${(err as Error).message}; run ${runId} itself is stored completely`,
        runId,
        ['latest.json'],
        { cause: err },
      );
    }
    return keys;
  }

  /**
   * Completes the interrupted runs of the cluster stored on the day of `generatedAt` and the day before
   * (run folders with report.json but no manifest.json) that are at least COLLECT_AFTER_MS older: their
   * manifest lists the objects they have. Returns the run ids completed.
   */
  private async collectInterrupted(cluster: string, generatedAt: string): Promise<string[]> {
    const now = Date.parse(generatedAt);
    const days = [now, now - 24 * 3600_000].map((t) => new Date(t).toISOString().slice(0, 10).replace(/-/g, '/'));
    const collected: string[] = [];
    for (const day of [...new Set(days)]) {
      const base = `clusters/${cluster}/runs/${day}/`;
      for (const id of await this.listChildren(base)) {
        if (!(runTimeOf(id) <= now - COLLECT_AFTER_MS)) continue;
        const prefix = base + id + '/';
        const names = (await this.listKeys(prefix)).map((k) => k.slice(prefix.length)).filter((n) => OBJECT_NAME.test(n));
        if (names.includes('manifest.json') || !names.includes('report.json')) continue;
        if (await this.completeFromStore(cluster, id, prefix, names)) collected.push(id);
      }
    }
    return collected;
  }

  /** Writes the manifest of an interrupted run from the objects it has; false when its report.json is not its own. */
  private async completeFromStore(cluster: string, runId: string, prefix: string, names: string[]): Promise<boolean> {
    const order = (n: string): number => (STANDARD.indexOf(n) === -1 ? STANDARD.length : STANDARD.indexOf(n));
    const entries: ManifestObject[] = [];
    let report: Report | undefined;
    for (const name of [...names].sort((a, b) => order(a) - order(b) || (a < b ? -1 : 1))) {
      const o = await this.readObject(prefix + name);
      if (!o) continue;
      const sha = sha256Hex(o.body);
      if (name === 'report.json') {
        if (!runId.endsWith(`-${sha.slice(0, 8)}`)) return false;
        report = parseJson<Report>(o.body, prefix + name);
      }
      entries.push({
        name,
        key: prefix + name,
        sha256: sha,
        size: o.body.length,
        contentType: o.contentType ?? CONTENT_TYPES[name] ?? 'application/octet-stream',
      });
    }
    if (!report || report.cluster !== cluster) return false;
    const reportSha = entries.find((e) => e.name === 'report.json')!.sha256;
    const snapshotSha = report.inputs?.snapshot?.sha256;
    const manifest: RunManifest = {
      schemaVersion: 1,
      cluster,
      runId,
      generatedAt: report.generatedAt,
      complete: report.complete,
      reportSha256: reportSha,
      ...(snapshotSha ? { snapshotSha256: snapshotSha } : {}),
      objects: entries,
    };
    const body = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
    try {
      await this.createObject(prefix + 'manifest.json', body, 'application/json', sha256Hex(body));
    } catch (err) {
      if (!(err instanceof ObjectExistsError)) throw err;
      return false; // its own retry finished it meanwhile
    }
    await this.finishRun(manifest, body, report);
    return true;
  }

  /** Points latest.json at the run unless a newer run is already there; retries when another writer raced. */
  private async moveLatest(cluster: string, pointer: LatestPointer): Promise<boolean> {
    const key = latestKey(cluster);
    const body = Buffer.from(`${JSON.stringify(pointer, null, 2)}\n`);
    for (let attempt = 0; attempt < 5; attempt++) {
      let current: Awaited<ReturnType<typeof this.readObject>>;
      try {
        current = await this.readObject(key);
      } catch (err) {
        // A read cut off by a concurrent writer (a body stream aborted mid-transfer) is worth another look;
        // the pointer only moves forward, so reading it again is always safe.
        if (attempt === 4) throw err;
        await new Promise((r) => setTimeout(r, 50 * (attempt + 1)));
        continue;
      }
      const currentId = current ? latestRunId(current.body) : null;
      if (current && currentId === undefined) {
        // Unreadable: another writer's pointer seen mid-write on a server without atomic puts; look again.
        await new Promise((r) => setTimeout(r, 50 * (attempt + 1)));
        continue;
      }
      if (currentId && compareRunIds(currentId, pointer.runId) >= 0) return false;
      if (await this.swapObject(key, body, 'application/json', sha256Hex(body), current ? (current.version ?? sha256Hex(current.body)) : null)) return true;
      await new Promise((r) => setTimeout(r, 20 * (attempt + 1)));
    }
    throw new StoreError('another writer kept changing it, or it is not a valid pointer');
  }

  async acquireLock(name: string, opts: LockOptions = {}): Promise<HeldLock> {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/.test(name) || name.includes('..'))
      throw new StoreError(`failed to take lock '${name}': not a plain lock name`);
    const key = `locks/${name}.json`;
    const now = opts.now ?? Date.now;
    const ttl = (opts.ttlSeconds ?? 900) * 1000;
    const deadline = now() + (opts.waitSeconds ?? 600) * 1000;
    const holder = opts.holder ?? `${hostname()} pid ${process.pid}`;
    const token = randomBytes(12).toString('hex');
    const started = now();
    for (;;) {
      const body: LockBody = { holder, token, acquiredAt: new Date(now()).toISOString(), expiresAt: new Date(now() + ttl).toISOString() };
      const bytes = Buffer.from(`${JSON.stringify(body, null, 2)}\n`);
      let current: StoredObject | null;
      try {
        current = await this.readObject(key);
      } catch (err) {
        // A failed read (a reset connection, an object read mid-write on a server without atomic puts)
        // is looked at again while there is time: waiting is what a lock does anyway.
        if (now() >= deadline) throw err;
        await new Promise((r) => setTimeout(r, opts.pollMs ?? 1000));
        continue;
      }
      const held = current ? parseLock(current.body) : null;
      let tookOver = false;
      let won = false;
      if (!current) {
        won = await this.createObject(key, bytes, 'application/json', sha256Hex(bytes)).then(
          () => true,
          (err: unknown) => {
            if (err instanceof ObjectExistsError) return false;
            throw err;
          },
        );
      } else if (!held || held.released || Date.parse(held.expiresAt) <= now()) {
        tookOver = Boolean(held && !held.released);
        won = await this.swapObject(key, bytes, 'application/json', sha256Hex(bytes), current.version ?? sha256Hex(current.body));
      }
      if (won) {
        return { key, tookOver, waitedMs: now() - started, release: () => this.releaseLock(key, token) };
      }
      if (now() >= deadline) {
        throw new LockBusyError(
          `failed to take lock ${this.describe(key)}: held by ${held?.holder ?? 'another run'} since ${held?.acquiredAt ?? '?'} until ${held?.expiresAt ?? '?'}; waited ${Math.round((now() - started) / 1000)} s`,
        );
      }
      await new Promise((r) => setTimeout(r, opts.pollMs ?? 1000));
    }
  }

  private async releaseLock(key: string, token: string): Promise<void> {
    const current = await this.readObject(key);
    const held = current ? parseLock(current.body) : null;
    if (!current || !held || held.token !== token || held.released) return;
    const bytes = Buffer.from(`${JSON.stringify({ ...held, released: true }, null, 2)}\n`);
    await this.swapObject(key, bytes, 'application/json', sha256Hex(bytes), current.version ?? sha256Hex(current.body));
  }

  async listClusters(): Promise<string[]> {
    return (await this.listChildren('clusters/')).sort();
  }

  async listRuns(cluster: string, opts: { limit?: number; before?: string } = {}): Promise<RunSummary[]> {
    const prefix = `clusters/${checkCluster(cluster)}/index/`;
    const before = opts.before === undefined ? Infinity : Date.parse(opts.before);
    const idOf = (k: string): string => k.slice(k.lastIndexOf('/') + 1, -'.json'.length);
    const keys = (await this.listKeys(prefix))
      .filter((k) => k.endsWith('.json') && runTimeOf(idOf(k)) < before)
      .sort((a, b) => compareRunIds(idOf(b), idOf(a)))
      .slice(0, opts.limit ?? 100);
    const out: RunSummary[] = new Array(keys.length);
    await pool(
      keys.map((k, i) => async () => {
        out[i] = parseJson<RunSummary>(await this.getObject(k), k);
      }),
      8,
    );
    return out;
  }

  async getRun(cluster: string, runId: string): Promise<StoredRun> {
    const id = await this.resolveRunId(cluster, runId);
    const prefix = runPrefix(cluster, id);
    const manifestObj = await this.readObject(prefix + 'manifest.json');
    if (!manifestObj)
      throw new StoreError(`failed to get run ${id} of cluster ${cluster}: no such run in ${this.describe(`clusters/${cluster}/`)} (see reports list)`);
    const manifest = parseJson<RunManifest>(manifestObj.body, prefix + 'manifest.json');
    const report = parseJson<Report>(await this.getObject(prefix + 'report.json'), prefix + 'report.json');
    return { runId: id, prefix, manifest, report };
  }

  async getObject(key: string): Promise<Buffer> {
    const o = await this.readObject(checkKey(key));
    if (!o) throw new StoreError(`failed to read ${this.describe(key)}: no such object`);
    return o.body;
  }

  async verifyRun(cluster: string, runId: string): Promise<VerifyResult> {
    const id = await this.resolveRunId(cluster, runId);
    const prefix = runPrefix(cluster, id);
    const manifestKey = prefix + 'manifest.json';
    const [manifestObj, index] = await Promise.all([this.readObject(manifestKey), this.readObject(indexKey(cluster, id))]);
    // Tampering is a finding of verify (exit 1), never a failure to verify: every check below yields a result.
    const indexed = index ? indexedManifestSha(index.body) : undefined;
    const fail = (objects: VerifyResult['objects']): VerifyResult => ({ cluster, runId: id, ok: false, objects });
    if (!manifestObj) {
      if (!indexed) throw new StoreError(`failed to verify run ${id}: ${this.describe(manifestKey)} does not exist (the run was never completely stored)`);
      return fail([
        {
          name: 'manifest.json',
          key: manifestKey,
          status: 'missing',
          expectedSha256: indexed,
          detail: 'the run index lists this run, but its manifest is gone',
        },
      ]);
    }
    const manifestSha = sha256Hex(manifestObj.body);
    const objects: VerifyResult['objects'] = [];
    if (index && !indexed)
      objects.push({
        name: 'index',
        key: indexKey(cluster, id),
        status: 'mismatch',
        expectedSha256: '',
        actualSha256: sha256Hex(index.body),
        detail: 'the run index is not a valid index entry',
      });
    objects.push(check('manifest.json', manifestKey, indexed ?? manifestObj.sha256 ?? manifestSha, manifestObj, manifestSha));
    const manifest = validManifest(manifestObj.body, prefix);
    if (typeof manifest === 'string') {
      objects[objects.length - 1] = { ...objects[objects.length - 1]!, status: 'mismatch', detail: `not a valid manifest: ${manifest}` };
      return fail(objects);
    }
    const results: VerifyResult['objects'] = new Array(manifest.objects.length);
    await pool(
      manifest.objects.map((e, i) => async () => {
        const o = await this.readObject(e.key);
        results[i] = o ? check(e.name, e.key, e.sha256, o, sha256Hex(o.body)) : { name: e.name, key: e.key, status: 'missing', expectedSha256: e.sha256 };
      }),
      CONCURRENCY,
    );
    objects.push(...results);
    const report = manifest.objects.find((e) => e.name === 'report.json');
    if (report && report.sha256 !== manifest.reportSha256) {
      objects.push({
        name: 'report.json',
        key: report.key,
        status: 'mismatch',
        expectedSha256: manifest.reportSha256,
        actualSha256: report.sha256,
        detail: 'manifest lists two different report hashes',
      });
    }
    return { cluster, runId: id, ok: objects.every((o) => o.status === 'ok'), objects };
  }

  private async resolveRunId(cluster: string, runId: string): Promise<string> {
    if (runId !== 'latest') return runId;
    const key = latestKey(checkCluster(cluster));
    const latest = await this.readObject(key);
    if (!latest) throw new StoreError(`failed to find the latest run of cluster ${cluster}: ${this.describe(key)} does not exist`);
    return parseJson<LatestPointer>(latest.body, key).runId;
  }
}

const SHA256 = /^[0-9a-f]{64}$/;

function parseLock(body: Buffer): LockBody | null {
  try {
    const l = JSON.parse(body.toString('utf8')) as Partial<LockBody> | null;
    return l && typeof l.token === 'string' && typeof l.expiresAt === 'string' ? (l as LockBody) : null;
  } catch {
    return null;
  }
}

/** Returns the run id latest.json points at, or undefined when it is not a valid pointer. */
function latestRunId(body: Buffer): string | undefined {
  try {
    const id = (JSON.parse(body.toString('utf8')) as Partial<LatestPointer> | null)?.runId;
    return typeof id === 'string' && !Number.isNaN(runTimeOf(id)) ? id : undefined;
  } catch {
    return undefined;
  }
}

/** Returns the manifest sha256 a run's index entry names, or undefined when the entry is not valid. */
function indexedManifestSha(body: Buffer): string | undefined {
  try {
    const sha = (JSON.parse(body.toString('utf8')) as Partial<RunSummary> | null)?.manifestSha256;
    return typeof sha === 'string' && SHA256.test(sha) ? sha : undefined;
  } catch {
    return undefined;
  }
}

/** Returns the run's manifest, or why it is not one (every object inside the run folder, with a sha256). */
function validManifest(body: Buffer, prefix: string): RunManifest | string {
  let m: Partial<RunManifest> | null;
  try {
    m = JSON.parse(body.toString('utf8')) as Partial<RunManifest> | null;
  } catch (err) {
    return `invalid JSON (${(err as Error).message.replace(/\s+/g, ' ')})`;
  }
  if (typeof m !== 'object' || m === null || !Array.isArray(m.objects) || typeof m.reportSha256 !== 'string') return 'no objects or reportSha256';
  const bad = m.objects.findIndex(
    (o: Partial<ManifestObject> | null) =>
      typeof o?.name !== 'string' || !OBJECT_NAME.test(o.name) || o.key !== prefix + o.name || typeof o.sha256 !== 'string' || !SHA256.test(o.sha256),
  );
  return bad === -1 ? (m as RunManifest) : `objects[${bad}] is not a file of this run with a sha256`;
}

function check(name: string, key: string, expected: string, o: StoredObject, actual: string): VerifyResult['objects'][number] {
  if (actual !== expected)
    return { name, key, status: 'mismatch', expectedSha256: expected, actualSha256: actual, detail: 'content differs from the manifest' };
  if (o.sha256 && o.sha256 !== expected)
    return { name, key, status: 'mismatch', expectedSha256: expected, actualSha256: actual, detail: `stored sha256 metadata says ${o.sha256}` };
  return { name, key, status: 'ok', expectedSha256: expected, actualSha256: actual };
}

/** Rejects keys that could leave the store (`..`, absolute, backslashes). */
export function checkKey(key: string): string {
  if (!key || key.startsWith('/') || key.includes('\\') || key.split('/').some((p) => p === '..' || p === '.' || p === '')) {
    throw new StoreError(`failed to use key '${key}': not a store-relative key`);
  }
  return key;
}

function gunzip(gz: Buffer): Buffer {
  try {
    return gunzipSync(gz);
  } catch (err) {
    throw new StoreError(`failed to read snapshot: not gzip data (${(err as Error).message})`, { cause: err });
  }
}

function sameJson(body: Buffer | string, value: unknown): boolean {
  try {
    return JSON.stringify(JSON.parse(body.toString())) === JSON.stringify(value);
  } catch {
    return false;
  }
}

function parseJson<T>(body: Buffer, key: string): T {
  try {
    return JSON.parse(body.toString('utf8')) as T;
  } catch (err) {
    throw new StoreError(`failed to parse ${key}: ${(err as Error).message}`, { cause: err });
  }
}

/** Runs the tasks with at most `n` at a time. */
async function pool(tasks: (() => Promise<void>)[], n: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) await tasks[next++]!();
  };
  await Promise.all(Array.from({ length: Math.min(n, tasks.length) }, worker));
}
