// Every size limit an experiment file is held to, in one place, each with why that number. A file
// over a limit is an ExperimentError naming the JSON path and the limit, before anything is
// allocated or written. Browser-safe: the extension checks files with the same numbers.

/**
 * Largest experiment file (bytes of the file; UTF-16 code units of an editor buffer). The examples
 * are under 2 KB and even a long hand-written list of grid values stays far below; the locating
 * parser and ajv keep the parsed document in memory, and the extension runs them on its main thread
 * on every edit, so a 50 MB file must be refused before it is parsed.
 */
export const MAX_EXPERIMENT_FILE_BYTES = 1024 * 1024;

/**
 * Deepest JSON nesting (objects and arrays) an experiment file may have. The schema's deepest path
 * is about 6 levels (/problem/model/layers/0/...); 64 leaves room for any model spec while keeping the
 * recursive parser and validator far from the JavaScript stack limit.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * Largest NQM dimension d. Building the model allocates the spectrum h_1..h_d (8 bytes each) even
 * when it is then binned: measured 82 MB of RSS at d = 1e7 with 100 bins (8.2 bytes per dimension),
 * 245 MB at 3e7. d = 1e9 would need 8 GB before binning (23 GB with bins 0, then the kernel kills it).
 * The reference study uses d = 1e4.
 */
export const MAX_NQM_DIM = 10_000_000;

/**
 * Most NQM modes one worker computes with: d when unbinned (bins 0 or bins >= d), else bins. Each mode
 * costs about 75 bytes per worker (model, preconditioner, compiled loss terms): measured 75 MB of RSS
 * at 1e6 unbinned modes, 217 MB at 3e6, per worker thread, and every grid point evaluates all modes.
 */
export const MAX_NQM_MODES = 1_000_000;

/**
 * Most batch sizes per file. Each batch size is one run folder per optimizer (NQM) or one trial per
 * grid point (neural); the reference studies use 10 to 20. 10^6 batch sizes once left 19,982 run
 * folders behind before failing.
 */
export const MAX_BATCH_SIZES = 64;

/**
 * Most optimizer entries per file. The reference studies compare 4 to 6; each entry is a table, a
 * fit and a curve per batch size. Checked before the schema: ajv reports every problem of every
 * entry, and 20,000 entries that are not optimizers took 8 s to list.
 */
export const MAX_OPTIMIZERS = 64;

/** Most grid points (the product of one optimizer entry's grids); NQM and neural alike. */
export const MAX_GRID_POINTS = 100_000;

/**
 * Most NQM grid evaluations in one file: grid points x batch sizes, summed over optimizers. The
 * reference study (6 optimizers, 10 batch sizes, up to 2,000 points) makes 66,000, a few minutes on
 * two cores; 2,000,000 is 30 times that, hours, still finite.
 */
export const MAX_NQM_EVALUATIONS = 2_000_000;

/**
 * Most neural trials in one file: grid points x batch sizes, summed over optimizers. Each trial is a
 * training run with its own run folder; 20,000 is days of training on a workstation.
 */
export const MAX_NEURAL_TRIALS = 20_000;

/**
 * Most problems one error lists: a file with a million bad values must not make a million-line
 * message (or a million squiggles in the editor); the first ones say what to fix.
 */
export const MAX_REPORTED_ISSUES = 50;
