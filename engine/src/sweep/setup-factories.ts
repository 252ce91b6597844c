// The factories a setup check runs (sweep planning, the trial worker's prepare, the optimizer
// factory), behind one module so that SetupCheck loads them (and TensorFlow.js, which the model
// and optimizer factories import) only when a neural experiment is checked.
export { planSweep } from './plan';
export { optionPathToPointer, prepare } from './worker';
export { SetupInvalid } from './messages';
export { dataAccessOf } from '../data/dataset-access';
export { makeOptimizer, OptimizerSpecError } from '../optim';
