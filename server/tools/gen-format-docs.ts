// Generates docs/scenario-format.md from the schemas, the fault catalog and the problem registry,
// so the reference can never drift from what the validator accepts.
//
//   npx tsx server/tools/gen-format-docs.ts           write docs/scenario-format.md
//   npx tsx server/tools/gen-format-docs.ts --check   exit 1 if the file is out of date
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TSchema } from 'typebox';
import { AlertRule, Dependency, OnCallTeam, Service, Slo, Traffic, Workload, EscalationLevel } from '../engine/workload/schema.ts';
import { AuditEvent, Branch, Consequence, Expectations, Hint, Scenario, StopCondition, TimelineEntry, Trigger, ActionMatch } from '../engine/scenario/schema.ts';
import { FAULT_VARIANTS, Fault } from '../engine/faults/schema.ts';
import { FAULT_CATALOG } from '../engine/faults/catalog.ts';
import { ACTION_VARIANTS, REMEDIATIONS, ResolverRef, Action } from '../engine/actions/schema.ts';
import { Duration, Id, METRICS, Metric, MetricCondition } from '../engine/schema-common.ts';
import { PROBLEM_CODES, formatProblem } from '../engine/scenario/problems.ts';
import { CHECK_KINDS, RunbookFrontMatter } from '../engine/scenario/runbook.ts';
import { loadLibrary } from '../engine/scenario/library.ts';

export const DOC_PATH = fileURLToPath(new URL('../../docs/scenario-format.md', import.meta.url));

type Schema = Record<string, unknown> & {
  type?: string;
  anyOf?: Schema[];
  enum?: unknown[];
  properties?: Record<string, Schema>;
  patternProperties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  const?: unknown;
  description?: string;
  title?: string;
  pattern?: string;
  default?: unknown;
};

const s = (x: TSchema) => x as unknown as Schema;

/** Schemas documented in their own section: a field of that type links there instead of being expanded. */
const NAMED: [Schema, string, string][] = [
  [s(Fault), 'fault', '#fault-kinds'],
  [s(Action), 'action', '#actions'],
  [s(AuditEvent), 'audit event', '#audit-event'],
  [s(TimelineEntry), 'timeline entry', '#timeline-entry'],
  [s(Branch), 'branch', '#branch'],
  [s(Trigger), 'trigger', '#trigger-when'],
  [s(ActionMatch), 'action match', '#action-match'],
  [s(Consequence), 'consequence', '#consequence-then'],
  [s(Hint), 'hint', '#hint'],
  [s(Expectations), 'expectations', '#expectations'],
  [s(StopCondition), 'stop condition', '#stop-condition'],
  [s(AlertRule), 'alert rule', '#alert-rule'],
  [s(MetricCondition), 'metric condition', '#metric-condition'],
  [s(Service), 'service', '#service'],
  [s(Dependency), 'dependency', '#dependency'],
  [s(Traffic), 'traffic', '#traffic'],
  [s(Slo), 'SLO', '#slo'],
  [s(OnCallTeam), 'team', '#on-call-team'],
  [s(EscalationLevel), 'escalation level', '#on-call-team'],
  [s(ResolverRef), 'resolver', '#resolver-resolvedby'],
  [s(Metric), 'metric', '#metrics'],
  [s(Duration), 'duration', '#durations'],
];

// TypeBox's Optional() copies a schema, so named schemas are recognised by their description.
function named(schema: Schema): [string, string] | undefined {
  for (const [n, label, anchor] of NAMED) {
    if (schema === n || (n.description !== undefined && schema.description === n.description)) return [label, anchor];
  }
  return undefined;
}

const ID_PATTERN = '^[A-Za-z][A-Za-z0-9_.-]{0,63}$';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

