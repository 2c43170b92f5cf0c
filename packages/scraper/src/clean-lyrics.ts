// The cleaning pipeline from extracted page text to corpus lyrics:
// Unicode normalisation → page junk → section headers → blank-line collapsing.
import { collapseBlankLines, normalizeUnicode } from './normalize-text.js';
import { rejectUnknownKeys } from './option-keys.js';
import { removePageJunk } from './page-junk.js';
import { applySectionHeaders, type SectionHeaderMode } from './section-headers.js';

/** Options of {@link cleanLyrics}. */
export interface CleanOptions {
  /** What to do with "[Verso 1]"-style headers. Default 'remove'. */
  sectionHeaders?: SectionHeaderMode;
}

/** Clean raw lyrics text taken from a song page. */
export function cleanLyrics(raw: string, options: CleanOptions = {}): string {
  rejectUnknownKeys(options, ['sectionHeaders'], 'cleanLyrics');
  const text = removePageJunk(normalizeUnicode(raw));
  return collapseBlankLines(applySectionHeaders(text, options.sectionHeaders ?? 'remove'));
}
