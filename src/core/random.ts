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

export function createRng(seed: number = randomInt(0, 2 ** 32)): Rng {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed >>> 0;
  const next = (): number => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 15; i++) next();
  const chars = (alphabet: string, length: number): string => {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(next() * alphabet.length)];
    return out;
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
    uuid: () => {
      const h = chars('0123456789abcdef', 32);
      const variant = '89ab'[Math.floor(next() * 4)];
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
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