function range(schema: Schema): string {
  const lo = schema.minimum !== undefined ? `${schema.minimum}` : schema.exclusiveMinimum !== undefined ? `> ${schema.exclusiveMinimum}` : undefined;
  const hi = schema.maximum !== undefined ? `${schema.maximum}` : schema.exclusiveMaximum !== undefined ? `< ${schema.exclusiveMaximum}` : undefined;
  if (lo !== undefined && hi !== undefined && !lo.startsWith('>') && !hi.startsWith('<')) return ` ${lo}–${hi}`;
  if (lo !== undefined && hi !== undefined) return ` (${lo.startsWith('>') ? lo : `≥ ${lo}`}, ${hi.startsWith('<') ? hi : `≤ ${hi}`})`;
  if (lo !== undefined) return lo.startsWith('>') ? ` ${lo}` : ` ≥ ${lo}`;
  if (hi !== undefined) return hi.startsWith('<') ? ` ${hi}` : ` ≤ ${hi}`;
  return '';
}

function typeOf(schema: Schema, self?: Schema): string {
  const n = schema === self ? undefined : named(schema);
  if (n) return `[${n[0]}](${n[1]})`;
  if (Array.isArray(schema.anyOf) && schema.anyOf.every((v) => 'const' in v)) return schema.anyOf.map((v) => `\`${String(v.const)}\``).join(', ');
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => `\`${String(v)}\``).join(', ');
  if (Array.isArray(schema.anyOf)) return schema.anyOf.map((v) => typeOf(v)).join(' or ');
  if ('const' in schema) return `\`${String(schema.const)}\``;
  switch (schema.type) {
    case 'string':
      if (schema.pattern === ID_PATTERN) return '[id](#identifiers)';
      return `text${schema.maxLength !== undefined ? ` ≤ ${schema.maxLength} chars` : ''}`;
    case 'number':
      return `number${range(schema)}`;
    case 'integer':
      return `whole number${range(schema)}`;
    case 'boolean':
      return '`true` or `false`';
    case 'array': {
      const count =
        schema.minItems !== undefined && schema.maxItems !== undefined
          ? schema.minItems === schema.maxItems
            ? ` (exactly ${schema.minItems})`
            : ` (${schema.minItems}–${schema.maxItems})`
          : schema.maxItems !== undefined
            ? ` (≤ ${schema.maxItems})`
            : '';
      return `list of ${typeOf(schema.items!)}${count}`;
    }
    case 'object':
      if (schema.patternProperties) {
        const [, v] = Object.entries(schema.patternProperties)[0];
        return `map of [id](#identifiers) → ${typeOf(v)}`;
      }
      return 'object';
    default:
      return 'any';
  }
}

interface Row {
  name: string;
  type: string;
  required: boolean;
  default?: unknown;
  description: string;
}

/** Rows for an object's fields; unnamed nested objects are expanded in place as `a.b`, `a[].b`. */
function rows(schema: Schema, prefix = '', skip: readonly string[] = []): Row[] {
  const out: Row[] = [];
  const required = new Set(schema.required ?? []);
  for (const [name, prop] of Object.entries(schema.properties ?? {})) {
    if (skip.includes(name)) continue;
    const full = prefix + name;
    // the generic description of an id or a duration says nothing about this field; the type links to it
    const generic = prop.description === s(Id).description || (named(prop) !== undefined && prop.type !== 'object' && !(prop.type === 'array'));
    out.push({ name: full, type: typeOf(prop), required: required.has(name), default: prop.default, description: generic ? '' : (prop.description ?? '') });
    if (!named(prop)) {
      if (prop.type === 'object' && prop.properties) out.push(...rows(prop, full + '.'));
      if (prop.type === 'array' && prop.items?.type === 'object' && prop.items.properties && !named(prop.items)) out.push(...rows(prop.items, full + '[].'));
    }
  }
  return out;
}

function table(schema: Schema, skip: readonly string[] = []): string {
  const rs = rows(schema, '', skip);
  if (rs.length === 0) return '_No fields of its own._\n';
  const lines = ['| field | type | required | default | description |', '| --- | --- | --- | --- | --- |'];
  for (const r of rs) {
    const def = r.default === undefined ? '' : `\`${JSON.stringify(r.default)}\``;
    lines.push(`| \`${r.name}\` | ${cell(r.type)} | ${r.required ? 'yes' : 'no'} | ${def} | ${cell(r.description)} |`);
  }
  return lines.join('\n') + '\n';
}

