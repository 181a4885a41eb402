// Builds the static site into web/dist with relative URLs (base './'), so the
// folder works from any path on any static host and inside other pages.
//   index.html          the full page (also ?view=drawpad|train|conv|network|results for iframes)
//   embed.js            the one script embedders include, a classic script (so any host
//                       serves it, CORS or not); it imports embed-element.js beside it
//   embed-element.js    defines <mnist-lab view="...">; it finds its workers, wasm and
//                       weights relative to its own URL
//   embed-example.html  a page that uses only that script
import {resolve} from 'node:path';
import {defineConfig} from 'vite';

const here = import.meta.dirname;

// Vite's development server injects the CSS as <style> elements and talks to its
// client over a WebSocket, which the pages' Content-Security-Policy forbids; in
// development only, the policy allows both (the built pages keep theirs).
const devPolicy = {
  name: 'dev-policy',
  apply: 'serve',
  transformIndexHtml: (html) =>
    html
      .replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
      .replace("connect-src 'self'", "connect-src 'self' ws:"),
};

export default defineConfig({
  root: here,
  plugins: [devPolicy],
  base: './',
  publicDir: 'public',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0, // the wasm and weights stay files, fetched relative to the scripts
    chunkSizeWarningLimit: 800,
    rolldownOptions: {
      input: {
        index: resolve(here, 'index.html'),
        'embed-example': resolve(here, 'embed-example.html'),
        embed: resolve(here, 'embed.js'),
        'embed-element': resolve(here, 'embed-element.js'),
      },
      output: {
        // embed.js keeps a fixed name at the site root: it is the one URL embedders use;
        // embed-element.js too: embed.js imports it by that name.
        entryFileNames: (chunk) => (chunk.name.startsWith('embed') ? `${chunk.name}.js` : 'assets/[name]-[hash].js'),
      },
      preserveEntrySignatures: 'allow-extension',
    },
  },
  worker: {format: 'es'},
  // npm run dev: Vite's development server, cross-origin isolated as npm start's
  // server is (the page then runs the pthreads build from public/wasm-mt/).
  server: {
    port: 5173,
    headers: {'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp'},
  },
});
