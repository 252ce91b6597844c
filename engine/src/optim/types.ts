// The composable optimizer interface (optax's GradientTransformation on tfjs tensors).
//
// An optimizer is a transform of gradients into updates that are ADDED to the parameters (so a
// descent step is a negative update), with explicit, plain-data state:
//
//   const tx = chain(clipByGlobalNorm(1), scaleByAdam(), scaleByLearningRate(1e-3));
//   let state = tx.init(params);
//   const { updates, state: next, stats } = tx.update(grads, state, params, extras);
//   state = next;                        // the old state must not be used again (see update)
//   params = applyUpdates(params, updates);
//
// A transform declares what it needs beyond the gradient (`needs`); the training loop collects
// only what the composed chain asks for and hands it over in `extras`. Curvature optimizers
// (K-FAC, KFC, natural gradient) plug in here: they ask for layer statistics, curvature-vector
// products or the loss, and report their internals (damping, rho, ...) as stats.
import type * as tf from '@tensorflow/tfjs';
import type { LayerTap, Params } from '../models/types';

// Parameters and layer taps are the models' vocabulary (models/types.ts); optimizers speak it.
export type { LayerTap, Params };

/**
 * A leaf of optimizer state. Float64Array is for host-side float64 data (K-FAC's factors and
 * inverses are computed in TypeScript float64, see docs/engine-notes.md, defect 4).
 */
export type StateLeaf = tf.Tensor | Float64Array | number | string | boolean | null;

/**
 * Optimizer state: plain data (tensors, Float64Arrays, numbers, strings, booleans, null, arrays
 * and objects of them), so it can be checkpointed (serializeState), plotted and disposed (disposeState).
 * Object keys must not start with "$" (reserved by the serialized form).
 */
export type State = StateLeaf | State[] | { [key: string]: State };

/**
 * What a transform needs beyond the gradient. The training loop provides exactly the union of
 * what the chain asks for (chain() merges the needs of its parts), in `Extras`.
 */
export interface Needs {
  /** The minibatch loss at `params`, as `extras.loss` (damping adaptation, line search). */
  loss?: boolean;
  /**
   * A loss evaluator on the same minibatch at other parameters, as `extras.lossAt` (K-FAC's
   * reduction ratio rho, line search).
   */
  lossAt?: boolean;
  /**
   * Per-layer statistics of the registered layers, as `extras.layerStats` (K-FAC, KFC).
   * true: output gradients of the training loss (empirical Fisher); 'sampled': output gradients
   * of the loss with targets sampled from the model's predictive distribution (true Fisher).
   */
  layerStats?: boolean | 'sampled';
  /**
   * With layerStats 'sampled': compute the taps on the first ceil(fraction * batch) examples only
   * (K-FAC's tau1 subset, which saves most of the second backward pass). In (0, 1]; default 1.
   */
  layerStatsFraction?: number;
  /**
   * Never fewer examples than this in the layerStatsFraction and outputSpaceFraction subsets (the
   * whole minibatch when it is smaller): a fraction of a small batch leaves too few rows for
   * usable curvature statistics. Default 1.
   */
  subsetMinRows?: number;
  /** Jacobian-vector products of the (joint) gradient field, as `extras.jvp` (SGA, consensus). */
  jvp?: boolean;
  /** Vector-Jacobian products of the gradient field, as `extras.vjp` (SGA: H^T xi). */
  vjp?: boolean;
  /**
   * Curvature-vector products (Fisher = GGN for the usual losses, J^T F_R J v) at `params`, as
   * `extras.curvatureProduct` (K-FAC's exact quadratic model, CG natural gradient).
   */
  curvatureProduct?: boolean;
  /**
   * Output-space access to the network Jacobian J = d(output)/d(params) on the minibatch, as
   * `extras.outputSpace` (K-FAC's exact quadratic model through J d, exact natural gradient in the
   * n x n output space, Gram matrices).
   */
  outputSpace?: boolean;
  /**
   * With outputSpace: build it on the first ceil(fraction * batch) examples only (K-FAC's tau2
   * subset for the exact quadratic model), the same rows of the inputs, targets and output; its
   * H_L is then the Hessian of the mean loss over those rows. In (0, 1]; default 1. With
   * curvatureProduct in the same chain the loop keeps the whole minibatch (fraction 1).
   */
  outputSpaceFraction?: number;
  /**
   * The training loop's global step, as `extras.step`. Transforms that count their own updates
   * (schedules, Adam's bias correction) keep the count in their state and do not need it.
   */
  step?: boolean;
}