function section(level: number, title: string, schema: Schema, intro?: string): string {
  const parts = [`${'#'.repeat(level)} ${title}\n`];
  const text = intro ?? schema.description;
  if (text) parts.push(text + '\n');
  parts.push(table(schema));
  return parts.join('\n');
}

const FAULT_COMMON = ['kind', 'id', 'service', 'description', 'ramp', 'duration', 'resolvedBy'];

function faultKinds(): string {
  const parts: string[] = [];
  parts.push('## Fault kinds\n');
  parts.push(
    'A fault is injected by a timeline entry or a branch (`inject:`). `kind` selects the shape; every kind has the common fields below, then its own. ' +
      'A fault stays active until a remediation in its `resolvedBy` (or, without one, the default for its kind) is applied to its service, or its `duration` passes.\n',
  );
  parts.push('### Common fields\n');
  const first = s(FAULT_VARIANTS[0]);
  const common: Schema = { ...first, properties: Object.fromEntries(FAULT_COMMON.map((k) => [k, first.properties![k]])) };
  parts.push(table(common).replace('| `kind` | `latency`', '| `kind` | one of the kinds below'));
  parts.push('\n### Summary\n');
  parts.push('| kind | what happens | cleared by default by |\n| --- | --- | --- |');
  for (const v of FAULT_VARIANTS) {
    const kind = (v.properties.kind as { const: string }).const as keyof typeof FAULT_CATALOG;
    const info = FAULT_CATALOG[kind];
    const by = info.resolvedBy.length ? info.resolvedBy.map((r) => `\`${r}\``).join(', ') : '— (give `resolvedBy` or `duration`)';
    parts.push(`| [\`${kind}\`](#fault-${kind}) | ${cell(info.summary)} | ${by} |`);
  }
  parts.push('');
  for (const v of FAULT_VARIANTS) {
    const kind = (v.properties.kind as { const: string }).const as keyof typeof FAULT_CATALOG;
    const info = FAULT_CATALOG[kind];
    parts.push(`### fault: ${kind}\n`);
    parts.push((s(v).description ?? '') + '\n');
    parts.push(
      info.resolvedBy.length
        ? `Cleared by default by: ${info.resolvedBy.map((r) => `\`${r}\``).join(', ')} on the fault's service.\n`
        : 'No default remediation: give it `resolvedBy` (for example a `toggle-flag` that degrades the feature) or a `duration`, or `firedrill validate` reports `fault/unresolvable`.\n',
    );
    parts.push(table(s(v), FAULT_COMMON));
  }
  parts.push(section(3, 'Resolver (`resolvedBy`)', s(ResolverRef), s(ResolverRef).description + ' `action` is one of the remediations: ' + REMEDIATIONS.map((r) => `\`${r}\``).join(', ') + '.'));
  return parts.join('\n');
}

function actions(): string {
  const parts: string[] = ['## Actions\n'];
  parts.push(
    'What responders do. The same shapes are used by the team console, bots, responses files (`firedrill run --responses`) and runbook `run:` directives. ' +
      'Every action may also carry `actor` (the display name of who did it). Remediations change the simulated system; workflow actions run the incident.\n',
  );
  parts.push('| action | kind | what it does |\n| --- | --- | --- |');
  for (const v of ACTION_VARIANTS) {
    const name = (v.properties.action as { const: string }).const;
    const kind = (REMEDIATIONS as readonly string[]).includes(name) ? 'remediation' : 'workflow';
    parts.push(`| [\`${name}\`](#action-${name}) | ${kind} | ${cell(s(v).description ?? '')} |`);
  }
  parts.push('');
  for (const v of ACTION_VARIANTS) {
    const name = (v.properties.action as { const: string }).const;
    parts.push(`### action: ${name}\n`);
    parts.push((s(v).description ?? '') + '\n');
    parts.push(table(s(v), ['action', 'actor']));
  }
  return parts.join('\n');
}

