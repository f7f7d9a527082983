#!/usr/bin/env python3
"""PyTorch peer of `loop-bench perf`: the same looped GPT training step on the CPU.

Same model and step as @loop/models + @loop/shift: one-hot read-in (linear with bias), NoPE,
input injection (h_0 = 0, h_t = LN_f(Blocks(h_{t-1} + e))), pre-LN GPT-2 blocks (fused QKV,
causal softmax attention with a -1e9 additive mask, tanh-GELU 4x MLP), read-out after every loop,
token-mean cross-entropy at the last loop, backward, clip_grad_norm_ to 1, torch.optim.AdamW (lr 1e-3, wd 0.01).

Modes:
  torch_step.py --config '{"nEmbd":64,"nHead":4,"nLayer":1,"seqLen":21,"batch":32,"loops":1,"vocabSize":6}' [--repeats 10]
      one JSON object on stdout
  torch_step.py --serve
      one JSON line per JSON request line on stdin ({"op": "info" | "step" | "hvp" | "matmul", ...});
      the first line out is the info object. Used by `loop-bench perf --peer torch` to alternate.
Threads: --threads N (default 2).
"""
import argparse
import ctypes
import json
import math
import re
import os
import sys
import time

try:
    import torch
    import torch.nn.functional as F
except Exception as exc:  # reported to the caller as JSON, not a traceback
    print(json.dumps({"ok": False, "error": f"cannot import torch: {exc}"}), flush=True)
    sys.exit(3)


