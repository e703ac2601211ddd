"""What the portal holds about one person (AVG art. 15/20) and how it is erased (art. 17).

Only the apps know their own records, and the kernel may not import them. So each app
registers a ``Section`` here in its ``AppConfig.ready``:

- ``kinds``: the kinds of record it exports, each with a label and an explanation that goes
  into the download's LEESMIJ.txt;
- ``export(user)``: per kind the records the person owns or may see, as plain dicts (only
  what their own pages show them, nothing of other people beyond that), in a bounded number
  of queries whatever the number of records;
- ``erase(user, actor)``: deletes or anonymises the person's records following the app's
  rule, returning counts per kind; it runs in the approving transaction;
- ``rules``: per foreign key to the user model (``"app.Model.field"``) what happens to it
  on erasure. A test requires every such key in the project to be declared by a section,
  so a new one cannot be forgotten.

The kernel's own section (profile, login records, mails) registers last and runs last: it
turns the user row into a pseudonym, which every app's rows may keep pointing at.
"""

import csv
import io
import json
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .csv import safe_cell

Records = list[dict]


@dataclass(frozen=True)
class Kind:
    """One kind of record: ``name`` is the file name in the download (``<name>.json/.csv``)."""

    name: str
    label: str
    explanation: str


@dataclass(frozen=True)
class Section:
    """What one app holds about a person, and how it erases it."""

    app_label: str
    kinds: tuple[Kind, ...]
    export: Callable[..., Mapping[str, Records]]
    erase: Callable[..., Mapping[str, int]]
    rules: Mapping[str, str] = field(default_factory=dict)
    # Lower runs first; the kernel's section runs last (it pseudonymises the user row).
    order: int = 50


_sections: dict[str, Section] = {}


def register(section: Section) -> Section:
    """Register (or replace) an app's section; kind names must be unique over all apps."""
    taken = {
        kind.name: other.app_label
        for other in _sections.values()
        if other.app_label != section.app_label
        for kind in other.kinds
    }
    for kind in section.kinds:
        if kind.name in taken:
            raise ValueError(f"Personal data kind {kind.name!r} is already registered.")
    _sections[section.app_label] = section
    return section


def sections() -> list[Section]:
    """The registered sections in the order their erasers run."""
    return sorted(_sections.values(), key=lambda s: (s.order, s.app_label))


def declared_rules() -> dict[str, str]:
    """Every declared foreign key to the user model with its erasure rule."""
    return {key: rule for s in sections() for key, rule in s.rules.items()}


@dataclass(frozen=True)
class KindCount:
    kind: Kind
    count: int


def collect(user) -> list[tuple[Kind, Records]]:
    """Every kind of every section with the person's records (possibly none)."""
    found = []
    for section in sections():
        exported = section.export(user)
        unknown = set(exported) - {kind.name for kind in section.kinds}
        if unknown:
            raise ValueError(f"{section.app_label} exported undeclared kinds {sorted(unknown)}")
        found.extend((kind, list(exported.get(kind.name, []))) for kind in section.kinds)
    return found


def erase_all(user, *, actor) -> dict[str, int]:
    """Run every section's eraser (the caller holds the transaction); counts per kind."""
    counts: dict[str, int] = {}
    for section in sections():
        counts.update(section.erase(user, actor=actor))
    return counts


def _plain(value):
    """A value as JSON holds it: dates in ISO 8601, anything else as text."""
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


def _csv_text(records: Records) -> str:
    """The records as CSV (UTF-8 with BOM, ``;``), every cell guarded against formulas."""
    columns: list[str] = []
    for record in records:
        columns.extend(key for key in record if key not in columns)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";")
    writer.writerow(columns)
    for record in records:
        writer.writerow(
            [
                safe_cell(json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else v)
                for v in (_plain(record.get(column)) for column in columns)
            ]
        )
    return out.getvalue()


README_INTRO = _(
    "Dit zijn alle gegevens die het portaal Werkend Leren over jou bewaart, opgehaald op "
    "{moment}. Elk soort gegevens staat in twee bestanden: een JSON-bestand (voor computers) "
    "en een CSV-bestand (te openen in een spreadsheet; puntkomma als scheidingsteken). Een "
    "cel die met =, +, - of @ begint, krijgt in de CSV een apostrof ervoor, zodat een "
    "spreadsheet er geen formule van maakt. Gegevens van andere mensen staan er niet in, "
    "behalve wat jouw eigen pagina's je ook laten zien."
)


def build_zip(user, *, now: datetime | None = None) -> bytes:
    """The download: per kind a JSON and a CSV file, and LEESMIJ.txt explaining each file."""
    moment = timezone.localtime(now or timezone.now())
    collected = collect(user)
    lines = [
        gettext("Mijn gegevens — Werkend Leren"),
        "",
        str(README_INTRO).format(moment=moment.strftime("%d-%m-%Y %H:%M")),
        "",
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for kind, records in collected:
            plain = [{k: _plain(v) for k, v in record.items()} for record in records]
            archive.writestr(
                f"{kind.name}.json", json.dumps(plain, ensure_ascii=False, indent=2) + "\n"
            )
            archive.writestr(f"{kind.name}.csv", _csv_text(plain))
            lines += [
                f"{kind.name}.json / {kind.name}.csv — {kind.label} ({len(records)})",
                f"  {kind.explanation}",
                "",
            ]
        archive.writestr("LEESMIJ.txt", "\n".join(lines))
    return buffer.getvalue()
