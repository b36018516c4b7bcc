// npm run test:browser: builds the browser example, serves it on 127.0.0.1 and drives it in headless
// Chromium (Debian's /usr/bin/chromium through playwright-core, both installed as test:runtimes
// does): train the demo model, compress it with int8 (then int4 and 90% pruning), check the table
// and the chart, download the int8 file and load it in Node (st.loadQuantized): its accuracy on the
// same held-out set must equal the page's figure. Saves a screenshot to build/browser.png. With
// --fashion, the run uses Fashion-MNIST ($FASHION_MNIST_DIR) picked in the page instead of the
// synthetic set (screenshot build/browser-fashion.png).
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as st from '../../src/index.js';
import { synthetic } from '../../src/cli/synthetic.js';
import { fashionMnist } from '../../src/node/index.js';
import { CHROMIUM, CHROMIUM_ARGS, dir, ensureChromium, ensureRuntimes, root, serveDir } from '../../scripts/runtimes-setup.mjs';
import { build } from './build.mjs';

const TIMEOUT_MS = 120_000;
/** --fashion: the whole run on Fashion-MNIST picked in the page (else the built-in synthetic set). */
const fashion = process.argv.includes('--fashion');
const FASHION = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'];
let failures = 0;
const check = (ok: boolean, what: string) => {
  if (!ok) failures++;
  console.log(`${ok ? '✓' : '✗'} ${what}`);
};