def pin_malloc_thresholds():
    """Fix glibc's trim and mmap thresholds (64 / 128 MiB). By default glibc gives freed heap back to
    the OS past M_TRIM_THRESHOLD (128 KiB) and maps big blocks with mmap, raising both thresholds
    only after a large block is freed; until some large config has run, every temporary of a step
    or a double backward costs fresh page faults (the C64 HVP: 90-125 ms in a fresh process, 18-24 ms
    after a C256 step or with the thresholds fixed). Fixed thresholds make the timings independent
    of what ran before. True when glibc accepted both."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
        return libc.mallopt(M_MMAP_THRESHOLD, 64 << 20) == 1 and libc.mallopt(M_TRIM_THRESHOLD, 128 << 20) == 1
    except (OSError, AttributeError):
        return False


MALLOC_PINNED = pin_malloc_thresholds()


def blas_libraries():
    """Shared BLAS/LAPACK libraries actually mapped into this process (resolves Debian alternatives)."""
    libs = set()
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                path = line.split()[-1] if len(line.split()) >= 6 else ""
                name = os.path.basename(path)
                if any(k in name for k in ("blas", "lapack", "mkl", "blis", "atlas")):
                    libs.add(os.path.realpath(path))
    except OSError:
        pass
    return sorted(libs)


def info(threads):
    show = torch.__config__.show()
    blas_info = re.findall(r"(?:BLAS|LAPACK)_INFO=[^,\s]*", show)
    libs = blas_libraries()
    kind = "unknown"
    joined = " ".join(libs).lower()
    if "openblas" in joined:
        kind = "OpenBLAS"
    elif "mkl" in joined:
        kind = "MKL"
    elif "blis" in joined:
        kind = "BLIS"
    elif "atlas" in joined:
        kind = "ATLAS"
    elif "libblas" in joined:
        kind = "reference BLAS (netlib; ~20x slower: apt-get install libopenblas0-pthread)"
    return {
        "ok": True,
        "op": "info",
        "torch": torch.__version__,
        "python": sys.version.split()[0],
        "threads": torch.get_num_threads(),
        "requestedThreads": threads,
        "blas": kind,
        "blasLibraries": libs,
        "configBlas": blas_info,
        "mallocThresholdsPinned": MALLOC_PINNED,
    }


def normal(shape, std, gen):
    return (torch.randn(*shape, generator=gen) * std).requires_grad_(True)


class LoopedGPT:
    """Parameters in the order of @loop/models' gptParamSpecs (GPT-2 init)."""

    def __init__(self, c, seed):
        gen = torch.Generator().manual_seed(seed)
        V, C, L = c["vocabSize"], c["nEmbd"], c["nLayer"]
        O = c.get("outputSize", V)
        std, rstd = 0.02, 0.02 / math.sqrt(2 * L)
        z = lambda *s: torch.zeros(*s, requires_grad=True)
        o = lambda *s: torch.ones(*s, requires_grad=True)
        self.c = c
        self.wte_w, self.wte_b = normal((V, C), std, gen), z(C)
        self.blocks = []
        for _ in range(L):
            self.blocks.append(dict(
                ln1g=o(C), ln1b=z(C), attn_w=normal((C, 3 * C), std, gen), attn_b=z(3 * C),
                proj_w=normal((C, C), rstd, gen), proj_b=z(C), ln2g=o(C), ln2b=z(C),
                fc_w=normal((C, 4 * C), std, gen), fc_b=z(4 * C), fcp_w=normal((4 * C, C), rstd, gen), fcp_b=z(C)))
        self.lnf_g, self.lnf_b = o(C), z(C)
        self.head_w, self.head_b = normal((C, O), std, gen), z(O)

    def parameters(self):
        ps = [self.wte_w, self.wte_b]
        for b in self.blocks:
            ps += list(b.values())
        return ps + [self.lnf_g, self.lnf_b, self.head_w, self.head_b]

    def block(self, x, p, B, T, H, mask_bias):
        C = x.shape[1]
        hd = C // H
        a = F.layer_norm(x, (C,), p["ln1g"], p["ln1b"], 1e-5)
        qkv = a @ p["attn_w"] + p["attn_b"]
        q, k, v = qkv.split(C, dim=1)
        q = (q * (1.0 / math.sqrt(hd))).view(B, T, H, hd).transpose(1, 2)
        k = k.view(B, T, H, hd).transpose(1, 2)
        v = v.view(B, T, H, hd).transpose(1, 2)
        att = torch.softmax(q @ k.transpose(-2, -1) + mask_bias, dim=-1)
        y = (att @ v).transpose(1, 2).reshape(B * T, C)
        x = x + (y @ p["proj_w"] + p["proj_b"])
        m = F.layer_norm(x, (C,), p["ln2g"], p["ln2b"], 1e-5)
        m = F.gelu(m @ p["fc_w"] + p["fc_b"], approximate="tanh")
        return x + (m @ p["fcp_w"] + p["fcp_b"])

    def forward(self, tokens, loops):
        B, T = tokens.shape
        V, C, H = self.c["vocabSize"], self.c["nEmbd"], self.c["nHead"]
        dtype = self.wte_w.dtype  # float32; float64 for the HVP check
        mask_bias = torch.triu(torch.full((T, T), -1e9, dtype=dtype), diagonal=1)
        oh = F.one_hot(tokens.reshape(-1), V).to(dtype)
        e = oh @ self.wte_w + self.wte_b
        h = e
        out = []
        for t in range(1, loops + 1):
            u = h + e if t > 1 else h
            for p in self.blocks:
                u = self.block(u, p, B, T, H, mask_bias)
            h = F.layer_norm(u, (C,), self.lnf_g, self.lnf_b, 1e-5)
            out.append((h @ self.head_w + self.head_b).view(B, T, -1))
        return out


class StepBench:
    def __init__(self, c, seed):
        self.c = c
        gen = torch.Generator().manual_seed(seed + 1)
        B, T, V = c["batch"], c["seqLen"], c["vocabSize"]
        self.model = LoopedGPT(c, seed)
        self.opt = torch.optim.AdamW(self.model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)
        self.tokens = torch.randint(0, V, (B, T), generator=gen)
        self.target = torch.randint(0, V, (B, T), generator=gen)
        self.mask = torch.ones(B, T)

    def loss(self):
        logits = self.model.forward(self.tokens, self.c["loops"])
        logp = torch.log_softmax(logits[-1], dim=-1)
        picked = logp.gather(-1, self.target.unsqueeze(-1)).squeeze(-1)
        return -(picked * self.mask).sum() / self.mask.sum().clamp(min=1)

    def step(self):
        # As @loop/shift's engine step: global gradient norm read back, clipped to 1, then AdamW.
        loss = self.loss()
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
        self.opt.step()
        float(norm)
        return float(loss)


BENCHES = {}


