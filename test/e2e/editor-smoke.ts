// The scenario editor in a real headless Chromium against a real firedrill server: from the home
// page to /editor, the template is valid and previewed, a misspelt field is flagged on its line
// (gutter marker, highlighted line, problem list; clicking the problem selects the line), a wrong
// reference too, both are fixed, the dry run says "scoreable" with perfect > naive > idle, the
// draft survives a reload, a library scenario loads, and the download is named after the id.
// Screenshots at 1366×768: test/e2e/screenshots/17-editor.png and 18-editor-error.png.
//
//   npm run build:client && npx tsx test/e2e/editor-smoke.ts
//
// FIREDRILL_URL=http://host:port uses a running server that serves the client; otherwise the
// script starts `firedrill serve` on a free port with a fresh data directory. CHROMIUM=/path
// overrides /usr/bin/chromium. `editorFlow(page, base, shot)` is the flow alone, for the e2e suite.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Page } from 'playwright-core';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SHOTS = join(REPO, 'test/e2e/screenshots');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const VIEWPORT = { width: 1366, height: 768 };

/** The selectors the flow relies on (data-testid where the markup alone is ambiguous). */
export const EDITOR = {
  link: 'a[href="/editor"]',
  text: '[data-testid=editor-text]',
  status: '[data-testid=editor-status]',
  problems: '[data-testid=editor-problems] button.problem',
  gutterError: '.code-gutter .ln.has-error',
  lineHighlight: '.code-hl.error',
  timelineMarkers: '[data-testid=editor-timeline] .tl-marker',
  branches: '[data-testid=editor-branches] > li',
  dryRun: '[data-testid=editor-dry-run]',
  verdict: '[data-testid=dry-run-verdict]',
  runRow: (policy: string) => `[data-testid=dry-run-results] tr[data-policy=${policy}]`,
  startFrom: '[data-testid=editor-start-from]',
  download: '[data-testid=editor-download]',
  draft: '[data-testid=editor-draft]',
} as const;

function check(cond: unknown, message: string): asserts cond {
  if (!cond) throw new Error(`editor smoke: ${message}`);
}

const log = (msg: string) => process.stdout.write(`• ${msg}\n`);

/** 1-based line of the first line of the editor's text that equals `line`. */
async function lineOf(page: Page, line: string): Promise<number> {
  const text = await page.inputValue(EDITOR.text);
  const n = text.split('\n').indexOf(line);
  check(n >= 0, `no line ${JSON.stringify(line)} in the editor`);
  return n + 1;
}

/** Selects `from` on line `line` of the editor and types `to` over it, as a person would. */
async function retype(page: Page, line: number, from: string, to: string): Promise<void> {
  await page.click(EDITOR.text);
  // A string, not a function: the root tsconfig has no DOM types, and tsx would wrap named
  // functions in a helper the page does not have.
  const ok = await page.evaluate<boolean>(`(() => {
    const ta = document.querySelector('[data-testid=editor-text]');
    const lines = ta.value.split('\\n');
    const line = ${JSON.stringify(line)};
    const word = ${JSON.stringify(from)};
    const col = lines[line - 1].indexOf(word);
    if (col < 0) return false;
    const start = lines.slice(0, line - 1).reduce((a, l) => a + l.length + 1, 0) + col;
    ta.focus();
    ta.setSelectionRange(start, start + word.length);
    return true;
  })()`);
  check(ok, `"${from}" is not on line ${line}`);
  await page.keyboard.type(to, { delay: 15 });
}

async function waitStatus(page: Page, pattern: RegExp, timeout = 20_000): Promise<string> {
  const started = Date.now();
  let last = '';
  while (Date.now() - started < timeout) {
    last = (await page.textContent(EDITOR.status)) ?? '';
    if (pattern.test(last)) return last;
    await page.waitForTimeout(100);
  }
  throw new Error(`editor smoke: status stayed "${last}", expected ${pattern}`);
}

/** Line number in the gutter next to a highlighted line, and the highlight's line by position. */
async function flaggedLines(page: Page): Promise<{ gutter: number[]; highlighted: number[]; inline: string[] }> {
  return page.evaluate(`({
    gutter: [...document.querySelectorAll('.code-gutter .ln.has-error')].map((e) => Number(e.textContent.replace(/[^0-9]/g, ''))),
    highlighted: [...document.querySelectorAll('.code-hl.error')].map((e) => (parseFloat(e.style.top) - 6) / 20 + 1),
    inline: [...document.querySelectorAll('.code-hl.error .code-inline-msg')].map((e) => e.textContent),
  })`);
}

async function runs(page: Page): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const policy of ['perfect', 'naive', 'idle']) out[policy] = Number(await page.textContent(`${EDITOR.runRow(policy)} .dr-num`));
  return out;
}

