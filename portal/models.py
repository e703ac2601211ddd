"""People, partner organisations, roles, invitations and login records."""

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.contrib.contenttypes.fields import GenericForeignKey
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("aangemaakt op"), auto_now_add=True)
    updated_at = models.DateTimeField(_("gewijzigd op"), auto_now=True)

    class Meta:
        abstract = True


class AnswerLinkModel(TimeStampedModel):
    """A question put to someone without an account, answered once through a mailed link.

    Only the token's digest is stored; the token is rebuilt from the row and the server
    secret (``portal.answer_links``). The rules (expiry, answered once) live there too.
    """

    # Only a hash: a leaked database yields no usable answer links.
    token_hash = models.CharField(max_length=64, unique=True)
    token_expires_at = models.DateTimeField(_("link geldig tot"))
    answer_comment = models.TextField(_("toelichting"), blank=True)
    answered_at = models.DateTimeField(_("beantwoord op"), null=True, blank=True)

    class Meta:
        abstract = True

    @staticmethod
    def answered_has_moment(name: str) -> models.CheckConstraint:
        """The constraint an app adds to its Meta: open means unanswered, else answered."""
        return models.CheckConstraint(
            name=name,
            condition=Q(status="open", answered_at__isnull=True)
            | (~Q(status="open") & Q(answered_at__isnull=False)),
        )


