// The loss-curve plot: train and validation loss against step, as an SVG made with
// vega-lite (spec → vega) and vega's headless SVG renderer. Written at every evaluation.
// vega and vega-lite are imported on first use, not with the package: they weigh 11 MB,
// and vega-canvas runs a top-level `await import('canvas')`, which would make
// `require('@spinettai/trainer')` fail with ERR_REQUIRE_ASYNC_MODULE.

import { writeFileAtomic } from '@spinettai/model/node';
import type { TopLevelSpec } from 'vega-lite';

/** One point of the loss curves. */
export interface LossPoint {
  step: number;
  split: 'train' | 'validation';
  loss: number;
}

/** Renders the loss curves as an SVG string. */
export async function lossCurveSvg(
  points: readonly LossPoint[],
  title = 'SpinettAI training loss',
): Promise<string> {
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 640,
    height: 360,
    background: 'white',
    data: { values: points.map((p) => ({ ...p })) },
    mark: { type: 'line', point: points.length < 60 },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'step' },
      y: {
        field: 'loss',
        type: 'quantitative',
        title: 'cross-entropy loss (nats/token)',
        scale: { zero: false },
      },
      color: { field: 'split', type: 'nominal', title: null, scale: { domain: ['train', 'validation'] } },
    },
  };
  const [vega, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Writes the loss-curve SVG atomically. */
export async function writeLossCurve(path: string, points: readonly LossPoint[]): Promise<void> {
  await writeFileAtomic(path, await lossCurveSvg(points));
}
