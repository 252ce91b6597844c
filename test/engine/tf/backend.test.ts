// Backend selection (engine/src/tf/backend.ts). The selection logic runs against fake modules
// through an injected loader, so that every fallback branch and every error message is exercised,
// including the CUDA path that cannot run on this machine; then against the real packages.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import {
  BackendUnavailableError,
  describeSelection,
  initBackend,
  probeBackends,
  type InitOptions,
  type ModuleLoader,
  type Tf,
} from '../../../engine/src/tf/backend';

// ---- a fake tfjs world ----------------------------------------------------------------------------

type Factory = () => object | undefined;

class FakeTf {
  factories = new Map<string, Factory>();
  instances = new Map<string, object>();
  active: string | null = null;
  removed: string[] = [];
  flags: Record<string, boolean> = {};
  version: Record<string, string> = { 'tfjs-core': '4.22.0', 'tfjs-backend-cpu': '4.22.0', tfjs: '4.22.0' };

  constructor() {
    this.registerBackend('cpu', () => ({ firstUse: true }));
  }
  registerBackend(name: string, f: Factory): void {
    if (!this.factories.has(name)) this.factories.set(name, f);
  }
  async setBackend(name: string): Promise<boolean> {
    const f = this.factories.get(name);
    if (!f) return false;
    let inst = this.instances.get(name);
    if (!inst) {
      try {
        inst = f();
      } catch {
        return false;
      }
      if (!inst) return false;
      this.instances.set(name, inst);
    }
    this.active = name;
    return true;
  }
  async ready(): Promise<void> {}
  getBackend(): string | null {
    return this.active;
  }
  backend(): object | undefined {
    return this.active ? this.instances.get(this.active) : undefined;
  }
  findBackendFactory(name: string): Factory | null {
    return this.factories.get(name) ?? null;
  }
  removeBackend(name: string): void {
    this.factories.delete(name);
    this.instances.delete(name);
    this.removed.push(name);
  }
  env() {
    return {
      getAsync: async (flag: string) => {
        if (!(flag in this.flags)) throw new Error(`Cannot evaluate flag '${flag}': no evaluation function found.`);
        return this.flags[flag];
      },
    };
  }
}

/** What a native package's namespace looks like: the union re-exported, plus its version. */
function nativeNamespace(tf: FakeTf, pkg: string): object {
  return {
    setBackend: (n: string) => tf.setBackend(n),
    ready: () => tf.ready(),
    getBackend: () => tf.getBackend(),
    backend: () => tf.backend(),
    env: () => tf.env(),
    version: { ...tf.version, 'tfjs-node': '4.22.0', [`__pkg`]: pkg },
  };
}

interface World {
  tf: FakeTf;
  loader: ModuleLoader;
  loaded: string[];
}

interface WorldSpec {
  union?: boolean;
  /** tfjs-node-gpu: 'gpu' (loads, sees a GPU), 'cpu-only' (loads, no GPU), an Error to throw on load, or 'init-fails'. */
  nodeGpu?: 'gpu' | 'cpu-only' | 'init-fails' | Error;
  nodeCpu?: 'ok' | 'init-fails' | Error;
  wasm?: 'ok' | 'init-fails';
}

function world(spec: WorldSpec): World {
  const tf = new FakeTf();
  const loaded: string[] = [];
  const native = (pkg: string, mode: 'gpu' | 'cpu-only' | 'ok' | 'init-fails' | Error) => () => {
    if (mode instanceof Error) throw mode;
    tf.registerBackend('tensorflow', () => {
      if (mode === 'init-fails') throw new Error('CUDA driver version is insufficient');
      return { isGPUPackage: pkg.endsWith('-gpu'), isUsingGpuDevice: mode === 'gpu', binding: { TF_Version: '2.9.1' } };
    });
    // Like tfjs-node's index: set the backend at load; a failure throws.
    if (mode === 'init-fails') throw new Error('Could not initialize TensorFlow backend.');
    void tf.setBackend('tensorflow');
    return nativeNamespace(tf, pkg);
  };
  const modules: Record<string, () => unknown> = {};
  if (spec.union !== false) modules['@tensorflow/tfjs'] = () => tf;
  if (spec.nodeGpu) modules['@tensorflow/tfjs-node-gpu'] = native('@tensorflow/tfjs-node-gpu', spec.nodeGpu);
  if (spec.nodeCpu) modules['@tensorflow/tfjs-node'] = native('@tensorflow/tfjs-node', spec.nodeCpu);
  if (spec.wasm) {
    modules['@tensorflow/tfjs-backend-wasm'] = () => {
      tf.registerBackend('wasm', () => (spec.wasm === 'ok' ? { wasm: true } : undefined));
      tf.flags.WASM_HAS_SIMD_SUPPORT = true;
      tf.flags.WASM_HAS_MULTITHREAD_SUPPORT = false;
      return { getThreadsCount: () => 1, version_wasm: '4.22.0' };
    };
  }
  const cache = new Map<string, unknown>();
  return {
    tf,
    loaded,
    loader: {
      resolve: (id) => (modules[id] ? `/fake/node_modules/${id}/index.js` : undefined),
      load: (id) => {
        if (cache.has(id)) return cache.get(id);
        const m = modules[id];
        if (!m) throw Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' });
        loaded.push(id);
        const value = m(); // a throwing module is not cached, like require
        cache.set(id, value);
        return value;
      },
    },
  };
}

