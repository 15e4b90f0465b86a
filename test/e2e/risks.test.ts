// The learning loop in a real headless Chromium: the operator unlocks the risk register, adds a
// risk, sees it on the likelihood × impact heat map with a "never rehearsed" badge, and one click
// opens the scenario editor on a valid draft whose pre-mortem is the risk. A lesson of a debrief
// does the same from the game day's scenario; the start page lists overdue action items.
// Screenshots: 40-risks.png, 41-editor-premortem.png, 42-home-overdue.png.
import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { EDITOR } from './editor-smoke.ts';
import { describeE2E, unnamedControls, useE2E } from './helpers.ts';

const ADMIN = 'e2e-admin-token-0123456789abcdefghij';
const RISK = {
  title: 'The primary database fills its disk',
  description: 'An abandoned replication slot keeps every WAL segment until the volume is full.',
};

async function unlock(page: Page): Promise<void> {
  await page.locator('[data-testid=operator-token]').fill(ADMIN);
  await page.getByRole('button', { name: 'Unlock' }).click();
}

const status = (page: Page) => page.locator(EDITOR.status).innerText();

describeE2E('the risk register and scenario drafts', () => {
  const ctx = useE2E();

  it('adds a risk, shows it on the heat map, and writes a scenario for it', async () => {
    const { page } = await ctx.e2e.page('risks');
    await page.goto(ctx.e2e.base + '/');
    await page.getByRole('link', { name: 'Risk register' }).first().click();
    await page.waitForURL('**/risks');
    await unlock(page);
    await page.locator('[data-testid=risk-add]').click();

    const dialog = page.locator('dialog.risk-dialog');
    await dialog.locator('[data-testid=risk-title]').fill(RISK.title);
    await dialog.locator('[data-testid=risk-description]').fill(RISK.description);
    await dialog.locator('[data-testid=risk-likelihood]').selectOption('4');
    await dialog.locator('[data-testid=risk-impact]').selectOption('5');
    await dialog.locator('[data-testid=risk-detection]').selectOption('2');
    await expect.poll(() => dialog.innerText()).toContain('4 × 5 × (6 − 2) = 80');
    await dialog.locator('[data-testid=risk-scenario-disk-full]').check();
    expect(await unnamedControls(page), 'controls without a name').toEqual([]);
    await dialog.locator('[data-testid=risk-save]').click();

    const row = page.locator('[data-testid=risk-table] tbody tr');
    await expect.poll(() => row.count()).toBe(1);
    const cells = await row.first().locator('td').allInnerTexts();
    expect(cells[0]).toMatch(/^80\s+#1$/);
    expect(cells[1]).toContain(RISK.title);
    expect(cells.slice(2, 5)).toEqual(['4', '5', '2']);
    expect(cells[5]).toMatch(/never rehearsed/i);
    expect(cells[6]).toBe('disk-full');
    expect(await page.locator('[data-testid=risk-attention]').innerText()).toContain(`1 of the top 5 risks has not been rehearsed yet: ${RISK.title}`);

    // On the heat map: likelihood 4, impact 5, and nowhere else.
    const cell = page.locator('[data-testid=heat-4-5]');
    expect(await cell.getAttribute('data-count')).toBe('1');
    expect(await cell.innerText()).toMatch(/^1\s+#1$/);
    expect(await cell.getAttribute('title')).toBe(`#1 ${RISK.title}`);
    expect(await cell.getAttribute('aria-label')).toBe(`likelihood 4, impact 5: 1 risk — ${RISK.title}`);
    const counts = await page.locator('[data-testid=heat-map] [role=gridcell]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-count'))));
    expect(counts).toHaveLength(25);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(1);

    // A fuller register for the picture: three more risks, one rehearsed by a game day that ended.
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(ctx.e2e.base + path, { method, headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
      expect(res.ok, `${method} ${path}: ${await res.clone().text()}`).toBe(true);
      return res.json() as Promise<Record<string, string>>;
    };
    await api('POST', '/api/risks', { title: 'A Friday deploy exhausts the orders connection pool', likelihood: 4, impact: 4, detection: 3, scenarioIds: ['friday-deploy'], owner: 'commerce' });
    await api('POST', '/api/risks', { title: 'Zone b loses the data tier', likelihood: 2, impact: 5, detection: 4, scenarioIds: ['zone-partition'] });
    await api('POST', '/api/risks', { title: 'The payment provider times out', likelihood: 3, impact: 4, detection: 2, scenarioIds: [] });
    const created = await (await fetch(ctx.e2e.base + '/api/sessions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scenario: 'friday-deploy', teams: ['blue'] }) })).json() as { id: string };
    const host = (await ctx.e2e.running.manager.get(created.id))!;
    expect((await host.command({ command: 'start' }, null)).result.ok).toBe(true);
    expect((await host.command({ command: 'end', reason: 'rehearsed' }, null)).result.ok).toBe(true);
    await page.reload();
    await expect.poll(() => row.count()).toBe(4);
    const titles = await page.locator('[data-testid=risk-table] tbody tr .risk-title strong').allInnerTexts();
    // 80; 48 and 48 (same impact: the likelier first); 20.
    expect(titles).toEqual([RISK.title, 'A Friday deploy exhausts the orders connection pool', 'The payment provider times out', 'Zone b loses the data tier']);
    const badges = await page.locator('[data-testid=risk-table] [data-testid=rehearsal-badge]').allInnerTexts();
    expect(badges.map((b) => b.toLowerCase())).toEqual(['never rehearsed', 'rehearsed today', 'no scenario yet', 'never rehearsed']);
    expect(await page.locator('[data-testid=heat-3-4]').getAttribute('data-count')).toBe('1');
    await ctx.e2e.shot(page, '40-risks');

    // One click: the editor opens on a valid scenario whose pre-mortem is the risk.
    await page.locator('[data-testid=risk-write-scenario]').first().click();
    await page.waitForURL((u) => u.pathname === '/editor' && u.search === '');
    await page.locator(EDITOR.text).waitFor();
    const text = await page.inputValue(EDITOR.text);
    expect(text.split('\n').slice(0, 3)).toEqual([`# PRE-MORTEM — ${RISK.title}`, '#', `# ${RISK.description}`]);
    expect(text).toContain('# From the risk register: likelihood 4/5, impact 5/5, detection confidence 2/5, priority 80.');
    expect(text).toMatch(/^id: risk-the-primary-database-fills-its-disk$/m);
    expect(text).toMatch(new RegExp(`^title: '${RISK.title}'$`, 'm'));
    await expect.poll(() => status(page), { timeout: 15_000 }).toMatch(/No problems · risk-the-primary-database-fills-its-disk/);
    expect(await page.locator(EDITOR.draft).innerText()).toContain(`from pre-mortem of risk “${RISK.title}”`);
    await ctx.e2e.shot(page, '41-editor-premortem');
  });

  it('turns a debrief lesson into a draft from the game day\'s scenario; the start page lists overdue action items', async () => {
    const base = ctx.e2e.base;
    const post = async (path: string, body: unknown, token?: string) => {
      const res = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
      expect(res.status, `${path}: ${await res.clone().text()}`).toBe(201);
      return res.json() as Promise<Record<string, string>>;
    };
    const s = await post('/api/sessions', { scenario: 'friday-deploy', teams: ['blue'] });
    await post(`/api/sessions/${s.id}/lessons`, { text: 'Nobody looked at the deploy marker for ten minutes', author: 'Ana' }, s.facilitatorToken);
    await post(`/api/sessions/${s.id}/action-items`, { title: 'Page on orders pool saturation', owner: 'Bo', dueDate: '2020-01-31' }, s.facilitatorToken);

    const { page } = await ctx.e2e.page('lesson');
    await page.goto(base + '/');
    await page.evaluate(`sessionStorage.setItem('firedrill.creds.${s.id}', ${JSON.stringify(JSON.stringify({ sessionId: s.id, facilitatorToken: s.facilitatorToken }))})`);
    await page.goto(`${base}/debrief/${s.id}`);
    await page.locator('[data-testid=lesson-premortem]').click();
    await page.waitForURL((u) => u.pathname === '/editor');
    await page.locator(EDITOR.text).waitFor();
    const text = await page.inputValue(EDITOR.text);
    expect(text).toContain('# Nobody looked at the deploy marker for ten minutes');
    expect(text).toContain('# Lesson from a game day of "Friday deploy');
    expect(text).toMatch(/^id: lesson-friday-deploy-again$/m);
    expect(text).toMatch(/^workload: shop$/m);
    expect(text).toContain('kind: bad-deploy'); // friday-deploy's own timeline, to change
    await expect.poll(() => status(page), { timeout: 15_000 }).toMatch(/No problems · lesson-friday-deploy-again/);

    // The start page: overdue action items for the operator.
    await page.goto(base + '/');
    await page.getByRole('button', { name: 'Show overdue action items (operator)' }).click();
    await unlock(page);
    const items = page.locator('[data-testid=overdue-items] li');
    await expect.poll(() => items.count()).toBe(1);
    expect(await items.first().innerText()).toMatch(/^Page on orders pool saturation — Bo · due 2020-01-31 \(\d+ days late\) · open · from Friday deploy/);
    await ctx.e2e.shot(page, '42-home-overdue');
  });

  it('exports a library scenario from the editor, listing what does not map', async () => {
    const { page } = await ctx.e2e.page('export');
    await page.goto(ctx.e2e.base + '/editor');
    await page.locator(EDITOR.startFrom).selectOption('zone-partition');
    await page.getByRole('button', { name: 'Load', exact: true }).click();
    await expect.poll(() => status(page), { timeout: 15_000 }).toMatch(/No problems · zone-partition/);
    await page.locator('[data-testid=export-menu] summary').click();
    const download = page.waitForEvent('download');
    await page.locator('[data-testid=export-fis]').click();
    expect((await download).suggestedFilename()).toBe('zone-partition.fis.json');
    const result = page.locator('[data-testid=export-menu] [role=status]');
    await expect.poll(() => result.innerText()).toContain('✓ zone-partition.fis.json: 4 faults mapped (zb-orders → aws:network:disrupt-connectivity; zb-cart → aws:network:disrupt-connectivity; zb-catalog → aws:network:disrupt-connectivity; zb-payments → aws:network:disrupt-connectivity).');
    const text = await result.innerText();
    expect(text).toContain('14 parts not mapped:');
    expect(text).toContain('branch failover-into-partition-trap branch: conditional (when the team does failover on postgres-main), injects far-side-primary');
    expect(text).toContain('Fill in: {{account-id}}, {{fis-experiment-role}}, {{region}}');
  });
});
