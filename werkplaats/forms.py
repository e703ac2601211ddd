"""Forms bind and check input; the services decide."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from portal.forms import DateField, DateTimeField, OneTimeSubmissionMixin, PersonChoiceField
from portal.models import Organisation, Programme, User
from portal.selectors import active_trainers

from .models import ActionStatus, Group, PairingRule, Participation, SessionLength
from .selectors import ListFilters

# What separates addresses in pasted text: "a@b.nl", "Naam <a@b.nl>; c@d.nl", one a line.
_ADDRESS_SEPARATORS = str.maketrans(dict.fromkeys("<>,;\"'()", " "))
# 200 addresses with their names fit many times over; more is not a list of participants.
PARTICIPANTS_TEXT_MAX_LENGTH = 20_000


def addresses_in_text(text: str) -> list[str]:
    """Every word with an @ in pasted text, lower-cased, in order and without repeats.

    One pass to replace separators and one to split: linear in the length of the text,
    with no pattern that could backtrack.
    """
    words = text.translate(_ADDRESS_SEPARATORS).split()
    return list(dict.fromkeys(word.lower() for word in words if "@" in word))


class WerkplaatsListForm(forms.Form):
    """The list's search, read from the query string."""

    q = forms.CharField(label=_("Zoeken op thema of organisatie"), max_length=100, required=False)

    def filters(self) -> ListFilters:
        if not self.is_valid():
            return ListFilters()
        return ListFilters(query=self.cleaned_data["q"].replace("\x00", "").strip())


