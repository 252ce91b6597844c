// RMSProp (PyTorch form), optionally with momentum.
import { clipNorm, ema, eps, learningRate, momentum, schedule, weightDecay } from './common';
import { defineOptimizer } from './descriptor';
import { ADAPTIVE_PRECONDITION } from './adam';

export const rmsprop = defineOptimizer({
  type: 'rmsprop',
  label: 'RMSProp',
  doc: 'RMSProp (PyTorch form), optionally with momentum.',
  markdown: '**RMSProp** (PyTorch form), optionally with momentum.',
  options: {
    learningRate,
    decay: {
      kind: 'number',
      grid: true,
      min: 0,
      max: 1,
      maxExclusive: true,
      default: 0.9,
      doc: 'Decay of the squared-gradient average, values to search, each in [0, 1).',
      markdown: 'Decay of the squared-gradient average: values to search, each in [0, 1).',
    },
    // 0: no momentum buffer at all (PyTorch's default).
    momentum: { ...momentum, default: 0 },
    eps,
    weightDecay,
    clipNorm,
    ema,
    schedule,
  },
  nqm: { family: 'sgd', precondition: ADAPTIVE_PRECONDITION },
  needs: [],
  build: (o, { learningRate }, tk) => tk.rmsprop(learningRate!, o.decay, o.eps, { weightDecay: o.weightDecay, clipNorm: o.clipNorm, ema: o.ema, momentum: o.momentum }),
});
