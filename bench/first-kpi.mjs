// Time to the first KPI on a slow connection: each build's dist/ folder is served gzip -9 (as a
// CDN would) from loopback, and a fresh headless Chromium opens it with an empty cache. It prints
// the median time until "Total requests" shows a number, and which files had been asked for by
// then, as the server saw them (the page's own fetches and the service worker's alike).
// The connection is 1.6 Mbit/s down with 150 ms latency by default, made one of two ways:
//   --link cdp     the DevTools Protocol's network throttling of the page (750 kbit/s up). It
//                  does not slow the service worker's own fetches, which then cost nothing.
//   --link shared  (the default) the server paces every response through one shared 1.6 Mbit/s
//                  link after 150 ms, as a slow network does to all of a page's requests at once.
//
//   node bench/first-kpi.mjs <bench-dir> <label>=<dist-dir> [<label>=<dist-dir> …] [--runs N] [--link cdp|shared]
// e.g. node bench/first-kpi.mjs ../bench-copy before=../old/dist after=dist
// <bench-dir> is a copy of ../shared/bench after `npm ci` (for playwright-core). Builds given
// together are measured in one run, turn about, so they can be compared.
import { readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { launch, median } from './lib.mjs';

const args = process.argv.slice(2);
const option = (name, otherwise) => {
  const at = args.indexOf(name);
  return at >= 0 ? args.splice(at, 2)[1] : otherwise;
};
const runs = Number(option('--runs', 5));
const link = option('--link', 'shared');
const [benchDir, ...targets] = args;
if (!targets.length || targets.some((t) => !t.includes('='))) {
  throw new Error('usage: node bench/first-kpi.mjs <bench-dir> <label>=<dist-dir> [...] [--runs N]');
}
const down = Number(process.env.DOWN_KBIT || 1600);
const up = Number(process.env.UP_KBIT || 750);
const latency = Number(process.env.LATENCY_MS || 150);

const types = { html: 'text/html; charset=utf-8', js: 'text/javascript', wasm: 'application/wasm', css: 'text/css', svg: 'image/svg+xml', webmanifest: 'application/manifest+json', json: 'application/json', png: 'image/png' };
const csp = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; connect-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'";

/// The shared link: when it is next free (epoch ms). Each response's chunks queue for it in turn.
let linkFree = 0;
const sleep = (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
async function paced(res, body) {
  await sleep(latency);
  for (let at = 0; at < body.length; at += 16384) {
    const chunk = body.subarray(at, at + 16384);
    linkFree = Math.max(linkFree, Date.now()) + (chunk.length * 8) / down;
    await sleep(linkFree - Date.now());
    res.write(chunk);
  }
  res.end();
}

/// Serves `dir` with gzip -9, logging every request's path and arrival time (epoch ms) in `log`.
async function serve(dir, log) {
  const cache = new Map();
  const server = createServer((req, res) => {
    const name = decodeURIComponent(new URL(req.url, 'http://x').pathname).slice(1) || 'index.html';
    log.push({ name, at: Date.now() });
    const file = path.join(dir, name);
    if (name.includes('..') || !statSync(file, { throwIfNoEntry: false })?.isFile()) {
      res.writeHead(404).end();
      return;
    }
    if (!cache.has(name)) cache.set(name, gzipSync(readFileSync(file), { level: 9 }));
    const body = cache.get(name);
    res.writeHead(200, { 'Content-Type': types[path.extname(file).slice(1)] || 'application/octet-stream', 'Content-Encoding': 'gzip', 'Content-Length': body.length, 'Cache-Control': 'no-cache', 'Content-Security-Policy': csp });
    if (link === 'shared') paced(res, body);
    else res.end(body);
  }).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  return { server, url: `http://127.0.0.1:${server.address().port}/`, cache };
}

/// One visit with an empty cache: the ms from navigation to the first KPI, painted, and the files
/// the server was asked for before it and within the next 5 s.
async function visit(browser, url, log) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 2 });
  const page = await context.newPage();
  if (link === 'cdp') {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency, downloadThroughput: (down * 1000) / 8, uploadThroughput: (up * 1000) / 8 });
  }
  await page.addInitScript(() => {
    const seen = () => /\d/.test(document.querySelector('[data-testid=kpi-total-requests]')?.textContent || '');
    const watch = new MutationObserver(() => {
      if (window.__kpi || !seen()) return;
      window.__kpi = true;
      watch.disconnect();
      requestAnimationFrame(() => requestAnimationFrame(() => { window.__kpiPainted = performance.timeOrigin + performance.now(); window.__origin = performance.timeOrigin; }));
    });
    watch.observe(document, { subtree: true, childList: true, characterData: true });
  });
  log.length = 0;
  linkFree = 0;
  await page.goto(url);
  await page.waitForFunction(() => window.__kpiPainted, null, { timeout: 120000 });
  const { painted, origin } = await page.evaluate(() => ({ painted: window.__kpiPainted, origin: window.__origin }));
  await page.waitForTimeout(5000);
  await context.close();
  const before = log.filter((r) => r.at <= painted).map((r) => r.name);
  const after = log.filter((r) => r.at > painted).map((r) => `${r.name} +${Math.round(r.at - painted)} ms`);
  return { ms: Math.round(painted - origin), before, after };
}

const browser = await launch(benchDir);
const servers = [];
for (const target of targets) {
  const [label, dir] = target.split('=');
  const log = [];
  servers.push({ label, log, ...(await serve(path.resolve(dir), log)), results: [] });
}
for (let i = 0; i < runs; i++) {
  for (const s of servers) s.results.push(await visit(browser, s.url, s.log));
}
await browser.close();
const how = link === 'cdp' ? `DevTools throttling, ${down} kbit/s down, ${up} kbit/s up` : `one shared ${down} kbit/s link`;
console.log(`first KPI painted, ${how}, ${latency} ms latency, ${runs} visits each with an empty cache:`);
for (const s of servers) {
  const times = s.results.map((r) => r.ms);
  const gzip = (names) => [...new Set(names)].reduce((sum, name) => sum + (s.cache.get(name)?.length || 0), 0);
  const first = s.results[0];
  console.log(`${s.label}: median ${median(times)} ms (${times.join(', ')})`);
  console.log(`  asked for before it (${(gzip(first.before) / 1024).toFixed(1)} KiB gzip -9): ${first.before.join(', ')}`);
  console.log(`  asked for in the 5 s after: ${first.after.join(', ') || 'nothing'}`);
  s.server.close();
}
