// Turns "this value does not match this TypeBox schema" into problems a person can act on.
//
// Why not report `Value.Errors(schema, value)` as it comes: TypeBox stops after 8 errors (a global
// setting), and for a union it reports every variant's complaints — a fault with one typo yields
// dozens of "must be equal to constant" errors and the 8 are used up before the real one. So this
// walks the schema alongside the value: objects, lists and unions structurally (choosing the union
// variant a person meant by its discriminator), and leaves (text, numbers, ids) through
// `Value.Errors`, whose keywords become messages. The result is one problem per real error.
import type { TSchema } from 'typebox';
import Value from 'typebox/value';
import { Duration } from '../schema-common.ts';
import type { Locate, Path, Problem, ProblemCode } from './problems.ts';
import { describeKey, describeValue, didYouMean, problemSink, suggestion } from './problems.ts';

/** Problems listed per call; a file of junk would otherwise list thousands. */
export const MAX_SCHEMA_PROBLEMS = 100;

type Schema = Record<string, unknown> & {
  type?: string;
  anyOf?: Schema[];
  properties?: Record<string, Schema>;
  patternProperties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  const?: unknown;
  enum?: unknown[];
  description?: string;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
};

const DURATION_PATTERN = ((Duration as unknown as Schema).anyOf![1] as Schema).pattern;
const ID_HELP = 'an id is a letter, then up to 63 letters, digits, `-`, `_` or `.`';

/** What the discriminator names in messages: `unknown fault kind "x"`, `unknown action "x"`. */
const DISCRIMINATOR_NOUN: Record<string, string> = { kind: 'fault kind', action: 'action' };

/**
 * Checks `value` against `schema` and returns readable problems, located through `locate`.
 * schemaProblems(Scenario, value, 'x.scenario.yaml', locate) → [] when the value is valid.
 */
export function schemaProblems(schema: TSchema, value: unknown, file: string, locate: Locate, base: Path = []): Problem[] {
  if (Value.Check(schema, value)) return [];
  const sink = problemSink(file, locate);
  const walker = new Walker(sink);
  try {
    walker.walk(schema as unknown as Schema, value, [...base]);
  } catch (err) {
    if (!(err instanceof TooMany)) throw err;
  }
  if (sink.problems.length === 0) {
    // The walker knows every construct the formats use; this guards against a schema feature it does not.
    const first = Value.Errors(schema, value)[0];
    sink.at(base, 'schema/invalid', first ? `${first.message} (at ${first.instancePath || 'the top'})` : 'does not match the format');
  }
  return sink.problems;
}

class TooMany extends Error {}

class Walker {
  constructor(private readonly sink: ReturnType<typeof problemSink>) {}

  private add(path: Path, code: ProblemCode, message: string) {
    if (this.sink.problems.length >= MAX_SCHEMA_PROBLEMS) {
      this.sink.at([], 'limits/too-many-problems', `more than ${MAX_SCHEMA_PROBLEMS} problems; fix these and check again`);
      throw new TooMany();
    }
    this.sink.at(path, code, message);
  }

  walk(schema: Schema, value: unknown, path: (string | number)[]): void {
    if (Value.Check(schema as unknown as TSchema, value)) return;
    if (Array.isArray(schema.enum)) return this.oneOf(schema.enum.map(String), value, path);
    if (Array.isArray(schema.anyOf)) return this.union(schema, value, path);
    if (schema.type === 'object' && schema.patternProperties) return this.record(schema, value, path);
    if (schema.type === 'object') return this.object(schema, value, path);
    if (schema.type === 'array') return this.array(schema, value, path);
    return this.leaf(schema, value, path);
  }

  private typeMismatch(expected: string, value: unknown, path: Path) {
    const got = value === null || value === undefined ? 'but it is empty' : `not ${describeValue(value)}`;
    this.add(path, 'schema/type', `must be ${expected}, ${got}`);
  }

