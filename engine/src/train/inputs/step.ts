// step: the loop's global step (transforms that count their own updates do not need it).
import type { InputProvider } from './types';

export const step: InputProvider<'step'> = { provide: (s) => s.step };
