"""The registry of retention rules: what the portal destroys, and when.

Each app registers its rules in ``AppConfig.ready`` (``register(RetentionRule(...))``); the
kernel runs them all (``services.retention_run``: the periodic task and ``manage.py
retention_run``) without importing any app, and the privacy statement lists them with the
periods read from settings, so changing a setting changes the page.

A rule names its kind, the setting that holds its period, the anchor the period counts from
(the end of a run, of a werkplaats, of a verkenning...), a selector of the rows due given a
cutoff (anchor strictly before the cutoff: a row exactly at the cutoff waits one more run),
and how they are destroyed: deleted, or anonymised by the rule's own function. A rule's
selector must return only rows still holding the data, so a second run finds nothing.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .workdays import months_before

DELETE = "delete"
ANONYMISE = "anonymise"
ACTION_LABELS = {DELETE: _("verwijderd"), ANONYMISE: _("geanonimiseerd")}

# What an anonymised text that must stay non-empty holds instead (stored data, not translated):
# a filled-in answer stays recognisable as answered, without its content.
TEXT_REMOVED = "[verwijderd na de bewaartermijn]"

MONTHS = "months"
DAYS = "days"


@dataclass(frozen=True)
class RetentionRule:
    """One kind of data and how long the portal keeps it.

    ``due(cutoff)`` returns the rows whose anchor lies before ``cutoff`` and that still hold
    the data. ``destroy(pks)`` anonymises those rows and returns how many it treated; a rule
    without one deletes them. ``anchor`` and ``effect`` are Dutch phrases for people: the
    privacy statement and the destruction register show them.
    """

    kind: str
    label: Promise | str
    setting: str
    anchor: Promise | str
    effect: Promise | str
    due: Callable[[datetime], QuerySet]
    action: str = DELETE
    destroy: Callable[[list], int] | None = None
    unit: str = MONTHS

    @property
    def period(self) -> int:
        """The period from settings, read on every use (a changed setting takes effect)."""
        return getattr(settings, self.setting)

    @property
    def unit_label(self) -> str:
        return str(_("maanden") if self.unit == MONTHS else _("dagen"))

    @property
    def action_label(self) -> str:
        return str(ACTION_LABELS[self.action])

    def cutoff(self, now: datetime) -> datetime:
        """Rows whose anchor lies before this moment are due."""
        if self.unit == MONTHS:
            return months_before(now, self.period)
        return now - timedelta(days=self.period)


_rules: dict[str, RetentionRule] = {}


def register(rule: RetentionRule) -> None:
    """Register a rule; registering a kind again replaces it (safe when ready runs twice)."""
    if rule.action == ANONYMISE and rule.destroy is None:
        raise ValueError(f"Retention rule {rule.kind} anonymises but has no destroy function")
    _rules[rule.kind] = rule


def rules(kinds: Iterable[str] | None = None) -> list[RetentionRule]:
    """The registered rules in registration order, or only ``kinds`` (KeyError when unknown)."""
    if kinds is None:
        return list(_rules.values())
    return [_rules[kind] for kind in kinds]


def label_of(kind: str) -> str:
    """The Dutch name of a kind; the key itself for a kind no longer registered."""
    rule = _rules.get(kind)
    return str(rule.label) if rule else kind
