import { describe, expect, it } from 'vitest';
import { ProgressTracker } from './progress.js';

describe('ProgressTracker', () => {
  it('counts songs and estimates time from downloads only', () => {
    let now = 0;
    const t = new ProgressTracker(5, 3, () => now);
    expect(t.tick('saved already', false)).toEqual({
      done: 1,
      total: 5,
      etaSeconds: undefined,
      title: 'saved already',
    });
    now = 2000;
    // 1 download in 2 s, 2 downloads left → 4 s.
    expect(t.tick('a', true).etaSeconds).toBeCloseTo(4, 12);
    now = 3000;
    // 2 downloads in 3 s, 1 left → 1.5 s; a filtered song does not change the estimate.
    expect(t.tick('b', true).etaSeconds).toBeCloseTo(1.5, 12);
    expect(t.tick('c', false).etaSeconds).toBeCloseTo(1.5, 12);
    const last = t.tick('d', true);
    expect(last.done).toBe(5);
    expect(last.etaSeconds).toBe(0);
  });
});
