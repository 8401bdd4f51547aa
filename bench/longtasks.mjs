// Long-task check: loads Callboard with ?bench in headless Chromium, watches
// main-thread long tasks (> 50 ms) with a PerformanceObserver while __bench
// loads a CSV, and prints them with __benchPhases.
//
//   node bench/longtasks.mjs <bench-dir> <app-url> <csv-path>
// e.g. node bench/longtasks.mjs ../bench-copy http://127.0.0.1:8080/?bench ../bench-copy/data/usage-1m.csv
// <bench-dir> is a copy of ../shared/bench after `npm ci` (for playwright-core).
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';

const [benchDir, appUrl, csvPath] = process.argv.slice(2);
if (!csvPath) throw new Error('usage: node bench/longtasks.mjs <bench-dir> <app-url> <csv-path>');
const { chromium } = createRequire(path.resolve(benchDir, 'package.json'))('playwright-core');

// Serve the CSV from loopback with CORS, as the harness does.
const csv = readFileSync(csvPath);
const server = createServer((req, res) => {
  res.writeHead(200, { 'Access-Control-Allow-Origin': '*', 'Content-Type': 'text/csv', 'Cache-Control': 'no-store' });
  res.end(csv);
}).listen(0, '127.0.0.1');
await new Promise((r) => server.once('listening', r));
const csvUrl = `http://127.0.0.1:${server.address().port}/data.csv`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const page = await browser.newPage();
  await page.goto(appUrl, { waitUntil: 'load' });
  await page.waitForFunction(() => typeof window.__bench === 'function');
  const result = await page.evaluate(async (url) => {
    await window.__benchReady;
    const buffer = await (await fetch(url)).arrayBuffer();
    const tasks = [];
    const observer = new PerformanceObserver((list) => { for (const e of list.getEntries()) tasks.push(e.duration); });
    observer.observe({ type: 'longtask' });
    const t0 = performance.now();
    await window.__bench(buffer, { from: '2026-09-24', to: '2026-11-22', format: 'csv' });
    const t1 = performance.now();
    await new Promise((r) => setTimeout(r, 100)); // let the observer deliver
    observer.disconnect();
    return { load_ms: t1 - t0, long_tasks_ms: tasks.map(Math.round), phases: window.__benchPhases };
  }, csvUrl);
  const longest = Math.max(0, ...result.long_tasks_ms);
  console.log(JSON.stringify(result));
  console.log(`longest main-thread task: ${longest} ms (${result.long_tasks_ms.length} tasks over 50 ms)`);
} finally {
  await browser.close();
  server.close();
}
