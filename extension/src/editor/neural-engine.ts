// The engine's own setup checks for neural experiments, behind one module so the extension host
// loads them (and TensorFlow.js, which the model and optimizer factories import) only when a
// neural experiment file is edited: the checker imports this file dynamically.
export { planSweep } from '../../../engine/src/sweep/plan';
export { optionPathToPointer, prepare } from '../../../engine/src/sweep/worker';
export { SetupInvalid } from '../../../engine/src/sweep/messages';
export { makeOptimizer, OptimizerSpecError } from '../../../engine/src/optim';
