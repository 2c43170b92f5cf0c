// Whitespace and Unicode normalisation for scraped lyrics. Genius pages mix NFD and NFC
// accents, zero-width joiners from annotations, and non-breaking spaces from the markup;
// the tokenizer should see one spelling of "canción" and plain spaces.

const ZERO_WIDTH = /[\u200B-\u200D\u2060\uFEFF\u00AD]/g;
// NBSP, narrow NBSP, figure/thin/hair/en/em spaces, ideographic space, tabs.
const ODD_SPACES = /[\u00A0\u202F\u2000-\u200A\u3000\t]/g;

/** NFC, no zero-width characters or soft hyphens, odd spaces → ' ', LF line ends, no trailing spaces. */
export function normalizeUnicode(text: string): string {
  return text
    .replace(/\r\n?|\u2028|\u2029/g, '\n')
    .replace(ZERO_WIDTH, '')
    .replace(ODD_SPACES, ' ')
    .normalize('NFC')
    .split('\n')
    .map((line) => line.replace(/ {2,}/g, ' ').trimEnd())
    .join('\n');
}

/** Trim each line's ends, keep at most `maxBlank` blank lines in a row, trim the whole text. */
export function collapseBlankLines(text: string, maxBlank = 1): string {
  const out: string[] = [];
  let blanks = 0;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') {
      blanks++;
      if (blanks > maxBlank) continue;
    } else {
      blanks = 0;
    }
    out.push(line);
  }
  return out.join('\n').trim();
}

/** Lowercase, strip accents (NFD + drop combining marks), collapse whitespace. For comparisons only. */
export function foldForMatch(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}
