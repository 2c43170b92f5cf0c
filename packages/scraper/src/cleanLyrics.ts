// The cleaning pipeline from extracted page text to corpus lyrics:
// Unicode normalisation → page junk → section headers → blank-line collapsing.
import { collapseBlankLines, normalizeUnicode } from './normalizeText.js';
import { rejectUnknownKeys } from './optionKeys.js';
import { removePageJunk } from './pageJunk.js';
import { applySectionHeaders, type SectionHeaderMode } from './sectionHeaders.js';

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
