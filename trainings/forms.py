"""Forms bind and check input; the services decide."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.forms import DateField, DateTimeField, OneTimeSubmissionMixin
from portal.models import Discipline, Organisation, Programme
from portal.selectors import active_trainers

from .models import (
    AttendanceStatus,
    DevelopmentPlan,
    Element,
    IdeaForm,
    IdeaStatus,
    LibraryTheme,
    Reflection,
    ResourceKind,
    TrainingFormat,
)
from .selectors import CatalogueFilters, LibraryFilters

# --- coordination ----------------------------------------------------------------------------


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

    def __init__(self, *args, programmes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes


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


class AttendanceForm(forms.Form):
    """One radio group per enrolled person for one session."""

    def __init__(self, *args, enrolments, current: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.enrolments = list(enrolments)
        for enrolment in self.enrolments:
            self.fields[f"e{enrolment.pk}"] = forms.ChoiceField(
                label=enrolment.participant.full_name or enrolment.participant.email,
                choices=AttendanceStatus.choices,
                widget=forms.RadioSelect,
                required=False,
                initial=current.get(enrolment.pk),
            )

    def marks(self):
        for enrolment in self.enrolments:
            status = self.cleaned_data.get(f"e{enrolment.pk}")
            if status:
                yield enrolment, status


# --- participants ----------------------------------------------------------------------------


class CatalogueFilterForm(forms.Form):
    """The catalogue's filters, read from the query string."""

    aanbieder = forms.ModelChoiceField(
        label=_("Aanbiedende organisatie"),
        queryset=Organisation.objects.filter(offered_trainings__isnull=False).distinct(),
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


# --- the library (middelen) ------------------------------------------------------------------


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


# --- ideas for knowledge exchange ------------------------------------------------------------


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
