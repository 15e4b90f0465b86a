// HTTP counters, rendered after the session manager's registry at /metrics. One instance per app.
type Labels = Record<string, string>;

function labelText(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}="${labels[k].replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
    .join(',');
}

class LabelledCounter {
  private readonly values = new Map<string, number>();
  constructor(readonly name: string, readonly help: string) {}
  inc(labels: Labels): void {
    const k = labelText(labels);
    this.values.set(k, (this.values.get(k) ?? 0) + 1);
  }
  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    if (this.values.size === 0) lines.push(`${this.name} 0`);
    for (const [k, v] of this.values) lines.push(`${this.name}${k ? `{${k}}` : ''} ${v}`);
    return lines;
  }
}

export class HttpMetrics {
  /** By route pattern (never the raw URL: ids would blow up the label set), method and status. */
  readonly requests = new LabelledCounter('firedrill_http_requests_total', 'HTTP requests answered, by method, route and status.');
  /** Unknown or mismatched tokens and admin tokens on REST, by what was presented. */
  readonly authFailures = new LabelledCounter('firedrill_http_auth_failures_total', 'REST requests refused for a wrong token, by kind.');

  render(): string {
    return [...this.requests.render(), ...this.authFailures.render()].join('\n') + '\n';
  }
}
