// The templates of "OptLab: New Experiment", as data. Each is a complete, valid experiment file
// (the unit tests validate every one with the engine's loader).
import type { ExperimentFile } from '../../../engine/src';
// The shipped neural examples are templates as they are (bundled as data by esbuild).
import mnistExample from '../../../examples/mnist-critical-batch.optlab.json';
import kfacAutoencoderExample from '../../../examples/kfac-autoencoder.optlab.json';
import kfcConvnetExample from '../../../examples/kfc-convnet.optlab.json';
import ngdExample from '../../../examples/ngd-overparameterized.optlab.json';
import quickExample from '../../../examples/quick-critical-batch.optlab.json';

/** An example file as a template experiment (its `$schema` is relative to examples/, so it is dropped). */
function fromExample(example: unknown): ExperimentFile {
  const { $schema: _schema, ...rest } = example as ExperimentFile;
  return rest;
}

export interface ExperimentTemplate {
  id: string;
  label: string;
  /** One line under the label in the quick pick. */
  detail: string;
  /** Suggested file name (without folder). */
  fileName: string;
  /** How long it takes on a 2-core machine, shown in the quick pick. */
  cost: string;
  experiment: ExperimentFile;
}

const NQM_PROBLEM = { type: 'nqm', dim: 10000, exponent: 1, bins: 100, noise: { power: 1, scale: 1 }, initVariance: 1 } as const;

