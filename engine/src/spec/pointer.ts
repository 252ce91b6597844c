// JSON pointers (RFC 6901): the one way every part of the engine names a place in an experiment
// file, e.g. /optimizers/2/learningRate. Option paths as factories write them ('schedule.decaySteps',
// 'conv[1].kernelSize') are converted here, once.

/** One key as a pointer segment: '~' -> '~0', '/' -> '~1'. */
export function escapeSegment(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** The pointer of a list of keys and indices ('' for none). */
export function pointerOf(segments: readonly (string | number)[]): string {
  return segments.map((s) => `/${escapeSegment(String(s))}`).join('');
}

/** 'conv[1].kernelSize' -> '/conv/1/kernelSize'; '' -> ''. */
export function optionPathToPointer(p: string): string {
  if (!p) return '';
  return pointerOf(p.replace(/\[(\d+)\]/g, '.$1').split('.').filter(Boolean));
}
