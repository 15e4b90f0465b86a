// A responses file: a YAML list of timed inputs for a headless run, e.g.
//   - { at: 4m40s, action: acknowledge, alert: OrdersLatencyHigh }
//   - { at: 8m40s, team: blue, action: rollback, service: orders }
//   - { at: 20m, command: halt }
import Type from 'typebox';
import { Action, type ActionSpec } from '../actions/schema.ts';
import { Duration } from '../schema-common.ts';
import { parseDuration } from '../duration.ts';
import { parseYaml } from '../scenario/yaml.ts';
import { schemaProblems } from '../scenario/schema-errors.ts';
import { problemSink, type Problem } from '../scenario/problems.ts';
import type { Input } from './session.ts';

const COMMANDS = ['pause', 'resume', 'halt', 'end', 'release-hint', 'message'] as const;

const Command = Type.Object(
  {
    command: Type.Enum(COMMANDS),
    hint: Type.Optional(Type.String({ maxLength: 64 })),
    text: Type.Optional(Type.String({ maxLength: 1000 })),
    reason: Type.Optional(Type.String({ maxLength: 300 })),
  },
  { additionalProperties: false },
);

export interface ParsedResponses {
  inputs: Input[];
  problems: Problem[];
}

/** Parses and checks a responses file; `teams` are the session's team names. */
export function parseResponses(text: string, file: string, teams: string[]): ParsedResponses {
  const parsed = parseYaml(text, file);
  if (parsed.problems.length) return { inputs: [], problems: parsed.problems };
  const sink = problemSink(file, parsed.locate);
  const value = parsed.value ?? [];
  if (!Array.isArray(value)) {
    sink.at([], 'schema/type', 'a responses file is a list of timed actions, e.g. `- { at: 5m, action: acknowledge, alert: HighErrorRate }`');
    return { inputs: [], problems: sink.problems };
  }
  const inputs: Input[] = [];
  value.forEach((item: unknown, i: number) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      sink.at([i], 'schema/type', 'each item must be a mapping with `at` and `action` (or `command`)');
      return;
    }
    const { at, team, ...rest } = item as Record<string, unknown>;
    if (at === undefined) {
      sink.at([i], 'schema/required', 'missing `at` (when, e.g. `4m40s`)');
      return;
    }
    const atProblems = schemaProblems(Duration, at, file, parsed.locate, [i, 'at']);
    if (atProblems.length) {
      sink.problems.push(...atProblems);
      return;
    }
    const seconds = parseDuration(at as number | string);
    if (team !== undefined && (typeof team !== 'string' || !teams.includes(team))) {
      sink.at([i, 'team'], 'ref/unknown-team', `unknown team ${JSON.stringify(team)} (teams in this run: ${teams.join(', ')})`);
      return;
    }
    if ('command' in rest) {
      const problems = schemaProblems(Command, rest, file, parsed.locate, [i]);
      if (problems.length) {
        sink.problems.push(...problems);
        return;
      }
      const c = rest as { command: (typeof COMMANDS)[number]; hint?: string; text?: string; reason?: string };
      if (c.command === 'release-hint') {
        if (!c.hint) return sink.at([i], 'schema/required', '`release-hint` needs `hint`');
        inputs.push({ kind: 'facilitator', at: seconds, command: 'release-hint', hint: c.hint, team: team as string | undefined });
      } else if (c.command === 'message') {
        if (!c.text) return sink.at([i], 'schema/required', '`message` needs `text`');
        inputs.push({ kind: 'facilitator', at: seconds, command: 'message', text: c.text, team: team as string | undefined });
      } else if (c.command === 'halt' || c.command === 'end') {
        inputs.push({ kind: 'facilitator', at: seconds, command: c.command, reason: c.reason });
      } else {
        inputs.push({ kind: 'facilitator', at: seconds, command: c.command });
      }
      return;
    }
    if (!('action' in rest)) {
      sink.at([i], 'schema/required', 'missing `action` (or `command` for a facilitator command)');
      return;
    }
    const problems = schemaProblems(Action, rest, file, parsed.locate, [i]);
    if (problems.length) {
      sink.problems.push(...problems);
      return;
    }
    // Without `team`, every team gets the action: one script for all, so their runs compare.
    for (const t of team === undefined ? teams : [team as string]) inputs.push({ kind: 'action', at: seconds, team: t, action: rest as ActionSpec });
  });
  return { inputs, problems: sink.problems };
}
