// Options of train(): one set of defaults, unknown keys refused with their names,
// `undefined` meaning "the default", and option names (not CLI flags) in messages.
import { describe, expect, it } from 'vitest';
import { TrainOptionsError } from './errors.js';
import { checkHooks, resolveOptions, TRAIN_DEFAULTS, type TrainOptions } from './options.js';

const base = { dataDir: 'data', outDir: 'run' };

describe('resolveOptions', () => {
  it('fills every default from TRAIN_DEFAULTS, and undefined means the default', () => {
    const r = resolveOptions({ ...base, lr: undefined, steps: undefined, model: undefined });
    expect(r.steps).toBe(TRAIN_DEFAULTS.steps);
    expect(r.lr).toBe(TRAIN_DEFAULTS.lr);
    expect(r.minLr).toBeCloseTo(TRAIN_DEFAULTS.lr * TRAIN_DEFAULTS.minLrRatio, 15);
    expect(r.saveEvery).toBe(TRAIN_DEFAULTS.saveEvery);
    expect(r.dropout).toBe(TRAIN_DEFAULTS.dropout);
    expect(r.model).toEqual({});
  });

  it('refuses a misspelt option, naming it', () => {
    const opts = { ...base, stpes: 10 } as unknown as TrainOptions;
    expect(() => resolveOptions(opts)).toThrow(TrainOptionsError);
    expect(() => resolveOptions(opts)).toThrow(/unknown option `stpes`/);
  });

  it('refuses unknown keys in model, and says where dropout goes', () => {
    const withDropout = { ...base, model: { nLayer: 2, dropout: 0.3 } } as unknown as TrainOptions;
    expect(() => resolveOptions(withDropout)).toThrow(/`model.dropout`: set the top-level option `dropout`/);
    const withVocab = { ...base, model: { vocabSize: 99 } } as unknown as TrainOptions;
    expect(() => resolveOptions(withVocab)).toThrow(/`model.vocabSize`.*meta.json/);
    const typo = { ...base, model: { nLayers: 2 } } as unknown as TrainOptions;
    const err = (() => {
      try {
        resolveOptions(typo);
      } catch (e) {
        return e as TrainOptionsError;
      }
      return undefined;
    })();
    expect(err?.option).toBe('model.nLayers');
    expect(err?.message).toMatch(/known model\. keys: nLayer, nHead, nEmbd, blockSize/);
  });

  it('names options, never CLI flags, in its messages', () => {
    expect(() => resolveOptions({ ...base, lr: 0.1, minLr: 1 })).toThrow(/option `minLr` = 1/);
    expect(() => resolveOptions({ ...base, model: { blockSize: 0 } })).toThrow(/`model.blockSize`/);
    expect(() => resolveOptions({ ...base, dropout: 1 })).not.toThrow(/--/);
    expect(() => resolveOptions({ ...base, dropout: 1 })).toThrow(/`dropout`/);
  });

  it('refuses unknown hooks', () => {
    expect(() => checkHooks({ onstep: () => {} } as never)).toThrow(/unknown option `hooks.onstep`/);
    expect(() => checkHooks({ onStep: 3 } as never)).toThrow(/`hooks.onStep` must be a function/);
    expect(() => checkHooks({ onStep: undefined })).not.toThrow();
  });
});
