// `import text from './file.css?raw'`: a page asset's text, embedded in the bundle by scripts/build.mjs (its raw-text
// plugin) and by Vite's own `?raw` when the tests import src/ directly.
declare module '*?raw' {
  const text: string;
  export default text;
}
