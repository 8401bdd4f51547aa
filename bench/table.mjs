// A very long table (issue 9): opens a usage file through "Open export…", then times, from the
// click to the next painted frame, showing every IP in Explore, re-sorting that table by another
// column and back, and a search; and watches long tasks (> 50 ms) meanwhile.
//
//   node bench/table.mjs <bench-dir> <app-url> <csv-path> [runs]
// e.g. node bench/table.mjs ../bench-copy http://127.0.0.1:8080/ data/usage-1m-100k-ips.csv 3
// <bench-dir> is a copy of ../shared/bench after `npm ci` (for playwright-core).
import { createRequire } from 'node:module';
import path from 'node:path';

const [benchDir, appUrl, csvPath, runsArg] = process.argv.slice(2);
if (!csvPath) throw new Error('usage: node bench/table.mjs <bench-dir> <app-url> <csv-path> [runs]');
const runs = Number(runsArg || 3);
const { chromium } = createRequire(path.resolve(benchDir, 'package.json'))('playwright-core');
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});

/// Runs `act` in the page and resolves with the ms until `done()` holds and a frame is painted,
/// and the long tasks meanwhile.
async function timed(page, act, done) {
  return page.evaluate(async ([act, done]) => {
    const tasks = [];
    const observer = new PerformanceObserver((list) => { for (const e of list.getEntries()) tasks.push(Math.round(e.duration)); });
    observer.observe({ type: 'longtask' });
    const t0 = performance.now();
    new Function(act)();
    while (!new Function(done)()) await new Promise((r) => setTimeout(r, 0));
    const dom = performance.now() - t0;
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const painted = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 100));
    observer.disconnect();
    return { dom_ms: Math.round(dom), painted_ms: Math.round(painted), tasks };
  }, [act, done]);
}

try {
  const page = await browser.newPage({ viewport: { width: 1360, height: 1000 } });
  await page.goto(appUrl, { waitUntil: 'load' });
  await page.waitForSelector('[data-testid=kpi-total-requests]');
  await page.setInputFiles('[data-testid=file-input]', csvPath);
  await page.waitForFunction((n) => (document.querySelector('[data-testid=file-banner]') || {}).textContent?.includes(n), path.basename(csvPath), { timeout: 180000 });
  const results = [];
  for (let run = 0; run < runs; run++) {
    await page.evaluate(() => { const p = new URLSearchParams(location.search); p.delete('sort'); p.set('view', 'explore'); p.set('by', 'client'); history.pushState(null, '', `${location.pathname}?${p}`); dispatchEvent(new PopStateEvent('popstate')); });
    await page.waitForSelector('[data-testid=table-clients] tbody tr');
    await page.waitForTimeout(300);
    const ips = await timed(page, "document.querySelector('[data-testid=by-ip]').click()", "return !!document.querySelector('[data-testid=table-ip] tbody tr')");
    const count = await page.evaluate(() => document.querySelector('[data-testid=table-ip]').dataset.rows);
    const first = () => "return document.querySelector('[data-testid=table-ip] tbody tr').dataset.key";
    const before = await page.evaluate(new Function(first()));
    const resort = await timed(page, "document.querySelector(\"button[data-sort='Bytes']\").click()", `return document.querySelector('[data-testid=table-ip] tbody tr').dataset.key !== ${JSON.stringify(before)}`);
    const sortedKey = await page.evaluate(new Function(first()));
    const byName = await timed(page, "document.querySelector(\"button[data-sort='IP address']\").click()", `return document.querySelector('[data-testid=table-ip] tbody tr').dataset.key !== ${JSON.stringify(sortedKey)}`);
    const search = await timed(page, "const i = document.querySelector('[data-testid=table-search]'); i.value = '10.1.2'; i.dispatchEvent(new Event('input', { bubbles: true }))", "return document.querySelector('[data-testid=table-ip]').dataset.rows !== '" + count + "'");
    results.push({ rows: count, ips, resort, byName, search });
  }
  console.log(JSON.stringify(results));
  const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (const step of ['ips', 'resort', 'byName', 'search']) {
    const dom = results.map((r) => r[step].dom_ms);
    const painted = results.map((r) => r[step].painted_ms);
    const longest = Math.max(0, ...results.flatMap((r) => r[step].tasks));
    console.log(`${step}: in the page after median ${median(dom)} ms (${dom.join(', ')}), painted after ${median(painted)} ms (${painted.join(', ')}), longest task ${longest} ms; ${results[0].rows} rows`);
  }
} finally {
  await browser.close();
}
