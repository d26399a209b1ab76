// `listen`'s web page (/_ui/): the secrets its detail view checks with (listen's own with --verify, else the ones
// `verify` would use), handed to the page, which src/ui/web builds. In: the flags and listen's verify settings;
// out: the page's hooks for the receiver.
import { providerNames } from '../providers/index.js';
import type { ReceiverVerify } from '../receive/index.js';
import type { ListenPages } from '../ui/web/listen-pages.js';
import { secretResolver } from './common.js';

export async function startListenPages(host: string, verify: ReceiverVerify | undefined): Promise<ListenPages> {
  const { createListenPages } = await import('../ui/web/listen-pages.js');
  const known = secretResolver({}, { quiet: true });
  const secretFor = (name: string): string => {
    if (verify) return verify.secretFor(name);
    try {
      return known(name).value;
    } catch {
      return ''; // a config naming an unset variable: that provider's checks fail, saying the secret is empty
    }
  };
  return createListenPages({
    host,
    verify: { secretFor, options: verify?.options, toleranceMs: verify?.toleranceMs },
    secrets: providerNames.map(secretFor).filter((secret) => secret !== ''),
    checkedWith: verify
      ? 'checked with the secrets listen verifies with'
      : 'listen is not verifying: checked here with the configured or built-in test secrets',
  });
}
