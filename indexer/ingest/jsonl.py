"""JSON Lines input (``.jsonl``, ``.jsonl.gz``): one article JSON object per line.

Read as a stream, line by line, so a file of any size is indexed in bounded memory; a bad line
becomes a ParseError naming the file and line, and the lines after it are still read.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Protocol

from ..errors import ParseError
from ..model import Article, article_from_json

__all__ = ["parse_jsonl"]


class LineReader(Protocol):
    """What we need of a byte stream: plain, buffered or gzip files all qualify."""

    def readline(self, size: int = -1, /) -> bytes: ...


#: A single line longer than this is refused (a 1 MB paragraph fits easily).
MAX_LINE_BYTES = 64 * 1024 * 1024


def parse_jsonl(
    stream: LineReader, source: str, on_bytes: Callable[[int], None] | None = None
) -> Iterator[Article | ParseError]:
    """Yield each line's Article, or a ParseError for a line that is not a valid article."""
    seen_any = False
    for number, raw in enumerate(iter(lambda: stream.readline(MAX_LINE_BYTES + 1), b""), 1):
        if on_bytes is not None:
            on_bytes(len(raw))
        if len(raw) > MAX_LINE_BYTES:
            yield ParseError(source, f"line longer than {MAX_LINE_BYTES} bytes", number)
            # skip the rest of the over-long line
            while raw and not raw.endswith(b"\n"):
                raw = stream.readline(MAX_LINE_BYTES)
            continue
        if not raw.strip():
            continue
        seen_any = True
        if b"\x00" in raw:
            yield ParseError(source, "binary data, not JSON Lines", number)
            return
        try:
            # utf-8-sig: a file saved with a byte order mark (or files joined with cat) starts a
            # line with one, which json.loads refuses
            obj = json.loads(raw.decode("utf-8-sig"))
        except UnicodeDecodeError:
            yield ParseError(source, "line is not valid UTF-8", number)
            continue
        except json.JSONDecodeError as exc:
            yield ParseError(source, f"invalid JSON: {exc.msg} (column {exc.colno})", number)
            continue
        except ValueError as exc:
            # an integer of more digits than Python converts (sys.get_int_max_str_digits); the
            # message's advice after ";" is for programmers
            yield ParseError(source, f"invalid JSON: {str(exc).split(';')[0]}", number)
            continue
        except RecursionError:
            yield ParseError(source, "invalid JSON: nested too deeply", number)
            continue
        try:
            yield article_from_json(obj)
        except ValueError as exc:
            yield ParseError(source, str(exc), number)
    if not seen_any:
        yield ParseError(source, "empty file: no JSON lines")
