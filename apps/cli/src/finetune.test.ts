// Fine-tuning a pretrained model through the built `spinettai` binary, as a new user
// would: a Hub-layout GPT-2 folder (save_pretrained's names, attn.bias buffers, gpt2's
// config fields) stands in for a downloaded model — it is a tiny model first trained on
// the demo corpus — then tokenize --tokenizer → train --init-from (full and --lora-rank 8)
// → generate → export → info. The fine-tuned runs must beat the same steps from scratch.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSafetensorsFile, writeSafetensorsFile } from '@spinettai/model/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const CORPUS = fileURLToPath(new URL('../data/demo-corpus.jsonl', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'spinettai-finetune-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: work });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
function ok(...args: string[]): string {
  const r = cli(...args);
  expect(r.stderr + r.stdout, `spinettai ${args.join(' ')}`).not.toMatch(/^error/m);
  expect(r.code, `spinettai ${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout;
}
const bestVal = (run: string): number =>
  JSON.parse(readFileSync(join(work, run, 'checkpoints/best/trainer_state.json'), 'utf8')).best_val_loss;

const hub = join(work, 'hub-gpt2');
const TRAIN = ['--batch', '4', '--steps', '12', '--lr', '3e-3', '--warmup', '2', '--dropout', '0'];
const EVAL = ['--eval-every', '6', '--eval-batches', '4', '--threads', '1', '--seed', '5'];

/** Rewrites our checkpoint as `save_pretrained` lays out a Hub GPT-2 folder. */
async function writeHubFolder(from: string, to: string): Promise<void> {
  mkdirSync(to);
  const ours = JSON.parse(readFileSync(join(from, 'config.json'), 'utf8'));
  const P = ours.n_positions as number;
  const config = {
    ...ours,
    architectures: ['GPT2LMHeadModel'],
    activation_function: 'gelu_new',
    n_ctx: P,
    n_inner: null,
    model_type: 'gpt2',
  };
  writeFileSync(join(to, 'config.json'), JSON.stringify(config, null, 2));
  const { tensors } = await readSafetensorsFile(join(from, 'model.safetensors'));
  const out = [...tensors].map(([name, t]) => [name.replace(/^transformer\./, ''), t] as const);
  const mask = new Float32Array(P * P);
  for (let i = 0; i < P; i++) for (let j = 0; j <= i; j++) mask[i * P + j] = 1;
  for (let i = 0; i < ours.n_layer; i++)
    out.push([`h.${i}.attn.bias`, { dtype: 'float32', dims: [1, 1, P, P], data: mask }]);
  await writeSafetensorsFile(join(to, 'model.safetensors'), out, { format: 'pt' });
  for (const f of ['tokenizer.json', 'tokenizer_config.json']) copyFileSync(join(from, f), join(to, f));
}

beforeAll(async () => {
  // The "pretrained" model: 2 layers, 32 positions, trained for 80 steps on the demo corpus.
  ok('tokenize', '--corpus', CORPUS, '--out', 'data0', '--vocab-size', '320');
  ok(
    'train',
    ...['--data', 'data0', '--out', 'pre', '--layers', '2', '--embd', '32', '--heads', '2', '--block', '32'],
    ...[...TRAIN, '--steps', '80', '--lr', '1e-2', ...EVAL, '--eval-every', '80'],
  );
  await writeHubFolder(join(work, 'pre/checkpoints/last'), hub);
}, 240_000);

describe('fine-tune a Hub-layout GPT-2 through the CLI', () => {
  it('tokenize --tokenizer reuses the model tokenizer', () => {
    ok('tokenize', '--corpus', CORPUS, '--out', 'data', '--tokenizer', hub);
    expect(readFileSync(join(work, 'data/tokenizer.json'))).toEqual(
      readFileSync(join(hub, 'tokenizer.json')),
    );
  });

  it('train --init-from (full, at a block below n_positions) and --lora-rank 8 beat training from scratch', () => {
    const common = ['--data', 'data', '--block', '16', ...TRAIN, ...EVAL];
    ok('train', ...common, '--out', 'scratch', '--layers', '2', '--embd', '32', '--heads', '2');
    ok('train', ...common, '--out', 'full', '--init-from', hub);
    const lora = ok('train', ...common, '--out', 'lora', '--init-from', hub, '--lora-rank', '8');
    expect(lora).toMatch(/trained 12\/12 steps/);
    const [scratch, full, adapted] = [bestVal('scratch'), bestVal('full'), bestVal('lora')];
    expect(full).toBeLessThan(scratch - 0.5);
    expect(adapted).toBeLessThan(scratch - 0.5);
    // The adapter is a few percent of the base.
    const adapterBytes = statSync(join(work, 'lora/checkpoints/last/adapter_model.safetensors')).size;
    expect(adapterBytes / statSync(join(hub, 'model.safetensors')).size).toBeLessThan(0.1);
    const cfg = JSON.parse(readFileSync(join(work, 'lora/checkpoints/last/adapter_config.json'), 'utf8'));
    expect(cfg.base_model_name_or_path).toBe(hub);
  }, 240_000);

  it('refuses LoRA flags that cannot work, in one line naming the flags', () => {
    const noRank = cli('train', '--data', 'data', '--out', 'x', '--lora-alpha', '16');
    expect(noRank.code).toBe(1);
    expect(noRank.stderr).toMatch(/--lora-alpha needs --lora-rank/);
    const noBase = cli('train', '--data', 'data', '--out', 'x', '--lora-rank', '4');
    expect(noBase.code).toBe(1);
    expect(noBase.stderr).toMatch(/--lora-rank adapts a pretrained model: give --init-from/);
    const badTarget = cli(
      'train',
      '--data',
      'data',
      '--out',
      'x',
      '--init-from',
      hub,
      '--lora-rank',
      '4',
      '--lora-targets',
      'wte',
    );
    expect(badTarget.code).toBe(1);
    expect(badTarget.stderr).toMatch(/--lora-targets.*unknown module 'wte'/);
  });

  it('generate and export use the adapter merged into its base; info describes it', () => {
    const adapter = 'lora/checkpoints/last';
    const gen = ['--temperature', '0', '--max-tokens', '12', '--prompt', 'la noche', '--threads', '1'];
    const fromAdapter = ok('generate', '--model', adapter, ...gen);
    expect(fromAdapter.length).toBeGreaterThan('la noche'.length);
    ok('export', '--model', adapter, '--out', 'exported');
    const exported = JSON.parse(readFileSync(join(work, 'exported/config.json'), 'utf8'));
    expect(exported.n_layer).toBe(2);
    expect(ok('generate', '--model', 'exported', ...gen)).toBe(fromAdapter);
    // --base finds a moved base; a missing one is a one-line error naming --base.
    const info = ok('info', adapter, '--base', hub);
    expect(info).toMatch(/LoRA adapter/);
    expect(info).toMatch(/rank 8, alpha 8, targets c_attn/);
    const cfgPath = join(work, adapter, 'adapter_config.json');
    const cfg = JSON.parse(readFileSync(cfgPath, 'utf8'));
    writeFileSync(cfgPath, JSON.stringify({ ...cfg, base_model_name_or_path: 'gpt2' }));
    const missing = cli('generate', '--model', adapter, ...gen);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/base_model_name_or_path.*--base/);
    expect(ok('generate', '--model', adapter, '--base', hub, ...gen)).toBe(fromAdapter);
  }, 240_000);
});
