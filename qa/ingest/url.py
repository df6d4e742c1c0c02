"""A web address: the page fetched (httpx, with a timeout and a size cap), then read by
its format (HTML through trafilatura, PDF, DOCX or plain text)."""

from __future__ import annotations

from urllib.parse import urlsplit

from .document import Document
from ..errors import DocumentError

FETCH_TIMEOUT_S = 10.0
MAX_FETCH_BYTES = 5_000_000
USER_AGENT = "ask-the-article/0.1 (+https://github.com/; article question answering)"


def is_url(text: str) -> bool:
    """True when ``text`` is an http(s) address (``https://...`` or ``www....``)."""
    text = text.strip()
    return text.lower().startswith(("http://", "https://", "www.")) and " " not in text


def _normalise(url: str) -> str:
    url = url.strip()
    return "https://" + url if url.lower().startswith("www.") else url


def fetch(url: str, timeout_s: float = FETCH_TIMEOUT_S, max_bytes: int = MAX_FETCH_BYTES) -> tuple[bytes, str, str]:
    """Download ``url``.

    Args:
        url: an http(s) address.
        timeout_s: seconds allowed for connecting and for each read.
        max_bytes: larger responses are refused (read stops there).

    Returns:
        ``(body, content_type, final_url)`` (content type lower-cased without parameters;
        ``final_url`` after redirects).

    Raises:
        DocumentError: offline, unreachable, timed out, an HTTP error status, or too large;
            the message names the host and what to do.
    """
    import httpx

    url = _normalise(url)
    host = urlsplit(url).hostname or url
    try:
        with httpx.Client(timeout=timeout_s, follow_redirects=True, max_redirects=5,
                          headers={"User-Agent": USER_AGENT, "Accept": "text/html,application/xhtml+xml,"
                                   "application/pdf,text/plain;q=0.9,*/*;q=0.5"}) as client:
            with client.stream("GET", url) as response:
                if response.status_code >= 400:
                    raise DocumentError(f"{url}: the site answered {response.status_code} "
                                        f"{response.reason_phrase}; check the address")
                declared = response.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > max_bytes:
                    raise DocumentError(f"{url}: the page is {int(declared):,} bytes, over the limit of "
                                        f"{max_bytes:,} bytes")
                body = bytearray()
                for chunk in response.iter_bytes():
                    body.extend(chunk)
                    if len(body) > max_bytes:
                        raise DocumentError(f"{url}: the page is over the limit of {max_bytes:,} bytes")
                content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
                return bytes(body), content_type, str(response.url)
    except DocumentError:
        raise
    except httpx.TimeoutException:
        raise DocumentError(f"{url}: {host} did not answer within {timeout_s:g} s; try again later, or save "
                            "the page and upload the file") from None
    except httpx.InvalidURL:
        raise DocumentError(f"{url}: is not a valid web address") from None
    except (httpx.ConnectError, httpx.NetworkError, httpx.ProtocolError):
        raise DocumentError(f"{url}: {host} cannot be reached (offline, or a wrong address); check the "
                            "address and the connection, or save the page and upload the file") from None
    except httpx.HTTPError as err:
        raise DocumentError(f"{url}: could not be fetched ({type(err).__name__})") from None


def load_url(url: str, timeout_s: float = FETCH_TIMEOUT_S, max_bytes: int = MAX_FETCH_BYTES) -> Document:
    """A web page's article as a ``Document`` (see ``fetch``; HTML through ``load_html``).

    The source label is ``"<title> — <url>"`` (the URL alone when the page has no title);
    ``origin`` is the URL after redirects.

    Raises:
        DocumentError: as ``fetch``, or the page holds no readable article.
    """
    from . import load_bytes

    url = _normalise(url)
    data, content_type, final = fetch(url, timeout_s, max_bytes)
    path = urlsplit(final).path
    name = path.rsplit("/", 1)[-1] or "page.html"
    kind = {"application/pdf": ".pdf", "text/plain": ".txt", "text/markdown": ".md",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx"}.get(content_type)
    if kind is None:
        kind = ".html" if content_type in ("text/html", "application/xhtml+xml", "") else None
    if kind is None:
        raise DocumentError(f"{url}: is {content_type}, not a page, PDF, Word document or text")
    document = load_bytes(name if name.lower().endswith(kind) else name + kind, data, origin=final, url=final)
    label = f"{document.title} — {url}" if document.title else url
    return Document(source=label, text=document.text, origin=final, title=document.title)
