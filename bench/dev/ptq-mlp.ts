// The accuracy runner's MLP for the PTQ dev experiments (ptq-error.ts, ptq-int4.ts): trained once as
// bench/accuracy/quant.ts trains it (seed 0, 10 epochs: 88.00%) and cached in the OS temp dir.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as st from '../../src/index.js';
import { data, train } from '../accuracy/common.js';
import { mlp } from '../accuracy/dense.js';

const CACHE = join(tmpdir(), 'slimtensor-ptq-mlp.safetensors');

export async function trainedMlp(): Promise<st.Sequential> {
  await st.init();
  st.seed(0);
  const model = mlp();
  if (existsSync(CACHE)) model.loadStateDict(st.loadSafetensors(readFileSync(CACHE)).tensors);
  else {
    await train(model, { epochs: 10 });
    writeFileSync(CACHE, st.saveSafetensors(model.stateDict()));
  }
  return model;
}

/** The first `n` training images as f32 [n·784] in [0, 1] (the runner's calibration set for n = 2048). */
export async function trainImages(n: number): Promise<Float32Array> {
  const { train: tr } = await data();
  return Float32Array.from((tr.images.data as Uint8Array).subarray(0, n * 784), (v) => v / 255);
}

/** The 10,000 test images as f32 [10000·784] and their labels. */
export async function testSet(): Promise<{ x: Float32Array; y: Uint8Array }> {
  const { test } = await data();
  return { x: Float32Array.from(test.images.data as Uint8Array, (v) => v / 255), y: test.labels.data as Uint8Array };
}
