// curvatureProduct: GGN (= Fisher for the engine's losses) times a vector, J^T H_L J v, on the
// whole minibatch (K-FAC's exact quadratic model, CG natural gradient).
import type { Params } from '../../optim/types';
import { ggnProduct } from '../output-space';
import { wholeBatchOutputSpace } from './output-space';
import type { InputProvider } from './types';

export const curvatureProduct: InputProvider<'curvatureProduct'> = {
  provide(s) {
    const full = wholeBatchOutputSpace(s);
    return (v: Params) => ggnProduct(full, v);
  },
};
