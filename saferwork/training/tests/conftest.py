from __future__ import annotations

from typing import Any

import pytest

from saferwork.training.tests import factories as tf


@pytest.fixture
def trainer(programme_host: Any) -> Any:
    return tf.trainer(programme_host, email="trainer@example.org", experience="experienced", sessions_delivered=12)


@pytest.fixture
def other_trainer(programme_host: Any) -> Any:
    return tf.trainer(programme_host, email="other.trainer@example.org")


@pytest.fixture
def booking(organisation: Any, trainer: Any) -> Any:
    return tf.booking(organisation, [trainer])


@pytest.fixture
def session(booking: Any) -> Any:
    return tf.session(booking)
