"""A web address: the page fetched (httpx, with a timeout and a size cap), then read by
its format (HTML through trafilatura, PDF, DOCX or plain text)."""

from __future__ import annotations

import ipaddress
import os
import socket
from urllib.parse import urlsplit

from .document import Document
from ..errors import DocumentError, isolate

FETCH_TIMEOUT_S = 10.0
MAX_FETCH_BYTES = 5_000_000
USER_AGENT = "ask-the-article/0.1 (article question answering)"
# Set to 1 to let the web UI fetch loopback, private and link-local addresses (tests, or a
# UI that only its owner reaches). A public server must not: a pasted address such as
# http://169.254.169.254/ or http://127.0.0.1:8080/ would show its own internal pages.
ALLOW_PRIVATE_ENV = "QA_ALLOW_PRIVATE_URLS"


def private_allowed() -> bool:
    """True when ``QA_ALLOW_PRIVATE_URLS`` is 1/true/yes (read at each call)."""
    return os.environ.get(ALLOW_PRIVATE_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def _check_public(url: str) -> None:
    """Raise ``DocumentError`` when ``url``'s host resolves to a loopback, private,
    link-local, reserved or multicast address (every address it resolves to is checked)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80),
                                   type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return  # unresolvable: the fetch itself reports "cannot be reached"
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if (address.is_private or address.is_loopback or address.is_link_local or address.is_reserved
                or address.is_multicast or address.is_unspecified):
            raise DocumentError(f"{url} points at a local or private network address ({address}); "
                                "only public web pages can be fetched here",
                                f"يشير {isolate(url)} إلى عنوان محلي أو في شبكة خاصة؛ تُجلب هنا الصفحات العامة وحدها.")


def is_url(text: str) -> bool:
    """True when ``text`` is an http(s) address (``https://...`` or ``www....``)."""
    text = text.strip()
    return text.lower().startswith(("http://", "https://", "www.")) and " " not in text


def _normalise(url: str) -> str:
    url = url.strip()
    return "https://" + url if url.lower().startswith("www.") else url


def fetch(url: str, timeout_s: float = FETCH_TIMEOUT_S, max_bytes: int = MAX_FETCH_BYTES,
          public_only: bool = False) -> tuple[bytes, str, str]:
    """Download ``url``.

    Args:
        url: an http(s) address.
        timeout_s: seconds allowed for connecting and for each read.
        max_bytes: larger responses are refused (read stops there).
        public_only: refuse addresses (the first and every redirect) that resolve to a
            loopback, private or link-local network (see ``_check_public``).

    Returns:
        ``(body, content_type, final_url)`` (content type lower-cased without parameters;
        ``final_url`` after redirects).

    Raises:
        DocumentError: offline, unreachable, timed out, an HTTP error status, too large,
            or (``public_only``) a private address; the message names the host and what to do.
    """
    import httpx

    url = _normalise(url)
    host = urlsplit(url).hostname or url
    hooks = {"request": [lambda request: _check_public(str(request.url))]} if public_only else {}
    try:
        with httpx.Client(timeout=timeout_s, follow_redirects=True, max_redirects=5, event_hooks=hooks,
                          headers={"User-Agent": USER_AGENT, "Accept": "text/html,application/xhtml+xml,"
                                   "application/pdf,text/plain;q=0.9,*/*;q=0.5"}) as client:
            with client.stream("GET", url) as response:
                if response.status_code >= 400:
                    raise DocumentError(f"{url}: the site answered {response.status_code} "
                                        f"{response.reason_phrase}; check the address",
                                        f"أجاب الموقع عن {isolate(url)} بالرمز {response.status_code}؛ تحقق من العنوان.")
                declared = response.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > max_bytes:
                    raise DocumentError(f"{url}: the page is {int(declared):,} bytes, over the limit of "
                                        f"{max_bytes:,} bytes",
                                        f"صفحة {isolate(url)} أكبر من الحد ({max_bytes:,} بايت).")
                body = bytearray()
                for chunk in response.iter_bytes():
                    body.extend(chunk)
                    if len(body) > max_bytes:
                        raise DocumentError(f"{url}: the page is over the limit of {max_bytes:,} bytes",
                                            f"صفحة {isolate(url)} أكبر من الحد ({max_bytes:,} بايت).")
                content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
                return bytes(body), content_type, str(response.url)
    except DocumentError:
        raise
    except httpx.TimeoutException:
        raise DocumentError(f"{url}: {host} did not answer within {timeout_s:g} s; try again later, or save "
                            "the page and upload the file",
                            f"لم يُجب {isolate(host)} خلال {timeout_s:g} ثانية؛ حاول لاحقا، أو احفظ الصفحة "
                            "وارفع الملف.") from None
    except httpx.InvalidURL:
        raise DocumentError(f"{url} is not a valid web address", f"{isolate(url)} ليس عنوان ويب صالحا.") from None
    except (httpx.ConnectError, httpx.NetworkError, httpx.ProtocolError):
        raise DocumentError(f"{url}: {host} cannot be reached (offline, or a wrong address); check the "
                            "address and the connection, or save the page and upload the file",
                            f"تعذر الوصول إلى {isolate(host)} (لا اتصال أو عنوان خاطئ)؛ تحقق من العنوان "
                            "والاتصال، أو احفظ الصفحة وارفع الملف.") from None
    except httpx.HTTPError as err:
        raise DocumentError(f"{url}: could not be fetched ({type(err).__name__})",
                            f"تعذر جلب {isolate(url)}.") from None


def load_url(url: str, timeout_s: float = FETCH_TIMEOUT_S, max_bytes: int = MAX_FETCH_BYTES,
             public_only: bool = False) -> Document:
    """A web page's article as a ``Document`` (see ``fetch``; HTML through ``load_html``).

    The source label is ``"<title> — <url>"`` (the URL alone when the page has no title);
    ``origin`` is the URL after redirects.

    Raises:
        DocumentError: as ``fetch``, or the page holds no readable article.
    """
    from . import load_bytes

    url = _normalise(url)
    data, content_type, final = fetch(url, timeout_s, max_bytes, public_only)
    path = urlsplit(final).path
    name = path.rsplit("/", 1)[-1] or "page.html"
    kind = {"application/pdf": ".pdf", "text/plain": ".txt", "text/markdown": ".md",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx"}.get(content_type)
    if kind is None:
        kind = ".html" if content_type in ("text/html", "application/xhtml+xml", "") else None
    if kind is None:
        raise DocumentError(f"{url} is {content_type}, not a page, PDF, Word document or text",
                            f"{isolate(url)} من نوع {isolate(content_type)}، وليس صفحة ولا PDF ولا مستند Word ولا نصا.")
    document = load_bytes(name if name.lower().endswith(kind) else name + kind, data, origin=final, url=final)
    label = f"{document.title} — {url}" if document.title else url
    return Document(source=label, text=document.text, origin=final, title=document.title, date=document.date)
