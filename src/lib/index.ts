// Small pure helpers every other folder uses (json, form, jwt, time, http, random, lines, template, capture, …).
// In: values, text and bytes; out: values, text and bytes. Nothing here imports from another src folder.
export * from './capture.js';
export * from './form.js';
export * from './http.js';
export * from './json.js';
export * from './jwt.js';
export * from './lines.js';
export * from './random.js';
export * from './request.js';
export * from './schema.js';
export * from './secret.js';
export * from './template.js';
export * from './text.js';
export * from './time.js';
