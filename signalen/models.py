"""HKIN signals, who may see them, what happened to them, and the audit chain."""

from datetime import UTC, datetime

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from portal.models import Organisation, TimeStampedModel
from portal.storage import PrivateStorage
from portal.translated import localized

from .states import OPEN, Status

DESCRIPTION_MAX_LENGTH = 5000
INVOLVED_MAX_LENGTH = 2000
NOTE_MAX_LENGTH = 5000
# The queue sorts a closed signal, which has no deadline, as if due at the end of time.
NO_DEADLINE = datetime(9999, 12, 31, tzinfo=UTC)


class Category(TimeStampedModel):
    """A kind of signal; the list is kept by administrators."""

    name = models.CharField(_("naam"), max_length=100, unique=True)
    name_en = models.CharField(
        _("naam in het Engels"),
        max_length=100,
        blank=True,
        help_text=_("Leeg: ook in het Engels de Nederlandse naam."),
    )
    position = models.PositiveSmallIntegerField(_("volgorde"), default=0)
    is_active = models.BooleanField(
        _("actief"), default=True, help_text=_("Alleen actieve categorieën staan in het formulier.")
    )

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("categorie")
        verbose_name_plural = _("categorieën")

    def __str__(self) -> str:
        return localized(self, "name")


class CloseReason(models.TextChoices):
    NO_GROUNDS = "no_grounds", _("Geen ondermijning / geen aanknopingspunten")
    HANDLED_INTERNALLY = "handled_internally", _("Intern afgehandeld")
    FORWARDED = "forwarded", _("Doorgezet buiten het portaal")
    DUPLICATE = "duplicate", _("Dubbele melding")


