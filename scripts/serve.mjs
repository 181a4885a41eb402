// A plain static file server for web/dist (what any static host does): no
// compression, no special headers unless --isolate: COOP/COEP, which make the
// page cross-origin isolated so it runs the multi-threaded build (npm start
// passes it; --no-isolate serves like a plain static host).
// Usage: node scripts/serve.mjs [--port N] [--dir D] [--isolate | --no-isolate]
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const root = path.resolve(opt('--dir', 'web/dist'));
const port = Number(opt('--port', process.env.PORT || 8080));
const isolate = args.includes('--isolate') && !args.includes('--no-isolate');

const types = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css',
  '.wasm': 'application/wasm', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.gz': 'application/octet-stream', '.mlw': 'application/octet-stream', '.md': 'text/plain; charset=utf-8',
};

if (!args.includes('--dir') && !fs.existsSync(path.join(root, 'index.html'))) {
  console.error(`serve: ${root}/index.html not found (run npm run build first)`);
  process.exit(2);
}

const server = http.createServer((req, res) => {
  let rel;
  try {
    rel = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  } catch {
    res.writeHead(400).end('bad request');
    return;
  }
  let file = path.join(root, path.normalize(rel));
  if (!file.startsWith(root)) {
    res.writeHead(403).end('forbidden');
    return;
  }
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
  fs.readFile(file, (err, body) => {
    if (err) {
      res.writeHead(404, {'Content-Type': 'text/plain'}).end('not found');
      return;
    }
    const headers = {'Content-Type': types[path.extname(file)] || 'application/octet-stream', 'Cache-Control': 'no-cache'};
    if (isolate) {
      headers['Cross-Origin-Opener-Policy'] = 'same-origin';
      headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
    }
    res.writeHead(200, headers).end(body);
  });
});
server.listen(port, '127.0.0.1', () => {
  console.log(`mnist-lab: serving ${root} at http://localhost:${port}/${isolate ? ' (cross-origin isolated: multi-threaded engine)' : ''}`);
});
