"""CSV as a stream of lines, for StreamingHttpResponse: no export is held in memory whole."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import Any

from saferwork.lib.cells import neutralise_row


class _Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a stream."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """Each row of ``rows`` as one CSV-encoded line, produced only when it is read, with
    every text cell that a spreadsheet would run as a formula made inert."""
    writer = csv.writer(_Echo())
    for row in rows:
        yield writer.writerow(neutralise_row(row))
