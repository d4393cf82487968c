#!/usr/bin/env node
// The `certsweep` command. Everything it does is in run.ts; this file only binds it to the
// process. `certsweep check`, the monitoring plugin, goes straight to its own module (one file
// once built, see check.ts): nothing else is read before it.
const argv = process.argv.slice(2);
if (argv[0] === 'check') {
  const { runCheck } = await import('./check.js');
  process.exitCode = await runCheck(argv.slice(1));
} else {
  const [{ processIO }, { run }] = await Promise.all([import('./io.js'), import('./run.js')]);
  process.exitCode = await run(argv, processIO());
}
