// Streaming benchmark: metric rows per second from the real engine process (`optlab serve`) to a
// host over IPC, each message validated at the boundary as the extension does. Baseline in the
// same run: the same rows sent one IPC message per row (what batching saves).
//   npm run bench:stream
//   npm run bench:stream -- --before DIR    also the engine of another checkout (built, e.g. a git
//                                           worktree of an older commit), sessions interleaved, and
//                                           the ratio now / before

import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseEngineEvent } from '../engine/src/protocol';

const root = path.resolve(__dirname, '..');
const dir = mkdtempSync(path.join(tmpdir(), 'optlab-stream-'));

type Parse = (m: unknown) => { type: string; rows?: unknown[]; length?: number; message?: string };

async function engineSession(checkout = root, parse: Parse = parseEngineEvent): Promise<{ rows: number; seconds: number; messages: number }> {
  // 8 optimizers x 10 batch sizes, up to 10,000 distinct logged steps per run.
  const file = path.join(dir, 'stream.optlab.json');
  writeFileSync(
    file,
    JSON.stringify({
      name: 'stream',
      problem: { type: 'nqm', dim: 1000, bins: 50 },
      target: { metric: 'loss', value: 0.01 },
      batchSizes: { powersOf2: { from: 2, to: 20, step: 2 } },
      optimizers: [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7].map((p) => ({ type: 'sgd', precondition: p, learningRate: { logspace: [-5, 0.5, 20] } })),
      logPoints: 10000,
    }),
  );
  const child = fork(path.join(checkout, 'bin', 'optlab.js'), ['serve'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let rows = 0;
  let messages = 0;
  let t0 = 0;
  return new Promise((resolve, reject) => {
    child.on('message', (m) => {
      const e = parse(m);
      if (e.type === 'ready') {
        t0 = performance.now();
        child.send({ type: 'start', requestId: 's', file, store: path.join(dir, 'store'), workers: 2 });
      } else if (e.type === 'metrics') {
        rows += e.length ?? e.rows!.length;
        messages += 1;
      } else if (e.type === 'experimentFinished' || e.type === 'experimentFailed') {
        const seconds = (performance.now() - t0) / 1000;
        child.kill();
        if (e.type === 'experimentFailed') reject(new Error(e.message!));
        else resolve({ rows, seconds, messages });
      }
    });
  });
}

/** Pure transport: a child sends `total` rows, batched `perMessage` per IPC message. */
async function transport(total: number, perMessage: number): Promise<number> {
  const script = path.join(dir, 'sender.js');
  writeFileSync(
    script,
    `process.on('message', async ({ total, per }) => {
      const row = (i) => ({ step: i, examples: i * 64, loss: 1 / (1 + i), learningRate: 0.1 });
      for (let i = 0; i < total; i += per) {
        const rows = []; for (let j = i; j < Math.min(total, i + per); j++) rows.push(row(j));
        const ok = process.send({ type: 'metrics', requestId: 's', runId: 'r', seq: i, rows });
        if (!ok) await new Promise((r) => setImmediate(r));
      }
      process.send({ type: 'log', level: 'info', message: 'done' });
    });`,
  );
  const child = fork(script, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const t0 = performance.now();
  let got = 0;
  await new Promise<void>((resolve) => {
    child.on('message', (m) => {
      const e = parseEngineEvent(m);
      if (e.type === 'metrics') got += e.length;
      else if (e.type === 'log') resolve();
    });
    child.send({ total, per: perMessage });
  });
  child.kill();
  if (got !== total) throw new Error(`lost rows: ${got} of ${total}`);
  return total / ((performance.now() - t0) / 1000);
}

/** Now against the engine of another checkout (each validated by its own protocol), interleaved. */
async function beforeAfter(before: string): Promise<void> {
  const { parseEngineEvent: parseBefore } = (await import(path.join(path.resolve(before), 'engine/src/protocol/index.ts'))) as { parseEngineEvent: Parse };
  const rate = (r: { rows: number; seconds: number }) => r.rows / r.seconds;
  const now: number[] = [];
  const then: number[] = [];
  for (let i = 0; i < 3; i++) {
    then.push(rate(await engineSession(before, parseBefore)));
    now.push(rate(await engineSession()));
  }
  const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[1];
  console.log(`Before/after (3 interleaved sessions each, medians)`);
  console.log(`  before (${before}): ${Math.round(median(then)).toLocaleString('en-US')} rows/s   [${then.map((x) => Math.round(x)).join(', ')}]`);
  console.log(`  now:                ${Math.round(median(now)).toLocaleString('en-US')} rows/s   [${now.map((x) => Math.round(x)).join(', ')}]`);
  console.log(`  ratio now / before: ${(median(now) / median(then)).toFixed(2)}x`);
}

async function main(): Promise<void> {
  const at = process.argv.indexOf('--before');
  if (at > 0) await beforeAfter(process.argv[at + 1]);
  const session = await engineSession();
  console.log('Engine -> host streaming (real optlab serve session, every message validated)');
  console.log(`  ${session.rows.toLocaleString('en-US')} rows in ${session.messages} messages, ${session.seconds.toFixed(2)} s: ${Math.round(session.rows / session.seconds).toLocaleString('en-US')} rows/s   target >= 10,000 rows/s`);
  const n = 200_000;
  const batched = await transport(n, 500);
  const single = await transport(n, 1);
  console.log('IPC transport of the same rows (pure, validated)');
  console.log(`  batched (500 rows per message): ${Math.round(batched).toLocaleString('en-US')} rows/s`);
  console.log(`  one message per row (baseline):  ${Math.round(single).toLocaleString('en-US')} rows/s`);
  console.log(`  ratio batched / per-row:         ${(batched / single).toFixed(1)}x`);
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => rmSync(dir, { recursive: true, force: true }));
