import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DOC_PATH, EXAMPLE_BROKEN, EXAMPLE_SCENARIO, EXAMPLE_WORKLOAD, renderFormatDocs } from '../../server/tools/gen-format-docs.ts';
import { PROBLEM_CODES } from '../../server/engine/scenario/problems.ts';
import { FAULT_KINDS } from '../../server/engine/faults/schema.ts';
import { ACTION_KINDS } from '../../server/engine/actions/schema.ts';
import { loadLibrary } from '../../server/engine/scenario/library.ts';

describe('docs/scenario-format.md', () => {
  const doc = readFileSync(DOC_PATH, 'utf8');

  it('is what the generator writes (run `npx tsx server/tools/gen-format-docs.ts` after changing a schema)', () => {
    expect(doc === renderFormatDocs()).toBe(true);
  });

  it('lists every problem code of the registry with its meaning', () => {
    const listed = [...doc.matchAll(/^\| `([a-z]+\/[a-z-]+)` \| /gm)].map((m) => m[1]);
    expect(listed).toEqual(Object.keys(PROBLEM_CODES));
  });

  it('has a section for each of the 15 fault kinds and 27 actions', () => {
    const faults = [...doc.matchAll(/^### fault: (\S+)$/gm)].map((m) => m[1]);
    const actions = [...doc.matchAll(/^### action: (\S+)$/gm)].map((m) => m[1]);
    expect(faults).toEqual([...FAULT_KINDS]);
    expect(faults.length).toBe(15);
    expect(actions).toEqual([...ACTION_KINDS]);
    expect(actions.length).toBe(27);
  });

  it('shows the default resolvers of the fault catalog', () => {
    expect(doc).toContain('| [`cache-failure`](#fault-cache-failure) | the cache is down; every read hits the origin | `restore-cache` |');
    expect(doc).toContain('| [`dependency-outage`](#fault-dependency-outage) | a dependency stops answering (degrade with a feature flag) | — (give `resolvedBy` or `duration`) |');
  });

  it('has a worked example that is valid, and a broken version whose output it shows', () => {
    const wl = { path: 'scenarios/workloads/tiny.workload.yaml', text: EXAMPLE_WORKLOAD };
    expect(loadLibrary([wl, { path: 'scenarios/tiny-bad-deploy.scenario.yaml', text: EXAMPLE_SCENARIO }]).problems).toEqual([]);
    const broken = loadLibrary([wl, { path: 'scenarios/tiny-bad-deploy.scenario.yaml', text: EXAMPLE_BROKEN }]).problems;
    expect(broken.map((p) => [p.line, p.field, p.code])).toEqual([[34, 'expectations.escalation.sevrity', 'schema/unknown-field']]);
    expect(doc).toContain(
      'scenarios/tiny-bad-deploy.scenario.yaml:34:5 expectations.escalation.sevrity: unknown field "sevrity" (did you mean "severity"?) [schema/unknown-field]\n1 problem in 1 file',
    );
    expect(doc).toContain('scenarios/tiny-bad-deploy.scenario.yaml:15:7 timeline[0].inject.service: unknown service "api-server" (expected one of: api, db) [ref/unknown-service]');
  });
});
