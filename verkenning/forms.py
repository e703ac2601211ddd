"""Forms bind and check input; the services decide."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.forms import DateField, DateTimeField, OneTimeSubmissionMixin, PersonChoiceField
from portal.models import Organisation, Programme, Role, User
from portal.selectors import active_trainers
from trainings.models import TrainingFormat

from .models import (
    MAX_WEEKS_BETWEEN_SESSIONS,
    MAX_WERKPLAATS_SESSIONS,
    Acquaintance,
    Contact,
    ContactStatus,
    ObservationKind,
    Question,
    SharedGoal,
    Theme,
    Verkenning,
    VerkenningStatus,
)
from .selectors import ListFilters
from .services import InterviewInput, NewContactInput, ObservationInput

TEXTAREA = forms.Textarea(attrs={"rows": 3})
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

# Blank rows for people named in an interview: enough for a conversation, no script needed.
NEW_CONTACT_ROWS = 3
OBSERVATION_ROWS = 3


class VerkenningListForm(forms.Form):
    """The list's search and status filter, read from the query string."""

    q = forms.CharField(label=_("Zoeken op titel of organisatie"), max_length=100, required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Elke status")), *VerkenningStatus.choices],
        required=False,
    )

    def filters(self) -> ListFilters:
        if not self.is_valid():
            return ListFilters()
        return ListFilters(
            query=self.cleaned_data["q"].replace("\x00", "").strip(),
            status=self.cleaned_data["status"],
        )


class VerkenningCreateForm(OneTimeSubmissionMixin, forms.Form):
    programme = forms.ModelChoiceField(
        label=_("Programma"), queryset=Programme.objects.filter(is_active=True)
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisatie"),
        queryset=Organisation.objects.order_by("name"),
        help_text=_("Bijvoorbeeld het sociaal domein van een gemeente."),
    )
    title = forms.CharField(label=_("Titel"), max_length=200)
    purpose = forms.CharField(label=_("Doel"), required=False, widget=TEXTAREA)


def verkenner_choices(verkenning: Verkenning):
    """Coordinators and trainers, plus whoever is verkenner already."""
    return (
        User.objects.filter(
            Q(
                role_assignments__role__in=[Role.COORDINATOR, Role.TRAINER],
                is_active=True,
            )
            | Q(verkenningen=verkenning)
        )
        .distinct()
        .order_by("full_name")
    )


