// Seeded randomness whose whole state is four 32-bit words, so it can be copied, stored and
// replayed. sfc32 (Chris Doty-Humphrey's Small Fast Counter): fast, good statistical quality,
// and tiny state. The engine never calls Math.random.

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Standard normal N(0, 1) (Box–Muller, one value per call). */
  normal(): number;
  /** Integer in [0, n). */
  int(n: number): number;
  /** A new independent stream derived from this one and a label (per team, per service). */
  fork(label: string): Rng;
  state(): [number, number, number, number];
}

/** Hash a string (and a seed) to 32 bits: cyrb53-style mixing, kept to 32 bits. */
export function hash32(text: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (h1 ^ h2) >>> 0;
}

/** createRng(42).next() gives the same sequence on every machine. */
export function createRng(seed: number | string, label = ''): Rng {
  const s = typeof seed === 'number' ? String(seed) : seed;
  const rng = fromState([hash32(s + '|' + label, 1), hash32(s + '|' + label, 2), hash32(s + '|' + label, 3), hash32(s + '|' + label, 4)]);
  // Warm up so that similar seeds diverge.
  for (let i = 0; i < 12; i++) rng.next();
  return rng;
}

export function fromState(init: [number, number, number, number]): Rng {
  let [a, b, c, d] = init;
  const next = (): number => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  const rng: Rng = {
    next,
    normal() {
      const u = 1 - next();
      const v = next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    int(n) {
      return Math.floor(next() * n);
    },
    fork(label) {
      const child = fromState([hash32(label, a), hash32(label, b), hash32(label, c), hash32(label, d)]);
      for (let i = 0; i < 12; i++) child.next();
      return child;
    },
    state() {
      return [a >>> 0, b >>> 0, c >>> 0, d >>> 0];
    },
  };
  return rng;
}
