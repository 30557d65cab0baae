from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from saferwork.duty import loader


class Command(BaseCommand):
    help = (
        "Load the checklist files (saferwork/duty/checklists/*.json). Idempotent: a version already "
        "loaded is left alone; a new version lists its new items."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--directory", default=str(loader.CHECKLIST_DIR), help="Folder of checklist files.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            results = loader.load_directory(Path(options["directory"]))
        except loader.ChecklistFileError as exc:
            raise CommandError(f"Refused, nothing loaded: {exc}") from exc
        for result in results:
            self.stdout.write(result.describe())
