// Cooperative run control: the trainer checks it between batches, so a pause keeps the weights
// consistent and usable (predictions still run while paused), and stop ends after the current batch.

export class RunControl {
  private stopRequested = false;
  private gate: { promise: Promise<void>; open: () => void } | null = null;

  get paused(): boolean {
    return this.gate !== null;
  }

  get stopped(): boolean {
    return this.stopRequested;
  }

  /** Returns false if already paused or stopped. */
  pause(): boolean {
    if (this.gate || this.stopRequested) return false;
    let open!: () => void;
    const promise = new Promise<void>((resolve) => (open = resolve));
    this.gate = { promise, open };
    return true;
  }

  /** Returns false if not paused. */
  resume(): boolean {
    const gate = this.gate;
    if (!gate) return false;
    this.gate = null;
    // Open on a later task: the caller (the worker answering "resume") replies first. Opened at
    // once, the loop would take the thread for a whole gradient pass before that reply went out,
    // and the app's controls would stay busy meanwhile (a Stop pressed then was lost).
    setTimeout(gate.open, 0);
    return true;
  }

  stop(): void {
    this.stopRequested = true;
    this.resume(); // a paused run must wake up to see the stop
  }

  /** Awaited by the trainer between batches: holds while paused. */
  async whilePaused(): Promise<void> {
    while (this.gate) await this.gate.promise;
  }
}
