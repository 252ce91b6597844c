// What builders compose optimizers from. Descriptors receive it as an argument instead of
// importing it, so that the registry itself stays free of TensorFlow.js (experiment files are
// checked without loading it); only the factory (optim/factory.ts) imports this file.
export { adam, adamw, momentum, rmsprop, sgd, type CommonOptions } from '../optimizers';
export { kfacFromSpec, ngdFromSpec } from '../curvature-factory';
export * from '../transforms';
export { chain, named } from '../base';
