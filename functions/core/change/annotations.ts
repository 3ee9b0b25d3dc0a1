// Check-run annotations for a pull-request check: one per DaemonSet and rule, on the line where the
// DaemonSet is declared (the head's file, or the base's for a removed one), so thousands of lost
// nodes read as one annotation listing their groups. GitHub takes at most 50 per request; the
// adapter batches them.
import type { Finding, Severity } from '../types.js';
import type { ChangeReport, NodeGroup } from './types.js';
import { CHANGE_RULES } from './compare.js';

/** One annotation as the GitHub checks API takes it. */
export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: 'failure' | 'warning' | 'notice';
  title: string;
  message: string;
}

const LEVEL: Record<Severity, CheckAnnotation['annotation_level']> = { critical: 'failure', warning: 'warning', info: 'notice' };
/** GitHub rejects annotation messages above 64 KB; a few dozen group lines say enough. */
const MAX_GROUP_LINES = 20;

/** Returns the annotations of a check's findings (waived ones left out), paths prefixed with `pathPrefix`. */
export function changeAnnotations(report: ChangeReport, pathPrefix = ''): CheckAnnotation[] {
  const byDs = new Map(report.daemonSets.map((d) => [`${d.namespace}/${d.name}`, d]));
  const groups = new Map<string, { rule: string; findings: Finding[] }>();
  for (const f of report.findings) {
    if (!f.file || !f.line) continue;
    const key = JSON.stringify([f.file, f.line, f.namespace, f.daemonSet, f.rule]);
    const g = groups.get(key);
    if (g) g.findings.push(f);
    else groups.set(key, { rule: f.rule, findings: [f] });
  }
  const out: CheckAnnotation[] = [];
  for (const { rule, findings } of groups.values()) {
    const first = findings[0]!;
    const ds = byDs.get(`${first.namespace}/${first.daemonSet}`);
    const worst = findings.some((f) => f.severity === 'critical') ? 'critical' : findings.some((f) => f.severity === 'warning') ? 'warning' : 'info';
    const key = `${first.namespace}/${first.daemonSet}`;
    const nodes = new Set(findings.map((f) => f.node).filter((n): n is string => n !== null));
    let title: string;
    let message: string;
    if (nodes.size > 0 && ds) {
      const lost = rule === CHANGE_RULES.lost || rule === CHANGE_RULES.requiredLost;
      title = `${key} ${lost ? 'loses' : 'gains'} ${nodes.size} node${nodes.size === 1 ? '' : 's'} (${rule})`;
      message = groupLines(lost ? ds.lostBy : ds.gainedBy, nodes, findings);
    } else {
      title = `${key}: ${rule}`;
      message = findings.map((f) => f.message).join('\n');
    }
    out.push({ path: `${pathPrefix}${first.file}`, start_line: first.line!, end_line: first.line!, annotation_level: LEVEL[worst], title, message });
  }
  return out;
}

/** One line per node group; when a rule covers only some of a DaemonSet's lost nodes (required ones), lists those nodes instead. */
function groupLines(groups: NodeGroup[], nodes: Set<string>, findings: Finding[]): string {
  const total = groups.reduce((n, g) => n + g.nodes, 0);
  if (total !== nodes.size)
    return (
      findings
        .slice(0, MAX_GROUP_LINES)
        .map((f) => f.message)
        .join('\n') + more(findings.length)
    );
  return groups.slice(0, MAX_GROUP_LINES).map(describeGroup).join('\n') + more(groups.length);
}

function more(n: number): string {
  return n > MAX_GROUP_LINES ? `\n… and ${n - MAX_GROUP_LINES} more` : '';
}

/** Returns `12 nodes · pool gpu-a · zone eu-west-1a · taints x:NoSchedule — reason (n1, n2, …)`. */
export function describeGroup(g: NodeGroup): string {
  const parts = [
    `${g.nodes} node${g.nodes === 1 ? '' : 's'}`,
    `pool ${g.pool ?? '(none)'}`,
    `zone ${g.zone ?? '(none)'}`,
    `taints ${g.taints.length ? g.taints.join(', ') : '(none)'}`,
  ];
  return `${parts.join(' · ')} — ${g.reason} (${g.examples.join(', ')}${g.nodes > g.examples.length ? ', …' : ''})`;
}
