import { usage } from '../errors.js';

/** Parses and checks a target URL before anything is built or sent; a bad URL is the user's mistake (exit 2). */
export function parseTarget(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw usage(`URL ${JSON.stringify(text)}: not a URL`, 'give a full URL such as http://127.0.0.1:3000/webhooks');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw usage(`URL ${text}: only http and https targets can be sent to`, `got ${url.protocol.replace(/:$/, '')}`);
  }
  if (!url.hostname) throw usage(`URL ${text}: no host`);
  return url;
}
