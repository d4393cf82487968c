#!/usr/bin/env node
// The `certsweep` command. Everything it does is in run.ts; this file only binds it to the
// process. `certsweep check`, the monitoring plugin, goes straight to its own module: the build
// (scripts/build-check.mjs) bundles this file with the check's path into one CommonJS file,
// dist/cli/main.cjs, the package's bin, so a check reads that one file and starts no ES module
// loader; every other command loads tsc's modules beside it.
const argv = process.argv.slice(2);
const exit = (code: number): void => {
  process.exitCode = code;
};
if (argv[0] === 'check') {
  void import('./check.js').then(({ runCheck }) => runCheck(argv.slice(1))).then(exit);
} else {
  void Promise.all([import('./io.js'), import('./run.js')])
    .then(([{ processIO }, { run }]) => run(argv, processIO()))
    .then(exit);
}
