import { describe, expect, it } from 'vitest';
import { learningRate } from './schedule.js';

describe('learningRate', () => {
  const o = { lr: 1e-3, minLr: 1e-4, warmupSteps: 10, totalSteps: 110 };
  it('warms up linearly to the peak', () => {
    expect(learningRate(0, o)).toBeCloseTo(1e-4, 12);
    expect(learningRate(4, o)).toBeCloseTo(5e-4, 12);
    expect(learningRate(9, o)).toBeCloseTo(1e-3, 12);
  });
  it('decays along a cosine to minLr', () => {
    expect(learningRate(10, o)).toBeCloseTo(1e-3, 12);
    // Half-way through decay: minLr + (lr − minLr)/2.
    expect(learningRate(60, o)).toBeCloseTo(5.5e-4, 12);
    // A quarter: minLr + (lr − minLr)·(1 + cos(π/4))/2.
    expect(learningRate(35, o)).toBeCloseTo(1e-4 + (9e-4 * (1 + Math.SQRT1_2)) / 2, 12);
    expect(learningRate(110, o)).toBe(1e-4);
    expect(learningRate(500, o)).toBe(1e-4);
  });
  it('is monotone after warmup and never below minLr', () => {
    let prev = Number.POSITIVE_INFINITY;
    for (let s = 10; s < 120; s++) {
      const lr = learningRate(s, o);
      expect(lr).toBeLessThanOrEqual(prev);
      expect(lr).toBeGreaterThanOrEqual(1e-4);
      prev = lr;
    }
  });
  it('without warmup starts at the peak', () => {
    expect(learningRate(0, { ...o, warmupSteps: 0 })).toBe(1e-3);
  });
});
