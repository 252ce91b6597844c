// Compute-backend selection for neural training on TensorFlow.js.
//
// Order for 'auto': @tensorflow/tfjs-node-gpu (CUDA) -> @tensorflow/tfjs-node (native TensorFlow on
// the CPU) -> @tensorflow/tfjs-backend-wasm -> the pure-JavaScript cpu backend. The two native
// packages are optionalDependencies: their install script downloads libtensorflow, which fails
// offline, and npm then drops them without an error. They are therefore loaded at run time with a
// computed require (never a static import), so that a missing package is an ordinary fallback and
// esbuild never tries to bundle them. A backend forced by name that cannot be used is a
// BackendUnavailableError naming the package, why it is unusable and how to install it.
//
// Every module is loaded through a ModuleLoader; tests inject fake modules to exercise each branch.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import os from 'node:os';
import { registerGradientFixes } from './gradients';
import type { Tf } from './namespace';
import { registerWasmKernelFixes } from './wasm-kernels';
import { checkWasmThreads, prepareWasmThreads, wasmBackendInitialized, type WasmThreadsModule } from './wasm-threads';

export type { Tf };

export type BackendName = 'cuda' | 'tensorflow' | 'wasm' | 'cpu';
export type BackendPreference = 'auto' | BackendName;

export const BACKEND_ORDER: readonly BackendName[] = ['cuda', 'tensorflow', 'wasm', 'cpu'];
export const BACKEND_PREFERENCES: readonly BackendPreference[] = ['auto', ...BACKEND_ORDER];

export const UNION_PACKAGE = '@tensorflow/tfjs';

/** The npm package that provides each backend. */
export const BACKEND_PACKAGES: Readonly<Record<BackendName, string>> = {
  cuda: '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu',
};

/** The name tfjs registers each backend under (both native packages register 'tensorflow'). */
export const TFJS_BACKEND_NAMES: Readonly<Record<BackendName, string>> = {
  cuda: 'tensorflow',
  tensorflow: 'tensorflow',
  wasm: 'wasm',
  cpu: 'cpu',
};

/** How the engine reaches npm packages. The default resolves from this file's node_modules. */
export interface ModuleLoader {
  /** The resolved file of a package, or undefined when it is not installed. */
  resolve(id: string): string | undefined;
  /** Loads (requires) a package; throws what require throws. */
  load(id: string): unknown;
}

export function nodeModuleLoader(from: string = __filename): ModuleLoader {
  // createRequire gives a require that esbuild does not follow: the packages stay external and
  // are resolved from node_modules at run time (the wasm backend finds its .wasm files there).
  const req = createRequire(from);
  return {
    resolve(id) {
      try {
        return req.resolve(id);
      } catch (err) {
        if (isModuleNotFound(err, id)) return undefined;
        throw err;
      }
    },
    load: (id) => req(id),
  };
}

export interface DeviceInfo {
  kind: 'GPU' | 'CPU';
  /** GPU name (from nvidia-smi when present) or CPU model. */
  name: string;
}

/** Why a backend could not be used: what is wrong and how to fix it. */
export interface Unavailable {
  backend: BackendName;
  package: string;
  /** Short classification. */
  status: 'not-installed' | 'native-addon-missing' | 'native-library-missing' | 'init-failed' | 'no-gpu' | 'unsupported-platform' | 'not-probed';
  /** One sentence: why the backend is not usable. */
  reason: string;
  /** How to make it usable. */
  remedy: string;
}

export class BackendUnavailableError extends Error {
  constructor(readonly detail: Unavailable) {
    super(`compute backend '${detail.backend}' is unavailable: ${detail.package}: ${detail.reason}. ${detail.remedy}`);
    this.name = 'BackendUnavailableError';
  }
}

export interface BackendSelection {
  /** The engine's name of the backend in use. */
  backend: BackendName;
  /** The name tfjs knows it by (tf.getBackend()). */
  tfBackend: string;
  /** The package that provides it. */
  package: string;
  device: DeviceInfo;
  /** tfjs, tfjs-core, the backend package and (native) the TensorFlow C library versions. */
  versions: Record<string, string>;
  /** Threads the backend computes with (wasm: 1 unless InitOptions.wasmThreads; native: TensorFlow's intra-op pool). */
  threads: number;
  /** wasm only: whether the SIMD build is in use, and whether threads are. */
  wasm?: { simd: boolean; threads: boolean };
  /** What was requested, and the backends tried before this one and why they were skipped. */
  preference: BackendPreference;
  skipped: Unavailable[];
  /** Whether the engine's gradient corrections are registered (gradients.ts). */
  gradientFixes: boolean;
  tf: Tf;
}

