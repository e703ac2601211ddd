import re
import secrets
from collections.abc import Mapping
from functools import wraps

from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.core import context
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from .adapters import invitation_from_session
from .dates import validate_date_in_range
from .models import Discipline, MailDelivery, NetworkProfile, Organisation, Role, User
from .reminders import ReminderKind
from .selectors import submission_key_redirect
from .services import signup_organisation, submission_key_lock, submission_key_record

# --- the shared form kit -------------------------------------------------------------------

# The browser's own date-and-time picker; the format is the one that input type expects.
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DateTimeField(forms.DateTimeField):
    """A moment from 2000 to ten years ahead (``portal.dates``), with the browser's picker.

    Every date-and-time field of the portal is one of these, so no typo like 0001-01-01
    reaches the database and breaks the pages that read it.
    """

    widget = DATETIME_WIDGET
    default_validators = [validate_date_in_range]

    def to_python(self, value):
        try:
            return super().to_python(value)
        except OverflowError:
            # 0001-01-01 00:00 in Amsterdam lies before the first representable UTC moment.
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class DateField(forms.DateField):
    """A date from 2000 to ten years ahead (``portal.dates``), with the browser's picker."""

    widget = DATE_WIDGET
    default_validators = [validate_date_in_range]


# --- one-time submission: a create form posted twice creates once ---------------------------

SUBMISSION_KEY_FIELD = "submission_key"
_SUBMISSION_KEY_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,64}")


def new_submission_key() -> str:
    return secrets.token_urlsafe(24)


class OneTimeSubmissionMixin:
    """A create form's hidden one-time key; the view wears ``one_time_submission``.

    Rendered with the other hidden fields by crispy; a template that lays out fields by
    hand adds ``{{ form.submission_key }}``. The key never reaches ``cleaned_data``.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[SUBMISSION_KEY_FIELD] = forms.CharField(
            widget=forms.HiddenInput, required=False, initial=new_submission_key
        )

    def full_clean(self):
        super().full_clean()
        if hasattr(self, "cleaned_data"):
            self.cleaned_data.pop(SUBMISSION_KEY_FIELD, None)


def _posted_submission_key(request) -> str:
    """The posted one-time key, also from a form with a prefix (``note-submission_key``)."""
    for name, value in request.POST.items():
        if name == SUBMISSION_KEY_FIELD or name.endswith("-" + SUBMISSION_KEY_FIELD):
            return value
    return ""


def one_time_submission(view):
    """Make a create view's POST idempotent by the form's one-time key.

    While the view handles a POST, the key is locked, so a second request with it waits.
    When the view answers with a redirect (it created something), the key is stored with
    that address; any other answer (a refused form) leaves the key unused. The same key
    posted again creates nothing and is sent to the first answer's address with a message.
    A POST without a well-formed key is handled as before.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        key = _posted_submission_key(request) if request.method == "POST" else ""
        if not request.user.is_authenticated or not _SUBMISSION_KEY_SHAPE.fullmatch(key):
            return view(request, *args, **kwargs)
        with submission_key_lock(user=request.user, key=key):
            earlier = submission_key_redirect(user=request.user, key=key)
            if earlier is not None:
                messages.info(
                    request, _("Dit formulier was al verstuurd; er is niets dubbel opgeslagen.")
                )
                return redirect(earlier)
            response = view(request, *args, **kwargs)
            if response.status_code in (301, 302, 303) and response.has_header("Location"):
                submission_key_record(user=request.user, key=key, redirect_to=response["Location"])
            return response

    return wrapper


class PersonChoiceField(forms.ModelMultipleChoiceField):
    """People to pick, each named with discipline and organisation so namesakes differ."""

    def label_from_instance(self, user: User) -> str:
        parts = [user.get_discipline_display(), str(user.organisation or "")]
        details = ", ".join(p for p in parts if p)
        return f"{user.full_name or user.email} ({details})" if details else str(user)


