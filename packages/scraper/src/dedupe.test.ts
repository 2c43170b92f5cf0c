import { describe, expect, it } from 'vitest';
import { Deduper, jaccard, normalizeTitle, shingles } from './dedupe.js';

describe('normalizeTitle', () => {
  it('ignores case, accents, punctuation and version suffixes', () => {
    expect(normalizeTitle('Canción de Cuna (Remasterizado 2002)')).toBe('cancion de cuna');
    expect(normalizeTitle('CANCIÓN  DE CUNA - Versión Single')).toBe('cancion de cuna');
    expect(normalizeTitle('¿Qué será?')).toBe('que sera');
  });
});

describe('shingles and jaccard', () => {
  it('builds word 3-shingles', () => {
    expect([...shingles('a b c d')]).toEqual(['a b c', 'b c d']);
    expect([...shingles('Hola, hola')]).toEqual(['hola hola']);
  });
  it('computes Jaccard similarity by hand-checked counts', () => {
    // {a b c, b c d} vs {b c d, c d e}: 1 shared of 3 distinct.
    expect(jaccard(shingles('a b c d'), shingles('b c d e'))).toBeCloseTo(1 / 3, 12);
    expect(jaccard(new Set(), new Set())).toBe(1);
  });
});

describe('Deduper', () => {
  const base =
    'el viento trae tu nombre por la ventana abierta y la lluvia lo repite en el techo de chapa toda la noche';
  it('flags a repeated normalised title', () => {
    const d = new Deduper();
    d.add('Ventana Abierta', base);
    expect(d.check('ventana abierta (Versión Demo)', 'otra letra distinta del todo')).toBe('duplicate-title');
  });
  it('flags near-identical lyrics under another title and keeps different ones', () => {
    const d = new Deduper(0.8);
    d.add('Ventana Abierta', base);
    expect(d.check('La Ventana', `${base} toda la noche`)).toBe('duplicate-lyrics');
    expect(
      d.check('Otra', 'una canción completamente nueva sobre un río de piedra y un perro sin dueño'),
    ).toBeNull();
  });
});
