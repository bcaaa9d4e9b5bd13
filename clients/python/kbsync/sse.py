"""A minimal Server-Sent Events reader over a file-like byte stream (``http.client.HTTPResponse``)."""

from __future__ import annotations

from typing import BinaryIO, Iterator, Optional, Tuple


def read_events(stream: BinaryIO, comments: bool = False) -> Iterator[Tuple[str, str]]:
    """Yields ``(event name, data)`` for each event of ``stream`` until it ends; comments are skipped, or yielded as
    ``(":", text)`` with ``comments`` (so a reader regains control at each keep-alive)."""
    name = "message"
    data: Optional[list] = None
    while True:
        raw = stream.readline()
        if not raw:
            return
        line = raw.decode("utf-8").rstrip("\n").rstrip("\r")
        if not line:
            if data is not None:
                yield name, "\n".join(data)
            name, data = "message", None
        elif line.startswith(":"):
            if comments:
                yield ":", line[1:].strip()
        elif line.startswith("event:"):
            name = _value(line, 6)
        elif line.startswith("data:"):
            data = (data or []) + [_value(line, 5)]


def _value(line: str, colon: int) -> str:
    value = line[colon:]
    return value[1:] if value.startswith(" ") else value
