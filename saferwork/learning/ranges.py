"""HTTP Range requests (RFC 9110, section 14) for media steps, so a browser can seek.

Only one range of bytes is served: a request for several ranges gets the whole file (a
server may ignore Range), which every browser's media player handles. A range that
starts beyond the end is answered 416 with ``Content-Range: bytes */size``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO

from django.http import HttpResponse, StreamingHttpResponse

CHUNK = 64 * 1024
_RANGE = re.compile(r"^bytes=(?P<start>\d*)-(?P<end>\d*)$")


class Unsatisfiable(Exception):
    pass


def parse(header: str, size: int) -> tuple[int, int] | None:
    """The (first, last) byte positions asked for, inclusive; None: serve the whole file.

    Raises :class:`Unsatisfiable` for a syntactically valid range that selects nothing.
    """
    found = _RANGE.match(header.strip().replace(" ", ""))
    if found is None:
        return None  # not bytes, several ranges, or garbage: ignore the header
    start, end = found.group("start"), found.group("end")
    if not start and not end:
        return None
    if not start:  # the last N bytes
        length = int(end)
        if length == 0 or size == 0:
            raise Unsatisfiable
        return max(size - length, 0), size - 1
    first = int(start)
    last = int(end) if end else size - 1
    if end and last < first:
        return None  # invalid: ignore, as RFC 9110 says for an unparsable range
    if first >= size:
        raise Unsatisfiable
    return first, min(last, size - 1)


def _read(handle: IO[bytes], first: int, length: int) -> Iterator[bytes]:
    try:
        handle.seek(first)
        left = length
        while left > 0:
            chunk = handle.read(min(CHUNK, left))
            if not chunk:
                break
            left -= len(chunk)
            yield chunk
    finally:
        handle.close()


def file_response(handle: IO[bytes], *, size: int, content_type: str, range_header: str) -> HttpResponse:
    """200 with the whole file, 206 with the range asked for, or 416."""
    try:
        wanted = parse(range_header, size) if range_header else None
    except Unsatisfiable:
        handle.close()
        refused = HttpResponse(status=416)
        refused["Content-Range"] = f"bytes */{size}"
        refused["Accept-Ranges"] = "bytes"
        return refused
    first, last = wanted if wanted is not None else (0, size - 1)
    length = max(last - first + 1, 0)
    response = StreamingHttpResponse(_read(handle, first, length), content_type=content_type)
    if wanted is not None:
        response.status_code = 206
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    return response  # type: ignore[return-value]
