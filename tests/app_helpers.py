"""Shared helpers for the web-UI tests: start ``app.build_app()`` on 127.0.0.1, read the seed."""

from __future__ import annotations

import contextlib
import os
import socket
import sys
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SEEDS = ROOT / "seeds"
# the shared evaluation data sits beside the repository (as in CI)
XQUAD_CORPUS = Path(os.environ.get("XQUAD_CORPUS", ROOT.parent / "shared" / "eval" / "xquad" / "corpus"))
ATTENDEE_WORDS = ("تونس", "الجزائر", "السودان", "تشاد", "النيجر", "الزوبي", "الحداد", "حمزة")


def seed_documents() -> dict[str, str]:
    """The seed article(s) as the bot reads them: file name -> text."""
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}


def free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_app(bot=None, port: int | None = None):
    """Launch ``build_app(bot)`` on ``port`` (default: a free one) of 127.0.0.1; yield its URL;
    close it after."""
    import app

    demo = app.build_app(bot)
    port = port or free_port()
    demo.queue(default_concurrency_limit=2).launch(
        server_name="127.0.0.1",
        server_port=port,
        prevent_thread_lock=True,
        quiet=True,
        ssr_mode=False,
    )
    try:
        yield f"http://127.0.0.1:{port}/", demo
    finally:
        demo.close()


def check_citations(answer: dict, documents: dict[str, str]) -> None:
    """Every citation's offsets point at its text and quote in the document, and the
    answer text carries its ``[n]`` marker."""
    assert answer["citations"], f"no citations in {answer['text']!r}"
    for c in answer["citations"]:
        doc = documents[c["source"]]
        assert doc[c["start"] : c["end"]] == c["text"], c
        assert doc[c["quote_start"] : c["quote_end"]] == c["quote"], c
        assert c["start"] <= c["quote_start"] <= c["quote_end"] <= c["end"], c
        assert f"[{c['n']}]" in answer["text"], (c["n"], answer["text"])


def answer_words(answer: dict) -> str:
    """Answer text plus cited quotes, to look for expected words in."""
    return " ".join([answer["text"], *(c["quote"] for c in answer["citations"])])


def binary_file(folder: Path, name: str = "bin.txt") -> Path:
    """A file named like text that holds binary bytes (every byte value, 2 kB): the readers
    refuse it as binary."""
    path = Path(folder) / name
    path.write_bytes(bytes(range(256)) * 8)
    return path


def large_article(folder: Path, name: str = "big-article.txt") -> Path:
    """The seed article twelve times over (about 58 kB, under the 60 KB upload limit): an
    upload whose embedding lasts long enough to watch its progress."""
    path = Path(folder) / name
    path.write_text((next(iter(seed_documents().values())) + "\n") * 12, encoding="utf-8")
    return path
