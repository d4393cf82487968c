#!/usr/bin/env node
// The `certsweep` command. Everything it does is in run.ts; this file only binds it to the process.
import { processIO } from './io.js';
import { run } from './run.js';

process.exitCode = await run(process.argv.slice(2), processIO());
