// Kernel corrections for the wasm backend (performance only: every value stays bit-identical).
//
// Identity: tfjs-backend-wasm implements it as a full copy of the tensor's data, while the cpu and
// webgl backends share the data buffer (reference counted, as Reshape does on every backend).
// tfjs calls Identity far more often than user code does: tf.clone, and every tensor a gradient
// saves for the backward pass is cloned when the op runs under a tape (engine.saveTensorsForBackwardMode).
// One training step of an MLP 784-256-256-10 ran 55 Identity kernels that copied about 3 MB at
// B=128 and 7 MB at B=1024. Sharing is safe because no wasm kernel writes into an input buffer:
// outputs always come from makeOutput, and disposal is reference counted per data id.
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs';
import type { Tf } from './namespace';

const STATE_KEY = Symbol.for('optlab.tf.wasmKernelFixes');

interface WasmBackendLike {
  incRef(dataId: object): void;
}

interface KernelFixState {
  /** The stock configs replaced, to restore. */
  stock: Map<string, KernelConfig>;
  /** Ours, as registered. */
  installed: Map<string, KernelConfig>;
}

function kernelFixState(): KernelFixState {
  const g = globalThis as unknown as Record<symbol, KernelFixState | undefined>;
  let s = g[STATE_KEY];
  if (!s) {
    s = { stock: new Map(), installed: new Map() };
    g[STATE_KEY] = s;
  }
  return s;
}

/** The wasm kernels the engine replaces. */
export const REPLACED_WASM_KERNELS = ['Identity'] as const;

function sharingIdentity(): KernelConfig {
  return {
    kernelName: 'Identity',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const x = inputs.x as TensorInfo;
      // Strings live outside the wasm heap; keep the stock path for them (never reached by the engine).
      if (x.dtype === 'string') return kernelFixState().stock.get('Identity')!.kernelFunc({ inputs, backend, attrs: {} });
      (backend as unknown as WasmBackendLike).incRef(x.dataId);
      return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
    },
  };
}

/**
 * Registers the engine's wasm kernel corrections (idempotent). A no-op when the wasm backend is not
 * registered with tfjs (the package is not loaded). Returns the kernels registered by this call.
 */
export function registerWasmKernelFixes(tf: Tf): string[] {
  const state = kernelFixState();
  const done: string[] = [];
  if (typeof tf.getKernel !== 'function') return done; // a stand-in tfjs without a kernel registry
  for (const config of [sharingIdentity()]) {
    const current = tf.getKernel(config.kernelName, 'wasm');
    if (!current) continue; // wasm kernels not registered
    const ours = state.installed.get(config.kernelName);
    if (ours && current === ours) continue;
    state.stock.set(config.kernelName, current);
    tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(config);
    // getKernel returns the registered object itself: remember it to recognise ours.
    state.installed.set(config.kernelName, tf.getKernel(config.kernelName, 'wasm')!);
    done.push(config.kernelName);
  }
  return done;
}

/** Restores the stock wasm kernels (for tests and the benchmark's stock-vs-engine comparison). */
export function unregisterWasmKernelFixes(tf: Tf): void {
  const state = kernelFixState();
  for (const [name, ours] of state.installed) {
    if (tf.getKernel(name, 'wasm') !== ours) continue;
    tf.unregisterKernel(name, 'wasm');
    const stock = state.stock.get(name);
    if (stock) tf.registerKernel(stock);
  }
  state.installed.clear();
  state.stock.clear();
}

/** Whether every wasm kernel correction is registered. */
export function wasmKernelFixesActive(tf: Tf): boolean {
  const state = kernelFixState();
  return REPLACED_WASM_KERNELS.every((k) => {
    const ours = state.installed.get(k);
    return ours !== undefined && tf.getKernel(k, 'wasm') === ours;
  });
}