async function dryRun(page: Page): Promise<{ verdict: string; totals: Record<string, number> }> {
  await page.click(EDITOR.dryRun);
  await page.waitForSelector(EDITOR.verdict, { timeout: 45_000 });
  return { verdict: (await page.textContent(EDITOR.verdict)) ?? '', totals: await runs(page) };
}

/** The editor flow, from the home page. `shot(name)` saves a screenshot of the page. */
export async function editorFlow(page: Page, base: string, shot: (name: string) => Promise<void>): Promise<void> {
  await page.goto(base + '/');
  await page.click(`${EDITOR.link} >> nth=0`);
  await page.waitForSelector(EDITOR.text);
  check(new URL(page.url()).pathname === '/editor', `the link went to ${page.url()}`);
  await page.evaluate("localStorage.removeItem('firedrill.editor.draft')");
  log('home → "Write a scenario" → /editor');

  // the template: valid, previewed
  let status = await waitStatus(page, /No problems|problem/);
  check(/✓ No problems · cart-bad-deploy · 30:00 · workload shop/.test(status), `template status: ${status}`);
  const markers = await page.locator(EDITOR.timelineMarkers).allTextContents();
  check(markers.length === 3 && markers[0].includes('cart-v3-9'), `timeline markers: ${JSON.stringify(markers)}`);
  check((await page.locator(EDITOR.branches).count()) === 2, 'two branches listed');
  log(`template is valid; timeline ${JSON.stringify(markers)}`);

  // a misspelt field: flagged on its line
  const severityLine = await lineOf(page, '    severity: SEV2');
  await retype(page, severityLine, 'severity', 'sevrity');
  status = await waitStatus(page, /✗ \d+ problems? —/);
  check(status.includes(`1 problem — first on line ${severityLine}`), `status after the typo: ${status}`);
  const problem = page.locator(EDITOR.problems).first();
  check((await problem.getAttribute('data-line')) === String(severityLine), 'the problem names the line');
  check((await problem.getAttribute('data-field')) === 'expectations.escalation.sevrity', 'the problem names the field');
  check((await problem.getAttribute('data-code')) === 'schema/unknown-field', 'the problem has its code');
  let flagged = await flaggedLines(page);
  check(flagged.gutter.length === 1 && flagged.gutter[0] === severityLine, `gutter marker on ${JSON.stringify(flagged.gutter)}, expected ${severityLine}`);
  check(flagged.highlighted.length === 1 && flagged.highlighted[0] === severityLine, `highlight on ${JSON.stringify(flagged.highlighted)}`);
  check(flagged.inline[0]?.includes('unknown field "sevrity" (did you mean "severity"?)'), `inline message: ${flagged.inline[0]}`);
  log(`typo "sevrity" flagged on line ${severityLine} (gutter, highlight, list)`);

  // clicking the problem selects its line in the editor
  await page.click(EDITOR.text); // move the caret away first
  await page.keyboard.press('Control+Home');
  await problem.click();
  const caretLine = await page.evaluate<number>("(() => { const ta = document.querySelector('[data-testid=editor-text]'); return ta.value.slice(0, ta.selectionStart).split('\\n').length; })()");
  check(caretLine === severityLine, `clicking the problem put the caret on line ${caretLine}`);
  check((await page.evaluate<string>("document.activeElement?.dataset?.testid ?? ''")) === 'editor-text', 'the editor has the focus after the jump');
  await shot('18-editor-error');

  // fix it; then a wrong reference keeps the preview (the shape is valid)
  await retype(page, severityLine, 'sevrity', 'severity');
  await waitStatus(page, /No problems/);
  const serviceLine = await lineOf(page, '      service: cart');
  await retype(page, serviceLine, 'cart', 'crt');
  status = await waitStatus(page, /✗ \d+ problems? —/);
  check(status.includes(`first on line ${serviceLine}`), `status after the wrong service: ${status}`);
  check((await problem.getAttribute('data-code')) === 'ref/unknown-service', 'ref/unknown-service');
  flagged = await flaggedLines(page);
  check(flagged.gutter[0] === serviceLine, `the wrong service is flagged on line ${flagged.gutter[0]}, expected ${serviceLine}`);
  check((await page.locator(EDITOR.timelineMarkers).count()) === 3, 'the timeline stays while only a reference is wrong');
  await retype(page, serviceLine, 'crt', 'cart');
  await waitStatus(page, /No problems/);
  log(`wrong service flagged on line ${serviceLine}; both fixed`);

  // dry run the template
  let result = await dryRun(page);
  check(/Scoreable/.test(result.verdict), `verdict: ${result.verdict}`);
  check(result.totals.perfect >= 90 && result.totals.perfect > result.totals.naive && result.totals.naive > result.totals.idle, `totals ${JSON.stringify(result.totals)}`);
  log(`dry run of the template: ${result.verdict.trim()} ${JSON.stringify(result.totals)}`);

  // the draft survives a reload; the download is named after the id
  const before = await page.inputValue(EDITOR.text);
  await page.reload();
  await page.waitForSelector(EDITOR.text);
  check((await page.inputValue(EDITOR.text)) === before, 'the draft survived the reload');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(EDITOR.download)]);
  check(download.suggestedFilename() === 'cart-bad-deploy.scenario.yaml', `download named ${download.suggestedFilename()}`);
  log('draft kept across a reload; download cart-bad-deploy.scenario.yaml');

  // keyboard: tabbing through the page passes through the editor without changing the text;
  // once the author types, Tab indents, and Esc then Tab leaves
  const untouched = await page.inputValue(EDITOR.text);
  await page.focus(EDITOR.dryRun);
  await page.keyboard.press('Tab');
  check((await page.evaluate<string>("document.activeElement?.dataset?.testid ?? ''")) === 'editor-text', 'Tab from "Dry run" reaches the editor');
  await page.keyboard.press('Tab');
  check((await page.evaluate<string>("document.activeElement?.dataset?.testid ?? ''")) !== 'editor-text', 'a second Tab moves on');
  check((await page.inputValue(EDITOR.text)) === untouched, 'tabbing through left the text alone');
  await page.click(EDITOR.text);
  await page.keyboard.press('Control+End');
  await page.keyboard.press('Tab');
  check((await page.inputValue(EDITOR.text)).endsWith('\n  '), 'Tab inserted two spaces');
  await page.keyboard.press('Backspace');
  await page.keyboard.press('Backspace');
  await page.keyboard.press('Escape');
  await page.keyboard.press('Tab');
  check((await page.evaluate<string>('document.activeElement?.dataset?.testid ?? document.activeElement?.tagName')) !== 'editor-text', 'Esc then Tab left the editor');
  log('Tab passes through the editor; while typing Tab indents; Esc then Tab leaves');

  // a library scenario: friday-deploy, with its branches and a dry run
  await page.selectOption(EDITOR.startFrom, 'friday-deploy');
  await page.click('form.start-from button[type=submit]');
  // the text is a draft from before the reload: the editor asks before replacing it
  await page.waitForSelector('dialog[open]', { timeout: 10_000 });
  await page.click('dialog[open] .dialog-buttons button:has-text("Replace")');
  status = await waitStatus(page, /friday-deploy/);
  check(status.includes('✓ No problems · friday-deploy · 40:00'), `friday-deploy status: ${status}`);
  await page.click('[role=tab]:has-text("Branches")');
  check((await page.locator(EDITOR.branches).count()) === 4, 'friday-deploy has 4 branches');
  result = await dryRun(page);
  check(/Scoreable/.test(result.verdict) && result.totals.perfect >= 90 && result.totals.perfect > result.totals.naive && result.totals.naive > result.totals.idle, `friday-deploy dry run ${result.verdict} ${JSON.stringify(result.totals)}`);
  log(`friday-deploy: ${result.verdict.trim()} ${JSON.stringify(result.totals)}`);
  await page.click(EDITOR.text);
  await page.keyboard.press('Control+Home');
  await shot('17-editor');
}

