"""Where an action comes from: one generic reference, and a registry the owning apps fill.

An action answers something: a survey result, a risk in an assessment, a gap found by a
policy audit, a learning plan, or nothing in particular ("manual"). Rather than one
foreign key per module, an :class:`~saferwork.actions.models.Action` holds

* ``source_kind``: a key registered here ("survey_result", "risk_assessment", ...);
* ``source_ref``: an opaque string the owning app understands (a primary key, a
  ``"<wave>:<cut>"`` pair, a checklist item id: whatever names the thing);
* ``source_label``: the human text of the source when the action was made, kept as a
  snapshot so the hub and the CSV never need to ask the owning app (and still read well
  if the source is later deleted).

How a module attaches actions (a risk register, for example)::

    # saferwork/risk/apps.py
    class RiskConfig(AppConfig):
        def ready(self):
            from saferwork.actions import sources
            from saferwork.risk import selectors

            sources.register(
                "risk_assessment",
                "Risk assessment",
                describe=selectors.describe_for_actions,  # (organisation, ref) -> Source | None
            )

``describe`` must look the reference up *inside the organisation* and return ``None``
when it does not exist there (or the person could not see it): the actions app then
refuses the reference, so a link crafted with another organisation's id makes nothing.
The returned :class:`Source` gives the label to snapshot and the page to link back to.

The owning app then links to the prefilled form::

    {% url 'actions:create' %}?source_kind=risk_assessment&source_ref={{ risk.pk }}

or calls :func:`saferwork.actions.services.create_action` itself with the same
``source_kind``/``source_ref`` (for "turn each gap into an action in one click"). To show
the actions of one source, use :func:`saferwork.actions.selectors.actions_for_source`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from saferwork.organisations.models import Organisation

MANUAL = "manual"


@dataclass(frozen=True)
class Source:
    """What an owning app says about one reference: a label, and where it lives (or "")."""

    label: str
    url: str = ""


Describe = Callable[[Organisation, str], Source | None]


@dataclass(frozen=True)
class SourceKind:
    key: str
    label: str
    describe: Describe | None = None

    @property
    def needs_ref(self) -> bool:
        return self.describe is not None


_KINDS: dict[str, SourceKind] = {}


def register(key: str, label: str, *, describe: Describe | None = None) -> SourceKind:
    """Register a kind of source. ``describe(organisation, ref)`` is required for every kind
    but "manual": without it, a reference could not be checked. Registering the same key
    again replaces it (Django may call ``ready()`` twice in tests)."""
    if not key or len(key) > 40 or not key.replace("_", "").isalnum() or key != key.lower():
        raise ValueError(f"A source kind is a short lower-case key like 'survey_result', not {key!r}.")
    if key != MANUAL and describe is None:
        raise ValueError(f"Source kind {key!r} needs a describe function to check its references.")
    kind = SourceKind(key=key, label=label, describe=describe)
    _KINDS[key] = kind
    return kind


def register_builtin() -> None:
    register(MANUAL, "Added by hand")


def get(key: str) -> SourceKind | None:
    return _KINDS.get(key)


def all_kinds() -> list[SourceKind]:
    return sorted(_KINDS.values(), key=lambda k: (k.key != MANUAL, k.label))


def label_of(key: str) -> str:
    """The kind's label; a kind whose app is gone reads as its key, never an error."""
    kind = _KINDS.get(key)
    return kind.label if kind else key.replace("_", " ").capitalize()


class UnknownSource(ValueError):
    """A kind nobody registered, or a reference its app does not know in this organisation."""


def resolve(organisation: Organisation, key: str, ref: str) -> Source:
    """Check ``key``/``ref`` against the registry for ``organisation``; raise UnknownSource."""
    kind = _KINDS.get(key)
    if kind is None:
        raise UnknownSource(f"There is no kind of source called {key!r}.")
    if kind.describe is None:
        if ref:
            raise UnknownSource("An action added by hand has no source reference.")
        return Source(label="")
    if not ref or len(ref) > 64:
        raise UnknownSource("The source reference is missing or too long.")
    found = kind.describe(organisation, ref)
    if found is None:
        raise UnknownSource("That source does not exist in this organisation.")
    return found
