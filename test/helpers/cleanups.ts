import { afterEach } from 'vitest';

export type Cleanups = Array<() => Promise<unknown>>;

/** A list the calling test file pushes closers onto; after each test they run, newest first. */
export function useCleanups(): Cleanups {
  const cleanups: Cleanups = [];
  afterEach(async () => {
    while (cleanups.length > 0) await cleanups.pop()?.();
  });
  return cleanups;
}
