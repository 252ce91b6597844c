// K-FAC (dense layers) and KFC (convolutions): Kronecker-factored natural gradient with adaptive
// damping (optim/kfac). Defaults are kfac/options.ts's KFAC_DEFAULTS, so the schema states them.
import { KFAC_DEFAULTS as D } from '../kfac/options';
import { learningRate, momentum, schedule } from './common';
import { defineOptimizer } from './descriptor';

/** Curvature optimizers stand in as SGD preconditioned with P = H^-0.75 (a better preconditioner). */
export const CURVATURE_PRECONDITION = 0.75;

const positive = { kind: 'number', min: 0, minExclusive: true } as const;
const count = { kind: 'integer', min: 1 } as const;
const fraction = { kind: 'number', min: 0, minExclusive: true, max: 1 } as const;

export const kfac = defineOptimizer({
  type: 'kfac',
  label: 'K-FAC',
  doc: 'K-FAC (Martens & Grosse 2015) for dense layers and KFC (Grosse & Martens 2016) for convolutions: Kronecker-factored natural gradient with adaptive damping.',
  markdown:
    '**K-FAC / KFC**: Kronecker-factored approximate natural gradient (dense layers: A ⊗ G; convolutions: Ω ⊗ Γ), with targets sampled from the model (true Fisher), factored Tikhonov damping adapted by Levenberg-Marquardt, and inverses recomputed every `inverseEvery` steps. Without `learningRate` the step size α and momentum μ come from the exact quadratic model (adaptive mode); with it, the fixed-step mode uses `learningRate` and `momentum`.',
  learningRate: 'optional',
  // Grid order (the trial product): learningRate, damping, minDamping, momentum.
  options: {
    learningRate: {
      ...learningRate,
      doc: 'Fixed-step mode: learning rates to search (> 0). Leave out for the adaptive mode.',
      markdown: 'Fixed-step mode: learning rates to search (each > 0). **Leave out** for the adaptive mode, where α and μ minimise the exact quadratic model each step.',
    },
    schedule,
    damping: {
      ...positive,
      grid: true,
      default: D.damping,
      doc: "Initial Tikhonov damping lambda to search (> 0). The default (the paper's autoencoder value) applies to the adaptive mode only: with a learningRate it must be given.",
      markdown: "Initial Tikhonov damping λ to search (each > 0); adapted by the Levenberg-Marquardt rule. The default (the paper's autoencoders') applies to the adaptive mode only: with a `learningRate` (fixed-step mode) give it explicitly, as kfac-jax requires; it then stays fixed unless `adaptDamping` is true.",
    },
    minDamping: {
      ...positive,
      grid: true,
      default: D.minDamping,
      noun: 'minimum damping',
      doc: "Lower clip of the damping, values to search (> 0). Small batches need a higher floor than large ones: the Levenberg-Marquardt rule trusts the minibatch's own quadratic model.",
      markdown: "Lower clip of the damping: values to search (each > 0). Small batches need a higher floor than large ones, since the Levenberg-Marquardt rule judges steps on the minibatch's own quadratic model.",
    },
    momentum: { ...momentum, default: D.momentum, doc: 'Fixed-step mode: momentum values to search, each in [0, 1).', markdown: 'Fixed-step mode only: momentum values to search, each in [0, 1).' },
    l2: { kind: 'number', min: 0, default: D.l2, doc: 'L2 coefficient eta added to the objective.' },
    emaDecay: { kind: 'number', min: 0, max: 1, maxExclusive: true, default: D.emaDecay, doc: 'Decay of the bias-corrected moving average of the Kronecker factors.' },
    burnIn: { kind: 'integer', min: 0, default: D.burnIn, doc: 'Curvature-only steps before the first parameter update.' },
    inverseEvery: { ...count, default: D.inverseEvery, doc: 'Recompute the damped factor inverses every this many steps (T3).' },
    adaptEvery: { ...count, default: D.adaptEvery, doc: 'Adapt the damping by the Levenberg-Marquardt rule every this many steps (T1).' },
    dampingDecay: { kind: 'number', min: 0, minExclusive: true, max: 1, maxExclusive: true, default: D.dampingDecay, doc: 'Per-step Levenberg-Marquardt factor omega (applied as omega^T1).' },
    maxDamping: { ...positive, default: D.maxDamping, doc: 'Upper clip of the damping.' },
    adaptDamping: {
      kind: 'boolean',
      defaultText: 'on in the adaptive mode, off in the fixed-step mode, where it costs two extra Jacobian-vector products per adaptation',
      doc: 'Adapt the damping by the Levenberg-Marquardt rule.',
    },
    statsFraction: { ...fraction, default: D.statsFraction, doc: "Fraction of the minibatch used for the curvature statistics (the paper's tau1 = 1/8)." },
    quadModelFraction: { ...fraction, default: D.quadModelFraction, doc: "Adaptive mode: fraction of the minibatch for the quadratic model's Fisher products (the paper's tau2 = 1/4)." },
    subsetMinRows: { ...count, default: D.subsetMinRows, doc: 'The statsFraction and quadModelFraction subsets never have fewer examples than this (the whole minibatch when it is smaller).' },
    exactInverses: { kind: 'boolean', default: D.exactInverses, doc: 'Use eigendecompositions and the exact inverse of (A ⊗ G + damping I) instead of the pi-adjusted factored damping.' },
    klClip: { ...positive, doc: 'Fixed-step mode: clip the step so that lr^2 g^T F^-1 g <= klClip (Ba et al. 2017).' },
    asyncInverses: {
      kind: 'boolean',
      defaultText: `on when a factor has ${D.asyncMinSize} or more rows`,
      doc: 'Compute large inverses in a worker thread and apply them a fixed number of steps later (deterministic).',
    },
    inverseLag: { ...count, defaultText: 'inverseEvery / 2, rounded up', doc: 'With asyncInverses: steps between submitting the inverses and applying them, at most inverseEvery.' },
    timing: { kind: 'boolean', default: D.timing, doc: 'Stream the time of each phase of a step (factors, inverses, preconditioning, quadratic model, ...) as kfac/time_* metrics.' },
  },
  nqm: { family: 'sgd', precondition: CURVATURE_PRECONDITION },
  needs: ['layerStats', 'outputSpace', 'loss', 'lossAt'],
  snippet: { label: 'K-FAC (adaptive step)', body: { label: '${1:K-FAC}', type: 'kfac', damping: ['^${2:150}'] } },
  build: ({ learningRate: _lr, schedule: _schedule, ...o }, { learningRate, raw }, tk) => tk.kfacFromSpec(o, learningRate, raw),
});
