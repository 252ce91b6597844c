// K-FAC (dense layers) and KFC (convolutions) as a composable optimizer transform
// (science-spec sections 3 and 4): kfac(options) with the options of KfacOptions.
export { kfac, type KfacState, type KfacLayerState, type PendingInverses } from './kfac';
export { KFAC_DEFAULTS, resolveKfacOptions, type KfacOptions, type ResolvedKfacOptions } from './options';
export { minibatchFactors, readFactors, type LayerFactors, type RawLayerFactors } from './factors';
export { emaUpdate, emaWeights, nextWeight } from './ema';
export { piAdjustedDamping, levenbergMarquardt, type LmOptions } from './damping';
export { quadraticTerms, solveQuadraticModel, modelChange, type QuadraticTerms, type QuadraticSolution } from './qmodel';
export { COND_MAX_SIZE, type LayerInverse, type FactorPair } from './inverses';
