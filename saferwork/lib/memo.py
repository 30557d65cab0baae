"""A small, bounded, thread-safe memory of pure results, kept in one process.

For work whose answer depends only on its inputs (which cells a suppression rule hides,
whether a published page lets a reader work out a small count): a page reloaded with the
same numbers gets the answer this process already worked out. The key must hold every
input; the value must not be changed by whoever reads it.

What is kept is only what the process read from the database to work the answer out (the
true counts of a table come from tallies the database holds anyway): nothing here is
written anywhere, and it is gone when the process ends.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class Remembered(Generic[V]):
    """The ``size`` most recently used answers; the least recently used goes first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._answers: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            answer = self._answers.get(key)
            if answer is not None:
                self._answers.move_to_end(key)
            return answer

    def put(self, key: Hashable, answer: V) -> None:
        with self._lock:
            self._answers[key] = answer
            self._answers.move_to_end(key)
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()

    def __len__(self) -> int:
        return len(self._answers)
