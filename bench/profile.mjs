// CPU profile of the page while a file opens through "Open export…": which functions take the
// main thread's time. Use a build that keeps function names (see docs/benchmarks.md).
//   node bench/profile.mjs <bench-dir> <app-url> <csv-path>
import { writeFileSync } from 'node:fs';
import { launch, openThroughUi } from './lib.mjs';

const [benchDir, appUrl, csvPath] = process.argv.slice(2);
const browser = await launch(benchDir);
try {
  const page = await browser.newPage();
  await page.goto(appUrl, { waitUntil: 'load' });
  await page.waitForSelector('[data-testid=kpi-total-requests]');
  await page.waitForTimeout(1500);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  await openThroughUi(page, csvPath);
  await page.waitForTimeout(1500);
  const { profile } = await cdp.send('Profiler.stop');
  writeFileSync('/tmp/callboard.cpuprofile', JSON.stringify(profile));
  // Self time per function, from the samples.
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const deltas = profile.timeDeltas;
  profile.samples.forEach((id, i) => {
    const name = byId.get(id).callFrame.functionName || '(anonymous)';
    self.set(name, (self.get(name) || 0) + (deltas[i] || 0) / 1000);
  });
  const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 40);
  for (const [name, ms] of top) console.log(`${ms.toFixed(1).padStart(8)} ms  ${name.slice(0, 140)}`);
} finally {
  await browser.close();
}
