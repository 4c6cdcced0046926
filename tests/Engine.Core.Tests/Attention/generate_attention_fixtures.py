#!/usr/bin/python3
"""PyTorch reference for Functional.ScaledDotProductAttention (fixtures/attention/sdpa.json).

Run with Debian's torch 1.13: /usr/bin/python3 generate_attention_fixtures.py
torch 1.13 has no public F.scaled_dot_product_attention (it arrived in 2.0), so the reference is
composed from matmul, masked_fill / add and softmax in float64, exactly as torch 2.x documents the op:
    softmax(q @ k^T * scale + mask) @ v, scale = 1/sqrt(E), bool mask true = take part,
    is_causal = ones(L, S).tril(0) (top-left aligned).
Where 1.13's private F._scaled_dot_product_attention covers a case (bool or no mask, default scale)
the script checks that it agrees with the composed reference. Gradients are autograd's on the
composed graph for a fixed upstream gradient g. NaN is written as null.
"""
import json
import math
import os

import torch
import torch.nn.functional as F

torch.manual_seed(20261128)
DT = torch.float64


def reference(q, k, v, mask, causal, scale):
    e = q.shape[-1]
    sc = (1.0 / math.sqrt(e)) if scale is None else scale
    s = q @ k.transpose(-2, -1) * sc
    if causal:
        keep = torch.ones(q.shape[-2], k.shape[-2], dtype=torch.bool).tril(0)
        s = s.masked_fill(~keep, float("-inf"))
    if mask is not None:
        s = s.masked_fill(~mask, float("-inf")) if mask.dtype == torch.bool else s + mask
    return torch.softmax(s, -1) @ v


def values(t):
    return [None if math.isnan(x) else x for x in t.detach().reshape(-1).tolist()]


def tensor(t, kind="f"):
    return {"s": list(t.shape), "t": kind, "d": values(t.double()) if kind == "f" else [bool(x) for x in t.reshape(-1).tolist()]}


def case(name, qs, ks, vs, mask=None, causal=False, scale=None):
    q = torch.randn(*qs, dtype=DT, requires_grad=True)
    k = torch.randn(*ks, dtype=DT, requires_grad=True)
    v = torch.randn(*vs, dtype=DT, requires_grad=True)
    out = reference(q, k, v, mask, causal, scale)
    g = torch.randn(*out.shape, dtype=DT)
    dq, dk, dv = torch.autograd.grad(out, (q, k, v), g)
    if scale is None and (mask is None or mask.dtype == torch.bool) and q.shape[:-2] == k.shape[:-2] == v.shape[:-2]:
        # 1.13's private kernel: (q, k, v, attn_mask, dropout_p, need_attn_weights, is_causal).
        private, _ = F._scaled_dot_product_attention(q.detach(), k.detach(), v.detach(), mask, 0.0, False, causal)
        assert torch.allclose(private, out.detach(), rtol=1e-12, atol=1e-12, equal_nan=True), name
    c = {"name": name, "q": tensor(q), "k": tensor(k), "v": tensor(v), "causal": causal, "scale": scale,
         "g": tensor(g), "out": tensor(out), "dq": tensor(dq), "dk": tensor(dk), "dv": tensor(dv)}
    if mask is not None:
        c["mask"] = tensor(mask, "b" if mask.dtype == torch.bool else "f")
    return c


def bool_mask(*shape, p=0.35):
    m = torch.rand(*shape) > p
    m[..., 0] = True  # no fully masked row
    return m


cases = [
    case("plain_3d", (2, 3, 4), (2, 5, 4), (2, 5, 3)),
    case("heads_4d_scale", (2, 2, 4, 8), (2, 2, 4, 8), (2, 2, 4, 8), scale=0.3),
    case("causal_l_lt_s", (2, 3, 4), (2, 5, 4), (2, 5, 2), causal=True),
    case("causal_l_gt_s", (1, 5, 3), (1, 3, 3), (1, 3, 4), causal=True),
    case("bool_mask_ls", (2, 2, 3, 4), (2, 2, 5, 4), (2, 2, 5, 3), mask=bool_mask(3, 5)),
    case("bool_key_padding", (2, 2, 3, 4), (2, 2, 5, 4), (2, 2, 5, 3), mask=bool_mask(2, 1, 1, 5)),
    case("float_mask", (2, 2, 3, 4), (2, 2, 5, 4), (2, 2, 5, 3), mask=torch.randn(2, 1, 3, 5, dtype=DT)),
    case("broadcast_batch", (2, 3, 3, 4), (1, 3, 5, 4), (3, 5, 2)),
    case("bool_mask_scale", (3, 4, 6), (3, 6, 6), (3, 6, 5), mask=bool_mask(3, 4, 6), scale=0.75),
]
full = bool_mask(2, 3, 4)
full[1, 2, :] = False  # batch item 1, query row 2 sees no key: NaN in torch's composed softmax
cases.append(case("fully_masked_row", (2, 3, 5), (2, 4, 5), (2, 4, 3), mask=full))

here = os.path.dirname(os.path.abspath(__file__))
path = os.path.join(here, "..", "fixtures", "attention", "sdpa.json")
os.makedirs(os.path.dirname(path), exist_ok=True)
tmp = path + ".tmp"
with open(tmp, "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f, separators=(",", ":"))
os.replace(tmp, path)
print(f"wrote {len(cases)} cases to {os.path.normpath(path)}")