export interface InitOptions {
  loader?: ModuleLoader;
  /** The GPU name, where one can be found (default: nvidia-smi). */
  gpuName?: () => string | undefined;
  /** Register the engine's gradient corrections (default true; idempotent). */
  registerGradientFixes?: boolean;
  platform?: NodeJS.Platform;
  arch?: string;
  /**
   * wasm: compute on this many threads with tfjs's threaded SIMD binary (wasm-threads.ts; default
   * the OPTLAB_WASM_THREADS environment variable, else 1: the single-threaded SIMD binary). Takes
   * effect only when the wasm backend is first initialized in the process.
   */
  wasmThreads?: number;
}

/** Records the fixed text of a backend in a run: what, on which device, which versions. */
export function describeSelection(s: Pick<BackendSelection, 'backend' | 'package' | 'device' | 'versions' | 'threads'>): string {
  const v = s.versions;
  const pkgVersion = v[s.package.replace('@tensorflow/', '')];
  const parts = [`${s.device.kind}: ${s.device.name}`, `${s.threads} thread${s.threads === 1 ? '' : 's'}`, `tfjs ${v['tfjs-core'] ?? '?'}`];
  if (s.backend !== 'cpu') parts.push(`${s.package} ${pkgVersion ?? '?'}`);
  if (v.tensorflow) parts.push(`TensorFlow ${v.tensorflow}`);
  return `${s.backend} (${parts.join('; ')})`;
}

/**
 * Selects and initializes the compute backend. 'auto' takes the first that works in BACKEND_ORDER;
 * a named backend that cannot be used throws BackendUnavailableError. The returned `tf` is the
 * namespace every engine module should compute with.
 */
export function initBackend(preference: BackendPreference = 'auto', options: InitOptions = {}): Promise<BackendSelection> {
  return serialized(() => selectBackend(preference, options));
}

// tfjs has one active backend per process and its initialization is asynchronous: concurrent
// switches race (a wasm initialization overtaken by another setBackend fails). Serialize them.
let initQueue: Promise<void> = Promise.resolve();
function serialized<T>(fn: () => Promise<T>): Promise<T> {
  const run = initQueue.then(fn);
  initQueue = run.then(
    () => undefined,
    () => undefined,
  );
  return run;
}

async function selectBackend(preference: BackendPreference, options: InitOptions): Promise<BackendSelection> {
  if (!BACKEND_PREFERENCES.includes(preference)) {
    throw new Error(`unknown compute backend '${String(preference)}' (known: ${BACKEND_PREFERENCES.join(', ')})`);
  }
  const ctx = context(options);
  const tf = loadUnion(ctx);
  const candidates = preference === 'auto' ? BACKEND_ORDER : [preference];
  const skipped: Unavailable[] = [];
  for (const name of candidates) {
    const attempt = await tryBackend(name, tf, ctx, preference !== 'auto');
    if ('reason' in attempt) {
      if (preference !== 'auto') throw new BackendUnavailableError(attempt);
      skipped.push(attempt);
      continue;
    }
    const fixes = options.registerGradientFixes ?? true;
    if (fixes) registerGradientFixes(attempt.tf);
    if (name === 'wasm') registerWasmKernelFixes(attempt.tf);
    return { ...attempt, preference, skipped, gradientFixes: fixes };
  }
  // Unreachable in practice: cpu ships inside @tensorflow/tfjs.
  throw new Error(`no compute backend could be initialized: ${skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ')}`);
}

export interface BackendReport {
  backend: BackendName;
  package: string;
  available: boolean;
  /** When available: version, device and threads. */
  version?: string;
  device?: DeviceInfo;
  threads?: number;
  wasm?: { simd: boolean; threads: boolean };
  /** When not available: why, and how to fix it. */
  unavailable?: Unavailable;
}

