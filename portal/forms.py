from collections.abc import Mapping

from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.core import context
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .adapters import invitation_from_session
from .models import Discipline, MailDelivery, Organisation, User
from .reminders import ReminderKind
from .services import signup_organisation

# --- the shared form kit -------------------------------------------------------------------

# The browser's own date-and-time picker; the format is the one that input type expects.
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


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


class InvitationForm(forms.Form):
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
