// Records which of the page's functions run while it shows the demo overview: the profile that
// scripts/first-paint.sh turns into scripts/first-paint.txt. Run by that script, against a copy of
// the release build whose page wasm is instrumented (`wasm_split.py instrument`).
//   node bench/first-paint.mjs <bench-dir> <url> <profile-out>   (writes <profile-out>.0, .1, …, one per scenario)
import fs from 'node:fs';
import { launch } from './lib.mjs';

const [benchDir, url, out] = process.argv.slice(2);
if (!out) throw new Error('usage: node bench/first-paint.mjs <bench-dir> <url> <profile-out>');
const browser = await launch(benchDir);
// The demo as admins open it: a HiDPI laptop in light and in dark mode, and a phone.
const scenarios = [
  { name: 'laptop-light', viewport: { width: 1280, height: 900 }, deviceScaleFactor: 2, colorScheme: 'light' },
  { name: 'laptop-dark', viewport: { width: 1280, height: 900 }, deviceScaleFactor: 2, colorScheme: 'dark' },
  { name: 'phone', viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, colorScheme: 'light', isMobile: true, hasTouch: true },
];
for (const [i, { name, ...options }] of scenarios.entries()) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.addInitScript(() => addEventListener('TrunkApplicationStarted', (e) => { window.__firstPaintWasm = e.detail.wasm; }));
  await page.goto(url);
  // Shown: the KPIs and every chart drawn, then a few quiet seconds for late effects and the service worker.
  await page.waitForFunction(() => window.__firstPaintWasm && document.querySelectorAll('canvas').length >= 3
    && document.querySelector('[data-testid=kpi-total-requests]'), null, { timeout: 60000 });
  await page.waitForTimeout(3000);
  const bytes = await page.evaluate(() => {
    const wasm = window.__firstPaintWasm;
    const size = 1 << 20;
    const at = wasm.__wbindgen_malloc(size, 8);
    const written = wasm.__write_profile(at, size);
    return Array.from(new Uint8Array(wasm.memory.buffer, at, written));
  });
  await context.close();
  if (errors.length) throw new Error(`the page failed while it was profiled (${name}): ${errors.join('; ')}`);
  fs.writeFileSync(`${out}.${i}`, Buffer.from(bytes));
  console.log(`first-paint: ${name}: ${bytes.length} bytes of profile in ${out}.${i}`);
}
await browser.close();
