#!/usr/bin/env node
// `black-hole audit ...`: the compiled CLI (dist/bin/black-hole-cli.js), run with plain node.
// In this repository `npm run audit -- <paths>` runs the same command from source.
import { main } from '../lib/gate/cli/main';

process.exitCode = main(process.argv.slice(2));
