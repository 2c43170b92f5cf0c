// Runs a table of gradient checks as vitest cases (one `it` per case).

import { expect, it } from 'vitest';
import { type GradCase, gradCheck } from './gradcheck.js';

/** Registers one test per case; each must check some elements and find no mismatch. */
export function runGradCases(cases: readonly GradCase[]): void {
  for (const c of cases) {
    it(`${c.name} (${c.dtype ?? 'float64'})`, async () => {
      const r = await gradCheck(c);
      expect(r.failures).toEqual([]);
      expect(r.checked).toBeGreaterThan(0);
    });
  }
}
