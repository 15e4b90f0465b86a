// Scenario drafts born from the learning loop: a risk of the register, or a lesson of a debrief
// ("this could happen again"), becomes the start of a new scenario in the editor. The draft is
// handed over in sessionStorage under a one-time key: /editor?draft=<key>.
import { getSession } from './api.ts';
import { scenarioSource } from './editor-api.ts';
import { navigate } from './router.tsx';
import { lessonDraft, type IncomingDraft } from './premortem-text.ts';

export { riskDraft, lessonDraft, withPremortem, slug, type IncomingDraft, type RiskLike } from './premortem-text.ts';

const PREFIX = 'firedrill.editor.incoming.';

/** Puts a draft where the editor finds it and opens the editor on it. */
export function openDraft(draft: IncomingDraft): void {
  const key = Math.random().toString(36).slice(2, 10);
  try {
    sessionStorage.setItem(PREFIX + key, JSON.stringify(draft));
  } catch {
    /* storage unavailable: the editor opens on its own draft */
  }
  navigate(`/editor?draft=${key}`);
}

/** The draft under `key`, once: it is removed as it is read (a reload keeps the editor's own copy). */
export function takeDraft(key: string): IncomingDraft | undefined {
  try {
    const raw = sessionStorage.getItem(PREFIX + key);
    sessionStorage.removeItem(PREFIX + key);
    const d = raw ? (JSON.parse(raw) as IncomingDraft) : undefined;
    return d && typeof d.text === 'string' && typeof d.origin === 'string' ? d : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Opens the editor on a draft from a debrief lesson: the session's scenario file when the library
 * still has it (so the new scenario starts from what was played), else the template.
 */
export async function openLessonDraft(sessionId: string, token: string, lesson: { text: string; author?: string }): Promise<void> {
  const session = await getSession(sessionId, token);
  const scenario = session?.scenario ?? { id: 'unknown-scenario', title: 'a game day' };
  const source = session ? await scenarioSource(scenario.id).catch(() => undefined) : undefined;
  openDraft(lessonDraft(lesson, scenario, source));
}
