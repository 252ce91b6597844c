// An 8x8 digits set for the small convolutional experiments (science-spec E4 asks for sklearn's
// 8x8 digits, which is not available offline): MNIST cropped to its central 24x24 pixels (2 pixels
// off each border, which are almost always blank) and average-pooled over 3x3 blocks to 8x8.
import { type ExampleTransform, type ImageLoadOptions, type ImageSetResult, loadIdxDataset, mnistFiles } from './mnist.js';

const CROP = 2;
const BLOCK = 3;
const OUT = 8;

/** The 28x28 -> crop 24x24 -> 3x3 mean -> 8x8 transform (one channel). */
export const MNIST_TO_8X8: ExampleTransform = {
  accepts: [28, 28, 1],
  shape: [OUT, OUT, 1],
  apply(src, srcOffset, dst, dstOffset, scale) {
    const w = scale / (BLOCK * BLOCK);
    for (let r = 0; r < OUT; r++) {
      for (let c = 0; c < OUT; c++) {
        let s = 0;
        for (let i = 0; i < BLOCK; i++) {
          const row = srcOffset + (CROP + r * BLOCK + i) * 28 + CROP + c * BLOCK;
          for (let j = 0; j < BLOCK; j++) s += src[row + j];
        }
        dst[dstOffset + r * OUT + c] = s * w;
      }
    }
  },
};

/**
 * MNIST at 8x8 (the same examples as loadMnist with the same trainSize, testSize and seed).
 * 'unit' values are block means of pixel / 255, in [0, 1]; flatten (default true) gives [64].
 */
export function loadMnist8x8(options: ImageLoadOptions & { dir?: string } = {}): ImageSetResult {
  const { dir, ...rest } = options;
  return loadIdxDataset(mnistFiles(dir), rest, MNIST_TO_8X8);
}
