import { describe, expect, it } from 'vitest';
import { benchTrain, measurePeakFlops } from './bench.js';

describe('benchTrain', () => {
  it('times training steps of a tiny config and summarises an onnxruntime profile', async () => {
    const r = await benchTrain(
      { vocabSize: 64, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 16 },
      { batch: 2, steps: 3, warmup: 1, threads: 1, profile: true, peakFlops: 1e9 },
    );
    expect(r.step_ms_all).toHaveLength(3);
    expect(r.tokens_per_step).toBe(16);
    expect(r.tokens_per_s).toBeCloseTo((16 * 1000) / r.step_ms, 6);
    // 64·16 wte + 8·16 wpe + one block (12·16² + 13·16) + ln_f 2·16
    expect(r.params).toBe(64 * 16 + 8 * 16 + 12 * 16 * 16 + 13 * 16 + 2 * 16);
    expect(r.mfu).toBeGreaterThan(0);
    const ops = r.profile!.map((p) => p.op);
    expect(ops.some((o) => o === 'Gemm' || o === 'MatMul' || o === 'FusedMatMul')).toBe(true);
    expect(r.profile!.reduce((a, p) => a + p.share, 0)).toBeCloseTo(1, 6);
  });

  it('with lora, trains only A and B (rank 2 on c_attn: 2·16 + 48·2 per layer)', async () => {
    const r = await benchTrain(
      { vocabSize: 64, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 16 },
      { batch: 2, steps: 1, warmup: 1, threads: 1, lora: { rank: 2 } },
    );
    expect(r.lora_rank).toBe(2);
    expect(r.trainable_params).toBe(2 * 16 + 48 * 2);
    expect(r.step_ms_all).toHaveLength(1);
  });

  it('refuses unknown option keys, naming them', async () => {
    await expect(benchTrain({ nLayer: 1 }, { batch: 2, stpes: 3 } as never)).rejects.toThrow(
      /unknown option `stpes`/,
    );
  });

  it('measures a positive peak matmul rate', async () => {
    expect(await measurePeakFlops({ n: 128, reps: 2, threads: 1 })).toBeGreaterThan(1e6);
  });
});