function runbooks(): string {
  return [
    '## Runbooks\n',
    'A runbook is a Markdown file under a `runbooks/` folder. People read it; the engine runs its steps (`run-step`) and scoring checks which steps a team ran. ' +
      'It starts with YAML front matter between `---` lines:\n',
    table(s(RunbookFrontMatter)),
    'Then free Markdown. Each `## N. Title` heading (N from 1 to 100, each number once) starts a step. A step may have **one directive**: a line that holds only a backticked `run:` or `check:`:\n',
    '| directive | what running the step does |\n| --- | --- |',
    '| `` `run: <action> key=value …` `` | performs the [action](#actions), e.g. `` `run: rollback service=orders` ``, `` `run: scale-out service=api count=2` ``, `` `run: toggle-flag service=web flag=recs enabled=false` ``. Values are converted to numbers and `true`/`false` where the action wants them; quote values with spaces (`text="all clear"`); lists are comma-separated (`services=orders,payments`). |',
    ...CHECK_KINDS.map((k) => {
      const usage = k === 'metric' ? 'check: metric <service> <metric>' : k === 'deploys' || k === 'logs' ? `check: ${k} <service>` : `check: ${k}`;
      const what: Record<string, string> = {
        deploys: "opens the service's deploy history",
        logs: "opens the service's logs",
        metric: "opens a chart of one of the service's [metrics](#metrics)",
        audit: 'opens the audit log (config pushes and operations)',
        alerts: 'opens the alert list',
      };
      return `| \`\` \`${usage}\` \`\` | ${what[k]} |`;
    }),
    '',
    'Everything else in a step (text, lists, code blocks) is its body, shown to the team. Headings and directives inside fenced code blocks are ignored. ' +
      'Problems in runbooks name the step by its number: `step[2].run.count` is the `count` parameter of step 2.\n',
    'Example:\n',
    '```markdown',
    '---',
    'id: api-latency',
    'title: API latency is high',
    'services: [api, db]',
    '---',
    '# API latency is high',
    '',
    '## 1. Check recent deploys',
    '`check: deploys api`',
    '',
    'A deploy in the hour before the alert is the first suspect.',
    '',
    '## 2. Roll back the last deploy',
    '`run: rollback service=api`',
    '```',
    '',
  ].join('\n');
}

function problemCodes(): string {
  const lines = ['## Problem codes\n', '`firedrill validate` prints one line per problem: `file:line:column field: message [code]`. The codes are stable; tools may rely on them.\n'];
  lines.push('| code | meaning |\n| --- | --- |');
  for (const [code, meaning] of Object.entries(PROBLEM_CODES)) lines.push(`| \`${code}\` | ${cell(meaning)} |`);
  lines.push('');
  return lines.join('\n');
}

export const EXAMPLE_WORKLOAD = `id: tiny
title: A tiny web shop
services:
  - id: api
    kind: api
    team: web
    replicas: 3
    capacityPerReplica: 100
    serviceTimeMs: 20
    previousVersion: v1.4.0
    dependencies:
      - { service: db }
  - id: db
    kind: database
    team: web
    replicas: 1
    capacityPerReplica: 800
    serviceTimeMs: 4
traffic:
  entry:
    - { service: api, rps: 150 }
alerts:
  - id: ApiLatencyHigh
    service: api
    metric: latency_p99_ms
    op: '>'
    threshold: 800
    for: 2m
    severity: critical
    route: web
    summary: api p99 latency above 800 ms
teams:
  - id: web
    name: Web team
    escalation:
      - { name: Sam (primary) }
      - { name: Alex (secondary), after: 5m }
`;

export const EXAMPLE_SCENARIO = `id: tiny-bad-deploy
title: A deploy slows the API
summary: A new api version adds 600 ms to every request; rolling back fixes it.
difficulty: easy
duration: 20m
objectives:
  - Connect a latency alert to the deploy that caused it.
workload: tiny
briefing: You are on call for the tiny web shop. It is a quiet afternoon.
timeline:
  - at: 2m
    inject:
      id: slow-release
      kind: bad-deploy
      service: api
      version: v1.5.0
      latencyMs: 600
      ramp: 1m
  - at: 6m
    message: 'Support: "Pages take forever to load."'
hints:
  - id: look-at-deploys
    at: 10m
    text: What changed on api shortly before the alert?
rootCause:
  faults: [slow-release]
  summary: v1.5.0 of api made an uncached query on every request.
expectations:
  detection:
    alerts: [ApiLatencyHigh]
    services: [api]
    ackWithin: 3m
  escalation:
    severity: SEV3
  mitigation:
    within: 10m
`;

