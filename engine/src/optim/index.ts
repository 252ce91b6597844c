// Composable optimizers on tfjs tensors (optax-style): see types.ts for the interface and the
// tensor-ownership rules.
export * from './types';
export * from './state';
export * from './base';
export * from './transforms';
export * as schedules from './schedules';
export * from './optimizers';
export * from './factory';
export * from './needs';