const opts = (w: World, extra: Partial<InitOptions> = {}): InitOptions => ({
  loader: w.loader,
  gpuName: () => 'NVIDIA A100-SXM4-40GB',
  registerGradientFixes: false,
  platform: 'linux',
  arch: 'x64',
  ...extra,
});

const TF_NODE_ADDON_MISSING = new Error(
  'The Node.js native addon module (tfjs_binding.node) can not be found at path: /app/node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node. \n' +
    "Please run command 'npm rebuild @tensorflow/tfjs-node build-addon-from-source' to rebuild the native addon module.",
);
const CUDA_LIB_MISSING = new Error('libcudart.so.11.0: cannot open shared object file: No such file or directory');

// ---- auto ---------------------------------------------------------------------------------------

describe('auto selection (fake modules)', () => {
  test('CUDA first: tfjs-node-gpu with a GPU gives cuda, the GPU name, TF and package versions', async () => {
    const w = world({ nodeGpu: 'gpu', nodeCpu: 'ok', wasm: 'ok' });
    const s = await initBackend('auto', opts(w));
    assert.equal(s.backend, 'cuda');
    assert.equal(s.tfBackend, 'tensorflow');
    assert.equal(s.package, '@tensorflow/tfjs-node-gpu');
    assert.deepEqual(s.device, { kind: 'GPU', name: 'NVIDIA A100-SXM4-40GB' });
    assert.equal(s.versions.tensorflow, '2.9.1');
    assert.equal(s.versions['tfjs-node-gpu'], '4.22.0');
    assert.equal(s.versions['tfjs-core'], '4.22.0');
    assert.deepEqual(s.skipped, []);
    assert.ok(!w.loaded.includes('@tensorflow/tfjs-node'), 'tfjs-node is not loaded once the GPU package works');
    assert.match(describeSelection(s), /^cuda \(GPU: NVIDIA A100-SXM4-40GB; \d+ threads?; tfjs 4\.22\.0; @tensorflow\/tfjs-node-gpu 4\.22\.0; TensorFlow 2\.9\.1\)$/);
  });

  test('no GPU name available: the device is still a GPU, named generically', async () => {
    const w = world({ nodeGpu: 'gpu' });
    const s = await initBackend('auto', opts(w, { gpuName: () => undefined }));
    assert.deepEqual(s.device, { kind: 'GPU', name: 'CUDA GPU' });
  });

  test('tfjs-node-gpu without a GPU device: native TensorFlow on the CPU, recorded as tensorflow', async () => {
    const w = world({ nodeGpu: 'cpu-only', wasm: 'ok' });
    const s = await initBackend('auto', opts(w));
    assert.equal(s.backend, 'tensorflow');
    assert.equal(s.package, '@tensorflow/tfjs-node-gpu');
    assert.equal(s.device.kind, 'CPU');
  });

  test('no GPU package: tfjs-node, with the skipped cuda explained', async () => {
    const w = world({ nodeCpu: 'ok', wasm: 'ok' });
    const s = await initBackend('auto', opts(w));
    assert.equal(s.backend, 'tensorflow');
    assert.equal(s.device.kind, 'CPU');
    assert.equal(s.versions['tfjs-node'], '4.22.0');
    assert.equal(s.skipped.length, 1);
    assert.equal(s.skipped[0].backend, 'cuda');
    assert.equal(s.skipped[0].status, 'not-installed');
  });

  test('no native package (this machine): wasm, with both native packages explained', async () => {
    const w = world({ wasm: 'ok' });
    const s = await initBackend('auto', opts(w));
    assert.equal(s.backend, 'wasm');
    assert.equal(s.threads, 1);
    assert.deepEqual(s.wasm, { simd: true, threads: false });
    assert.equal(s.versions['tfjs-backend-wasm'], '4.22.0');
    assert.deepEqual(s.skipped.map((x) => [x.backend, x.status]), [['cuda', 'not-installed'], ['tensorflow', 'not-installed']]);
    assert.match(s.skipped[1].reason, /not installed \(its install downloads libtensorflow, which failed or was skipped: npm drops failed optional dependencies\)/);
    assert.match(s.skipped[0].reason, /libtensorflow with CUDA support/);
  });

  test('tfjs-node installed without its native addon: skipped as such, then wasm', async () => {
    const w = world({ nodeCpu: TF_NODE_ADDON_MISSING, wasm: 'ok' });
    const s = await initBackend('auto', opts(w));
    assert.equal(s.backend, 'wasm');
    const t = s.skipped.find((x) => x.backend === 'tensorflow')!;
    assert.equal(t.status, 'native-addon-missing');
    assert.match(t.reason, /native addon \(tfjs_binding\.node\) is missing/);
    assert.match(t.remedy, /npm rebuild @tensorflow\/tfjs-node/);
  });

  test('tfjs-node-gpu whose CUDA libraries are missing: skipped with the CUDA remedy, then tfjs-node', async () => {
    const w = world({ nodeGpu: CUDA_LIB_MISSING, nodeCpu: 'ok' });
    const s = await initBackend('auto', opts(w));
    assert.equal(s.backend, 'tensorflow');
    const c = s.skipped[0];
    assert.equal(c.status, 'native-library-missing');
    assert.match(c.reason, /libcudart\.so\.11\.0/);
    assert.match(c.remedy, /CUDA 11\.2 and cuDNN 8\.1.*LD_LIBRARY_PATH/);
  });

  test('tfjs-node-gpu that registers its backend but fails to initialize: its factory is removed before tfjs-node loads', async () => {
    const w = world({ nodeGpu: 'init-fails', nodeCpu: 'ok' });
    const s = await initBackend('auto', opts(w));
    assert.equal(s.skipped[0].backend, 'cuda');
    assert.equal(s.skipped[0].status, 'init-failed');
    assert.match(s.skipped[0].reason, /Could not initialize TensorFlow backend/);
    assert.ok(w.tf.removed.includes('tensorflow'), 'the stale tensorflow factory was removed');
    assert.equal(s.backend, 'tensorflow');
    assert.equal(s.package, '@tensorflow/tfjs-node');
    assert.equal((w.tf.backend() as { isGPUPackage: boolean }).isGPUPackage, false, 'the backend in use is tfjs-node\'s');
  });

  test('wasm that fails to initialize (e.g. its .wasm files bundled away): cpu, with the reason', async () => {
    const w = world({ wasm: 'init-fails' });
    const s = await initBackend('auto', opts(w));
    assert.equal(s.backend, 'cpu');
    assert.equal(s.threads, 1);
    const wasm = s.skipped.find((x) => x.backend === 'wasm')!;
    assert.equal(wasm.status, 'init-failed');
    assert.match(wasm.remedy, /external to any bundle/);
    assert.equal((w.tf.backend() as { firstUse: boolean }).firstUse, false, 'the cpu backend\'s Node.js banner is silenced');
  });

  test('nothing but the union package: cpu', async () => {
    const w = world({});
    const s = await initBackend('auto', opts(w));
    assert.equal(s.backend, 'cpu');
    assert.deepEqual(s.skipped.map((x) => x.backend), ['cuda', 'tensorflow', 'wasm']);
    assert.equal(s.skipped[2].status, 'not-installed');
  });

  test('a platform without native builds says so', async () => {
    const w = world({ wasm: 'ok' });
    const s = await initBackend('auto', opts(w, { platform: 'darwin', arch: 'arm64' }));
    assert.equal(s.skipped[0].status, 'unsupported-platform');
    assert.match(s.skipped[0].reason, /no CUDA build of it for darwin-arm64/);
    assert.equal(s.skipped[1].status, 'not-installed', 'tfjs-node does exist for darwin-arm64');
  });
});

