import type { Reporter, TestModule } from 'vitest/node';

/**
 * Ends the run with the plain `N passed, N failed, N skipped` line that CI logs are read by,
 * after vitest's own report. "failed" counts what makes vitest exit 1: failed tests, and files
 * or suites that failed outside a test (a throwing beforeAll/afterAll, an import error), whose
 * tests are then skipped or passed and would otherwise leave "0 failed" on a red run.
 */
export default class ClosingLineReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    const count = (state: 'passed' | 'failed' | 'skipped') =>
      testModules.reduce((sum, module) => sum + [...module.children.allTests(state)].length, 0);
    const failedOutsideTests = testModules.reduce(
      (sum, module) =>
        sum +
        (module.errors().length > 0 ? 1 : 0) +
        [...module.children.allSuites()].filter((suite) => suite.errors().length > 0).length,
      0,
    );
    const failed = count('failed') + failedOutsideTests + unhandledErrors.length;
    console.log(`\n${count('passed')} passed, ${failed} failed, ${count('skipped')} skipped`);
  }
}
