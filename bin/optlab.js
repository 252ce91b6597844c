#!/usr/bin/env node
'use strict';
// The `optlab` command. The engine is bundled into dist/ by `npm ci` (prepare); if that bundle is
// missing (a checkout without install scripts), build it once before running.
const path = require('node:path');
const fs = require('node:fs');
const cli = path.join(__dirname, '..', 'dist', 'engine', 'cli.js');
if (!fs.existsSync(cli)) {
  const { execFileSync } = require('node:child_process');
  execFileSync(process.execPath, [path.join(__dirname, '..', 'scripts', 'build.mjs')], { stdio: 'inherit' });
}
require(cli).main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(`optlab: internal error: ${err && err.stack ? err.stack : err}`); process.exitCode = 1; },
);
