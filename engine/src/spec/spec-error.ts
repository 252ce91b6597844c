// The one error for a spec (an experiment file or a part of it: optimizer, model, initializer,
// dataset) that cannot be used as written. `pointer` (RFC 6901) says where, relative to the spec the
// thrower was given; a caller that knows where that spec sits in the file prefixes its own pointer
// (`under`), and experiment/json-locate.ts turns the result into a line and column.
export class SpecError extends Error {
  override name = 'SpecError';
  constructor(
    message: string,
    /** Where the problem is, relative to the checked spec ('' = the spec as a whole). */
    readonly pointer: string,
  ) {
    super(message);
  }

  /** The pointer of the problem in a document where the checked spec sits at `base`. */
  under(base: string): string {
    return base + this.pointer;
  }
}
