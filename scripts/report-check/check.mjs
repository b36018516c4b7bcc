// Renders a slimtensor HTML report in headless Chromium (Debian's /usr/bin/chromium driven by
// playwright-core, installed in this folder only) and checks the charts: each of the three SVGs is
// present with a nonzero size, the scatter plots have points, the sensitivity chart has bars.
// Usage: node scripts/report-check/check.mjs [report.html] [screenshot.png]
// Without a report it first runs `slimtensor demo --synthetic --quick --report` into a temp dir.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(executablePath)) {
  console.error(`report-check: ${executablePath} not found (apt-get install -y --no-install-recommends chromium, or set CHROMIUM)`);
  process.exit(1);
}
const work = mkdtempSync(join(tmpdir(), 'slimtensor-report-'));
const report = resolve(process.argv[2] ?? join(work, 'report.html'));
const shot = resolve(process.argv[3] ?? join(root, 'build', 'report.png'));
if (!process.argv[2]) {
  execFileSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'demo', '--synthetic', '--quick', '--report', report], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
}

const failures = [];
const check = (ok, what) => { if (!ok) failures.push(what); };
const context = await chromium.launchPersistentContext(join(work, 'profile'), {
  executablePath,
  headless: true,
  viewport: { width: 1240, height: 1000 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
});
try {
  const page = await context.newPage();
  const requests = [];
  page.on('request', (r) => { if (!r.url().startsWith('file:')) requests.push(r.url()); });
  await page.goto(pathToFileURL(report).href);
  for (const id of ['pareto', 'sparsity', 'sensitivity']) {
    const box = await page.locator(`svg#${id}`).boundingBox();
    check(box && box.width > 0 && box.height > 0, `svg#${id} renders with a nonzero size (got ${JSON.stringify(box)})`);
  }
  const sizes = async (sel) => page.locator(sel).evaluateAll((els) => els.map((e) => { const b = e.getBBox(); return b.width * b.height; }));
  const points = await sizes('svg#pareto circle.point');
  check(points.length >= 2 && points.every((a) => a > 0), `pareto has ≥ 2 visible points (got ${points.length})`);
  check((await sizes('svg#pareto polyline.front')).every((a) => a >= 0), 'pareto front line');
  check((await sizes('svg#sparsity circle.point')).length >= 1, 'sparsity chart has a point');
  const bars = await sizes('svg#sensitivity rect.bar');
  check(bars.length >= 3 && bars.every((a) => a > 0), `sensitivity has ≥ 3 visible bars (got ${bars.length})`);
  check(requests.length === 0, `no network requests (got ${requests.join(', ')})`);
  await page.screenshot({ path: shot, fullPage: true });
} finally {
  await context.close();
  rmSync(work, { recursive: true, force: true });
}
if (failures.length) {
  console.error(`report-check: ${failures.length} failed:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
console.log(`report-check: 3 charts render; screenshot ${shot}`);
