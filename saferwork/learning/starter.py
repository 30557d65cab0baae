"""The three starter modules, written in our own words, shipped as JSON files in ``starter/``.

``load`` creates each module (shared by the programme: no organisation) with one
published version, unless a module with its slug already exists; it is run by a data
migration and works with the historical models that migrations pass in.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.utils import timezone

FOLDER = Path(__file__).resolve().parent / "starter"
FILES = ("what-it-is.json", "bystander.json", "disclosure.json")


def definitions() -> list[dict[str, Any]]:
    return [json.loads((FOLDER / name).read_text(encoding="utf-8")) for name in FILES]


def _data(step: dict[str, Any]) -> dict[str, Any]:
    if step["kind"] == "scenario":
        return {"choices": step["choices"]}
    if step["kind"] == "check":
        return {"pass_mark": step["pass_mark"], "questions": step["questions"]}
    if step["kind"] == "reflection":
        return {"prompt": step["prompt"]}
    return {}


def load(apps: Any = None) -> int:
    """Create the starter modules that are missing; returns how many were created."""
    if apps is None:
        from django.apps import apps as registry

        apps = registry
    module_model = apps.get_model("learning", "Module")
    version_model = apps.get_model("learning", "ModuleVersion")
    step_model = apps.get_model("learning", "Step")
    created = 0
    for definition in definitions():
        if module_model.objects.filter(slug=definition["slug"]).exists():
            continue
        module = module_model.objects.create(slug=definition["slug"], organisation=None)
        version = version_model.objects.create(
            module=module,
            number=1,
            title=definition["title"],
            summary=definition["summary"],
            minutes=definition["minutes"],
        )
        for position, step in enumerate(definition["steps"], start=1):
            step_model.objects.create(
                version=version,
                position=position,
                kind=step["kind"],
                title=step["title"],
                body=step["body"],
                data=_data(step),
            )
        # Published last: the real models refuse new steps on a published version.
        version_model.objects.filter(pk=version.pk).update(published_at=timezone.now())
        created += 1
    return created
