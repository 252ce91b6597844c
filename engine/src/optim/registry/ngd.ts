// Natural gradient / Gauss-Newton with Tikhonov damping (optim/natural-gradient): exact in output
// space for small networks, or by conjugate gradient. Defaults are NATURAL_GRADIENT_DEFAULTS.
import { NATURAL_GRADIENT_DEFAULTS as D } from '../natural-gradient/options';
import { learningRate, schedule } from './common';
import { defineOptimizer } from './descriptor';
import { CURVATURE_PRECONDITION } from './kfac';

export const ngd = defineOptimizer({
  type: 'ngd',
  label: 'NGD',
  doc: 'Natural gradient / Gauss-Newton with Tikhonov damping: exact in output space for small networks, or by conjugate gradient.',
  markdown:
    '**Natural gradient** (Fisher = generalized Gauss-Newton for the engine\'s losses) with Tikhonov damping λ: `method: "exact"` solves in the n × n output space (small networks; the 2-layer ReLU theorem of Zhang, Martens & Grosse 2019), `"cg"` by conjugate gradient on Fisher-vector products.',
  options: {
    learningRate: { ...learningRate, doc: 'Learning rates eta to search (> 0; required).', markdown: 'Learning rates η to search (each > 0; required). η = 1 is the full Gauss-Newton step.' },
    schedule,
    damping: { kind: 'number', grid: true, min: 0, default: D.damping, doc: 'Tikhonov damping lambda values to search (>= 0).', markdown: 'Tikhonov damping λ values to search (each ≥ 0).' },
    method: { kind: 'enum', values: ['exact', 'cg'], default: D.method, doc: "'exact': solve in output space (small networks); 'cg': conjugate gradient on Fisher-vector products." },
    cgIterations: { kind: 'integer', min: 1, default: D.cgIterations, doc: "Method 'cg': most conjugate-gradient iterations per step." },
    cgTolerance: { kind: 'number', min: 0, minExclusive: true, default: D.cgTolerance, doc: "Method 'cg': stop when the residual norm falls below this fraction of the gradient norm." },
  },
  nqm: { family: 'sgd', precondition: CURVATURE_PRECONDITION },
  needs: ['outputSpace', 'curvatureProduct'],
  snippet: { label: 'Natural gradient', body: { label: '${1:NGD}', type: 'ngd', method: '${2|exact,cg|}', learningRate: ['^${3:0.5}'], damping: ['^${4:0}'] } },
  build: ({ learningRate: _lr, schedule: _schedule, ...o }, { learningRate, raw }, tk) => tk.ngdFromSpec(o, learningRate!, raw),
});
