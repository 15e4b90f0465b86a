// `firedrill validate` dry-runs every scenario with bots: perfect ≥ 90, idle ≤ 20, or it says why.
import { describe, expect, it } from 'vitest';
import { validateCommand } from '../../server/cli/validate.ts';

function buffers() {
  const out = { stdout: '', stderr: '' };
  return { out, io: { stdout: { write: (s: string) => (out.stdout += s) }, stderr: { write: (s: string) => (out.stderr += s) } } };
}

describe('scoreability in firedrill validate', () => {
  it('passes every shipped scenario', async () => {
    const { out, io } = buffers();
    expect(await validateCommand([], io)).toBe(0);
    expect(out.stdout).toMatch(/^ok: \d+ scenarios/m);
    // Two dry runs per scenario, 18 scenarios (six on the 43-service workload): ~12 s of CPU.
  }, 180_000);

  it('flags a scenario whose expectations even the perfect bot cannot meet, naming the expectation', async () => {
    const { out, io } = buffers();
    const file = new URL('../fixtures/unscoreable.scenario.yaml', import.meta.url).pathname;
    expect(await validateCommand([file, '--json'], io)).toBe(1);
    const problems = JSON.parse(out.stdout) as { code: string; field: string; line: number; message: string }[];
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ code: 'scoreability/perfect-low', field: 'expectations', line: 147 });
    expect(problems[0].message).toMatch(/the perfect bot scores (8\d|7\d)/);
    expect(problems[0].message).toContain('target 1:00');
  });

  it('skips the dry runs with --no-dry-run', async () => {
    const { io } = buffers();
    const file = new URL('../fixtures/unscoreable.scenario.yaml', import.meta.url).pathname;
    expect(await validateCommand([file, '--no-dry-run'], io)).toBe(0);
  });
});