  private object(schema: Schema, value: unknown, path: (string | number)[]) {
    if (!isPlainObject(value)) return this.typeMismatch('an object (`key: value` lines)', value, path);
    const props = schema.properties ?? {};
    const names = Object.keys(props);
    const unknownKeys = schema.additionalProperties === false ? Object.keys(value).filter((k) => !Object.hasOwn(props, k)) : [];
    // a misspelt required field is one mistake: report the typo, not also the missing field
    const misspelt = new Set(unknownKeys.map((k) => didYouMean(k, names)).filter((n) => n !== undefined && !Object.hasOwn(value, n)));
    for (const name of schema.required ?? []) {
      if (!Object.hasOwn(value, name) && !misspelt.has(name)) this.add([...path, name], 'schema/required', `missing required field "${name}"`);
    }
    for (const key of unknownKeys) this.add([...path, key], 'schema/unknown-field', `unknown field ${describeKey(key)}${suggestion(key, names)}`);
    for (const name of names) {
      if (Object.hasOwn(value, name)) this.walk(props[name], value[name], [...path, name]);
    }
  }

  private record(schema: Schema, value: unknown, path: (string | number)[]) {
    if (!isPlainObject(value)) return this.typeMismatch('an object (`name: value` lines)', value, path);
    const [pattern, itemSchema] = Object.entries(schema.patternProperties!)[0];
    const re = new RegExp(pattern);
    for (const [key, item] of Object.entries(value)) {
      if (!re.test(key)) this.add([...path, key], 'schema/pattern', `invalid name ${describeKey(key)}: ${ID_HELP}`);
      else this.walk(itemSchema, item, [...path, key]);
    }
  }

  private array(schema: Schema, value: unknown, path: (string | number)[]) {
    if (!Array.isArray(value)) return this.typeMismatch('a list', value, path);
    if (schema.minItems !== undefined && value.length < schema.minItems) {
      this.add(path, 'schema/size', schema.minItems === 1 ? 'must have at least one item' : `must have at least ${schema.minItems} items (it has ${value.length})`);
    }
    if (schema.maxItems !== undefined && value.length > schema.maxItems) {
      this.add(path, 'schema/size', `must have at most ${schema.maxItems} items (it has ${value.length})`);
    }
    if (schema.items) value.forEach((item, i) => this.walk(schema.items!, item, [...path, i]));
  }

  private union(schema: Schema, value: unknown, path: (string | number)[]) {
    const variants = schema.anyOf!;
    if (variants.every((v) => 'const' in v)) return this.oneOf(variants.map((v) => String(v.const)), value, path);
    if (isDurationUnion(variants)) return this.duration(value, path);
    const key = discriminatorOf(variants);
    if (key !== undefined) return this.discriminated(variants, key, value, path);
    // a general union: follow the variant whose type matches the value
    const matching = variants.filter((v) => jsonTypeMatches(v, value));
    if (matching.length > 0) return this.walk(matching[0], value, path);
    this.typeMismatch(variants.map(typeName).join(' or '), value, path);
  }

  private oneOf(allowed: string[], value: unknown, path: Path) {
    const close = typeof value === 'string' ? didYouMean(value, allowed) : undefined;
    const got = value === null || value === undefined ? 'it is empty' : `got ${describeValue(value)}`;
    this.add(path, 'schema/enum', `must be one of: ${allowed.join(', ')} (${got}${close ? `; did you mean "${close}"?` : ''})`);
  }

  private duration(value: unknown, path: Path) {
    if (typeof value === 'number') {
      const message = Number.isFinite(value) ? 'a duration must not be negative' : 'a duration must be a finite number of seconds';
      return this.add(path, 'schema/duration', message);
    }
    const got = value === null || value === undefined ? 'it is empty' : `got ${describeValue(value)}`;
    this.add(path, 'schema/duration', `must be a duration: seconds (\`90\`) or a number with units (\`250ms\`, \`90s\`, \`5m\`, \`1h30m\`, \`1d\`); ${got}`);
  }

  private discriminated(variants: Schema[], key: string, value: unknown, path: (string | number)[]) {
    const names = variants.map((v) => String(v.properties![key].const));
    const noun = DISCRIMINATOR_NOUN[key] ?? key;
    if (!isPlainObject(value)) return this.typeMismatch(`an object with a \`${key}\` field`, value, path);
    if (!Object.hasOwn(value, key)) {
      return this.add([...path, key], 'schema/required', `missing required field "${key}" (the ${noun}: one of ${names.join(', ')})`);
    }
    const chosen = variants.find((v) => v.properties![key].const === value[key]);
    if (!chosen) {
      const given = value[key];
      const text = typeof given === 'string' ? given : describeValue(given);
      return this.add([...path, key], 'schema/unknown-variant', `unknown ${noun} ${describeKey(text)}${suggestion(text, names, 20)}`);
    }
    this.walk(chosen, value, path);
  }

