/** The announcer's side of one change notice: has it come back (in commit order), and who acknowledged it. */
/** One announced change: its notice heard back, and who acknowledged it. */
export class PendingChange {
  private echoed = false;
  private readonly acks = new Set<string>();
  private wake: () => void = () => undefined;

  heardBack(): void {
    this.echoed = true;
    this.wake();
  }

  acknowledged(by: string): void {
    this.acks.add(by);
    this.wake();
  }

  /** Resolves when `done()` holds or at `deadline` (monotonic ms); true when it held. */
  async until(done: () => boolean, deadline: number): Promise<boolean> {
    while (!done()) {
      const left = deadline - performance.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => (clearTimeout(timer), resolve());
      });
    }
    return true;
  }

  isEchoed = () => this.echoed;
  /** Every one of `ids`, and at least `atLeast` instances in all, acknowledged. */
  ackedBy = (ids: string[], atLeast = 0) => () => this.acks.size >= atLeast && ids.every((id) => this.acks.has(id));
}
