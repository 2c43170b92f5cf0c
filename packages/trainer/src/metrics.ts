// metrics.jsonl: one JSON object per optimizer step, appended line by line (snake_case
// keys, as on disk). On resume the lines after the checkpoint's step are dropped, so the
// file reads like one uninterrupted run.

import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '@spinettai/model/node';

/** One line of metrics.jsonl. */
export interface MetricsRecord {
  step: number;
  lr: number;
  train_loss: number;
  val_loss: number | null;
  grad_norm: number;
  tokens_per_s: number;
  elapsed_s: number;
}

/** Appends one record as a line. */
export function appendMetrics(path: string, rec: MetricsRecord): void {
  appendFileSync(path, `${JSON.stringify(rec)}\n`);
}

/** Reads all complete records (a torn last line from a killed run is ignored). */
export function readMetrics(path: string): MetricsRecord[] {
  if (!existsSync(path)) return [];
  const out: MetricsRecord[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      out.push(JSON.parse(line) as MetricsRecord);
    } catch {
      // a half-written line at the end of a killed run
    }
  }
  return out;
}

/** Keeps only records with step ≤ `step` (atomically rewrites the file); returns them. */
export async function truncateMetrics(path: string, step: number): Promise<MetricsRecord[]> {
  const kept = readMetrics(path).filter((r) => r.step <= step);
  await writeFileAtomic(path, kept.map((r) => `${JSON.stringify(r)}\n`).join(''));
  return kept;
}
