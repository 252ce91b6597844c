// Float64 dense linear algebra for the curvature optimizers (K-FAC, KFC, natural gradient): tfjs has none.
// Matrices are row-major Float64Array, square n x n unless stated. Inputs are never modified.
// Contracts (details on each function):
//   cholesky: lower L with a = L L^T, reads the lower triangle, throws LinalgError naming the failing pivot;
//   spdInverse: via Cholesky, exactly symmetric result; solve: LU with partial pivoting, throws on singular;
//   symmetricEigen: values ascending, COLUMN j of the row-major `vectors` is the eigenvector of values[j];
//   conditionNumber: lambda_max / lambda_min, Infinity when lambda_min <= 0;
//   InverseService: spdInverse / symmetricEigen jobs on a worker thread, collected synchronously with wait().
export { LinalgError } from './errors';
export { identity, matmul, transpose, trace, addDiagonal, symmetrize } from './basic';
export { cholesky, choleskySolve, spdInverse } from './cholesky';
export { solve } from './lu';
export { symmetricEigen, symmetricEigenvalues, conditionNumber, extremeEigenvalues, type SymmetricEigen } from './eigen';
export { largestEigenvalue } from './power';
export { runInverseJob } from './inverse-jobs';
export { InverseService, type InverseJob, type InverseTicket, type InverseServiceOptions } from './inverse-worker';
