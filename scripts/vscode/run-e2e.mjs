#!/usr/bin/env node
// End-to-end tests through the UI (docs/testing-vscode.md, section b): code-server with the
// extension loaded from this repository (payload extensionDevelopmentPath only), headless Chromium
// driven by playwright-core, and the steps of test/e2e/*.e2e.ts run in order against the workbench.
// Screenshots land in test-results/. Ends with "N passed, N failed".
//   node scripts/vscode/run-e2e.mjs [--grep TEXT] [--no-build] [--verbose] [--keep-open SECONDS]
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import {
  driverSetup, forwardConsole, freePort, launchChromium, prepareRun, remoteUri, resultsDir, startCodeServer, workbenchUrl,
} from './harness.mjs';
import { root } from './paths.mjs';

const t0 = Date.now();
const secs = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
const { opt, verbose } = driverSetup('e2e');
const grep = opt('--grep');
const keep = Number(opt('--keep-open') ?? 0);

// The specs are TypeScript: load them through tsx.
const specDir = path.join(root, 'test', 'e2e');
const specs = [];
for (const f of readdirSync(specDir).filter((f) => f.endsWith('.e2e.ts')).sort()) {
  const mod = await tsImport(pathToFileURL(path.join(specDir, f)).href, import.meta.url);
  specs.push({ file: f, steps: mod.steps ?? [], env: mod.env ?? {} });
}

const results = [];
const run = prepareRun('e2e');
const shots = resultsDir();
const port = await freePort();
let server;
let context;
try {
  // A spec may set environment variables of the VS Code server (and so of the engine it starts),
  // e.g. OPTLAB_STEP_DELAY_MS to slow a sweep down so that a live view can be watched.
  const extraEnv = Object.assign({}, ...specs.map((s) => s.env));
  server = await startCodeServer(run, { port, extraEnv });
  console.log(`code-server on ${server.url} (pgid ${server.pgid}), workspace ${path.relative(root, run.workspace)} [${secs(t0)}]`);
  context = await launchChromium(run);
  for (const spec of specs) {
    console.log(`\n${spec.file}`);
    const page = await context.newPage();
    forwardConsole(page, run, (text) => {
      if (verbose) console.log(`  [extension host] ${text}`);
    });
    await page.goto(workbenchUrl(port, run.workspace, [['extensionDevelopmentPath', remoteUri(port, root)]]));
    const ctx = {
      page,
      workspace: run.workspace,
      resultsDir: shots,
      failed: new Set(),
      state: {},
      log: (m) => console.log(`      ${m}`),
    };
    for (const s of spec.steps) {
      if (grep && !s.name.includes(grep)) continue;
      const started = Date.now();
      const blocked = (s.needs ?? []).filter((n) => ctx.failed.has(n));
      let error;
      if (blocked.length) {
        error = new Error(`not attempted: it needs "${blocked.join('", "')}", which failed`);
      } else {
        let timer;
        try {
          await Promise.race([
            s.run(ctx),
            new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`step timed out after ${(s.timeoutMs ?? 120_000) / 1000} s`)), s.timeoutMs ?? 120_000))),
          ]);
        } catch (err) {
          error = err instanceof Error ? err : new Error(String(err));
        } finally {
          clearTimeout(timer);
        }
      }
      if (error) {
        ctx.failed.add(s.name);
        let shot = '';
        if (!blocked.length) {
          const file = path.join(shots, `e2e-failed-${s.name.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase().slice(0, 60)}.png`);
          await page.screenshot({ path: file }).then(() => (shot = ` (screenshot ${path.relative(root, file)})`), () => {});
        }
        // eslint-disable-next-line no-control-regex
        const message = error.message.replace(/\x1b\[[0-9;]*m/g, '');
        console.log(`  ✗ ${s.name} [${secs(started)}]\n      ${message.split('\n').join('\n      ')}${shot}`);
      } else {
        console.log(`  ✔ ${s.name} [${secs(started)}]`);
      }
      results.push({ spec: spec.file, name: s.name, ok: !error });
    }
    if (keep > 0) {
      console.log(`keeping the workbench open for ${keep} s at ${server.url}`);
      await new Promise((r) => setTimeout(r, keep * 1000));
    }
    await page.close().catch(() => {});
  }
} catch (err) {
  console.error(`e2e driver error: ${err instanceof Error ? err.stack : err}`);
  results.push({ spec: '(driver)', name: 'driver', ok: false });
} finally {
  await context?.close().catch(() => {});
  await server?.stop();
}

const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
console.log(`\ne2e finished in ${secs(t0)}; screenshots in ${path.relative(root, shots)}/, workbench console ${path.relative(root, run.consoleLog)}`);
if (!results.length) console.log('no e2e step ran');
console.log(`${passed} passed, ${failed || (results.length ? 0 : 1)} failed`);
process.exit(failed || !results.length ? 1 : 0);
