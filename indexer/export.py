"""Exporting every match of a search as CSV or JSON Lines, streamed, with a manifest.

Engine-neutral: the engine streams matching documents (``engine.base.StreamingEngine``); this
module turns each into one row of ``COLUMNS`` and keeps a running count and sha256 of the bytes
written, so the manifest can say exactly what was exported and from which index generation.
Rows are ordered deterministically (ties by article id, then position) and numbers are written
at fixed precision, so two exports of one query on one generation are byte-identical.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from .engine.base import EngineMatch, MatchStream
from .results import SearchParams

__all__ = ["COLUMNS", "EXPORT_FORMATS", "Export", "ExportManifest"]

#: The columns of an export row, in order: attributes of ``EngineMatch``. A stored field an
#: engine adds (speaker, story, ...) joins the export as one more name here.
COLUMNS: tuple[str, ...] = (
    "article_id",
    "doc_id",
    "kind",
    "position",
    "headline",
    "source",
    "published",
    "url",
    "byline",
    "credit",
    "photo_date",
    "speaker",
    "text",
    "score",
)
#: What an export can be written as.
EXPORT_FORMATS = ("jsonl", "csv")
#: Decimal places of the score: fixed, so re-exports are byte-identical.
_SCORE_PLACES = 6


def _value(match: EngineMatch, name: str) -> Any:
    """A column's value as JSON would hold it (dates as ISO strings, the score rounded)."""
    value = getattr(match, name, None)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if name == "score":
        return round(float(value or 0.0), _SCORE_PLACES)
    return value


def _params_json(params: SearchParams) -> dict[str, Any]:
    return {
        "q": params.query,
        "kind": params.kind,
        "source": params.source,
        "from": params.date_from.isoformat() if params.date_from else None,
        "to": params.date_to.isoformat() if params.date_to else None,
        "sort": params.sort,
    }


@dataclass
class ExportManifest:
    """What an export holds: the query and parameters, where it came from, and once the rows
    are all written, how many there were and the sha256 of their bytes (UTF-8)."""

    params: dict[str, Any]
    engine: str
    generation: int
    format: str
    total: int
    columns: tuple[str, ...] = COLUMNS
    rows: int = 0
    sha256: str = ""
    complete: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "query": self.params["q"],
            "params": dict(self.params),
            "engine": self.engine,
            "generation": self.generation,
            "format": self.format,
            "columns": list(self.columns),
            "total_hits": self.total,
            "rows": self.rows,
            "sha256": self.sha256,
            "complete": self.complete,
        }


@dataclass
class Export:
    """One export: iterate it for the text to write (a header, then a row at a time); after
    the last row, ``manifest`` has the count and the checksum."""

    stream: MatchStream
    manifest: ExportManifest
    _digest: Any = field(default_factory=hashlib.sha256)

    @classmethod
    def of(cls, stream: MatchStream, params: SearchParams, engine: str, fmt: str) -> Export:
        manifest = ExportManifest(
            params=_params_json(params),
            engine=engine,
            generation=stream.generation,
            format=fmt,
            total=stream.total,
        )
        return cls(stream, manifest)

    def __iter__(self) -> Iterator[str]:
        lines = self._csv() if self.manifest.format == "csv" else self._jsonl()
        for line in lines:
            self._digest.update(line.encode("utf-8"))
            yield line
        self.manifest.sha256 = self._digest.hexdigest()
        self.manifest.complete = True

    def _jsonl(self) -> Iterator[str]:
        for match in self.stream.rows:
            row = {name: _value(match, name) for name in COLUMNS}
            self.manifest.rows += 1
            yield json.dumps(row, ensure_ascii=False) + "\n"

    def _csv(self) -> Iterator[str]:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")

        def line(values: list[Any]) -> str:
            out.seek(0)
            out.truncate()
            writer.writerow(values)
            return out.getvalue()

        yield line(list(COLUMNS))
        for match in self.stream.rows:
            values = [_value(match, name) for name in COLUMNS]
            self.manifest.rows += 1
            yield line(
                [
                    "" if v is None else f"{v:.{_SCORE_PLACES}f}" if n == "score" else v
                    for n, v in zip(COLUMNS, values, strict=True)
                ]
            )

    def trailer(self) -> str:
        """The manifest as a last line: a JSON object for JSON Lines, a ``#`` comment for CSV."""
        text = json.dumps({"manifest": self.manifest.to_json()}, ensure_ascii=False)
        return ("# " if self.manifest.format == "csv" else "") + text + "\n"
