import { describe, expect, it } from 'vitest';
import { statusHeadline } from '../../../functions/core/render/common.js';
import { renderMarkdown } from '../../../functions/core/render/markdown.js';
import { coverageOf, reportOf } from '../../support/report-builder.js';

describe('statusHeadline()', () => {
  it('says no drift for a complete report without findings that audited DaemonSets', () => {
    const report = reportOf({ coverage: [coverageOf('kube-system/kube-proxy', { n1: 'running' })] });

    expect(report.summary.daemonSets).toBe(1);
    expect(statusHeadline(report)).toBe('No drift found');
  });

  it('does not let an audit of nothing read as a clean bill of health', () => {
    const report = reportOf({ coverage: [] });

    expect(statusHeadline(report)).toMatch(/^No drift found, but no DaemonSet was in scope/);
    expect(renderMarkdown(report)).toContain('COMPLETE, but no DaemonSet was in scope');
    expect(renderMarkdown(report)).not.toContain('no drift found**');
  });
});
