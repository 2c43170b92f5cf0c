// Section headers such as "[Verso 1]" or "[Coro: Luis Alberto Spinetta]" on their own
// line. By default they are removed (the model should learn lyrics, not annotations);
// 'keep' leaves them as written; 'markers' maps them to a small fixed set of Spanish
// structure markers ("[verso]", "[coro]", …) so the model can learn song form.

/** What to do with section headers. */
export type SectionHeaderMode = 'remove' | 'keep' | 'markers';

const HEADER_LINE = /^\s*\[([^\]\n]{1,100})\]\s*$/;

const MARKERS: ReadonlyArray<[RegExp, string]> = [
  [/^(pre[- ]?(coro|chorus|estribillo))/, 'pre-coro'],
  [/^(verso|verse|estrofa)/, 'verso'],
  [/^(coro|chorus|estribillo|hook|refran)/, 'coro'],
  [/^(puente|bridge)/, 'puente'],
  [/^(intro|introduccion)/, 'intro'],
  [/^(outro|final|coda|cierre)/, 'outro'],
  [/^(instrumental|solo|interludio|interlude|break)/, 'instrumental'],
  [/^(recitado|spoken|hablado|poema)/, 'recitado'],
];

/** True when the line is only a bracketed header like "[Coro]". */
export function isSectionHeader(line: string): boolean {
  return HEADER_LINE.test(line);
}

/** The structure marker for a header's inner text, e.g. "Coro 2: Spinetta" → "[coro]". */
export function sectionMarker(inner: string): string {
  const head = inner
    .split(':')[0]!
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .trim();
  for (const [pattern, name] of MARKERS) if (pattern.test(head)) return `[${name}]`;
  return '[seccion]';
}

/** Remove, keep or rewrite the header lines of `text`. */
export function applySectionHeaders(text: string, mode: SectionHeaderMode): string {
  if (mode === 'keep') return text;
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const m = HEADER_LINE.exec(line);
    if (!m) out.push(line);
    else if (mode === 'markers') out.push(sectionMarker(m[1]!));
    else if (out.length > 0 && out[out.length - 1]!.trim() !== '') out.push(''); // keep the stanza break
  }
  return out.join('\n');
}
