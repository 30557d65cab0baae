"""Reads that learning pages share: who may author, assign or take what, and the completion report.

Every fetch goes through the current membership and raises 404 when the person may not
see the thing. A learner's enrolment, progress and reflections are fetched only through
that learner: no role, not a coordinator nor a programme admin, widens that.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest
from django.urls import reverse

from saferwork.dialogue.selectors import membership
from saferwork.learning.models import Enrolment, Module, ModuleOffer, ModuleVersion, Reflection, Step, StepProgress
from saferwork.lib import suppression
from saferwork.organisations.models import Organisation
from saferwork.organisations.permissions import membership_has
from saferwork.reporting.selectors import public_route_path

__all__ = ["membership"]

NO_DEPARTMENT = "No department given"


def threshold() -> int:
    return int(settings.LEARNING_SUPPRESSION_THRESHOLD)


def is_programme_admin(request: HttpRequest) -> bool:
    return membership_has(getattr(request, "membership", None), "is_programme_admin")


def is_coordinator(request: HttpRequest) -> bool:
    return membership_has(getattr(request, "membership", None), "is_coordinator")


def sees_report(request: HttpRequest) -> bool:
    found = getattr(request, "membership", None)
    return membership_has(found, "is_coordinator") or membership_has(found, "is_leader")


def organisation_links(organisation: Organisation) -> dict[str, str]:
    """The organisation's reporting route and support page, for the [[reporting]] placeholders."""
    route = public_route_path(organisation) or ""
    support = reverse("reporting:support", args=[organisation.slug]) if route else ""
    return {"reporting_url": route, "support_url": support, "organisation_name": organisation.name}


def titles(modules: Iterable[int]) -> dict[int, ModuleVersion]:
    """Each module's newest version (published or draft), one query."""
    newest: dict[int, ModuleVersion] = {}
    for version in ModuleVersion.objects.filter(module_id__in=list(modules)).order_by("module_id", "number"):
        newest[version.module_id] = version
    return newest


def published(modules: Iterable[int]) -> dict[int, ModuleVersion]:
    """Each module's latest published version, one query."""
    newest: dict[int, ModuleVersion] = {}
    versions = ModuleVersion.objects.filter(module_id__in=list(modules), published_at__isnull=False)
    for version in versions.order_by("module_id", "number"):
        newest[version.module_id] = version
    return newest


# ---------------------------------------------------------------- authors


def authorable(request: HttpRequest) -> QuerySet[Module]:
    """Modules this person may edit: shared ones for programme admins, the organisation's own
    for its coordinators."""
    found = membership(request)
    where = Q(pk__in=[])
    if is_programme_admin(request):
        where |= Q(organisation__isnull=True)
    if is_coordinator(request):
        where |= Q(organisation=found.organisation)
    return Module.objects.filter(where)


def get_module_for_author(request: HttpRequest, pk: int) -> Module:
    module = authorable(request).filter(pk=pk).first()
    if module is None:
        raise Http404
    return module


def get_step_for_author(request: HttpRequest, pk: int) -> Step:
    step = Step.objects.select_related("version__module").filter(pk=pk).first()
    if step is None or not authorable(request).filter(pk=step.version.module_id).exists():
        raise Http404
    return step


# ---------------------------------------------------------------- coordinators


def library(organisation: Organisation) -> QuerySet[Module]:
    """Modules an organisation may assign: the programme's shared ones and its own, published."""
    return Module.objects.filter(
        Q(organisation__isnull=True) | Q(organisation=organisation), versions__published_at__isnull=False
    ).distinct()


def get_module_for_coordinator(request: HttpRequest, pk: int) -> Module:
    module = library(membership(request).organisation).filter(pk=pk).first()
    if module is None:
        raise Http404
    return module


def enrolment_counts(organisation: Organisation, module: Module) -> dict[str, int]:
    """How many are assigned, started and done: counts of the organisation's own assignments,
    shown to the coordinator who made them (the department report is the suppressed one)."""
    found = Enrolment.objects.for_organisation(organisation).filter(module=module, unassigned_at__isnull=True)
    return found.aggregate(
        assigned=Count("pk"),
        started=Count("pk", filter=Q(started_at__isnull=False)),
    )


