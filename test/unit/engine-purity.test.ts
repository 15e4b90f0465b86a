// The engine must stay pure (../shared/DESIGN.md): no I/O, no wall clock, no unseeded randomness.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ENGINE = new URL('../../server/engine/', import.meta.url).pathname;
const FORBIDDEN = [
  /from ['"](fastify|socket\.io|socket\.io-client|pino|nanoid|better-sqlite3|pg|ioredis|redis)['"/]/,
  /from ['"]node:/,
  /from ['"](fs|net|http|https|child_process|worker_threads|os|path)['"]/,
  /\brequire\(/,
  /Date\.now\(/,
  /new Date\(/,
  /Math\.random\(/,
  /performance\.now\(/,
  /\bsetTimeout\(/,
  /\bsetInterval\(/,
  /\bprocess\./,
];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('server/engine purity', () => {
  const sources = files(ENGINE);

  it('has source files to check', () => {
    expect(sources.length).toBeGreaterThan(15);
  });

  it('imports no I/O module and reads no clock or unseeded randomness', () => {
    const offending: string[] = [];
    for (const file of sources) {
      readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
        const code = line.replace(/\/\/.*$/, '');
        for (const re of FORBIDDEN) if (re.test(code)) offending.push(`${file.slice(ENGINE.length)}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(offending).toEqual([]);
  });
});
