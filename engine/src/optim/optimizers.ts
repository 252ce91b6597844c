// Ready-made optimizers, each a chain of transforms that reports streamable stats (the factory from
// an experiment-file-like spec is factory.ts, the list of types optim/registry).
//
// Every optimizer is the chain
//   grad norm -> [clip] -> [L2 weight decay] -> core -> scale by -lr(step) -> update norm -> [EMA]
// with stats (chain prefixes): grad/global_norm, update/global_norm,
// scale_by_learning_rate/learning_rate, and clip_by_global_norm/{global_norm, clipped} when clipping.
import { chain, type ChainState } from './base';
import {
  addDecayedWeights,
  clipByGlobalNorm,
  emaOfParams,
  scaleByAdam,
  scaleByLearningRate,
  scaleByRms,
  trackGlobalNorm,
  traceMomentum,
} from './transforms';
import type { GradientTransformation, Schedule, State } from './types';

/** Options every ready-made optimizer takes. */
export interface CommonOptions {
  /** Clip the gradient to this global norm first. */
  clipNorm?: number;
  /**
   * L2 weight decay added to the gradient before the optimizer's own scaling (PyTorch's
   * `weight_decay` for SGD, Adam and RMSProp). adamw's decay is the decoupled one instead.
   */
  weightDecay?: number;
  /** Which parameters weight decay applies to (default all). */
  weightDecayMask?: (name: string) => boolean;
  /** Decay of the EMA of iterates to evaluate on (see emaOfParams). */
  ema?: number;
}

export type Optimizer = GradientTransformation<ChainState>;

function build(name: string, core: GradientTransformation<State>[], learningRate: number | Schedule, opts: CommonOptions): Optimizer {
  const parts: GradientTransformation<State>[] = [trackGlobalNorm('grad')];
  if (opts.clipNorm !== undefined) parts.push(clipByGlobalNorm(opts.clipNorm));
  if (opts.weightDecay) parts.push(addDecayedWeights(opts.weightDecay, { mask: opts.weightDecayMask }));
  parts.push(...core, scaleByLearningRate(learningRate), trackGlobalNorm('update'));
  if (opts.ema !== undefined) parts.push(emaOfParams(opts.ema));
  return chain(...parts, { name });
}

/** Plain SGD: x <- x - lr g. */
export function sgd(learningRate: number | Schedule, opts: CommonOptions = {}): Optimizer {
  return build('sgd', [], learningRate, opts);
}

/** Heavy-ball (or Nesterov) momentum: v <- m v + g; x <- x - lr v (Nesterov: x <- x - lr (g + m v)). */
export function momentum(learningRate: number | Schedule, m = 0.9, opts: CommonOptions & { nesterov?: boolean } = {}): Optimizer {
  return build(opts.nesterov ? 'nesterov' : 'momentum', [traceMomentum(m, { nesterov: opts.nesterov })], learningRate, opts);
}

/** Adam with bias correction. */
export function adam(learningRate: number | Schedule, b1 = 0.9, b2 = 0.999, eps = 1e-8, opts: CommonOptions = {}): Optimizer {
  return build('adam', [scaleByAdam(b1, b2, eps)], learningRate, opts);
}

/**
 * AdamW (Loshchilov & Hutter 2019): x <- x - lr (adam(g) + wd x), the decay decoupled from the
 * adaptive scaling (optax and PyTorch semantics: the decay is multiplied by lr).
 */
export function adamw(
  learningRate: number | Schedule,
  b1 = 0.9,
  b2 = 0.999,
  eps = 1e-8,
  weightDecay = 1e-4,
  opts: Omit<CommonOptions, 'weightDecay'> = {},
): Optimizer {
  return build('adamw', [scaleByAdam(b1, b2, eps), addDecayedWeights(weightDecay, { mask: opts.weightDecayMask })], learningRate, { ...opts, weightDecay: undefined });
}

/**
 * RMSProp (PyTorch form): nu <- decay nu + (1 - decay) g^2; with momentum m,
 * buf <- m buf + g / (sqrt(nu) + eps), x <- x - lr buf; without, x <- x - lr g / (sqrt(nu) + eps).
 */
export function rmsprop(
  learningRate: number | Schedule,
  decay = 0.9,
  eps = 1e-8,
  opts: CommonOptions & { momentum?: number; nesterov?: boolean } = {},
): Optimizer {
  const core: GradientTransformation<State>[] = [scaleByRms(decay, eps)];
  if (opts.momentum) core.push(traceMomentum(opts.momentum, { nesterov: opts.nesterov }));
  return build('rmsprop', core, learningRate, opts);
}
