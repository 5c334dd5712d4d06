/**
 * Runs the given steps one after another, in call order, whatever the callers' concurrency: for a
 * read-modify-write of a Logto setting every scenario of a run shares. A failed step does not
 * stop the next one.
 */
export function oneAtATime(): <T>(step: () => Promise<T>) => Promise<T> {
  let last: Promise<unknown> = Promise.resolve();
  return <T>(step: () => Promise<T>) => {
    const run = last.then(step, step);
    last = run.catch(() => undefined);
    return run;
  };
}
