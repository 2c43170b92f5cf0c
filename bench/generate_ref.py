"""PyTorch reference for `bench/generate.mjs`: the same GPT-2 (GPT2LMHeadModel layout,
random weights) generating greedily with and without a KV cache, with the same
context policy as @spinettai/model's token loop:

- the prompt is cropped to the last block_size tokens;
- with a KV cache: prefill, then one token per step; when the cache holds block_size
  tokens the last ceil(block_size / 2) tokens are prefilled again from position 0;
- without: every step runs the whole window (the last block_size tokens).

Per dtype (--dtypes): fp32, and q8 = torch.ao.quantization.quantize_dynamic on every
nn.Linear (int8 weights, activations quantized per call; the tied LM head is an
nn.Linear sharing wte's weight, so it is quantized too, like our q8; the embedding
Gather stays fp32). q4 and fp16 have no comparable PyTorch CPU path (no 4-bit CPU
matmul kernel in stock PyTorch; fp16 Linear on CPU is an emulated slow path), so
they are refused. --batches runs B copies of the prompt as one batch (KV cache only),
as `generate --num-samples B` does; tokens/s counts every row.

Prints one JSON object per line (one per dtype, batch and mode) with medians over
--runs timed runs after a warm-up. Run with Debian's python3-torch: /usr/bin/python3 bench/generate_ref.py --help
"""

import argparse
import json
import math
import statistics
import time

import torch
import torch.nn.functional as F


class Block(torch.nn.Module):
    def __init__(self, c: int, h: int, eps: float):
        super().__init__()
        self.h = h
        self.ln_1 = torch.nn.LayerNorm(c, eps=eps)
        self.c_attn = torch.nn.Linear(c, 3 * c)
        self.c_proj = torch.nn.Linear(c, c)
        self.ln_2 = torch.nn.LayerNorm(c, eps=eps)
        self.c_fc = torch.nn.Linear(c, 4 * c)
        self.mlp_proj = torch.nn.Linear(4 * c, c)

    def forward(self, x, past):
        b, t, c = x.shape  # (B, T, C)
        d = c // self.h
        q, k, v = self.c_attn(self.ln_1(x)).split(c, dim=2)  # 3 × (B, T, C)
        q = q.view(b, t, self.h, d).transpose(1, 2)  # (B, H, T, D)
        k = k.view(b, t, self.h, d).transpose(1, 2)  # (B, H, T, D)
        v = v.view(b, t, self.h, d).transpose(1, 2)  # (B, H, T, D)
        if past is not None:
            k = torch.cat([past[0], k], dim=2)  # (B, H, S, D)
            v = torch.cat([past[1], v], dim=2)  # (B, H, S, D)
        s = k.shape[2]
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(d))  # (B, H, T, S)
        if t > 1:
            mask = torch.ones(t, s, dtype=torch.bool).tril(diagonal=s - t)
            att = att.masked_fill(~mask, float("-inf"))
        y = (F.softmax(att, dim=-1) @ v).transpose(1, 2).reshape(b, t, c)  # (B, T, C)
        x = x + self.c_proj(y)
        x = x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))
        return x, (k, v)


class GPT(torch.nn.Module):
    def __init__(self, vocab: int, block: int, layers: int, heads: int, embd: int, eps: float = 1e-5):
        super().__init__()
        self.wte = torch.nn.Embedding(vocab, embd)
        self.wpe = torch.nn.Embedding(block, embd)
        self.h = torch.nn.ModuleList(Block(embd, heads, eps) for _ in range(layers))
        self.ln_f = torch.nn.LayerNorm(embd, eps=eps)
        for p in self.parameters():
            torch.nn.init.normal_(p, std=0.02)
        self.lm_head = torch.nn.Linear(embd, vocab, bias=False)
        self.lm_head.weight = self.wte.weight  # tied, as in GPT-2

    def forward(self, ids, past=None, start=0):
        t = ids.shape[1]
        pos = torch.arange(start, start + t).unsqueeze(0)  # (1, T)
        x = self.wte(ids) + self.wpe(pos)  # (B, T, C)
        presents = []
        for i, block in enumerate(self.h):
            x, kv = block(x, None if past is None else past[i])
            presents.append(kv)
        return self.lm_head(self.ln_f(x)), presents  # (B, T, V)


