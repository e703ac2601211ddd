"""Verkenningen: the inventory, the snowball of contacts, interviews and the training design."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from portal.dates import check_dates_in_range
from portal.models import Organisation, Programme, TimeStampedModel
from portal.translated import localized
from trainings.models import Training, TrainingFormat
from werkplaats.models import Werkplaats


class VerkenningStatus(models.TextChoices):
    PREPARING = "preparing", _("Voorbereiding")
    IN_CONVERSATIONS = "in_conversations", _("In gesprek")
    DESIGN = "design", _("Trainingsopzet")
    DONE = "done", _("Afgerond")


class Acquaintance(models.TextChoices):
    """How well the departments the verkenning is about know each other."""

    UNKNOWN = "", _("Nog niet bekend")
    WORK_TOGETHER = "work_together", _("Werken met elkaar samen")
    SOME_CONTACT = "some_contact", _("Hebben af en toe met elkaar te maken")
    HARDLY_KNOW = "hardly_know", _("Kennen elkaar nauwelijks")


class SharedGoal(models.TextChoices):
    UNKNOWN = "", _("Nog niet bekend")
    KNOWN = "known", _("Kennen het gezamenlijke doel")
    TO_FORMULATE = "to_formulate", _("Moeten het doel nog formuleren")


class Verkenning(TimeStampedModel):
    """An exploration for one organisation, ahead of a training offer."""

    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programma"),
        on_delete=models.PROTECT,
        related_name="verkenningen",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisatie"),
        on_delete=models.PROTECT,
        related_name="verkenningen",
    )
    title = models.CharField(_("titel"), max_length=200)
    purpose = models.TextField(_("doel"), blank=True)
    verkenners = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("verkenners"), related_name="verkenningen"
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=VerkenningStatus.choices,
        default=VerkenningStatus.PREPARING,
    )
    # The inventory the verkenner fills in before the conversations.
    professionals = models.TextField(_("welke professionals"), blank=True)
    managers = models.TextField(_("welke leidinggevenden"), blank=True)
    policy_staff = models.TextField(_("welke beleidsmedewerkers"), blank=True)
    acquaintance = models.CharField(
        _("kennen de afdelingen elkaar?"),
        max_length=20,
        choices=Acquaintance.choices,
        blank=True,
    )
    shared_goal = models.CharField(
        _("kennen ze het gezamenlijke doel?"),
        max_length=20,
        choices=SharedGoal.choices,
        blank=True,
    )
    existing_knowledge = models.TextField(_("welke kennis is al aanwezig?"), blank=True)
    # When the status last became "afgerond" (empty while it is not): the anchor of the
    # retention period of the interview notes.
    finished_at = models.DateTimeField(_("afgerond op"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("aangemaakt door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        # The list pages newest first, in keyset pages: for everyone, and per programme.
        indexes = [
            models.Index(fields=["created_at", "id"], name="verkenning_newest_idx"),
            models.Index(
                fields=["programme", "created_at", "id"], name="verkenning_prog_newest_idx"
            ),
        ]
        verbose_name = _("verkenning")
        verbose_name_plural = _("verkenningen")

    def __str__(self) -> str:
        return self.title


class InventoryDepartment(TimeStampedModel):
    """A department the inventory says the verkenning is about."""

    verkenning = models.ForeignKey(
        Verkenning,
        verbose_name=_("verkenning"),
        on_delete=models.CASCADE,
        related_name="departments",
    )
    name = models.CharField(_("afdeling"), max_length=150)

    class Meta:
        ordering = ["name"]
        verbose_name = _("afdeling uit de inventarisatie")
        verbose_name_plural = _("afdelingen uit de inventarisatie")
        constraints = [
            models.UniqueConstraint(
                "verkenning", Lower("name"), name="one_inventory_department_per_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ContactStatus(models.TextChoices):
    TO_APPROACH = "to_approach", _("Te benaderen")
    PLANNED = "planned", _("Gepland")
    SPOKEN = "spoken", _("Gesproken")
    DECLINED = "declined", _("Afgezegd")


class Contact(TimeStampedModel):
    """A person to talk to; ``referred_by`` is who led to them (the snowball)."""

    verkenning = models.ForeignKey(
        Verkenning, verbose_name=_("verkenning"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("naam"), max_length=150)
    organisation_name = models.CharField(_("organisatie"), max_length=200, blank=True)
    department = models.CharField(_("afdeling"), max_length=150, blank=True)
    role = models.CharField(_("functie of rol"), max_length=150, blank=True)
    referred_by = models.ForeignKey(
        "self",
        verbose_name=_("doorverwezen door"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ContactStatus.choices, default=ContactStatus.TO_APPROACH
    )

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacten")
        constraints = [
            # Longer cycles are refused by the services, which walk the chain.
            models.CheckConstraint(
                name="contact_not_referred_by_itself", condition=~Q(referred_by=F("pk"))
            )
        ]

    def __str__(self) -> str:
        return self.name


class Question(TimeStampedModel):
    """One question of the question bank every verkenner picks from."""

    text = models.CharField(_("vraag"), max_length=300, unique=True)
    text_en = models.CharField(
        _("vraag in het Engels"),
        max_length=300,
        blank=True,
        help_text=_("Leeg: ook in het Engels de Nederlandse vraag."),
    )
    is_uncomfortable = models.BooleanField(_("ongemakkelijke vraag"), default=False)
    position = models.PositiveSmallIntegerField(_("volgorde"), default=0)
    is_active = models.BooleanField(_("in gebruik"), default=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("vraag")
        verbose_name_plural = _("vragenbank")

    def __str__(self) -> str:
        return localized(self, "text")


class Theme(TimeStampedModel):
    name = models.CharField(_("naam"), max_length=100, unique=True)
    name_en = models.CharField(
        _("naam in het Engels"),
        max_length=100,
        blank=True,
        help_text=_("Leeg: ook in het Engels de Nederlandse naam."),
    )
    is_active = models.BooleanField(_("in gebruik"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("thema")
        verbose_name_plural = _("thema's")

    def __str__(self) -> str:
        return localized(self, "name")


class Interview(TimeStampedModel):
    """A conversation (gesprek) a verkenner had with a contact."""

    verkenning = models.ForeignKey(
        Verkenning,
        verbose_name=_("verkenning"),
        on_delete=models.CASCADE,
        related_name="interviews",
    )
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("gesprekspartner"),
        on_delete=models.PROTECT,
        related_name="interviews",
    )
    verkenner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verkenner"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    held_on = models.DateField(_("datum"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("tijdsbesteding in minuten"),
        validators=[
            MinValueValidator(1, _("Een gesprek duurt minstens één minuut.")),
            MaxValueValidator(1440, _("Een gesprek duurt hooguit een etmaal (1440 minuten).")),
        ],
    )
    notes = models.TextField(_("algemene aantekeningen"), blank=True)

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("gesprek")
        verbose_name_plural = _("gesprekken")
        constraints = [
            models.CheckConstraint(
                name="interview_duration_in_range",
                condition=Q(duration_minutes__gte=1, duration_minutes__lte=1440),
            )
        ]

    def __str__(self) -> str:
        return f"{self.contact} ({self.held_on:%d-%m-%Y})"


class Answer(TimeStampedModel):
    """The verkenner's notes on one question asked in an interview."""

    interview = models.ForeignKey(
        Interview, verbose_name=_("gesprek"), on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(
        Question, verbose_name=_("vraag"), on_delete=models.PROTECT, related_name="answers"
    )
    notes = models.TextField(_("aantekeningen"))

    class Meta:
        ordering = ["question__position", "question_id"]
        verbose_name = _("antwoord")
        verbose_name_plural = _("antwoorden")
        constraints = [
            models.UniqueConstraint(
                fields=["interview", "question"], name="one_answer_per_interview_and_question"
            )
        ]


class ObservationKind(models.TextChoices):
    ENERGY = "energie", _("Energie")
    OBSTACLE = "hindernis", _("Hindernis")
    RESISTANCE = "weerstand", _("Weerstand")


class Observation(TimeStampedModel):
    """What the verkenner noticed in an interview, tagged by kind and themes."""

    interview = models.ForeignKey(
        Interview, verbose_name=_("gesprek"), on_delete=models.CASCADE, related_name="observations"
    )
    kind = models.CharField(_("soort"), max_length=20, choices=ObservationKind.choices)
    text = models.TextField(_("observatie"))
    themes = models.ManyToManyField(
        Theme, verbose_name=_("thema's"), related_name="observations", blank=True
    )
    include_as_quote = models.BooleanField(
        _("als citaat opnemen in de export"),
        default=False,
        help_text=_("Alleen aangevinkte observaties verschijnen letterlijk in de export."),
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("observatie")
        verbose_name_plural = _("observaties")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:40]}"


