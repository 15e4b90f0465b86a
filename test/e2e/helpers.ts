// End-to-end tests in a real headless Chromium (Debian's `chromium`, driven by playwright-core; no
// browser download) against a real firedrill server: in this process, on 127.0.0.1 and a free
// port, with an in-memory store, serving the built client (client/dist) at /.
//
//   const e2e = await startE2E();            // server + browser
//   const { page } = await e2e.page('blue');  // a fresh browser context at 1366×768
//   ...
//   e2e.assertNoConsoleErrors();              // console errors and page errors of every page
//   await e2e.close();
//
// `describeE2E` skips, with the reason in the test name, only on a developer machine without
// Chromium; under CI (CI=true) a missing Chromium fails instead (`.ci/run` installs it first).
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startServer, type Running } from '../../server/serve.ts';
import { createMemoryStore } from '../../server/store/memory.ts';
import { CHROMIUM, CHROMIUM_ARGS, CLIENT_DIST, HAVE_CHROMIUM, IN_CI, REPO, SHOTS, SHOTS_OUT, SKIP_REASON, VIEWPORT } from './helpers-env.ts';

export { CHROMIUM, CLIENT_DIST, HAVE_CHROMIUM, REPO, SHOTS, SHOTS_OUT, VIEWPORT };

/**
 * `describe` for browser tests. Without Chromium: skipped with the reason in its name on a
 * developer machine; a failing test under CI, so a CI run never passes without the browser tests.
 */
export function describeE2E(name: string, fn: () => void): void {
  if (HAVE_CHROMIUM) describe(name, fn);
  else if (IN_CI) describe(name, () => it('has Chromium to run in', () => { throw new Error(SKIP_REASON); }));
  else describe.skip(`${name} [skipped: ${SKIP_REASON}]`, fn);
}

export interface E2E {
  base: string;
  running: Running;
  browser: Browser;
  /** Console errors and uncaught page errors of every page opened so far, labelled by page. */
  errors: string[];
  page(label: string): Promise<{ context: BrowserContext; page: Page }>;
  /**
   * A 1366×768 screenshot of the page as <name>.png in SHOTS_OUT (.artifacts/screenshots/, or the
   * committed test/e2e/screenshots/ with FIREDRILL_SCREENSHOTS=update). Toasts (results of
   * the last actions, gone after 4 s) are dismissed first unless `keepToasts`: they would cover
   * whatever is under them in a picture that stays.
   */
  shot(page: Page, name: string, options?: { keepToasts?: boolean }): Promise<void>;
  /** Screenshots of every open page as failure-<label>.png (call when a test fails). */
  failureShots(): Promise<void>;
  assertNoConsoleErrors(): void;
  close(): Promise<void>;
}

export async function startE2E(): Promise<E2E> {
  const buildError = inject('clientBuildError');
  if (buildError) throw new Error(buildError);
  if (!existsSync(join(CLIENT_DIST, 'index.html'))) throw new Error('client/dist is missing: the e2e global setup builds it (npm run build:client)');
  mkdirSync(SHOTS_OUT, { recursive: true });
  const running = await startServer({
    port: 0,
    host: '127.0.0.1',
    dataDir: join(REPO, 'data', 'e2e-unused'), // not created: the store is in memory
    libraryDir: join(REPO, 'scenarios'),
    allowedOrigins: [],
    adminToken: 'e2e-admin-token-0123456789abcdefghij',
    logger: pino({ level: 'silent' }),
    store: createMemoryStore(),
    clientDir: CLIENT_DIST,
  });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const errors: string[] = [];
  const pages: { label: string; page: Page }[] = [];
  return {
    base: running.url,
    running,
    browser,
    errors,
    async page(label) {
      const context = await browser.newContext({ viewport: VIEWPORT });
      context.setDefaultTimeout(20_000);
      const page = await context.newPage();
      pages.push({ label, page });
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(`[${label}] console.error: ${m.text()} (${m.location().url}:${m.location().lineNumber})`);
      });
      page.on('pageerror', (e) => errors.push(`[${label}] uncaught: ${e.message}`));
      return { context, page };
    },
    async shot(page, name, options = {}) {
      if (!options.keepToasts) await page.evaluate("document.querySelectorAll('.toast button').forEach((b) => b.click())");
      // Let the last telemetry frame and any layout settle (charts redraw on the next frame).
      await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
      await page.screenshot({ path: join(SHOTS_OUT, `${name}.png`) });
    },
    async failureShots() {
      for (const { label, page } of pages) await page.screenshot({ path: join(SHOTS_OUT, `failure-${label}.png`) }).catch(() => undefined);
    },
    assertNoConsoleErrors() {
      if (errors.length) throw new Error(`console errors in the browser (${errors.length}):\n${errors.join('\n')}`);
    },
    async close() {
      await browser.close().catch(() => undefined);
      await running.close();
    },
  };
}

/**
 * Registers the hooks of a browser test suite: a server and a browser for the suite (a setup
 * failure fails every test, with its reason), failure screenshots, and after every test the
 * assertion that no page logged a console error or threw.
 */
