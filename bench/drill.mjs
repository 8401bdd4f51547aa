// Drill-down timing: opens a usage file through "Open export…" as a user does, then
// times, from the click to the next painted frame, each step of "filter to one client and show
// every IP", and watches long tasks (> 50 ms) meanwhile:
//   1. Explore by client: click the top client's name (the whole dashboard filters to it);
//   2. click "IP address" (every IP of that client, in the full table);
//   3. the same two in one step: a link to Explore by IP with the client filter, clicked.
//
//   node bench/drill.mjs <bench-dir> <app-url> <csv-path> [runs]
// e.g. node bench/drill.mjs ../bench-copy http://127.0.0.1:8080/ ../bench-copy/data/usage-1m.csv 5
// <bench-dir> is a copy of ../shared/bench after `npm ci` (for playwright-core).
import { launch, openThroughUi, report, timedClick } from './lib.mjs';

const [benchDir, appUrl, csvPath, runsArg] = process.argv.slice(2);
if (!csvPath) throw new Error('usage: node bench/drill.mjs <bench-dir> <app-url> <csv-path> [runs]');
const runs = Number(runsArg || 5);
const browser = await launch(benchDir);
const rowsOnScreen = (page) => page.evaluate(() => document.querySelectorAll('tbody tr').length);

try {
  const page = await browser.newPage({ viewport: { width: 1360, height: 1000 } });
  await page.goto(appUrl, { waitUntil: 'load' });
  await page.waitForSelector('[data-testid=kpi-total-requests]');
  await openThroughUi(page, csvPath);
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
    const filter = { ...await timedClick(page, '[data-testid=table-clients] tbody tr a', '[data-testid=filter-pill]'), rows: await rowsOnScreen(page) };
    const ips = { ...await timedClick(page, '[data-testid=by-ip]', '[data-testid=table-ip] tbody tr'), rows: await rowsOnScreen(page) };
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
    const oneStep = { ...await timedClick(page, '#bench-drill', '[data-testid=filter-pill]'), rows: await rowsOnScreen(page) };
    results.push({ client, filter, ips, one_step: oneStep });
  }
  console.log(JSON.stringify(results));
  report(results, ['filter', 'ips', 'one_step'], (r, step) => r[step].rows);
} finally {
  await browser.close();
}
