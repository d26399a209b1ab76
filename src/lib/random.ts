import { randomInt } from 'node:crypto';
import { usage } from '../errors.js';

/**
 * A small seeded generator (sfc32) so `--seed N` gives byte-identical ids and amounts; without a seed the seed
 * itself is random. Not for secrets: only for sample data.
 */
export interface Rng {
  readonly seed: number;
  next(): number; // [0, 1)
  int(min: number, max: number): number; // inclusive
  pick<T>(items: readonly T[]): T;
  hex(length: number): string;
  digits(length: number): string;
  alnumUpper(length: number): string;
  uuid(): string;
}

const hexCodes = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
/** Where each of a uuid's 32 drawn hex digits goes in xxxxxxxx-xxxx-4xxx-vxxx-xxxxxxxxxxxx; -1: replaced. */
const uuidPlace = Array.from({ length: 32 }, (_, i) =>
  i < 8 ? i : i < 12 ? i + 1 : i === 12 || i === 16 ? -1 : i < 16 ? i + 2 : i < 20 ? i + 3 : i + 4,
);

export function createRng(seed: number = randomInt(0, 2 ** 32)): Rng {
  // The four 32-bit words live in an Int32Array: as closure variables, every word ≥ 2^31 was a heap-allocated
  // number, two or three per draw, and load mode draws ~250 times per request. Same arithmetic mod 2^32.
  const state = new Int32Array([0x9e3779b9, 0x243f6a88, 0xb7e15162, seed]);
  const next = (): number => {
    const a = state[0] as number;
    const b = state[1] as number;
    const c = state[2] as number;
    const d = ((state[3] as number) + 1) | 0;
    const t = (((a + b) | 0) + d) | 0;
    state[0] = b ^ (b >>> 9);
    state[1] = (c + (c << 3)) | 0;
    state[2] = (((c << 21) | (c >>> 11)) + t) | 0;
    state[3] = d;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 15; i++) next();
  // Character codes into one reused array, then one string: load mode draws ~200 characters per request,
  // and a string built a character at a time is a chain of small strings to flatten and collect.
  const arrays: number[][] = [];
  const chars = (alphabet: string, length: number): string => {
    const codes = (arrays[length] ??= new Array<number>(length).fill(0));
    for (let i = 0; i < length; i++) codes[i] = alphabet.charCodeAt(Math.floor(next() * alphabet.length));
    return String.fromCharCode.apply(null, codes);
  };
  const rng: Rng = {
    seed,
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[Math.floor(next() * items.length)] as (typeof items)[number];
    },
    hex: (length) => chars('0123456789abcdef', length),
    digits: (length) => chars('0123456789', length),
    alnumUpper: (length) => chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', length),
    // 32 hex digits drawn, then the variant: the 13th digit is replaced by the version (4) and the 17th by the variant.
    uuid: () => {
      const codes = (arrays[36] ??= new Array<number>(36).fill(0));
      for (let i = 0; i < 32; i++) {
        const at = uuidPlace[i] as number;
        const code = hexCodes[Math.floor(next() * 16)] as number;
        if (at >= 0) codes[at] = code;
      }
      codes[8] = codes[13] = codes[18] = codes[23] = 0x2d;
      codes[14] = 0x34;
      codes[19] = '89ab'.charCodeAt(Math.floor(next() * 4));
      return String.fromCharCode.apply(null, codes);
    },
  };
  return rng;
}

export function parseSeed(value: string): number {
  if (!/^\d{1,10}$/.test(value.trim()) || Number(value) > 0xffffffff) {
    throw usage(`--seed ${value}: expected a whole number from 0 to 4294967295`);
  }
  return Number(value);
}
