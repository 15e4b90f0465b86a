// Lessons learned and action items of a game day. The facilitator records, edits and deletes
// them; participants read them. Everything goes through the REST routes of docs/protocol.md, and
// the after-action report lists what is recorded here.
import { useCallback, useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent, type ReactNode } from 'react';
import { ApiError } from '../lib/api.ts';
import {
  addActionItem, addLesson, deleteActionItem, deleteLesson, listActionItems, listLessons, STATUS_LABELS, updateActionItem, updateLesson,
  type ActionItemChange, type ActionItemInfo, type ActionItemStatus, type LessonInfo,
} from '../lib/debrief-api.ts';
import { errorText } from '../lib/format.ts';
import { openLessonDraft } from '../lib/premortem.ts';
import { ConfirmDialog, Panel } from './ui.tsx';

const STATUSES = Object.keys(STATUS_LABELS) as ActionItemStatus[];
const LIMITS = { lesson: 2000, author: 80, title: 200, owner: 80, link: 500 };
const LINK = /^https?:\/\/[^\s<>"'`]+$/i;

type Note = { ok: boolean; text: string };

/** The outcome of the last request: a success fades after a few seconds, an error stays. */
function useNote(): [Note | undefined, (n: Note | undefined) => void] {
  const [note, setNote] = useState<Note>();
  useEffect(() => {
    if (!note?.ok) return;
    const t = setTimeout(() => setNote(undefined), 4000);
    return () => clearTimeout(t);
  }, [note]);
  return [note, setNote];
}

/** A line under a form: what happened to the last request. */
function Outcome({ note, id }: { note?: Note; id?: string }) {
  if (!note) return null;
  return (
    <p id={id} className={`result ${note.ok ? 'ok' : 'err'}`} role={note.ok ? 'status' : 'alert'}>
      {note.ok ? '✓ ' : '✗ '}
      {note.text}
    </p>
  );
}

/** After an editor closes, the keyboard focus goes back to the item's Edit button. */
function refocus(selector: string) {
  requestAnimationFrame(() => document.querySelector<HTMLElement>(selector)?.focus());
}

/** Ctrl/⌘+Enter in a text area submits its form. */
function submitOnCtrlEnter(e: KeyboardEvent<HTMLTextAreaElement>) {
  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
    e.preventDefault();
    e.currentTarget.form?.requestSubmit();
  }
}

function Counter({ value, max }: { value: string; max: number }) {
  if (value.length < max * 0.8) return null;
  return <span className={`counter ${value.length > max ? 'bad' : ''}`}>{value.length}/{max}</span>;
}

function when(iso: string): string {
  const d = new Date(iso);
  return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** YYYY-MM-DD as a date people read, without moving it across a time zone. */
function day(ymd: string): string {
  const [y, m, d] = ymd.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d)).toLocaleDateString(undefined, { dateStyle: 'medium', timeZone: 'UTC' });
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

export interface DebriefNotesProps {
  sessionId: string;
  token: string;
  canEdit: boolean;
  /** Bumped by the page's Refresh. */
  rev: number;
  /** Called after every change, so the page can refresh the report that lists them. */
  onChange?: () => void;
}

export function DebriefNotes({ sessionId, token, canEdit, rev, onChange }: DebriefNotesProps) {
  const [lessons, setLessons] = useState<LessonInfo[]>();
  const [items, setItems] = useState<ActionItemInfo[]>();
  const [today, setToday] = useState<string>();
  const [error, setError] = useState<{ code: string; text: string }>();

  const load = useCallback(async () => {
    try {
      const [l, a] = await Promise.all([listLessons(sessionId, token), listActionItems(sessionId, token)]);
      setLessons(l);
      setItems(a.items);
      setToday(a.today);
      setError(undefined);
    } catch (e) {
      setError({ code: e instanceof ApiError ? e.code : 'error', text: errorText(e) });
    }
  }, [sessionId, token]);

  useEffect(() => {
    void load();
    // Someone else (another facilitator tab) may add notes: keep the lists fresh.
    const every = setInterval(() => void load(), 30_000);
    return () => clearInterval(every);
  }, [load, rev]);

  const changed = () => {
    void load();
    onChange?.();
  };

  if (error?.code === 'report/not-available') {
    return (
      <Panel title="Lessons & action items">
        <p className="empty">They open with the report: once the facilitator reveals the scores or ends the game day.</p>
      </Panel>
    );
  }
  return (
    <>
      {error && <p className="result err" role="alert">✗ Could not load lessons and action items: {error.text}</p>}
      <LessonsPanel sessionId={sessionId} token={token} canEdit={canEdit} lessons={lessons} onChange={changed} />
      <ActionItemsPanel sessionId={sessionId} token={token} canEdit={canEdit} items={items} today={today} onChange={changed} />
    </>
  );
}

