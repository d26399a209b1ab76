// The sandbox's pinned credentials and CryptoCloud's notification URL: each flag, else the config file's
// providers.cryptocloud.sandbox / providers.uapay.sandbox, else none (then any non-empty credential is accepted).
// The notification URL must be an http(s) URL with a port if it has a ':' (checked here, before the sandbox starts).
import { usage } from '../errors.js';
import { parseHttpUrl } from '../lib/http.js';
import { configFor } from './settings.js';

export interface PinFlags {
  apiKey?: string | undefined;
  shopId?: string | undefined;
  clientId?: string | undefined;
  notifyUrl?: string | undefined;
}

export function sandboxPins(flags: PinFlags): PinFlags {
  for (const [flag, value] of [
    ['--api-key', flags.apiKey],
    ['--shop-id', flags.shopId],
    ['--client-id', flags.clientId],
  ] as const)
    if (value === '') throw usage(`${flag} is empty`);
  const file = { ...configFor('cryptocloud')?.sandbox, ...configFor('uapay')?.sandbox };
  const notifyUrl = flags.notifyUrl ?? file.notifyUrl;
  // Checked before the sandbox starts: a URL that cannot take a postback is the user's mistake (exit 2), not a
  // line at each paid invoice.
  if (notifyUrl !== undefined) parseHttpUrl(notifyUrl, '--notify-url');
  return {
    apiKey: flags.apiKey ?? file.apiKey,
    shopId: flags.shopId ?? file.shopId,
    clientId: flags.clientId ?? file.clientId,
    notifyUrl,
  };
}
