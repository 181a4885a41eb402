// The command lines of the bench scripts run on their own (bench/threads.mjs, bench/fast.mjs):
// an unknown option, an option without its value or a number out of range is one line on
// stderr and exit code 2, before anything is measured.
import {parseArgs} from 'node:util';

/**
 * Reads `--name value` options and `--flag` switches (node's parseArgs, strict) ->
 * {text(name, def), number(name, def, {min, max, whole}), flag(name)}; a mistake ends the
 * process with code 2 and `bench/<script>: <what is wrong>`.
 * @param {string} script  how the messages name the script, e.g. 'threads'
 * @param {string[]} values  the options that take a value
 * @param {string[]} [flags]  the switches
 */
export function readArgs(script, values, flags = []) {
  const fail = (message) => {
    console.error(`bench/${script}: ${message}`);
    process.exit(2);
  };
  const options = Object.fromEntries([
    ...values.map((v) => [v, {type: /** @type {const} */ ('string')}]),
    ...flags.map((f) => [f, {type: /** @type {const} */ ('boolean')}]),
  ]);
  let parsed = {};
  try {
    parsed = parseArgs({args: process.argv.slice(2), options, strict: true, allowPositionals: false}).values;
  } catch (e) {
    fail(e.message.replace(/\s*\n\s*/g, ' '));
  }
  const text = (name, def) => parsed[name] ?? def;
  return {
    text,
    flag: (name) => parsed[name] === true,
    number(name, def, {min = -Infinity, max = Infinity, whole = false} = {}) {
      const given = parsed[name];
      if (given === undefined) return def;
      const v = Number(given);
      const kind = whole ? 'a whole number' : 'a number';
      if (given.trim() === '' || !Number.isFinite(v) || (whole && !Number.isInteger(v)) || v < min || v > max)
        fail(`--${name} must be ${kind} from ${min}${max < Infinity ? ` to ${max}` : ''}, got '${given}'`);
      return v;
    },
  };
}
