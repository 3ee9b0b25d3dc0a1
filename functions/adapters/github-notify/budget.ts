// The per-run cap on GitHub write calls (`--max-writes`): a run that would exceed it stops and says
// what it did not do, so a bug or a flood of drift can never spray a repository with issues.

/** Counts write calls against a cap. */
export class WriteBudget {
  used = 0;
  constructor(readonly max: number) {}

  /** Returns true (and books them) when `n` more writes fit under the cap. */
  take(n: number): boolean {
    if (this.used + n > this.max) return false;
    this.used += n;
    return true;
  }

  get remaining(): number {
    return this.max - this.used;
  }
}
