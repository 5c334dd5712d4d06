import type { Middleware } from 'koa';

/** Runs middlewares in order, the last one handing over to `next`. */
export const chain =
  (...middlewares: Middleware[]): Middleware =>
  (ctx, next) => {
    const run = (index: number): Promise<void> => {
      const middleware = middlewares[index];
      return middleware ? Promise.resolve(middleware(ctx, () => run(index + 1))) : Promise.resolve(next());
    };
    return run(0);
  };
