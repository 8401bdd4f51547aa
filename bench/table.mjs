// A very long table: opens a usage file through "Open export…", then times, from the
// click to the next painted frame, showing every IP in Explore, re-sorting that table by another
// column and back, and a search; and watches long tasks (> 50 ms) meanwhile.
//
//   node bench/table.mjs <bench-dir> <app-url> <csv-path> [runs]
// e.g. node bench/table.mjs ../bench-copy http://127.0.0.1:8080/ data/usage-1m-100k-ips.csv 3
// <bench-dir> is a copy of ../shared/bench after `npm ci` (for playwright-core).
import { launch, openThroughUi, report, timed } from './lib.mjs';

const [benchDir, appUrl, csvPath, runsArg] = process.argv.slice(2);
if (!csvPath) throw new Error('usage: node bench/table.mjs <bench-dir> <app-url> <csv-path> [runs]');
const runs = Number(runsArg || 3);
const browser = await launch(benchDir);

try {
  const page = await browser.newPage({ viewport: { width: 1360, height: 1000 } });
  await page.goto(appUrl, { waitUntil: 'load' });
  await page.waitForSelector('[data-testid=kpi-total-requests]');
  await openThroughUi(page, csvPath);
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
  report(results, ['ips', 'resort', 'byName', 'search'], (r) => r.rows);
} finally {
  await browser.close();
}
