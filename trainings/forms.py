"""Forms bind and check input; the services decide."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.models import Organisation

from .models import DevelopmentPlan, Reflection, TrainingFormat
from .selectors import CatalogueFilters

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
    van = forms.DateField(
        label=_("Vanaf"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    tot = forms.DateField(
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