/** The example, broken three ways: a typo in a service, a message after the end, a misspelt field. */
export const EXAMPLE_BROKEN = EXAMPLE_SCENARIO.replace('      service: api\n      version', '      service: api-server\n      version')
  .replace('  - at: 6m\n', '  - at: 25m\n')
  .replace('    severity: SEV3', '    sevrity: SEV3');

function example(): string {
  const wl = { path: 'scenarios/workloads/tiny.workload.yaml', text: EXAMPLE_WORKLOAD };
  const good = loadLibrary([wl, { path: 'scenarios/tiny-bad-deploy.scenario.yaml', text: EXAMPLE_SCENARIO }]);
  if (good.problems.length > 0) throw new Error('the worked example has problems:\n' + good.problems.map(formatProblem).join('\n'));
  const bad = loadLibrary([wl, { path: 'scenarios/tiny-bad-deploy.scenario.yaml', text: EXAMPLE_BROKEN }]);
  const files = new Set(bad.problems.map((p) => p.file)).size;
  const output = [
    '$ firedrill validate scenarios/tiny-bad-deploy.scenario.yaml',
    ...bad.problems.map(formatProblem),
    `${bad.problems.length} problem${bad.problems.length === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'}`,
  ];
  return [
    '## Worked example\n',
    'A small workload, `scenarios/workloads/tiny.workload.yaml`:\n',
    '```yaml',
    EXAMPLE_WORKLOAD.trimEnd(),
    '```\n',
    'A complete scenario on it, `scenarios/tiny-bad-deploy.scenario.yaml`. Two minutes in, a bad deploy of `api` ramps in over a minute; the `ApiLatencyHigh` alert fires; ' +
      'the default remediation of `bad-deploy` is `rollback`, so rolling `api` back clears the root cause:\n',
    '```yaml',
    EXAMPLE_SCENARIO.trimEnd(),
    '```\n',
    'The same scenario with three mistakes — `service: api-server` (no such service), the message moved to `at: 25m` (after the 20-minute end) and `sevrity:` misspelt — ' +
      'and what `firedrill validate` says (exit code 1). Shape problems are reported first; references and times are checked once the shape is right, so fixing `sevrity` would reveal the other two:\n',
    '```text',
    ...output,
    '```\n',
    'After fixing `sevrity`:\n',
    '```text',
    ...(() => {
      const second = loadLibrary([wl, { path: 'scenarios/tiny-bad-deploy.scenario.yaml', text: EXAMPLE_BROKEN.replace('sevrity:', 'severity:') }]);
      const n = second.problems.length;
      return ['$ firedrill validate scenarios/tiny-bad-deploy.scenario.yaml', ...second.problems.map(formatProblem), `${n} problem${n === 1 ? '' : 's'} in 1 file`];
    })(),
    '```\n',
  ].join('\n');
}

