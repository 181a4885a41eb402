// A plain static file server over web/dist for the e2e tests: no special
// headers (no COOP/COEP, no CORS), like the cheapest static host; with
// {isolate: true} it sends COOP/COEP as npm start does (a cross-origin isolated page).
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.gz': 'application/gzip',
  '.mlw': 'application/octet-stream',
};

export const distDir = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../web/dist');

/** Serves `dir` on a free port; resolves {url, close}. */
export function serve(dir = distDir, {isolate = false} = {}) {
  if (!fs.existsSync(path.join(dir, 'index.html'))) {
    throw new Error(`${dir}/index.html is missing: run "npx vite build web" first`);
  }
  const server = http.createServer((req, res) => {
    let file;
    try {
      file = path.join(dir, decodeURIComponent(new URL(req.url, 'http://x').pathname));
    } catch {
      res.writeHead(400).end(); // a path that cannot be decoded names no file
      return;
    }
    if (!file.startsWith(dir) || file.includes('\0')) {
      res.writeHead(403).end();
      return;
    }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    fs.stat(file, (err, st) => {
      if (err) {
        res.writeHead(404, {'content-type': 'text/plain'}).end('not found');
        return;
      }
      const headers = {
        'content-type': TYPES[path.extname(file)] || 'application/octet-stream',
        'content-length': st.size,
      };
      if (isolate) {
        headers['cross-origin-opener-policy'] = 'same-origin';
        headers['cross-origin-embedder-policy'] = 'require-corp';
      }
      res.writeHead(200, headers);
      fs.createReadStream(file).pipe(res);
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const {port} = server.address();
      resolve({url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => server.close(r))});
    });
  });
}
