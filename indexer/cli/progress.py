"""The ETA of ``newsfind index``: from bytes read and documents written, so it converges.

Click's own ETA divided the time so far by the bytes read so far, which leaves out the
commits: reading and handing documents to the writers runs at one pace, and each commit (the
writers finishing and publishing their segments) takes a time of its own that grows with the
documents it holds, so at 1% of a 3.5-minute run it said about a minute. Here the time left is
the bytes left at the pace of reading so far (commits excluded), plus the documents still to
commit (those added but uncommitted, and those the rest of the input will add, estimated per
byte from what was read) at the pace commits have taken so far.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

__all__ = ["Eta", "estimate_seconds_left"]


def estimate_seconds_left(
    *,
    elapsed: float,
    committing: float,
    bytes_read: int,
    bytes_total: int,
    documents_added: int,
    documents_committed: int,
) -> float | None:
    """Seconds left, or None while there is too little to go on. ``committing`` is the part
    of ``elapsed`` spent in commits, which committed ``documents_committed`` documents."""
    if elapsed <= 0 or bytes_read <= 0 or bytes_total <= 0:
        return None
    fraction = min(1.0, bytes_read / bytes_total)
    reading = max(0.0, elapsed - committing)
    left = reading * (1 - fraction) / fraction
    if documents_committed > 0:
        expected = documents_added / fraction
        per_document = committing / documents_committed
        left += per_document * max(0.0, expected - documents_committed)
    return left


@dataclass
class Eta:
    """Follows one run for its progress bar: bytes read, and each commit's time and size."""

    bytes_total: int
    started: float = field(default_factory=time.monotonic)
    bytes_read: int = 0
    committing: float = 0.0
    documents_added: int = 0
    documents_committed: int = 0
    _last: float = field(default_factory=time.monotonic)

    def read(self, n: int) -> None:
        self.bytes_read += n

    def after_article(self, committed: int, uncommitted: int) -> None:
        """Called after each article; a rise in ``committed`` means that call committed."""
        now = time.monotonic()
        if committed > self.documents_committed:
            self.committing += now - self._last
            self.documents_committed = committed
        self.documents_added = committed + uncommitted
        self._last = now

    def seconds_left(self) -> float | None:
        return estimate_seconds_left(
            elapsed=time.monotonic() - self.started,
            committing=self.committing,
            bytes_read=self.bytes_read,
            bytes_total=self.bytes_total,
            documents_added=self.documents_added,
            documents_committed=self.documents_committed,
        )

    def show(self, _: int | None) -> str:
        """For click's ``item_show_func``: the ETA beside the bar."""
        return self.text()

    def text(self) -> str:
        left = self.seconds_left()
        if left is None:
            return "eta --:--"
        minutes, seconds = divmod(int(left + 0.5), 60)
        return f"eta {minutes:d}:{seconds:02d}"