/** The whole document. Deterministic: same schemas, same bytes. */
const HOW_IT_RUNS = [
  '## How a scenario runs\n',
  'Each team plays its own copy of the workload, from the same seed, so teams are comparable. Every tick (one simulated second) the engine recomputes every service\u2019s metrics from its load, its faults and its dependencies — queueing near capacity, connection pools (Little\u2019s law), retries that multiply load, caches whose misses reach the origin, SLO burn — then steps the alert rules, then lets the scenario react.\n',
  '- **Timeline**: each entry happens once, at its `at`. Hints with an `at` are released then too (unless the team has already mitigated).',
  '- **Faults** ramp in over `ramp`, last until `duration` runs out or until a team action clears them. A fault is cleared by the actions in its `resolvedBy` (or its kind\u2019s defaults, in the table of fault kinds): `rollback` clears when the rollback completes (the service\u2019s `rollbackSeconds`), `renew-cert` after 60 s, the others at once. Other actions still have their natural effects: a restart resets leaked memory and connections but brings back the same version; a flushed cache sends every read to the origin until it warms.',
  '- **Alerts**: a `critical` alert that fires pages its `route` team if that team is one the players stand in for (`players.teams`, default: every team), and escalates through the team\u2019s `escalation` levels until acknowledged. Teams the players do not stand in for join only when paged (after their `responseSeconds`); until then, remediations on their services are refused (`action/no-access`).',
  '- **Branches** fire at most once, when their trigger holds (`action` as soon as the team does it; `metric` once the condition has held for its `for`), after their `delay`.',
  '- **Mitigated** means every `rootCause` fault is cleared (or has run its course) and customers no longer see errors (SLO burn back to normal). **Resolved** means the team resolved the incident after that; resolving earlier is recorded as premature and the incident stays open.',
  '- **The run ends** when every team has resolved, when a stop condition or a branch `end` fires, or at `duration`. The outcome is `resolved`, `unresolved` or `halted`.\n',
  'Try a scenario headless with `npx firedrill run <id or file>`, and with a script of actions: `npx firedrill run <id> --responses my.responses.yaml`, where the file is a YAML list of `{at, team?, action, …}` as in the [actions](#actions) table (see `scenarios/examples/`). `--json` prints the event log.\n',
].join('\n');

const TYPESCRIPT_MODULES = [
  '## Scenarios as TypeScript modules\n',
  'When YAML branches cannot say it (a loop, state carried across events), write the scenario as a TypeScript module whose default export is `{ scenario, machine? }`: `scenario` is the same object a YAML file holds and goes through the same checks; `machine(spec)` returns an XState v5 machine that receives `TICK` events (`t`, `mitigated`, `held`, `activeFaults`, `done`) and `ACTION` events (`t`, `action`, `activeFaults`), and emits `inject`, `message`, `audit`, `hint`, `trap`, `end` and `branch` events (types in `server/engine/scenario/compile.ts`). Before it is accepted the machine is dry-run over the scenario\u2019s duration; a machine that throws or emits anything else is refused (`module/machine`). Name the file `*.scenario.ts` and pass its path to `firedrill validate` or `firedrill run`. `scenarios/examples/typescript/search-waves.scenario.ts` is a complete example. A module is code: load only modules you trust.\n',
].join('\n');

