// History and trends in a real headless Chromium: a game day played through the live manager is
// recorded when it ends, two earlier months are on record, and the operator opens /history, gives
// the admin token, picks a team and sees its trend charts (team, baseline, organisation median),
// its coverage of failure modes and the table; the CSV export downloads with the same rows and
// the evidence report opens in a new tab.
// Saves 50-history.png and 51-history-coverage.png.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { describeE2E, unnamedControls, useE2E } from './helpers.ts';
import type { ExerciseResultRecord } from '../../server/store/store.ts';

const ADMIN = 'e2e-admin-token-0123456789abcdefghij';

describeE2E('history and trends', () => {
  const ctx = useE2E();

  it('shows a team\u2019s past game days, trend charts and coverage, and exports CSV', async () => {
    const { manager } = ctx.e2e.running;
    const store = manager.store;
    // A game day played now: blue (Ana, Ben) declares, red (Dan) does not; the facilitator ends it.
    const created = await manager.createSession({ scenario: 'friday-deploy', seed: 7, teams: ['blue', 'red'] });
    if ('error' in created) throw new Error(created.error.message);
    const host = (await manager.get(created.id))!;
    for (const [team, name, role] of [['blue', 'Ana', 'incident-commander'], ['blue', 'Ben', 'responder'], ['red', 'Dan', 'responder']]) {
      const p = await manager.join(host, team, name, role);
      if ('error' in p) throw new Error(p.error.message);
    }
    expect((await host.command({ command: 'start' }, null)).result.ok).toBe(true);
    expect((await host.submitAction('blue', { action: 'declare', severity: 'SEV2', summary: 'orders slow', services: ['orders'], actor: 'Ana' }, null)).result.ok).toBe(true);
    expect((await host.command({ command: 'end', reason: 'e2e' }, null)).result.ok).toBe(true);
    await host.idle();
    const now = await store.listExerciseResults({ team: 'blue' });
    expect(now).toHaveLength(1);

    // Two earlier game days of the same teams (September and October 2026) on record.
    const record = (await store.getSession(created.id))!;
    const played = await store.listExerciseResults();
    for (const [i, day, scores] of [[1, '2026-09-10', { blue: 40, red: 70 }], [2, '2026-10-08', { blue: 60, red: 50 }]] as const) {
      const id = `${created.id}-old${i}`;
      const endedAt = Date.parse(`${day}T15:00:00Z`);
      await store.createSession({ ...record, id, joinCode: `OLDCODE${i}`, facilitatorToken: `old-fac-token-${i}-0123456789`, createdAt: endedAt - 3_600_000, updatedAt: endedAt, endedAt });
      const rows: ExerciseResultRecord[] = played.map((r) => {
        const total = scores[r.team as 'blue' | 'red'];
        const summary = r.summary as { dimensions: Record<string, number> };
        return { ...r, sessionId: id, endedAt, summary: { ...r.summary, total, dimensions: Object.fromEntries(Object.keys(summary.dimensions).map((d) => [d, total])) } };
      });
      await store.saveExerciseResults(id, rows);
    }

    const { page, context } = await ctx.e2e.page('history');
    await page.goto(ctx.e2e.base + '/');
    await page.getByRole('link', { name: 'History and trends' }).click();
    await page.getByLabel('Admin token').fill(ADMIN);
    await page.getByRole('button', { name: 'Show the history' }).click();
    const rows = page.locator('.history-table tbody tr');
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(6);

    await page.getByLabel('Team', { exact: true }).selectOption('blue');
    await expect.poll(() => page.locator('.trend-chart canvas').count(), { timeout: 15_000 }).toBe(6);
    await expect.poll(() => rows.count()).toBe(3);
    expect(new URL(page.url()).search).toBe('?team=blue');
    const total = page.locator('.trend-chart').first();
    const blueNow = (now[0].summary as { total: number }).total;
    // Baseline: the median of 40, 60 and today's score.
    const baseline = [40, 60, blueNow].sort((a, b) => a - b)[1];
    expect(await total.locator('figcaption').innerText()).toContain(`latest ${blueNow}, baseline ${baseline}`);
    expect(await total.locator('.chart-canvas').getAttribute('aria-label')).toContain('organisation median 2026-09 55, 2026-10 55');
    // friday-deploy is tagged bad-deploy and connection-pool: two categories, three runs each.
    const today = new Date().toISOString().slice(0, 10);
    expect(await page.locator('.coverage-list li.covered').allInnerTexts()).toEqual([`Bad deploy 3× · last ${today}`, `Connection-pool exhaustion 3× · last ${today}`]);
    expect(await page.locator('.coverage-list li.gap').count()).toBe(16);
    expect(await page.locator('.history-stats').innerText()).toMatch(/3\s+game days/);
    expect(await unnamedControls(page), 'controls without a name').toEqual([]);
    await ctx.e2e.shot(page, '50-history');
    await page.locator('.coverage').scrollIntoViewIfNeeded();
    await ctx.e2e.shot(page, '51-history-coverage');

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'CSV' }).click();
    const file = await (await download).path();
    const lines = readFileSync(file, 'utf8').split('\r\n');
    expect(lines[0]).toMatch(/^ended_at,team,kind,/);
    expect(lines.slice(1, -1).map((l) => l.split(',')[1])).toEqual(['blue', 'blue', 'blue']);
    expect(lines.slice(1, -1).map((l) => Number(l.split(',')[8]))).toEqual([40, 60, blueNow]);

    // The evidence report opens in a new tab: the team's three game days, who took part.
    const opened = context.waitForEvent('page');
    await page.getByRole('button', { name: 'Evidence report', exact: true }).click();
    const report = await opened;
    await report.waitForURL(/^blob:/);
    await report.locator('h2').first().waitFor();
    expect(await report.locator('h1').innerText()).toBe('Incident-response exercises: evidence report');
    expect(await report.locator('h2').allInnerTexts()).toEqual(['Team blue']);
    expect(await report.locator('section table').first().locator('tbody tr').count()).toBe(3);
    expect(await report.locator('body').innerText()).toContain('People: Ana, Ben.');
  });
});