// ── lessons ──────────────────────────────────────────────────────────────────────────────────────

function LessonsPanel({ sessionId, token, canEdit, lessons, onChange }: { sessionId: string; token: string; canEdit: boolean; lessons?: LessonInfo[]; onChange: () => void }) {
  const [editing, setEditing] = useState<string>();
  const [deleting, setDeleting] = useState<LessonInfo>();
  const [note, setNote] = useNote();
  const headingRef = useRef<HTMLDivElement>(null);

  const remove = async (l: LessonInfo) => {
    setDeleting(undefined);
    try {
      await deleteLesson(sessionId, token, l.id);
      setNote({ ok: true, text: 'Lesson deleted' });
      onChange();
      headingRef.current?.focus();
    } catch (e) {
      setNote({ ok: false, text: errorText(e) });
    }
  };

  return (
    <Panel title={<>Lessons learned {lessons && <span className="count muted-count">{lessons.length}</span>}</>} className="notes-panel" id="lessons">
      <div ref={headingRef} tabIndex={-1} className="focus-anchor" aria-label="Lessons learned" />
      {!lessons && <p className="empty">Loading…</p>}
      {lessons && lessons.length === 0 && (
        <p className="empty">{canEdit ? 'No lessons yet. What would the team do differently next time?' : 'The facilitator has not recorded any lessons yet.'}</p>
      )}
      {lessons && lessons.length > 0 && (
        <ol className="notes-list lessons-list" aria-label="Lessons learned">
          {lessons.map((l, i) =>
            editing === l.id ? (
              <li key={l.id} className="note editing">
                <LessonEditor sessionId={sessionId} token={token} lesson={l} n={i + 1} onClose={(saved) => { setEditing(undefined); refocus(`[data-lesson-id="${l.id}"] button`); if (saved) { setNote({ ok: true, text: 'Lesson saved' }); onChange(); } }} />
              </li>
            ) : (
              <li key={l.id} className="note" data-lesson-id={l.id}>
                <p className="note-text">{l.text}</p>
                <div className="note-meta">
                  {l.author && <span className="author">— {l.author}</span>}
                  <time dateTime={l.createdAt}>{when(l.createdAt)}</time>
                  <button type="button" className="small" data-testid="lesson-premortem" title="Open the scenario editor on a new draft: this lesson as its pre-mortem, starting from this game day's scenario" onClick={() => openLessonDraft(sessionId, token, l).catch((e: unknown) => setNote({ ok: false, text: errorText(e) }))}>This could happen again — write it as a pre-mortem</button>
                  {canEdit && (
                    <span className="note-actions">
                      <button type="button" className="small" aria-label={`Edit lesson ${i + 1}`} onClick={() => setEditing(l.id)}>Edit</button>
                      <button type="button" className="small danger-outline" aria-label={`Delete lesson ${i + 1}`} onClick={() => setDeleting(l)}>Delete</button>
                    </span>
                  )}
                </div>
              </li>
            ),
          )}
        </ol>
      )}
      <Outcome note={note} />
      {canEdit && <LessonForm sessionId={sessionId} token={token} onDone={onChange} />}
      <ConfirmDialog open={deleting !== undefined} title="Delete this lesson?" confirmLabel="Delete lesson" onConfirm={() => deleting && void remove(deleting)} onCancel={() => setDeleting(undefined)}>
        <blockquote className="quote">{deleting?.text}</blockquote>
        <p className="muted">It disappears from the report too. This cannot be undone.</p>
      </ConfirmDialog>
    </Panel>
  );
}

