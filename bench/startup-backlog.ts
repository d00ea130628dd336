/**
 * Whether the backlog left by a start has been worked off: every group's lag down to half its
 * peak or less, and no new low (a tenth under the last) for `patienceMs`. Fed one lag reading at a
 * time with the time it was read, so the rule is tested without a broker.
 */
export class StartupBacklog {
  private peak: number;
  private lowest: number;
  private lowestAt: number;
  private last: number;
  private lastAt: number;

  constructor(
    lag: number,
    atMs: number,
    private readonly patienceMs = 3_000,
  ) {
    this.peak = this.lowest = this.last = lag;
    this.lowestAt = this.lastAt = atMs;
  }

  observe(lag: number, atMs: number): void {
    this.last = lag;
    this.lastAt = atMs;
    this.peak = Math.max(this.peak, lag);
    if (lag < this.lowest * 0.9) {
      this.lowest = lag;
      this.lowestAt = atMs;
    }
  }

  get lag(): number {
    return this.last;
  }

  get settled(): boolean {
    return this.last <= this.peak / 2 && this.lastAt - this.lowestAt >= this.patienceMs;
  }
}
