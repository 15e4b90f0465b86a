// A service's recent log lines: a bounded ring that reads back exactly what was written, newest last.
import { describe, expect, it } from 'vitest';
import { Interner, LogRing } from '../../server/engine/workload/log-ring.ts';

const levels = ['debug', 'info', 'warn', 'error', 'fatal'] as const;

describe('LogRing', () => {
  it('reads back every line written, in order, until it is full', () => {
    const ring = new LogRing('orders', 300, new Interner());
    for (let i = 0; i < 40; i++) ring.push(i * 1.5, levels[i % 5], `line ${i}`);
    expect(ring.length).toBe(40);
    const lines = ring.lines();
    expect(lines).toHaveLength(40);
    expect(lines[0]).toEqual({ t: 0, service: 'orders', level: 'debug', message: 'line 0' });
    expect(lines[39]).toEqual({ t: 58.5, service: 'orders', level: 'fatal', message: 'line 39' });
    expect(lines.map((l) => l.message)).toEqual(Array.from({ length: 40 }, (_, i) => `line ${i}`));
  });

  it('keeps the newest `capacity` lines once it wraps, oldest first', () => {
    const ring = new LogRing('db', 300, new Interner());
    for (let i = 0; i < 1000; i++) ring.push(i, 'info', `q ${i}`);
    expect(ring.length).toBe(300);
    const lines = ring.lines();
    expect(lines[0].message).toBe('q 700');
    expect(lines[299].message).toBe('q 999');
    expect(lines.map((l) => l.t)).toEqual(Array.from({ length: 300 }, (_, i) => 700 + i));
  });

  it('gives the newest `limit` lines, and copes with limits past either end', () => {
    const ring = new LogRing('api', 10, new Interner());
    for (let i = 0; i < 13; i++) ring.push(i, 'warn', `m${i}`);
    expect(ring.lines(3).map((l) => l.message)).toEqual(['m10', 'm11', 'm12']);
    expect(ring.lines(100).map((l) => l.message)).toEqual(['m3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9', 'm10', 'm11', 'm12']);
    expect(ring.lines(0)).toEqual([]);
    expect(ring.lines(-5)).toEqual([]);
    expect(ring.lines(2.7).map((l) => l.message)).toEqual(['m11', 'm12']);
    expect(new LogRing('empty', 10, new Interner()).lines(5)).toEqual([]);
  });

  it('finds the newest line that matches, searching back from the end', () => {
    const ring = new LogRing('cache', 5, new Interner());
    ring.push(1, 'error', 'old error');
    ring.push(2, 'info', 'ok');
    ring.push(3, 'warn', 'slow');
    ring.push(4, 'info', 'ok');
    expect(ring.findLast((level) => level === 'error' || level === 'warn')).toEqual({ t: 3, service: 'cache', level: 'warn', message: 'slow' });
    expect(ring.findLast((level) => level === 'error')?.message).toBe('old error');
    for (let i = 5; i < 10; i++) ring.push(i, 'info', 'ok'); // the error and the warning leave the ring
    expect(ring.findLast((level) => level !== 'info')).toBeUndefined();
  });
});

describe('Interner', () => {
  it('returns equal strings, and stays bounded by forgetting everything when full', () => {
    const interner = new Interner(3);
    const parts = ['dial tcp orders.internal:443: ', 'i/o timeout'];
    const a = interner.get(parts.join(''));
    expect(a).toBe('dial tcp orders.internal:443: i/o timeout');
    expect(interner.get(`${parts[0]}${parts[1]}`)).toBe(a);
    expect(interner.size).toBe(1);
    for (let i = 0; i < 10; i++) {
      expect(interner.get(`x${i}`)).toBe(`x${i}`);
      expect(interner.size).toBeLessThanOrEqual(3);
    }
    expect(interner.size).toBe(2); // x8 and x9: the map was cleared when x8 came to a full map
  });
});
