// The text of scenario drafts born from the learning loop (no DOM: tested in node against the
// scenario checker, test/unit/risks.test.ts). A risk's or a lesson's pre-mortem goes on top of the
// template or of the game day's own scenario file, with a new id, title and summary.
import { SCENARIO_TEMPLATE } from './editor-template.ts';
import type { RiskOut } from '../../../server/protocol/rest-learning.ts';

export interface IncomingDraft {
  text: string;
  origin: string;
}

/** A scenario id from a title: `risk-primary-db-fills-its-disk`. */
export function slug(text: string, prefix: string): string {
  const s = text.toLowerCase().normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return `${prefix}-${s}`.slice(0, 60).replace(/-+$/, '');
}

const quote = (s: string) => `'${s.replace(/\s+/g, ' ').trim().replace(/'/g, "''")}'`;
const comment = (text: string) =>
  text
    .split(/\r?\n/)
    .map((l) => `# ${l}`.trimEnd())
    .join('\n');
const folded = (text: string) =>
  text
    .replace(/\s+/g, ' ')
    .trim()
    .match(/.{1,90}(\s|$)/g)!
    .map((l) => `  ${l.trim()}`)
    .join('\n');

/** Puts the pre-mortem at the top of a scenario file and gives it a new id, title and summary. */
export function withPremortem(source: string, premortem: string, fields: { id: string; title: string; summary: string }): string {
  let text = source
    .replace(/^id:.*$/m, `id: ${fields.id}`)
    .replace(/^title:.*$/m, `title: ${quote(fields.title.slice(0, 120))}`)
    .replace(/^summary:.*\n(?:[ \t]+.*\n)*/m, `summary: >-\n${folded(fields.summary.slice(0, 900) || fields.title)}\n`);
  // The file's own opening comment stays, under the pre-mortem.
  text = `${comment(`PRE-MORTEM — ${premortem}`)}\n#\n${text}`;
  return text;
}

/** What a pre-mortem draft needs of a risk from the register (GET /api/risks). */
export type RiskLike = Pick<RiskOut, 'id' | 'title' | 'description' | 'likelihood' | 'impact' | 'detection' | 'priority'>;

export function riskDraft(r: RiskLike): IncomingDraft {
  const premortem =
    `${r.title}\n\n${r.description ? `${r.description}\n\n` : ''}` +
    `From the risk register: likelihood ${r.likelihood}/5, impact ${r.impact}/5, detection confidence ${r.detection}/5, priority ${r.priority}.\n` +
    'Write the timeline that makes this happen, what the team will see first, and what a good response looks like.';
  const text = withPremortem(SCENARIO_TEMPLATE, premortem, { id: slug(r.title, 'risk'), title: r.title, summary: r.description || r.title });
  return { text, origin: `pre-mortem of risk “${r.title}”` };
}

export function lessonDraft(lesson: { text: string; author?: string }, scenario: { id: string; title: string }, source?: string): IncomingDraft {
  const premortem =
    `This could happen again.\n\nLesson from a game day of "${scenario.title}" (${scenario.id})${lesson.author ? `, said by ${lesson.author}` : ''}:\n` +
    `${lesson.text}\n\n` +
    `${source ? `Started from ${scenario.id}: change the timeline so that it rehearses the lesson.` : 'Write the timeline that would test this lesson.'}`;
  const title = `Again: ${lesson.text.split(/[.\n]/)[0]}`.slice(0, 120);
  const text = withPremortem(source ?? SCENARIO_TEMPLATE, premortem, { id: slug(`${scenario.id}-again`, 'lesson'), title, summary: lesson.text });
  return { text, origin: `lesson from ${scenario.id}` };
}
