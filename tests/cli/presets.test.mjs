// mnist-lab presets: README's table lists exactly the core's presets, in its order,
// with their specs and parameter counts, so adding a preset to the core without its
// README row (or changing one's spec) fails here.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';

import {jsonLines, root} from './support.mjs';

const presets = () => jsonLines('presets', '--json');

// The rows of README's "### Presets" table: | `name` | `spec` | 12,345 | source |
function readmePresets() {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const section = readme.split('\n### Presets\n')[1].split('\n#')[0];
  return [...section.matchAll(/^\| `([^`]+)` \| `([^`]+)` \| ([\d,]+) \|/gm)].map((m) => ({
    name: m[1],
    spec: m[2],
    params: Number(m[3].replaceAll(',', '')),
  }));
}

test("README's preset table is the core's presets, in its order, with their specs and parameter counts", () => {
  const core = presets().map(({name, spec, params}) => ({name, spec, params}));
  assert.ok(core.length >= 10, `${core.length} presets`);
  assert.deepEqual(readmePresets(), core);
});
