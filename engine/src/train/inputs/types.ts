// What a provider of optimizer inputs sees of one training step, and what it is.
import type * as tf from '@tensorflow/tfjs';
import type { GradientsResult } from '../../models/taps';
import type { Model } from '../../models/types';
import type { NeedName } from '../../optim/needs';
import type { Extras, Needs, Params } from '../../optim/types';

/** One step's minibatch and main pass, as the loop hands it to the providers. */
export interface StepInputs {
  model: Model;
  params: Params;
  /** The minibatch inputs, the loss targets and the model's output from the main pass (borrowed). */
  x: tf.Tensor;
  target: tf.Tensor;
  output: tf.Tensor;
  /** Examples in the minibatch. */
  rows: number;
  /** The main pass: loss, gradients and (with empirical layerStats) the taps. */
  main: GradientsResult;
  /** The minibatch loss, read from the device. */
  loss: number;
  /** The loop's global step (before this update) and its seed. */
  step: number;
  seed: number;
  /** What the optimizer chain asks for (merged). */
  needs: Needs;
  /** Registers tensors to dispose with the step's other tensors; returns the first. */
  own<T extends tf.Tensor>(t: T, ...more: tf.Tensor[]): T;
  /** Work that several providers share (computed once per step). */
  shared<T>(key: string, make: () => T): T;
}

/** Computes one need's field of Extras for a step. Tensors it creates go through `own`. */
export interface InputProvider<K extends NeedName> {
  provide(s: StepInputs): NonNullable<Extras[K]>;
}
