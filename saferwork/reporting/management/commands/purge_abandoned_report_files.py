from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand
from django.utils import timezone

from saferwork.reporting.models import Attachment, PrivateRecordFile

FOLDER = "reporting"


class Command(BaseCommand):
    help = (
        "Delete sealed files uploaded to reports that were never sent (abandoned drafts), "
        "once they are two days old (files are stamped with their day only). Run it daily."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--hours", type=int, default=48, help="Keep files younger than this (default 48).")

    def handle(self, *args: Any, **options: Any) -> None:
        # A bucket has no folders to test for: list, and take a missing folder as empty.
        try:
            _dirs, files = default_storage.listdir(FOLDER)
        except FileNotFoundError:
            files = []
        if not files:
            self.stdout.write("Nothing to purge.")
            return
        cutoff = timezone.now() - timedelta(hours=options["hours"])
        names = [f"{FOLDER}/{name}" for name in files]
        used = set(Attachment.objects.filter(storage_name__in=names).values_list("storage_name", flat=True))
        # A private record's files are in use too, however long ago they were added.
        used |= set(PrivateRecordFile.objects.filter(storage_name__in=names).values_list("storage_name", flat=True))
        removed = 0
        restamp = getattr(default_storage, "restamp", None)
        for name in names:
            if name not in used and default_storage.get_modified_time(name) < cutoff:
                default_storage.delete(name)
                removed += 1
            elif restamp is not None:
                # Every kept file gets the same inode change time: this run's, not its upload's.
                restamp(name)
        self.stdout.write(f"Deleted {removed} abandoned file{'s' if removed != 1 else ''}.")