export function renderFormatDocs(): string {
  const parts = [
    '<!-- GENERATED by server/tools/gen-format-docs.ts from the schemas. Do not edit by hand: run `npx tsx server/tools/gen-format-docs.ts`. -->',
    '# File formats: scenarios, workloads, runbooks\n',
    'firedrill keeps operations as code. A **workload** (`scenarios/workloads/*.workload.yaml`) describes the simulated production system; ' +
      'a **scenario** (`scenarios/*.scenario.yaml`) is a pre-mortem written as code — what breaks, when, how the system reacts to the team, and what a good response looks like; ' +
      'a **runbook** (`scenarios/runbooks/*.md`) is a procedure people read and the engine can execute. ' +
      'Check files with `firedrill validate [files…]`: every problem names its file, line, field and a [code](#problem-codes).\n',
    'Files are YAML 1.2, one document each, at most 1 MiB, nested at most 64 levels. Keys must be unique; `__proto__`, `constructor` and `prototype` are refused as keys; ' +
      'anchors and aliases are allowed but at most 50 alias expansions per file. Fields not listed here are errors (usually typos: the message suggests the closest name). ' +
      'Files under an `examples/` folder and `README.md` files are not part of the library.\n',
    '## Contents\n',
    '- [Identifiers](#identifiers), [durations](#durations), [metrics](#metrics)',
    '- [Scenario](#scenario): [timeline entry](#timeline-entry), [audit event](#audit-event), [branch](#branch), [trigger](#trigger-when), [action match](#action-match), [consequence](#consequence-then), [hint](#hint), [expectations](#expectations), [stop condition](#stop-condition)',
    '- [Workload](#workload): [service](#service), [dependency](#dependency), [traffic](#traffic), [SLO](#slo), [alert rule](#alert-rule), [metric condition](#metric-condition), [on-call team](#on-call-team)',
    '- [Fault kinds](#fault-kinds)',
    '- [Actions](#actions)',
    '- [Runbooks](#runbooks)',
    '- [How a scenario runs](#how-a-scenario-runs)',
    '- [Scenarios as TypeScript modules](#scenarios-as-typescript-modules)',
    '- [Problem codes](#problem-codes)',
    '- [Worked example](#worked-example)\n',
    '## Identifiers\n',
    'Ids name services, teams, alerts, faults, branches, hints, runbooks, workloads and scenarios: a letter, then up to 63 letters, digits, `-`, `_` or `.` (`orders`, `postgres-main`, `OrdersLatencyHigh`). ' +
      'Each kind has its own namespace; ids are unique within it (fault ids across the timeline and all branches of a scenario; alert ids across the workload and the scenario\u2019s extra alerts).\n',
    '## Durations\n',
    `${s(Duration).description} Units add up: \`1h30m\` is 5400 seconds, \`2m30s\` is 150. A time in a scenario (\`at\`, \`by\`, \`notMitigatedBy\`) counts from the start of the run (T+0) and must be before the scenario's \`duration\`; a stop condition may sit exactly at the end, to name why the run ends.\n`,
    '## Metrics\n',
    'Every service exposes these each tick; alert rules, branch triggers and stop conditions compare them with a threshold. ' +
      '`error_rate`, `cache_hit_ratio` and `pool_utilisation` are fractions (0–1), `memory_pct` and `disk_pct` percentages (0–100), and `cache_hit_ratio` exists only on caches: ' +
      'a condition that can never hold is reported as `metric/impossible`.\n',
    METRICS.map((m) => `\`${m}\``).join(', ') + '\n',
    section(2, 'Scenario', s(Scenario), 'The top level of a `*.scenario.yaml` file.'),
    section(3, 'Timeline entry', s(TimelineEntry)),
    section(3, 'Audit event', s(AuditEvent)),
    section(3, 'Branch', s(Branch)),
    section(3, 'Trigger (`when`)', s(Trigger)),
    section(3, 'Action match', s(ActionMatch)),
    section(3, 'Consequence (`then`)', s(Consequence)),
    section(3, 'Hint', s(Hint)),
    section(3, 'Expectations', s(Expectations)),
    section(3, 'Stop condition', s(StopCondition)),
    section(2, 'Workload', s(Workload), 'The top level of a `*.workload.yaml` file.'),
    section(3, 'Service', s(Service), 'One node of the workload. Databases, caches and queues are services too (`kind`).'),
    section(3, 'Dependency', s(Dependency)),
    section(3, 'Traffic', s(Traffic), 'Outside traffic: where it enters, and how it varies over the day.'),
    section(3, 'SLO', s(Slo)),
    section(3, 'Alert rule', s(AlertRule)),
    section(3, 'Metric condition', s(MetricCondition)),
    section(3, 'On-call team', s(OnCallTeam), 'A team that can be paged; alerts route to it. `escalation` lists who is paged in turn (each level has `name` and `after`).'),
    faultKinds(),
    actions(),
    runbooks(),
    HOW_IT_RUNS,
    TYPESCRIPT_MODULES,
    problemCodes(),
    example(),
  ];
  return parts.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n';
}

function main(argv: string[]): number {
  const text = renderFormatDocs();
  if (argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(DOC_PATH, 'utf8');
    } catch {
      // missing counts as out of date
    }
    if (current !== text) {
      process.stderr.write('docs/scenario-format.md is out of date: run `npx tsx server/tools/gen-format-docs.ts`\n');
      return 1;
    }
    process.stdout.write('docs/scenario-format.md is up to date\n');
    return 0;
  }
  writeFileSync(DOC_PATH, text);
  process.stdout.write(`wrote ${DOC_PATH}\n`);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = main(process.argv.slice(2));
