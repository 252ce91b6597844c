// The TensorFlow.js namespace type, on its own so that the modules backend.ts loads (gradient
// fixes, wasm kernels and threads) can name it without importing backend.ts back.
import type * as TF from '@tensorflow/tfjs';

/** The @tensorflow/tfjs namespace (or a native package's, which re-exports it). */
export type Tf = typeof TF;
