// --state FILE: the store's snapshot written atomically (a temporary file in the same folder, then rename), at most
// every `delayMs` and once more on close; read back at start. A killed sandbox leaves the last complete snapshot.
import { readFileSync, renameSync, writeFileSync, rmSync } from 'node:fs';
import { rename, writeFile, rm } from 'node:fs/promises';
import { WebhookSimError, usage } from '../errors.js';
import type { Snapshot, Store } from './state.js';

export function loadSnapshot(file: string): Snapshot | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new WebhookSimError('INPUT', `--state ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw usage(`--state ${file}: not a sandbox state file (${(error as Error).message})`, 'move it away, or point --state at a new file');
  }
  const snapshot = parsed as Partial<Snapshot>;
  if (snapshot.webhookSimSandbox !== 1 || !Array.isArray(snapshot.records)) {
    throw usage(`--state ${file}: not a sandbox state file (no "webhookSimSandbox": 1)`, 'move it away, or point --state at a new file');
  }
  return snapshot as Snapshot;
}

export interface StateWriter {
  /** Marks the state changed: a write follows within the delay. */
  changed(): void;
  /** Writes now (pending or not) and stops the timer. */
  flush(): Promise<void>;
  /** The synchronous last write, for a process that is exiting. */
  flushSync(): void;
}

export function stateWriter(file: string, store: Store, delayMs = 50): StateWriter {
  const temporary = `${file}.${process.pid}.tmp`;
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  let dirty = false;
  const write = async (): Promise<void> => {
    timer = undefined;
    if (!dirty) return;
    dirty = false;
    const text = JSON.stringify(store.snapshot());
    try {
      await writeFile(temporary, text);
      await rename(temporary, file);
    } catch (error) {
      await rm(temporary, { force: true });
      throw new WebhookSimError('OUTPUT', `--state ${file}: cannot write it (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
  };
  const queue = (): Promise<void> => (writing = writing.then(write, write));
  return {
    changed() {
      dirty = true;
      timer ??= setTimeout(() => void queue().catch(() => undefined), delayMs);
    },
    async flush() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      dirty = true;
      await queue();
    },
    flushSync() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      try {
        writeFileSync(temporary, JSON.stringify(store.snapshot()));
        renameSync(temporary, file);
      } catch {
        rmSync(temporary, { force: true });
      }
    },
  };
}
