"""Forms bind and check input; the services decide."""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.dates import EARLIEST_DATE, YEARS_AHEAD
from portal.forms import DateField, DateTimeField, OneTimeSubmissionMixin, new_submission_key
from portal.models import Discipline, Organisation, Programme
from portal.selectors import active_trainers

from . import codes
from . import programme_stats as stats
from .completion import DEFAULT_MIN_ATTENDANCE_PERCENT
from .models import (
    DEFINITION_MAX_LENGTH,
    EXAMPLE_MAX_LENGTH,
    AwarenessStep,
    DevelopmentPlan,
    Element,
    ExampleTheme,
    IdeaForm,
    IdeaStatus,
    LibraryTheme,
    MailingAudience,
    QuestionKind,
    Reflection,
    ResourceKind,
    TrainingFormat,
)
from .selectors import CatalogueFilters, LibraryFilters, training_providers


class TrainingForm(OneTimeSubmissionMixin, forms.Form):
    programme = forms.ModelChoiceField(label=_("Programma"), queryset=Programme.objects.none())
    title = forms.CharField(label=_("Titel"), max_length=200)
    description = forms.CharField(label=_("Omschrijving"), widget=forms.Textarea(attrs={"rows": 5}))
    provider = forms.ModelChoiceField(
        label=_("Aanbiedende organisatie"), queryset=Organisation.objects.order_by("name")
    )
    format = forms.ChoiceField(label=_("Vorm"), choices=TrainingFormat.choices)
    content_goals = forms.CharField(
        label=_("Vakinhoudelijke leerdoelen"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    personal_goals = forms.CharField(
        label=_("Persoonlijke leerdoelen"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    audience_organisations = forms.ModelMultipleChoiceField(
        label=_("Voor medewerkers van"),
        queryset=Organisation.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Niets aangevinkt: medewerkers van alle partners behalve de aanbieder."),
    )
    audience_disciplines = forms.MultipleChoiceField(
        label=_("Voor disciplines"),
        choices=Discipline.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Niets aangevinkt: alle disciplines."),
    )
    default_capacity = forms.IntegerField(
        label=_("Standaard aantal plaatsen"), min_value=1, max_value=500, initial=20
    )
    min_attendance_percent = forms.IntegerField(
        label=_("Minimale aanwezigheid voor het certificaat (%)"),
        min_value=0,
        max_value=100,
        required=False,
        initial=DEFAULT_MIN_ATTENDANCE_PERCENT,
        help_text=_(
            "Het deel van de bijeenkomsten (zonder vervallen bijeenkomsten) dat een deelnemer "
            "bijwoont. Afgemeld met reden telt niet als aanwezig. Leeg: 80."
        ),
    )
    end_review_required = forms.BooleanField(
        label=_("Eindreflectie verplicht voor het certificaat"),
        required=False,
        initial=True,
        help_text=_("„Wat heb ik geleerd?” in het ontwikkelplan moet ingevuld zijn."),
    )
    requires_manager_approval = forms.BooleanField(
        label=_("Akkoord van de leidinggevende nodig"),
        required=False,
        help_text=_(
            "Een inschrijving telt pas als de leidinggevende via een link in de e-mail akkoord "
            "geeft; tot dan krijgt de deelnemer geen plaats en geen plek op de wachtlijst."
        ),
    )

    def __init__(self, *args, programmes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes

    def clean_min_attendance_percent(self) -> int:
        value = self.cleaned_data["min_attendance_percent"]
        return DEFAULT_MIN_ATTENDANCE_PERCENT if value is None else value


class RunForm(OneTimeSubmissionMixin, forms.Form):
    capacity = forms.IntegerField(label=_("Aantal plaatsen"), min_value=1, max_value=500)
    enrolment_opens_at = DateTimeField(label=_("Inschrijving open vanaf"))
    enrolment_closes_at = DateTimeField(label=_("Inschrijving sluit op"))
    location = forms.CharField(label=_("Locatie"), max_length=200)
    trainers = forms.ModelMultipleChoiceField(
        label=_("Trainers"),
        queryset=active_trainers(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, creating: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.creating = creating
        if creating:
            # A new run has no sessions yet: the window follows the first session unless set.
            opens, closes = self.fields["enrolment_opens_at"], self.fields["enrolment_closes_at"]
            opens.required = closes.required = False
            opens.help_text = _("Leeg: vanaf nu.")
            closes.help_text = _(
                "Leeg: twee werkdagen vóór de eerste bijeenkomst, op hetzelfde tijdstip."
            )
            self.fields["first_starts_at"] = DateTimeField(
                label=_("Eerste bijeenkomst begint om"),
                required=False,
                help_text=_(
                    "Nodig als je de sluiting van de inschrijving leeg laat. Meer bijeenkomsten "
                    "voeg je daarna toe."
                ),
            )
            self.fields["first_ends_at"] = DateTimeField(
                label=_("Eerste bijeenkomst eindigt om"), required=False
            )

    def clean(self):
        cleaned = super().clean()
        opens, closes = cleaned.get("enrolment_opens_at"), cleaned.get("enrolment_closes_at")
        if opens and closes and closes <= opens:
            self.add_error(
                "enrolment_closes_at", _("De inschrijving moet sluiten ná het moment van openen.")
            )
        if self.creating:
            starts_at, ends_at = (
                cleaned.pop("first_starts_at", None),
                cleaned.pop("first_ends_at", None),
            )
            if bool(starts_at) != bool(ends_at):
                self.add_error(
                    "first_ends_at" if starts_at else "first_starts_at",
                    _("Vul begin én einde van de eerste bijeenkomst in, of allebei niet."),
                )
            elif starts_at and ends_at <= starts_at:
                self.add_error("first_ends_at", _("Het einde ligt vóór of op het begin."))
            cleaned["sessions"] = [(starts_at, ends_at)] if starts_at and ends_at else []
        return cleaned


class SessionForm(OneTimeSubmissionMixin, forms.Form):
    title = forms.CharField(label=_("Titel (optioneel)"), max_length=200, required=False)
    starts_at = DateTimeField(label=_("Begint om"))
    ends_at = DateTimeField(label=_("Eindigt om"))
    location = forms.CharField(
        label=_("Zaal of locatie"),
        max_length=200,
        required=False,
        help_text=_("Leeg: die van de uitvoering."),
    )

    def clean(self):
        cleaned = super().clean()
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", _("Het einde ligt vóór of op het begin."))
        return cleaned


class RunCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reden van annulering"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Iedereen die ingeschreven is of op de wachtlijst staat, krijgt dit te lezen."),
    )


class MaterialForm(OneTimeSubmissionMixin, forms.Form):
    title = forms.CharField(label=_("Titel"), max_length=200)
    file = forms.FileField(label=_("Bestand"), required=False)
    url = forms.URLField(label=_("Of een link"), required=False, assume_scheme="https")

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("file")) == bool(cleaned.get("url")):
            raise ValidationError(_("Kies een bestand óf een link."))
        return cleaned


class ManagerForm(forms.Form):
    """Whom to ask for approval, for a training that requires the manager's approval."""

    manager_name = forms.CharField(label=_("Naam leidinggevende"), max_length=150)
    manager_email = forms.EmailField(
        label=_("E-mailadres leidinggevende"),
        help_text=_("Je leidinggevende krijgt een link om akkoord te geven; geen account nodig."),
    )


class RunMailingForm(OneTimeSubmissionMixin, forms.Form):
    audience = forms.ChoiceField(
        label=_("Aan"), choices=MailingAudience.choices, widget=forms.RadioSelect
    )
    subject = forms.CharField(label=_("Onderwerp"), max_length=200)
    body = forms.CharField(
        label=_("Bericht"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "Invulplekken: {voornaam}, {naam}, {training}, {datum}, {locatie} en {link}; ze "
            "worden per ontvanger ingevuld."
        ),
    )


class TeamEnrolmentForm(OneTimeSubmissionMixin, forms.Form):
    addresses = forms.CharField(
        label=_("E-mailadressen"),
        widget=forms.Textarea(attrs={"rows": 8, "autocomplete": "off", "spellcheck": "false"}),
        max_length=20000,
        help_text=_(
            "Eén per regel, of gescheiden door komma's of puntkomma's. Hoofdletters en dubbele "
            "adressen maken niet uit."
        ),
    )


class CatalogueFilterForm(forms.Form):
    """The catalogue's filters, read from the query string."""

    aanbieder = forms.ModelChoiceField(
        label=_("Aanbiedende organisatie"),
        queryset=training_providers(),
        required=False,
        empty_label=_("Alle organisaties"),
    )
    vorm = forms.ChoiceField(
        label=_("Vorm"),
        choices=[("", _("Alle vormen")), *TrainingFormat.choices],
        required=False,
    )
    van = DateField(
        label=_("Vanaf"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    tot = DateField(
        label=_("Tot en met"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    plaatsen = forms.BooleanField(label=_("Alleen met vrije plaatsen"), required=False)
    alles = forms.BooleanField(
        label=_("Ook trainingen die niet voor mijn organisatie bedoeld zijn"), required=False
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("van") and cleaned.get("tot") and cleaned["tot"] < cleaned["van"]:
            raise ValidationError(_("De einddatum ligt vóór de begindatum."))
        return cleaned

    def filters(self) -> CatalogueFilters:
        data = self.cleaned_data if self.is_valid() else {}
        organisation = data.get("aanbieder")
        return CatalogueFilters(
            organisation_id=organisation.pk if organisation else None,
            format=data.get("vorm") or "",
            date_from=data.get("van"),
            date_to=data.get("tot"),
            places_left=bool(data.get("plaatsen")),
            for_me=not data.get("alles"),
        )


class DashboardPeriodForm(forms.Form):
    """The programme dashboard's period, read from the query string: a year, a quarter of
    it, or a custom range (which wins when both its dates are given)."""

    jaar = forms.TypedChoiceField(label=_("Jaar"), coerce=int)
    kwartaal = forms.TypedChoiceField(
        label=_("Kwartaal"),
        coerce=int,
        required=False,
        empty_value=None,
        choices=[
            ("", _("Heel het jaar")),
            (1, _("1e kwartaal")),
            (2, _("2e kwartaal")),
            (3, _("3e kwartaal")),
            (4, _("4e kwartaal")),
        ],
    )
    van = DateField(label=_("Of zelf kiezen: vanaf"), required=False)
    tot = DateField(label=_("Tot en met"), required=False)

    def __init__(self, data=None, *, today: date):
        if not data:
            data = {"jaar": today.year}
        elif "jaar" not in data:
            # A custom range alone needs no year.
            data = data.copy()
            data["jaar"] = str(today.year)
        super().__init__(data)
        years = range(EARLIEST_DATE.year, today.year + YEARS_AHEAD + 1)
        self.fields["jaar"].choices = [(year, str(year)) for year in reversed(years)]

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("van"), cleaned.get("tot")
        if bool(first) != bool(last) and not self.errors:
            raise ValidationError(
                _("Vul voor een eigen periode zowel de begin- als de einddatum in.")
            )
        if first and last and last < first:
            raise ValidationError(_("De einddatum ligt vóór de begindatum."))
        return cleaned

    def period(self) -> stats.Period:
        """The chosen period; call only when the form is valid."""
        data = self.cleaned_data
        if data.get("van") and data.get("tot"):
            return stats.custom_period(data["van"], data["tot"])
        if data.get("kwartaal"):
            return stats.quarter_period(data["jaar"], data["kwartaal"])
        return stats.year_period(data["jaar"])


class DevelopmentPlanForm(forms.ModelForm):
    class Meta:
        model = DevelopmentPlan
        fields = ["content_goals", "personal_goals", "learned", "embedding", "needs"]
        widgets = {field: forms.Textarea(attrs={"rows": 4}) for field in fields}
        help_texts = {
            "content_goals": _("Bij de start: welke kennis wil je opdoen?"),
            "personal_goals": _("Bij de start: welke vaardigheid of houding wil je ontwikkelen?"),
            "learned": _("Aan het eind: kijk terug op je doelen."),
            "embedding": _("Aan het eind: wat doe je anders, en hoe houd je dat vast?"),
            "needs": _("Aan het eind: kennis, middelen, mensen of rugdekking."),
        }


class ReflectionForm(forms.ModelForm):
    class Meta:
        model = Reflection
        fields = ["struck_me", "will_apply"]
        widgets = {
            "struck_me": forms.Textarea(attrs={"rows": 4}),
            "will_apply": forms.Textarea(attrs={"rows": 4}),
        }


class LibraryFilterForm(forms.Form):
    """The library's search and filters, read from the query string (ids checked by the
    selector: an unknown id simply matches nothing)."""

    q = forms.CharField(label=_("Zoeken"), max_length=200, required=False)
    partner = forms.IntegerField(label=_("Partner"), min_value=1, required=False)
    thema = forms.IntegerField(label=_("Thema"), min_value=1, required=False)
    element = forms.ChoiceField(
        label=_("Element"), choices=[("", _("Alle elementen")), *Element.choices], required=False
    )
    soort = forms.ChoiceField(
        label=_("Soort"), choices=[("", _("Alle soorten")), *ResourceKind.choices], required=False
    )

    def filters(self) -> LibraryFilters:
        if not self.is_valid():
            return LibraryFilters()
        data = self.cleaned_data
        return LibraryFilters(
            query=(data.get("q") or "").replace("\x00", ""),
            organisation_id=data.get("partner"),
            theme_id=data.get("thema"),
            element=data.get("element") or "",
            kind=data.get("soort") or "",
        )


def _tag_fields(form: forms.Form) -> None:
    form.fields["organisations"] = forms.ModelMultipleChoiceField(
        label=_("Partners"),
        queryset=Organisation.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("De organisaties waar dit middel van of over is."),
    )
    form.fields["themes"] = forms.ModelMultipleChoiceField(
        label=_("Thema's"),
        queryset=LibraryTheme.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    form.fields["elements"] = forms.MultipleChoiceField(
        label=_("Elementen van de bewustwordingssessie"),
        choices=Element.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class ResourceForm(OneTimeSubmissionMixin, forms.Form):
    """Suggest (or, for its curators, edit) a library resource."""

    programme = forms.ModelChoiceField(label=_("Programma"), queryset=Programme.objects.none())
    kind = forms.ChoiceField(label=_("Soort"), choices=ResourceKind.choices)
    title = forms.CharField(label=_("Titel"), max_length=200)
    description = forms.CharField(
        label=_("Omschrijving"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text=_("Waar gaat het over en wanneer heb je er iets aan?"),
    )
    file = forms.FileField(
        label=_("Bestand"),
        required=False,
        max_length=150,
        help_text=_("Voor een document (of een hulpmiddel als bestand)."),
    )
    url = forms.URLField(label=_("Link"), required=False, max_length=500, assume_scheme="https")
    contact_details = forms.CharField(
        label=_("Contactgegevens"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Voor een contactpunt: wie, telefoon, e-mailadres."),
    )

    def __init__(self, *args, programmes, has_file: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.has_file = has_file
        self.fields["programme"].queryset = programmes
        if len(programmes) == 1:
            self.fields["programme"].initial = programmes[0]
        _tag_fields(self)

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        has_file = bool(cleaned.get("file")) or self.has_file
        if kind == ResourceKind.DOCUMENT and not has_file:
            self.add_error("file", _("Een document heeft een bestand nodig."))
        elif kind == ResourceKind.LINK and not cleaned.get("url"):
            self.add_error("url", _("Een link heeft een adres nodig."))
        elif kind == ResourceKind.CONTACT and not (
            cleaned.get("contact_details") or cleaned.get("url")
        ):
            self.add_error("contact_details", _("Een contactpunt heeft contactgegevens nodig."))
        elif kind == ResourceKind.TOOL and not (has_file or cleaned.get("url")):
            self.add_error("url", _("Een hulpmiddel heeft een bestand of een link nodig."))
        return cleaned


class ResourceRejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reden van afwijzing"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("De indiener leest deze reden bij het voorstel."),
    )


class MaterialToLibraryForm(OneTimeSubmissionMixin, forms.Form):
    """Publish one material of a training to the library."""

    description = forms.CharField(
        label=_("Omschrijving voor de bibliotheek"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _tag_fields(self)
        del self.fields["organisations"]  # the training's provider


class IdeaProposalForm(OneTimeSubmissionMixin, forms.Form):
    programme = forms.ModelChoiceField(
        label=_("Programma"),
        queryset=Programme.objects.none(),
        help_text=_("De coördinatoren van dit programma krijgen je idee."),
    )
    title = forms.CharField(label=_("Titel"), max_length=200)
    form = forms.ChoiceField(label=_("Vorm"), choices=IdeaForm.choices)
    content = forms.CharField(
        label=_("Inhoud"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Wat wil je uitwisselen, met wie, en wat levert het op?"),
    )
    partners = forms.ModelMultipleChoiceField(
        label=_("Betrokken partners"),
        queryset=Organisation.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, programmes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes
        if len(programmes) == 1:
            self.fields["programme"].initial = programmes[0]


class IdeaStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Nieuwe status"), choices=IdeaStatus.choices)
    comment = forms.CharField(
        label=_("Toelichting voor de indiener"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


SCALE_CHOICES = [
    (1, _("1 — helemaal oneens")),
    (2, _("2 — oneens")),
    (3, _("3 — neutraal")),
    (4, _("4 — eens")),
    (5, _("5 — helemaal eens")),
]


class EvaluationForm(OneTimeSubmissionMixin, forms.Form):
    """One field per question of the run: ``q<id>``; scale questions required, open ones not."""

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            name = f"q{question.pk}"
            if question.kind == QuestionKind.SCALE:
                self.fields[name] = forms.TypedChoiceField(
                    label=question.text,
                    choices=SCALE_CHOICES,
                    coerce=int,
                    widget=forms.RadioSelect,
                    error_messages={"required": _("Kies een waarde van 1 tot en met 5.")},
                )
            else:
                self.fields[name] = forms.CharField(
                    label=question.text,
                    required=False,
                    max_length=2000,
                    widget=forms.Textarea(attrs={"rows": 3}),
                )

    def answers(self) -> tuple[dict[int, int], dict[int, str]]:
        scores, texts = {}, {}
        for question in self.questions:
            value = self.cleaned_data.get(f"q{question.pk}")
            if question.kind == QuestionKind.SCALE:
                scores[question.pk] = value
            else:
                texts[question.pk] = value or ""
        return scores, texts


class FollowupForm(OneTimeSubmissionMixin, forms.Form):
    contacted = forms.TypedChoiceField(
        label=_("Heb je sinds de training contact gehad met iemand van een andere partner?"),
        choices=[("ja", _("Ja")), ("nee", _("Nee"))],
        coerce=lambda value: value == "ja",
        widget=forms.RadioSelect,
        error_messages={"required": _("Kies ja of nee.")},
    )
    organisations = forms.ModelMultipleChoiceField(
        label=_("Met welke organisatie(s)?"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("De organisatie, geen naam van een persoon."),
    )
    outcome = forms.CharField(
        label=_("Wat heeft het opgeleverd?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = organisations


class EvaluationQuestionForm(OneTimeSubmissionMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Soort"), choices=QuestionKind.choices)
    text = forms.CharField(label=_("Vraag"), max_length=300)


class EvaluationSettingsForm(forms.Form):
    followup_weeks = forms.IntegerField(
        label=_("Samenwerkingsmeter na (weken)"),
        min_value=1,
        max_value=52,
        help_text=_("Zoveel weken na de laatste bijeenkomst krijgen deelnemers de vragen."),
    )
    trainers_see_aggregates = forms.BooleanField(
        label=_("Trainers zien de gemiddelden van hun eigen uitvoeringen"),
        required=False,
        help_text=_("Alleen bij minstens 5 antwoorden; open antwoorden zien trainers nooit."),
    )


class CertificateCodeForm(forms.Form):
    """The public page's one field: a code as typed, in any case, with or without dashes."""

    code = forms.CharField(
        label=_("Verificatiecode"),
        max_length=40,
        help_text=_("Tien tekens, zoals op het certificaat: ABCD-EFGH-JK."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_code(self) -> str:
        code = codes.normalise(self.cleaned_data["code"])
        if code is None:
            raise ValidationError(
                _("Dit is geen geldige code: een code heeft tien letters en cijfers.")
            )
        return code


class CertificateRevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reden van intrekking"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Alleen coördinatoren zien de reden; de controlepagina toont „ingetrokken”."),
    )


class AwarenessStepForm(forms.Form):
    step = forms.ChoiceField(label=_("Element"), choices=AwarenessStep.choices)


class AwarenessDefinitionForm(OneTimeSubmissionMixin, forms.Form):
    group = forms.CharField(
        label=_("Groep"),
        max_length=60,
        help_text=_("Dezelfde groepsnaam nog eens: je vervangt de definitie van die groep."),
    )
    text = forms.CharField(
        label=_("Hun definitie van ondermijning"),
        max_length=DEFINITION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AwarenessExampleForm(forms.Form):
    """An example, named anonymously. Its one-time key is stored with the example itself
    (``example_key``), not with the person, so a double click stores it once without the
    portal's one-time-submission record, which would say who sent a form when."""

    text = forms.CharField(
        label=_("Hier klopt iets niet: wat zag of hoorde je?"),
        max_length=EXAMPLE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Anoniem: het portaal bewaart niet wie een voorbeeld noemde. Noem geen namen van "
            "personen of bedrijven."
        ),
    )
    example_key = forms.CharField(
        widget=forms.HiddenInput,
        initial=new_submission_key,
        min_length=16,
        max_length=64,
        error_messages={
            "required": _("Het formulier is verlopen; laad de pagina opnieuw."),
            "min_length": _("Het formulier is verlopen; laad de pagina opnieuw."),
        },
    )


class AwarenessThemeForm(forms.Form):
    theme = forms.ChoiceField(
        label=_("Thema"),
        choices=[("", _("Nog niet ingedeeld")), *ExampleTheme.choices],
        required=False,
    )
