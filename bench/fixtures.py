"""Inputs made with real tools on this machine, for the format tests and measurements.

``news_html``: a news-style HTML page (headline, navigation, footer) around an article's
paragraphs; ``chromium_pdf``: that page printed to PDF by headless Chromium
(``--print-to-pdf``); ``image_only_pdf``: a page holding only a PNG image, printed the
same way (a "scanned" PDF with no text layer); ``docx_file``: a .docx written by
python-docx. Chromium is Debian's ``/usr/bin/chromium``.
"""

from __future__ import annotations

import html
import shutil
import subprocess
import zlib
import struct
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]


def article_parts(text: str) -> tuple[str, list[str]]:
    """``(headline, paragraphs)`` of a plain-text article: its first non-empty line and the others."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0], lines[1:]


_STYLE = "<style>body { font-family: 'Noto Naskh Arabic', 'DejaVu Sans', serif; font-size: 14pt; }</style>"


def news_html(title: str, paragraphs: list[str], lang: str = "ar", boilerplate: bool = True) -> str:
    """A news page: site navigation, the headline in ``<h1>`` and ``<title>``, the paragraphs in
    ``<article>``, related links and a footer (the boilerplate an extractor must drop)."""
    direction = "rtl" if lang == "ar" else "ltr"
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    if not boilerplate:  # the article alone, as a reader's "print article" view gives it
        return (f'<!DOCTYPE html><html lang="{lang}" dir="{direction}"><head><meta charset="utf-8">'
                f"<title>{html.escape(title)}</title>{_STYLE}</head><body><article><h1>{html.escape(title)}</h1>"
                f"\n{body}\n</article></body></html>\n")
    return f"""<!DOCTYPE html>
<html lang="{lang}" dir="{direction}"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
{_STYLE}</head>
<body>
<header><nav><a href="/">Home</a> | <a href="/world">World</a> | <a href="/sport">Sport</a> | <a href="/contact">Contact us</a></nav></header>
<main><article>
<h1>{html.escape(title)}</h1>
{body}
</article>
<aside><h3>Related</h3><ul><li><a href="/a">Markets close higher on Monday</a></li>
<li><a href="/b">Weather: rain expected this weekend</a></li></ul></aside></main>
<footer><p>© 2025 Example News. All rights reserved. Subscribe to our newsletter.</p></footer>
</body></html>
"""


def chromium_print(html_file: Path, pdf_file: Path, timeout_s: float = 60, header_footer: bool = False) -> Path:
    """Print ``html_file`` to ``pdf_file`` with headless Chromium; ``header_footer`` keeps the
    date, title, address and page number Chromium prints in the margins by default (as a
    reader's "Save as PDF" does).

    Raises:
        FileNotFoundError: Chromium is not installed.
        RuntimeError: Chromium wrote no PDF.
    """
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        raise FileNotFoundError(f"{CHROMIUM} is not installed")
    pdf_file = Path(pdf_file)
    flags = [] if header_footer else ["--no-pdf-header-footer"]
    subprocess.run([CHROMIUM, *CHROMIUM_FLAGS, *flags, f"--print-to-pdf={pdf_file}",
                    Path(html_file).resolve().as_uri()], capture_output=True, timeout=timeout_s, check=False)
    if not pdf_file.exists() or pdf_file.stat().st_size == 0:
        raise RuntimeError(f"chromium wrote no PDF for {html_file}")
    return pdf_file


def chromium_pdf(title: str, paragraphs: list[str], folder: Path, name: str = "article",
                 header_footer: bool = False) -> Path:
    """The article of ``title`` and ``paragraphs`` (no site boilerplate) printed to
    ``folder/name.pdf`` by Chromium (``header_footer``: as in ``chromium_print``)."""
    folder = Path(folder)
    page = folder / f"{name}.html"
    page.write_text(news_html(title, paragraphs, boilerplate=False), encoding="utf-8")
    return chromium_print(page, folder / f"{name}.pdf", header_footer=header_footer)


def _png(width: int, height: int) -> bytes:
    """A grey-striped RGB PNG, written with zlib (a stand-in for a scanned page)."""
    rows = b"".join(b"\x00" + bytes((40 if (y // 8) % 2 else 200,) * 3 * width) for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def image_only_pdf(folder: Path, name: str = "scan", header_footer: bool = False) -> Path:
    """A PDF whose only page content is an image (no text layer), printed by Chromium
    (``header_footer``: with the date and the page's address it prints in the margins)."""
    folder = Path(folder)
    (folder / f"{name}.png").write_bytes(_png(600, 800))
    page = folder / f"{name}.html"
    page.write_text(f'<!DOCTYPE html><html><body style="margin:0"><img src="{name}.png" width="600" height="800">'
                    "</body></html>", encoding="utf-8")
    return chromium_print(page, folder / f"{name}.pdf", header_footer=header_footer)


def docx_file(title: str, paragraphs: list[str], path: Path) -> Path:
    """A Word document written by python-docx: the title as a heading, then the paragraphs
    (right-to-left paragraphs are what Word writes for Arabic; python-docx keeps the text)."""
    import docx

    document = docx.Document()
    document.add_heading(title, level=1)
    for p in paragraphs:
        document.add_paragraph(p)
    document.save(str(path))
    return Path(path)
