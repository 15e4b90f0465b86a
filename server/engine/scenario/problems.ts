// Problems found in scenario, workload and runbook files: values, never exceptions.
// Every problem carries a stable code from PROBLEM_CODES, so tests, docs and tools can rely on it.

/**
 * The registry of problem codes and what each means. `docs/scenario-format.md` lists it, and
 * `test/unit/docs.test.ts` keeps the two in step. Add a code here before using it anywhere.
 */
export const PROBLEM_CODES = {
  // reading the file
  'io/not-found': 'The file does not exist.',
  'io/read-error': 'The file could not be read.',
  'library/unclassified': 'A file in the library is neither `*.scenario.yaml`, `*.workload.yaml` nor a runbook (`runbooks/*.md`).',
  'limits/too-large': 'The file is over 1 MiB; it is refused without being parsed.',
  'limits/too-deep': 'The file nests deeper than 64 levels; it is refused before being parsed.',
  'limits/too-many-nodes': 'The file has more than 20 000 lines and list separators (a scenario has a few hundred); it is refused before being parsed, so that checking it cannot take seconds.',
  'limits/too-many-problems': 'The file has so many problems that the rest are not listed.',
  // YAML
  'yaml/syntax': 'The text is not valid YAML (or uses a YAML feature firedrill refuses, such as several documents in one file).',
  'yaml/duplicate-key': 'A key appears twice in the same mapping.',
  'yaml/alias-limit': 'Too many alias expansions (`*name`): refused as an entity-expansion ("billion laughs") attack.',
  'yaml/forbidden-key': 'A key named `__proto__`, `constructor` or `prototype`: refused everywhere.',
  'yaml/complex-key': 'A mapping key that is a list, a mapping or an alias; keys must be plain text.',
  'yaml/empty': 'The file holds no document.',
  // shape (the schema)
  'schema/type': 'A value has the wrong type (e.g. text where a number belongs, a list where an object belongs).',
  'schema/required': 'A required field is missing.',
  'schema/unknown-field': 'A field the format does not know (often a typo; the message suggests the closest name).',
  'schema/enum': 'A value is not one of the allowed words.',
  'schema/unknown-variant': 'An unknown fault `kind` or `action` name.',
  'schema/range': 'A number is out of its allowed range.',
  'schema/size': 'A text is too long or too short, or a list has too many or too few items.',
  'schema/pattern': 'A text does not have the required form (e.g. an identifier with a space).',
  'schema/duration': 'A duration is neither a number of seconds nor a string with units like `90s`, `5m`, `1h30m`.',
  'schema/invalid': 'A value does not match the format in some other way.',
  // references between things
  'ref/unknown-workload': 'The scenario names a workload that is not in the library.',
  'ref/workload-invalid': 'The scenario\u2019s workload has problems of its own, so references into it were not checked.',
  'ref/unknown-scenario': 'No scenario with that id or path.',
  'ref/unknown-service': 'A service that the workload does not define.',
  'ref/unknown-team': 'An on-call team that the workload does not define.',
  'ref/unknown-runbook': 'A runbook that is not in the library.',
  'ref/unknown-alert': 'An alert rule that neither the workload nor the scenario defines.',
  'ref/unknown-hint': 'A hint that the scenario does not define.',
  'ref/unknown-branch': 'A branch that the scenario does not define.',
  'ref/unknown-fault': 'A fault id that no timeline entry or branch injects.',
  'ref/unknown-flag': 'A feature flag that the service does not have (see the service\u2019s `flags`).',
  'ref/unknown-step': 'A runbook step number that the runbook does not have.',
  'ref/unknown-zone': 'An availability zone that the workload does not have (see `zones`; default `a`, `b`, `c`).',
  'ref/unknown-dependency': 'A service that is not a dependency of the faulty service.',
  // duplicates
  'duplicate/service': 'Two services with the same id.',
  'duplicate/team': 'Two on-call teams with the same id.',
  'duplicate/alert': 'Two alert rules with the same id (scenario alerts share the namespace of workload alerts).',
  'duplicate/slo': 'Two SLOs with the same id.',
  'duplicate/branch': 'Two branches with the same id.',
  'duplicate/hint': 'Two hints with the same id.',
  'duplicate/fault': 'Two injected faults with the same id (timeline and branches share one namespace).',
  'duplicate/step': 'Two runbook steps with the same number.',
  'duplicate/workload': 'Two workload files with the same id.',
  'duplicate/scenario': 'Two scenario files with the same id.',
  'duplicate/runbook': 'Two runbooks with the same id.',
  // the workload
  'workload/dependency-cycle': 'Services depend on each other in a cycle; requests would never finish.',
  'workload/cache-miss': '`onCacheMissOf` must name a service of kind `cache` that the caller also depends on.',
  // the scenario
  'timeline/past-end': 'A time (timeline entry, hint, `notMitigatedBy`, `notDone.by`) at or past the scenario `duration`, or a stop `at` past it: it can never happen.',
  'timeline/entry-shape': 'A timeline entry must have exactly one of `inject`, `message`, `event`.',
  'branch/trigger-shape': 'A branch `when` must have exactly one of `action`, `metric`, `notMitigatedBy`, `notDone`, `after`.',
  'branch/consequence-shape': 'Each item of a branch `then` must have exactly one of `inject`, `message`, `trap`, `hint`, `end`, `event`.',
  'branch/after-cycle': 'Branches wait for each other (`after:`) in a cycle; none of them can fire.',
  'branch/unreachable': 'A branch can never fire (it waits for an unreachable branch, or its action trigger names something that does not exist).',
  'stop/when-shape': 'A stop condition `when` must have exactly one of `metric`, `at`.',
  'metric/impossible': 'A metric condition that can never hold (e.g. `error_rate > 1`, `cache_hit_ratio` of a service that is not a cache).',
  'fault/unresolvable': 'Nothing can clear the fault: no `resolvedBy`, no default remediation for its kind that applies to its service, and no `duration`.',
  'fault/resolver-inapplicable': 'A `resolvedBy` action cannot apply to its service (e.g. `restore-cache` on a service that is not a cache).',
  'fault/service-kind': 'The fault kind does not apply to the kind of service (e.g. `cache-failure` on a database).',
  'module/shape': 'A TypeScript scenario module must `export default { scenario, machine? }` (see docs/scenario-format.md).',
  'module/load-error': 'A TypeScript scenario module could not be loaded (it threw, or does not compile).',
  'module/machine': 'The machine of a TypeScript scenario module is not an XState machine, or fails when it receives TICK and ACTION events.',
  'scoreability/perfect-unresolved': 'The perfect bot (which knows the answer) could not resolve the scenario: an expectation or resolver cannot be met.',
  'scoreability/perfect-low': 'The perfect bot resolves the scenario but scores under 90: some expectation is out of reach (the message names the costliest ones).',
  'scoreability/idle-high': 'A team that does nothing scores over 20: the scenario rewards doing nothing (the message names the findings that give the points).',
  'rootcause/unreachable': 'A root-cause fault is injected only by branches that can never fire.',
  // runbooks
  'runbook/front-matter': 'The runbook\u2019s front matter (`---` id, title, services `---`) is missing or wrong.',
  'runbook/no-steps': 'The runbook has no `## N. Title` step.',
  'runbook/step-heading': 'A `##` heading that is not a step (`## N. Title`).',
  'runbook/unknown-action': 'A `run:` directive names an action that does not exist.',
  'runbook/bad-params': 'A `run:` directive has a parameter that is not `key=value`, or one given twice.',
  'runbook/unknown-check': 'A `check:` directive names a check that does not exist (deploys, logs, metric, audit, alerts).',
  'runbook/bad-check': 'A `check:` directive has the wrong arguments.',
  'runbook/multiple-directives': 'A step has more than one directive line.',
  'runbook/stray-directive': 'A directive line before the first step.',
} as const;

