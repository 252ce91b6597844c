// loss: the minibatch loss at the current parameters (damping adaptation, line search).
import type { InputProvider } from './types';

export const loss: InputProvider<'loss'> = { provide: (s) => s.loss };
