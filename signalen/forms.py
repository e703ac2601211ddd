"""Forms bind and check input; the services decide."""

from html import escape as escape_text

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from portal.forms import DateField, OneTimeSubmissionMixin
from portal.models import Organisation, User
from portal.selectors import contact_persons_of
from portal.translated import localized

from . import selectors
from .attachments import ALLOWED_TYPES, prepare_attachments
from .models import DESCRIPTION_MAX_LENGTH, INVOLVED_MAX_LENGTH, NOTE_MAX_LENGTH, CloseReason
from .states import Status


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        if not isinstance(data, list | tuple):
            data = [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in data]


class SignalReportForm(OneTimeSubmissionMixin, forms.Form):
    description = forms.CharField(
        label=_("Wat heb je gezien?"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=DESCRIPTION_MAX_LENGTH,
        help_text=_(
            "Beschrijf wat je zag of hoorde en waarom het niet klopt. Feiten, geen oordeel."
        ),
    )
    location = forms.CharField(
        label=_("Waar?"),
        required=False,
        max_length=200,
        help_text=_("Adres, straat of gebied."),
    )
    observed_on = DateField(
        label=_("Wanneer?"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("De datum waarop je het zag, als je die weet."),
    )
    category = forms.ModelChoiceField(
        label=_("Categorie"),
        queryset=selectors.active_categories(),
        empty_label=_("— kies een categorie —"),
    )
    involved = forms.CharField(
        label=_("Betrokken personen of bedrijven"),
        required=False,
        max_length=INVOLVED_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Optioneel: namen, bedrijfsnamen, kentekens."),
    )
    attachments = MultipleFileField(
        label=_("Bijlagen"),
        widget=MultipleFileInput(attrs={"accept": ",".join(ALLOWED_TYPES)}),
    )
    organisation = forms.ModelChoiceField(
        label=_("Naar welk meldpunt?"),
        queryset=Organisation.objects.none(),
        empty_label=None,
        help_text=_("Standaard het meldpunt van je eigen organisatie."),
    )
    reporter_anonymous = forms.BooleanField(
        label=_("Houd mijn naam geheim voor organisaties waarnaar het signaal wordt doorgestuurd"),
        required=False,
        help_text=_("De contactpersonen van het meldpunt dat je kiest, zien altijd wie meldde."),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        organisations = selectors.organisations_with_meldpunt()
        self.fields["organisation"].queryset = organisations
        if not self.is_bound and user.organisation_id:
            self.initial.setdefault("organisation", user.organisation_id)
        self.fields["attachments"].help_text = _(
            "Foto's (JPEG, PNG) of PDF, maximaal %(count)d bestanden van elk %(size)s. "
            "Locatiegegevens in foto's worden verwijderd."
        ) % {
            "count": settings.SIGNALEN_MAX_ATTACHMENTS,
            "size": filesizeformat(settings.SIGNALEN_MAX_ATTACHMENT_BYTES),
        }

    def clean_description(self):
        value = self.cleaned_data["description"].strip()
        if not value:
            raise ValidationError(_("Beschrijf wat je hebt gezien."))
        return value

    def clean_observed_on(self):
        value = self.cleaned_data["observed_on"]
        if value and value > timezone.localdate():
            raise ValidationError(_("Deze datum ligt in de toekomst."))
        return value

    def clean_attachments(self):
        return prepare_attachments(self.cleaned_data["attachments"])


class ReplyForm(OneTimeSubmissionMixin, forms.Form):
    text = forms.CharField(
        label=_("Jouw antwoord"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Toewijzen aan"), queryset=User.objects.none())

    def __init__(self, *args, signal, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = contact_persons_of(
            organisation_ids=[signal.organisation_id]
        )
        self.fields["assignee"].label_from_instance = lambda person: (
            person.full_name or person.email
        )
        if not self.is_bound:
            self.initial["assignee"] = user.pk


class TextForm(OneTimeSubmissionMixin, forms.Form):
    text = forms.CharField(max_length=NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, label: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].label = label


class ForwardForm(OneTimeSubmissionMixin, forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Doorsturen naar"), queryset=Organisation.objects.none()
    )
    note = forms.CharField(
        label=_("Toelichting voor de ontvanger"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, signal, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = selectors.forward_targets(signal=signal)


class CloseForm(forms.Form):
    # No reason chosen in advance: a hurried close must not record one nobody picked.
    reason = forms.ChoiceField(
        label=_("Reden"),
        choices=[("", _("— kies een reden —")), *CloseReason.choices],
        error_messages={"required": _("Kies waarom je het signaal afsluit.")},
    )
    explanation = forms.CharField(
        label=_("Toelichting (intern)"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    duplicate_of = forms.CharField(
        label=_("Referentie van het oorspronkelijke signaal"),
        required=False,
        max_length=20,
        help_text=_("Alleen bij een dubbele melding, bijvoorbeeld HKIN-7K3M-Q9XA."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        cleaned = super().clean()
        reference = (cleaned.get("duplicate_of") or "").strip()
        if cleaned.get("reason") == CloseReason.DUPLICATE:
            if not reference:
                self.add_error(
                    "duplicate_of", _("Geef het referentienummer van het oorspronkelijke signaal.")
                )
            else:
                original = selectors.visible_signal_by_reference(
                    user=self.user, reference=reference
                )
                if original is None:
                    self.add_error("duplicate_of", _("Er is geen signaal met deze referentie."))
                cleaned["duplicate_signal"] = original
        else:
            cleaned["duplicate_signal"] = None
        return cleaned


class QuickSelect(forms.Select):
    """A plain select (no option groups) written in Python instead of from Django's widget
    templates: the queue's filter bar has six, with some forty options, on every request,
    and a template per option was a measurable part of the page."""

    def options(self, value) -> str:
        """The ``<option>`` elements, ``value`` selected, every key and label escaped (with
        the standard library's escape, as Django's does, without its lazy wrapper)."""
        chosen = set(self.format_value(value))
        written = []
        for key, label in self.choices:
            key = str(key)
            selected = " selected" if key in chosen else ""
            written.append(
                f'<option value="{escape_text(key)}"{selected}>{escape_text(str(label))}</option>'
            )
        return "".join(written)

    def render(self, name, value, attrs=None, renderer=None):
        return format_html(
            '<select name="{}"{}>{}</select>',
            name,
            flatatt(self.build_attrs(self.attrs, attrs)),
            mark_safe(self.options(value)),  # noqa: S308 - every key and label is escaped
        )


class QuickCheckbox(forms.CheckboxInput):
    """A checkbox written in Python, for the same reason as ``QuickSelect``."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        if self.check_test(value):
            attrs["checked"] = True
        shown = self.format_value(value)
        return format_html(
            '<input type="checkbox" name="{}"{}{}>',
            name,
            format_html(' value="{}"', shown) if shown is not None else "",
            flatatt(attrs),
        )


class QueueFilterForm(forms.Form):
    STATUS_CHOICES = [
        ("open", _("Open (nieuw, in behandeling, doorgestuurd)")),
        *Status.choices,
        ("all", _("Alle")),
    ]
    AGE_CHOICES = [
        ("", _("Elke leeftijd")),
        ("lt7", _("Jonger dan 7 dagen")),
        ("gt7", _("Ouder dan 7 dagen")),
        ("gt30", _("Ouder dan 30 dagen")),
    ]
    PAGE_SIZES = (25, 50, 100)
    SORT_CHOICES = [
        ("newest", _("Nieuwste eerst")),
        ("oldest", _("Oudste eerst")),
        ("deadline", _("Termijn (eerst verlopen)")),
        ("category", _("Categorie")),
    ]

    status = forms.ChoiceField(
        label=_("Status"), choices=STATUS_CHOICES, required=False, widget=QuickSelect
    )
    # The choices come from what the page reads once (``queue_choices``).
    category = forms.TypedChoiceField(
        label=_("Categorie"), coerce=int, empty_value=None, required=False, widget=QuickSelect
    )
    age = forms.ChoiceField(
        label=_("Leeftijd"), choices=AGE_CHOICES, required=False, widget=QuickSelect
    )
    assignee = forms.ChoiceField(label=_("Behandelaar"), required=False, widget=QuickSelect)
    overdue = forms.BooleanField(
        label=_("Alleen over termijn"), required=False, widget=QuickCheckbox
    )
    sort = forms.ChoiceField(
        label=_("Sorteren"), choices=SORT_CHOICES, required=False, widget=QuickSelect
    )
    per_page = forms.TypedChoiceField(
        label=_("Per pagina"),
        choices=[(str(n), str(n)) for n in PAGE_SIZES],
        coerce=int,
        empty_value=None,
        required=False,
        widget=QuickSelect,
    )

    def __init__(self, *args, choices: selectors.QueueChoices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [
            ("", _("Alle categorieën")),
            *((str(c.pk), localized(c, "name")) for c in choices.categories if c.is_active),
        ]
        # Only the names: whole people with their organisations were most of the form's time.
        colleagues = [(str(pk), name) for pk, name in choices.colleagues]
        for name, bound_field in self.fields.items():
            css = "form-check-input" if name == "overdue" else "form-select"
            bound_field.widget.attrs["class"] = css
        self.fields["assignee"].choices = [
            ("", _("Iedereen")),
            ("me", _("Aan mij")),
            ("none", _("Nog niemand")),
            *colleagues,
        ]

    def filters(self) -> selectors.QueueFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return selectors.QueueFilters(
            status=data.get("status") or "open",
            category_id=data.get("category") or None,
            age=data.get("age") or "",
            assignee=data.get("assignee") or "",
            overdue_only=bool(data.get("overdue")),
            sort=data.get("sort") or "newest",
        )

    def page_size(self, *, default: int) -> int:
        """The rows per page the person chose, else ``default``."""
        data = self.cleaned_data if self.is_valid() else {}
        return data.get("per_page") or default
