// Opens a backtest HTML report in Debian's headless Chromium and checks that
// the charts rendered: every chart container holds a canvas, the page script
// finished, and the page logged no error. Never downloads a browser.
//
//   node tests/e2e/report_browser_test.mjs <report.html>
//
// The report path may also come from OSPREY_REPORT_HTML. CHROMIUM overrides
// the browser (default /usr/bin/chromium).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const report = process.argv[2] ?? process.env.OSPREY_REPORT_HTML;
const browserPath = process.env.CHROMIUM ?? '/usr/bin/chromium';

test('the report draws its charts without errors', async (t) => {
  if (!report) {
    t.skip('no report given: pass its path as the first argument');
    return;
  }
  assert.ok(existsSync(report), `report not found: ${report}`);
  if (!existsSync(browserPath)) {
    t.skip(`no browser at ${browserPath} (scripts/setup installs chromium)`);
    return;
  }
  const browser = await chromium.launch({
    executablePath: browserPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1800 } });
    const errors = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(String(e)));
    // A request leaving the file means the page is not self-contained.
    const requests = [];
    // An injected script would run alert(): a dialog.
    let dialogs = 0;
    page.on('dialog', async (d) => { dialogs += 1; await d.dismiss(); });
    page.on('request', (r) => { if (!r.url().startsWith('file:')) requests.push(r.url()); });

    await page.goto(pathToFileURL(resolve(report)).href, { waitUntil: 'load' });
    await page.waitForFunction(() => window.reportRendered !== undefined, null, { timeout: 15000 });

    assert.equal(await page.evaluate(() => window.reportRendered), true,
                 'the page script did not draw the charts (library missing?)');
    const charts = await page.$$eval('.chart', (els) => els.map((e) => ({
      id: e.id,
      canvases: e.querySelectorAll('canvas').length,
      height: e.getBoundingClientRect().height,
    })));
    assert.ok(charts.some((c) => c.id === 'equity-chart'), 'no equity chart');
    assert.ok(charts.some((c) => c.id === 'drawdown-chart'), 'no drawdown chart');
    for (const c of charts) {
      assert.ok(c.canvases > 0, `chart ${c.id} has no canvas`);
      assert.ok(c.height > 100, `chart ${c.id} is ${c.height}px high`);
    }
    assert.ok(await page.$('table.metrics'), 'no metrics table');
    assert.equal(dialogs, 0, 'a script injected through the data ran');
    assert.deepEqual(errors, [], `console errors: ${errors.join('; ')}`);
    assert.deepEqual(requests, [], `the page fetched: ${requests.join(', ')}`);
  } finally {
    await browser.close();
  }
});