ensureRuntimes();
const chromiumError = ensureChromium();
if (chromiumError) throw new Error(chromiumError);
const out = await build();
const { server, url } = await serveDir(out);
const { chromium } = await import(pathToFileURL(join(dir, 'node_modules/playwright-core/index.mjs')).href);
const profile = join(dir, 'chromium-profile-browser-example');
const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, acceptDownloads: true, viewport: { width: 1000, height: 1100 } });
try {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e: Error) => errors.push(String(e)));
  page.on('console', (m: { type(): string; text(): string }) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(`${url}index.html`);
  await page.waitForSelector('body[data-ready=true]', { timeout: TIMEOUT_MS });

  /** Picks the four Fashion-MNIST files in the page (when $FASHION_MNIST_DIR has them); the worker parses them. */
  const pickFashion = async () => {
    const fm = process.env.FASHION_MNIST_DIR;
    if (!fm || !FASHION.every((n) => existsSync(join(fm, n)))) return false;
    await page.setInputFiles('#fashion', FASHION.map((n) => join(fm, n)));
    await page.waitForFunction(() => document.getElementById('dataName')!.textContent!.startsWith('Fashion-MNIST') || document.getElementById('error')!.textContent, null, { timeout: TIMEOUT_MS });
    check((await page.textContent('#dataName')) === 'Fashion-MNIST (60000 train / 10000 test)', `the picked Fashion-MNIST files load in the worker: ${await page.textContent('#dataName')}`);
    return true;
  };
  if (fashion && !(await pickFashion())) throw new Error('--fashion needs $FASHION_MNIST_DIR with the four .gz files');

  const run = async (button: string, row: string) => {
    const t0 = performance.now();
    let sawProgress = false;
    await page.click(`#${button}`);
    const poll = setInterval(() => void page.evaluate(() => (document.getElementById('progress') as HTMLProgressElement).value).then((v: number) => { if (v > 0 && v < 1) sawProgress = true; }).catch(() => {}), 50);
    try {
      await page.waitForFunction((name: string) => document.querySelector(`tr[data-name="${name}"]`) || document.getElementById('error')!.textContent, row, { timeout: TIMEOUT_MS });
    } finally {
      clearInterval(poll);
    }
    const error = await page.textContent('#error');
    if (error) throw new Error(`the page reports: ${error}`);
    return { ms: performance.now() - t0, sawProgress };
  };
  const cells = (name: string) => page.evaluate((n: string) => {
    const tr = document.querySelector(`tr[data-name="${n}"]`)!;
    return { bytes: Number(tr.querySelector('.bytes')!.textContent), accuracy: Number(tr.querySelector('.accuracy')!.textContent), latency: Number(tr.querySelector('.latency')!.textContent) };
  }, name);

  const trained = await run('train', 'f32');
  const f32 = await cells('f32');
  check(f32.bytes > 4 * (784 * 128 + 128 * 10) && f32.accuracy > 50 && f32.latency > 0, `f32 row: ${f32.bytes} bytes, ${f32.accuracy}% accuracy, ${f32.latency} ms at batch 1 (trained in ${Math.round(trained.ms)} ms)`);
  check(trained.sawProgress, 'the progress bar moved while training');
  const compressed = await run('compress', 'int8');
  const int8 = await cells('int8');
  check(int8.bytes > 0 && int8.bytes < f32.bytes / 3.5, `int8 row: ${int8.bytes} bytes, under f32/3.5 = ${Math.floor(f32.bytes / 3.5)} (${(f32.bytes / int8.bytes).toFixed(2)}× smaller; compressed in ${Math.round(compressed.ms)} ms)`);
  check(Math.abs(int8.accuracy - f32.accuracy) <= 3, `int8 accuracy ${int8.accuracy}% within 3 points of f32 ${f32.accuracy}%`);
  check(int8.latency > 0, `int8 batch-1 latency ${int8.latency} ms`);
  for (const [technique, row] of [['int4', 'int4'], ['prune90', 'prune 90%']] as const) {
    await page.check(`input[name=technique][value=${technique}]`);
    const t = await run('compress', row);
    const c = await cells(row);
    check(c.bytes > 0 && c.bytes < f32.bytes / 2.5 && c.accuracy > f32.accuracy - 10 && c.latency > 0, `${row} row: ${c.bytes} bytes (${(f32.bytes / c.bytes).toFixed(2)}× smaller), ${c.accuracy}% accuracy, ${c.latency} ms at batch 1 (in ${Math.round(t.ms)} ms)`);
  }
  const points = await page.locator('#chart circle.point').count();
  check(points === 4, `the chart has one point per row (${points})`);

  const [download] = await Promise.all([page.waitForEvent('download', { timeout: TIMEOUT_MS }), page.click('#downloads a[download="model.int8.safetensors"]')]);
  const bytes = readFileSync(await download.path());
  check(download.suggestedFilename() === 'model.int8.safetensors' && bytes.length === int8.bytes, `downloaded ${download.suggestedFilename()}: ${bytes.length} bytes, the table's size`);
  await st.init();
  const model = st.loadQuantized(bytes);
  const test = fashion ? await (async () => { const t = (await fashionMnist({ path: process.env.FASHION_MNIST_DIR })).test; return { x: t.images, y: t.labels }; })() : synthetic(2000, 2); // the page's held-out set
  const n = test.x.shape[0]!;
  const k = Math.fround(1 / 255);
  const x = st.tensor(Float32Array.from(test.x.data as Uint8Array, (v) => v * k), [n, 784]);
  const pred = st.argmax(model.forward(x), 1).toTypedArray();
  const acc = (100 * pred.filter((p, i) => p === test.y.data[i]).length) / n;
  check(acc.toFixed(2) === int8.accuracy.toFixed(2), `st.loadQuantized reads the download in Node; its accuracy there ${acc.toFixed(2)}% equals the page's ${int8.accuracy.toFixed(2)}%`);
  check(errors.length === 0, `no page errors${errors.length ? `: ${errors.join('; ')}` : ''}`);

  mkdirSync(join(root, 'build'), { recursive: true });
  const shot = fashion ? 'build/browser-fashion.png' : 'build/browser.png';
  await page.screenshot({ path: join(root, shot), fullPage: true });
  console.log(`» screenshot: ${shot} (${context.browser()?.version() ?? 'Chromium'})`);

  // Loading f32 weights from a file: an MLP 784-64-10 written in Node; the page shows its size.
  const mlp = new st.Sequential(new st.Linear(784, 64, { rng: new st.Rng(7) }), new st.ReLU(), new st.Linear(64, 10, { rng: new st.Rng(8) }));
  const weights = st.saveSafetensors(mlp.stateDict());
  await page.setInputFiles('#model', { name: 'mlp.safetensors', mimeType: 'application/octet-stream', buffer: Buffer.from(weights) });
  await page.waitForFunction((n: number) => document.querySelector('tr[data-name="f32"] .bytes')?.textContent === String(n) || document.getElementById('error')!.textContent, weights.length, { timeout: TIMEOUT_MS });
  const loaded = await cells('f32');
  check(loaded.bytes === weights.length && (await page.locator('#results tbody tr').count()) === 1, `a loaded f32 file (784-64-10, ${weights.length} bytes) replaces the table with its own f32 row`);
  await page.setInputFiles('#model', { name: 'bad.safetensors', mimeType: 'application/octet-stream', buffer: Buffer.from('not a model') });
  await page.waitForFunction(() => document.getElementById('error')!.textContent, null, { timeout: TIMEOUT_MS });
  const error = (await page.textContent('#error'))!;
  check(error.includes('loadSafetensors') && (await page.locator('#results tbody tr').count()) === 1, `a file that is not safetensors is reported on the page ("${error.slice(0, 80)}…") and the table stays`);

  if (!fashion) await pickFashion();
} finally {
  await context.close();
  server.close();
}
console.log(failures ? `${failures} check(s) failed` : 'browser example: all checks passed');
process.exit(failures ? 1 : 0);
