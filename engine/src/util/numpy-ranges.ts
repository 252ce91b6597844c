// numpy's linspace, logspace and geomspace, with numpy's arithmetic, so that grids and bin edges
// equal the reference notebook's to the last bit (the step counts depend on them).

/** numpy.linspace(start, stop, num): start + i * step, the last value exactly stop. */
export function linspace(start: number, stop: number, num: number): number[] {
  if (num <= 0) return [];
  if (num === 1) return [start];
  const step = (stop - start) / (num - 1);
  const out = new Array<number>(num);
  for (let i = 0; i < num; i++) out[i] = i * step + start;
  out[num - 1] = stop;
  return out;
}

/** numpy.logspace(a, b, num) = 10 ** linspace(a, b, num) (so logspace(-5, ...)[0] is 10 ** -5, as numpy's). */
export function logspace(start: number, stop: number, num: number): number[] {
  return linspace(start, stop, num).map((e) => Math.pow(10, e));
}

/** numpy.geomspace(start, stop, num) for positive endpoints; numpy sets both endpoints exactly. */
export function geomspace(start: number, stop: number, num: number): number[] {
  const out = logspace(Math.log10(start), Math.log10(stop), num);
  out[0] = start;
  out[num - 1] = stop;
  return out;
}
