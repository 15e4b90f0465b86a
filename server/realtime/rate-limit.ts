// Token buckets keyed by a string (an IP, a socket id): `take(key)` is false when the bucket is empty.
export class RateLimiter {
  private buckets = new Map<string, { tokens: number; at: number }>();
  constructor(
    private readonly capacity: number,
    private readonly refillPerSecond: number,
    private readonly now: () => number = Date.now,
  ) {}

  take(key: string, cost = 1): boolean {
    const t = this.now();
    const b = this.buckets.get(key) ?? { tokens: this.capacity, at: t };
    b.tokens = Math.min(this.capacity, b.tokens + ((t - b.at) / 1000) * this.refillPerSecond);
    b.at = t;
    if (this.buckets.size > 50_000) this.prune(t);
    if (b.tokens < cost) {
      this.buckets.set(key, b);
      return false;
    }
    b.tokens -= cost;
    this.buckets.set(key, b);
    return true;
  }

  /** True when `take(key, cost)` would succeed now; takes nothing (REST checks before a lookup, charges only failures). */
  peek(key: string, cost = 1): boolean {
    const b = this.buckets.get(key);
    if (!b) return true;
    return Math.min(this.capacity, b.tokens + ((this.now() - b.at) / 1000) * this.refillPerSecond) >= cost;
  }

  /** Gives back what `take` took, e.g. when the attempt turned out legitimate. */
  refund(key: string, amount = 1): void {
    const b = this.buckets.get(key);
    if (b) b.tokens = Math.min(this.capacity, b.tokens + amount);
  }

  private prune(t: number): void {
    for (const [k, b] of this.buckets) if (t - b.at > 600_000) this.buckets.delete(k);
  }
}