export interface DoctorReport {
  node: string;
  platform: string;
  arch: string;
  cpus: number;
  cpuModel: string;
  tfjs?: string;
  backends: BackendReport[];
  /** What 'auto' selects. */
  defaultBackend?: BackendName;
  /** Set when the default is not simply the first available row. */
  defaultNote?: string;
  /** Set when @tensorflow/tfjs itself cannot be loaded. */
  error?: string;
  /** wasm-specific capability notes, independent of whether wasm was initialized. */
  wasm?: { simd?: boolean; threads?: boolean; note: string };
}

/**
 * Probes every backend and reports which are available and why the rest are not. Initializes
 * each one that loads (so it is meant for `optlab doctor`, a short-lived process); leaves the
 * 'auto' choice as the active backend.
 */
export function probeBackends(options: InitOptions = {}): Promise<DoctorReport> {
  return serialized(() => probeAll(options));
}

async function probeAll(options: InitOptions): Promise<DoctorReport> {
  const ctx = context(options);
  const report: DoctorReport = {
    node: process.version,
    platform: ctx.platform,
    arch: ctx.arch,
    cpus: cpuCount(),
    cpuModel: cpuModel(),
    backends: [],
  };
  let tf: Tf;
  try {
    tf = loadUnion(ctx);
  } catch (err) {
    report.error = err instanceof Error ? err.message : String(err);
    return report;
  }
  report.tfjs = tf.version?.tfjs ?? tf.version?.['tfjs-core'];
  let tensorflowTakenBy: BackendName | undefined;
  const results = new Map<BackendName, Attempt | Unavailable>();
  for (const name of BACKEND_ORDER) {
    let r: Attempt | Unavailable;
    if ((name === 'cuda' || name === 'tensorflow') && tensorflowTakenBy) {
      // Both native packages register the 'tensorflow' backend; one process can hold only one.
      const installed = ctx.loader.resolve(BACKEND_PACKAGES[name]) !== undefined;
      r = {
        backend: name,
        package: BACKEND_PACKAGES[name],
        status: installed ? 'not-probed' : 'not-installed',
        reason: installed
          ? `installed, not loaded: ${BACKEND_PACKAGES[tensorflowTakenBy]} already provides the 'tensorflow' backend in this process`
          : notInstalledReason(name),
        remedy: installed ? `select it by name ('${name}') to use it instead` : installRemedy(name, ctx.tfjsVersion),
      };
    } else {
      // cuda is probed as if forced, so that the GPU package without a GPU reports 'no-gpu'.
      r = await tryBackend(name, tf, ctx, name === 'cuda');
      if (!('reason' in r) && (name === 'cuda' || name === 'tensorflow')) tensorflowTakenBy = name;
      // tfjs-node-gpu without a GPU still runs TensorFlow on the CPU; auto would take it as such.
      if ('reason' in r && r.status === 'no-gpu') tensorflowTakenBy = 'cuda';
    }
    results.set(name, r);
  }
  for (const name of BACKEND_ORDER) {
    const r = results.get(name)!;
    if ('reason' in r) {
      report.backends.push({ backend: name, package: BACKEND_PACKAGES[name], available: false, unavailable: r });
    } else {
      report.backends.push({
        backend: name,
        package: BACKEND_PACKAGES[name],
        available: true,
        version: r.versions[BACKEND_PACKAGES[name].replace('@tensorflow/', '')] ?? r.versions['tfjs-core'],
        device: r.device,
        threads: r.threads,
        ...(r.wasm ? { wasm: r.wasm } : {}),
      });
    }
  }
  const cudaResult = results.get('cuda');
  const firstOk = BACKEND_ORDER.find((n) => {
    const r = results.get(n)!;
    return !('reason' in r);
  });
  // In auto mode tfjs-node-gpu without a GPU device is used as native TensorFlow on the CPU.
  if (cudaResult && 'reason' in cudaResult && cudaResult.status === 'no-gpu') {
    report.defaultBackend = 'tensorflow';
    report.defaultNote = `${BACKEND_PACKAGES.cuda} without a GPU: native TensorFlow on the CPU`;
  } else {
    report.defaultBackend = firstOk;
  }
  const wasmResult = results.get('wasm');
  report.wasm = await wasmCapabilities(tf, wasmResult && !('reason' in wasmResult) ? wasmResult.wasm : undefined);
  // Leave the process on the default backend.
  if (report.defaultBackend) {
    try {
      await tf.setBackend(TFJS_BACKEND_NAMES[report.defaultBackend]);
    } catch {
      // reporting only
    }
  }
  return report;
}

