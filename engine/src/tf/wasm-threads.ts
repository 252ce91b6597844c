// Multi-threaded tfjs-backend-wasm in Node (opt-in).
//
// tfjs-backend-wasm ships a threaded SIMD binary (XNNPACK on a pthreadpool of Web Workers) but never
// uses it in Node, for three reasons, each worked around here for the one initialization:
//  1. WASM_HAS_MULTITHREAD_SUPPORT returns false whenever IS_NODE (flags_wasm.ts, tfjs#3830).
//     The flag can simply be set to true before the backend initializes.
//  2. Its locateFile hands Emscripten the pthread worker script as a `blob:` URL
//     (URL.createObjectURL of wasmWorkerContents), and Node's worker_threads.Worker rejects blob:
//     URLs (ERR_WORKER_PATH). Here the worker script is written to a temporary file and
//     URL.createObjectURL returns that file's path while the backend initializes. The worker then
//     receives the main script as a Blob and would importScripts() a blob: URL, which Node's
//     worker shim reads with fs.readFileSync; the file appends an importScripts that loads the
//     same factory (wasm-out/tfjs-backend-wasm-threaded-simd.js) with require instead.
//  3. The C++ side caps the pool at emscripten_num_logical_cores() / 2 (it assumes hyper-threads),
//     i.e. os.cpus().length / 2 in Node: one thread on a 2-vCPU machine whatever setThreadsCount
//     asks. os.cpus is made to report 2 x the requested count while the module starts.
// The pool's workers are unref'd afterwards so that they do not keep the process alive.
//
// Opt-in, not the default: measured on a 2-vCPU machine (MLP 784-256-256-10 training step), 2
// threads took B=1024 from ~51 to ~32 ms and B=128 from ~9.5 to ~7.6 ms while the cores were free,
// but B=128 rose to ~21 ms when other processes kept the machine busy (the pool's threads wait on
// each other at every kernel). Ask for at most the cores this process can have to itself.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { Tf } from './namespace';

/** What tfjs-backend-wasm exports that this needs. */
export interface WasmThreadsModule {
  setThreadsCount?: (n: number) => void;
  getThreadsCount?: () => number;
}

/** The most threads tfjs-backend-wasm's build supports (it pre-creates 8 workers). */
export const MAX_WASM_THREADS = 8;

/** Whether the wasm backend has already been initialized in this process (its threads are fixed then). */
export function wasmBackendInitialized(tf: Tf): boolean {
  const registry = (tf.engine() as unknown as { registry?: Record<string, unknown> }).registry;
  return Boolean(registry && 'wasm' in registry);
}

/** Checks a requested thread count (an integer in [1, MAX_WASM_THREADS]). */
export function checkWasmThreads(n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > MAX_WASM_THREADS) {
    throw new RangeError(`wasm threads must be an integer from 1 to ${MAX_WASM_THREADS}, got ${n}`);
  }
  return n;
}

/**
 * Makes the next initialization of the wasm backend use the threaded SIMD binary with `threads`
 * threads (call right before tf.setBackend('wasm'); then call the returned `restore` whatever
 * happens, and `afterInit` once it succeeded). `packageFile` is the resolved main file of
 * @tensorflow/tfjs-backend-wasm.
 */
export function prepareWasmThreads(tf: Tf, mod: WasmThreadsModule, packageFile: string, threads: number): { restore(): void; afterInit(): void } {
  checkWasmThreads(threads);
  const outDir = path.join(path.dirname(packageFile), '..', 'wasm-out');
  const factoryFile = path.join(outDir, 'tfjs-backend-wasm-threaded-simd.js');
  const workerModule = path.join(outDir, 'tfjs-backend-wasm-threaded-simd.worker.js');
  if (!fs.existsSync(factoryFile) || !fs.existsSync(workerModule) || typeof mod.setThreadsCount !== 'function') {
    throw new Error(`this @tensorflow/tfjs-backend-wasm has no threaded SIMD build where expected (${factoryFile})`);
  }
  const workerFile = writeWorkerScript(workerModule, factoryFile);

  const createObjectURL = URL.createObjectURL;
  const cpus = os.cpus;
  URL.createObjectURL = (obj: Blob) => (obj instanceof Blob && obj.type === 'application/javascript' ? workerFile : createObjectURL.call(URL, obj));
  const reported = cpus.call(os);
  os.cpus = () => Array.from({ length: 2 * threads }, (_, i) => reported[i % Math.max(reported.length, 1)]);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  mod.setThreadsCount(threads);
  return {
    restore() {
      URL.createObjectURL = createObjectURL;
      os.cpus = cpus;
    },
    afterInit() {
      const pthread = (tf.backend() as unknown as { wasm?: { PThread?: { runningWorkers?: { unref?: () => void }[] } } }).wasm?.PThread;
      for (const w of pthread?.runningWorkers ?? []) w.unref?.();
    },
  };
}

let writtenWorker: string | undefined;

/** The pthread worker script as a file (once per process; removed when the process exits). */
function writeWorkerScript(workerModule: string, factoryFile: string): string {
  if (writtenWorker && fs.existsSync(writtenWorker)) return writtenWorker;
  const { wasmWorkerContents } = createRequire(workerModule)(workerModule) as { wasmWorkerContents: string };
  // Same escaping as tfjs-backend-wasm's locateFile: the template literal turned "\n" escapes into newlines.
  const script =
    wasmWorkerContents.replace(/\n/g, '\\n') +
    `\n;(function(){var load=global.importScripts;global.importScripts=function(f){` +
    `if(String(f).indexOf('blob:')===0){global.WasmBackendModuleThreadedSimd=require(${JSON.stringify(factoryFile)});return;}` +
    `return load(f);};})();\n`;
  const file = path.join(os.tmpdir(), `optlab-tfjs-wasm-worker-${process.pid}.js`);
  fs.writeFileSync(file, script);
  process.once('exit', () => fs.rmSync(file, { force: true }));
  writtenWorker = file;
  return file;
}
