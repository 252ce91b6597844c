// Section 6's infinite-width quantities: the Gram G^inf (built in models/relu2.ts next to the
// model it describes) and its smallest eigenvalue lambda_0, the constant of the NGD and GD
// convergence theorems (GD's step and rate depend on it, NGD's rate does not).
import { symmetricEigenvalues } from '../../linalg';
import { infiniteWidthGram } from '../../models/relu2';

export { infiniteWidthGram };

/** lambda_0 = lambda_min(G^inf) for the n rows of x (n x d, row-major). */
export function lambda0(x: ArrayLike<number>, n: number, d: number): number {
  return symmetricEigenvalues(infiniteWidthGram(x, n, d), n)[0];
}
