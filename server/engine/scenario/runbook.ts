// Runbooks are Markdown files a person can read and the engine can execute step by step:
//
//   ---
//   id: orders-latency
//   title: Orders latency is high
//   services: [orders, postgres-main]
//   ---
//   # Orders latency is high
//   ## 1. Check recent deploys
//   `check: deploys orders`
//   ## 2. Roll back the last deploy
//   `run: rollback service=orders`
//
// Each `## N. Title` heading is a step; a step has at most one directive: a line that is only
// `run: <action> key=value …` or `check: <what> …` in backticks. Problems name the step as
// `step[N]` (N is the step's number, not its position).
import Type, { type Static } from 'typebox';
import Value from 'typebox/value';
import { Id, METRICS, type MetricName } from '../schema-common.ts';
import { ACTION_KINDS, ACTION_VARIANTS, type ActionSpec } from '../actions/schema.ts';
import type { Path, Position, Problem, ProblemCode } from './problems.ts';
import { didYouMean, suggestion } from './problems.ts';
import { schemaProblems } from './schema-errors.ts';
import { MAX_FILE_BYTES, parseYaml, tooLargeProblem, utf8LengthExceeds } from './yaml.ts';

export const CHECK_KINDS = ['deploys', 'logs', 'metric', 'audit', 'alerts'] as const;
export type CheckKind = (typeof CHECK_KINDS)[number];

export const RunbookFrontMatter = Type.Object(
  {
    id: Id,
    title: Type.String({ minLength: 1, maxLength: 120 }),
    services: Type.Optional(Type.Array(Id, { maxItems: 32, description: 'Services the runbook is about.' })),
    tags: Type.Optional(Type.Array(Id, { maxItems: 16 })),
  },
  { additionalProperties: false, description: 'The YAML block between `---` lines at the top of a runbook.' },
);
export type RunbookFrontMatterSpec = Static<typeof RunbookFrontMatter>;

export type RunbookDirective =
  | { type: 'run'; action: ActionSpec; line: number }
  | { type: 'check'; what: CheckKind; service?: string; metric?: MetricName; line: number };

export interface RunbookStep {
  /** The number in the heading, 1-based. */
  n: number;
  title: string;
  /** Line of the heading. */
  line: number;
  directive?: RunbookDirective;
  /** The step's Markdown, without its heading and directive line. */
  body: string;
}

export interface Runbook {
  id: string;
  title: string;
  services: string[];
  steps: RunbookStep[];
  file: string;
  /** Where the front matter's `id` and each of its `services` are written, for later problems. */
  positions: { id: Position; services: Position[] };
}

export interface ParsedRunbook {
  /** Undefined when the front matter is missing or invalid (the runbook has no usable id). */
  runbook: Runbook | undefined;
  problems: Problem[];
}

const STEP_HEADING = /^##\s+(.*?)\s*#*\s*$/;
const STEP_TITLE = /^(\d+)\.\s+(\S.*)$/;
const DIRECTIVE = /^`\s*(run|check):\s*([^`]*?)\s*`$/;
const FENCE = /^(```|~~~)/;

/**
 * Parses a runbook's Markdown.
 * parseRunbook(text, 'scenarios/runbooks/orders-latency.md').runbook.steps[1].directive
 *   → { type: 'run', action: { action: 'rollback', service: 'orders' }, line: 12 }
 */
