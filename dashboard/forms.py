"""The funnel's choice of programme and year, read from the query string."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.models import Programme

FIRST_YEAR = 2020


class FunnelForm(forms.Form):
    programma = forms.TypedChoiceField(label=_("Programma"), coerce=int, required=False)
    jaar = forms.TypedChoiceField(label=_("Jaar"), coerce=int, required=False)

    def __init__(self, *args, programmes: list[Programme], this_year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.programmes = programmes
        self.this_year = this_year
        self.fields["programma"].choices = [(p.pk, p.name) for p in programmes]
        self.fields["jaar"].choices = [
            (year, str(year)) for year in range(this_year, FIRST_YEAR - 1, -1)
        ]

    def choice(self) -> tuple[Programme | None, int]:
        """The chosen programme (the first by name when none or a wrong one) and year."""
        data = self.cleaned_data if self.is_valid() else {}
        chosen = data.get("programma")
        programme = next((p for p in self.programmes if p.pk == chosen), None)
        if programme is None and self.programmes:
            programme = self.programmes[0]
        return programme, data.get("jaar") or self.this_year
