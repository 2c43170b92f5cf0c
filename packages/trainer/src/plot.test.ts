import { describe, expect, it } from 'vitest';
import { lossCurveSvg } from './plot.js';

describe('lossCurveSvg', () => {
  it('renders both curves as an SVG with axis titles', async () => {
    const svg = await lossCurveSvg([
      { step: 1, split: 'train', loss: 8.3 },
      { step: 2, split: 'train', loss: 7.1 },
      { step: 2, split: 'validation', loss: 7.4 },
    ]);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('validation');
    expect(svg).toContain('cross-entropy loss');
    expect((svg.match(/<path[^>]*class="[^"]*"|<path/g) ?? []).length).toBeGreaterThan(2);
  });
});
