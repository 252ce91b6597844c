// Options that most optimizers share (learning rate, L2 weight decay, clipping, EMA of iterates,
// schedule); a descriptor spreads the ones it takes and may override a doc or default.
import type { OptionDescriptor } from './descriptor';

const unit = { min: 0, max: 1, maxExclusive: true } as const;

export const learningRate = {
  kind: 'number',
  grid: true,
  min: 0,
  minExclusive: true,
  noun: 'learning rate',
  doc: 'Learning rates to search (> 0; required).',
  markdown: 'Learning rates to search (each > 0; required for neural problems): a number, a list, or a range such as `{ "logspace": [-3, 0, 7] }`.',
} as const satisfies OptionDescriptor;

export const weightDecay = {
  kind: 'number',
  grid: true,
  min: 0,
  default: 0,
  noun: 'weight decay',
  doc: 'Weight decay values to search (>= 0). L2 added to the gradient.',
  markdown: "Weight decay values to search (each ≥ 0). L2, added to the gradient before the optimizer's scaling.",
} as const satisfies OptionDescriptor;

export const clipNorm = { kind: 'number', min: 0, minExclusive: true, doc: 'Clip the gradient to this global norm first.' } as const satisfies OptionDescriptor;

export const ema = { kind: 'number', ...unit, doc: 'Evaluate on an exponential moving average of the iterates with this decay.' } as const satisfies OptionDescriptor;

export const schedule = { kind: 'schedule', doc: 'Learning-rate schedule around learningRate.' } as const satisfies OptionDescriptor;

export const momentum = {
  kind: 'number',
  grid: true,
  ...unit,
  doc: 'Momentum values to search, each in [0, 1).',
  markdown: 'Momentum values to search, each in [0, 1).',
} as const satisfies OptionDescriptor;

export const eps = { kind: 'number', min: 0, default: 1e-8, doc: 'Epsilon of the denominator.' } as const satisfies OptionDescriptor;

/** What the first-order optimizers share, in schema order after their own grids. */
export const firstOrderTail = { clipNorm, ema, schedule } as const;