export type ProblemCode = keyof typeof PROBLEM_CODES;

export interface Problem {
  /** The file as the user named it, e.g. `scenarios/orders-latency.scenario.yaml`. */
  file: string;
  /** 1-based; 1 when the problem is about the whole file. */
  line: number;
  /** 1-based. */
  column: number;
  /** Where in the document, e.g. `timeline[2].inject.service`; empty for the whole file. */
  field: string;
  message: string;
  code: ProblemCode;
}

export interface Position {
  line: number;
  column: number;
}

export type Path = readonly (string | number)[];

/** Finds where a path into a document is written; see `parseYaml`. */
export type Locate = (path: Path) => Position;

/**
 * formatProblem(p) → `scenarios/x.scenario.yaml:12:7 timeline[2].inject.service: unknown service "ordrs" (did you mean "orders"?) [ref/unknown-service]`
 */
export function formatProblem(p: Problem): string {
  const where = `${p.file}:${p.line}:${p.column}`;
  return p.field ? `${where} ${p.field}: ${p.message} [${p.code}]` : `${where} ${p.message} [${p.code}]`;
}

const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** Keys from a file are shown at most this long in fields and messages (a crafted key can be 1 MiB). */
const MAX_SHOWN_KEY = 60;

/** A key from a file, quoted and shortened for a message: `"ordrs"`, `"xxxx…"`. */
export function describeKey(key: string): string {
  return JSON.stringify(key.length > MAX_SHOWN_KEY ? key.slice(0, MAX_SHOWN_KEY) + '…' : key);
}

