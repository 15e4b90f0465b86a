// Graduating scenarios: which faults of each shipped scenario map to which AWS FIS / Chaos Toolkit
// action, at which time (startAfter chains of aws:fis:wait; pauses), and what is listed unmapped.
import { beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { readLibrary } from '../../server/library/fs.ts';
import type { Library } from '../../server/engine/scenario/library.ts';
import { parseDuration } from '../../server/engine/duration.ts';
import { exportFis, type FisTemplate } from '../../server/learning/export-fis.ts';
import { exportChaosToolkit } from '../../server/learning/export-chaos.ts';
import { counterpartOf, isoDuration } from '../../server/learning/export-map.ts';
import { miniWorkload } from '../helpers/mini-workload.ts';

const LIB = fileURLToPath(new URL('../../scenarios/', import.meta.url));
let lib: Library;
beforeAll(async () => {
  lib = await readLibrary(LIB);
});

const spec = (id: string) => {
  const entry = lib.scenarios.get(id);
  if (!entry) throw new Error(`scenario ${id} is not in the library any more`);
  return { scenario: entry.spec, workload: lib.workloads.get(entry.spec.workload)! };
};

const seconds = (iso: string) => {
  const m = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$/.exec(iso)!;
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
};

/** When each FIS action starts, following startAfter (an action starts when all it waits for end). */
function startTimes(t: FisTemplate): Record<string, number> {
  const start: Record<string, number> = {};
  const end = (name: string): number => {
    const a = t.actions[name];
    if (!a) throw new Error(`startAfter names no action "${name}"`);
    const s = startOf(name);
    return s + (a.actionId === 'aws:fis:wait' ? seconds(a.parameters!.duration) : 0);
  };
  const startOf = (name: string): number => (start[name] ??= Math.max(0, ...(t.actions[name].startAfter ?? []).map(end)));
  for (const name of Object.keys(t.actions)) startOf(name);
  return start;
}

// Per shipped scenario: [fault, FIS action, Chaos Toolkit function, at (s)], the faults listed
// unmapped, and how many messages, audit events, branches and hints are listed with them.
const EXPECTED: Record<string, { mapped: [string, string, string, number][]; unmappedFaults: string[]; counts: { message: number; event: number; branch: number; hint: number }; stops: number }> = {
  'cache-stampede': { mapped: [['redis-cluster-down', 'aws:elasticache:replicationgroup-interrupt-az-power', 'reboot_cache_clusters', 120]], unmappedFaults: [], counts: { message: 2, event: 3, branch: 8, hint: 3 }, stops: 2 },
  'capacity-drain': {
    mapped: [['playback-drained', 'aws:ecs:stop-task', 'stop_random_tasks', 90], ['drm-drained', 'aws:ecs:stop-task', 'stop_random_tasks', 90]],
    unmappedFaults: ['kickoff-surge'],
    counts: { message: 1, event: 2, branch: 10, hint: 2 },
    stops: 4,
  },
  'config-push': { mapped: [], unmappedFaults: ['waf-ruleset-r4821'], counts: { message: 2, event: 2, branch: 7, hint: 2 }, stops: 4 },
  'connection-leak': { mapped: [], unmappedFaults: ['cart-merge-leak'], counts: { message: 2, event: 1, branch: 7, hint: 2 }, stops: 2 },
  'disk-full': { mapped: [], unmappedFaults: ['wal-retained-by-slot'], counts: { message: 2, event: 1, branch: 4, hint: 2 }, stops: 1 },
  'expired-cert': { mapped: [], unmappedFaults: ['payments-cert-expired'], counts: { message: 1, event: 1, branch: 6, hint: 2 }, stops: 1 },
  'friday-deploy': { mapped: [], unmappedFaults: ['orders-v2-14'], counts: { message: 1, event: 2, branch: 4, hint: 2 }, stops: 2 },
  'payments-provider-outage': { mapped: [['provider-timeouts', 'aws:network:disrupt-connectivity', 'send_command', 90]], unmappedFaults: [], counts: { message: 4, event: 2, branch: 6, hint: 2 }, stops: 2 },
  'retry-storm': { mapped: [['catalog-retry-storm', 'aws:ssm:send-command', 'send_command', 150]], unmappedFaults: ['catalog-v11-1-rights'], counts: { message: 2, event: 2, branch: 9, hint: 2 }, stops: 4 },
  'scraper-surge': { mapped: [], unmappedFaults: ['scalper-swarm'], counts: { message: 1, event: 2, branch: 7, hint: 2 }, stops: 2 },
  'slow-leak': { mapped: [], unmappedFaults: ['playback-v17-4-leak', 'kickoff-surge'], counts: { message: 1, event: 2, branch: 5, hint: 2 }, stops: 4 },
  'slow-query': { mapped: [], unmappedFaults: ['order-search-seqscan'], counts: { message: 1, event: 3, branch: 9, hint: 2 }, stops: 2 },
  'zone-partition': {
    mapped: ['zb-orders', 'zb-cart', 'zb-catalog', 'zb-payments'].map((f) => [f, 'aws:network:disrupt-connectivity', 'send_command', 120]),
    unmappedFaults: [],
    counts: { message: 3, event: 2, branch: 7, hint: 2 },
    stops: 2,
  },
};

describe('export of every shipped scenario', () => {
  for (const [id, want] of Object.entries(EXPECTED)) {
    it(`${id}: ${want.mapped.length} fault(s) mapped, ${want.unmappedFaults.length} listed unmapped`, () => {
      const { scenario, workload } = spec(id);
      const fis = exportFis(scenario, workload);
      const ctk = exportChaosToolkit(scenario, workload);
      const duration = parseDuration(scenario.duration);

      expect(fis.mapped.map((m) => [m.fault, m.action, m.at])).toEqual(want.mapped.map(([f, a, , at]) => [f, a, at]));
      expect(ctk.mapped.map((m) => [m.fault, m.action.split('.').pop(), m.at])).toEqual(want.mapped.map(([f, , c, at]) => [f, c, at]));

      const faultKinds = new Set(['message', 'event', 'branch', 'hint', 'stop']);
      expect(fis.unmapped.filter((u) => !faultKinds.has(u.kind)).map((u) => u.id)).toEqual(want.unmappedFaults);
      for (const kind of ['message', 'event', 'branch', 'hint'] as const) expect(fis.unmapped.filter((u) => u.kind === kind).length, kind).toBe(want.counts[kind]);
      // Every timeline entry is either mapped or listed; every branch and hint is listed.
      expect(fis.mapped.length + fis.unmapped.filter((u) => u.part.startsWith('timeline[')).length).toBe(scenario.timeline.length);
      expect(want.counts.branch).toBe(scenario.branches?.length ?? 0);

      // FIS: each fault starts at its time in the scenario, the waits reach its end, stop conditions are alarms.
      const t = fis.document;
      const starts = startTimes(t);
      for (const [fault, , , at] of want.mapped) expect(starts[fault], fault).toBe(at);
      expect(starts['wait-until-end'] + seconds(t.actions['wait-until-end'].parameters!.duration)).toBe(duration);
      expect(Object.values(t.actions).filter((a) => a.actionId !== 'aws:fis:wait').length).toBe(want.mapped.length);
      expect(t.stopConditions.length).toBe(want.stops);
      expect(t.stopConditions.every((s) => s.source === 'aws:cloudwatch:alarm' && s.value!.startsWith('arn:aws:cloudwatch:{{region}}:{{account-id}}:alarm:firedrill-'))).toBe(true);
      for (const a of Object.values(t.actions)) for (const name of Object.values(a.targets ?? {})) expect(t.targets[name], name).toBeDefined();
      expect(t.tags['firedrill:scenario']).toBe(id);
      expect(t.roleArn).toBe('arn:aws:iam::{{account-id}}:role/{{fis-experiment-role}}');

      // Chaos Toolkit: pauses put each action at its time; the last one is held to the end.
      const method = ctk.document.method;
      let clock = 0;
      for (const a of method) {
        clock += a.pauses?.before ?? 0;
        const w = want.mapped.find(([f]) => f === a.name);
        if (w) expect(clock, a.name).toBe(w[3]);
        clock += a.pauses?.after ?? 0;
      }
      expect(clock).toBe(duration);
      expect(ctk.document['steady-state-hypothesis'].probes.length).toBe((workload.slos ?? []).length);
      expect(ctk.document.extensions[0].unmapped.length).toBe(ctk.unmapped.length);
      // Metric guardrails cannot be stop conditions in Chaos Toolkit: they are listed too.
      expect(ctk.unmapped.filter((u) => u.kind === 'stop').length).toBe(want.stops - (workload.slos ?? []).length);
    });
  }
});

describe('the details of the mapping', () => {
  it('zone-partition: four subnet cuts in zone b at T+2m for the 38 minutes left', () => {
    const { document: t } = exportFis(...(Object.values(spec('zone-partition')) as [never, never]));
    expect(t.actions['wait-until-2m']).toEqual({ actionId: 'aws:fis:wait', description: 'T+2m', parameters: { duration: 'PT2M' } });
    expect(t.actions['zb-cart']).toEqual({
      actionId: 'aws:network:disrupt-connectivity',
      description: 'network-partition on cart at T+2m',
      parameters: { duration: 'PT38M', scope: 'all' },
      targets: { Subnets: 'cart-subnets-zone-b' },
      startAfter: ['wait-until-2m'],
    });
    expect(t.targets['cart-subnets-zone-b']).toEqual({ resourceType: 'aws:ec2:subnet', resourceTags: { Service: 'cart' }, selectionMode: 'ALL', filters: [{ path: 'AvailabilityZone', values: ['{{region}}b'] }] });
  });

  it('capacity-drain: 7 playback-api and 6 drm-license tasks stopped at T+1m30s', () => {
    const { document: t } = exportFis(...(Object.values(spec('capacity-drain')) as [never, never]));
    expect(t.targets['playback-api-tasks-7']).toEqual({ resourceType: 'aws:ecs:task', parameters: { cluster: '{{ecs-cluster}}', service: 'playback-api' }, selectionMode: 'COUNT(7)' });
    expect(t.targets['drm-license-tasks-6'].selectionMode).toBe('COUNT(6)');
    expect(t.actions['playback-drained'].startAfter).toEqual(['wait-until-1m30s']);
  });

  it('retry-storm: CPU stress at 55 % on catalog-api for the 42m30s left', () => {
    const { scenario, workload } = spec('retry-storm');
    const { document: t } = exportFis(scenario, workload);
    expect(t.actions['catalog-retry-storm'].parameters).toEqual({
      documentArn: 'arn:aws:ssm:{{region}}::document/AWSFIS-Run-CPU-Stress',
      documentParameters: JSON.stringify({ DurationSeconds: '2550', LoadPercent: '55', InstallDependencies: 'True' }),
      duration: 'PT42M30S',
    });
    const ctk = exportChaosToolkit(scenario, workload).document.method[0];
    expect(ctk.provider).toEqual({
      type: 'python', module: 'chaosaws.ssm.actions', func: 'send_command',
      arguments: { document_name: 'AWSFIS-Run-CPU-Stress', targets: [{ Key: 'tag:Service', Values: ['catalog-api'] }], parameters: { DurationSeconds: ['2550'], LoadPercent: ['55'], InstallDependencies: ['True'] } },
    });
    expect(ctk.pauses).toEqual({ before: 150, after: 2550 });
  });

  it('payments-provider-outage: the callers cut off from the provider for the fault\'s 30 minutes', () => {
    const { scenario, workload } = spec('payments-provider-outage');
    const fis = exportFis(scenario, workload);
    expect(fis.document.actions['provider-timeouts'].parameters).toEqual({ duration: 'PT30M', scope: 'prefix-list', prefixListIdentifier: '{{prefix-list:payment-provider}}' });
    expect(fis.placeholders).toEqual(['{{account-id}}', '{{fis-experiment-role}}', '{{prefix-list:payment-provider}}', '{{region}}']);
    const branch = fis.unmapped.find((u) => u.part === 'branch retry-pileup')!;
    expect(branch.reason).toContain('when impact is not mitigated by 12m');
    expect(branch.reason).toContain('injects payments-oom');
  });

  it('a scenario with nothing mappable still runs its length and observes its SLOs', () => {
    const { scenario, workload } = spec('friday-deploy');
    const fis = exportFis(scenario, workload).document;
    expect(Object.keys(fis.actions)).toEqual(['wait-until-end']);
    expect(fis.actions['wait-until-end'].parameters).toEqual({ duration: 'PT40M' });
    const ctk = exportChaosToolkit(scenario, workload);
    expect(ctk.document.method).toEqual([{ ...ctk.document['steady-state-hypothesis'].probes[0], name: 'nothing-to-inject-observe', pauses: { after: 2400 } }]);
    expect(ctk.unmapped.find((u) => u.id === 'orders-v2-14')!.reason).toMatch(/^a bad release is not injected by FIS/);
  });

  it('maps by the kind of service: a crash of a database fails over; a crash with a duration stops instances', () => {
    const w = miniWorkload();
    const db = w.services.find((s) => s.kind === 'database')!.id;
    const api = w.services.find((s) => s.kind === 'api')!.id;
    expect(counterpartOf({ id: 'x', kind: 'crash', service: db, replicas: 1 }, w, 60)).toEqual({ type: 'rds-failover', service: db });
    expect(counterpartOf({ id: 'x', kind: 'crash', service: api, replicas: 2, duration: '3m' }, w, 180)).toEqual({ type: 'ec2-stop-instances', service: api, count: 2, restartAfter: 180 });
    expect(counterpartOf({ id: 'x', kind: 'latency', service: api, ms: 250 }, w, 300)).toEqual({
      type: 'ssm', service: api, document: 'AWSFIS-Run-Network-Latency', parameters: { DelayMilliseconds: '250', DurationSeconds: '300', InstallDependencies: 'True' }, duration: 300,
    });
    expect(counterpartOf({ id: 'x', kind: 'disk-full', service: db, pctPerMinute: 5 }, w, 60)).toMatch(/^FIS cannot fill an RDS volume/);
    expect(counterpartOf({ id: 'x', kind: 'cpu-saturation', service: db, factor: 0.5 }, w, 60)).toBe(`FIS has no such action for a managed database (${db})`);
  });

  it('writes ISO 8601 durations', () => {
    expect([isoDuration(0), isoDuration(90), isoDuration(2550), isoDuration(3600), isoDuration(3725)]).toEqual(['PT0S', 'PT1M30S', 'PT42M30S', 'PT1H', 'PT1H2M5S']);
  });
});

describe('every scenario in the library, whatever it holds', () => {
  it('places every FIS action in time and lists every part it cannot map', () => {
    for (const [id, entry] of lib.scenarios) {
      const workload = lib.workloads.get(entry.spec.workload)!;
      const fis = exportFis(entry.spec, workload);
      const starts = startTimes(fis.document);
      for (const m of fis.plan.mapped) expect(starts[m.fault.id] ?? starts[`${m.fault.id}-${(m.counterpart as { services?: string[] }).services?.[0]}`], `${id} ${m.fault.id}`).toBe(m.at);
      expect(fis.mapped.length + fis.unmapped.filter((u) => u.part.startsWith('timeline[')).length, id).toBe(entry.spec.timeline.length);
      expect(fis.unmapped.filter((u) => u.kind === 'branch').length, id).toBe(entry.spec.branches?.length ?? 0);
      expect(fis.document.stopConditions.length, id).toBeLessThanOrEqual(5);
    }
  });
});

describe('firedrill export', () => {
  const run = async (...args: string[]) => {
    const { main } = await import('../../server/cli.ts');
    let out = '';
    let err = '';
    const code = await main(['export', ...args], { stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (err += t) } });
    return { code, out, err };
  };

  it('prints the FIS template, and on stderr what mapped, what did not and what to fill in', async () => {
    const { code, out, err } = await run('payments-provider-outage', '--format', 'fis');
    expect(code).toBe(0);
    const doc = JSON.parse(out) as FisTemplate;
    expect(doc.actions['provider-timeouts'].actionId).toBe('aws:network:disrupt-connectivity');
    expect(err).toContain('1 fault(s) mapped:\n  T+1m30s  provider-timeouts (dependency-outage on payment-provider) → aws:network:disrupt-connectivity\n');
    expect(err).toContain('14 part(s) not mapped:\n');
    expect(err).toContain('  branch retry-pileup (branch): conditional (when impact is not mitigated by 12m), injects payments-oom');
    expect(err).toContain('Fill in before running: {{account-id}}, {{fis-experiment-role}}, {{prefix-list:payment-provider}}, {{region}}\n');
  });

  it('writes --out, and with --json the whole answer', async () => {
    const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'firedrill-export-'));
    try {
      const file = join(dir, 'x.json');
      const { code, out, err } = await run('zone-partition', '--format', 'chaostoolkit', '--out', file, '--json');
      expect([code, out]).toEqual([0, '']);
      expect(err).toContain(`wrote ${file}\n4 fault(s) mapped:`);
      const body = JSON.parse(readFileSync(file, 'utf8'));
      expect(body.document.method.map((a: { name: string }) => a.name)).toEqual(['zb-orders', 'zb-cart', 'zb-catalog', 'zb-payments']);
      expect(body.unmapped.length).toBe(body.document.extensions[0].unmapped.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names what is wrong with its arguments', async () => {
    expect(await run('friday-deploy')).toMatchObject({ code: 2, err: expect.stringContaining('--format must be one of chaostoolkit, fis, got nothing') });
    expect(await run('friday-deploy', '--format', 'yaml')).toMatchObject({ code: 2, err: expect.stringContaining('--format must be one of chaostoolkit, fis, got "yaml"') });
    expect(await run('--format', 'fis')).toMatchObject({ code: 2, err: expect.stringContaining('export needs a scenario id or file') });
    const unknown = await run('fryday-deploy', '--format', 'fis');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('unknown scenario "fryday-deploy"');
  });
});
