// Models for neural training: explicit layer registration (taps and pre-activation perturbations
// for K-FAC/KFC), initializers, convolution routes that train on every backend, and the factory
// from an experiment-file spec. See types.ts for the contract and the parameter layouts.
export * from './types';
export * from './init';
export * from './conv';
export * from './sequential';
export * from './architectures';
export * from './relu2';
export * from './loss';
export * from './taps';
export * from './registry';