/** fieldOf(['timeline', 2, 'inject', 'service']) === 'timeline[2].inject.service' */
export function fieldOf(path: Path): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (PLAIN_KEY.test(seg) && seg.length <= MAX_SHOWN_KEY) out += out ? `.${seg}` : seg;
    else out += `[${describeKey(seg)}]`;
  }
  return out;
}

/** Orders problems by file, line, column, keeping the order of equal positions. */
export function sortProblems(problems: Problem[]): Problem[] {
  return problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) =>
      a.p.file < b.p.file ? -1 : a.p.file > b.p.file ? 1 : a.p.line - b.p.line || a.p.column - b.p.column || a.i - b.i,
    )
    .map((x) => x.p);
}

/** Builds problems for one file: `at(path, code, message)` locates and names the field. */
export function problemSink(file: string, locate: Locate, out: Problem[] = []) {
  return {
    problems: out,
    at(path: Path, code: ProblemCode, message: string): void {
      const { line, column } = locate(path);
      out.push({ file, line, column, field: fieldOf(path), message, code });
    },
  };
}
export type ProblemSink = ReturnType<typeof problemSink>;

function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}

/**
 * The candidate closest to `word`, if it is close enough to be a likely typo.
 * didYouMean('ordrs', ['orders', 'payments']) === 'orders'
 */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  if (word.length > 100) return undefined;
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    if (c.length > 100) continue;
    const d = editDistance(lower, c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  if (best === undefined) return undefined;
  // a suggestion must keep part of the word: "d" is not a typo of "a"
  const allowed = Math.min(Math.max(2, Math.floor(Math.max(word.length, best.length) / 3)), word.length - 1);
  return bestDistance <= allowed ? best : undefined;
}

/** ` (did you mean "orders"?)`, or ` (expected one of: a, b, c)`, or '' — for appending to a message. */
export function suggestion(word: string, candidates: readonly string[], listUpTo = 12): string {
  const close = didYouMean(word, candidates);
  if (close !== undefined) return ` (did you mean "${close}"?)`;
  if (candidates.length === 0) return '';
  const shown = candidates.slice(0, listUpTo).join(', ');
  return ` (expected one of: ${shown}${candidates.length > listUpTo ? ', …' : ''})`;
}

/** Shows a value from a file in a message, shortened: `"ordrs"`, `42`, `a list`. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing (null)';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return typeof value;
}
