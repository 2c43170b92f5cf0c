// Lyrics text from a Genius song page. Current pages split the lyrics over several
// `<div data-lyrics-container="true">` blocks (ads sit between them), put the
// contributors / translations / title / description header inside the first block
// marked `data-exclude-from-selection`, and wrap annotated lines in `<a>`/`<span>`
// elements whose `<br>`s must become line breaks. Parsed with htmlparser2 (iterative,
// with a nesting limit: a hostile page 100,000 elements deep is refused instead of
// overflowing the stack of cheerio's recursive helpers), then queried with cheerio; see
// README ("Page extraction") for why genius-lyrics-api's extractor is not used.
import { load } from 'cheerio';
import { DomHandler, Parser } from 'htmlparser2';

/** Deepest element nesting accepted. Genius pages nest about 30 deep; cheerio's recursive
 * helpers overflow the stack somewhere past 2,000. */
export const MAX_PAGE_DEPTH = 500;

/** Outcome of {@link extractLyrics}: raw text (not yet cleaned) or why there is none. */
export type ExtractResult =
  | { lyrics: string; reason?: undefined }
  | { lyrics: null; reason: 'no-lyrics' | 'instrumental-only' | 'lyrics-unreleased' | 'page-too-deep' };

// Page furniture that can sit inside a lyrics container.
const JUNK_INSIDE = [
  '[data-exclude-from-selection="true"]',
  '[class^="LyricsHeader__"]',
  '[class^="SongBioPreview__"]',
  '[class^="ContributorsCreditSong__"]',
  '[class^="RightSidebar__"]',
  '[class^="InreadContainer__"]',
  'script',
  'style',
  'iframe',
  'button',
].join(',');

const BLOCKS = 'div, p, h1, h2, h3, h4, li';

/** Extract the raw lyrics text of a Genius song page. */
export function extractLyrics(html: string): ExtractResult {
  const document = parseLimited(html);
  if (document === null) return { lyrics: null, reason: 'page-too-deep' };
  const $ = load(document);
  let containers = $('[data-lyrics-container="true"]');
  if (containers.length === 0) containers = $('div.lyrics'); // pages from before 2020
  if (containers.length === 0) {
    const placeholder = $('[class^="LyricsPlaceholder__"]').text();
    if (/instrumental/i.test(placeholder)) return { lyrics: null, reason: 'instrumental-only' };
    if (/yet to be released|unreleased/i.test(placeholder))
      return { lyrics: null, reason: 'lyrics-unreleased' };
    return { lyrics: null, reason: 'no-lyrics' };
  }
  const parts: string[] = [];
  containers.each((_, el) => {
    const block = $(el).clone();
    block.find(JUNK_INSIDE).remove();
    block.find('br').replaceWith('\n');
    block.find(BLOCKS).each((__, inner) => {
      $(inner).append('\n');
    });
    parts.push(block.text());
  });
  // Containers are cut wherever Genius inserts an ad, often mid-stanza: join with one
  // line break, never a blank line, so no stanza break is invented.
  const text = parts.join('\n');
  if (text.trim() === '') return { lyrics: null, reason: 'no-lyrics' };
  return { lyrics: text };
}

class TooDeep extends Error {}

/** Builds the DOM like htmlparser2's parseDocument, but stops past MAX_PAGE_DEPTH. */
class DepthLimitedHandler extends DomHandler {
  override onopentag(name: string, attribs: Record<string, string>): void {
    if (this.tagStack.length > MAX_PAGE_DEPTH) throw new TooDeep();
    super.onopentag(name, attribs);
  }
}

/** The parsed page, or null when it nests deeper than MAX_PAGE_DEPTH. */
function parseLimited(html: string) {
  const handler = new DepthLimitedHandler();
  try {
    new Parser(handler).end(html);
  } catch (error) {
    if (error instanceof TooDeep) return null;
    throw error;
  }
  return handler.root;
}
