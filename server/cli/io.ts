// Where the CLI writes: the process's streams, or buffers in tests.
export interface Out {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface Io {
  stdout: Out;
  stderr: Out;
}

/** A progress bar on stderr when it is a terminal; nothing otherwise (logs and CI stay clean). */
export function progressBar(out: Out, label: string): { update(done: number, total: number): void; finish(): void } {
  if (!out.isTTY) return { update() {}, finish() {} };
  const width = Math.max(10, Math.min(40, (out.columns ?? 80) - label.length - 20));
  let last = -1;
  return {
    update(done, total) {
      const frac = total > 0 ? Math.min(1, done / total) : 1;
      const filled = Math.round(frac * width);
      if (filled === last) return;
      last = filled;
      out.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.round(frac * 100)}%`);
    },
    finish() {
      out.write('\r' + ' '.repeat(label.length + width + 10) + '\r');
    },
  };
}
