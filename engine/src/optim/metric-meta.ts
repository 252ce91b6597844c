// The stats every ready-made optimizer chain reports (optimizers.ts), declared for the views.
import type { MetricDeclaration } from '../metrics/meta';

export const OPTIMIZER_CHAIN_METRICS: readonly MetricDeclaration[] = [
  { key: 'grad/global_norm', kind: 'plain', doc: 'global norm of the minibatch gradient' },
  { key: 'update/global_norm', kind: 'plain', doc: 'global norm of the update' },
  { key: 'clip_by_global_norm/global_norm', kind: 'plain' },
  { key: 'clip_by_global_norm/clipped', kind: 'plain', doc: '1 when the gradient was clipped' },
];