// ---- internals ----------------------------------------------------------------------------------

interface Ctx {
  loader: ModuleLoader;
  /** Threads requested for wasm (1: the single-threaded binary). */
  wasmThreads: number;
  /** The installed tfjs version: the native packages must match it. */
  tfjsVersion: string;
  gpuName: () => string | undefined;
  platform: NodeJS.Platform;
  arch: string;
}

type Attempt = Omit<BackendSelection, 'preference' | 'skipped' | 'gradientFixes'>;

/** The wasm thread count asked for, checked; an invalid environment value is named as such. */
function wasmThreadsOf(options: InitOptions): number {
  if (options.wasmThreads !== undefined) return checkWasmThreads(options.wasmThreads);
  const env = process.env.OPTLAB_WASM_THREADS;
  if (!env) return 1;
  try {
    return checkWasmThreads(Number(env));
  } catch (err) {
    throw new RangeError(`OPTLAB_WASM_THREADS=${JSON.stringify(env)}: ${(err as Error).message}`);
  }
}

function context(options: InitOptions): Ctx {
  return {
    tfjsVersion: '4.22.0',
    loader: options.loader ?? nodeModuleLoader(),
    wasmThreads: wasmThreadsOf(options),
    gpuName: options.gpuName ?? nvidiaSmiGpuName,
    platform: options.platform ?? process.platform,
    arch: options.arch ?? process.arch,
  };
}

function loadUnion(ctx: Ctx): Tf {
  if (ctx.loader.resolve(UNION_PACKAGE) === undefined) {
    throw new Error(`${UNION_PACKAGE} is not installed (it is a regular dependency of optlab: run 'npm ci' in the optlab folder)`);
  }
  const tf = ctx.loader.load(UNION_PACKAGE) as Tf;
  const v = tf.version?.tfjs ?? tf.version?.['tfjs-core'];
  if (typeof v === 'string') ctx.tfjsVersion = v;
  return tf;
}

async function tryBackend(name: BackendName, tf: Tf, ctx: Ctx, forced: boolean): Promise<Attempt | Unavailable> {
  switch (name) {
    case 'cuda':
    case 'tensorflow':
      return tryNative(name, tf, ctx, forced);
    case 'wasm':
      return tryWasm(tf, ctx);
    case 'cpu':
      return tryCpu(tf);
  }
}

interface NativeBackendInstance {
  isGPUPackage?: boolean;
  isUsingGpuDevice?: boolean;
  binding?: { TF_Version?: string };
}

