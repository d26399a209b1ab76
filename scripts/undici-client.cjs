// undici's HTTP client for the CLI bundle (scripts/build.mjs resolves the CLI's `undici` to this): Agent and
// request(), loaded from undici's own files for them. undici's index also loads fetch, WebSocket, EventSource, its
// mocks and caches, and through its cookies Node's bundled copy of undici: about 115 ms at every start of a command
// that sends HTTP, against about 50 ms for these parts (the development machine). When the parts are not where
// undici 7 keeps them, or not what they should be, the index is loaded instead: the same Agent and request().
// The library (dist/index.js) and the tests import undici itself. test/build/undici-client.test.ts checks both ways.
'use strict';

/**
 * `load` is require(). Returns { Agent, request } where request(url, options) is undici's: the URL's origin and path
 * and the options handed to the dispatcher's request() (options.dispatcher, else undici's global one).
 */
module.exports = function undiciClient(load) {
  try {
    const Agent = load('undici/lib/dispatcher/agent.js');
    const Dispatcher = load('undici/lib/dispatcher/dispatcher.js');
    const api = load('undici/lib/api/index.js');
    const { getGlobalDispatcher } = load('undici/lib/global.js');
    const { parseURL } = load('undici/lib/core/util.js');
    for (const part of [Agent, Dispatcher, api.request, getGlobalDispatcher, parseURL])
      if (typeof part !== 'function') throw new Error('not the undici this was written for');
    // As undici's index does: request(), stream() … on every dispatcher.
    Object.assign(Dispatcher.prototype, api);
    const request = (url, options = {}) => {
      const target = parseURL(url);
      return api.request.call(options.dispatcher ?? getGlobalDispatcher(), {
        ...options,
        origin: target.origin,
        path: target.search ? `${target.pathname}${target.search}` : target.pathname,
        method: options.method || (options.body ? 'PUT' : 'GET'),
      });
    };
    return { Agent, request, parts: true };
  } catch {
    const undici = load('undici');
    return { Agent: undici.Agent, request: undici.request, parts: false };
  }
};
