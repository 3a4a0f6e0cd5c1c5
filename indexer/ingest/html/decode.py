"""HTML bytes to text: whether a file is an HTML page at all, and which charset it is in."""

from __future__ import annotations

import codecs
import re

from indexer.errors import ParseError

__all__ = ["decode_html", "looks_like_html"]

_SNIFF = re.compile(
    r"<(?:!doctype\s+html|html|head|body|script|iframe|h1|div|font|table|a|style|title|b|br|p"
    r"|meta|link|article|section|main|span|img)[\s>/]"
)
_SNIFF_LATE = re.compile(r"<(?:!doctype\s+html|html|head|body)[\s>]")


def looks_like_html(head: bytes) -> bool:
    """Whether the first bytes of a file look like an HTML page (for inputs without an extension).

    Follows the browsers' content sniffing: the first tag must be an HTML one, so SGML such as
    Reuters' ``<!DOCTYPE lewis>`` or JSON Lines are not taken for HTML.
    """
    text = head[:4096].decode("latin-1").lstrip("\ufeff\xef\xbb\xbf \t\r\n\f").lower()
    if _SNIFF.match(text):
        return True
    if text.startswith(("<?xml", "<!--")):
        return bool(_SNIFF_LATE.search(text))
    return False


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")


def decode_html(data: bytes, source: str) -> str:
    """Bytes to text: UTF-8 first (pages often declare one charset and are stored in another),
    then the declared charset, then cp1252, which accepts nearly any byte."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    probe = data[:8192]
    if b"\x00" in probe or len(_CONTROL.findall(probe)) > len(probe) // 20:
        raise ParseError(source, "binary content, not an HTML page")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A page cut short (by us or by a download) may end inside a multi-byte character.
        if exc.reason == "unexpected end of data":
            return data[: exc.start].decode("utf-8")
    declared = _META_CHARSET.search(data[:4096])
    if declared:
        try:
            name = codecs.lookup(declared.group(1).decode("ascii")).name
            if name not in ("utf-8", "utf-16", "utf-16-le", "utf-16-be"):
                return data.decode(name)
        except (LookupError, UnicodeDecodeError):
            pass
    return data.decode("cp1252", errors="replace")
