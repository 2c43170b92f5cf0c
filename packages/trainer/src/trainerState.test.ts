// trainer_state.json is checked field by field: garbage, null and absurd steps are refused
// with one line naming the file and the field.
import { describe, expect, it } from 'vitest';
import { CheckpointMismatchError } from './errors.js';
import { parseTrainerState } from './trainerState.js';

const good = {
  format: 'spinettai-trainer-state',
  version: 1,
  step: 6,
  config: {
    vocab_size: 32,
    block_size: 8,
    n_layer: 1,
    n_head: 2,
    n_embd: 16,
    dropout: 0.1,
    layer_norm_eps: 1e-5,
  },
  train_options: { steps: 6 },
  rng: { sampler: [1, 2, 3, 4], windows_drawn: 24 },
  tokenizer_sha256: 'a'.repeat(64),
  best_val_loss: 3.2,
  best_step: 6,
  dropout_seed: 12345,
  elapsed_s: 1.5,
  optimizer_mode: 'fused',
};
const parse = (v: unknown) => () =>
  parseTrainerState(typeof v === 'string' ? v : JSON.stringify(v), 'x/trainer_state.json');

describe('parseTrainerState', () => {
  it('accepts a state the trainer wrote', () => {
    expect(parseTrainerState(JSON.stringify(good), 'p').step).toBe(6);
  });

  it.each([
    ['garbage', '{"step": 3,,,', /not valid JSON/],
    ['null', 'null', /"\(root\)" is not an object/],
    ['an array', '[]', /"\(root\)" is not an object/],
    ['step 1e12', { ...good, step: 1e12 }, /field "step"/],
    [
      'a step past its planned steps',
      { ...good, step: 7 },
      /field "step" \(7\) is beyond the run's train_options.steps \(6\)/,
    ],
    ['a negative step', { ...good, step: -1 }, /field "step"/],
    ['a bad sampler state', { ...good, rng: { sampler: [1, 2], windows_drawn: 0 } }, /rng.sampler/],
    ['a best step after the step', { ...good, best_step: 9 }, /best_step/],
    ['another format', { ...good, format: 'x' }, /not a SpinettAI trainer state/],
  ])('refuses %s with one line', (_what, text, message) => {
    expect(parse(text)).toThrow(CheckpointMismatchError);
    expect(parse(text)).toThrow(message);
    try {
      parse(text)();
    } catch (e) {
      expect((e as Error).message).not.toContain('\n');
      expect((e as Error).message).toContain('x/trainer_state.json');
    }
  });
});