class VerkenningForm(forms.Form):
    title = forms.CharField(label=_("Titel"), max_length=200)
    purpose = forms.CharField(label=_("Doel"), required=False, widget=TEXTAREA)
    organisation = forms.ModelChoiceField(
        label=_("Organisatie"), queryset=Organisation.objects.order_by("name")
    )
    status = forms.ChoiceField(label=_("Status"), choices=VerkenningStatus.choices)
    verkenners = forms.ModelMultipleChoiceField(
        label=_("Verkenners"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    departments = forms.CharField(
        label=_("Om welke afdelingen gaat het?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Eén afdeling per regel."),
    )
    professionals = forms.CharField(
        label=_("Welke professionals?"), required=False, widget=TEXTAREA
    )
    managers = forms.CharField(label=_("Welke leidinggevenden?"), required=False, widget=TEXTAREA)
    policy_staff = forms.CharField(
        label=_("Welke beleidsmedewerkers?"), required=False, widget=TEXTAREA
    )
    acquaintance = forms.ChoiceField(
        label=_("Hebben de afdelingen met elkaar te maken of kennen ze elkaar nauwelijks?"),
        choices=Acquaintance.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    shared_goal = forms.ChoiceField(
        label=_("Kennen ze het gezamenlijke doel of moeten ze dat nog formuleren?"),
        choices=SharedGoal.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    existing_knowledge = forms.CharField(
        label=_("Welke kennis is al aanwezig?"), required=False, widget=TEXTAREA
    )

    def __init__(self, *args, verkenning: Verkenning, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["verkenners"].queryset = verkenner_choices(verkenning)

    def clean_departments(self) -> list[str]:
        return self.cleaned_data["departments"].splitlines()


class ThemeForm(OneTimeSubmissionMixin, forms.Form):
    name = forms.CharField(label=_("Nieuw thema"), max_length=100)
    name_en = forms.CharField(
        label=_("Naam in het Engels (optioneel)"),
        max_length=100,
        required=False,
        help_text=_("Wie het portaal in het Engels gebruikt, ziet deze naam."),
    )


class ContactForm(OneTimeSubmissionMixin, forms.Form):
    name = forms.CharField(label=_("Naam"), max_length=150)
    organisation_name = forms.CharField(label=_("Organisatie"), max_length=200, required=False)
    department = forms.CharField(label=_("Afdeling"), max_length=150, required=False)
    role = forms.CharField(label=_("Functie of rol"), max_length=150, required=False)
    referred_by = forms.ModelChoiceField(
        label=_("Doorverwezen door"),
        queryset=Contact.objects.none(),
        required=False,
        empty_label=_("— niemand (eerste contact) —"),
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=ContactStatus.choices, initial=ContactStatus.TO_APPROACH
    )

    def __init__(self, *args, verkenning: Verkenning, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referred_by"].queryset = verkenning.contacts.order_by("name")


class InterviewForm(OneTimeSubmissionMixin, forms.Form):
    """The interview itself, with one notes field per question of the bank."""

    contact = forms.ModelChoiceField(label=_("Gesprekspartner"), queryset=Contact.objects.none())
    held_on = DateField(label=_("Datum"), widget=DATE_WIDGET)
    duration_minutes = forms.IntegerField(
        label=_("Tijdsbesteding (minuten)"),
        min_value=1,
        max_value=1440,
        help_text=_("Inclusief voorbereiding en uitwerking."),
        error_messages={
            "min_value": _("Een gesprek duurt minstens één minuut."),
            "max_value": _("Een gesprek duurt hooguit een etmaal (1440 minuten)."),
        },
    )
    notes = forms.CharField(label=_("Algemene aantekeningen"), required=False, widget=TEXTAREA)

    def __init__(self, *args, verkenning: Verkenning, questions: list[Question], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = verkenning.contacts.order_by("name")
        self.questions = questions
        for question in questions:
            self.fields[self.answer_field(question)] = forms.CharField(
                label=str(question),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    @staticmethod
    def answer_field(question: Question) -> str:
        return f"vraag_{question.pk}"

    def question_fields(self):
        return [(q, self[self.answer_field(q)]) for q in self.questions]

    def general_fields(self):
        return [self[name] for name in ("contact", "held_on", "duration_minutes", "notes")]


class ObservationForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Soort"),
        choices=[("", _("— kies —")), *ObservationKind.choices],
        required=False,
    )
    text = forms.CharField(
        label=_("Observatie"), required=False, widget=forms.Textarea({"rows": 2})
    )
    themes = forms.ModelMultipleChoiceField(
        label=_("Thema's"),
        queryset=Theme.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    include_as_quote = forms.BooleanField(
        label=_("Letterlijk als citaat opnemen in de export"), required=False
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("text", "").strip() and not cleaned.get("kind"):
            self.add_error("kind", _("Kies energie, hindernis of weerstand."))
        if cleaned.get("kind") and not cleaned.get("text", "").strip():
            self.add_error("text", _("Beschrijf wat je opviel."))
        return cleaned


class NewContactForm(forms.Form):
    name = forms.CharField(label=_("Naam"), max_length=150, required=False)
    organisation_name = forms.CharField(label=_("Organisatie"), max_length=200, required=False)
    department = forms.CharField(label=_("Afdeling"), max_length=150, required=False)
    role = forms.CharField(label=_("Functie of rol"), max_length=150, required=False)

    def clean(self):
        cleaned = super().clean()
        others = any(
            cleaned.get(f, "").strip() for f in ("organisation_name", "department", "role")
        )
        if others and not cleaned.get("name", "").strip():
            self.add_error("name", _("Vul de naam in van wie genoemd werd."))
        return cleaned


ObservationFormSet = forms.formset_factory(ObservationForm, extra=OBSERVATION_ROWS)
NewContactFormSet = forms.formset_factory(NewContactForm, extra=NEW_CONTACT_ROWS)


def interview_input(
    form: InterviewForm, observations: ObservationFormSet, new_contacts: NewContactFormSet
) -> InterviewInput:
    """The service's input from the three valid parts of the interview page."""
    data = form.cleaned_data
    return InterviewInput(
        contact=data["contact"],
        held_on=data["held_on"],
        duration_minutes=data["duration_minutes"],
        notes=data["notes"],
        answers={q: data[form.answer_field(q)] for q in form.questions},
        observations=[
            ObservationInput(
                kind=o["kind"],
                text=o["text"],
                themes=list(o["themes"]),
                include_as_quote=o["include_as_quote"],
            )
            for o in (f.cleaned_data for f in observations)
            if o.get("text", "").strip()
        ],
        new_contacts=[
            NewContactInput(
                name=c["name"],
                organisation_name=c["organisation_name"],
                department=c["department"],
                role=c["role"],
            )
            for c in (f.cleaned_data for f in new_contacts)
            if c.get("name", "").strip()
        ],
    )


class TrainingDesignForm(forms.Form):
    title = forms.CharField(label=_("Titel van de training"), max_length=200)
    description = forms.CharField(label=_("Omschrijving"), widget=forms.Textarea(attrs={"rows": 4}))
    themes = forms.ModelMultipleChoiceField(
        label=_("Gekozen thema's"),
        queryset=Theme.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    format = forms.ChoiceField(label=_("Vorm"), choices=TrainingFormat.choices)
    content_goals = forms.CharField(
        label=_("Vakinhoudelijke leerdoelen"), required=False, widget=TEXTAREA
    )
    personal_goals = forms.CharField(
        label=_("Persoonlijke leerdoelen"), required=False, widget=TEXTAREA
    )
    target_groups = forms.CharField(label=_("Doelgroepen"), required=False, widget=TEXTAREA)
    trainers_needed = forms.CharField(
        label=_("Wie hebben we nodig als trainer of begeleider?"),
        required=False,
        widget=TEXTAREA,
    )
    trainers = PersonChoiceField(
        label=_("Trainers en begeleiders met een account"),
        queryset=active_trainers(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Zij worden begeleider als je de opzet omzet in een werkplaats."),
    )
    manager_approval = forms.BooleanField(
        label=_("Leidinggevenden hebben toestemming gegeven"), required=False
    )
    budget = forms.DecimalField(
        label=_("Budget (euro)"), required=False, min_value=0, max_digits=9, decimal_places=2
    )
    planning = forms.CharField(label=_("Planning"), required=False, widget=TEXTAREA)
    practicalities = forms.CharField(
        label=_("Praktische zaken (ruimtes, werving)"), required=False, widget=TEXTAREA
    )
    provider = forms.ModelChoiceField(
        label=_("Aanbiedende organisatie"), queryset=Organisation.objects.order_by("name")
    )
    capacity = forms.IntegerField(label=_("Aantal plaatsen"), min_value=1, max_value=500)
    location = forms.CharField(label=_("Locatie of zaal"), max_length=200, required=False)
    first_session_starts_at = DateTimeField(label=_("Eerste bijeenkomst begint om"), required=False)
    first_session_ends_at = DateTimeField(label=_("Eerste bijeenkomst eindigt om"), required=False)
    werkplaats_session_count = forms.IntegerField(
        label=_("Aantal sessies (werkplaats)"),
        min_value=1,
        max_value=MAX_WERKPLAATS_SESSIONS,
        initial=3,
        help_text=_("De eerste bijeenkomst is de eerste sessie."),
    )
    werkplaats_weeks_between_sessions = forms.IntegerField(
        label=_("Weken tussen de sessies (werkplaats)"),
        min_value=1,
        max_value=MAX_WEEKS_BETWEEN_SESSIONS,
        initial=4,
        help_text=_("Tijd om tussen de sessies in de praktijk te oefenen."),
    )

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("first_session_starts_at"), cleaned.get("first_session_ends_at")
        if starts and ends and ends <= starts:
            self.add_error("first_session_ends_at", _("De bijeenkomst moet eindigen ná het begin."))
        return cleaned
