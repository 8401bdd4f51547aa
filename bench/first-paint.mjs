// Records which of the page's functions run while it shows the demo overview: the profile that
// scripts/first-paint.sh turns into scripts/first-paint.txt. Run by that script, against a copy of
// the release build whose page wasm is instrumented (`wasm_split.py instrument`).
//   node bench/first-paint.mjs <bench-dir> <url> <profile-out>
import fs from 'node:fs';
import { launch } from './lib.mjs';

const [benchDir, url, out] = process.argv.slice(2);
if (!out) throw new Error('usage: node bench/first-paint.mjs <bench-dir> <url> <profile-out>');
const browser = await launch(benchDir);
// A HiDPI laptop screen, as an admin opens the dashboard.
const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 2 });
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
await browser.close();
if (errors.length) throw new Error(`the page failed while it was profiled: ${errors.join('; ')}`);
fs.writeFileSync(out, Buffer.from(bytes));
console.log(`first-paint: ${bytes.length} bytes of profile`);
