// Small building blocks: results of requests, a confirmation dialog, tabs, toasts, panels.
import { useEffect, useId, useRef, useState, useSyncExternalStore, type KeyboardEvent, type ReactNode } from 'react';
import type { Outcome } from '../lib/live.ts';

/** The outcome of a request, next to the control that sent it. */
export function Result({ outcome, className = '' }: { outcome?: Outcome; className?: string }) {
  if (!outcome) return null;
  return (
    <p className={`result ${outcome.ok ? 'ok' : 'err'} ${className}`} role="status">
      {outcome.ok ? '✓ ' : '✗ '}
      {outcome.ok ? outcome.effect : outcome.message}
      {outcome.ok && outcome.duplicate ? ' (already done)' : ''}
      {!outcome.ok && <span className="code"> [{outcome.code}]</span>}
    </p>
  );
}

export function Panel({ title, actions, children, className = '', id }: { title: ReactNode; actions?: ReactNode; children: ReactNode; className?: string; id?: string }) {
  const hid = useId();
  return (
    <section className={`panel ${className}`} aria-labelledby={hid} id={id}>
      <header className="panel-head">
        <h2 id={hid}>{title}</h2>
        {actions && <div className="panel-actions">{actions}</div>}
      </header>
      <div className="panel-body">{children}</div>
    </section>
  );
}

/** A modal confirmation (the native <dialog>: focus is trapped and Escape cancels). */
export function ConfirmDialog({ open, title, children, confirmLabel, danger = true, onConfirm, onCancel }: {
  open: boolean;
  title: string;
  children?: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const hid = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} className="dialog" aria-labelledby={hid} onCancel={(e) => { e.preventDefault(); onCancel(); }}>
      <h2 id={hid}>{title}</h2>
      <div className="dialog-body">{children}</div>
      <div className="dialog-buttons">
        <button type="button" onClick={onCancel} autoFocus>Cancel</button>
        <button type="button" className={danger ? 'danger' : 'primary'} onClick={onConfirm}>{confirmLabel}</button>
      </div>
    </dialog>
  );
}

export interface TabDef {
  id: string;
  label: ReactNode;
  content: () => ReactNode;
}

/** WAI-ARIA tabs: arrow keys move between tabs, Tab moves into the panel. */
export function Tabs({ tabs, label, initial, className = '', active: controlled, onChange }: { tabs: TabDef[]; label: string; initial?: string; className?: string; active?: string; onChange?: (id: string) => void }) {
  const [own, setOwn] = useState(initial ?? tabs[0]?.id);
  const active = controlled ?? own;
  const setActive = (id: string) => {
    setOwn(id);
    onChange?.(id);
  };
  const base = useId();
  const refs = useRef<(HTMLButtonElement | null)[]>([]);
  const current = tabs.find((t) => t.id === active) ?? tabs[0];
  const onKey = (e: KeyboardEvent, i: number) => {
    const next = e.key === 'ArrowRight' ? (i + 1) % tabs.length : e.key === 'ArrowLeft' ? (i - 1 + tabs.length) % tabs.length : e.key === 'Home' ? 0 : e.key === 'End' ? tabs.length - 1 : -1;
    if (next < 0) return;
    e.preventDefault();
    setActive(tabs[next].id);
    refs.current[next]?.focus();
  };
  return (
    <div className={`tabs ${className}`}>
      <div role="tablist" aria-label={label} className="tablist">
        {tabs.map((t, i) => (
          <button
            key={t.id}
            ref={(el) => { refs.current[i] = el; }}
            role="tab"
            type="button"
            id={`${base}-tab-${t.id}`}
            aria-selected={t.id === current.id}
            aria-controls={`${base}-panel-${t.id}`}
            tabIndex={t.id === current.id ? 0 : -1}
            onClick={() => setActive(t.id)}
            onKeyDown={(e) => onKey(e, i)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`${base}-panel-${current.id}`} aria-labelledby={`${base}-tab-${current.id}`} className="tabpanel" tabIndex={-1}>
        {current.content()}
      </div>
    </div>
  );
}

// ── toasts: results of actions taken anywhere on the page, announced politely ───────────────
interface Toast {
  id: number;
  outcome: Outcome;
  label: string;
}
let toasts: Toast[] = [];
let nextToast = 1;
const toastListeners = new Set<() => void>();
const emitToasts = () => toastListeners.forEach((fn) => fn());

export function toast(label: string, outcome: Outcome): void {
  const id = nextToast++;
  toasts = [...toasts.slice(-1), { id, outcome, label }];
  emitToasts();
  setTimeout(() => {
    toasts = toasts.filter((t) => t.id !== id);
    emitToasts();
  }, outcome.ok ? 4000 : 8000);
}

export function Toasts() {
  const list = useSyncExternalStore(
    (fn) => {
      toastListeners.add(fn);
      return () => toastListeners.delete(fn);
    },
    () => toasts,
  );
  return (
    <div className="toasts" aria-live="polite" aria-atomic="false">
      {list.map((t) => (
        <div key={t.id} className={`toast ${t.outcome.ok ? 'ok' : 'err'}`}>
          <strong>{t.label}</strong>
          <span>{t.outcome.ok ? t.outcome.effect : `${t.outcome.message} [${t.outcome.code}]`}</span>
          <button type="button" className="link" aria-label="Dismiss" onClick={() => { toasts = toasts.filter((x) => x.id !== t.id); emitToasts(); }}>×</button>
        </div>
      ))}
    </div>
  );
}

export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [done, setDone] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // No clipboard permission (e.g. plain http on another host): select the text for Ctrl+C.
      const ta = document.createElement('textarea');
      ta.value = text;
      document.body.appendChild(ta);
      ta.select();
      document.execCommand('copy');
      ta.remove();
    }
    setDone(true);
    setTimeout(() => setDone(false), 1500);
  };
  return (
    <button type="button" onClick={copy} aria-live="polite">
      {done ? 'Copied ✓' : label}
    </button>
  );
}
