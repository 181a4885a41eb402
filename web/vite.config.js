// Builds the static site into web/dist with relative URLs (base './'), so the
// folder works from any path on any static host and inside other pages.
//   index.html          the full page (also ?view=drawpad|train|conv|network|results for iframes)
//   embed.js            one script that defines <mnist-lab view="...">; it finds its
//                       worker, wasm and weights relative to its own URL
//   embed-example.html  a page that uses only that script
import {resolve} from 'node:path';
import {defineConfig} from 'vite';

const here = import.meta.dirname;

export default defineConfig({
  root: here,
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
      },
      output: {
        // embed.js keeps a fixed name at the site root: it is the one URL embedders use.
        entryFileNames: (chunk) => (chunk.name === 'embed' ? 'embed.js' : 'assets/[name]-[hash].js'),
      },
      preserveEntrySignatures: 'allow-extension',
    },
  },
  worker: {format: 'es'},
  server: {port: 5173},
});
