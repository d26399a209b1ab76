// The assets every local page shares, embedded at build time (see raw.d.ts): the common stylesheet and the small
// browser helpers (common.js). Enters: nothing at run time; leaves: Assets ready for serveAsset, by path.
import commonJs from './common.js?raw';
import { styleCss } from './style.js';
import { asset, contentTypes, type Asset } from './http.js';

/** Served under the page's prefix (`/_ui/style.css`, `/_ui/common.js`). */
export const sharedAssets: ReadonlyMap<string, Asset> = new Map([
  ['style.css', asset(styleCss, contentTypes.css)],
  ['common.js', asset(commonJs, contentTypes.js)],
]);
