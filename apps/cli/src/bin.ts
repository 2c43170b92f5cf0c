#!/usr/bin/env node
// The `spinettai` command: parse arguments, run the command, map errors to exit codes.
import { run } from './program.js';

process.exitCode = await run(process.argv);
