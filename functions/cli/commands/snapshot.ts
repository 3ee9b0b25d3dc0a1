// `drift-auditor snapshot`: reads a live cluster into a redacted, gzipped `v1 List` file. Fails closed:
// on any read error it exits 2 with one line and writes no file.
import { UsageError } from '../../core/errors.js';
import { parseCommandLine, version, type CliIO } from '../main.js';

export const SNAPSHOT_USAGE = `usage: drift-auditor snapshot [--kubeconfig FILE] [--context NAME] [--namespace NS…] [--cluster NAME] --out FILE

Reads nodes, DaemonSets, their pods and ControllerRevisions into a gzipped v1 List (jq-readable after
gunzip; 'audit --snapshot FILE' reads it). Env values are replaced by their sha256; no Secret, ConfigMap,
managedFields or last-applied annotation is ever written.

  --kubeconfig FILE   kubeconfig to use (default: KUBECONFIG, in-cluster service account, ~/.kube/config)
  --context NAME      kubeconfig context (default: current-context)
  -n, --namespace NS  read DaemonSets, pods and revisions in NS only (repeatable; nodes are always all)
  --cluster NAME      cluster name recorded in the snapshot (default: the context name)
  --out FILE          where to write the snapshot (.json.gz); written only when the read is complete
  --page-size N       objects per list page (default 500)
  --timeout SECONDS   per-request timeout (default 60)`;

/** Runs `drift-auditor snapshot`; returns the exit code (0 written, 2 failed). */
export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandLine({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      help: { type: 'boolean', short: 'h' },
      kubeconfig: { type: 'string' },
      context: { type: 'string' },
      namespace: { type: 'string', multiple: true, short: 'n' },
      cluster: { type: 'string' },
      out: { type: 'string', short: 'o' },
      'page-size': { type: 'string' },
      timeout: { type: 'string' },
    },
  }, SNAPSHOT_USAGE);
  if (values.help) {
    io.stdout(`${SNAPSHOT_USAGE}\n`);
    return 0;
  }
  if (!values.out) throw new UsageError(`--out is required\n${SNAPSHOT_USAGE}`);
  const pageSize = positiveInt(values['page-size'], '--page-size');
  const timeout = positiveInt(values.timeout, '--timeout');

  const live = await import('../../pipeline/live.js');
  await live.checkSnapshotTarget(values.out);
  const snapshot = await live.readLiveSnapshot({
    kubeconfig: values.kubeconfig,
    context: values.context,
    namespaces: values.namespace,
    cluster: values.cluster,
    env: io.env,
    pageSize,
    requestTimeoutMs: timeout === undefined ? undefined : timeout * 1000,
    auditorVersion: await version(),
    onProgress: io.isTTY ? live.progressPrinter(io.stderr) : undefined,
  });
  const written = await live.saveSnapshot(snapshot, values.out);
  io.stderr(`wrote ${written.path}: ${snapshot.nodes.length} nodes, ${snapshot.daemonSets.length} DaemonSets, ${snapshot.pods.length} daemon pods, ${snapshot.controllerRevisions.length} revisions (${written.bytes} bytes, sha256 ${written.sha256})\n`);
  return 0;
}

function positiveInt(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^[1-9]\d*$/.test(v)) throw new UsageError(`${flag} must be a positive integer, not '${v}'`);
  return Number(v);
}