# How many sessions a werkplaats made from a design may get, and how far apart.
MAX_WERKPLAATS_SESSIONS = 12
MAX_WEEKS_BETWEEN_SESSIONS = 12


class TrainingDesign(TimeStampedModel):
    """The trainingsopzet written from the synthesis; may become a draft training and a
    werkplaats."""

    verkenning = models.OneToOneField(
        Verkenning, verbose_name=_("verkenning"), on_delete=models.CASCADE, related_name="design"
    )
    title = models.CharField(_("titel van de training"), max_length=200)
    description = models.TextField(_("omschrijving"))
    themes = models.ManyToManyField(
        Theme, verbose_name=_("gekozen thema's"), related_name="designs", blank=True
    )
    format = models.CharField(
        _("vorm"), max_length=30, choices=TrainingFormat.choices, default=TrainingFormat.TRAINING
    )
    content_goals = models.TextField(_("vakinhoudelijke leerdoelen"), blank=True)
    personal_goals = models.TextField(_("persoonlijke leerdoelen"), blank=True)
    target_groups = models.TextField(_("doelgroepen"), blank=True)
    trainers_needed = models.TextField(_("benodigde trainers en begeleiders"), blank=True)
    trainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("trainers en begeleiders"),
        related_name="+",
        blank=True,
    )
    manager_approval = models.BooleanField(_("toestemming leidinggevenden"), default=False)
    budget = models.DecimalField(
        _("budget (euro)"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    planning = models.TextField(_("planning"), blank=True)
    practicalities = models.TextField(_("praktische zaken (ruimtes)"), blank=True)
    provider = models.ForeignKey(
        Organisation,
        verbose_name=_("aanbiedende organisatie"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    capacity = models.PositiveSmallIntegerField(_("aantal plaatsen"), default=12)
    location = models.CharField(_("locatie"), max_length=200, blank=True)
    first_session_starts_at = models.DateTimeField(
        _("eerste bijeenkomst begint om"), null=True, blank=True
    )
    first_session_ends_at = models.DateTimeField(
        _("eerste bijeenkomst eindigt om"), null=True, blank=True
    )
    werkplaats_session_count = models.PositiveSmallIntegerField(
        _("aantal sessies van de werkplaats"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_WERKPLAATS_SESSIONS)],
    )
    werkplaats_weeks_between_sessions = models.PositiveSmallIntegerField(
        _("weken tussen de sessies van de werkplaats"),
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_WEEKS_BETWEEN_SESSIONS)],
    )
    training = models.OneToOneField(
        Training,
        verbose_name=_("concepttraining"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="verkenning_design",
    )
    werkplaats = models.OneToOneField(
        Werkplaats,
        verbose_name=_("werkplaats"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="verkenning_design",
    )

    class Meta:
        verbose_name = _("trainingsopzet")
        verbose_name_plural = _("trainingsopzetten")
        constraints = [
            models.CheckConstraint(name="design_capacity_positive", condition=Q(capacity__gte=1)),
            models.CheckConstraint(
                name="design_budget_not_negative", condition=Q(budget__gte=0) | Q(budget=None)
            ),
            models.CheckConstraint(
                name="design_first_session_in_order",
                condition=Q(first_session_starts_at=None)
                | Q(first_session_ends_at=None)
                | Q(first_session_ends_at__gt=F("first_session_starts_at")),
            ),
            models.CheckConstraint(
                name="design_werkplaats_session_count_in_range",
                condition=Q(
                    werkplaats_session_count__gte=1,
                    werkplaats_session_count__lte=MAX_WERKPLAATS_SESSIONS,
                ),
            ),
            models.CheckConstraint(
                name="design_werkplaats_weeks_between_in_range",
                condition=Q(
                    werkplaats_weeks_between_sessions__gte=1,
                    werkplaats_weeks_between_sessions__lte=MAX_WEEKS_BETWEEN_SESSIONS,
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        # A service may compute these (scheduling, a design turned into a run).
        check_dates_in_range(self, "first_session_starts_at", "first_session_ends_at")
