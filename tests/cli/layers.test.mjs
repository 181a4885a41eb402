// mnist-lab layers: the layer tokens the core's registry knows, printed from the
// same table the parser reads; README.md lists exactly these, so the two cannot drift.
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import assert from 'node:assert/strict';

import {cli, jsonLines, root} from './support.mjs';

function run(...args) {
  const r = spawnSync(cli, args, {encoding: 'utf8', timeout: 60000});
  return {code: r.status, stdout: r.stdout, stderr: r.stderr};
}

const layers = () => jsonLines('layers', '--json');

// The bullet list under README's "### Layer specs": "- `usage`: description".
function readmeLayers() {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const section = readme.split('\n### Layer specs\n')[1].split('\n#')[0];
  return [...section.matchAll(/^- `([^`]+)`: (.*)$/gm)].map((m) => ({usage: m[1], description: m[2]}));
}

test('every layer token with its usage and description, as text and as JSON', () => {
  const list = layers();
  assert.deepEqual(
    list.map((l) => l.name),
    ['dense', 'conv', 'pool', 'avgpool', 'gap', 'relu', 'sigmoid', 'tanh', 'dropout', 'bn', 'flatten'],
  );
  const text = run('layers');
  assert.equal(text.code, 0);
  const lines = text.stdout.trimEnd().split('\n');
  assert.equal(lines.length, list.length);
  list.forEach((l, i) => {
    assert.ok(l.usage.startsWith(l.name), l.usage);
    assert.ok(lines[i].startsWith(`${l.usage} `) && lines[i].endsWith(` ${l.description}`), lines[i]);
  });
});

test("README's layer list is the registry's, in its order", () => {
  assert.deepEqual(
    readmeLayers(),
    layers().map(({usage, description}) => ({usage, description})),
  );
});

test('layers takes --json and nothing else', () => {
  const r = run('layers', '--colour');
  assert.equal(r.stderr, "mnist-lab: unknown option --colour for 'layers'\n");
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
});
