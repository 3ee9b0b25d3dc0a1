// The notifiers a run can end with. GitHub issues and pull requests today (planOffline: the plan with no
// network); another notifier (Slack, an email digest) is one more export here, fed the same report.
export { notify as notifyGitHub, planOffline, type NotifyOptions, type NotifyResult } from '../adapters/github-notify/index.js';
