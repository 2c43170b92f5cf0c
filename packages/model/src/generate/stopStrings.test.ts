import { describe, expect, it } from 'vitest';
import { StopMatcher } from './stopStrings.js';

function run(stops: string[], pieces: string[]): { text: string; stopped: boolean } {
  const m = new StopMatcher(stops);
  let text = '';
  for (const p of pieces) {
    const r = m.push(p);
    text += r.emit;
    if (r.stopped) return { text, stopped: true };
  }
  return { text: text + m.flush(), stopped: false };
}

describe('StopMatcher', () => {
  it('catches a stop string split across pieces and emits nothing of it', () => {
    expect(run(['\n\n'], ['la la\n', '\nnext'])).toEqual({ text: 'la la', stopped: true });
    expect(run(['END'], ['the E', 'N', 'D of it'])).toEqual({ text: 'the ', stopped: true });
  });

  it('holds back only a possible prefix and releases it when the match fails', () => {
    const m = new StopMatcher(['END']);
    expect(m.push('abcE')).toEqual({ emit: 'abc', stopped: false });
    expect(m.push('N')).toEqual({ emit: '', stopped: false });
    expect(m.push('x')).toEqual({ emit: 'ENx', stopped: false });
    expect(m.flush()).toBe('');
  });

  it('flushes a held prefix at the end of generation', () => {
    expect(run(['END'], ['abc', 'EN'])).toEqual({ text: 'abcEN', stopped: false });
  });

  it('stops at the earliest of several stop strings', () => {
    expect(run(['zz', 'b'], ['aaazzb'])).toEqual({ text: 'aaa', stopped: true });
    expect(run(['verse', 'chorus'], ['[cho', 'rus] [verse]'])).toEqual({ text: '[', stopped: true });
  });

  it('passes text through untouched without stop strings', () => {
    expect(run([], ['a', 'b\n', 'c'])).toEqual({ text: 'ab\nc', stopped: false });
  });
});