async function tryNative(name: 'cuda' | 'tensorflow', unionTf: Tf, ctx: Ctx, forced: boolean): Promise<Attempt | Unavailable> {
  const pkg = BACKEND_PACKAGES[name];
  const fail = (status: Unavailable['status'], reason: string, remedy: string): Unavailable => ({ backend: name, package: pkg, status, reason, remedy });
  const supported = name === 'cuda' ? ['linux-x64', 'win32-x64'] : ['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64', 'win32-x64'];
  const where = `${ctx.platform}-${ctx.arch}`;
  if (ctx.loader.resolve(pkg) === undefined) {
    if (!supported.includes(where)) {
      return fail('unsupported-platform', `not installed, and TensorFlow publishes no ${name === 'cuda' ? 'CUDA ' : ''}build of it for ${where}`, name === 'cuda' ? 'Use wasm or cpu on this machine (CUDA builds exist for Linux x64 and Windows x64 only).' : 'Use wasm or cpu on this machine.');
    }
    return fail('not-installed', notInstalledReason(name), installRemedy(name, ctx.tfjsVersion));
  }
  let mod: Tf;
  try {
    // A failed earlier attempt (e.g. the GPU package whose CUDA libraries are missing) can leave a
    // 'tensorflow' factory registered that would shadow this package's.
    if (unionTf.getBackend() !== 'tensorflow' && unionTf.findBackendFactory?.('tensorflow')) unionTf.removeBackend('tensorflow');
    mod = ctx.loader.load(pkg) as Tf;
  } catch (err) {
    return classifyNativeLoadError(name, err);
  }
  let ok = false;
  try {
    ok = await mod.setBackend('tensorflow');
    await mod.ready();
  } catch (err) {
    return fail('init-failed', `loaded, but the TensorFlow backend failed to initialize: ${firstLine(err)}`, nativeReinstallRemedy(name));
  }
  if (!ok || mod.getBackend() !== 'tensorflow') {
    return fail('init-failed', 'loaded, but tf.setBackend(\'tensorflow\') failed (see the warning tfjs printed above)', nativeReinstallRemedy(name));
  }
  const instance = mod.backend() as unknown as NativeBackendInstance;
  const gpu = instance.isUsingGpuDevice === true;
  if (name === 'cuda' && !gpu && forced) {
    return fail('no-gpu', 'loaded, but TensorFlow sees no CUDA GPU (it would run on the CPU)', 'Check `nvidia-smi`, the NVIDIA driver, and that CUDA 11.2 and cuDNN 8.1 libraries are on LD_LIBRARY_PATH; or use --backend tensorflow.');
  }
  if (name === 'cuda' && !gpu) {
    // auto: the GPU package without a GPU is still native TensorFlow on the CPU.
    return nativeAttempt('tensorflow', mod, instance, ctx, false, pkg);
  }
  return nativeAttempt(name, mod, instance, ctx, gpu, pkg);
}

function nativeAttempt(name: BackendName, tf: Tf, instance: NativeBackendInstance, ctx: Ctx, gpu: boolean, pkg: string): Attempt {
  const versions: Record<string, string> = { ...plainVersions(tf) };
  const nodeVersion = (tf.version as Record<string, string> | undefined)?.['tfjs-node'];
  if (nodeVersion) versions[pkg.replace('@tensorflow/', '')] = nodeVersion;
  if (instance.binding?.TF_Version) versions.tensorflow = instance.binding.TF_Version;
  const envThreads = Number(process.env.TF_NUM_INTRAOP_THREADS);
  return {
    backend: name,
    tfBackend: 'tensorflow',
    package: pkg,
    device: gpu ? { kind: 'GPU', name: ctx.gpuName() ?? 'CUDA GPU' } : { kind: 'CPU', name: cpuModel() },
    versions,
    threads: Number.isInteger(envThreads) && envThreads > 0 ? envThreads : cpuCount(),
    tf,
  };
}

function classifyNativeLoadError(name: 'cuda' | 'tensorflow', err: unknown): Unavailable {
  const pkg = BACKEND_PACKAGES[name];
  const msg = firstLine(err);
  const full = err instanceof Error ? err.message : String(err);
  if (/tfjs_binding\.node|native addon/i.test(full) && /(can ?not|could not) be found|cannot find|no such file/i.test(full)) {
    return {
      backend: name,
      package: pkg,
      status: 'native-addon-missing',
      reason: 'installed, but its native addon (tfjs_binding.node) is missing: the install script that downloads libtensorflow did not complete',
      remedy: nativeReinstallRemedy(name),
    };
  }
  const lib = /(lib[\w.+-]*\.so[\w.]*|[\w.-]+\.dll|[\w.-]+\.dylib)/.exec(full)?.[1];
  if (lib || /cannot open shared object|image not found|dlopen|The specified module could not be found/i.test(full)) {
    const cudaLib = lib && /cud|cublas|cufft|curand|cusolver|cusparse|nvinfer/i.test(lib);
    return {
      backend: name,
      package: pkg,
      status: 'native-library-missing',
      reason: `installed, but a native library could not be loaded${lib ? ` (${lib})` : ''}: ${msg}`,
      remedy: cudaLib || name === 'cuda'
        ? 'Install the NVIDIA driver, CUDA 11.2 and cuDNN 8.1 (the versions libtensorflow 2.9 for tfjs 4 is built against) and put their lib folders on LD_LIBRARY_PATH.'
        : nativeReinstallRemedy(name),
    };
  }
  return { backend: name, package: pkg, status: 'init-failed', reason: `installed, but loading it failed: ${msg}`, remedy: nativeReinstallRemedy(name) };
}