export const TEMPLATES: readonly ExperimentTemplate[] = [
  {
    id: 'nqm-critical-batch',
    label: 'NQM: critical batch size study (Zhang et al. 2019)',
    detail: 'SGD with preconditioning p = 0, 0.25, 0.5, 0.75, heavy-ball momentum and EMA, each tuned per batch size at B = 2^2..2^20: the paper\'s figure and its findings',
    fileName: 'nqm-critical-batch.optlab.json',
    cost: '60 runs, about 5 s',
    experiment: {
      name: 'nqm-critical-batch',
      description:
        "Noisy quadratic model study of Zhang et al. 2019, 'Which Algorithmic Choices Matter at Which Batch Sizes?' (arXiv:1907.04164): steps to reach loss 0.01 against batch size for SGD with preconditioning powers 0, 0.25, 0.5 and 0.75, heavy-ball momentum and an exponential moving average of the iterates, each with its learning rate (and momentum or decay) tuned per batch size on the reference notebook's grids.",
      problem: { ...NQM_PROBLEM, noise: { ...NQM_PROBLEM.noise } },
      target: { metric: 'loss', value: 0.01 },
      batchSizes: { powersOf2: { from: 2, to: 20, step: 2 } },
      optimizers: [
        { label: 'SGD', type: 'sgd', precondition: 0, learningRate: { logspace: [-5, 0.5, 100] } },
        { label: 'SGD p=0.25', type: 'sgd', precondition: 0.25, learningRate: { logspace: [-5, 0.5, 100] } },
        { label: 'SGD p=0.5', type: 'sgd', precondition: 0.5, learningRate: { logspace: [-5, 0.5, 100] } },
        { label: 'SGD p=0.75', type: 'sgd', precondition: 0.75, learningRate: { logspace: [-5, 0.5, 100] } },
        { label: 'Momentum', type: 'momentum', precondition: 0, learningRate: { logspace: [-8, 1, 100] }, momentum: { oneMinusLogspace: [-5, 0, 20] } },
        { label: 'EMA', type: 'ema', precondition: 0, learningRate: { logspace: [-8, 1, 100] }, decay: { oneMinusLogspace: [-5, 0, 20] } },
      ],
      logPoints: 200,
      seed: 0,
    },
  },
  {
    id: 'nqm-preconditioning',
    label: 'NQM: preconditioning quick look',
    detail: 'SGD with P = H^-p for p = 0, 0.5 and 1 at B = 2^0..2^20: how far each scales before the critical batch size',
    fileName: 'nqm-preconditioning.optlab.json',
    cost: '33 runs, under a second',
    experiment: {
      name: 'nqm-preconditioning',
      description: 'Steps to loss 0.01 against batch size for SGD with increasingly strong preconditioning on the noisy quadratic model: better preconditioners reach the target in fewer steps and keep scaling to larger batches.',
      problem: { ...NQM_PROBLEM, noise: { ...NQM_PROBLEM.noise } },
      target: { metric: 'loss', value: 0.01 },
      batchSizes: { powersOf2: { from: 0, to: 20, step: 2 } },
      optimizers: [
        { label: 'SGD', type: 'sgd', precondition: 0 },
        { label: 'SGD p=0.5', type: 'sgd', precondition: 0.5 },
        { label: 'SGD p=1', type: 'sgd', precondition: 1 },
      ],
      logPoints: 100,
    },
  },
  {
    id: 'nqm-momentum-ema',
    label: 'NQM: momentum and EMA against SGD',
    detail: 'Heavy-ball momentum and an exponential moving average of the iterates against plain SGD at B = 2^4..2^16',
    fileName: 'nqm-momentum-ema.optlab.json',
    cost: '15 runs, a few seconds',
    experiment: {
      name: 'nqm-momentum-ema',
      description: 'Momentum helps only at large batch sizes, EMA only at small ones (Zhang et al. 2019, section 4).',
      problem: { ...NQM_PROBLEM, noise: { ...NQM_PROBLEM.noise } },
      target: { metric: 'loss', value: 0.01 },
      batchSizes: { powersOf2: { from: 4, to: 16, step: 3 } },
      optimizers: [
        { label: 'SGD', type: 'sgd' },
        { label: 'Momentum', type: 'momentum', learningRate: { logspace: [-8, 1, 50] }, momentum: { oneMinusLogspace: [-5, 0, 10] } },
        { label: 'EMA', type: 'ema', learningRate: { logspace: [-8, 1, 50] }, decay: { oneMinusLogspace: [-5, 0, 10] } },
      ],
      logPoints: 100,
    },
  },
  {
    id: 'quick-critical-batch',
    label: 'Neural: quick critical batch size (MLP on MNIST)',
    detail: 'SGD, heavy-ball momentum, Adam and K-FAC on an MLP 784-64-10 trained on 10,000 MNIST digits to 93% test accuracy, each tuned per batch size at B = 16..4096, 3 seeds (a bootstrap interval for each B_crit)',
    fileName: 'quick-critical-batch.optlab.json',
    cost: '255 training runs (85 per seed, 3 seeds), 14 min of CPU time: about 7 minutes on 2 idle cores, longer on a busy machine',
    experiment: fromExample(quickExample),
  },
  {
    id: 'mnist-critical-batch',
    label: 'Neural: MNIST critical batch size study',
    detail: 'SGD, heavy-ball momentum, Adam and K-FAC on an MLP 784-128-10 on all 60,000 MNIST digits to 95% test accuracy, B = 16, 32, ..., 4096',
    fileName: 'mnist-critical-batch.optlab.json',
    cost: '153 training runs, about 9 minutes',
    experiment: fromExample(mnistExample),
  },
  {
    id: 'kfac-autoencoder',
    label: 'Curvature: K-FAC vs momentum vs Adam on a deep autoencoder (E3)',
    detail: 'Adaptive K-FAC (step, momentum and damping from its quadratic model) against tuned SGD-momentum and Adam on a 64-32-8-32-64 tanh autoencoder, full batch, to 0.003x the initial loss; rho and damping stream live',
    fileName: 'kfac-autoencoder.optlab.json',
    cost: '12 training runs, under 2 minutes',
    experiment: fromExample(kfacAutoencoderExample),
  },
  {
    id: 'kfc-convnet',
    label: 'Curvature: KFC vs momentum on a small conv net (E4)',
    detail: 'K-FAC for convolutions (Omega and Gamma from im2col patches) against tuned SGD-momentum on a 2-conv-layer net on 8x8 digits',
    fileName: 'kfc-convnet.optlab.json',
    cost: '8 training runs, about a minute',
    experiment: fromExample(kfcConvnetExample),
  },
  {
    id: 'ngd-overparameterized',
    label: 'Curvature: natural gradient on an overparameterized ReLU net (E6)',
    detail: 'Exact natural gradient (eta = 1 and 0.5) against gradient descent on the 2-layer ReLU net of Zhang, Martens & Grosse (m = 4096, n = 32): residual and Gram eigenvalue streamed live',
    fileName: 'ngd-overparameterized.optlab.json',
    cost: '3 training runs, a few seconds',
    experiment: fromExample(ngdExample),
  },
];

/** A file name in `existing` is taken: "x.optlab.json" -> "x-2.optlab.json", "x-3...", ... */
export function uniqueFileName(fileName: string, existing: ReadonlySet<string>): string {
  if (!existing.has(fileName)) return fileName;
  const m = /^(.*?)(\.optlab\.json)$/i.exec(fileName);
  const [stem, ext] = m ? [m[1], m[2]] : [fileName, ''];
  for (let i = 2; ; i++) {
    const candidate = `${stem}-${i}${ext}`;
    if (!existing.has(candidate)) return candidate;
  }
}

/** The experiment with its name matching the file name chosen (runs are named after it). */
export function instantiate(template: ExperimentTemplate, fileName: string): ExperimentFile {
  const name = fileName.replace(/\.optlab\.json$/i, '');
  return { ...structuredClone(template.experiment), name };
}
