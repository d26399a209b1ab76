// --state FILE: the store's snapshot written atomically (a temporary file in the same folder, then rename), at most
// every `delayMs` and once more on close; read back at start. A killed sandbox leaves the last complete snapshot.
import { readFileSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { WebhookSimError, usage } from '../errors.js';
import { onlyCreated, type Snapshot, type Store } from './state.js';

export function loadSnapshot(file: string): Snapshot | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new WebhookSimError(
      'INPUT',
      `--state ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw usage(
      `--state ${file}: not a sandbox state file (${(error as Error).message})`,
      'move it away, or point --state at a new file',
    );
  }
  const snapshot = parsed as Partial<Snapshot>;
  if (snapshot.webhookSimSandbox !== 1 || !Array.isArray(snapshot.records)) {
    throw usage(
      `--state ${file}: not a sandbox state file (no "webhookSimSandbox": 1)`,
      'move it away, or point --state at a new file',
    );
  }
  return snapshot as Snapshot;
}

export interface StateWriter {
  /** Marks the state changed: a write follows within the delay. */
  changed(): void;
  /** Writes now what has changed (nothing, when nothing has since the last write) and stops the timer. */
  flush(): Promise<void>;
}

/**
 * The snapshot, written in batches of records: no single string of the whole store (100,000 invoices are tens of MB
 * of JSON), and the event loop serves requests between batches. Then renamed over the file: a reader, or a
 * restart after a kill, only ever sees a complete snapshot.
 */
async function writeSnapshot(file: string, temporary: string, store: Store): Promise<void> {
  const { records, ...head } = store.snapshot();
  // 0600: the file holds the orders' own IPN secrets (docs/sandbox.md); the rename keeps the mode.
  const handle = await open(temporary, 'w', 0o600);
  try {
    await handle.write(`${JSON.stringify(head).slice(0, -1)},"records":[`);
    for (let i = 0; i < records.length; i += 500) {
      await handle.write(
        `${i === 0 ? '' : ','}${records
          .slice(i, i + 500)
          .map((r) => JSON.stringify(onlyCreated(r) ? { ...r, calls: undefined } : r))
          .join(',')}`,
      );
    }
    await handle.write(']}');
  } finally {
    await handle.close();
  }
  await rename(temporary, file);
}

export function stateWriter(file: string, store: Store, delayMs = 50): StateWriter {
  const temporary = `${file}.${process.pid}.tmp`;
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  let dirty = false;
  // The pause after a write is at least four times what it took: a big store is not rewritten back to back.
  let pause = delayMs;
  const write = async (): Promise<void> => {
    timer = undefined;
    if (!dirty) return;
    dirty = false;
    const started = performance.now();
    try {
      await writeSnapshot(file, temporary, store);
    } catch (error) {
      await rm(temporary, { force: true });
      throw new WebhookSimError(
        'OUTPUT',
        `--state ${file}: cannot write it (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      );
    }
    pause = Math.max(delayMs, 4 * (performance.now() - started));
  };
  const queue = (): Promise<void> => (writing = writing.then(write, write));
  return {
    changed() {
      dirty = true;
      timer ??= setTimeout(() => void queue().catch(() => undefined), pause);
    },
    async flush() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      await queue();
    },
  };
}
