#!/usr/bin/env node
// `black-hole audit ...`: runs the compiled CLI when the package is built, the TypeScript source otherwise.
const fs = require('fs');
const path = require('path');

const compiled = path.join(__dirname, '..', 'lib', 'gate', 'cli', 'main.js');
let cli;
if (fs.existsSync(compiled)) {
  cli = require(compiled);
} else {
  require('tsx/cjs');
  cli = require(path.join(__dirname, '..', 'lib', 'gate', 'cli', 'main.ts'));
}
process.exitCode = cli.main(process.argv.slice(2));
