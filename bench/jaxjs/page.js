// Drives the jax-js peer beside our core in one Chromium page and leaves the
// result on window.benchResult for bench/jaxjs.mjs. For each jax-js device in
// ?backends= and each model in ?models=: our core (../browser/bench-worker.js on
// ?build=), jax-js (worker.js), our core again, each in a fresh worker, so that
// each ratio is measured side by side on this shared, noisy machine: ours[model]
// is the mean of the run just before and the run just after jax-js.
const params = new URLSearchParams(location.search);
const get = (name, fallback) => params.get(name) ?? fallback;
const models = get('models', 'mlp,cnn,lenet5').split(',');
const backends = get('backends', 'wasm,webgpu').split(',');
const build = get('build', 'wasm-fma');
const batch = Number(get('batch', 64));
const seconds = Number(get('seconds', 4));
const warmSeconds = Number(get('warm', 1.5));
const capSeconds = Number(get('cap', 60));

/** Posts `message` to a fresh worker of `url` -> its one reply (rejects on its error); then ends the worker. */
function reply(url, options, message) {
  const worker = new Worker(url, options);
  return new Promise((resolve, reject) => {
    const name = url.pathname.split('/').slice(-2).join('/');
    worker.onmessage = ({data}) => (data?.error ? reject(new Error(`${name}: ${data.error}`)) : resolve(data));
    worker.onerror = (e) => reject(new Error(`${name}: ${e.message || 'failed to start'}`));
    worker.postMessage(message);
  }).finally(() => worker.terminate());
}

const module = {type: 'module'};
const ours = async (model) =>
  (
    await reply(new URL('../browser/bench-worker.js', import.meta.url), module, {
      task: 'train',
      build,
      models: [model],
      batch,
      seconds,
      warmSeconds,
    })
  ).train_samples_per_second[model];
const jaxjs = (backend, names) =>
  reply(new URL('./worker.js', import.meta.url), module, {
    backend,
    models: names,
    batch,
    seconds,
    warmSeconds,
    capSeconds,
  });

/** Ours on `model`, then `peer()`, then ours again if the peer trained it -> {fig: the peer's figures, around: [before, after]} */
async function beside(model, peer) {
  const before = await ours(model);
  const fig = await peer();
  return fig.error ? {fig} : {fig, around: [before, await ours(model)]};
}

/** One device: {backend, threads, userAgent, models: {name: figures | {error}}, ours, ours_before_after} | {backend, unavailable} */
async function measure(backend) {
  // A first worker that only starts the device: an unavailable one costs no runs of ours.
  const result = {...(await jaxjs(backend, [])), models: {}, ours: {}, ours_before_after: {}};
  if (result.unavailable) return result;
  for (const model of models) {
    const {fig, around} = await beside(model, async () => (await jaxjs(backend, [model])).models[model]);
    result.models[model] = fig; // {error} where jax-js cannot train it: no ratio
    if (!around) continue;
    result.ours_before_after[model] = around;
    result.ours[model] = (around[0] + around[1]) / 2;
  }
  return result;
}

async function main() {
  const result = {build, batch, seconds, userAgent: navigator.userAgent, backends: {}};
  for (const backend of backends) result.backends[backend] = await measure(backend);
  return result;
}

main()
  .then(
    (r) => r,
    (e) => ({error: String(e?.message || e)}),
  )
  .then((r) => {
    window.benchResult = r;
    document.getElementById('out').textContent = JSON.stringify(r, null, 2);
  });
