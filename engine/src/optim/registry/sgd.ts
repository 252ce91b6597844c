// Plain SGD: x <- x - lr g.
import { clipNorm, ema, learningRate, schedule, weightDecay } from './common';
import { defineOptimizer } from './descriptor';

export const sgd = defineOptimizer({
  type: 'sgd',
  label: 'SGD',
  doc: 'SGD on a neural problem: x <- x - lr g.',
  markdown: '**SGD**: θ ← θ − lr · g.',
  options: { learningRate, weightDecay, clipNorm, ema, schedule },
  nqm: { family: 'sgd', precondition: 0 },
  needs: [],
  snippet: { label: 'SGD', body: { label: '${1:SGD}', type: 'sgd', learningRate: { logspace: ['^${2:-2}', '^${3:0}', '^${4:5}'] } } },
  build: (o, { learningRate }, tk) => tk.sgd(learningRate!, { weightDecay: o.weightDecay, clipNorm: o.clipNorm, ema: o.ema }),
});
