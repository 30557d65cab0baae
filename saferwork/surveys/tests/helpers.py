from __future__ import annotations

import io
import re
from typing import Any

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from saferwork.surveys import services
from saferwork.surveys.models import Survey

LINK = re.compile(r"/survey/i/([\w-]+)/")


def csv_upload(text: str, name: str = "staff.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def xlsx_upload(rows: list[list[Any]], name: str = "staff.xlsx") -> SimpleUploadedFile:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def invite(survey: Survey, actor: Any, people: list[tuple[str, str]], capture: Any) -> list[str]:
    """Import and send invitations; returns the tokens from the emails, in the order sent."""
    from saferwork.surveys.services import StaffRow

    ids = {d.department.name: d.pk for d in survey.departments.select_related("department")}
    services.import_staff_list(survey=survey, actor=actor, rows=[StaffRow(e, ids[d]) for e, d in people])
    mail.outbox.clear()
    with capture(execute=True):
        services.send_invitations(survey=survey, actor=actor)
    return [LINK.search(m.body).group(1) for m in mail.outbox]  # type: ignore[union-attr]


def answer_through(client: Any, start_url: str, answers: dict[str, dict[str, Any]], survey: Survey) -> None:
    """Answer every page: ``answers`` maps a page number to its posted data keyed by item code."""
    questions = {q.item.code: q.pk for q in survey.questions.select_related("item")}
    response = client.post(start_url)
    assert response.status_code == 302, response.status_code
    for number in sorted(answers):
        data = {str(questions[code]): value for code, value in answers[number].items()}
        client.post(reverse("surveys:answer_page", args=[int(number)]), data)
    done = client.post(reverse("surveys:check"))
    assert done.status_code == 302 and done["Location"] == reverse("surveys:done"), done
