// The scenario editor in a real headless Chromium: a mistake typed into the YAML is flagged on
// the line it is on (gutter marker, highlighted line, problem list, status), and goes away when
// fixed; then the editor helper's whole flow (test/e2e/editor-smoke.ts: references, dry run,
// draft, download, keyboard, a library scenario), which also saves 17-editor.png and
// 18-editor-error.png.
import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { EDITOR, editorFlow } from './editor-smoke.ts';
import { describeE2E, unnamedControls, useE2E } from './helpers.ts';

/** Selects the first `from` on 1-based line `line` of the editor and types `to` over it. */
async function retype(page: Page, line: number, from: string, to: string): Promise<void> {
  const ok = await page.evaluate<boolean>(`(() => {
    const ta = document.querySelector(${JSON.stringify(EDITOR.text)});
    const lines = ta.value.split('\\n');
    const col = lines[${line - 1}].indexOf(${JSON.stringify(from)});
    if (col < 0) return false;
    const start = lines.slice(0, ${line - 1}).reduce((a, l) => a + l.length + 1, 0) + col;
    ta.focus();
    ta.setSelectionRange(start, start + ${from.length});
    return true;
  })()`);
  expect(ok, `"${from}" is on line ${line}`).toBe(true);
  await page.keyboard.type(to);
}

const status = (page: Page) => page.locator(EDITOR.status).innerText();

describeE2E('the scenario editor', () => {
  const ctx = useE2E();

  it('flags a wrong value on the line it is on, and clears it when fixed', async () => {
    const { page } = await ctx.e2e.page('editor');
    await page.goto(ctx.e2e.base + '/editor');
    await page.locator(EDITOR.text).waitFor();
    await expect.poll(() => status(page), { timeout: 10_000 }).toMatch(/No problems/);
    expect(await unnamedControls(page), 'controls without a name').toEqual([]);

    const text = await page.inputValue(EDITOR.text);
    const line = text.split('\n').findIndex((l) => /^difficulty: /.test(l)) + 1;
    expect(line, 'the template has a difficulty line').toBeGreaterThan(1);
    await retype(page, line, text.split('\n')[line - 1].slice('difficulty: '.length), 'impossible');

    await expect.poll(() => status(page), { timeout: 10_000 }).toMatch(new RegExp(`1 problem — first on line ${line}\\b`));
    const problems = page.locator(EDITOR.problems);
    await expect.poll(() => problems.count()).toBe(1);
    expect(await problems.first().getAttribute('data-line')).toBe(String(line));
    expect(await problems.first().getAttribute('data-field')).toBe('difficulty');
    const gutter = await page.locator(EDITOR.gutterError).allInnerTexts();
    expect(gutter.map((t) => Number(t.replace(/\D/g, '')))).toEqual([line]);
    // The highlight is drawn at the flagged line's height (20 px a line, 6 px padding).
    const top = await page.evaluate<number>(`parseFloat(document.querySelector(${JSON.stringify(EDITOR.lineHighlight)}).style.top)`);
    expect((top - 6) / 20 + 1).toBe(line);

    await retype(page, line, 'impossible', 'easy');
    await expect.poll(() => status(page), { timeout: 10_000 }).toMatch(/No problems/);
    expect(await page.locator(EDITOR.gutterError).count()).toBe(0);
  });

  it('the whole editor flow: references, preview, dry run, draft, download, keyboard, a library scenario', async () => {
    const { page } = await ctx.e2e.page('editor-flow');
    await editorFlow(page, ctx.e2e.base, (name) => ctx.e2e.shot(page, name));
  }, 90_000);
});
