import { describe, expect, it } from 'vitest';
import { builtinSecrets, providerSecretEnv, resolveSecret } from '../../src/config/secrets.js';
import { WebhookSimError } from '../../src/errors.js';

describe('resolveSecret precedence', () => {
  const env = { WEBHOOK_SIM_UTBS_SECRET: 'provider-env', WEBHOOK_SIM_SECRET: 'shared-env', MINE: 'named-env' };

  it('--secret beats everything', () => {
    expect(resolveSecret('utbs', { secret: 'flag', secretEnv: 'MINE', env })).toEqual({
      value: 'flag',
      source: 'flag',
      origin: '--secret',
    });
  });

  it('--secret-env NAME beats the conventional variables', () => {
    expect(resolveSecret('utbs', { secretEnv: 'MINE', env })).toEqual({
      value: 'named-env',
      source: 'env',
      origin: '$MINE',
    });
  });

  it('WEBHOOK_SIM_<PROVIDER>_SECRET beats WEBHOOK_SIM_SECRET', () => {
    expect(resolveSecret('utbs', { env })).toEqual({
      value: 'provider-env',
      source: 'env',
      origin: '$WEBHOOK_SIM_UTBS_SECRET',
    });
    expect(resolveSecret('uapay', { env })).toEqual({
      value: 'shared-env',
      source: 'env',
      origin: '$WEBHOOK_SIM_SECRET',
    });
  });

  it('empty variables are skipped, then the built-in test secret', () => {
    expect(
      resolveSecret('cryptocloud', { env: { WEBHOOK_SIM_CRYPTOCLOUD_SECRET: '', WEBHOOK_SIM_SECRET: '' } }),
    ).toEqual({
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
    expect(Object.keys(builtinSecrets).map(providerSecretEnv)).toEqual([
      'WEBHOOK_SIM_CRYPTOCLOUD_SECRET',
      'WEBHOOK_SIM_UTBS_SECRET',
      'WEBHOOK_SIM_UAPAY_SECRET',
    ]);
  });
});
