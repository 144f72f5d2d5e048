// A reporter beside 'list' that prints why tests were skipped: the list reporter shows a skipped
// test as a bare "-", and "the Electron app was not tested here, because ..." must not go unseen.
import type { Reporter, TestCase, TestResult } from '@playwright/test/reporter';

export default class SkipReasons implements Reporter {
  private readonly byReason = new Map<string, string[]>();

  onTestEnd(test: TestCase, result: TestResult): void {
    if (result.status !== 'skipped') return;
    const skip = [...result.annotations, ...test.annotations].find((a) => a.type === 'skip');
    const reason = skip?.description ?? 'no reason given';
    const project = test.parent.project()?.name ?? '';
    const key = `[${project}] ${reason}`;
    this.byReason.set(key, [...(this.byReason.get(key) ?? []), test.title]);
  }

  onEnd(): void {
    for (const [reason, titles] of this.byReason)
      console.log(`  skipped ${titles.length}: ${reason}`);
  }

  printsToStdio(): boolean {
    return false; // let 'list' own the terminal; these lines are extra
  }
}