// ── standalone run ──────────────────────────────────────────────────────────────────────────
const children: ChildProcess[] = [];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function serverBase(): Promise<string> {
  if (process.env.FIREDRILL_URL) return process.env.FIREDRILL_URL.replace(/\/$/, '');
  const port = await freePort();
  const data = mkdtempSync(join(tmpdir(), 'fd-editor-data-'));
  const child = spawn(process.execPath, ['server/bin/firedrill.mjs', 'serve', '--port', String(port), '--host', '127.0.0.1', '--data', data], { cwd: REPO, env: { ...process.env, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the server did not start:\n${out}`)), 30_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (/firedrill is running at/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the server exited with ${code}:\n${out}`)));
  });
  return `http://127.0.0.1:${port}`;
}

async function main(): Promise<void> {
  if (!existsSync(join(REPO, 'client/dist/index.html'))) throw new Error('client/dist is missing: run `npm run build:client` first');
  mkdirSync(SHOTS, { recursive: true });
  const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) throw new Error(`no Chromium at ${executablePath} (apt-get install chromium, or set CHROMIUM)`);
  const base = await serverBase();
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  const errors: string[] = [];
  try {
    const context = await browser.newContext({ viewport: VIEWPORT, acceptDownloads: true });
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
    await editorFlow(page, base, async (name) => {
      await page.waitForTimeout(300);
      await page.screenshot({ path: join(SHOTS, `${name}.png`) });
      log(`screenshot ${name}.png`);
    });
    check(errors.length === 0, `console errors:\n${errors.join('\n')}`);
    log('no console errors');
  } finally {
    await browser.close();
    for (const c of children) c.kill('SIGTERM');
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      for (const c of children) c.kill('SIGKILL');
      process.exit(1);
    },
  );
}
