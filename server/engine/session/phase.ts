// The life of a session: lobby → briefing → running ⇄ paused → ended, and halt from anywhere.
// A halt is latched: only an explicit RESUME leaves it.
import { setup } from 'xstate';

export type PhaseEvent =
  | { type: 'BRIEF' }
  | { type: 'START' }
  | { type: 'PAUSE' }
  | { type: 'RESUME' }
  | { type: 'HALT' }
  | { type: 'END' };

export const phaseMachine = setup({
  types: { events: {} as PhaseEvent },
}).createMachine({
  id: 'session-phase',
  initial: 'lobby',
  on: { END: '.ended' },
  states: {
    lobby: { on: { BRIEF: 'briefing', START: 'running', HALT: 'halted' } },
    briefing: { on: { START: 'running', HALT: 'halted' } },
    running: { on: { PAUSE: 'paused', HALT: 'halted' } },
    paused: { on: { RESUME: 'running', HALT: 'halted' } },
    halted: { on: { RESUME: 'running' } },
    ended: { type: 'final' },
  },
});
