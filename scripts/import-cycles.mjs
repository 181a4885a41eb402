// Fails when the page's modules import each other in a circle (run by scripts/lint.sh).
// Walks the relative imports (static `import`/`export ... from` and `import('...')`) of every
// module under web/src plus web/embed.js and web/embed-element.js; an import with a query (`./x.wasm?url`) or of a
// file that is not JavaScript is an asset, not a module. Prints each circle it finds as
// `a.js -> b.js -> a.js` and exits 1; silent and 0 when there is none.
//   node scripts/import-cycles.mjs [folder or file ...]   (default: web/src web/embed.js web/embed-element.js)
//   IMPORT_GRAPH=1 also prints every module with the modules it imports.
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const starts = process.argv.length > 2 ? process.argv.slice(2) : ['web/src', 'web/embed.js', 'web/embed-element.js'];
const IMPORT = /(?:\bimport\s*(?:[^'"()]*?\bfrom\s*)?|\bexport\s[^'";]*?\bfrom\s*|\bimport\s*\(\s*)['"]([^'"]+)['"]/g;
const MODULE = /\.(m?js)$/;

/** Every .js/.mjs file under `p` (a file or a folder). */
function modules(p) {
  const full = path.resolve(root, p);
  if (!fs.statSync(full).isDirectory()) return [full];
  return fs.readdirSync(full, {withFileTypes: true}).flatMap((e) => {
    const child = path.join(full, e.name);
    if (e.isDirectory()) return modules(child);
    return MODULE.test(e.name) ? [child] : [];
  });
}

/** The modules `file` imports by a relative path (comments stripped first, so examples in them do not count). */
function importsOf(file) {
  const text = fs
    .readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
  const out = [];
  for (const [, spec] of text.matchAll(IMPORT)) {
    if (!spec.startsWith('.') || spec.includes('?')) continue;
    const target = path.resolve(path.dirname(file), spec);
    if (MODULE.test(target) && fs.existsSync(target)) out.push(target);
  }
  return out;
}

const graph = new Map();
const pending = starts.flatMap(modules);
while (pending.length) {
  const file = pending.pop();
  if (graph.has(file)) continue;
  const next = importsOf(file);
  graph.set(file, next);
  pending.push(...next);
}

// Depth-first search; a module met again while it is still on the path closes a circle.
const cycles = [];
const state = new Map(); // file -> 'open' | 'done'
const trail = [];
function visit(file) {
  state.set(file, 'open');
  trail.push(file);
  for (const next of graph.get(file)) {
    if (state.get(next) === 'open') cycles.push([...trail.slice(trail.indexOf(next)), next]);
    else if (!state.has(next)) visit(next);
  }
  trail.pop();
  state.set(file, 'done');
}
for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);

if (process.env.IMPORT_GRAPH)
  for (const [f, n] of graph) console.log(path.relative(root, f), n.map((x) => path.relative(root, x)).join(' '));
if (cycles.length) {
  const rel = (f) => path.relative(root, f);
  for (const c of cycles) console.error(`import circle: ${c.map(rel).join(' -> ')}`);
  process.exit(1);
}
