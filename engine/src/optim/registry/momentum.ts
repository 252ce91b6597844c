// Heavy-ball and Nesterov momentum: one family, one builder.
import { clipNorm, ema, learningRate, momentum as momentumOption, schedule, weightDecay } from './common';
import { defineOptimizer, type OptionValues } from './descriptor';
import type * as Toolkit from './toolkit';
import type { Schedule } from '../types';

const options = { learningRate, momentum: { ...momentumOption, default: 0.9 }, weightDecay, clipNorm, ema, schedule } as const;

const build = (nesterov: boolean) => (o: OptionValues<typeof options>, { learningRate }: { learningRate: Schedule | undefined }, tk: typeof Toolkit) =>
  tk.momentum(learningRate!, o.momentum, { weightDecay: o.weightDecay, clipNorm: o.clipNorm, ema: o.ema, nesterov });

export const momentum = defineOptimizer({
  type: 'momentum',
  label: 'Momentum',
  doc: 'Heavy-ball momentum: v <- m v + g, x <- x - lr v.',
  markdown: '**Heavy-ball momentum**: v ← m·v + g, θ ← θ − lr · v.',
  options,
  nqm: { family: 'momentum', precondition: 0 },
  needs: [],
  snippet: { label: 'Momentum', body: { label: '${1:Momentum}', type: 'momentum', learningRate: { logspace: ['^${2:-3}', '^${3:-1}', '^${4:5}'] }, momentum: ['^${5:0.9}'] } },
  build: build(false),
});

export const nesterov = defineOptimizer({
  type: 'nesterov',
  label: 'Nesterov',
  doc: 'Nesterov momentum: v <- m v + g, x <- x - lr (g + m v).',
  markdown: '**Nesterov momentum**: v ← m·v + g, θ ← θ − lr · (g + m·v).',
  options,
  nqm: { family: 'momentum', precondition: 0 },
  needs: [],
  build: build(true),
});