function notInstalledReason(name: BackendName): string {
  if (name === 'cuda' || name === 'tensorflow') {
    return `not installed (its install downloads libtensorflow${name === 'cuda' ? ' with CUDA support' : ''}, which failed or was skipped: npm drops failed optional dependencies)`;
  }
  if (name === 'wasm') return 'not installed (it is a regular dependency of optlab; the install is incomplete)';
  return 'not installed';
}

function installRemedy(name: BackendName, tfjsVersion = '4.22.0'): string {
  const pkg = BACKEND_PACKAGES[name];
  if (name === 'cuda') {
    return `On Linux x64 or Windows x64 with an NVIDIA GPU, the NVIDIA driver, CUDA 11.2 and cuDNN 8.1: run 'npm install ${pkg}@${tfjsVersion}' with network access (it downloads libtensorflow-gpu).`;
  }
  if (name === 'tensorflow') {
    return `Run 'npm install ${pkg}@${tfjsVersion}' with network access (it downloads libtensorflow).`;
  }
  return `Run 'npm ci' in the optlab folder (${pkg} installs offline).`;
}

function nativeReinstallRemedy(name: 'cuda' | 'tensorflow'): string {
  const pkg = BACKEND_PACKAGES[name];
  return `Reinstall with network access: 'npm rebuild ${pkg}' (or 'npm rebuild ${pkg} --build-addon-from-source' when no prebuilt addon matches this Node version).`;
}

interface WasmModule extends WasmThreadsModule {
  version_wasm?: string;
}

async function tryWasm(tf: Tf, ctx: Ctx): Promise<Attempt | Unavailable> {
  const pkg = BACKEND_PACKAGES.wasm;
  if (ctx.loader.resolve(pkg) === undefined) {
    return { backend: 'wasm', package: pkg, status: 'not-installed', reason: notInstalledReason('wasm'), remedy: installRemedy('wasm', ctx.tfjsVersion) };
  }
  let mod: WasmModule;
  try {
    mod = ctx.loader.load(pkg) as WasmModule;
  } catch (err) {
    return { backend: 'wasm', package: pkg, status: 'init-failed', reason: `installed, but loading it failed: ${firstLine(err)}`, remedy: `Reinstall it: 'npm ci' in the optlab folder.` };
  }
  let ok = false;
  let why = '';
  const threaded = ctx.wasmThreads > 1 && !wasmBackendInitialized(tf) ? ctx.loader.resolve(pkg) : undefined;
  let setup: ReturnType<typeof prepareWasmThreads> | undefined;
  try {
    if (threaded) setup = prepareWasmThreads(tf, mod as WasmThreadsModule, threaded, ctx.wasmThreads);
    // In Node the backend finds its .wasm files next to its own JavaScript in node_modules, so no
    // setWasmPaths is needed (provided the package is not bundled: see scripts/build.mjs).
    ok = await tf.setBackend('wasm');
    await tf.ready();
    if (ok) setup?.afterInit();
  } catch (err) {
    why = firstLine(err);
  } finally {
    setup?.restore();
  }
  if (!ok || tf.getBackend() !== 'wasm') {
    return {
      backend: 'wasm',
      package: pkg,
      status: 'init-failed',
      reason: `installed, but the wasm backend failed to initialize${why ? `: ${why}` : ' (its .wasm files could not be loaded; see the warning tfjs printed above)'}`,
      remedy: `Keep ${pkg} external to any bundle so that it loads tfjs-backend-wasm*.wasm from node_modules; reinstall with 'npm ci'.`,
    };
  }
  const simd = Boolean(await safeFlag(tf, 'WASM_HAS_SIMD_SUPPORT'));
  const threadsSupported = Boolean(await safeFlag(tf, 'WASM_HAS_MULTITHREAD_SUPPORT'));
  const threads = typeof mod.getThreadsCount === 'function' ? mod.getThreadsCount() : 1;
  const versions: Record<string, string> = { ...plainVersions(tf) };
  if (mod.version_wasm) versions['tfjs-backend-wasm'] = mod.version_wasm;
  return {
    backend: 'wasm',
    tfBackend: 'wasm',
    package: pkg,
    device: { kind: 'CPU', name: cpuModel() },
    versions,
    threads: Math.max(1, threads),
    wasm: { simd, threads: threadsSupported },
    tf,
  };
}

