// What one optimizer type is, as data: its options (with ranges, defaults and docs), its NQM
// family for predictions, the extras it may ask the training loop for, and its builder. The
// registry (./index.ts) lists the descriptors; the factory (optim/factory.ts), the experiment-file
// tables (experiment/neural.ts), the NQM prediction (sweep/prediction.ts) and the JSON Schema
// (scripts/gen-schema.ts) are all derived from it.
//
// This file and the descriptors import no TensorFlow.js (the experiment-file checks run without
// it): a builder gets the transforms it composes through its `tk` argument (./toolkit.ts).
import type { NeedName } from '../needs';
import type { GradientTransformation, Schedule, State } from '../types';
import type * as Toolkit from './toolkit';

/** An option's value kind in specs and experiment files. */
export type OptionKind = 'number' | 'integer' | 'boolean' | 'enum' | 'schedule';

export interface OptionDescriptor {
  kind: OptionKind;
  /** May be a grid of values in an experiment file (searched: one trial per value). */
  grid?: boolean;
  /** Range of numbers (and of each grid value). */
  min?: number;
  max?: number;
  minExclusive?: boolean;
  maxExclusive?: boolean;
  /** kind 'enum': the allowed strings. */
  values?: readonly string[];
  /** The value the builder applies when the option is absent (the schema states it). */
  default?: number | boolean | string;
  /** When the default is not one value ("ceil(inverseEvery / 2)"): what it is, in words. */
  defaultText?: string;
  /** One-line plain-text doc (schema `description`, hover). */
  doc: string;
  /** Richer Markdown doc for the editor (default: `doc`). */
  markdown?: string;
  /** Grids: the option's name in messages ("learning rate"); default the key. */
  noun?: string;
}

export type OptionTable = Readonly<Record<string, OptionDescriptor>>;

/** The value type of an option in a built spec. */
type ValueOf<D extends OptionDescriptor> = D['kind'] extends 'boolean'
  ? boolean
  : D['kind'] extends 'enum'
    ? D['values'] extends readonly (infer V)[]
      ? V
      : string
    : D['kind'] extends 'schedule'
      ? unknown
      : number;

/** Validated option values (undefined when absent and without a default). */
export type OptionValues<O extends OptionTable> = { [K in keyof O]: ValueOf<O[K]> | undefined };

/** The NQM stand-in an optimizer's critical-batch prediction uses (sweep/prediction.ts). */
export interface NqmFamilyDescriptor {
  family: 'sgd' | 'momentum';
  /** Preconditioning power p of the stand-in (P = H^-p). */
  precondition: number;
}

export type { NeedName } from '../needs';

export interface BuildContext {
  /** The learning rate with its schedule; undefined only where learningRate is optional and absent. */
  learningRate: Schedule | undefined;
  /** The spec as written (for options whose meaning depends on what was given). */
  raw: Readonly<Record<string, unknown>>;
  /** "optimizer \"kfac\"": prefix of error messages. */
  where: string;
}

export interface OptimizerDescriptor<T extends string = string, O extends OptionTable = OptionTable> {
  type: T;
  /** Default label in tables and charts ("Adam"). */
  label: string;
  doc: string;
  markdown: string;
  /**
   * 'required' (the default) or 'optional': absent means the optimizer chooses its own step
   * (K-FAC's adaptive mode); a schedule then is an error.
   */
  learningRate?: 'required' | 'optional';
  /** The options besides type and label, in the order of the schema and of the grid product. */
  options: O;
  nqm: NqmFamilyDescriptor;
  /** Every extra it may ask the loop for (its built `needs` are a subset, depending on options). */
  needs: readonly NeedName[];
  /** Editor snippet for a new entry of this type (schema defaultSnippets). */
  snippet?: { label: string; body: Record<string, unknown> };
  /** Builds the optimizer from validated options, defaults filled in. */
  build(o: OptionValues<O>, ctx: BuildContext, tk: typeof Toolkit): GradientTransformation<State>;
}

/** Keeps a descriptor's literal types (type name, option keys) for the derived unions. */
export function defineOptimizer<const T extends string, const O extends OptionTable>(d: OptimizerDescriptor<T, O>): OptimizerDescriptor<T, O> {
  return d;
}
