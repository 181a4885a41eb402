// Runs build/<build>/mnist-bench-web.js in a Web Worker with ?args= (space
// separated, e.g. "--profile cnn") and leaves its printed output on
// window.benchResult: where a training step's time goes, in Chromium itself.
const params = new URLSearchParams(location.search);
const worker = new Worker(new URL('./profile-worker.js', import.meta.url));
worker.onmessage = ({data}) => {
  window.benchResult = {output: data};
  document.getElementById('out').textContent = data;
};
worker.onerror = (e) => (window.benchResult = {error: e.message || 'worker failed'});
worker.postMessage({build: params.get('build') || 'wasm', args: (params.get('args') || '--profile cnn').split(' ')});