export function parseRunbook(text: string, file: string): ParsedRunbook {
  const problems: Problem[] = [];
  const add = (line: number, column: number, field: string, code: ProblemCode, message: string) =>
    problems.push({ file, line, column, field, message, code });

  if (typeof text !== 'string') {
    add(1, 1, '', 'runbook/front-matter', 'file content is not text');
    return { runbook: undefined, problems };
  }
  if (utf8LengthExceeds(text, MAX_FILE_BYTES)) return { runbook: undefined, problems: [tooLargeProblem(file)] };

  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  let front: RunbookFrontMatterSpec | undefined;
  let positions: Runbook['positions'] = { id: { line: 1, column: 1 }, services: [] };
  let bodyStart = 0;

  if (lines[0]?.trim() === '---') {
    const close = lines.findIndex((l, i) => i > 0 && (l.trim() === '---' || l.trim() === '...'));
    if (close < 0) {
      add(1, 1, '', 'runbook/front-matter', 'the front matter is not closed: add a `---` line after it');
      bodyStart = lines.length;
    } else {
      bodyStart = close + 1;
      // a leading newline keeps line numbers equal to the file's (the front matter starts on line 2)
      const parsed = parseYaml('\n' + lines.slice(1, close).join('\n'), file);
      problems.push(...parsed.problems);
      if (parsed.value !== undefined) {
        const schema = schemaProblems(RunbookFrontMatter, parsed.value, file, (path: Path) =>
          path.length === 0 ? { line: 1, column: 1 } : parsed.locate(path),
        );
        problems.push(...schema);
        if (schema.length === 0) {
          front = parsed.value as RunbookFrontMatterSpec;
          positions = { id: parsed.locate(['id']), services: (front.services ?? []).map((_, k) => parsed.locate(['services', k])) };
        }
      } else if (parsed.problems.length === 0) {
        add(1, 1, '', 'runbook/front-matter', 'the front matter is empty: it needs `id`, `title` and `services`');
      }
    }
  } else {
    add(1, 1, '', 'runbook/front-matter', 'missing front matter: start the file with a `---` line, `id: …`, `title: …`, `services: […]`, then `---`');
  }

  const steps: RunbookStep[] = [];
  const stepLine = new Map<number, number>();
  let current: (RunbookStep & { bodyLines: string[]; directiveLine?: number }) | undefined;
  let fence: string | undefined;
  let skipping = false;
  const finish = () => {
    if (!current) return;
    const { bodyLines, directiveLine: _, ...step } = current;
    step.body = bodyLines.join('\n').trim();
    steps.push(step);
  };

  for (let i = bodyStart; i < lines.length; i++) {
    const raw = lines[i];
    const lineNo = i + 1;
    const trimmed = raw.trim();
    const fenceMatch = FENCE.exec(trimmed);
    if (fence !== undefined) {
      if (fenceMatch && fenceMatch[1] === fence) fence = undefined;
      current?.bodyLines.push(raw);
      continue;
    }
    if (fenceMatch) {
      fence = fenceMatch[1];
      current?.bodyLines.push(raw);
      continue;
    }
    const heading = /^##(?!#)/.test(raw) ? STEP_HEADING.exec(raw) : null;
    if (heading) {
      const m = STEP_TITLE.exec(heading[1]);
      const n = m ? Number(m[1]) : NaN;
      if (!m || !Number.isInteger(n) || n < 1 || n > 100) {
        const why = m ? 'step numbers run from 1 to 100' : 'a step heading is `## N. Title`, e.g. `## 2. Roll back the last deploy`';
        add(lineNo, 1, '', 'runbook/step-heading', `"${truncate(trimmed)}" is not a step: ${why}`);
        // what follows belongs to the broken heading, not to the step before it
        finish();
        current = undefined;
        skipping = true;
        continue;
      }
      finish();
      skipping = false;
      if (stepLine.has(n)) {
        add(lineNo, 1, `step[${n}]`, 'duplicate/step', `step ${n} is already defined on line ${stepLine.get(n)}`);
      } else stepLine.set(n, lineNo);
      current = { n, title: m[2].trim(), line: lineNo, body: '', bodyLines: [] };
      continue;
    }
    const directive = DIRECTIVE.exec(trimmed);
    if (directive) {
      const column = raw.indexOf('`') + 1;
      if (skipping) continue;
      if (!current) {
        add(lineNo, column, '', 'runbook/stray-directive', 'a directive before the first step; put it under a `## N. Title` heading');
        continue;
      }
      if (current.directiveLine !== undefined) {
        add(lineNo, column, `step[${current.n}]`, 'runbook/multiple-directives', `step ${current.n} already has a directive on line ${current.directiveLine}; split it into two steps`);
        continue;
      }
      current.directiveLine = lineNo;
      // `column` is 1-based, so slicing from it starts just after the backtick
      const argsColumn = column + 1 + raw.slice(column).indexOf(directive[2]);
      const parsed =
        directive[1] === 'run'
          ? parseRun(directive[2], current.n, lineNo, argsColumn, file, problems)
          : parseCheck(directive[2], current.n, lineNo, argsColumn, file, problems);
      if (parsed) current.directive = parsed;
      continue;
    }
    current?.bodyLines.push(raw);
  }
  finish();

  if (steps.length === 0) {
    add(Math.min(bodyStart + 1, Math.max(lines.length, 1)), 1, '', 'runbook/no-steps', 'the runbook has no steps: add headings like `## 1. Check recent deploys`');
  }

  const runbook = front ? { id: front.id, title: front.title, services: front.services ?? [], steps, file, positions } : undefined;
  return { runbook, problems };
}

function truncate(s: string, n = 60): string {
  return s.length > n ? s.slice(0, n) + '…' : s;
}

interface Token {
  text: string;
  column: number;
}

