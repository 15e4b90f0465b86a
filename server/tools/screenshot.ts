// Takes a full-page screenshot of an HTML file in headless Chromium, to look at a report the way
// a browser draws it. Offline: every network request is refused, so a report that tried to load
// anything would show up broken here.
//
//   npx tsx server/tools/screenshot.ts docs/examples/friday-deploy.report.html /tmp/report.png [--width 1366] [--open]
//
// --open expands every <details> first (findings, marker lists) — what printing does.
// Needs Chromium (Debian: apt-get install chromium; or CHROMIUM=/path/to/chrome) and the
// playwright-core dev dependency.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function screenshot(input: string, output: string, options: { width?: number; open?: boolean } = {}): Promise<string[]> {
  const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) throw new Error(`no Chromium at ${executablePath} (apt-get install chromium, or set CHROMIUM)`);
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  const blocked: string[] = [];
  try {
    const page = await browser.newPage({ viewport: { width: options.width ?? 1366, height: 900 } });
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
      blocked.push(url);
      return route.abort();
    });
    await page.goto(pathToFileURL(resolve(input)).href, { waitUntil: 'load' });
    if (options.open) await page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true })");
    await page.screenshot({ path: output, fullPage: true });
  } finally {
    await browser.close();
  }
  return blocked;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const positional = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--width');
  const w = args.indexOf('--width');
  if (positional.length !== 2) {
    process.stderr.write('usage: npx tsx server/tools/screenshot.ts <input.html> <output.png> [--width 1366] [--open]\n');
    return 2;
  }
  const blocked = await screenshot(positional[0], positional[1], { width: w >= 0 ? Number(args[w + 1]) : undefined, open: args.includes('--open') });
  process.stdout.write(`wrote ${positional[1]}\n`);
  if (blocked.length) {
    process.stderr.write(`the page tried to load ${blocked.length} network resource(s), refused:\n${blocked.map((u) => `  ${u}\n`).join('')}`);
    return 1;
  }
  return 0;
}

main().then((code) => process.exit(code), (err) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
});
