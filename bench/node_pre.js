// Node 20 has fetch(), so Emscripten 3.1.6 tries to fetch() the .wasm by file
// path and fails; hand it the bytes instead.
Module['wasmBinary'] = require('fs').readFileSync(require('path').join(__dirname, 'mnist-bench.wasm'));
