// Shared by the browser benchmarks in this folder: a headless Chromium from ../shared/bench's
// playwright-core, a file opened through "Open export…" as a user does, one step timed to the
// frame that paints it, and medians.
import { createRequire } from 'node:module';
import path from 'node:path';

/// A headless Chromium. <bench-dir> is a copy of ../shared/bench after `npm ci` (for playwright-core).
export async function launch(benchDir) {
  const { chromium } = createRequire(path.resolve(benchDir, 'package.json'))('playwright-core');
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/// Chooses `csvPath` in "Open export…" and resolves once the banner names it.
export async function openThroughUi(page, csvPath) {
  await page.setInputFiles('[data-testid=file-input]', csvPath);
  await page.waitForFunction((n) => (document.querySelector('[data-testid=file-banner]') || {}).textContent?.includes(n), path.basename(csvPath), { timeout: 180000 });
}

/// Runs `act` (the body of a function, run in the page) and resolves with the ms until `done`
/// (likewise; it returns true when the page shows the result) holds, until the frame that paints
/// it, and the long tasks (> 50 ms) meanwhile.
export async function timed(page, act, done) {
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

/// `timed` for a click on `selector`, done when `shown` matches an element.
export function timedClick(page, selector, shown) {
  return timed(page, `document.querySelector(${JSON.stringify(selector)}).click()`, `return !!document.querySelector(${JSON.stringify(shown)})`);
}

export const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/// One line per step: medians of the DOM and painted times over the runs, and the longest task.
export function report(results, steps, rows) {
  for (const step of steps) {
    const dom = results.map((r) => r[step].dom_ms);
    const painted = results.map((r) => r[step].painted_ms);
    const longest = Math.max(0, ...results.flatMap((r) => r[step].tasks));
    console.log(`${step}: in the page after median ${median(dom)} ms (${dom.join(', ')}), painted after ${median(painted)} ms (${painted.join(', ')}), longest task ${longest} ms; ${rows(results[0], step)} rows`);
  }
}
