/// <reference types="node" />
// The demo's data: Fashion-MNIST when it is found, else the built-in synthetic set (synthetic.ts).
import { fashionMnist } from '../node/index.js';
import { CliError, oneLine } from './errors.js';
import { synthetic, type Split } from './synthetic.js';

export { synthetic };
export type { Split };

export interface Dataset { name: string; train: Split; test: Split; classes: number }

/** The built-in set: `train` and `test` samples from separate seeds. */
export function syntheticDataset(train = 12000, test = 2000): Dataset {
  return { name: `synthetic (built-in: ${train} train / ${test} test, 10 classes of 28×28 seeded patterns)`, train: synthetic(train, 1), test: synthetic(test, 2), classes: 10 };
}

/**
 * Fashion-MNIST from --data DIR (an error when missing there), else $FASHION_MNIST_DIR or
 * /usr/share/datasets/fashion-mnist, else the synthetic set (or always it with `forceSynthetic`).
 */
export async function demoDataset(dir: string | undefined, forceSynthetic: boolean): Promise<Dataset> {
  if (forceSynthetic) return syntheticDataset();
  if (dir !== undefined) delete process.env.FASHION_MNIST_DIR; // an explicit --data is the only place searched
  try {
    const fm = dir === undefined ? await fashionMnist() : await fashionMnist({ path: dir, systemDir: dir });
    return { name: 'Fashion-MNIST (60000 train / 10000 test)', train: { x: fm.train.images, y: fm.train.labels }, test: { x: fm.test.images, y: fm.test.labels }, classes: 10 };
  } catch (e) {
    if (dir !== undefined) throw new CliError(`--data: no Fashion-MNIST files in ${dir}: ${oneLine((e as Error).message).split(' Searched:')[0]}`);
    return syntheticDataset();
  }
}

/** The first `n` samples of a split (a view, no copy). */
export function take(split: Split, n: number): Split {
  const m = Math.min(n, split.x.shape[0]!);
  const per = split.x.shape.slice(1).reduce((a, b) => a * b, 1);
  return { x: { data: split.x.data.subarray(0, m * per), shape: [m, ...split.x.shape.slice(1)] }, y: { data: split.y.data.subarray(0, m), shape: [m] } };
}
