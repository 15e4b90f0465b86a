// A small Prometheus registry: counters, gauges and histograms rendered in the text format.
// One instance per server (no module singleton), shared by the session manager and the gateway.

type Labels = Record<string, string>;

function key(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}="${String(labels[k]).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
    .join(',');
}

class Counter {
  private values = new Map<string, number>();
  constructor(readonly name: string, readonly help: string) {}
  inc(labels: Labels = {}, by = 1): void {
    const k = key(labels);
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }
  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    if (this.values.size === 0) lines.push(`${this.name} 0`);
    for (const [k, v] of this.values) lines.push(`${this.name}${k ? `{${k}}` : ''} ${v}`);
    return lines;
  }
}

class Gauge {
  constructor(readonly name: string, readonly help: string, private readonly read: () => number) {}
  render(): string[] {
    return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`, `${this.name} ${this.read()}`];
  }
}

class Histogram {
  private counts: number[];
  private sum = 0;
  private count = 0;
  constructor(readonly name: string, readonly help: string, readonly buckets: number[]) {
    this.counts = buckets.map(() => 0);
  }
  observe(value: number): void {
    this.sum += value;
    this.count++;
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]) this.counts[i]++;
  }
  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    this.buckets.forEach((b, i) => lines.push(`${this.name}_bucket{le="${b}"} ${this.counts[i]}`));
    lines.push(`${this.name}_bucket{le="+Inf"} ${this.count}`, `${this.name}_sum ${this.sum}`, `${this.name}_count ${this.count}`);
    return lines;
  }
}

export class Metrics {
  readonly ticks = new Counter('firedrill_ticks_total', 'Simulation ticks computed, all sessions and teams.');
  readonly actions = new Counter('firedrill_actions_total', 'Inputs applied, by kind and outcome.');
  readonly eventWrites = new Counter('firedrill_event_log_writes_total', 'Events appended to the event log.');
  readonly framesSent = new Counter('firedrill_telemetry_frames_total', 'Telemetry frames sent to sockets.');
  readonly rejected = new Counter('firedrill_socket_messages_rejected_total', 'Socket messages refused, by error code.');
  readonly actionLatency = new Histogram('firedrill_action_latency_seconds', 'Time from receiving an input to its acknowledgement.', [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1]);
  private gauges: Gauge[] = [];

  gauge(name: string, help: string, read: () => number): void {
    this.gauges.push(new Gauge(name, help, read));
  }

  render(): string {
    const all = [this.ticks, this.actions, this.eventWrites, this.framesSent, this.rejected, this.actionLatency, ...this.gauges];
    return all.flatMap((m) => m.render()).join('\n') + '\n';
  }
}
