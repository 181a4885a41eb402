// Node 20 has fetch(), so Emscripten 3.1.6 tries to fetch() the .wasm by file
// path and fails; hand it the bytes instead. A pthread of the threaded build
// evaluates this file too, without __dirname: it is handed the compiled module.
if (typeof __dirname !== 'undefined')
  Module['wasmBinary'] = require('fs').readFileSync(require('path').join(__dirname, 'mnist-bench.wasm'));
