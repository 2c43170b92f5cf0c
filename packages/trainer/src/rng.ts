// Every random stream of a training run, in one table. A run has one seed; each consumer
// draws from its own SeededRandom stream (seed, stream id), so adding draws to one consumer
// never shifts another's numbers, and a resumed run can rebuild each stream exactly.
//
//   stream id                  consumer                                      owner
//   0, 1, 2, …                 initParams: one stream per parameter tensor   @spinettai/model
//   0x5eed + k                 dropout seeds baked into a graph (node k)     @spinettai/model
//   RNG_STREAMS.sampler        training-window offsets (state checkpointed)  data.ts
//   RNG_STREAMS.dropout + step onnxruntime dropout seed of the sessions      deriveSeed (below)
//                              built at `step`
// The gradient-accumulation graph of a step runs with its step's dropout seed XOR
// RNG_STREAMS.accumXor, so its masks differ from the main graph's.

import { SeededRandom } from '@spinettai/graph';

/** Stream ids (and the one seed mask) of the trainer's random numbers. */
export const RNG_STREAMS = Object.freeze({
  /** The batch sampler's generator. */
  sampler: 0x20000000,
  /** Base of the per-step dropout seeds: stream `dropout + step`. */
  dropout: 0x40000000,
  /** XOR mask separating the gradient-accumulation graph's dropout seed from the main graph's. */
  accumXor: 0x2545f491,
});

/** The 31-bit dropout seed of the training sessions built at `step` of a run with `seed`. */
export function deriveSeed(seed: number, step: number): number {
  return new SeededRandom(seed, RNG_STREAMS.dropout + step).nextUint32() & 0x7fffffff;
}