// ---- forced -------------------------------------------------------------------------------------

async function forcedError(pref: 'cuda' | 'tensorflow' | 'wasm' | 'cpu', w: World): Promise<BackendUnavailableError> {
  try {
    await initBackend(pref, opts(w));
  } catch (err) {
    assert.ok(err instanceof BackendUnavailableError, `expected a BackendUnavailableError, got ${String(err)}`);
    return err;
  }
  assert.fail(`initBackend('${pref}') should have failed`);
}

describe('a forced backend that is missing is a clear error (fake modules)', () => {
  test('cuda not installed: names the package, why it is missing and how to install it', async () => {
    const err = await forcedError('cuda', world({ nodeCpu: 'ok', wasm: 'ok' }));
    assert.equal(err.detail.status, 'not-installed');
    assert.match(err.message, /^compute backend 'cuda' is unavailable: @tensorflow\/tfjs-node-gpu: not installed/);
    assert.match(err.message, /npm drops failed optional dependencies/);
    assert.match(err.message, /npm install @tensorflow\/tfjs-node-gpu@4\.22\.0' with network access/);
    assert.match(err.message, /NVIDIA driver, CUDA 11\.2 and cuDNN 8\.1/);
  });

  test('cuda installed but no GPU visible', async () => {
    const err = await forcedError('cuda', world({ nodeGpu: 'cpu-only' }));
    assert.equal(err.detail.status, 'no-gpu');
    assert.match(err.message, /TensorFlow sees no CUDA GPU/);
    assert.match(err.message, /nvidia-smi/);
  });

  test('cuda with missing CUDA libraries', async () => {
    const err = await forcedError('cuda', world({ nodeGpu: CUDA_LIB_MISSING }));
    assert.equal(err.detail.status, 'native-library-missing');
    assert.match(err.message, /libcudart\.so\.11\.0/);
  });

  test('tensorflow not installed', async () => {
    const err = await forcedError('tensorflow', world({ wasm: 'ok' }));
    assert.match(err.message, /^compute backend 'tensorflow' is unavailable: @tensorflow\/tfjs-node: not installed \(its install downloads libtensorflow, which failed or was skipped: npm drops failed optional dependencies\)\. Run 'npm install @tensorflow\/tfjs-node@4\.22\.0' with network access/);
  });

  test('tensorflow installed without its native addon', async () => {
    const err = await forcedError('tensorflow', world({ nodeCpu: TF_NODE_ADDON_MISSING }));
    assert.equal(err.detail.status, 'native-addon-missing');
    assert.match(err.message, /tfjs_binding\.node/);
    assert.match(err.message, /--build-addon-from-source/);
  });

  test('tensorflow that loads but cannot initialize', async () => {
    const err = await forcedError('tensorflow', world({ nodeCpu: 'init-fails' }));
    assert.equal(err.detail.status, 'init-failed');
    assert.match(err.message, /Could not initialize TensorFlow backend/);
  });

  test('wasm not installed / failing', async () => {
    let err = await forcedError('wasm', world({}));
    assert.match(err.message, /@tensorflow\/tfjs-backend-wasm: not installed \(it is a regular dependency of optlab; the install is incomplete\)\. Run 'npm ci'/);
    err = await forcedError('wasm', world({ wasm: 'init-fails' }));
    assert.match(err.message, /failed to initialize/);
  });

  test('forced wasm and cpu work without touching the native packages', async () => {
    const w = world({ nodeGpu: 'gpu', nodeCpu: 'ok', wasm: 'ok' });
    assert.equal((await initBackend('wasm', opts(w))).backend, 'wasm');
    assert.equal((await initBackend('cpu', opts(w))).backend, 'cpu');
    assert.deepEqual(w.loaded.filter((m) => m.includes('node')), []);
  });

  test('an unknown name, and a missing @tensorflow/tfjs, are errors', async () => {
    await assert.rejects(initBackend('metal' as never, opts(world({}))), /unknown compute backend 'metal' \(known: auto, cuda, tensorflow, wasm, cpu\)/);
    await assert.rejects(initBackend('auto', opts(world({ union: false }))), /@tensorflow\/tfjs is not installed .*npm ci/);
  });
});

describe('probeBackends (fake modules)', () => {
  test('reports every backend, why the unavailable ones are, and the default', async () => {
    const w = world({ nodeGpu: CUDA_LIB_MISSING, nodeCpu: TF_NODE_ADDON_MISSING, wasm: 'ok' });
    const r = await probeBackends(opts(w));
    assert.deepEqual(r.backends.map((b) => [b.backend, b.available]), [['cuda', false], ['tensorflow', false], ['wasm', true], ['cpu', true]]);
    assert.equal(r.backends[0].unavailable!.status, 'native-library-missing');
    assert.equal(r.backends[1].unavailable!.status, 'native-addon-missing');
    assert.equal(r.backends[2].version, '4.22.0');
    assert.deepEqual(r.backends[2].wasm, { simd: true, threads: false });
    assert.equal(r.defaultBackend, 'wasm');
    assert.equal(w.tf.getBackend(), 'wasm', 'the default is left active');
    assert.equal(r.wasm?.simd, true);
    assert.equal(r.wasm?.threads, false);
  });

  test('with the GPU package working, tfjs-node is reported but not loaded (both register "tensorflow")', async () => {
    const w = world({ nodeGpu: 'gpu', nodeCpu: 'ok', wasm: 'ok' });
    const r = await probeBackends(opts(w));
    assert.equal(r.defaultBackend, 'cuda');
    assert.equal(r.backends[0].device?.kind, 'GPU');
    assert.equal(r.backends[1].available, false);
    assert.equal(r.backends[1].unavailable!.status, 'not-probed');
    assert.match(r.backends[1].unavailable!.reason, /@tensorflow\/tfjs-node-gpu already provides the 'tensorflow' backend/);
    assert.ok(!w.loaded.includes('@tensorflow/tfjs-node'));
    assert.equal(w.tf.getBackend(), 'tensorflow');
  });

  test('the GPU package without a GPU: cuda unavailable (no-gpu), default tensorflow on the CPU', async () => {
    const w = world({ nodeGpu: 'cpu-only', wasm: 'ok' });
    const r = await probeBackends(opts(w));
    assert.equal(r.backends[0].unavailable!.status, 'no-gpu');
    assert.equal(r.defaultBackend, 'tensorflow');
    assert.match(r.defaultNote!, /without a GPU/);
  });

  test('no @tensorflow/tfjs: an error in the report, no crash', async () => {
    const r = await probeBackends(opts(world({ union: false })));
    assert.match(r.error!, /not installed/);
    assert.deepEqual(r.backends, []);
  });
});

// ---- the real packages on this machine ------------------------------------------------------------

const req = createRequire(__filename);
const installed = (id: string) => {
  try {
    req.resolve(id);
    return true;
  } catch {
    return false;
  }
};

describe('real backends on this machine', () => {
  test('cpu and wasm initialize; versions, device, threads, SIMD are recorded; the gradient fixes are registered', async () => {
    const cpu = await initBackend('cpu');
    assert.equal(cpu.backend, 'cpu');
    assert.equal(cpu.tf.getBackend(), 'cpu');
    assert.equal(cpu.versions['tfjs-core'], '4.22.0');
    assert.equal(cpu.gradientFixes, true);
    const wasm = await initBackend('wasm');
    assert.equal(wasm.tf.getBackend(), 'wasm');
    assert.equal(wasm.versions['tfjs-backend-wasm'], '4.22.0');
    assert.equal(wasm.threads, 1, 'tfjs-backend-wasm runs single-threaded under Node');
    assert.equal(wasm.wasm?.threads, false);
    assert.equal(typeof wasm.wasm?.simd, 'boolean');
    assert.equal(wasm.device.kind, 'CPU');
    // Same tfjs instance: one engine, one gradient registry.
    assert.equal(cpu.tf, wasm.tf);
    const x = (wasm.tf as Tf).tensor1d([1, 2, 3]);
    assert.deepEqual(Array.from(x.square().dataSync()), [1, 4, 9]);
    x.dispose();
  });

  test('auto picks the first available: here, without the native packages, wasm', async () => {
    const s = await initBackend('auto');
    if (installed('@tensorflow/tfjs-node-gpu') || installed('@tensorflow/tfjs-node')) {
      assert.equal(s.tfBackend, 'tensorflow');
      return;
    }
    assert.equal(s.backend, 'wasm');
    assert.deepEqual(s.skipped.map((x) => [x.backend, x.status]), [['cuda', 'not-installed'], ['tensorflow', 'not-installed']]);
    await assert.rejects(initBackend('cuda'), (err: unknown) => err instanceof BackendUnavailableError && /tfjs-node-gpu: not installed/.test(err.message));
    await assert.rejects(initBackend('tensorflow'), (err: unknown) => err instanceof BackendUnavailableError && /tfjs-node: not installed/.test(err.message));
  });
});
