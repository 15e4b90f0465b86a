// A scenario as a TypeScript module, for what YAML branches cannot say: here the search tier
// loses replicas in waves, every 4 minutes, for as long as the team has not mitigated.
//   npx firedrill validate scenarios/examples/typescript/search-waves.scenario.ts
//   npx firedrill run scenarios/examples/typescript/search-waves.scenario.ts
import { assign, emit, setup } from 'xstate';
import type { ScenarioModule } from '../../../server/engine/scenario/module.ts';
import type { ScenarioEmitted, ScenarioEvent } from '../../../server/engine/scenario/compile.ts';
import type { ScenarioSpec } from '../../../server/engine/scenario/schema.ts';

const scenario: ScenarioSpec = {
  id: 'search-waves',
  title: 'Search loses replicas in waves',
  summary: 'A bad kernel patch on the search nodes makes them crash, one wave every four minutes, until the patch is rolled back.',
  difficulty: 'medium',
  duration: '30m',
  objectives: ['Notice a pattern in repeated crashes', 'Roll back rather than restart'],
  tags: ['crash', 'typescript'],
  workload: 'shop',
  briefing: 'You are on call for shop. Search has been flaky since this morning.',
  timeline: [
    { at: '1m', inject: { id: 'search-wave-1', kind: 'crash', service: 'search', replicas: 1, resolvedBy: [{ action: 'rollback' }], description: 'The first search node panics in the new kernel module.' } },
  ],
  rootCause: { faults: ['search-wave-1'], summary: 'A kernel patch rolled out with the last search deploy crashes nodes under load.' },
  expectations: {
    detection: { alerts: ['SearchLatencyHigh'], services: ['search'] },
    escalation: { severity: 'SEV3' },
    mitigation: { within: '15m' },
  },
};

/** Emits a new crash wave every 4 minutes while the team has not mitigated. */
function machine(spec: ScenarioSpec) {
  const first = spec.timeline[0].inject!;
  return setup({
    types: { context: {} as { t: number; wave: number; lastWave: number }, events: {} as ScenarioEvent, emitted: {} as ScenarioEmitted },
    guards: {
      firstDue: ({ context }) => context.t >= 60,
      nextWaveDue: ({ context, event }) => event.type === 'TICK' && !event.mitigated && context.wave < 4 && context.t - context.lastWave >= 240,
    },
  }).createMachine({
    id: 'search-waves',
    context: { t: 0, wave: 0, lastWave: 0 },
    initial: 'calm',
    on: { TICK: { actions: assign({ t: ({ event }) => (event.type === 'TICK' ? event.t : 0) }) } },
    states: {
      calm: {
        always: {
          guard: 'firstDue',
          target: 'waves',
          actions: [assign({ wave: 1, lastWave: ({ context }) => context.t }), emit({ type: 'inject', fault: first, source: 'wave:1' })],
        },
      },
      waves: {
        on: {
          TICK: {
            guard: 'nextWaveDue',
            actions: [
              assign({ t: ({ event }) => event.t, wave: ({ context }) => context.wave + 1, lastWave: ({ event }) => event.t }),
              // Actions run in order: `wave` is already the new wave's number here.
              emit(({ context }) => ({
                type: 'inject' as const,
                fault: { ...first, id: `search-wave-${context.wave}`, replicas: context.wave, duration: 600, description: `Wave ${context.wave}: more search nodes panic.` },
                source: `wave:${context.wave}`,
              })),
            ],
          },
        },
      },
    },
  });
}

export default { scenario, machine } satisfies ScenarioModule;
