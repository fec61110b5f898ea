"""Workspace forms: they parse and check the shape of input; rules stay in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class LoginForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(label=_("Password"), max_length=256, strip=False, widget=forms.PasswordInput)

    def __init__(self, *args, **kwargs):  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autocapitalize": "none"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class ScanForm(forms.Form):
    code = forms.CharField(label=_("Scan or type a return number"), max_length=300)

    def __init__(self, *args, **kwargs):  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update(
            {"autofocus": True, "autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        )