class Signal(TimeStampedModel):
    reference = models.CharField(_("referentie"), max_length=20, unique=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("melder"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reported_signals",
    )
    reporter_anonymous = models.BooleanField(
        _("anoniem richting organisaties waarnaar wordt doorgestuurd"), default=False
    )
    reported_to = models.ForeignKey(
        Organisation,
        verbose_name=_("gemeld bij"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("in behandeling bij"),
        on_delete=models.PROTECT,
        related_name="signals",
    )
    category = models.ForeignKey(
        Category, verbose_name=_("categorie"), on_delete=models.PROTECT, related_name="signals"
    )
    description = models.TextField(
        _("wat heb je gezien"),
        blank=True,
        validators=[MaxLengthValidator(DESCRIPTION_MAX_LENGTH)],
    )
    location = models.CharField(_("waar"), max_length=200, blank=True)
    observed_on = models.DateField(_("wanneer"), null=True, blank=True)
    involved = models.TextField(
        _("betrokken personen of bedrijven"),
        blank=True,
        validators=[MaxLengthValidator(INVOLVED_MAX_LENGTH)],
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW, db_index=True
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("behandelaar"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    received_at = models.DateTimeField(_("binnengekomen op"))
    last_activity_at = models.DateTimeField(_("laatste wijziging"))
    deadline_at = models.DateTimeField(_("termijn"), null=True, blank=True, db_index=True)
    first_picked_up_at = models.DateTimeField(_("eerst opgepakt op"), null=True, blank=True)
    closed_at = models.DateTimeField(_("afgesloten op"), null=True, blank=True)
    close_reason = models.CharField(
        _("reden van afsluiten"), max_length=30, choices=CloseReason.choices, blank=True
    )
    close_explanation = models.TextField(
        _("toelichting bij afsluiten"),
        blank=True,
        validators=[MaxLengthValidator(NOTE_MAX_LENGTH)],
    )
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("dubbel van"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
    )
    anonymised_at = models.DateTimeField(_("geanonimiseerd op"), null=True, blank=True)

    class Meta:
        verbose_name = _("signaal")
        verbose_name_plural = _("signalen")
        indexes = [
            models.Index(fields=["organisation", "status", "-received_at"]),
            # The queue's keyset orders: each starts an index scan at a cursor.
            models.Index(F("received_at").desc(), F("id").desc(), name="signal_queue_newest_idx"),
            models.Index(
                Coalesce("deadline_at", Value(NO_DEADLINE)), "id", name="signal_queue_deadline_idx"
            ),
            models.Index(
                "category",
                F("received_at").desc(),
                F("id").desc(),
                name="signal_queue_category_idx",
            ),
            # The open signals (the queue's default) newest first, without the closed ones
            # that a scan of the index above steps over; and one status newest first.
            models.Index(
                F("received_at").desc(),
                F("id").desc(),
                condition=Q(status__in=sorted(OPEN)),
                name="signal_queue_open_idx",
            ),
            models.Index(
                "status", F("received_at").desc(), F("id").desc(), name="signal_queue_status_idx"
            ),
            models.Index(fields=["status", "closed_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="signal_closed_has_reason_and_date",
                condition=(Q(status=Status.CLOSED, closed_at__isnull=False) & ~Q(close_reason=""))
                | (~Q(status=Status.CLOSED) & Q(closed_at__isnull=True, close_reason="")),
            ),
            models.CheckConstraint(
                name="signal_duplicate_only_with_reason",
                condition=Q(duplicate_of__isnull=True) | Q(close_reason=CloseReason.DUPLICATE),
            ),
            models.CheckConstraint(
                name="signal_not_duplicate_of_itself",
                condition=Q(duplicate_of__isnull=True) | ~Q(duplicate_of=F("pk")),
            ),
            models.CheckConstraint(
                name="signal_open_has_deadline",
                condition=Q(status=Status.CLOSED) | Q(deadline_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_anonymised(self) -> bool:
        return self.anonymised_at is not None


class SignalAccess(models.Model):
    """An organisation whose contact persons may see the signal: where it was reported or sent."""

    class Via(models.TextChoices):
        REPORTED = "reported", _("Gemeld")
        FORWARDED = "forwarded", _("Doorgestuurd")

    signal = models.ForeignKey(Signal, on_delete=models.CASCADE, related_name="accesses")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    via = models.CharField(max_length=20, choices=Via.choices)
    granted_at = models.DateTimeField()

    class Meta:
        verbose_name = _("toegang tot signaal")
        constraints = [
            models.UniqueConstraint(fields=["signal", "organisation"], name="one_access_per_org")
        ]
        indexes = [models.Index(fields=["organisation", "signal"])]

    def __str__(self) -> str:
        return f"{self.signal_id} → {self.organisation_id}"


class SignalEvent(models.Model):
    """One entry in a signal's timeline; ``shared_with_reporter`` decides what the reporter sees."""

    class Kind(models.TextChoices):
        REPORTED = "reported", _("Gemeld")
        ASSIGNED = "assigned", _("Toegewezen")
        NOTE = "note", _("Interne notitie")
        QUESTION = "question", _("Vraag aan melder")
        REPLY = "reply", _("Antwoord van melder")
        FEEDBACK = "feedback", _("Terugkoppeling aan melder")
        FORWARDED = "forwarded", _("Doorgestuurd")
        CLOSED = "closed", _("Afgesloten")
        ANONYMISED = "anonymised", _("Geanonimiseerd")
        RELEASED = "released", _("Terug naar de wachtrij")

    signal = models.ForeignKey(Signal, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(blank=True, validators=[MaxLengthValidator(NOTE_MAX_LENGTH)])
    shared_with_reporter = models.BooleanField(default=False)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("gebeurtenis")
        verbose_name_plural = _("gebeurtenissen")
        indexes = [models.Index(fields=["signal", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.created_at:%Y-%m-%d %H:%M})"


attachment_storage = PrivateStorage(setting_name="SIGNALEN_ATTACHMENT_ROOT")


def _attachment_storage():
    return attachment_storage


class SignalAttachment(models.Model):
    signal = models.ForeignKey(Signal, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(storage=_attachment_storage, max_length=200)
    original_name = models.CharField(_("bestandsnaam"), max_length=150)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("bijlage")
        verbose_name_plural = _("bijlagen")

    def __str__(self) -> str:
        return self.original_name


class AuditEntry(models.Model):
    """One append-only line of the audit log, chained to the previous one by an HMAC.

    Never free text or secrets: who, what, which object, outcome, origin, when. The
    application's database role may only SELECT and INSERT here (``audit_lock_table``),
    the table refuses UPDATE and DELETE through a database trigger (PostgreSQL), the
    admin shows it read-only, and ``verify_audit_chain`` detects any change made
    around those guards, against the anchors kept outside the database (``audit``).
    """

    class Result(models.TextChoices):
        OK = "ok", _("Gelukt")
        DENIED = "denied", _("Geweigerd")
        REJECTED = "rejected", _("Afgewezen")

    class Act(models.TextChoices):
        SIGNAL_CREATE = "signal.create", _("Signaal gemeld")
        SIGNAL_VIEW = "signal.view", _("Signaal bekeken")
        SIGNAL_VIEW_OWN = "signal.view_own", _("Eigen melding bekeken")
        SIGNAL_HISTORY = "signal.history", _("Geschiedenis bekeken")
        SIGNAL_ASSIGN = "signal.assign", _("Toegewezen")
        SIGNAL_NOTE = "signal.note", _("Notitie toegevoegd")
        SIGNAL_ASK = "signal.ask_reporter", _("Vraag aan melder gesteld")
        SIGNAL_REPLY = "signal.reporter_reply", _("Melder heeft geantwoord")
        SIGNAL_FEEDBACK = "signal.share_feedback", _("Terugkoppeling gedeeld")
        SIGNAL_FORWARD = "signal.forward", _("Doorgestuurd")
        SIGNAL_CLOSE = "signal.close", _("Afgesloten")
        SIGNAL_ANONYMISE = "signal.anonymise", _("Geanonimiseerd")
        SIGNAL_RELEASE = "signal.release", _("Terug naar de wachtrij")
        AUDIT_SEAL = "audit.seal", _("Auditketen voortaan met sleutel")
        ATTACHMENT_DOWNLOAD = "attachment.download", _("Bijlage gedownload")

    seq = models.PositiveBigIntegerField(_("volgnummer"), unique=True)
    created_at = models.DateTimeField(_("tijdstip"))
    # No database constraint: deleting a person must not cascade into (or be blocked by) the log.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("wie"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    action = models.CharField(_("actie"), max_length=40, choices=Act.choices)
    object_type = models.CharField(_("soort object"), max_length=40)
    object_id = models.BigIntegerField(_("object-id"), null=True, blank=True)
    result = models.CharField(_("resultaat"), max_length=10, choices=Result.choices)
    ip_address = models.GenericIPAddressField(_("IP-adres"), null=True, blank=True)
    prev_hash = models.CharField(_("vorige hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)
    # How ``hash`` was made: 1 plain SHA-256 (before the key), 2 HMAC-SHA256 with the key.
    version = models.PositiveSmallIntegerField(_("hashversie"))

    class Meta:
        ordering = ["seq"]
        verbose_name = _("auditregel")
        verbose_name_plural = _("auditlog")
        default_permissions = ("view",)
        indexes = [models.Index(fields=["object_type", "object_id", "seq"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id} {self.result}"


class SignalTally(models.Model):
    """How many signals an organisation has access to, per category, status and month.

    The dashboard's figures read these rows instead of counting every signal on each
    request. Only the services write them (``signalen.tally``), in the transaction of the
    change they count; ``manage.py signalen_tally`` checks them against a fresh count and
    repairs them.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices)
    # The first day of the month the signal was made, in the portal's time zone.
    month = models.DateField()
    signals = models.IntegerField(default=0)
    # Of those, how many were picked up, and their hours from report to first pick-up.
    picked_up = models.IntegerField(default=0)
    pickup_seconds = models.FloatField(default=0)

    class Meta:
        verbose_name = _("telling van signalen")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "category", "status", "month"], name="one_tally_per_key"
            )
        ]

    def __str__(self) -> str:
        key = f"{self.organisation_id}/{self.category_id}/{self.status}/{self.month}"
        return f"{key}: {self.signals}"