async function tryCpu(tf: Tf): Promise<Attempt | Unavailable> {
  let ok = false;
  let why = '';
  try {
    ok = await tf.setBackend('cpu');
    await tf.ready();
  } catch (err) {
    why = firstLine(err);
  }
  if (!ok || tf.getBackend() !== 'cpu') {
    return { backend: 'cpu', package: BACKEND_PACKAGES.cpu, status: 'init-failed', reason: `the cpu backend failed to initialize${why ? `: ${why}` : ''}`, remedy: `Reinstall ${UNION_PACKAGE}: 'npm ci'.` };
  }
  // The cpu backend prints a "looks like you are running TensorFlow.js in Node.js" banner on first
  // use; the engine has already chosen deliberately.
  const instance = tf.backend() as unknown as { firstUse?: boolean };
  if (instance && typeof instance === 'object' && 'firstUse' in instance) instance.firstUse = false;
  return {
    backend: 'cpu',
    tfBackend: 'cpu',
    package: BACKEND_PACKAGES.cpu,
    device: { kind: 'CPU', name: cpuModel() },
    versions: { ...plainVersions(tf) },
    threads: 1,
    tf,
  };
}

async function wasmCapabilities(tf: Tf, fromInit: { simd: boolean; threads: boolean } | undefined): Promise<{ simd?: boolean; threads?: boolean; note: string }> {
  const simd = fromInit?.simd ?? (await safeFlag(tf, 'WASM_HAS_SIMD_SUPPORT')) ?? runtimeHasWasmSimd();
  const threads = fromInit?.threads ?? (await safeFlag(tf, 'WASM_HAS_MULTITHREAD_SUPPORT'));
  return {
    ...(typeof simd === 'boolean' ? { simd } : {}),
    ...(typeof threads === 'boolean' ? { threads } : {}),
    note: 'tfjs-backend-wasm disables wasm threads under Node (WASM_HAS_MULTITHREAD_SUPPORT is false when IS_NODE, tfjs#3830), so it computes on one thread unless OPTLAB_WASM_THREADS (or InitOptions.wasmThreads) asks for more',
  };
}

async function safeFlag(tf: Tf, flag: string): Promise<boolean | undefined> {
  try {
    return Boolean(await tf.env().getAsync(flag));
  } catch {
    return undefined; // the flag is registered by tfjs-backend-wasm; not loaded
  }
}

/** WebAssembly SIMD support of this runtime (the probe tfjs-backend-wasm uses, from wasm-feature-detect). */
export function runtimeHasWasmSimd(): boolean {
  try {
    const wasm = (globalThis as unknown as { WebAssembly: { validate(bytes: Uint8Array): boolean } }).WebAssembly;
    return wasm.validate(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 9, 1, 7, 0, 65, 0, 253, 15, 26, 11]));
  } catch {
    return false;
  }
}

function plainVersions(tf: Tf): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((tf.version ?? {}) as Record<string, unknown>)) if (typeof v === 'string') out[k] = v;
  return out;
}

function isModuleNotFound(err: unknown, id: string): boolean {
  const e = err as { code?: string; message?: string };
  return (e?.code === 'MODULE_NOT_FOUND' || e?.code === 'ERR_MODULE_NOT_FOUND') && typeof e.message === 'string' && e.message.includes(id);
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n').find((l) => l.trim())?.trim() ?? msg;
}

export function cpuCount(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

export function cpuModel(): string {
  return os.cpus()[0]?.model?.trim() || `${os.arch()} CPU`;
}

function nvidiaSmiGpuName(): string | undefined {
  try {
    const out = execFileSync('nvidia-smi', ['--query-gpu=name', '--format=csv,noheader'], { encoding: 'utf8', timeout: 3000, stdio: ['ignore', 'pipe', 'ignore'] });
    return out.split('\n').map((l) => l.trim()).find(Boolean);
  } catch {
    return undefined;
  }
}
