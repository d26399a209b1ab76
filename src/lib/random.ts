// Seeded sample data: a seed enters; a repeatable generator of ints, digits, hex, ids and uuids leaves.
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
const variantCodes = Array.from('89ab', (c) => c.charCodeAt(0));
/** Where each of a uuid's 32 drawn hex digits goes in xxxxxxxx-xxxx-4xxx-vxxx-xxxxxxxxxxxx; -1: replaced. */
const uuidPlace = Array.from({ length: 32 }, (_, i) =>
  i < 8 ? i : i < 12 ? i + 1 : i === 12 || i === 16 ? -1 : i < 16 ? i + 2 : i < 20 ? i + 3 : i + 4,
);
/**
 * Character codes of a string being drawn, one reused array per length, then one String.fromCharCode: a string built
 * a character at a time is a chain of small strings to flatten and collect. Shared by every generator: a draw fills
 * and reads its array before anything else can run.
 */
const scratch: number[][] = [];
const codesOf = (length: number): number[] => (scratch[length] ??= new Array<number>(length).fill(0));

/**
 * sfc32 as a class: one object and one Int32Array per generator instead of a dozen closures, and a generator can be
 * seeded again (load mode keeps one for every delivery). The four 32-bit words live in the Int32Array (as plain
 * numbers, every word ≥ 2^31 was a heap-allocated number); the string draws copy them into locals for their whole
 * loop and store them back once, so a draw is a few register operations. Same arithmetic mod 2^32, same sequence.
 */
export class SeededRng implements Rng {
  seed = 0;
  private readonly state = new Int32Array(4);
  constructor(seed: number) {
    this.reseed(seed);
  }

  /** Starts the sequence of `seed` over, as a new generator would (without one, a random seed). */
  reseed(seed: number = randomInt(0, 2 ** 32)): void {
    this.seed = seed;
    const state = this.state;
    state[0] = 0x9e3779b9;
    state[1] = 0x243f6a88;
    state[2] = 0xb7e15162;
    state[3] = seed;
    for (let i = 0; i < 15; i++) this.step();
  }

  /** One sfc32 step: its 32-bit output, as a signed 32-bit integer. */
  private step(): number {
    const state = this.state;
    const a = state[0] as number;
    const b = state[1] as number;
    const c = state[2] as number;
    const d = ((state[3] as number) + 1) | 0;
    const t = (((a + b) | 0) + d) | 0;
    state[0] = b ^ (b >>> 9);
    state[1] = (c + (c << 3)) | 0;
    state[2] = (((c << 21) | (c >>> 11)) + t) | 0;
    state[3] = d;
    return t;
  }

  next(): number {
    return (this.step() >>> 0) / 4294967296;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  hex(length: number): string {
    return this.chars('0123456789abcdef', length);
  }

  digits(length: number): string {
    return this.chars('0123456789', length);
  }

  alnumUpper(length: number): string {
    return this.chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', length);
  }

  /** `length` characters of `alphabet`, each chosen by one draw as next() would choose it. */
  private chars(alphabet: string, length: number): string {
    const codes = codesOf(length);
    const size = alphabet.length;
    const state = this.state;
    let a = state[0] as number;
    let b = state[1] as number;
    let c = state[2] as number;
    let d = state[3] as number;
    for (let i = 0; i < length; i++) {
      d = (d + 1) | 0;
      const t = (((a + b) | 0) + d) | 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) | 0;
      c = (((c << 21) | (c >>> 11)) + t) | 0;
      codes[i] = alphabet.charCodeAt(Math.floor(((t >>> 0) / 4294967296) * size));
    }
    state[0] = a;
    state[1] = b;
    state[2] = c;
    state[3] = d;
    return String.fromCharCode.apply(null, codes);
  }

  /** 32 hex digits drawn, then the variant: the 13th digit is replaced by the version (4) and the 17th by the variant. */
  uuid(): string {
    const codes = codesOf(36);
    const state = this.state;
    let a = state[0] as number;
    let b = state[1] as number;
    let c = state[2] as number;
    let d = state[3] as number;
    let t = 0;
    // 33 draws: a hex digit is the draw's top 4 bits (floor(next() * 16)), the variant its top 2 (floor(next() * 4)).
    for (let i = 0; i < 33; i++) {
      d = (d + 1) | 0;
      t = (((a + b) | 0) + d) | 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) | 0;
      c = (((c << 21) | (c >>> 11)) + t) | 0;
      if (i < 32) {
        const at = uuidPlace[i] as number;
        if (at >= 0) codes[at] = hexCodes[t >>> 28] as number;
      }
    }
    state[0] = a;
    state[1] = b;
    state[2] = c;
    state[3] = d;
    codes[8] = codes[13] = codes[18] = codes[23] = 0x2d;
    codes[14] = 0x34;
    codes[19] = variantCodes[t >>> 30] as number;
    return String.fromCharCode.apply(null, codes);
  }
}

export function createRng(seed: number = randomInt(0, 2 ** 32)): SeededRng {
  return new SeededRng(seed);
}

export function parseSeed(value: string): number {
  if (!/^\d{1,10}$/.test(value.trim()) || Number(value) > 0xffffffff) {
    throw usage(`--seed ${value}: expected a whole number from 0 to 4294967295`);
  }
  return Number(value);
}
