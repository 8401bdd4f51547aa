// Drill-down timing (issue 9): opens a usage file through "Open export…" as a user does, then
// times, from the click to the next painted frame, each step of "filter to one client and show
// every IP", and watches long tasks (> 50 ms) meanwhile:
//   1. Explore by client: click the top client's name (the whole dashboard filters to it);
//   2. click "IP address" (every IP of that client, in the full table);
//   3. the same two in one step: a link to Explore by IP with the client filter, clicked.
//
//   node bench/drill.mjs <bench-dir> <app-url> <csv-path> [runs]
// e.g. node bench/drill.mjs ../bench-copy http://127.0.0.1:8080/ ../bench-copy/data/usage-1m.csv 5
// <bench-dir> is a copy of ../shared/bench after `npm ci` (for playwright-core).
import { createRequire } from 'node:module';
import path from 'node:path';

const [benchDir, appUrl, csvPath, runsArg] = process.argv.slice(2);
if (!csvPath) throw new Error('usage: node bench/drill.mjs <bench-dir> <app-url> <csv-path> [runs]');
const runs = Number(runsArg || 5);
const { chromium } = createRequire(path.resolve(benchDir, 'package.json'))('playwright-core');

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});

/// Clicks `selector` and resolves with the ms until the second animation frame after it (the
/// frame that shows the result), and the long tasks meanwhile.
async function timedClick(page, selector, done) {
  return page.evaluate(async ([selector, done]) => {
    const tasks = [];
    const observer = new PerformanceObserver((list) => { for (const e of list.getEntries()) tasks.push(Math.round(e.duration)); });
    observer.observe({ type: 'longtask' });
    const element = document.querySelector(selector);
    if (!element) throw new Error(`${selector} is not on the page`);
    const t0 = performance.now();
    element.click();
    // Wait until the page shows the result, then for the frame that paints it.
    while (!document.querySelector(done)) await new Promise((r) => setTimeout(r, 0));
    const dom = performance.now() - t0;
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const ms = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 100));
    observer.disconnect();
    return { dom_ms: Math.round(dom), ms: Math.round(ms), tasks, rows: document.querySelectorAll('tbody tr').length };
  }, [selector, done]);
}

try {
  const page = await browser.newPage({ viewport: { width: 1360, height: 1000 } });
  await page.goto(appUrl, { waitUntil: 'load' });
  await page.waitForSelector('[data-testid=kpi-total-requests]');
  await page.setInputFiles('[data-testid=file-input]', csvPath);
  await page.waitForFunction((n) => (document.querySelector('[data-testid=file-banner]') || {}).textContent?.includes(n), path.basename(csvPath), { timeout: 180000 });
  const base = new URL(appUrl);
  const results = [];
  for (let run = 0; run < runs; run++) {
    // Start each run from Explore by client without filters.
    await page.evaluate((href) => { history.pushState(null, '', href); dispatchEvent(new PopStateEvent('popstate')); }, `${base.pathname}${await page.evaluate(() => location.search).then((q) => {
      const p = new URLSearchParams(q); p.delete('f'); p.set('view', 'explore'); p.set('by', 'client'); return '?' + p.toString();
    })}`);
    await page.waitForSelector('[data-testid=table-clients] tbody tr a');
    await page.waitForTimeout(300);
    const client = await page.evaluate(() => document.querySelector('[data-testid=table-clients] tbody tr').dataset.key);
    const filter = await timedClick(page, '[data-testid=table-clients] tbody tr a', '[data-testid=filter-pill]');
    const ips = await timedClick(page, '[data-testid=by-ip]', '[data-testid=table-ip] tbody tr');
    // The same in one step, from Explore by IP without the filter: a link with both.
    await page.evaluate(() => document.querySelector('[data-testid=clear-filters]').click());
    await page.waitForFunction(() => !document.querySelector('[data-testid=filter-pill]'));
    await page.waitForTimeout(300);
    await page.evaluate((key) => {
      const a = document.createElement('a');
      const p = new URLSearchParams(location.search); p.append('f', `client:${key}`);
      a.href = `${location.pathname}?${p}`; a.id = 'bench-drill'; a.textContent = 'drill';
      document.querySelector('.page').appendChild(a);
    }, client);
    const oneStep = await timedClick(page, '#bench-drill', '[data-testid=filter-pill]');
    results.push({ client, filter, ips, one_step: oneStep });
  }
  console.log(JSON.stringify(results));
  const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (const step of ['filter', 'ips', 'one_step']) {
    const ms = results.map((r) => r[step].ms);
    const dom = results.map((r) => r[step].dom_ms);
    const longest = Math.max(0, ...results.flatMap((r) => r[step].tasks));
    console.log(`${step}: in the page after median ${median(dom)} ms (runs ${dom.join(', ')}), painted after median ${median(ms)} ms (runs ${ms.join(', ')}), longest task ${longest} ms, ${results[0][step].rows} rows on screen`);
  }
} finally {
  await browser.close();
}
