"""Forms for single sign-on: the login page's e-mail first step and the beheerder's settings."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _


class SsoStartForm(forms.Form):
    email = forms.EmailField(
        label=_("Je e-mail bij je organisatie"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


def _lines(text: str) -> list[str]:
    return [part for part in text.replace(",", " ").split() if part]


class IdentityProviderForm(forms.Form):
    issuer = forms.URLField(
        label=_("Issuer van de inlogdienst"),
        max_length=500,
        assume_scheme="https",
        help_text=_(
            "Het adres waaronder de inlogdienst zijn OpenID Connect-configuratie publiceert, "
            "zoals https://login.gemeente.nl (zonder /.well-known/openid-configuration)."
        ),
    )
    client_id = forms.CharField(label=_("Client-id"), max_length=255)
    client_secret = forms.CharField(
        label=_("Client-secret"),
        required=False,
        max_length=500,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Wordt versleuteld opgeslagen. Leeg laten houdt het opgeslagen secret."),
    )
    domains = forms.CharField(
        label=_("E-maildomeinen die via deze inlogdienst inloggen"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Eén domein per regel, zoals gemeente.nl."),
    )
    accepted_acr_values = forms.CharField(
        label=_("acr-waarden die als tweestapsverificatie gelden"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Eén per regel; leeg laten als de inlogdienst tweestapsverificatie meldt met amr "
            "(mfa, otp, hwk, sms of sc). Zonder zo'n melding vraagt het portaal zijn eigen code."
        ),
    )
    password_login_allowed = forms.BooleanField(
        label=_("Inloggen met wachtwoord blijft toegestaan"),
        required=False,
        initial=True,
        help_text=_(
            "Uit: mensen uit deze domeinen loggen alleen via de inlogdienst in en kunnen geen "
            "wachtwoord herstellen."
        ),
    )
    is_active = forms.BooleanField(label=_("Inlogdienst in gebruik"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Opslaan")))

    def clean_domains(self) -> list[str]:
        return _lines(self.cleaned_data["domains"])

    def clean_accepted_acr_values(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["accepted_acr_values"].splitlines()]
