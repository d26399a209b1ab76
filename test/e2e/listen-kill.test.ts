// `listen --out DIR` killed with SIGKILL under load (the built binary): whatever instant it dies at, the folder holds
// whole capture files only, every request answered 200 has its file, and the temporary files of the dead process
// are removed by the next start. We wait on answers and exits, no sleeps.
import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { useCleanups } from '../helpers/cleanups.js';
import { tempDir } from '../helpers/cli.js';
import { generate } from '../../src/build/generate.js';
import { captureBodies, post, signalUnderLoad, spawnListenJson } from '../helpers/listen.js';

const secret = 'listen-kill-secret';
const cleanups = useCleanups();

const listen = (args: readonly string[]) => spawnListenJson(args, cleanups);

describe('listen --out DIR killed under load (built binary)', () => {
  it('SIGKILL mid-load: only whole captures, one for every 200; the next start removes the dead process’s temporary files', async () => {
    const { dir, remove } = await tempDir();
    cleanups.push(remove);
    const listener = await listen(['--out', dir]);
    const pid = listener.child.pid as number;
    const results = await signalUnderLoad(listener, { count: 800, after: 300, signal: 'SIGKILL', secret, cleanups });
    expect(await listener.exited).toBeNull();
    const acknowledged = results.flatMap((r) =>
      r.status === 'fulfilled' && r.value.status === 200 ? [r.value.delivery.body] : [],
    );
    expect(acknowledged.length).toBeGreaterThanOrEqual(300);

    // Every .json file parses as a whole capture (a torn one would not), and no request was captured twice.
    const { names, bodies } = await captureBodies(dir);
    expect(new Set(bodies).size).toBe(bodies.length);
    // A 200 means saved: each acknowledged body is in a capture file.
    const saved = new Set(bodies);
    expect(acknowledged.filter((body) => !saved.has(body))).toEqual([]);
    // Anything else is a temporary file of the killed process.
    const leftovers = names.filter((name) => !name.endsWith('.json'));
    for (const name of leftovers) expect(name).toMatch(new RegExp(`\\.json\\.${pid}-\\d+\\.tmp$`));

    // The next start on the folder removes them and keeps every capture.
    const next = await listen(['--out', dir]);
    // One request first: listen catches SIGTERM only once it is serving, a moment after its first line.
    const one = await generate({ provider: 'utbs', secret, seed: 900 });
    expect((await post(next.url, one)).status).toBe(200);
    next.child.kill('SIGTERM');
    expect(await next.exited).toBe(0);
    const after = await readdir(dir);
    expect(after.filter((name) => !name.endsWith('.json'))).toEqual([]);
    expect(after).toHaveLength(names.filter((name) => name.endsWith('.json')).length + 1);
    expect(after).toEqual(expect.arrayContaining(names.filter((name) => name.endsWith('.json'))));
  }, 60_000);
});
