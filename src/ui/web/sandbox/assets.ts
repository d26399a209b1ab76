// The sandbox page's files, embedded at build time like the shared ones (../raw.d.ts): its HTML shell, script and
// stylesheet, plus the shared stylesheet and helpers. Enters: nothing at run time; leaves: Assets by path under /_ui/.
import { sharedAssets } from '../assets.js';
import { asset, contentTypes, type Asset } from '../http.js';
import { sandboxHtml } from './page.js';
import sandboxJs from './sandbox.js?raw';
import renderJs from './sandbox-render.js?raw';
import { sandboxCss } from './style.js';

export const sandboxAssets: ReadonlyMap<string, Asset> = new Map([
  ...sharedAssets,
  ['index.html', asset(sandboxHtml, contentTypes.html)],
  ['sandbox.js', asset(sandboxJs, contentTypes.js)],
  ['sandbox-render.js', asset(renderJs, contentTypes.js)],
  ['sandbox.css', asset(sandboxCss, contentTypes.css)],
]);
