// Pre-js of the pthreads build (build/wasm-mt): the size of the worker pool it
// starts before it resolves, from the factory's options ({mnistPool: n}). The
// pool is filled at start-up because a thread can only start synchronously on a
// worker that has already loaded; at least one, since an empty pool never
// resolves in Emscripten 3.1.6.
Module['mnistPool'] = Math.max(1, Math.min(15, Module['mnistPool'] | 0));
