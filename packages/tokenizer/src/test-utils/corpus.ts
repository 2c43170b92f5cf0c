// Deterministic synthetic "lyrics" for tests: Spanish-like lines built from a
// small word list, with the characters that stress a byte-level tokenizer
// (accents, ñ, emoji, CRLF, tabs, NUL, combining marks, NEL, BOM, NBSP, digits,
// English contractions). No real lyrics, no network.

import { mulberry32 } from '../split.js';

const WORDS = (
  'amor corazón niña mañana canción vida noche sueño calle ciudad guitarra luna sol tiempo nunca ' +
  'siempre quiero puedo sé está así qué cómo dónde él tú mí año pequeño señor último pingüino ' +
  "vergüenza acción música rock blues it's don't we'll I'm you're they've he'd la el de que y en " +
  'un por con no una su para es al lo como más pero sus le'
).split(' ');
// biome-ignore format: a compact table reads better
const ODD = [
  '🎸', '❤️', '👍🏽', '🇦🇷', '\t', '\r\n', '\u0000', 'e\u0301', 'n\u0303', '\u0085', '\ufeff', '\u00a0',
  '¡', '¿', '!', '?', '...', '—', '«', '»', '1982', '3,14', '²', '½', '中文', 'Ωμέγα', '  ', ' \n',
];

/** One synthetic song: lines of words with occasional odd characters. */
export function syntheticSong(rand: () => number, lines = 12, odd = 0.08): string {
  const out: string[] = [];
  for (let l = 0; l < lines; l++) {
    const n = 3 + Math.floor(rand() * 7);
    const words: string[] = [];
    for (let i = 0; i < n; i++) {
      let w = WORDS[Math.floor(rand() * WORDS.length)] as string;
      if (rand() < 0.1) w = w[0]?.toUpperCase() + w.slice(1);
      if (rand() < odd) w += ODD[Math.floor(rand() * ODD.length)] as string;
      words.push(w);
    }
    out.push(words.join(rand() < 0.05 ? '  ' : ' ') + (rand() < 0.3 ? ',' : ''));
  }
  return out.join('\n');
}

/** `count` synthetic songs from one seed. */
export function syntheticSongs(count: number, seed = 1, lines = 12): string[] {
  const rand = mulberry32(seed);
  return Array.from({ length: count }, () => syntheticSong(rand, lines));
}