export function useE2E(): { readonly e2e: E2E } {
  // Many steps in a real browser, on a 2-core machine that may be busy: generous, not endless.
  vi.setConfig({ testTimeout: 90_000 });
  const state: { e2e?: E2E; error?: unknown } = {};
  beforeAll(async () => {
    try {
      state.e2e = await startE2E();
    } catch (err) {
      state.error = err;
    }
  });
  beforeEach(() => {
    if (state.error) throw state.error;
  });
  afterEach(async (ctx) => {
    if (!state.e2e) return;
    if (ctx.task.result?.state === 'fail') await state.e2e.failureShots();
    expect(state.e2e.errors.splice(0), 'console errors in the browser').toEqual([]);
  });
  afterAll(async () => {
    await state.e2e?.close();
  });
  return {
    get e2e() {
      if (!state.e2e) throw (state.error as Error) ?? new Error('the e2e setup has not run');
      return state.e2e;
    },
  };
}

// ── small page helpers (string expressions: the root tsconfig has no DOM types) ──────────────

/** Everything a page shows as text, including its iframes (the report is one). */
export async function allText(page: Page): Promise<string> {
  const parts: string[] = [];
  for (const frame of page.frames()) parts.push(await frame.evaluate<string>('document.body ? document.body.innerText : ""').catch(() => ''));
  return parts.join('\n');
}

/** The session's credentials that this tab remembers (sessionStorage), e.g. the facilitator token. */
export async function credsOf(page: Page, sessionId: string): Promise<{ facilitatorToken?: string; joinCode?: string; participant?: { token: string } }> {
  return JSON.parse((await page.evaluate<string | null>(`sessionStorage.getItem('firedrill.creds.${sessionId}')`)) ?? '{}');
}

export interface Focused {
  tag: string;
  role: string;
  name: string;
  region: string;
  visible: boolean;
  ring: boolean;
}

/**
 * What has the keyboard focus: its tag, role and accessible name (from the accessibility tree),
 * the page region it is in, whether it is on screen and whether it shows a focus indicator.
 */
export async function focused(page: Page): Promise<Focused> {
  const dom = await page.evaluate<{ tag: string; region: string; visible: boolean; ring: boolean }>(`(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return { tag: 'BODY', region: '', visible: false, ring: false };
    const r = el.getBoundingClientRect();
    // The page region: the top bar, the banners, a console column, a dialog, or a landmark.
    const region = ['dialog', '.toasts', '.topbar', '.banners', '.col-main', '.col-side', 'main', 'footer', 'header'].find((sel) => el.closest(sel))?.replace('.', '') ?? '';
    // A focus indicator: an outline, or (SVG map nodes) a highlighted shape inside.
    const cs = getComputedStyle(el);
    let ring = cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0;
    if (!ring && cs.boxShadow && cs.boxShadow !== 'none') ring = true;
    if (!ring) {
      const shape = el.querySelector('rect, circle, path');
      if (shape) { const s = getComputedStyle(shape); ring = parseFloat(s.strokeWidth) >= 3; }
    }
    return { tag: el.tagName, region, visible: r.width > 0 && r.height > 0, ring };
  })()`);
  if (dom.tag === 'BODY') return { ...dom, role: '', name: '' };
  const tree = (await page.locator('*:focus').ariaSnapshotJSON()) as unknown as { role?: string; name?: string }[] | { role?: string; name?: string };
  const node = Array.isArray(tree) ? tree[0] : tree;
  // A <details> summary is a disclosure button named by its text (the snapshot has no role for it).
  if (dom.tag === 'SUMMARY') return { ...dom, role: 'button', name: (await page.locator('*:focus').innerText()).trim() };
  return { ...dom, role: node?.role ?? '', name: (node?.name ?? '').trim() };
}

const INTERACTIVE = new Set(['button', 'link', 'textbox', 'combobox', 'checkbox', 'radio', 'tab', 'spinbutton', 'slider', 'switch', 'menuitem', 'searchbox', 'listbox', 'option']);

/** Interactive elements without an accessible name, from the page's accessibility tree. */
export async function unnamedControls(page: Page): Promise<string[]> {
  const out: string[] = [];
  const walk = (nodes: unknown, path: string) => {
    if (!Array.isArray(nodes)) nodes = [nodes];
    for (const n of nodes as { role?: string; name?: string; children?: unknown[] }[]) {
      if (!n || typeof n !== 'object') continue;
      if (n.role && INTERACTIVE.has(n.role) && !(n.name ?? '').trim()) out.push(`${path} > ${n.role}`);
      if (n.children) walk(n.children, n.role ? `${path} > ${n.role}${n.name ? ` "${n.name.slice(0, 30)}"` : ''}` : path);
    }
  };
  walk(await page.locator('body').ariaSnapshotJSON(), 'body');
  // And what the tree can miss: empty buttons and links with no label at all.
  const bare = await page.evaluate<string[]>(`[...document.querySelectorAll('button:not([aria-label]):not([aria-labelledby]):not([title]), a[href]:not([aria-label]):not([aria-labelledby])')]
    .filter((el) => !el.textContent.trim() && !el.querySelector('img[alt]:not([alt=""]), svg[aria-label], [aria-label]'))
    .map((el) => el.outerHTML.slice(0, 120))`);
  return [...out, ...bare];
}
