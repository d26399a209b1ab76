// What the user sees and answers: renderers (output.ts, the only chalk importer), stdout/stderr, prompts, listings.
// In: verdicts, results and registry data; out: text on stdout and stderr, and the answers to questions asked.
export * from './describe.js';
export * from './output.js';
export * from './prompts.js';
export * from './providers-view.js';
export * from './stdio.js';
export * from './stream-out.js';