def assignments(organisation: Organisation, module: Module) -> QuerySet[Enrolment]:
    """Who the organisation assigned ``module`` to and has not removed: addresses and due
    dates only. A learner's progress is theirs: the coordinator sees counts, not people."""
    return (
        Enrolment.objects.for_organisation(organisation)
        .filter(module=module, assigned=True, unassigned_at__isnull=True)
        .select_related("department")
        .order_by("email")
    )


def get_assignment_for_coordinator(request: HttpRequest, module: Module, pk: int) -> Enrolment:
    found = assignments(membership(request).organisation, module).filter(pk=pk).first()
    if found is None:
        raise Http404
    return cast(Enrolment, found)


# ---------------------------------------------------------------- learners


@dataclass(frozen=True)
class LearnerModule:
    module: Module
    version: ModuleVersion
    enrolment: Enrolment | None


def learner_modules(request: HttpRequest) -> list[LearnerModule]:
    """The person's assigned modules and those open to all members, in four queries. A module
    they started shows the version they started; any other its latest published version."""
    organisation = membership(request).organisation
    mine = {
        e.module_id: e
        for e in Enrolment.objects.for_organisation(organisation)
        .filter(user=request.user)
        .select_related("module", "version")
    }
    offered = set(ModuleOffer.objects.for_organisation(organisation).values_list("module_id", flat=True))
    ids = set(mine) | offered
    current = published(ids)
    modules = {m.pk: m for m in Module.objects.filter(pk__in=ids)}
    found = []
    for pk in sorted(ids):
        enrolment = mine.get(pk)
        version = enrolment.version if enrolment is not None and enrolment.version else current.get(pk)
        if version is not None and pk in modules:
            found.append(LearnerModule(module=modules[pk], version=version, enrolment=enrolment))
    return found


def get_enrolment_for_learner(request: HttpRequest, pk: int) -> Enrolment:
    organisation = membership(request).organisation
    enrolment = (
        Enrolment.objects.for_organisation(organisation)
        .filter(pk=pk, user=request.user)
        .select_related("module", "version", "organisation")
        .first()
    )
    if enrolment is None:
        raise Http404
    return cast(Enrolment, enrolment)


def progress_of(enrolment: Enrolment) -> dict[int, StepProgress]:
    return {p.step_id: p for p in StepProgress.objects.filter(enrolment=enrolment)}


def own_reflection(enrolment: Enrolment, step: Step, user: Any) -> Reflection | None:
    """The learner's own reflection: the owner is part of the query, so nobody else's opens."""
    return Reflection.objects.filter(enrolment=enrolment, step=step, owner=user, enrolment__user=user).first()


# ---------------------------------------------------------------- the organisation's report


@dataclass
class CompletionReport:
    modules: list[str]
    departments: list[str]
    assigned: suppression.SuppressedTwoWay
    completed: suppression.SuppressedTwoWay
    threshold: int

    def rate(self, row: str | None, column: str | None) -> str:
        """Completion as a percentage where both counts are shown, else the hidden label."""
        done, of = self._cells(row, column)
        if done.value is None or of.value is None or not of.value:
            return suppression.HIDDEN_LABEL
        return f"{round(100 * done.value / of.value)}%"

    def _cells(self, row: str | None, column: str | None) -> tuple[suppression.Cell, suppression.Cell]:
        def pick(table: suppression.SuppressedTwoWay) -> suppression.Cell:
            if row is not None and column is not None:
                return table.cell(row, column)
            if row is not None:
                assert table.row_totals is not None
                return table.row_totals[row]
            if column is not None:
                assert table.column_totals is not None
                return table.column_totals[column]
            assert table.grand_total is not None
            return table.grand_total

        return pick(self.completed), pick(self.assigned)

    @property
    def footnote(self) -> str:
        return suppression.footnote(self.threshold)

    def rows(self) -> list[dict[str, Any]]:
        """For the page: one row per department, then the totals by module."""
        out = []
        for department in self.departments:
            out.append(
                {
                    "label": department,
                    "cells": [self._triple(department, m) for m in self.modules],
                    "total": self._triple(department, None),
                }
            )
        out.append(
            {
                "label": "All departments",
                "cells": [self._triple(None, m) for m in self.modules],
                "total": self._triple(None, None),
            }
        )
        return out

    def _triple(self, row: str | None, column: str | None) -> dict[str, str]:
        done, of = self._cells(row, column)
        rate = self.rate(row, column)
        summary = suppression.HIDDEN_LABEL if done.hidden and of.hidden else f"{done.display} of {of.display}"
        return {"completed": done.display, "assigned": of.display, "rate": rate, "summary": summary}

    def export_rows(self) -> list[list[int | str]]:
        rows: list[list[int | str]] = [["Department", "Module", "Assigned", "Completed", "Completion rate"]]
        for department in [*self.departments, None]:
            for module in [*self.modules, None]:
                done, of = self._cells(department, module)
                rows.append(
                    [
                        department or "All departments",
                        module or "All modules",
                        of.export_value,
                        done.export_value,
                        self.rate(department, module),
                    ]
                )
        rows.append([])
        rows.append(["Note", self.footnote])
        return rows