class WerkplaatsForm(OneTimeSubmissionMixin, forms.Form):
    title = forms.CharField(
        label=_("Thema"),
        max_length=200,
        help_text=_("Bijvoorbeeld: Domeinoverstijgend samenwerken — Gemeente X"),
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisatie"), queryset=Organisation.objects.order_by("name")
    )
    programme = forms.ModelChoiceField(
        label=_("Programma"),
        queryset=Programme.objects.filter(is_active=True).order_by("name"),
        required=False,
        help_text=_("De coördinatoren van het programma kunnen de werkplaats mee beheren."),
    )
    description = forms.CharField(
        label=_("Omschrijving"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    facilitators = PersonChoiceField(
        label=_("Begeleiders"),
        queryset=active_trainers(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


def _is_email(address: str) -> bool:
    try:
        validate_email(address)
    except ValidationError:
        return False
    return True


class ParticipantsAddForm(forms.Form):
    """People by e-mail address: pasted from a mail or a list, so no select of every account."""

    MAX_ADDRESSES = 200

    emails = forms.CharField(
        label=_("E-mailadressen"),
        max_length=PARTICIPANTS_TEXT_MAX_LENGTH,
        error_messages={
            "max_length": _(
                "Deze tekst is te lang (maximaal %(limit_value)d tekens, nu %(show_value)d). "
                "Voeg de mensen in delen toe."
            )
        },
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Eén of meer adressen, per regel of gescheiden door komma's of puntkomma's. "
            "Geplakt uit een e-mail, met de namen erbij, mag ook."
        ),
    )

    def clean_emails(self) -> list[str]:
        addresses = addresses_in_text(self.cleaned_data["emails"])
        if not addresses:
            raise forms.ValidationError(_("Geen e-mailadres gevonden."))
        invalid = [address for address in addresses if not _is_email(address)]
        if invalid:
            raise forms.ValidationError(
                _("Geen geldig e-mailadres: %(addresses)s.") % {"addresses": ", ".join(invalid)}
            )
        if len(addresses) > self.MAX_ADDRESSES:
            raise forms.ValidationError(
                _("Voeg hoogstens %(max)s mensen tegelijk toe.") % {"max": self.MAX_ADDRESSES}
            )
        return addresses

    def clean(self):
        cleaned = super().clean()
        addresses = cleaned.get("emails")
        if addresses:
            users = list(
                User.objects.annotate(address=Lower("email")).filter(
                    address__in=addresses, is_active=True
                )
            )
            unknown = sorted(set(addresses) - {user.address for user in users})
            if unknown:
                self.add_error(
                    "emails",
                    _("Geen account in het portaal voor: %(addresses)s. Nodig hen eerst uit.")
                    % {"addresses": ", ".join(unknown)},
                )
            cleaned["users"] = users
        return cleaned


class PairingRuleForm(forms.Form):
    first = forms.ModelChoiceField(label=_("Deelnemer"), queryset=Participation.objects.none())
    kind = forms.ChoiceField(label=_("Afspraak"), choices=PairingRule.Kind.choices)
    second = forms.ModelChoiceField(label=_("En deelnemer"), queryset=Participation.objects.none())

    def __init__(self, *args, werkplaats, **kwargs):
        super().__init__(*args, **kwargs)
        people = Participation.objects.filter(werkplaats=werkplaats).select_related("user")
        self.fields["first"].queryset = people
        self.fields["second"].queryset = people


class MoveForm(forms.Form):
    """Move one person by hand: a plain form, no JavaScript needed."""

    participation = forms.ModelChoiceField(
        label=_("Deelnemer"), queryset=Participation.objects.none()
    )
    group = forms.ModelChoiceField(label=_("Naar groep"), queryset=Group.objects.none())

    def __init__(self, *args, werkplaats, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participation"].queryset = Participation.objects.filter(
            werkplaats=werkplaats
        ).select_related("user", "group")
        self.fields["participation"].label_from_instance = _person_label
        self.fields["group"].queryset = Group.objects.filter(werkplaats=werkplaats)

    def offer(self, *, people: list[Participation], groups: list[Group]) -> None:
        """Options from the people and groups the page already read, without another
        query; the querysets above still check what is posted."""
        self.fields["participation"].choices = [
            ("", self.fields["participation"].empty_label),
            *((p.pk, _person_label(p)) for p in people),
        ]
        self.fields["group"].choices = [
            ("", self.fields["group"].empty_label),
            *((g.pk, str(g)) for g in groups),
        ]


def _person_label(participation: Participation) -> str:
    if participation.group_id:
        return f"{participation.user} ({participation.group})"
    return str(participation.user)


class SessionForm(OneTimeSubmissionMixin, forms.Form):
    length = forms.ChoiceField(label=_("Duur"), choices=SessionLength.choices)
    starts_at = DateTimeField(label=_("Begint om"))
    ends_at = DateTimeField(label=_("Eindigt om"))
    location = forms.CharField(label=_("Locatie"), max_length=200)
    aim_bewustwording = forms.CharField(
        label=_("Bewustwording: welke verschillende visies zijn er op ondermijning?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    aim_inzicht = forms.CharField(
        label=_("Inzicht: welke overtuigingen en drijfveren sturen mij? En anderen?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    aim_helicopterview = forms.CharField(
        label=_("Helicopterview: welke belangen en drijfveren zijn gemeenschappelijk?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    aim_vaardigheid = forms.CharField(
        label=_("Vaardigheid: welke technieken oefenen we?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PracticeLogForm(forms.Form):
    tried = forms.CharField(
        label=_("Wat heb ik geprobeerd?"), widget=forms.Textarea(attrs={"rows": 4})
    )
    happened = forms.CharField(
        label=_("Wat gebeurde er?"), widget=forms.Textarea(attrs={"rows": 4})
    )
    bring_next = forms.CharField(
        label=_("Wat breng ik de volgende keer in?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Een situatieschets om in je groep te bespreken."),
    )


class CaseSketchForm(OneTimeSubmissionMixin, forms.Form):
    title = forms.CharField(label=_("Titel"), max_length=200)
    situation = forms.CharField(label=_("Situatieschets"), widget=forms.Textarea(attrs={"rows": 5}))


class CaseSketchFollowUpForm(forms.Form):
    discussion = forms.CharField(
        label=_("Besproken in de groep"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    follow_up = forms.CharField(
        label=_("Afgesproken vervolg"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class RugdekkingRequestForm(OneTimeSubmissionMixin, forms.Form):
    manager_name = forms.CharField(label=_("Naam leidinggevende"), max_length=150)
    manager_email = forms.EmailField(label=_("E-mailadres leidinggevende"))
    point = forms.CharField(
        label=_("Waarvoor vraag je rugdekking?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Beschrijf een concreet punt, zodat je leidinggevende ja of nee kan zeggen."),
    )


class OrganisationalActionForm(OneTimeSubmissionMixin, forms.Form):
    title = forms.CharField(
        label=_("Actie"),
        max_length=200,
        help_text=_("Bijvoorbeeld: een Meldpunt Ondermijning inrichten."),
    )
    owner = forms.CharField(label=_("Eigenaar"), max_length=150)
    due_date = DateField(
        label=_("Uiterlijk op"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)
    notes = forms.CharField(
        label=_("Toelichting"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
