import { describe, expect, it } from 'vitest';
import { applySectionHeaders, isSectionHeader, sectionMarker } from './sectionHeaders.js';

const SONG = '[Verso 1]\nuno\ndos\n[Coro: Luis Alberto Spinetta]\ntres\n\n[Puente]\ncuatro';

describe('section headers', () => {
  it('recognises header lines only', () => {
    expect(isSectionHeader('[Coro]')).toBe(true);
    expect(isSectionHeader('  [Verso 2: Pappo] ')).toBe(true);
    expect(isSectionHeader('[Coro] y algo más')).toBe(false);
    expect(isSectionHeader('nada')).toBe(false);
  });
  it('removes headers and keeps stanza breaks', () => {
    expect(applySectionHeaders(SONG, 'remove')).toBe('uno\ndos\n\ntres\n\ncuatro');
  });
  it('keeps headers untouched', () => {
    expect(applySectionHeaders(SONG, 'keep')).toBe(SONG);
  });
  it('turns headers into structure markers', () => {
    expect(applySectionHeaders(SONG, 'markers')).toBe('[verso]\nuno\ndos\n[coro]\ntres\n\n[puente]\ncuatro');
  });
  it('maps header names in Spanish and English', () => {
    expect(sectionMarker('Pre-Coro')).toBe('[pre-coro]');
    expect(sectionMarker('Estribillo 2')).toBe('[coro]');
    expect(sectionMarker('Chorus: X')).toBe('[coro]');
    expect(sectionMarker('Introducción')).toBe('[intro]');
    expect(sectionMarker('Solo de guitarra')).toBe('[instrumental]');
    expect(sectionMarker('Parte hablada?')).toBe('[seccion]');
  });
});