class Organisation(TimeStampedModel):
    class Kind(models.TextChoices):
        GEMEENTE = "gemeente", _("Gemeente")
        POLITIE = "politie", _("Politie")
        BELASTINGDIENST = "belastingdienst", _("Belastingdienst")
        OM = "om", _("Openbaar Ministerie")
        RIEC = "riec", _("RIEC")
        BUREAU_RVS = "bureau_rvs", _("Bureau RVS")
        OTHER = "other", _("Overig")

    CORE_PARTNER_KINDS = frozenset({Kind.GEMEENTE, Kind.POLITIE, Kind.BELASTINGDIENST, Kind.OM})

    name = models.CharField(_("naam"), max_length=200, unique=True)
    kind = models.CharField(_("soort"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("onderdeel van"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text=_("Een afdeling of gemeente kan een eigen organisatie zijn binnen een grotere."),
    )
    # Recorded by the beheerder. Where a signal may be reported is still decided by signalen
    # (an organisation with an active contact person); this flag states the intent.
    has_meldpunt = models.BooleanField(
        _("heeft een meldpunt"),
        default=False,
        help_text=_("Signalen kunnen bij deze organisatie gemeld worden."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisatie")
        verbose_name_plural = _("organisaties")

    def __str__(self) -> str:
        return self.name

    @property
    def is_core_partner(self) -> bool:
        return self.kind in self.CORE_PARTNER_KINDS


domain_validator = RegexValidator(
    r"^(?!-)[a-z0-9-]+(\.[a-z0-9-]+)+$",
    _("Vul een domeinnaam in zoals gemeente.nl, zonder @ en in kleine letters."),
)


class OrganisationEmailDomain(TimeStampedModel):
    """An e-mail domain whose owners may sign up themselves for this organisation."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisatie"),
        on_delete=models.CASCADE,
        related_name="email_domains",
    )
    domain = models.CharField(
        _("domein"), max_length=253, unique=True, validators=[domain_validator]
    )

    class Meta:
        ordering = ["domain"]
        verbose_name = _("e-maildomein")
        verbose_name_plural = _("e-maildomeinen")

    def __str__(self) -> str:
        return self.domain


class Discipline(models.TextChoices):
    SOCIAAL_DOMEIN = "sociaal_domein", _("Sociaal domein")
    VEILIGHEID = "veiligheid", _("Veiligheid")
    HANDHAVING = "handhaving", _("Handhaving")
    VERGUNNINGEN = "vergunningen", _("Vergunningen")
    VASTGOED = "vastgoed", _("Vastgoed")
    STEDELIJKE_ONTWIKKELING = "stedelijke_ontwikkeling", _("Stedelijke ontwikkeling")
    PUBLIEKSZAKEN = "publiekszaken", _("Publiekszaken")
    BELASTINGEN = "belastingen", _("Belastingen")
    RECHERCHE = "recherche", _("Recherche")
    JURIDISCH = "juridisch", _("Juridisch / vervolging")
    INFORMATIE = "informatie", _("Informatie en analyse")
    BELEID = "beleid", _("Beleid")
    OTHER = "other", _("Overig")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("e-mailadres"), unique=True)
    full_name = models.CharField(_("naam"), max_length=150)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisatie"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    discipline = models.CharField(
        _("discipline"), max_length=40, choices=Discipline.choices, blank=True
    )
    department = models.CharField(_("afdeling"), max_length=150, blank=True)
    job_title = models.CharField(_("functie"), max_length=150, blank=True)
    is_active = models.BooleanField(_("actief"), default=True)
    is_staff = models.BooleanField(_("toegang tot beheer"), default=False)
    date_joined = models.DateTimeField(_("lid sinds"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        indexes = [
            # The netwerk search reads an organisation's people by name and stops at a page.
            models.Index(
                fields=["organisation", "full_name", "id"], name="user_organisation_name_idx"
            ),
        ]
        verbose_name = _("gebruiker")
        verbose_name_plural = _("gebruikers")

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("Programmacoördinator")
    TRAINER = "trainer", _("Trainer / begeleider")
    CONTACT_PERSON = "contact_person", _("Ondermijningscontactpersoon")
    BEHEERDER = "beheerder", _("Beheerder")


# The roles the yearly review (BIO 5.18) goes over: the ones that open confidential data
# or the portal's administration.
REVIEWED_ROLES = (Role.COORDINATOR, Role.CONTACT_PERSON, Role.BEHEERDER)


class RoleAssignment(TimeStampedModel):
    """A role beyond 'participant', which everyone is.

    A contact person is always a contact person *of* an organisation; the other
    roles are portal-wide.
    """

    user = models.ForeignKey(
        User, verbose_name=_("gebruiker"), on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(_("rol"), max_length=20, choices=Role.choices)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisatie"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )

    class Meta:
        verbose_name = _("roltoewijzing")
        verbose_name_plural = _("roltoewijzingen")
        constraints = [
            models.CheckConstraint(
                name="contact_person_has_organisation",
                condition=~Q(role="contact_person") | Q(organisation__isnull=False),
            ),
            models.CheckConstraint(
                name="portal_wide_roles_have_no_organisation",
                condition=Q(role="contact_person") | Q(organisation__isnull=True),
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(organisation__isnull=True),
                name="unique_portal_wide_role",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "organisation"],
                condition=Q(organisation__isnull=False),
                name="unique_organisation_role",
            ),
        ]

    def __str__(self) -> str:
        if self.organisation_id:
            return f"{self.user} — {self.get_role_display()} ({self.organisation})"
        return f"{self.user} — {self.get_role_display()}"


class RoleChange(models.Model):
    """One role granted or revoked: who did it, for whom, which role, when and why.

    Written by the role services in the same transaction as the change; never edited.
    """

    class Action(models.TextChoices):
        GRANTED = "granted", _("Toegekend")
        REVOKED = "revoked", _("Ingetrokken")

    actor = models.ForeignKey(
        User,
        verbose_name=_("door"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_changes_made",
        help_text=_("Leeg wanneer het systeem de wijziging deed (bijvoorbeeld manage.py)."),
    )
    subject = models.ForeignKey(
        User,
        verbose_name=_("persoon"),
        on_delete=models.PROTECT,
        related_name="role_changes",
    )
    role = models.CharField(_("rol"), max_length=20, choices=Role.choices)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisatie"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_changes",
    )
    action = models.CharField(_("wijziging"), max_length=10, choices=Action.choices)
    reason = models.CharField(_("reden"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("tijdstip"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("rolwijziging")
        verbose_name_plural = _("rolwijzigingen")

    def __str__(self) -> str:
        return f"{self.subject} {self.action} {self.role} ({self.created_at:%Y-%m-%d %H:%M})"


class RoleReview(TimeStampedModel):
    """The yearly review of who holds the sensitive roles (BIO 5.18).

    At most one is open at a time (a partial unique index), so opening it twice opens one.
    """

    opened_at = models.DateTimeField(_("geopend op"), default=timezone.now)
    opened_by = models.ForeignKey(
        User,
        verbose_name=_("geopend door"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_open = models.BooleanField(_("open"), default=True)
    closed_at = models.DateTimeField(_("afgerond op"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("rolreview")
        verbose_name_plural = _("rolreviews")
        constraints = [
            models.UniqueConstraint(
                fields=["is_open"], condition=Q(is_open=True), name="one_open_role_review"
            ),
            models.CheckConstraint(
                name="closed_role_review_has_closed_at",
                condition=Q(is_open=True) | Q(closed_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.opened_at:%d-%m-%Y}"


class RoleReviewLine(models.Model):
    """One role held by one person at the review's opening, and what the beheerder decided."""

    class Decision(models.TextChoices):
        CONFIRMED = "confirmed", _("Bevestigd")
        REVOKED = "revoked", _("Ingetrokken")

    review = models.ForeignKey(
        RoleReview, verbose_name=_("rolreview"), on_delete=models.CASCADE, related_name="lines"
    )
    user = models.ForeignKey(
        User, verbose_name=_("persoon"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("rol"), max_length=20, choices=Role.choices)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisatie"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision = models.CharField(_("besluit"), max_length=10, choices=Decision.choices, blank=True)
    decided_by = models.ForeignKey(
        User,
        verbose_name=_("besloten door"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("besloten op"), null=True, blank=True)

    class Meta:
        ordering = ["user__full_name", "user__email", "role", "pk"]
        verbose_name = _("regel rolreview")
        verbose_name_plural = _("regels rolreview")
        constraints = [
            models.CheckConstraint(
                name="decided_role_review_line_is_complete",
                condition=Q(decision="", decided_at__isnull=True)
                | (~Q(decision="") & Q(decided_at__isnull=False)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}"


class Programme(TimeStampedModel):
    """A programme such as "Werkend leren 2027", run by its coordinators.

    Kernel, not trainings: trainings, werkplaatsen and verkenningen all belong to one,
    and who coordinates it decides who manages them (``permissions.coordinates_programme``).
    """

    name = models.CharField(_("naam"), max_length=200, unique=True)
    description = models.TextField(_("omschrijving"), blank=True)
    coordinators = models.ManyToManyField(
        User,
        verbose_name=_("coördinatoren"),
        related_name="coordinated_programmes",
        blank=True,
    )
    is_active = models.BooleanField(_("actief"), default=True)

    class Meta:
        # The table keeps the name it had when programmes lived in the trainings app.
        db_table = "trainings_programme"
        ordering = ["name"]
        verbose_name = _("programma")
        verbose_name_plural = _("programma's")

    def __str__(self) -> str:
        return self.name


class Invitation(TimeStampedModel):
    """Lets one person sign up whose e-mail domain is not registered."""

    email = models.EmailField(_("e-mailadres"))
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisatie"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    invited_by = models.ForeignKey(
        User,
        verbose_name=_("uitgenodigd door"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="invitations_sent",
    )
    # Only a hash is stored: a leaked database does not yield usable links.
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(_("verloopt op"))
    accepted_at = models.DateTimeField(_("geaccepteerd op"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("ingetrokken op"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("uitnodiging")
        verbose_name_plural = _("uitnodigingen")
        constraints = [
            models.UniqueConstraint(
                fields=["email"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="one_open_invitation_per_email",
            )
        ]

    def __str__(self) -> str:
        return self.email

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > now


class LoginEvent(models.Model):
    """One successful or failed login attempt; kept for a limited time."""

    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="login_events"
    )
    identifier = models.CharField(_("ingevoerd e-mailadres"), max_length=254, blank=True)
    succeeded = models.BooleanField(_("geslaagd"))
    ip_address = models.GenericIPAddressField(_("IP-adres"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("tijdstip"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("inlogpoging")
        verbose_name_plural = _("inlogpogingen")
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        outcome = "ok" if self.succeeded else "failed"
        return f"{self.identifier} {outcome} {self.created_at:%Y-%m-%d %H:%M}"


class ReminderStatus(models.TextChoices):
    PLANNED = "planned", _("Gepland")
    SENDING = "sending", _("Wordt verstuurd")
    SENT = "sent", _("Verstuurd")
    SKIPPED = "skipped", _("Overgeslagen")
    CANCELLED = "cancelled", _("Geannuleerd")
    # The last attempt failed; the next one is at ``next_attempt_at`` (backing off).
    RETRY = "retry", _("Nieuwe poging gepland")
    # Given up after the retry period (REMINDER_RETRY_HOURS); a beheerder can retry it.
    FAILED = "failed", _("Mislukt")
    # Sent as part of the recipient's daily digest (``digest``), not on its own.
    DIGESTED = "digested", _("Verstuurd in dagoverzicht")


class PlannedReminder(TimeStampedModel):
    """One e-mail the portal will send (or sent) to one person about one object.

    Every app plans its reminders here; one periodic dispatcher sends what is due.
    The unique constraint is what makes a reminder go out at most once.
    """

    kind = models.CharField(_("soort"), max_length=80)
    target_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.CASCADE, related_name="+"
    )
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    recipient = models.ForeignKey(
        User,
        verbose_name=_("ontvanger"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    recipient_email = models.EmailField(_("e-mailadres ontvanger"))
    due_at = models.DateTimeField(_("versturen op"))
    status = models.CharField(
        _("status"), max_length=20, choices=ReminderStatus.choices, default=ReminderStatus.PLANNED
    )
    attempts = models.PositiveSmallIntegerField(_("pogingen"), default=0)
    sent_at = models.DateTimeField(_("verstuurd op"), null=True, blank=True)
    subject = models.CharField(_("onderwerp"), max_length=255, blank=True)
    body = models.TextField(_("tekst"), blank=True)
    last_error = models.TextField(_("laatste fout"), blank=True)
    # Set when first claimed and sent with every attempt, so a mail client folds a duplicate
    # (a retry after a lease ran out on a mail that had gone out after all).
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)
    first_attempt_at = models.DateTimeField(_("eerste poging"), null=True, blank=True)
    # The earliest moment of another attempt: when a claim's lease runs out (status "sending")
    # or when a failed attempt is retried (status "retry").
    next_attempt_at = models.DateTimeField(_("volgende poging"), null=True, blank=True)
    lease_expiries = models.PositiveSmallIntegerField(_("verlopen claims"), default=0)
    digest = models.ForeignKey(
        "self",
        verbose_name=_("dagoverzicht"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="digest_items",
    )

    class Meta:
        ordering = ["-due_at"]
        verbose_name = _("herinnering")
        verbose_name_plural = _("herinneringen")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "target_type", "target_id", "recipient_email"],
                name="one_reminder_per_kind_target_and_recipient",
            )
        ]
        indexes = [
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["recipient", "status", "sent_at"]),
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(
                fields=["-updated_at"],
                condition=Q(lease_expiries__gt=0),
                name="reminder_lease_expired_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_email} ({self.due_at:%d-%m-%Y %H:%M})"


class MailDelivery(models.TextChoices):
    AT_ONCE = "at_once", _("Direct")
    DIGEST = "digest", _("In het dagelijkse overzicht")


class MailPreference(TimeStampedModel):
    """How one person wants one kind of mail: at once (the default) or in a daily digest."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="mail_preferences")
    kind = models.CharField(_("soort"), max_length=80)
    delivery = models.CharField(
        _("bezorging"), max_length=20, choices=MailDelivery.choices, default=MailDelivery.AT_ONCE
    )

    class Meta:
        verbose_name = _("e-mailvoorkeur")
        verbose_name_plural = _("e-mailvoorkeuren")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_mail_preference_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {self.delivery}"


class DailyDigest(TimeStampedModel):
    """One person's digest of one day: the target of the digest's reminder row."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="daily_digests")
    day = models.DateField(_("dag"))

    class Meta:
        verbose_name = _("dagoverzicht")
        verbose_name_plural = _("dagoverzichten")
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="one_daily_digest_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day:%Y-%m-%d}"


class SubmissionKey(models.Model):
    """A create form's one-time key, kept once the first POST with it succeeded.

    The form carries a random key in a hidden field; the first successful POST stores it
    with the address it led to, so the same form posted again (a double click, a resent
    request) creates nothing and is sent to that address instead.
    """

    user = models.ForeignKey(
        "portal.User", on_delete=models.CASCADE, related_name="submission_keys"
    )
    key = models.CharField(max_length=64)
    redirect_to = models.CharField(max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("verzonden formulier")
        verbose_name_plural = _("verzonden formulieren")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="one_submission_per_key")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.key}"


class NetworkProfile(TimeStampedModel):
    """Whether a person is findable in the netwerk, and what they chose to show.

    Off by default: without a row, or with ``findable`` off, nobody else sees the person in
    the directory, the search, a profile page or a signal form. Name and organisation are
    always shown to whom the person is visible; each other field only when chosen here.
    """

    user = models.OneToOneField(
        User, verbose_name=_("gebruiker"), on_delete=models.CASCADE, related_name="network_profile"
    )
    findable = models.BooleanField(_("vindbaar"), default=False)
    consent_version = models.CharField(_("versie toestemmingstekst"), max_length=20, blank=True)
    consented_at = models.DateTimeField(_("toestemming gegeven op"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("toestemming ingetrokken op"), null=True, blank=True)
    show_discipline = models.BooleanField(_("toon mijn discipline"), default=True)
    show_job_title = models.BooleanField(_("toon mijn functie"), default=True)
    show_department = models.BooleanField(_("toon mijn afdeling"), default=False)
    show_email = models.BooleanField(_("toon mijn e-mailadres"), default=False)
    phone = models.CharField(
        _("telefoonnummer"),
        max_length=30,
        blank=True,
        validators=[
            RegexValidator(
                r"^\+?[0-9][0-9 ()-]{5,28}$",
                _("Vul een telefoonnummer in met alleen cijfers, spaties, haakjes, - en +."),
            )
        ],
    )
    ask_me_about = models.CharField(_("vraag me over"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("netwerkprofiel")
        verbose_name_plural = _("netwerkprofielen")
        constraints = [
            # Findable only with recorded consent to a known version of the text.
            models.CheckConstraint(
                name="network_findable_has_consent",
                condition=Q(findable=False)
                | (Q(consented_at__isnull=False) & ~Q(consent_version="")),
            ),
        ]

    def __str__(self) -> str:
        return str(self.user)


class NetworkConsentEvent(models.Model):
    """One line of a person's consent history (AVG proof); rows are only ever added.

    ``shown`` lists the fields the person chose to show at that moment.
    """

    class Action(models.TextChoices):
        GIVEN = "given", _("Toestemming gegeven")
        CHANGED = "changed", _("Keuzes gewijzigd")
        REVOKED = "revoked", _("Toestemming ingetrokken")

    user = models.ForeignKey(
        User, verbose_name=_("gebruiker"), on_delete=models.CASCADE, related_name="network_consents"
    )
    action = models.CharField(_("wijziging"), max_length=10, choices=Action.choices)
    consent_version = models.CharField(_("versie toestemmingstekst"), max_length=20)
    shown = models.CharField(_("getoonde gegevens"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("tijdstip"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("netwerktoestemming")
        verbose_name_plural = _("netwerktoestemmingen")

    def __str__(self) -> str:
        return f"{self.user} — {self.get_action_display()}"


# --- Single sign-on per organisation ---------------------------------------------------------


class IdentityProvider(TimeStampedModel):
    """An organisation's own OpenID Connect provider, where its people log in.

    The client secret is stored encrypted (portal.mfa_crypto), like the TOTP secrets.
    allauth reads these rows as its apps through the social account adapter.
    """

    organisation = models.OneToOneField(
        Organisation,
        verbose_name=_("organisatie"),
        on_delete=models.CASCADE,
        related_name="identity_provider",
    )
    issuer = models.URLField(
        _("issuer"),
        max_length=500,
        help_text=_("Het adres van de inlogdienst, zoals https://login.gemeente.nl."),
    )
    client_id = models.CharField(_("client-id"), max_length=255)
    client_secret_encrypted = models.TextField(_("client-secret (versleuteld)"))
    is_active = models.BooleanField(
        _("in gebruik"),
        default=True,
        help_text=_("Uit: iedereen logt in met e-mailadres en wachtwoord."),
    )
    password_login_allowed = models.BooleanField(
        _("inloggen met wachtwoord toegestaan"),
        default=True,
        help_text=_(
            "Uit: mensen met een adres in deze domeinen kunnen alleen via de inlogdienst van de "
            "organisatie inloggen, en geen wachtwoord herstellen."
        ),
    )
    accepted_acr_values = models.TextField(
        _("acr-waarden die als tweestapsverificatie gelden"),
        blank=True,
        help_text=_(
            "Eén per regel. Meldt de inlogdienst een van deze waarden (acr), dan vraagt het "
            "portaal geen eigen code meer."
        ),
    )

    class Meta:
        ordering = ["organisation__name"]
        verbose_name = _("inlogdienst")
        verbose_name_plural = _("inlogdiensten")

    def __str__(self) -> str:
        return f"{self.organisation} — {self.issuer}"

    @staticmethod
    def provider_id_for(organisation_id: int) -> str:
        """The id allauth knows an organisation's provider by, in its callback URL."""
        return f"org-{organisation_id}"

    @property
    def provider_id(self) -> str:
        return self.provider_id_for(self.organisation_id)

    @property
    def accepted_acr_list(self) -> list[str]:
        return [line.strip() for line in self.accepted_acr_values.splitlines() if line.strip()]


class IdentityProviderDomain(TimeStampedModel):
    """An e-mail domain whose people are sent to this identity provider."""

    provider = models.ForeignKey(
        IdentityProvider,
        verbose_name=_("inlogdienst"),
        on_delete=models.CASCADE,
        related_name="domains",
    )
    domain = models.CharField(
        _("domein"), max_length=253, unique=True, validators=[domain_validator]
    )

    class Meta:
        ordering = ["domain"]
        verbose_name = _("domein van een inlogdienst")
        verbose_name_plural = _("domeinen van inlogdiensten")

    def __str__(self) -> str:
        return self.domain


# --- retention: the destruction register ----------------------------------------------------


class DestructionRecord(models.Model):
    """That a retention run destroyed data: when, which kind, how many, under which period.

    Kept for the archive (Archiefwet: what was destroyed, and when). It holds counts and
    kinds only, never content or whose data it was. Append-only: written by the retention
    run, read-only everywhere else. A dry run writes nothing.
    """

    run_at = models.DateTimeField(_("uitgevoerd op"), db_index=True)
    kind = models.CharField(_("soort gegevens"), max_length=50)
    action = models.CharField(_("handeling"), max_length=20)
    count = models.PositiveIntegerField(_("aantal"))
    period = models.PositiveIntegerField(_("bewaartermijn"))
    unit = models.CharField(_("eenheid"), max_length=10)
    cutoff = models.DateTimeField(_("peildatum"))

    class Meta:
        ordering = ["-run_at", "kind"]
        verbose_name = _("vernietiging")
        verbose_name_plural = _("vernietigingsregister")
        constraints = [
            models.CheckConstraint(
                name="destruction_record_counts_something", condition=Q(count__gte=1)
            )
        ]

    def __str__(self) -> str:
        return f"{self.run_at:%Y-%m-%d} {self.kind}: {self.count}"


# --- AVG: requests to erase one's personal data (art. 17) ------------------------------------


class DeletionRequest(TimeStampedModel):
    """A person's request to erase their data; a beheerder decides before ``deadline``.

    The row stays after the decision, as proof that the request was handled: by then its
    requester is a pseudonym (approved) or still the person (declined, with the reason).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("In behandeling")
        APPROVED = "approved", _("Uitgevoerd")
        DECLINED = "declined", _("Afgewezen")

    requester = models.ForeignKey(
        User, verbose_name=_("aanvrager"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("aangevraagd op"), default=timezone.now)
    deadline = models.DateTimeField(_("uiterlijk besluiten op"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        User,
        verbose_name=_("besloten door"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("besloten op"), null=True, blank=True)
    reason = models.TextField(_("reden"), blank=True)
    # Per kind how many records the approval deleted or anonymised (no content).
    erased_counts = models.JSONField(_("verwijderd per soort"), default=dict, blank=True)

    class Meta:
        ordering = ["deadline", "pk"]
        verbose_name = _("verwijderverzoek")
        verbose_name_plural = _("verwijderverzoeken")
        constraints = [
            models.UniqueConstraint(
                fields=["requester"],
                condition=Q(status="pending"),
                name="one_pending_deletion_request",
            ),
            models.CheckConstraint(
                name="decided_deletion_request_is_complete",
                condition=Q(status="pending", decided_at__isnull=True)
                | (~Q(status="pending") & Q(decided_at__isnull=False)),
            ),
            models.CheckConstraint(
                name="declined_deletion_request_has_reason",
                condition=~Q(status="declined") | ~Q(reason=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk} ({self.status})"

    def is_overdue(self, now=None) -> bool:
        return self.status == self.Status.PENDING and self.deadline < (now or timezone.now())


class FiguresSnapshot(TimeStampedModel):
    """Figures a task counted away from the request, for a page that reads them in one query.

    ``key`` names the figures and their scope (``<app>.<figures>:<ids>``); ``figures`` is
    plain JSON the owning app writes and reads. ``requested_at`` keeps a page from queuing
    the same count again while one is on its way.
    """

    key = models.CharField(_("sleutel"), max_length=200, unique=True)
    figures = models.JSONField(_("cijfers"), null=True, blank=True)
    computed_at = models.DateTimeField(_("berekend op"), null=True, blank=True)
    requested_at = models.DateTimeField(_("aangevraagd op"), null=True, blank=True)

    class Meta:
        verbose_name = _("cijfermoment")
        verbose_name_plural = _("cijfermomenten")

    def __str__(self) -> str:
        return self.key
