/**
 * A store port whose repository is loaded on its first call. Recording an event needs only the engagement
 * and space repositories; the others serve interactions, so they live in chunks of their own (the bundles
 * split dynamic imports, see infra/bundling.ts) that a cold start recording a message never reads.
 */

/** Every method of a port that answers with a promise (what a repository's methods all do). */
type AsyncPort<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => Promise<R> : never;
};

export function loadedOnFirstCall<T extends AsyncPort<T>>(load: () => Promise<T>): T {
  let loaded: Promise<T> | undefined;
  const target = () => {
    loaded ??= load().catch((error: unknown) => {
      loaded = undefined;
      throw error;
    });
    return loaded;
  };
  return new Proxy({} as T, {
    get(_, name) {
      // Not a thenable: awaiting the port itself must not call a method named `then`.
      if (name === 'then' || typeof name !== 'string') return undefined;
      return async (...args: unknown[]) => {
        const port = (await target()) as Record<string, (...args: unknown[]) => Promise<unknown>>;
        return port[name]?.(...args);
      };
    },
  });
}