/**
 * The network's Jacobian J = d(output)/d(params) at the current params on the minibatch, used
 * through products, and the loss's output-space curvature H_L (= the output-space Fisher F_R for
 * the engine's losses). Every tensor returned by a callback is fresh and owned by the caller;
 * `output` and `lossGrad` are borrowed.
 */
export interface OutputSpace {
  /** The model output [batch, ...] (logits or predictions). */
  output: tf.Tensor;
  /** d(mean minibatch loss)/d(output), output-shaped. */
  lossGrad: tf.Tensor;
  /** J v: output-shaped. */
  jvp(v: Params): tf.Tensor;
  /** J^T u for an output-shaped u: parameter-shaped. */
  vjp(u: tf.Tensor): Params;
  /**
   * H_L z for an output-shaped z, where H_L is the Hessian of the MEAN minibatch loss with respect
   * to the output (so it includes the 1/batch): (Jv)^T curvature(Jv) = v^T G v with G the GGN.
   */
  curvature(z: tf.Tensor): tf.Tensor;
}

/**
 * What the training loop provides beyond the gradient: the fields asked for in `Needs`, plus
 * `stats`. Tensors in extras (and the tensors the callbacks return) follow the same rules as
 * gradients: extras' own tensors are borrowed; a callback's result belongs to the transform.
 */
export interface Extras {
  loss?: number;
  lossAt?: (params: Params) => number;
  layerStats?: Record<string, LayerTap>;
  jvp?: (tangents: Params) => Params;
  vjp?: (cotangents: Params) => Params;
  curvatureProduct?: (vector: Params) => Params;
  outputSpace?: OutputSpace;
  step?: number;
  /**
   * Whether to compute stats that need a device read (norms). Default true; a loop that logs
   * every k steps passes false on the others. Free stats (the learning rate) are always reported.
   */
  stats?: boolean;
}

export interface UpdateResult<S extends State = State> {
  /** What to add to the parameters. Fresh tensors owned by the caller. */
  updates: Params;
  /** The new state. Owns its tensors. */
  state: S;
  /** Scalar statistics worth streaming as metrics (chain() prefixes them with the transform's name). */
  stats?: Record<string, number>;
}

/**
 * An optimizer building block. Tensor ownership:
 *  - `init` returns a state that owns all its tensors (it never holds the params' own tensors).
 *  - `update` BORROWS `grads`, `params` and `extras` (never disposes or keeps them) and CONSUMES
 *    `state`: tensors of the old state are either carried into the new state or disposed, so
 *    after the call only the returned state is valid. The returned `updates` are fresh tensors
 *    (never one of the inputs) owned by the caller.
 *  - `disposeState(state)` frees a state that is no longer needed.
 */
export interface GradientTransformation<S extends State = State> {
  /** Short snake_case name; prefixes its stats inside a chain. */
  readonly name: string;
  /** What the update needs beyond the gradient. */
  readonly needs: Needs;
  /**
   * Must be the last transform of a chain because it looks at the final updates (EMA of
   * iterates evaluates params + updates). chain() enforces it.
   */
  readonly terminal?: boolean;
  /**
   * Updates at the start that only gather statistics and leave the parameters where they are
   * (K-FAC's burn-in). The loop runs them before its first step and does not count them as
   * steps: steps to a target count updates that move the parameters (kfac-jax does the same).
   */
  readonly warmupSteps?: number;
  init(params: Params): S;
  update(grads: Params, state: S, params: Params, extras: Extras): UpdateResult<S>;
  /**
   * The parameters to evaluate with, when they differ from the iterate (EMA of iterates):
   * tensors borrowed from the state (valid until the next update). Undefined: use the params.
   */
  averaged?(state: S): Params | undefined;
}

/** A learning rate (or any scalar) as a pure function of the step count 0, 1, 2, ... */
export type Schedule = (step: number) => number;
