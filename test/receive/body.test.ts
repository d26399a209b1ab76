// Body limits as a person writes them and as a refusal names them.
import { describe, expect, it } from 'vitest';
import { MiB, parseSize, sizeText } from '../../src/receive/body.js';

describe('sizes', () => {
  it('parseSize: bytes, k/kb/kib and m/mb/mib in any case, fractions rounded down', () => {
    expect(parseSize('1048576', '--max-body')).toBe(MiB);
    expect(parseSize('1mb', '--max-body')).toBe(1024 * 1024);
    expect(parseSize(' 512 KiB ', '--max-body')).toBe(512 * 1024);
    expect(parseSize('1.5k', '--max-body')).toBe(1536);
    expect(parseSize('10b', '--max-body')).toBe(10);
  });

  it('parseSize: nothing, zero, an unknown unit or a size past what is safe → a usage error naming the flag', () => {
    for (const text of ['', '0', '0.0001k', '1gb', 'mb', '-1', '99999999999999999999']) {
      expect(() => parseSize(text, '--max-body')).toThrow(
        expect.objectContaining({
          code: 'USAGE',
          message: `--max-body ${text}: not a size; use bytes (1048576) or 512kb, 1mb`,
        }),
      );
    }
  });

  it('sizeText: whole MiB, whole KiB, else bytes', () => {
    expect([
      sizeText(MiB),
      sizeText(3 * MiB),
      sizeText(512 * 1024),
      sizeText(MiB + 1024),
      sizeText(1000),
      sizeText(MiB + 1),
    ]).toEqual(['1 MiB', '3 MiB', '512 KiB', '1025 KiB', '1000-byte', '1048577-byte']);
  });
});