/** Splits on spaces; `"…"` keeps spaces inside a value (`text="all good"`). */
function tokenize(s: string, column: number): Token[] {
  const out: Token[] = [];
  const re = /(?:[^\s"]+|"(?:[^"\\]|\\.)*")+/g;
  for (const m of s.matchAll(re)) out.push({ text: m[0], column: column + (m.index ?? 0) });
  return out;
}

function unquote(s: string): string {
  if (s.length >= 2 && s.startsWith('"') && s.endsWith('"')) return s.slice(1, -1).replace(/\\(.)/g, '$1');
  return s;
}

type PropSchema = { type?: string; anyOf?: unknown[] };

/** Turns `count=3` into 3 and `enabled=false` into false where the action's schema wants them. */
function coerce(prop: PropSchema | undefined, raw: string): unknown {
  if (!prop) return raw;
  if ((prop.type === 'number' || prop.type === 'integer') && /^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  if (prop.type === 'boolean' && (raw === 'true' || raw === 'false')) return raw === 'true';
  if (prop.type === 'array') return raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  return raw;
}

function parseRun(args: string, n: number, line: number, column: number, file: string, problems: Problem[]): RunbookDirective | undefined {
  const field = `step[${n}].run`;
  const tokens = tokenize(args, column);
  const add = (col: number, f: string, code: ProblemCode, message: string) => problems.push({ file, line, column: col, field: f, message, code });
  if (tokens.length === 0) {
    add(column, field, 'runbook/unknown-action', `\`run:\` needs an action, e.g. \`run: rollback service=orders\``);
    return undefined;
  }
  const [name, ...params] = tokens;
  const variant = ACTION_VARIANTS.find((v) => (v.properties.action as { const: string }).const === name.text);
  if (!variant) {
    add(name.column, `${field}.action`, 'runbook/unknown-action', `unknown action "${truncate(name.text)}"${suggestion(name.text, ACTION_KINDS as string[], 30)}`);
    return undefined;
  }
  const props = variant.properties as Record<string, PropSchema>;
  const action: Record<string, unknown> = { action: name.text };
  const columns = new Map<string, number>();
  let ok = true;
  for (const token of params) {
    const eq = token.text.indexOf('=');
    if (eq <= 0) {
      const hint = didYouMean(token.text, Object.keys(props)) ? '' : ` (the parameters of ${name.text} are: ${Object.keys(props).filter((k) => k !== 'action').join(', ') || 'none'})`;
      add(token.column, field, 'runbook/bad-params', `expected key=value, got "${truncate(token.text)}"${hint}`);
      ok = false;
      continue;
    }
    const key = token.text.slice(0, eq);
    if (columns.has(key) || key === 'action') {
      add(token.column, `${field}.${key}`, 'runbook/bad-params', key === 'action' ? 'the action is the first word; `action=` is not a parameter' : `"${key}" is given twice`);
      ok = false;
      continue;
    }
    columns.set(key, token.column);
    action[key] = coerce(props[key], unquote(token.text.slice(eq + 1)));
  }
  if (!ok) return undefined;
  const locate = (path: Path): Position => {
    const key = path[3];
    return { line, column: typeof key === 'string' ? (columns.get(key) ?? column) : column };
  };
  const schema = schemaProblems(variant, action, file, locate, ['step', n, 'run']);
  problems.push(...schema);
  if (schema.length > 0 || !Value.Check(variant, action)) return undefined;
  return { type: 'run', action: action as ActionSpec, line };
}

const ID = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

function parseCheck(args: string, n: number, line: number, column: number, file: string, problems: Problem[]): RunbookDirective | undefined {
  const field = `step[${n}].check`;
  const tokens = tokenize(args, column);
  const add = (col: number, code: ProblemCode, message: string) => problems.push({ file, line, column: col, field, message, code });
  const usage: Record<CheckKind, string> = {
    deploys: '`check: deploys <service>`',
    logs: '`check: logs <service>`',
    metric: '`check: metric <service> <metric>`',
    audit: '`check: audit`',
    alerts: '`check: alerts`',
  };
  if (tokens.length === 0) {
    add(column, 'runbook/unknown-check', `\`check:\` needs what to check: one of ${CHECK_KINDS.join(', ')}`);
    return undefined;
  }
  const what = tokens[0].text;
  if (!(CHECK_KINDS as readonly string[]).includes(what)) {
    add(tokens[0].column, 'runbook/unknown-check', `unknown check "${truncate(what)}"${suggestion(what, CHECK_KINDS)}`);
    return undefined;
  }
  const kind = what as CheckKind;
  const rest = tokens.slice(1);
  const arity = kind === 'metric' ? 2 : kind === 'deploys' || kind === 'logs' ? 1 : 0;
  if (rest.length !== arity) {
    add(tokens[0].column, 'runbook/bad-check', `wrong number of arguments: write ${usage[kind]}`);
    return undefined;
  }
  if (arity === 0) return { type: 'check', what: kind, line };
  const service = rest[0].text;
  if (!ID.test(service)) {
    add(rest[0].column, 'runbook/bad-check', `invalid service id "${truncate(service)}": write ${usage[kind]}`);
    return undefined;
  }
  if (kind !== 'metric') return { type: 'check', what: kind, service, line };
  const metric = rest[1].text;
  if (!(METRICS as readonly string[]).includes(metric)) {
    add(rest[1].column, 'runbook/bad-check', `unknown metric "${truncate(metric)}"${suggestion(metric, METRICS, 20)}`);
    return undefined;
  }
  return { type: 'check', what: kind, service, metric: metric as MetricName, line };
}
