// `drift-auditor snapshot`: reads a live cluster into a redacted `v1 List`, printed (-o json|yaml, or
// --out -) or written to a file (--out FILE, gzipped when the name ends in .gz). Fails closed: on any
// read error it exits 2 with one line and writes no file.
import { UsageError } from '../../core/errors.js';
import { parseCommandLine, parseOutputFormat, version, type CliIO, type CommandOptions } from '../main.js';
import { jsonOrYamlForTerminal } from '../output.js';
import type { SnapshotFormat } from '../../pipeline/live.js';

const FORMATS: readonly SnapshotFormat[] = ['json', 'yaml'];

export const SNAPSHOT_USAGE = `usage: drift-auditor snapshot [--kubeconfig FILE] [--context NAME] [-n|--namespace NS…] [--cluster NAME]
                             (-o|--output json|yaml | --out FILE|-) [--page-size N] [--timeout SECONDS]

Reads nodes, DaemonSets, their pods and ControllerRevisions into a v1 List ('audit --snapshot FILE' reads
it back, and jq opens the JSON). Env values are replaced by their sha256; no Secret, ConfigMap,
managedFields or last-applied annotation is ever written.

  --kubeconfig FILE   kubeconfig to use (default: KUBECONFIG, in-cluster service account, ~/.kube/config)
  --context NAME      kubeconfig context (default: current-context)
  -n, --namespace NS  read DaemonSets, pods and revisions in NS only (repeatable; nodes are always all)
  --cluster NAME      cluster name recorded in the snapshot (default: the context name)
  -o, --output F      the format, as in kubectl: json (default) or yaml (also --format); alone, it
                      prints the snapshot on stdout
  --out FILE          write the snapshot to FILE instead, gzipped only when FILE ends in .gz (prod.json,
                      prod.json.gz); written only when the read is complete. '--out -' is stdout
  --page-size N       objects per list page (default 500)
  --timeout SECONDS   per-request timeout (default 60)`;

/** The options `drift-auditor snapshot` accepts (each one explained in SNAPSHOT_USAGE; test/cli/usage.test.ts checks). */
export const SNAPSHOT_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  namespace: { type: 'string', multiple: true, short: 'n' },
  cluster: { type: 'string' },
  output: { type: 'string', short: 'o' },
  format: { type: 'string' },
  out: { type: 'string' },
  'page-size': { type: 'string' },
  timeout: { type: 'string' },
} satisfies CommandOptions;

/** Runs `drift-auditor snapshot`; returns the exit code (0 written, 2 failed). */
export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandLine(
    {
      args: argv,
      strict: true,
      allowPositionals: false,
      options: SNAPSHOT_OPTIONS,
    },
    SNAPSHOT_USAGE,
  );
  if (values.help) {
    io.stdout(`${SNAPSHOT_USAGE}\n`);
    return 0;
  }
  // Older releases took `-o FILE` for the file: a path-like value still is one, with a note on stderr.
  const { format, legacyFile } = parseOutputFormat(values, FORMATS, { legacyFileFlag: '--out', io });
  if (legacyFile !== undefined && values.out !== undefined)
    throw new UsageError(`-o ${legacyFile} and --out ${values.out} both name a file: give --out FILE and -o json|yaml`);
  const out = legacyFile ?? values.out;
  if (out === undefined && format === undefined)
    throw new UsageError(`-o json|yaml (print the snapshot) or --out FILE (write it) is required\n${SNAPSHOT_USAGE}`);
  const pageSize = positiveInt(values['page-size'], '--page-size');
  const timeout = positiveInt(values.timeout, '--timeout');
  // `--out -` is stdout, never a file named '-'.
  const file = out === undefined || out === '-' ? undefined : out;

  const live = await import('../../pipeline/live.js');
  if (file) await live.checkSnapshotTarget(file);
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
  const counts = `${snapshot.nodes.length} nodes, ${snapshot.daemonSets.length} DaemonSets, ${snapshot.pods.length} daemon pods, ${snapshot.controllerRevisions.length} revisions`;
  if (file) {
    const written = await live.saveSnapshot(snapshot, file, { format });
    io.stderr(`wrote ${written.path}: ${counts} (${written.bytes} bytes, sha256 ${written.sha256})\n`);
  } else {
    // Strings from the cluster reach a terminal here: C1 and bidi characters are printed escaped.
    for (const chunk of live.snapshotText(snapshot, format ?? 'json')) io.stdout(jsonOrYamlForTerminal(chunk));
    if (format !== 'yaml') io.stdout('\n');
    io.stderr(`printed the snapshot: ${counts}\n`);
  }
  return 0;
}

function positiveInt(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^[1-9]\d*$/.test(v)) throw new UsageError(`${flag} must be a positive integer, not '${v}'`);
  return Number(v);
}
