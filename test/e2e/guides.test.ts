// The facilitator and participant guides walk through a game day with the screenshots the browser
// tests take: every link and picture in them must exist, and every page the tests capture must be
// in one of them. (No browser needed: this checks files.)
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, SHOTS } from './helpers-env.ts';

const GUIDES = ['docs/facilitator-guide.md', 'docs/participant-guide.md'];

/** GitHub's anchor for a heading. */
const anchor = (heading: string) => heading.toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-');

describe.each(GUIDES)('%s', (guide) => {
  const text = readFileSync(join(REPO, guide), 'utf8');
  const links = [...text.matchAll(/!?\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1]);

  it('links only to files that exist, and to headings it has', () => {
    const headings = new Set([...text.matchAll(/^#+ (.+)$/gm)].map((m) => anchor(m[1])));
    for (const link of links) {
      if (/^https?:/.test(link)) continue;
      const [path, hash] = link.split('#');
      if (path) expect(existsSync(normalize(join(REPO, dirname(guide), path))), `${guide} links to ${link}`).toBe(true);
      else expect(headings.has(hash), `${guide} links to #${hash}`).toBe(true);
    }
  });

  it('shows screenshots taken at 1366×768', () => {
    const pictures = links.filter((l) => l.endsWith('.png'));
    expect(pictures.length).toBeGreaterThan(8);
    for (const p of pictures) {
      const png = readFileSync(normalize(join(REPO, dirname(guide), p)));
      // The PNG header's IHDR chunk: width and height, big-endian, at bytes 16 and 20.
      expect([png.readUInt32BE(16), png.readUInt32BE(20)], p).toEqual([1366, 768]);
    }
  });
});

describe('the screenshots', () => {
  it('are each shown in a guide (failure-*.png aside)', () => {
    const shown = new Set(GUIDES.flatMap((g) => [...readFileSync(join(REPO, g), 'utf8').matchAll(/screenshots\/([\w.-]+\.png)/g)].map((m) => m[1])));
    const unused = readdirSync(SHOTS).filter((f) => f.endsWith('.png') && !f.startsWith('failure-') && !shown.has(f));
    expect(unused, 'screenshots no guide shows: add them to docs/facilitator-guide.md or docs/participant-guide.md').toEqual([]);
  });
});
