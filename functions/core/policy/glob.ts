// Globs in policy files (`*` for any run of characters): waivers, overrides and hand managers match
// rule ids, DaemonSets and names with them. Kept apart from parse.ts so checks can use it without
// importing the policy parser (which imports the checks for their parameter schemas).
// Compiled globs by pattern. applyPolicy matches every finding against every waiver and override, so
// compiling per call put a RegExp construction on the hot path (thousands of findings at 5,000 nodes).
// Patterns come from one policy file: few, and the cache only ever maps a pattern to the same RegExp.
const GLOBS = new Map<string, RegExp>();

/** Returns whether `name` matches a glob where `*` stands for any run of characters. */
export function matchesGlob(pattern: string, name: string): boolean {
  if (!pattern.includes('*')) return pattern === name;
  let re = GLOBS.get(pattern);
  if (!re) {
    re = new RegExp(
      `^${pattern
        .split('*')
        .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
    );
    if (GLOBS.size < 1000) GLOBS.set(pattern, re);
  }
  return re.test(name);
}
