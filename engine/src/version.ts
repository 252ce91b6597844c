// The engine's identity, recorded in every run.
import pkg from '../../package.json';

export const ENGINE_VERSION: string = pkg.version;
