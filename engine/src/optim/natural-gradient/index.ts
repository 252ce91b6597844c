// Natural gradient and Gauss-Newton (science-spec sections 5 and 6): the optimizer, its options,
// and the pieces the tests and the engine use (output-space matrices, CG, section 6's G^inf).
export { naturalGradient, type NaturalGradientState } from './natural-gradient';
export { NATURAL_GRADIENT_DEFAULTS, resolveNaturalGradientOptions, type NaturalGradientMethod, type NaturalGradientOptions } from './options';
export { exactDirection, gramStats, type ExactDirection } from './exact';
export { conjugateGradient, type CgResult } from './cg';
export { infiniteWidthGram, lambda0 } from './infinite-width';
export {
  MAX_JACOBIAN_ENTRIES,
  gramOfRows,
  jacobianRows,
  outputCurvatureMatrix,
  paramLayout,
  scalarCurvature,
  transposeTimes,
  unflatten,
  type ParamLayout,
} from './output-space-matrices';
