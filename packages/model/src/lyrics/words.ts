// Words as the copied-lyrics guard and its metrics compare them: case-folded runs of
// letters, marks and digits, so "¡Amor!" and "amor" are the same word and punctuation,
// spacing and line breaks never matter. Accents are kept ("sé" ≠ "se").

const WORD = /[\p{L}\p{M}\p{N}]+/gu;

/** The words of a text, lower-cased (NFC), in order. */
export function words(text: string): string[] {
  return Array.from(text.normalize('NFC').toLowerCase().matchAll(WORD), (m) => m[0]);
}

/** True when the text ends inside a word (the next characters could still extend it). */
export function endsInWord(text: string): boolean {
  return /[\p{L}\p{M}\p{N}]$/u.test(text);
}
