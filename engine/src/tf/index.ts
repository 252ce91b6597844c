// TensorFlow.js for the engine: backend selection, the gradient corrections, double-backprop-safe
// losses, convolution/pooling that train on every backend, and the finite-difference gradcheck.
// Engine code should compute with the `tf` that initBackend returns. A static
// `import * as tf from '@tensorflow/tfjs'` elsewhere is safe only while scripts/build.mjs keeps
// @tensorflow/* external (bundled, tfjs-backend-wasm cannot find its .wasm files).
export * from './backend';
export * from './conv';
export * from './gradcheck';
export * from './gradients';
export * from './losses';
