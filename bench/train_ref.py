"""PyTorch reference for bench/train.mjs: the same GPT-2 (tied LM head, pre-LN blocks,
GELU-tanh MLP, causal attention, no dropout) and the same AdamW (betas 0.9/0.95, eps 1e-8,
decoupled weight decay on 2-D weights only, global-norm clip 1.0), float32 on CPU,
timed on random tokens. Prints one JSON line.

With --lora-rank r the base weights are frozen and every targeted Linear gains a LoRA
adapter written here by hand (A [r, in] Kaiming-uniform, B [out, r] zero, scale alpha/r),
as PEFT does it; AdamW then updates only A and B.

Usage: /usr/bin/python3 bench/train_ref.py --layers 8 --embd 512 --heads 8 --block 64 \
         --vocab 4096 --batch 32 --steps 10 --warmup 2 --threads 2 [--lora-rank 8 --lora-alpha 16]
"""
import argparse
import json
import math
import resource
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class LoRALinear(nn.Module):
    """y = base(x) + (alpha / r) * x @ A^T @ B^T, with base frozen."""

    def __init__(self, base, r, alpha):
        super().__init__()
        self.base = base
        for p in base.parameters():
            p.requires_grad_(False)
        self.A = nn.Parameter(torch.empty(r, base.in_features))
        self.B = nn.Parameter(torch.zeros(base.out_features, r))
        nn.init.kaiming_uniform_(self.A, a=math.sqrt(5))
        self.scale = alpha / r

    def forward(self, x):
        return self.base(x) + (x @ self.A.t() @ self.B.t()) * self.scale


class Block(nn.Module):
    def __init__(self, c, nh):
        super().__init__()
        self.nh = nh
        self.ln_1 = nn.LayerNorm(c, eps=1e-5)
        self.c_attn = nn.Linear(c, 3 * c)
        self.c_proj = nn.Linear(c, c)
        self.ln_2 = nn.LayerNorm(c, eps=1e-5)
        self.c_fc = nn.Linear(c, 4 * c)
        self.mlp_proj = nn.Linear(4 * c, c)

    def forward(self, x, mask):
        B, T, C = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(C, dim=2)  # (B, T, C) each
        q = q.view(B, T, self.nh, C // self.nh).transpose(1, 2)  # (B, nh, T, hs)
        k = k.view(B, T, self.nh, C // self.nh).transpose(1, 2)
        v = v.view(B, T, self.nh, C // self.nh).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))  # (B, nh, T, T)
        att = att.masked_fill(~mask[:T, :T], float("-inf")).softmax(dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)  # (B, T, C)
        x = x + self.c_proj(y)
        x = x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))
        return x


class GPT(nn.Module):
    def __init__(self, v, t, c, nl, nh):
        super().__init__()
        self.wte = nn.Embedding(v, c)
        self.wpe = nn.Embedding(t, c)
        self.h = nn.ModuleList(Block(c, nh) for _ in range(nl))
        self.ln_f = nn.LayerNorm(c, eps=1e-5)
        self.register_buffer("mask", torch.tril(torch.ones(t, t, dtype=torch.bool)))
        for p in self.parameters():
            if p.dim() >= 2:
                nn.init.normal_(p, std=0.02)

    def forward(self, idx, targets):
        T = idx.size(1)
        x = self.wte(idx) + self.wpe(torch.arange(T))  # (B, T, C)
        for b in self.h:
            x = b(x, self.mask)
        logits = self.ln_f(x) @ self.wte.weight.t()  # (B, T, V), tied head
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


def main():
    ap = argparse.ArgumentParser()
    for k, d in [("layers", 8), ("embd", 512), ("heads", 8), ("block", 64), ("vocab", 4096), ("batch", 32), ("steps", 10), ("warmup", 2), ("threads", 2), ("lora-rank", 0), ("lora-alpha", 16)]:
        ap.add_argument(f"--{k}", type=int, default=d)
    ap.add_argument("--lora-targets", default="c_attn,c_proj,c_fc,mlp_proj")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = GPT(a.vocab, a.block, a.embd, a.layers, a.heads)
    if a.lora_rank > 0:
        for p in model.parameters():
            p.requires_grad_(False)
        targets = a.lora_targets.split(",")
        for b in model.h:
            for name in targets:
                setattr(b, name, LoRALinear(getattr(b, name), a.lora_rank, a.lora_alpha))
    trainable = [p for p in model.parameters() if p.requires_grad]
    decay = [p for p in trainable if p.dim() >= 2]
    rest = [p for p in trainable if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": rest, "weight_decay": 0.0}], lr=1e-4, betas=(0.9, 0.95), eps=1e-8)
    idx = torch.randint(0, a.vocab, (a.batch, a.block))
    tgt = torch.randint(0, a.vocab, (a.batch, a.block))
    times = []
    for i in range(a.warmup + a.steps):
        t = time.perf_counter()
        loss = model(idx, tgt)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trainable, 1.0)
        opt.step()
        float(loss)
        if i >= a.warmup:
            times.append((time.perf_counter() - t) * 1000)
    step_ms = statistics.median(times)
    params = sum(p.numel() for p in model.parameters())
    trainable_params = sum(p.numel() for p in trainable)
    print(json.dumps({
        "impl": "pytorch", "torch": torch.__version__, "threads": torch.get_num_threads(),
        "params": params, "trainable_params": trainable_params, "lora_rank": a.lora_rank, "tokens_per_step": a.batch * a.block, "step_ms": step_ms, "step_ms_all": times,
        "tokens_per_s": a.batch * a.block * 1000 / step_ms,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == "__main__":
    main()