function LessonFields({ text, author, setText, setAuthor, autoFocus, idBase, children, hint }: { text: string; author: string; setText: (v: string) => void; setAuthor: (v: string) => void; autoFocus?: boolean; idBase: string; children: ReactNode; hint?: string }) {
  return (
    <>
      <label htmlFor={`${idBase}-text`}>
        <span className="label-line">
          <span>Lesson learned</span>
          <Counter value={text} max={LIMITS.lesson} />
          {hint && <span className="hint" aria-hidden="true">{hint}</span>}
        </span>
        <textarea
          id={`${idBase}-text`}
          name="lesson"
          rows={2}
          maxLength={LIMITS.lesson}
          value={text}
          autoFocus={autoFocus}
          placeholder="What would you do differently next time?"
          onChange={(e) => setText(e.target.value)}
          onKeyDown={submitOnCtrlEnter}
        />
      </label>
      <div className="row form-row">
        <label htmlFor={`${idBase}-author`} className="grow">
          Said by
          <input id={`${idBase}-author`} name="author" maxLength={LIMITS.author} value={author} placeholder="optional" onChange={(e) => setAuthor(e.target.value)} autoComplete="off" />
        </label>
        {children}
      </div>
    </>
  );
}

function LessonForm({ sessionId, token, onDone }: { sessionId: string; token: string; onDone: () => void }) {
  const [text, setText] = useState('');
  const [author, setAuthor] = useState('');
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useNote();
  const idBase = useId();
  const formRef = useRef<HTMLFormElement>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim()) {
      setNote({ ok: false, text: 'Write the lesson first.' });
      formRef.current?.querySelector('textarea')?.focus();
      return;
    }
    setBusy(true);
    try {
      await addLesson(sessionId, token, { text: text.trim(), ...(author.trim() ? { author: author.trim() } : {}) });
      setText('');
      setAuthor('');
      setNote({ ok: true, text: 'Lesson added' });
      onDone();
      formRef.current?.querySelector('textarea')?.focus();
    } catch (err) {
      setNote({ ok: false, text: errorText(err) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form ref={formRef} className="note-form" onSubmit={submit} aria-label="Add a lesson learned" noValidate>
      <LessonFields text={text} author={author} setText={setText} setAuthor={setAuthor} idBase={idBase} hint="Ctrl+Enter adds it">
        <button type="submit" className="primary" disabled={busy}>Add lesson</button>
      </LessonFields>
      <Outcome note={note} />
    </form>
  );
}

function LessonEditor({ sessionId, token, lesson, n, onClose }: { sessionId: string; token: string; lesson: LessonInfo; n: number; onClose: (saved: boolean) => void }) {
  const [text, setText] = useState(lesson.text);
  const [author, setAuthor] = useState(lesson.author ?? '');
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useNote();
  const idBase = useId();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim()) return setNote({ ok: false, text: 'A lesson cannot be empty; delete it instead.' });
    setBusy(true);
    try {
      await updateLesson(sessionId, token, lesson.id, { text: text.trim(), author: author.trim() ? author.trim() : null });
      onClose(true);
    } catch (err) {
      setNote({ ok: false, text: errorText(err) });
      setBusy(false);
    }
  };

  return (
    <form className="note-form" onSubmit={submit} aria-label={`Edit lesson ${n}`} noValidate onKeyDown={(e) => e.key === 'Escape' && onClose(false)}>
      <LessonFields text={text} author={author} setText={setText} setAuthor={setAuthor} autoFocus idBase={idBase}>
        <button type="button" onClick={() => onClose(false)}>Cancel</button>
        <button type="submit" className="primary" disabled={busy}>Save lesson</button>
      </LessonFields>
      <Outcome note={note} />
    </form>
  );
}

// ── action items ─────────────────────────────────────────────────────────────────────────────────

interface ItemDraft {
  title: string;
  owner: string;
  dueDate: string;
  link: string;
  status: ActionItemStatus;
}

const EMPTY: ItemDraft = { title: '', owner: '', dueDate: '', link: '', status: 'open' };

function draftOf(a: ActionItemInfo): ItemDraft {
  return { title: a.title, owner: a.owner, dueDate: a.dueDate ?? '', link: a.link ?? '', status: a.status };
}

