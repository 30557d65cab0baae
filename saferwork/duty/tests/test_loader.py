from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from saferwork.duty import loader, services
from saferwork.duty.models import AuditAnswer, Checklist, ChecklistItem

pytestmark = pytest.mark.django_db


def _v1() -> dict[str, Any]:
    return json.loads((loader.CHECKLIST_DIR / "ehrc-eight-steps.v1.json").read_text())


def _write(folder: Path, name: str, data: Any) -> Path:
    path = folder / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, indent=2))
    return path


def test_every_shipped_checklist_loads_and_every_item_is_marked_unconfirmed(checklists):
    keys = {r.checklist.key for r in checklists}
    assert keys == {"ehrc-eight-steps", "acas-complaints", "union-as-organisation"}
    assert ChecklistItem.objects.filter(confirmed=True).count() == 0
    sections = set(ChecklistItem.objects.filter(checklist__key="ehrc-eight-steps").values_list("section", flat=True))
    assert len(sections) == 8
    union_items = ChecklistItem.objects.filter(checklist__key="union-as-organisation")
    assert all(item.kinds == ["union"] for item in union_items)


def test_loading_twice_changes_nothing(checklists):
    before = list(ChecklistItem.objects.order_by("pk").values())
    out = StringIO()
    call_command("load_checklists", stdout=out)
    assert "already loaded, unchanged" in out.getvalue()
    assert list(ChecklistItem.objects.order_by("pk").values()) == before
    assert Checklist.objects.count() == 3


def test_a_new_version_keeps_answers_and_lists_new_items(tmp_path, organisation, coordinator):
    v1 = _v1()
    _write(tmp_path, "ehrc.v1.json", v1)
    loader.load_directory(tmp_path)
    old = Checklist.objects.get(key="ehrc-eight-steps", version=1)
    audit = services.start_audit(organisation=organisation, checklist=old, size="large", actor=coordinator)
    for item_id, status in [("policy.1", "met"), ("risk.1", "not_met")]:
        services.answer_item(
            audit=audit, item=old.items.get(item_id=item_id), status=status, note=f"note {item_id}", actor=coordinator
        )
    v2 = json.loads(json.dumps(v1))
    v2["version"] = 2
    renamed = next(i for i in v2["items"] if i["id"] == "risk.1")
    renamed["id"] = "risk.1a"
    v2["mapping"] = {"risk.1": "risk.1a"}
    new_item = {
        **v2["items"][0],
        "id": "policy.5",
        "text": "Regulations list a new step.",
        "applies_from": "2026-10-01",
    }
    v2["items"].append(new_item)
    _write(tmp_path, "ehrc.v2.json", v2)
    out = StringIO()
    call_command("load_checklists", directory=str(tmp_path), stdout=out)
    text = out.getvalue()
    assert "ehrc-eight-steps version 2: loaded (after version 1)" in text
    assert "new items: policy.5" in text and "risk.1 -> risk.1a" in text
    new = Checklist.objects.get(key="ehrc-eight-steps", version=2)
    carried = services.start_audit(
        organisation=organisation, checklist=new, size="large", actor=coordinator, carry_from=audit
    )
    answers = {a.item.item_id: a for a in carried.answers.select_related("item")}
    assert answers["policy.1"].status == "met" and answers["policy.1"].note == "note policy.1"
    assert answers["risk.1a"].status == "not_met" and answers["risk.1a"].carried_over
    assert "policy.5" not in answers
    # The earlier audit keeps its own answers on its own version.
    assert AuditAnswer.objects.filter(audit=audit).count() == 2


def test_changed_content_under_the_same_version_is_refused(tmp_path, checklists):
    v1 = _v1()
    v1["items"][0]["text"] = "Quietly changed"
    _write(tmp_path, "ehrc.json", v1)
    with pytest.raises(CommandError, match="already loaded with different content"):
        call_command("load_checklists", directory=str(tmp_path), stdout=StringIO())


def test_malformed_json_is_refused_with_its_line_and_reason(tmp_path):
    text = json.dumps(_v1(), indent=2).splitlines()
    text[6] = text[6] + ","  # a stray comma on line 7
    _write(tmp_path, "broken.json", "\n".join(text))
    with pytest.raises(CommandError) as error:
        call_command("load_checklists", directory=str(tmp_path), stdout=StringIO())
    message = str(error.value)
    assert "broken.json, line" in message and "not valid JSON" in message and "nothing loaded" in message
    assert Checklist.objects.count() == 0


def test_a_schema_error_names_the_items_line_and_what_is_wrong(tmp_path):
    data = _v1()
    data["items"][3]["kinds"] = ["charity"]
    path = _write(tmp_path, "bad.json", data)
    expected_line = path.read_text().splitlines().index(f'      "id": "{data["items"][3]["id"]}",') + 1
    with pytest.raises(loader.ChecklistFileError) as error:
        loader.load_directory(tmp_path)
    assert error.value.line == expected_line
    assert "kinds has 'charity'" in error.value.reason


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda d: d["items"][0].pop("source"), "lacks source"),
        (lambda d: d["items"][1].update(applies_from="26/10/2024"), "applies_from must be a date"),
        (lambda d: d["items"][2].update(id=d["items"][0]["id"]), "appears twice"),
        (lambda d: d.update(version=0), "version must be a whole number"),
        (lambda d: d.update(mapping={"policy.1": "nowhere"}), "not an item"),
        (lambda d: d["items"][0].update(confirmed="yes"), "confirmed must be true or false"),
    ],
)
def test_each_schema_rule_is_checked(tmp_path, change, reason):
    data = _v1()
    change(data)
    _write(tmp_path, "bad.json", data)
    with pytest.raises(loader.ChecklistFileError, match=reason):
        loader.load_directory(tmp_path)
    assert Checklist.objects.count() == 0
