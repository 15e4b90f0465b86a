// A code editor for YAML without an editor library: a <textarea> (so typing, undo, selection,
// screen readers and the clipboard all behave natively) over a layer that highlights lines with
// problems and prints their message after the line, beside a gutter of line numbers and markers.
// Lines never wrap, so line n is always at (n - 1) × LINE_HEIGHT. Only visible lines are drawn.
import { useCallback, useEffect, useImperativeHandle, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent, type Ref } from 'react';

export const LINE_HEIGHT = 20;
const PAD = 6;
const INDENT = '  ';

export interface LineMarker {
  line: number;
  severity: 'error' | 'warning';
  messages: string[];
}

export interface CodeEditorHandle {
  /** Focuses the editor with line `line` selected and scrolled into view. */
  jumpTo(line: number, column?: number): void;
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** Inserts text at the selection through the browser's editing commands, so Ctrl+Z undoes it. */
function insert(ta: HTMLTextAreaElement, text: string) {
  if (!document.execCommand('insertText', false, text)) {
    ta.setRangeText(text, ta.selectionStart, ta.selectionEnd, 'end');
    ta.dispatchEvent(new Event('input', { bubbles: true }));
  }
}

export function CodeEditor({ value, onChange, markers, label, describedBy, handleRef, onCursor }: {
  value: string;
  onChange: (text: string) => void;
  markers: LineMarker[];
  label: string;
  describedBy?: string;
  handleRef?: Ref<CodeEditorHandle>;
  onCursor?: (line: number, column: number) => void;
}) {
  const ta = useRef<HTMLTextAreaElement>(null);
  const box = useRef<HTMLDivElement>(null);
  const [scroll, setScroll] = useState({ top: 0, left: 0 });
  const [height, setHeight] = useState(400);
  const [flash, setFlash] = useState<number>();
  const [charWidth, setCharWidth] = useState(7.8);
  // Tab indents only while the author is editing (typed or clicked since the editor got the
  // focus): tabbing through the page passes through the editor, and Esc then Tab always leaves.
  const escaped = useRef(false);
  const editing = useRef(false);
  const starts = useMemo(() => lineStarts(value), [value]);
  const lineCount = starts.length;
  const byLine = useMemo(() => new Map(markers.map((m) => [m.line, m])), [markers]);

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const probe = document.createElement('span');
    probe.className = 'code-probe';
    probe.textContent = 'x'.repeat(100);
    el.appendChild(probe);
    setCharWidth(probe.getBoundingClientRect().width / 100 || 7.8);
    probe.remove();
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    setHeight(el.clientHeight);
    return () => ro.disconnect();
  }, []);

  const reportCursor = useCallback(() => {
    const t = ta.current;
    if (!t || !onCursor) return;
    const pos = t.selectionStart;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= pos) lo = mid;
      else hi = mid - 1;
    }
    onCursor(lo + 1, pos - starts[lo] + 1);
  }, [starts, onCursor]);

  const jumpTo = useCallback((line: number, column = 1) => {
    const t = ta.current;
    if (!t) return;
    const n = Math.min(Math.max(1, line), starts.length);
    const start = starts[n - 1];
    const end = n < starts.length ? starts[n] - 1 : value.length;
    t.focus({ preventScroll: true });
    editing.current = true;
    t.setSelectionRange(Math.min(start + Math.max(0, column - 1), end), end);
    t.scrollTop = Math.max(0, (n - 1) * LINE_HEIGHT - t.clientHeight / 3);
    t.scrollLeft = 0;
    setScroll({ top: t.scrollTop, left: t.scrollLeft });
    setFlash(n);
    reportCursor();
  }, [starts, value, reportCursor]);
  useImperativeHandle(handleRef, () => ({ jumpTo }), [jumpTo]);

  useEffect(() => {
    if (flash === undefined) return;
    const timer = setTimeout(() => setFlash(undefined), 1600);
    return () => clearTimeout(timer);
  }, [flash]);

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    const t = e.currentTarget;
    if (e.key === 'Escape') {
      escaped.current = true;
      return;
    }
    const wasEscaped = escaped.current;
    escaped.current = false;
    if (e.key !== 'Tab' && !e.ctrlKey && !e.altKey && !e.metaKey && (e.key.length === 1 || e.key === 'Enter' || e.key === 'Backspace' || e.key === 'Delete')) editing.current = true;
    if (e.key === 'Tab' && editing.current && !wasEscaped && !e.ctrlKey && !e.altKey && !e.metaKey) {
      e.preventDefault();
      const { selectionStart: s, selectionEnd: end } = t;
      const multi = value.slice(s, end).includes('\n');
      if (!e.shiftKey && !multi) return insert(t, INDENT);
      // indent or dedent every line the selection touches
      const first = value.lastIndexOf('\n', s - 1) + 1;
      const block = value.slice(first, end);
      const lines = block.split('\n');
      const changed = e.shiftKey ? lines.map((l) => l.replace(/^ {1,2}/, '')) : lines.map((l) => INDENT + l);
      t.setSelectionRange(first, end);
      insert(t, changed.join('\n'));
      t.setSelectionRange(first, first + changed.join('\n').length);
      return;
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.ctrlKey && !e.altKey && !e.metaKey) {
      // keep the indentation; one level more after a key that opens a block (`timeline:`)
      const s = t.selectionStart;
      const lineStart = value.lastIndexOf('\n', s - 1) + 1;
      const current = value.slice(lineStart, s);
      const indent = /^[ \t]*(- )?/.exec(current)?.[0].replace('- ', '  ') ?? '';
      const opens = /:\s*$/.test(current) && !/^\s*#/.test(current);
      e.preventDefault();
      insert(t, '\n' + indent + (opens ? INDENT : ''));
    }
  };

  const first = Math.max(0, Math.floor((scroll.top - PAD) / LINE_HEIGHT) - 2);
  const last = Math.min(lineCount, first + Math.ceil(height / LINE_HEIGHT) + 5);
  const visible: number[] = [];
  for (let n = first + 1; n <= last; n++) visible.push(n);
  const lineLength = (n: number) => (n < starts.length ? starts[n] - 1 : value.length) - starts[n - 1];
  const gutterWidth = `${Math.max(3, String(lineCount).length) + 3}ch`;

  return (
    <div className="code-editor">
      <div className="code-gutter" aria-hidden="true" style={{ width: gutterWidth }}>
        <div style={{ transform: `translateY(${-scroll.top}px)`, height: lineCount * LINE_HEIGHT + 2 * PAD }}>
          {visible.map((n) => {
            const m = byLine.get(n);
            return (
              <div
                key={n}
                className={`ln${m ? ` has-${m.severity}` : ''}${flash === n ? ' flash' : ''}`}
                style={{ top: PAD + (n - 1) * LINE_HEIGHT }}
                title={m?.messages.join('\n')}
                onMouseDown={m ? (e) => { e.preventDefault(); jumpTo(n); } : undefined}
              >
                {m && <span className={`mark ${m.severity}`}>{m.severity === 'error' ? '●' : '▲'}</span>}
                {n}
              </div>
            );
          })}
        </div>
      </div>
      <div className="code-box" ref={box}>
        <div className="code-layer" aria-hidden="true" style={{ transform: `translate(${-scroll.left}px, ${-scroll.top}px)` }}>
          {visible.map((n) => {
            const m = byLine.get(n);
            if (!m && flash !== n) return null;
            return (
              <div key={n} className={`code-hl${m ? ` ${m.severity}` : ''}${flash === n ? ' flash' : ''}`} style={{ top: PAD + (n - 1) * LINE_HEIGHT }}>
                {m && (
                  <span className="code-inline-msg" style={{ left: 10 + (lineLength(n) + 3) * charWidth }}>
                    {m.messages[0]}{m.messages.length > 1 ? ` (+${m.messages.length - 1} more)` : ''}
                  </span>
                )}
              </div>
            );
          })}
        </div>
        <textarea
          ref={ta}
          className="code-text"
          value={value}
          aria-label={label}
          aria-describedby={describedBy}
          aria-multiline="true"
          wrap="off"
          spellCheck={false}
          autoCapitalize="off"
          autoComplete="off"
          autoCorrect="off"
          data-testid="editor-text"
          onChange={(e) => onChange(e.target.value)}
          onKeyDown={onKeyDown}
          onKeyUp={reportCursor}
          onClick={() => { editing.current = true; reportCursor(); }}
          onFocus={() => { editing.current = false; escaped.current = false; }}
          onBlur={() => { editing.current = false; }}
          onSelect={reportCursor}
          onScroll={(e) => setScroll({ top: e.currentTarget.scrollTop, left: e.currentTarget.scrollLeft })}
        />
      </div>
    </div>
  );
}