class SignupForm(AllauthSignupForm):
    full_name = forms.CharField(
        label=_("Naam"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    job_title = forms.CharField(label=_("Functie"), max_length=150, required=False)
    department = forms.CharField(label=_("Afdeling"), max_length=150, required=False)
    discipline = forms.ChoiceField(
        label=_("Discipline"),
        choices=[("", _("— kies je vakgebied —")), *Discipline.choices],
        required=False,
        help_text=_("Gebruikt om werkplaatsgroepen zo gemengd mogelijk samen te stellen."),
    )

    field_order = [
        "email",
        "full_name",
        "job_title",
        "department",
        "discipline",
        "password1",
        "password2",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        invitation = invitation_from_session(context.request)
        if invitation is not None and not self.is_bound:
            self.initial["email"] = invitation.email

    def clean_email(self):
        email = super().clean_email()
        invitation = invitation_from_session(context.request)
        if signup_organisation(email=email, invitation=invitation) is None:
            raise forms.ValidationError(
                _(
                    "Aanmelden kan alleen met een uitnodiging of met een e-mailadres van een "
                    "aangesloten organisatie. Vraag een programmacoördinator om een uitnodiging."
                )
            )
        return email


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "job_title", "department", "discipline"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Opslaan")))


class NetworkProfileForm(forms.ModelForm):
    """A person's own netwerk choices; ticking "vindbaar" is giving consent."""

    class Meta:
        model = NetworkProfile
        fields = [
            "findable",
            "show_discipline",
            "show_job_title",
            "show_department",
            "show_email",
            "phone",
            "ask_me_about",
        ]
        labels = {
            "findable": _("Ja, ik wil vindbaar zijn in het netwerk"),
            "phone": _("Telefoonnummer (optioneel, getoond als je het invult)"),
            "ask_me_about": _("Vraag me over (optioneel)"),
        }
        help_texts = {
            "findable": _(
                "Zet je dit uit, dan trek je je toestemming in en ben je meteen overal onvindbaar."
            ),
            "ask_me_about": _("Bijvoorbeeld: vergunningen horeca, Bibob, vastgoedfraude."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Opslaan")))


class _RowChoiceField(forms.TypedChoiceField):
    """A choice among rows a page read once, checked against their keys (``keys``, as text):
    made into form choices, every row was normalised and copied on each request, and the
    page writes its options itself."""

    keys: frozenset[str] | set[str] = frozenset()

    def valid_value(self, value) -> bool:
        return str(value) in self.keys


class NetworkSearchForm(forms.Form):
    """Who do I know at an organisation, or in a discipline or role?

    The organisations are the ``(pk, name, ...)`` rows the page reads once for its select
    (``selectors.network_organisations``): the choice is checked against them, and
    ``organisatie`` cleans to the chosen pk (None for all), without reading it again.
    """

    organisatie = _RowChoiceField(
        label=_("Organisatie"),
        coerce=int,
        empty_value=None,
        required=False,
        # The wording of a model choice, as before.
        error_messages={
            "invalid_choice": forms.ModelChoiceField.default_error_messages["invalid_choice"]
        },
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    discipline = forms.ChoiceField(
        label=_("Discipline"),
        choices=[("", _("— alle disciplines —")), *Discipline.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    rol = forms.CharField(
        label=_("Functie, afdeling of onderwerp"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "class": "form-control"}),
    )

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisatie"].keys = {str(row[0]) for row in organisations}

    def clean_rol(self):
        return self.cleaned_data["rol"].strip()


class InvitationForm(OneTimeSubmissionMixin, forms.Form):
    email = forms.EmailField(label=_("E-mailadres"))
    organisation = forms.ModelChoiceField(
        label=_("Organisatie"), queryset=Organisation.objects.order_by("name")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Uitnodiging versturen")))


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: per field where it names one, else on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def add_service_error_messages(request, error: ValidationError) -> None:
    """Show a service's ValidationError as messages, for an action that has no form to carry it."""
    for message in error.messages:
        messages.error(request, message)


# --- functional administration (beheer) ----------------------------------------------------


def _with_submit(form: forms.Form, label: str) -> None:
    form.helper = FormHelper()
    form.helper.add_input(Submit("submit", label))


class PersonByEmailField(forms.EmailField):
    """A person named by their e-mail address; scales where a list of everyone would not."""

    default_error_messages = {
        "unknown": _("Er is geen actief account met dit e-mailadres."),
    }

    def __init__(self, *args, people=None, **kwargs):
        self.people = people
        super().__init__(*args, **kwargs)

    def clean(self, value):
        email = super().clean(value)
        if not email:
            return None
        person = None
        if self.people is not None:
            person = self.people.filter(email__iexact=email).first()
        if person is None:
            raise forms.ValidationError(self.error_messages["unknown"], code="unknown")
        return person


class OrganisationForm(OneTimeSubmissionMixin, forms.Form):
    name = forms.CharField(label=_("Naam"), max_length=200)
    kind = forms.ChoiceField(label=_("Soort"), choices=Organisation.Kind.choices)
    parent = forms.ModelChoiceField(
        label=_("Onderdeel van"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("— geen —"),
    )
    domains = forms.CharField(
        label=_("Geregistreerde e-maildomeinen"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Eén domein per regel, zoals voorbeeldstad.nl. Wie een adres in zo'n domein heeft, "
            "kan zichzelf aanmelden. Leeg: alleen op uitnodiging."
        ),
    )
    has_meldpunt = forms.BooleanField(
        label=_("Heeft een meldpunt voor signalen"),
        required=False,
        help_text=_(
            "Signalen gaan naar organisaties met een ondermijningscontactpersoon; wijs die aan "
            "onder Rollen."
        ),
    )

    def __init__(self, *args, organisation: Organisation | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        parents = Organisation.objects.order_by("name")
        if organisation is not None:
            parents = parents.exclude(pk=organisation.pk)
        self.fields["parent"].queryset = parents
        _with_submit(self, _("Opslaan"))

    def clean_domains(self) -> list[str]:
        text = self.cleaned_data["domains"]
        return [part for part in text.replace(",", " ").split() if part]


class ProgrammeForm(OneTimeSubmissionMixin, forms.Form):
    name = forms.CharField(label=_("Naam"), max_length=200)
    description = forms.CharField(
        label=_("Omschrijving"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    is_active = forms.BooleanField(
        label=_("Actief"),
        required=False,
        initial=True,
        help_text=_("Een inactief programma blijft bewaard, maar krijgt geen nieuwe trainingen."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _with_submit(self, _("Opslaan"))


class ProgrammeCoordinatorForm(forms.Form):
    user = PersonByEmailField(
        label=_("E-mailadres van de coördinator"),
        help_text=_(
            "De persoon moet al een account hebben. Wie nog geen programmacoördinator is, "
            "krijgt die rol erbij; dat wordt vastgelegd en per e-mail gemeld."
        ),
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].people = people
        self.helper = FormHelper()
        # Named, so the programme page tells this form's submit from the programme form's.
        self.helper.add_input(Submit("coordinator", _("Coördinator toevoegen")))


class RoleGrantForm(OneTimeSubmissionMixin, forms.Form):
    user = PersonByEmailField(label=_("E-mailadres van de persoon"))
    role = forms.ChoiceField(label=_("Rol"), choices=[("", _("— kies een rol —")), *Role.choices])
    organisation = forms.ModelChoiceField(
        label=_("Organisatie (alleen voor een contactpersoon)"),
        queryset=Organisation.objects.order_by("name"),
        required=False,
        empty_label=_("— geen —"),
        help_text=_("Een ondermijningscontactpersoon behandelt de signalen van deze organisatie."),
    )
    reason = forms.CharField(label=_("Reden (optioneel)"), max_length=500, required=False)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].people = people
        _with_submit(self, _("Rol toekennen"))


class RoleRevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reden (optioneel)"), max_length=500, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Rol intrekken"), css_class="btn-danger"))


# An address list of this size holds thousands of lines; anything bigger is not a list.
BULK_INVITATION_MAX_BYTES = 256 * 1024


class BulkInvitationForm(OneTimeSubmissionMixin, forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisatie"), queryset=Organisation.objects.order_by("name")
    )
    addresses = forms.CharField(
        label=_("E-mailadressen"),
        required=False,
        max_length=BULK_INVITATION_MAX_BYTES,
        error_messages={
            "max_length": _(
                "Deze lijst is te lang (maximaal %(limit_value)d tekens, nu %(show_value)d). "
                "Nodig de mensen in delen uit."
            )
        },
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Eén e-mailadres per regel."),
    )
    file = forms.FileField(
        label=_("Of een bestand (.txt of .csv)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,.csv,text/plain,text/csv"}),
        help_text=_("Per regel één e-mailadres; in een CSV-bestand de kolom met het @-teken."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _with_submit(self, _("Uitnodigingen versturen"))

    def clean_file(self) -> str:
        upload = self.cleaned_data.get("file")
        if not upload:
            return ""
        if not upload.name.lower().endswith((".txt", ".csv")):
            raise forms.ValidationError(_("Kies een .txt- of .csv-bestand."))
        if upload.size > BULK_INVITATION_MAX_BYTES:
            raise forms.ValidationError(_("Het bestand is te groot (maximaal 256 kB)."))
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                _("Het bestand is geen tekstbestand in UTF-8; sla het op als CSV UTF-8.")
            ) from None

    def clean(self):
        cleaned = super().clean()
        pasted, uploaded = cleaned.get("addresses", ""), cleaned.get("file", "")
        # One source at a time, so the line numbers in the errors are the file's or the paste's.
        if pasted.strip() and uploaded:
            self.add_error(None, _("Plak de adressen óf kies een bestand, niet allebei."))
        elif not pasted.strip() and not uploaded and not self.errors:
            self.add_error("addresses", _("Plak e-mailadressen of kies een bestand."))
        cleaned["text"] = uploaded or pasted
        return cleaned


class MailPreferencesForm(forms.Form):
    """Per kind of mail: at once or in the daily digest, each a radio group of its own."""

    def __init__(self, *args, kinds: Mapping[str, ReminderKind], **kwargs):
        super().__init__(*args, **kwargs)
        for name, kind in sorted(kinds.items(), key=lambda item: str(item[1].label)):
            self.fields[name] = forms.ChoiceField(
                label=kind.label,
                choices=MailDelivery.choices,
                initial=MailDelivery.AT_ONCE,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
            )


# --- AVG: requests to erase one's data -------------------------------------------------------


class DeletionRequestForm(forms.Form):
    confirm = forms.BooleanField(
        label=_(
            "Ik begrijp dat mijn account wordt opgeheven en mijn gegevens worden verwijderd "
            "als een beheerder het verzoek goedkeurt. Dat kan niet ongedaan worden gemaakt."
        ),
        error_messages={"required": _("Vink aan dat je dit begrijpt om het verzoek te sturen.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(
            Submit("submit", _("Verzoek om verwijdering sturen"), css_class="btn-danger")
        )


class DeletionDecisionForm(forms.Form):
    APPROVE = "approve"
    DECLINE = "decline"

    decision = forms.ChoiceField(
        label=_("Besluit"),
        widget=forms.RadioSelect,
        choices=[
            (APPROVE, _("Goedkeuren: gegevens nu verwijderen of anonimiseren")),
            (DECLINE, _("Afwijzen")),
        ],
        error_messages={"required": _("Kies goedkeuren of afwijzen.")},
    )
    reason = forms.CharField(
        label=_("Reden (verplicht bij afwijzen; de aanvrager krijgt die te lezen)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Besluit vastleggen")))

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.DECLINE and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Geef een reden: de aanvrager krijgt die te lezen."))
        return data