  private leaf(schema: Schema, value: unknown, path: Path) {
    if (!jsonTypeMatches(schema, value)) return this.typeMismatch(typeName(schema), value, path);
    if (typeof value === 'number' && !Number.isFinite(value)) return this.add(path, 'schema/type', `must be a finite number, not ${value}`);
    const seen = new Set<string>();
    for (const error of Value.Errors(schema as unknown as TSchema, value)) {
      if (seen.has(error.keyword)) continue;
      seen.add(error.keyword);
      const [code, message] = leafMessage(schema, error.keyword, value, error.message);
      this.add(path, code, message);
    }
  }
}

function leafMessage(schema: Schema, keyword: string, value: unknown, fallback: string): [ProblemCode, string] {
  const length = typeof value === 'string' ? value.length : 0;
  switch (keyword) {
    case 'minimum':
      return ['schema/range', `must be at least ${schema.minimum} (got ${describeValue(value)})`];
    case 'maximum':
      return ['schema/range', `must be at most ${schema.maximum} (got ${describeValue(value)})`];
    case 'exclusiveMinimum':
      return ['schema/range', `must be greater than ${schema.exclusiveMinimum} (got ${describeValue(value)})`];
    case 'exclusiveMaximum':
      return ['schema/range', `must be less than ${schema.exclusiveMaximum} (got ${describeValue(value)})`];
    case 'minLength':
      return ['schema/size', schema.minLength === 1 ? 'must not be empty' : `must be at least ${schema.minLength} characters long (it has ${length})`];
    case 'maxLength':
      return ['schema/size', `must be at most ${schema.maxLength} characters long (it has ${length})`];
    case 'pattern':
      if (schema.pattern === '^[A-Za-z][A-Za-z0-9_.-]{0,63}$') return ['schema/pattern', `invalid id ${describeValue(value)}: ${ID_HELP}`];
      return ['schema/pattern', `${describeValue(value)} does not have the required form (${schema.description ?? `pattern ${schema.pattern}`})`];
    case 'const':
      return ['schema/enum', `must be ${JSON.stringify(schema.const)} (got ${describeValue(value)})`];
    case 'type':
      return ['schema/type', `must be ${typeName(schema)}, not ${describeValue(value)}`];
    default:
      return ['schema/invalid', fallback];
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isDurationUnion(variants: Schema[]): boolean {
  return variants.length === 2 && variants.some((v) => v.type === 'string' && v.pattern === DURATION_PATTERN);
}

const discriminatorCache = new WeakMap<Schema[], string | null>();

/** The property every variant fixes with a `const` (`kind` for faults, `action` for actions). */
function discriminatorOf(variants: Schema[]): string | undefined {
  const cached = discriminatorCache.get(variants);
  if (cached !== undefined) return cached ?? undefined;
  let found: string | null = null;
  const first = variants[0]?.properties;
  if (first && variants.every((v) => v.type === 'object' && v.properties)) {
    for (const key of Object.keys(first)) {
      if (variants.every((v) => v.properties![key] !== undefined && 'const' in v.properties![key])) {
        found = key;
        break;
      }
    }
  }
  discriminatorCache.set(variants, found);
  return found ?? undefined;
}

function jsonTypeMatches(schema: Schema, value: unknown): boolean {
  if ('const' in schema && schema.type === undefined) return value === schema.const;
  switch (schema.type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number';
    case 'integer':
      return typeof value === 'number' && (Number.isInteger(value) || !Number.isFinite(value));
    case 'boolean':
      return typeof value === 'boolean';
    case 'null':
      return value === null;
    case 'array':
      return Array.isArray(value);
    case 'object':
      return isPlainObject(value);
    default:
      return true;
  }
}

function typeName(schema: Schema): string {
  if ('const' in schema) return JSON.stringify(schema.const);
  if (Array.isArray(schema.anyOf)) return schema.anyOf.map(typeName).join(' or ');
  switch (schema.type) {
    case 'string':
      return 'text';
    case 'number':
      return 'a number';
    case 'integer':
      return 'a whole number';
    case 'boolean':
      return 'true or false';
    case 'array':
      return 'a list';
    case 'object':
      return 'an object';
    default:
      return 'a value of another type';
  }
}
