// Classic worker: runs one Emscripten program (build/<build>/mnist-bench-web.js)
// with the given arguments and posts back everything it printed.
self.onmessage = ({data}) => {
  const lines = [];
  const dir = `/build/${data.build}/`;
  const finish = () => self.postMessage(lines.join('\n'));
  self.Module = {
    arguments: data.args,
    locateFile: (file) => dir + file,
    print: (s) => lines.push(s),
    printErr: (s) => lines.push(s),
    onAbort: (what) => {
      lines.push(`aborted: ${what}`);
      finish();
    },
    postRun: finish,
  };
  importScripts(`${dir}mnist-bench-web.js`);
};
