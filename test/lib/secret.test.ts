import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { builtinSecrets, maskSecret, providerSecretEnv, redact, resolveSecret } from '../../src/lib/secret.js';
import { WebhookSimError } from '../../src/errors.js';

describe('resolveSecret precedence', () => {
  const env = { WEBHOOK_SIM_UTBS_SECRET: 'provider-env', WEBHOOK_SIM_SECRET: 'shared-env', MINE: 'named-env' };

  it('--secret beats everything', () => {
    expect(resolveSecret('utbs', { secret: 'flag', secretEnv: 'MINE', env })).toEqual({ value: 'flag', source: 'flag', origin: '--secret' });
  });

  it('--secret-env NAME beats the conventional variables', () => {
    expect(resolveSecret('utbs', { secretEnv: 'MINE', env })).toEqual({ value: 'named-env', source: 'env', origin: '$MINE' });
  });

  it('WEBHOOK_SIM_<PROVIDER>_SECRET beats WEBHOOK_SIM_SECRET', () => {
    expect(resolveSecret('utbs', { env })).toEqual({ value: 'provider-env', source: 'env', origin: '$WEBHOOK_SIM_UTBS_SECRET' });
    expect(resolveSecret('uapay', { env })).toEqual({ value: 'shared-env', source: 'env', origin: '$WEBHOOK_SIM_SECRET' });
  });

  it('empty variables are skipped, then the built-in test secret', () => {
    expect(resolveSecret('cryptocloud', { env: { WEBHOOK_SIM_CRYPTOCLOUD_SECRET: '', WEBHOOK_SIM_SECRET: '' } })).toEqual({
      value: 'webhook-sim-test-cryptocloud-secret',
      source: 'builtin',
      origin: 'built-in test secret',
    });
  });

  it('an empty --secret, an unset --secret-env and an unknown provider are usage errors', () => {
    expect(() => resolveSecret('utbs', { secret: '', env })).toThrow(WebhookSimError);
    expect(() => resolveSecret('utbs', { secretEnv: 'NOT_SET', env })).toThrow(/--secret-env NOT_SET/);
    expect(() => resolveSecret('utbs', { secretEnv: 'EMPTY', env: { EMPTY: '' } })).toThrow(/not set or empty/);
    // Bug: `generate nope` said "no built-in test secret for nope" instead of naming the unknown provider.
    expect(() => resolveSecret('nope', { env: {} })).toThrow(/unknown provider 'nope'/);
  });

  it('names the conventional variable after the provider', () => {
    expect(providerSecretEnv('cryptocloud')).toBe('WEBHOOK_SIM_CRYPTOCLOUD_SECRET');
    expect(Object.keys(builtinSecrets).map(providerSecretEnv)).toEqual(['WEBHOOK_SIM_CRYPTOCLOUD_SECRET', 'WEBHOOK_SIM_UTBS_SECRET', 'WEBHOOK_SIM_UAPAY_SECRET']);
  });
});

describe('maskSecret', () => {
  it('never reveals more than a quarter of the secret, and only its ends', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-composite', maxLength: 80 }).filter((s) => !/[•…]/.test(s)), (secret) => {
        const chars = [...secret];
        const mask = maskSecret(secret);
        const revealed = [...mask].filter((ch) => ch !== '•' && ch !== '…');
        expect(revealed.length * 4).toBeLessThanOrEqual(chars.length);
        if (revealed.length > 0) {
          const [head, tail] = mask.split('…') as [string, string];
          expect(secret.startsWith(head)).toBe(true);
          expect(secret.endsWith(tail)).toBe(true);
        } else {
          expect(mask).toMatch(/^•{3,8}$/);
        }
        if (chars.length > 1) expect(mask.includes(secret)).toBe(false);
      }),
      { seed: 3, numRuns: 300 },
    );
  });

  it('examples', () => {
    expect(maskSecret('SECRET123')).toBe('S…3');
    expect(maskSecret('webhook-sim-test-utbs-secret')).toBe('web…ret');
    // Short secrets show nothing, not even their length.
    expect(maskSecret('short')).toBe('••••••');
    expect(maskSecret('')).toBe('••••••');
    expect(maskSecret('a')).toBe(maskSecret('abcdefg'));
  });

  it('redact replaces every occurrence', () => {
    expect(redact('a SECRET123 b SECRET123', 'SECRET123')).toBe('a S…3 b S…3');
    expect(redact('unchanged', '')).toBe('unchanged');
  });
});
