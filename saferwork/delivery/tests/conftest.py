from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from saferwork.training.tests import factories as tf


@pytest.fixture
def trainer(programme_host: Any) -> Any:
    return tf.trainer(programme_host, email="trainer@example.org")


@pytest.fixture
def other_trainer(programme_host: Any) -> Any:
    return tf.trainer(programme_host, email="other.trainer@example.org")


@pytest.fixture
def booking(organisation: Any, trainer: Any) -> Any:
    return tf.booking(organisation, [trainer])


@pytest.fixture
def session(booking: Any) -> Any:
    """A session held today, with six confirmed participants."""
    s = tf.session(booking, days=0)
    for n in range(6):
        tf.participant(s, n, position="staff" if n % 2 else "line_manager")
    return s


@pytest.fixture
def today() -> dt.date:
    return dt.date.today()