def completion_report(organisation: Organisation) -> CompletionReport:
    """Assignments and completions by department and module, suppressed (a fixed number of
    queries whatever the number of learners).

    The assigned table is suppressed first; the completed table then hides at least what
    it hides (``also_hide``), so no completion count is shown beside a hidden assignment
    count that it would bound from below.
    """
    counts = (
        Enrolment.objects.for_organisation(organisation)
        .filter(unassigned_at__isnull=True)
        .values("department_id", "module_id")
        .annotate(assigned=Count("pk"), completed=Count("pk", filter=Q(completed_at__isnull=False)))
        .order_by()
    )
    grouped = list(counts)
    module_ids = sorted({row["module_id"] for row in grouped})
    names = titles(module_ids)
    module_label = _unique_labels({pk: names[pk].title if pk in names else "Module" for pk in module_ids})
    department_ids = {row["department_id"] for row in grouped if row["department_id"]}
    from saferwork.surveys.models import Department

    department_names = dict(Department.objects.filter(pk__in=department_ids).values_list("pk", "name"))
    department_label = _unique_labels({pk: department_names.get(pk, NO_DEPARTMENT) for pk in department_ids})
    assigned: dict[str, dict[str, int]] = defaultdict(dict)
    completed: dict[str, dict[str, int]] = defaultdict(dict)
    for row in grouped:
        department = department_label.get(row["department_id"], NO_DEPARTMENT)
        module = module_label[row["module_id"]]
        assigned[department][module] = assigned[department].get(module, 0) + row["assigned"]
        completed[department][module] = completed[department].get(module, 0) + row["completed"]
    departments = sorted(assigned, key=lambda d: (d == NO_DEPARTMENT, d.casefold()))
    modules = [module_label[pk] for pk in module_ids]
    limit = threshold()
    assigned_table = suppression.suppress_table({d: assigned[d] for d in departments}, columns=modules, threshold=limit)
    hidden: list[suppression.Key] = [
        ("cell", d, m) for d in departments for m in modules if assigned_table.cell(d, m).hidden
    ]
    assert assigned_table.row_totals is not None and assigned_table.column_totals is not None
    hidden += [("row", d) for d in departments if assigned_table.row_totals[d].hidden]
    hidden += [("col", m) for m in modules if assigned_table.column_totals[m].hidden]
    if assigned_table.grand_total is not None and assigned_table.grand_total.hidden:
        hidden.append(("grand",))
    completed_table = suppression.suppress_table(
        {d: completed[d] for d in departments}, columns=modules, threshold=limit, also_hide=hidden
    )
    return CompletionReport(
        modules=modules, departments=departments, assigned=assigned_table, completed=completed_table, threshold=limit
    )


def _unique_labels(names: dict[int, str]) -> dict[int, str]:
    """Two modules (or departments) with one name get a number each, so their cells stay apart."""
    seen: dict[str, int] = defaultdict(int)
    for name in names.values():
        seen[name] += 1
    return {pk: (f"{name} ({pk})" if seen[name] > 1 else name) for pk, name in names.items()}
