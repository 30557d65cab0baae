"""Stored files carry the day they were written, never the second."""

from __future__ import annotations

import os
import time

from django.conf import settings
from django.core.files.base import ContentFile

from saferwork.lib.storage import DayStampedStorage


def test_the_project_stores_files_through_the_day_stamped_storage():
    assert settings.STORAGES["default"]["BACKEND"] == "saferwork.lib.storage.DayStampedStorage"


def test_a_stored_file_has_midnight_for_its_times_not_the_time_it_was_written(tmp_path):
    storage = DayStampedStorage(location=str(tmp_path))
    written = time.time()
    name = storage.save("reporting/evidence.bin", ContentFile(b"sealed bytes"))
    stamp = os.stat(storage.path(name))
    assert stamp.st_mtime % 86400 == 0 and stamp.st_atime % 86400 == 0
    assert 0 <= written - stamp.st_mtime < 86400
    assert storage.get_modified_time(name).timestamp() == stamp.st_mtime


def test_restamping_keeps_the_day_a_file_carries(tmp_path):
    storage = DayStampedStorage(location=str(tmp_path))
    name = storage.save("old.bin", ContentFile(b"x"))
    three_days_ago = (time.time() // 86400 - 3) * 86400
    os.utime(storage.path(name), (three_days_ago, three_days_ago))
    storage.restamp(name)
    assert os.stat(storage.path(name)).st_mtime == three_days_ago
