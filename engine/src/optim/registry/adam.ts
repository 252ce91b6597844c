// Adam and AdamW (decoupled weight decay): one family, two types.
import { clipNorm, ema, eps, learningRate, schedule, weightDecay } from './common';
import { defineOptimizer } from './descriptor';

const unitGrid = { kind: 'number', grid: true, min: 0, max: 1, maxExclusive: true } as const;
const beta1 = { ...unitGrid, default: 0.9, doc: 'beta1 values to search, each in [0, 1).', markdown: 'First-moment decay β₁ values to search, each in [0, 1).' } as const;
const beta2 = { ...unitGrid, default: 0.999, doc: 'beta2 values to search, each in [0, 1).', markdown: 'Second-moment decay β₂ values to search, each in [0, 1).' } as const;
/** Adaptive optimizers stand in as SGD preconditioned with P = H^-0.5 (the paper's diagonal stand-in). */
export const ADAPTIVE_PRECONDITION = 0.5;

export const adam = defineOptimizer({
  type: 'adam',
  label: 'Adam',
  doc: 'Adam with bias correction.',
  markdown: '**Adam** (with bias correction).',
  options: { learningRate, beta1, beta2, eps, weightDecay, clipNorm, ema, schedule },
  nqm: { family: 'sgd', precondition: ADAPTIVE_PRECONDITION },
  needs: [],
  snippet: { label: 'Adam', body: { label: '${1:Adam}', type: 'adam', learningRate: { logspace: ['^${2:-4}', '^${3:-1}', '^${4:7}'] } } },
  build: (o, { learningRate }, tk) => tk.adam(learningRate!, o.beta1, o.beta2, o.eps, { weightDecay: o.weightDecay, clipNorm: o.clipNorm, ema: o.ema }),
});

export const adamw = defineOptimizer({
  type: 'adamw',
  label: 'AdamW',
  doc: 'AdamW: Adam with decoupled weight decay.',
  markdown: '**AdamW**: Adam with decoupled weight decay.',
  options: {
    learningRate,
    beta1,
    beta2,
    eps,
    weightDecay: {
      ...weightDecay,
      default: 1e-4,
      doc: 'Weight decay values to search (>= 0). Decoupled (AdamW).',
      markdown: 'Weight decay values to search (each ≥ 0). Decoupled from the adaptive scaling (AdamW).',
    },
    clipNorm,
    ema,
    schedule,
  },
  nqm: { family: 'sgd', precondition: ADAPTIVE_PRECONDITION },
  needs: [],
  build: (o, { learningRate }, tk) => tk.adamw(learningRate!, o.beta1, o.beta2, o.eps, o.weightDecay, { clipNorm: o.clipNorm, ema: o.ema }),
});