/** The first problem of a draft, with the field it is about. */
function problemOf(d: ItemDraft): { field: keyof ItemDraft; text: string } | undefined {
  if (!d.title.trim()) return { field: 'title', text: 'Say what is to be done.' };
  if (!d.owner.trim()) return { field: 'owner', text: 'Every action item needs an owner: a person or a team.' };
  if (d.link.trim() && !LINK.test(d.link.trim())) return { field: 'link', text: 'The link must be a web address starting with http:// or https://.' };
  if (d.dueDate && !/^\d{4}-\d{2}-\d{2}$/.test(d.dueDate)) return { field: 'dueDate', text: 'The due date must be a day (YYYY-MM-DD).' };
  return undefined;
}

function ItemFields({ draft, set, idBase, invalid, errorId, autoFocus, children }: { draft: ItemDraft; set: (d: ItemDraft) => void; idBase: string; invalid?: keyof ItemDraft; errorId: string; autoFocus?: boolean; children: ReactNode }) {
  const field = (name: keyof ItemDraft) => ({
    id: `${idBase}-${name}`,
    name,
    'aria-invalid': invalid === name || undefined,
    'aria-describedby': invalid === name ? errorId : undefined,
  });
  return (
    <>
      <label htmlFor={`${idBase}-title`}>
        <span className="label-line"><span>Action</span> <Counter value={draft.title} max={LIMITS.title} /></span>
        <input {...field('title')} maxLength={LIMITS.title} value={draft.title} autoFocus={autoFocus} placeholder="What is to be done" onChange={(e) => set({ ...draft, title: e.target.value })} />
      </label>
      <div className="row form-row">
        <label htmlFor={`${idBase}-owner`} className="grow">
          Owner
          <input {...field('owner')} maxLength={LIMITS.owner} value={draft.owner} placeholder="person or team" onChange={(e) => set({ ...draft, owner: e.target.value })} />
        </label>
        <label htmlFor={`${idBase}-dueDate`} title="Optional">
          Due date
          <input {...field('dueDate')} type="date" value={draft.dueDate} onChange={(e) => set({ ...draft, dueDate: e.target.value })} />
        </label>
        <label htmlFor={`${idBase}-status`}>
          Status
          <select {...field('status')} value={draft.status} onChange={(e) => set({ ...draft, status: e.target.value as ActionItemStatus })}>
            {STATUSES.map((s) => <option key={s} value={s}>{STATUS_LABELS[s]}</option>)}
          </select>
        </label>
      </div>
      <div className="row form-row">
        <label htmlFor={`${idBase}-link`} className="grow">
          Link
          <input {...field('link')} type="url" inputMode="url" maxLength={LIMITS.link} value={draft.link} placeholder="https://… ticket or document (optional)" onChange={(e) => set({ ...draft, link: e.target.value })} />
        </label>
        {children}
      </div>
    </>
  );
}