def generate(model, prompt, new_tokens, block, kv_cache, batch=1):
    """Greedy generation of `batch` rows of the prompt; returns (ids of row 0, prefill s, decode s)."""
    tokens = [list(prompt[-block:]) for _ in range(batch)]  # (B, T)
    t0 = time.perf_counter()
    logits, past = model(torch.tensor(tokens))
    cache = len(tokens[0])
    t1 = time.perf_counter()
    out = []
    keep = math.ceil(block / 2)
    for n in range(new_tokens):
        nxt = logits[:, -1].argmax(dim=-1).tolist()  # (B)
        out.append(nxt[0])
        if n + 1 == new_tokens:
            break
        for row, t in zip(tokens, nxt):
            row.append(t)
        if not kv_cache:
            tokens = [row[-block:] for row in tokens]
            logits, _ = model(torch.tensor(tokens))
        elif cache < block:
            logits, past = model(torch.tensor([[t] for t in nxt]), past, cache)
            cache += 1
        else:
            tokens = [row[-keep:] for row in tokens]
            logits, past = model(torch.tensor(tokens))
            cache = len(tokens[0])
    t2 = time.perf_counter()
    return out, t1 - t0, t2 - t1


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vocab", type=int, required=True)
    ap.add_argument("--block", type=int, required=True)
    ap.add_argument("--layers", type=int, required=True)
    ap.add_argument("--heads", type=int, required=True)
    ap.add_argument("--embd", type=int, required=True)
    ap.add_argument("--prompt-tokens", type=int, default=32)
    ap.add_argument("--new-tokens", type=int, default=256)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--dtypes", default="fp32", help="comma-separated: fp32, q8")
    ap.add_argument("--batches", default="1", help="comma-separated batch sizes (above 1: KV cache only)")
    ap.add_argument("--no-kv-off", action="store_true", help="skip the runs without a KV cache")
    args = ap.parse_args()
    dtypes = args.dtypes.split(",")
    for d in dtypes:
        if d in ("q4", "fp16"):
            ap.error(f"{d}: stock PyTorch has no comparable CPU path (see --help); use fp32 or q8")
        if d not in ("fp32", "q8"):
            ap.error(f"unknown dtype {d}; use fp32 or q8")
    batches = [int(b) for b in args.batches.split(",")]

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    base = GPT(args.vocab, args.block, args.layers, args.heads, args.embd).eval()
    prompt = torch.randint(0, args.vocab, (args.prompt_tokens,)).tolist()
    with torch.inference_mode():
        for dtype in dtypes:
            model = base
            if dtype == "q8":
                # fbgemm is PyTorch's x86 int8 engine; without it (Debian's build) qnnpack, since
                # onednn's dynamic Linear measured 20× slower than qnnpack here.
                engines = torch.backends.quantized.supported_engines
                torch.backends.quantized.engine = "fbgemm" if "fbgemm" in engines else "qnnpack"
                model = torch.ao.quantization.quantize_dynamic(base, {torch.nn.Linear}, dtype=torch.qint8)
            for batch in batches:
                for kv in (True, False):
                    if not kv and (batch > 1 or args.no_kv_off):
                        continue
                    generate(model, list(prompt), min(args.new_tokens, 16), args.block, kv, batch)  # warm-up
                    prefill, rate = [], []
                    for _ in range(args.runs):
                        ids, pre, dec = generate(model, list(prompt), args.new_tokens, args.block, kv, batch)
                        prefill.append(pre * 1000)
                        rate.append(batch * (len(ids) - 1) / dec if dec > 0 else float("inf"))
                    print(json.dumps({
                        "impl": "torch",
                        "torch_version": torch.__version__,
                        "dtype": dtype,
                        "quantized_engine": torch.backends.quantized.engine if dtype == "q8" else None,
                        "batch": batch,
                        "kv_cache": kv,
                        "threads": torch.get_num_threads(),
                        "prefill_ms": statistics.median(prefill),
                        "new_tokens_per_s": statistics.median(rate),
                        "runs": args.runs,
                    }), flush=True)


if __name__ == "__main__":
    main()
