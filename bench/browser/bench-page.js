// Runs the training benchmark in a module worker, as the page does, and leaves
// the result on window.benchResult for the Playwright driver (bench/run.mjs).
const params = new URLSearchParams(location.search);
const worker = new Worker(new URL('./bench-worker.js', import.meta.url), {type: 'module'});
worker.onmessage = (e) => {
  window.benchResult = e.data;
  document.getElementById('out').textContent = JSON.stringify(e.data, null, 2);
};
worker.onerror = (e) => {
  window.benchResult = {error: e.message || 'worker failed'};
};
worker.postMessage({
  build: params.get('build') || 'wasm',
  models: (params.get('models') || 'mlp,cnn,lenet5').split(','),
  batch: Number(params.get('batch') || 64),
  seconds: Number(params.get('seconds') || 4),
});
