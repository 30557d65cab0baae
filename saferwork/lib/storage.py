"""File storage that keeps only the day a file was written ("Metadata is data").

A file's modification and access times would otherwise tell when a reporter uploaded
evidence or a trainer a receipt, to the second, to anyone who can list the folder. Every
file the default storage writes is stamped with midnight (UTC) of its day instead.

The inode's change time (ctime) cannot be set from user space: writing the stamp itself
sets it. ``restamp`` refreshes it for files already stored, so a daily run of
``purge_abandoned_report_files`` leaves every older file with the same change time.
"""

from __future__ import annotations

import os
import time
from typing import Any

from django.core.files.storage import FileSystemStorage

DAY = 86400


def midnight(timestamp: float) -> float:
    return timestamp // DAY * DAY


def stamp_day(path: str | os.PathLike[str], *, now: float | None = None) -> None:
    """Set a file's access and modification times to midnight (UTC) of ``now``'s day."""
    day = midnight(time.time() if now is None else now)
    os.utime(path, (day, day))


class DayStampedStorage(FileSystemStorage):
    """The local file system, with every file stamped with its day only."""

    def save(self, name: str | None, content: Any, max_length: int | None = None) -> str:
        name = super().save(name, content, max_length=max_length)
        stamp_day(self.path(name))
        return name

    def restamp(self, name: str) -> None:
        """Stamp a stored file again with the day it already carries. Its times do not
        change; its inode change time becomes now, the same as every file restamped with it."""
        path = self.path(name)
        stamp_day(path, now=os.stat(path).st_mtime)
