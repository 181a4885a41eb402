// Downloads and compiles the single-thread core (a WebAssembly.Module can be
// posted to workers, so a page compiles it once for all of them). Throws an
// Error whose message a reader can act on.
export function compileCore(url) {
  const what = 'The neural-network engine (WebAssembly) could not be downloaded';
  return fetch(url)
    .catch(() => {
      throw new Error(`${what}: the network request failed.`);
    })
    .then((res) => {
      if (!res.ok) throw new Error(`${what}: the server answered ${res.status}.`);
      return res.arrayBuffer();
    })
    .then((bytes) => WebAssembly.compile(bytes));
}
