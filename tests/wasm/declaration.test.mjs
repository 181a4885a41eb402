// web/src/wasm/mnist_lab.d.mts, the committed declaration tsc checks the page
// against, names what wasm/bindings.cpp registers, no more and no less, and the
// built module has it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';

import {loadCore, root} from './support.mjs';

const bindings = fs.readFileSync(path.join(root, 'wasm/bindings.cpp'), 'utf8');
const declaration = fs.readFileSync(path.join(root, 'web/src/wasm/mnist_lab.d.mts'), 'utf8');

/** The names registered by one kind of call: .function("x", ...) and the like. */
const registered = (call, text = bindings) =>
  [...text.matchAll(new RegExp(`\\.${call}\\("(\\w+)"`, 'g'))].map((m) => m[1]);

/** A declared interface's member names (methods and properties), comments left out. */
function members(name) {
  const body = new RegExp(`export interface ${name} \\{([\\s\\S]*?)\\n\\}`).exec(declaration)?.[1];
  assert.ok(body, `mnist_lab.d.mts declares ${name}`);
  const code = body.replace(/\/\*\*[\s\S]*?\*\//g, '');
  return [...code.matchAll(/^\s{2}(?:new\s*)?(\w+)\??[(:]/gm)].map((m) => m[1]);
}

/** The fields of value_object<T>("Name") in bindings.cpp. */
function valueObject(name) {
  const block = new RegExp(`value_object<\\w+>\\("${name}"\\)([\\s\\S]*?);`).exec(bindings)?.[1];
  assert.ok(block, `bindings.cpp registers value_object ${name}`);
  return registered('field', block);
}

const sorted = (xs) => [...xs].sort();

test('the declaration names every registered function, class function and value_object field', () => {
  assert.deepEqual(sorted(members('Engine').filter((m) => m !== 'delete')), sorted(registered('function')));
  assert.deepEqual(sorted(members('EngineClass')), sorted(registered('class_function')));
  for (const name of ['TrainConfig', 'TrainProgress']) assert.deepEqual(members(name), valueObject(name), name);
});

test('the built module has them', async () => {
  const core = await loadCore();
  const {Engine} = core.module;
  for (const name of registered('function')) assert.equal(typeof Engine.prototype[name], 'function', name);
  for (const name of registered('class_function')) assert.equal(typeof Engine[name], 'function', name);
  assert.deepEqual(Object.keys(Engine.defaults()), valueObject('TrainConfig'));
  assert.deepEqual(sorted(Object.keys(core.engine.train(1))), sorted(valueObject('TrainProgress')));
  assert.match(core.engine.takeError(), /no training run/);
});