def run_step(req):
    c = req["config"]
    key = json.dumps(c, sort_keys=True) + str(req.get("seed", 0))
    bench = BENCHES.get(key)
    if bench is None:
        bench = BENCHES[key] = StepBench(c, int(req.get("seed", 0)))
    for _ in range(int(req.get("warmup", 1))):
        bench.step()
    times, cpu, loss = [], [], float("nan")
    for _ in range(int(req.get("repeats", 5))):
        t0, c0 = time.perf_counter(), time.process_time()
        loss = bench.step()
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)  # all threads, OpenMP spin-waits included
    return {"ok": True, "op": "step", "ms": times, "cpuMs": cpu, "loss": loss}


def hvp_check(c, seed):
    """Relative error of the HVP against central differences of the gradient, in float64 (step 1e-6)."""
    bench = StepBench(c, seed)
    params = bench.model.parameters()
    with torch.no_grad():
        for p in params:
            p.data = p.data.double()
    gen = torch.Generator().manual_seed(seed + 2)
    v = [torch.randn(p.shape, generator=gen, dtype=torch.float64) for p in params]
    g = torch.autograd.grad(bench.loss(), params, create_graph=True)
    h = torch.cat([x.flatten() for x in torch.autograd.grad(sum((gi * vi).sum() for gi, vi in zip(g, v)), params)])
    eps = 1e-6
    saved = [p.detach().clone() for p in params]

    def grad_at(sign):
        with torch.no_grad():
            for p, p0, vi in zip(params, saved, v):
                p.copy_(p0 + sign * eps * vi)
        return torch.autograd.grad(bench.loss(), params)

    fd = torch.cat([((a - b) / (2 * eps)).flatten() for a, b in zip(grad_at(1), grad_at(-1))])
    return float((h - fd).norm() / fd.norm())


def run_hvp(req):
    """Gradient (forward + backward) and HVP (double backprop of <grad, v>) of the step loss, alternately."""
    c = req["config"]
    seed = int(req.get("seed", 0))
    bench = StepBench(c, seed)
    params = bench.model.parameters()
    gen = torch.Generator().manual_seed(seed + 2)
    v = [torch.randn(p.shape, generator=gen) for p in params]

    def grad():
        return torch.autograd.grad(bench.loss(), params)

    def hvp():
        g = torch.autograd.grad(bench.loss(), params, create_graph=True)
        return torch.autograd.grad(sum((gi * vi).sum() for gi, vi in zip(g, v)), params)

    out = {"ok": True, "op": "hvp"}
    if req.get("check"):
        out["checkRelErr"] = hvp_check(c, seed)
    for _ in range(int(req.get("warmup", 3))):
        grad()
        hvp()
    grad_ms, hvp_ms = [], []
    for _ in range(int(req.get("repeats", 5))):
        t0 = time.perf_counter()
        grad()
        grad_ms.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        hvp()
        hvp_ms.append((time.perf_counter() - t0) * 1000)
    out.update({"gradMs": grad_ms, "hvpMs": hvp_ms})
    return out


def run_matmul(req):
    n = int(req.get("size", 1024))
    a, b = torch.rand(n, n) * 2 - 1, torch.rand(n, n) * 2 - 1
    torch.mm(a, b)
    times = []
    for _ in range(int(req.get("repeats", 5))):
        t0 = time.perf_counter()
        torch.mm(a, b)
        times.append((time.perf_counter() - t0) * 1000)
    return {"ok": True, "op": "matmul", "size": n, "ms": times}


def handle(req, threads):
    op = req.get("op")
    if op == "info":
        return info(threads)
    if op == "step":
        return run_step(req)
    if op == "hvp":
        return run_hvp(req)
    if op == "matmul":
        return run_matmul(req)
    return {"ok": False, "error": f"unknown op {op!r}; expected info, step, hvp or matmul"}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--serve", action="store_true")
    ap.add_argument("--config", help="JSON step config (one-shot mode)")
    ap.add_argument("--repeats", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    if args.serve:
        print(json.dumps(info(args.threads)), flush=True)
        for line in sys.stdin:
            line = line.strip()
            if not line:
                continue
            try:
                out = handle(json.loads(line), args.threads)
            except Exception as exc:
                out = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
            print(json.dumps(out), flush=True)
        return
    if not args.config:
        ap.error("pass --config JSON (one-shot) or --serve")
    out = info(args.threads)
    out.update(run_step({"config": json.loads(args.config), "repeats": args.repeats, "warmup": args.warmup, "seed": args.seed}))
    out["op"] = "step"
    print(json.dumps(out))


if __name__ == "__main__":
    main()
