#!/usr/bin/env node
// The bin only sets the exit code; everything else lives in main().
import { run } from '../dist/src/cli/bin.js';

process.exitCode = await run();
