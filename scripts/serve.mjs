// Serves a built folder (web/dist unless --dir) on 127.0.0.1 with Vite's preview
// server, as any plain static host would: no compression, no CORS. --isolate adds
// COOP/COEP, which make the page cross-origin isolated so it runs the
// multi-threaded build (npm start passes it; --no-isolate, which wins, serves like
// a plain static host). A request whose path cannot name a file in the folder
// (malformed percent-encoding, a NUL or other control character, a '..' segment)
// gets 400 before Vite's own middlewares see it (Vite 8.3's preview server exits
// on GET /%E0%A4%A.html); anything missing gets 404.
// Usage: node scripts/serve.mjs [--port N (0: any free port)] [--dir D] [--isolate | --no-isolate]
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';
import {preview} from 'vite';

const USAGE = 'usage: node scripts/serve.mjs [--port N (0: any free port)] [--dir D] [--isolate | --no-isolate]';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function fail(message) {
  console.error(`serve: ${message}`);
  process.exit(2);
}

let opts;
try {
  ({values: opts} = parseArgs({
    options: {
      port: {type: 'string'},
      dir: {type: 'string'},
      isolate: {type: 'boolean'},
      'no-isolate': {type: 'boolean'},
    },
  }));
} catch (e) {
  fail(`${e.message}\n${USAGE}`);
}

const dir = path.resolve(opts.dir ?? path.join(root, 'web/dist'));
const portText = String(opts.port ?? process.env.PORT ?? 8080);
const port = Number(portText);
if (!/^\d+$/.test(portText) || port > 65535)
  fail(`the port must be a whole number from 1 to 65535 (0: any free one), got "${portText}"`);
if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) fail(`${dir} is not a folder`);
if (!opts.dir && !fs.existsSync(path.join(dir, 'index.html')))
  fail(`${dir}/index.html not found (run npm run build first)`);
const isolate = !!opts.isolate && !opts['no-isolate'];

const headers = {};
if (isolate) {
  headers['Cross-Origin-Opener-Policy'] = 'same-origin';
  headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
}

/** The decoded path of a request URL, or null when it cannot name a file below the folder. */
function filePath(url) {
  const raw = url.split(/[?#]/, 1)[0];
  let decoded;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return null;
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
  if (!decoded.startsWith('/') || /[\u0000-\u001f\u007f]/.test(decoded)) return null;
  return decoded.split(/[/\\]/).includes('..') ? null : decoded;
}

// Files served as they are: the page inflates the .gz digits itself, so they must not be
// sent as Content-Encoding: gzip (the browser would inflate them first); the preview
// server's file handler keeps a Content-Type or Content-Encoding set before it runs.
const RAW_TYPES = {'.gz': 'application/gzip', '.mlw': 'application/octet-stream'};

const staticHost = {
  name: 'static-host',
  configurePreviewServer(server) {
    // Registered here, it runs before the preview server's own middlewares.
    server.middlewares.use((req, res, next) => {
      const file = filePath(req.url ?? '');
      if (file === null) {
        res
          .writeHead(400, {'Content-Type': 'text/plain; charset=utf-8'})
          .end('bad request: the path does not name a file\n');
        return;
      }
      // Vite names every file under assets/ by a hash of its content, so a copy once fetched
      // stays good and a reload revalidates nothing there. Anything else (index.html, weights,
      // data, wasm-mt/) is revalidated each time.
      res.setHeader('Cache-Control', file.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
      const type = RAW_TYPES[path.extname(file)];
      if (type) {
        res.setHeader('Content-Type', type);
        res.setHeader('Content-Encoding', 'identity');
      }
      next();
    });
  },
};

let server;
try {
  server = await preview({
    configFile: false,
    root: path.dirname(dir), // the served folder is the build's outDir, which Vite wants below its root
    appType: 'mpa', // '/' and '/folder/' give their index.html; a missing file is a 404, never the page
    logLevel: 'warn',
    plugins: [staticHost],
    build: {outDir: dir},
    preview: {host: '127.0.0.1', port, strictPort: true, headers, cors: false, open: false},
  });
} catch (e) {
  fail(e.message);
}
const url = `http://localhost:${server.httpServer.address().port}/`;
console.log(`mnist-lab: serving ${dir} at ${url}${isolate ? ' (cross-origin isolated: multi-threaded engine)' : ''}`);