function ActionItemsPanel({ sessionId, token, canEdit, items, today, onChange }: { sessionId: string; token: string; canEdit: boolean; items?: ActionItemInfo[]; today?: string; onChange: () => void }) {
  const [editing, setEditing] = useState<string>();
  const [deleting, setDeleting] = useState<ActionItemInfo>();
  const [note, setNote] = useNote();
  const anchor = useRef<HTMLDivElement>(null);
  const overdue = items?.filter((a) => a.overdue).length ?? 0;

  const patch = async (a: ActionItemInfo, change: ActionItemChange, done: string) => {
    try {
      await updateActionItem(sessionId, token, a.id, change);
      setNote({ ok: true, text: done });
      onChange();
    } catch (e) {
      setNote({ ok: false, text: errorText(e) });
    }
  };

  const remove = async (a: ActionItemInfo) => {
    setDeleting(undefined);
    try {
      await deleteActionItem(sessionId, token, a.id);
      setNote({ ok: true, text: 'Action item deleted' });
      onChange();
      anchor.current?.focus();
    } catch (e) {
      setNote({ ok: false, text: errorText(e) });
    }
  };

  return (
    <Panel
      title={
        <>
          Action items {items && <span className="count muted-count">{items.length}</span>}
          {overdue > 0 && <span className="count bad">{overdue} overdue</span>}
        </>
      }
      className="notes-panel"
      id="action-items"
    >
      <div ref={anchor} tabIndex={-1} className="focus-anchor" aria-label="Action items" />
      {!items && <p className="empty">Loading…</p>}
      {items && items.length === 0 && (
        <p className="empty">{canEdit ? 'No action items yet. Turn each lesson into work with an owner and a date.' : 'The facilitator has not recorded any action items yet.'}</p>
      )}
      {items && items.length > 0 && (
        <ol className="notes-list items-list" aria-label="Action items">
          {items.map((a, i) =>
            editing === a.id ? (
              <li key={a.id} className="note editing">
                <ActionItemEditor sessionId={sessionId} token={token} item={a} n={i + 1} onClose={(saved) => { setEditing(undefined); refocus(`[data-item-id="${a.id}"] .note-actions button`); if (saved) { setNote({ ok: true, text: 'Action item saved' }); onChange(); } }} />
              </li>
            ) : (
              <li key={a.id} className={`note item status-${a.status} ${a.overdue ? 'overdue' : ''}`} data-item-id={a.id}>
                <div className="item-head">
                  <span className="item-title">
                    {a.link ? (
                      <a href={a.link} target="_blank" rel="noopener noreferrer">
                        {a.title}
                        <span className="sr-only"> (opens in a new tab)</span>
                        <span aria-hidden="true" className="ext">↗</span>
                      </a>
                    ) : (
                      a.title
                    )}
                  </span>
                  {canEdit ? (
                    <label className="inline status-select" htmlFor={`status-${a.id}`}>
                      <span className="sr-only">Status of action item {i + 1}</span>
                      <select
                        id={`status-${a.id}`}
                        className={`status-${a.status}`}
                        value={a.status}
                        onChange={(e) => void patch(a, { status: e.target.value as ActionItemStatus }, `Action item ${i + 1}: ${STATUS_LABELS[e.target.value as ActionItemStatus].toLowerCase()}`)}
                      >
                        {STATUSES.map((s) => <option key={s} value={s}>{STATUS_LABELS[s]}</option>)}
                      </select>
                    </label>
                  ) : (
                    <StatusPill status={a.status} />
                  )}
                </div>
                <div className="note-meta">
                  <span>Owner <strong>{a.owner}</strong></span>
                  {a.dueDate ? <Due dueDate={a.dueDate} today={today} overdue={a.overdue} status={a.status} /> : <span className="muted">no due date</span>}
                  {canEdit && (
                    <span className="note-actions">
                      <button type="button" className="small" aria-label={`Edit action item ${i + 1}`} onClick={() => setEditing(a.id)}>Edit</button>
                      <button type="button" className="small danger-outline" aria-label={`Delete action item ${i + 1}`} onClick={() => setDeleting(a)}>Delete</button>
                    </span>
                  )}
                </div>
              </li>
            ),
          )}
        </ol>
      )}
      <Outcome note={note} />
      {canEdit && <ActionItemForm sessionId={sessionId} token={token} onDone={onChange} />}
      <ConfirmDialog open={deleting !== undefined} title="Delete this action item?" confirmLabel="Delete action item" onConfirm={() => deleting && void remove(deleting)} onCancel={() => setDeleting(undefined)}>
        <p><strong>{deleting?.title}</strong> — {deleting?.owner}</p>
        <p className="muted">To keep a record that the team decided against it, set its status to “Dropped” instead. Deleting cannot be undone.</p>
      </ConfirmDialog>
    </Panel>
  );
}

function StatusPill({ status }: { status: ActionItemStatus }) {
  return <span className={`pill status-pill status-${status}`}>{STATUS_LABELS[status]}</span>;
}

function Due({ dueDate, today, overdue, status }: { dueDate: string; today?: string; overdue: boolean; status: ActionItemStatus }): ReactNode {
  const gap = today ? daysBetween(today, dueDate) : undefined;
  const pending = status === 'open' || status === 'in-progress';
  let rel = '';
  if (gap !== undefined && pending) rel = gap === 0 ? 'due today' : gap > 0 ? `in ${gap} day${gap === 1 ? '' : 's'}` : `${-gap} day${gap === -1 ? '' : 's'} late`;
  return (
    <span className={overdue ? 'due overdue' : 'due'}>
      Due <time dateTime={dueDate}>{day(dueDate)}</time>
      {rel && <span className={overdue ? 'pill firing' : 'muted'}> {overdue ? `overdue · ${rel}` : `· ${rel}`}</span>}
    </span>
  );
}

function ActionItemForm({ sessionId, token, onDone }: { sessionId: string; token: string; onDone: () => void }) {
  const [draft, setDraft] = useState<ItemDraft>(EMPTY);
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useNote();
  const [invalid, setInvalid] = useState<keyof ItemDraft>();
  const idBase = useId();
  const errorId = `${idBase}-error`;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const problem = problemOf(draft);
    if (problem) {
      setInvalid(problem.field);
      setNote({ ok: false, text: problem.text });
      document.getElementById(`${idBase}-${problem.field}`)?.focus();
      return;
    }
    setInvalid(undefined);
    setBusy(true);
    try {
      await addActionItem(sessionId, token, {
        title: draft.title.trim(),
        owner: draft.owner.trim(),
        status: draft.status,
        ...(draft.dueDate ? { dueDate: draft.dueDate } : {}),
        ...(draft.link.trim() ? { link: draft.link.trim() } : {}),
      });
      setDraft(EMPTY);
      setNote({ ok: true, text: 'Action item added' });
      onDone();
      document.getElementById(`${idBase}-title`)?.focus();
    } catch (err) {
      const field = fieldOf(err);
      if (field) setInvalid(field);
      setNote({ ok: false, text: errorText(err) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="note-form" onSubmit={submit} aria-label="Add an action item" noValidate>
      <ItemFields draft={draft} set={setDraft} idBase={idBase} invalid={invalid} errorId={errorId}>
        <button type="submit" className="primary" disabled={busy}>Add action item</button>
      </ItemFields>
      <Outcome note={note} id={errorId} />
    </form>
  );
}

function ActionItemEditor({ sessionId, token, item, n, onClose }: { sessionId: string; token: string; item: ActionItemInfo; n: number; onClose: (saved: boolean) => void }) {
  const [draft, setDraft] = useState<ItemDraft>(() => draftOf(item));
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useNote();
  const [invalid, setInvalid] = useState<keyof ItemDraft>();
  const idBase = useId();
  const errorId = `${idBase}-error`;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const problem = problemOf(draft);
    if (problem) {
      setInvalid(problem.field);
      setNote({ ok: false, text: problem.text });
      document.getElementById(`${idBase}-${problem.field}`)?.focus();
      return;
    }
    const before = draftOf(item);
    const change: ActionItemChange = {};
    if (draft.title.trim() !== before.title) change.title = draft.title.trim();
    if (draft.owner.trim() !== before.owner) change.owner = draft.owner.trim();
    if (draft.status !== before.status) change.status = draft.status;
    if (draft.dueDate !== before.dueDate) change.dueDate = draft.dueDate || null;
    if (draft.link.trim() !== before.link) change.link = draft.link.trim() || null;
    if (Object.keys(change).length === 0) return onClose(false);
    setBusy(true);
    try {
      await updateActionItem(sessionId, token, item.id, change);
      onClose(true);
    } catch (err) {
      const field = fieldOf(err);
      if (field) setInvalid(field);
      setNote({ ok: false, text: errorText(err) });
      setBusy(false);
    }
  };

  return (
    <form className="note-form" onSubmit={submit} aria-label={`Edit action item ${n}`} noValidate onKeyDown={(e) => e.key === 'Escape' && onClose(false)}>
      <ItemFields draft={draft} set={setDraft} idBase={idBase} invalid={invalid} errorId={errorId} autoFocus>
        <button type="button" onClick={() => onClose(false)}>Cancel</button>
        <button type="submit" className="primary" disabled={busy}>Save</button>
      </ItemFields>
      <Outcome note={note} id={errorId} />
    </form>
  );
}

/** The field a 400 from the server names (`details: [{ field: 'body/link' }]`). */
function fieldOf(err: unknown): keyof ItemDraft | undefined {
  if (!(err instanceof ApiError) || !Array.isArray(err.details)) return undefined;
  const field = (err.details[0] as { field?: string } | undefined)?.field?.replace(/^body\//, '');
  return field && field in EMPTY ? (field as keyof ItemDraft) : undefined;
}
