"""Portal forms: they parse and check the shape of what was typed; the rules stay in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class LookupForm(forms.Form):
    order_number = forms.CharField(
        label=_("Order number"),
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text", "autofocus": True}),
    )
    contact = forms.CharField(
        label=_("Email address or postcode"),
        help_text=_("The email address or the delivery postcode of the order."),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "email"}),
    )


class WithdrawalForm(forms.Form):
    """Art. 11a: only the name, the order's identification and the email for the acknowledgement."""

    name = forms.CharField(
        label=_("Your name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    order_number = forms.CharField(label=_("Order number"), max_length=64)
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("We send the acknowledgement of your withdrawal to this address."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class ShipForm(forms.Form):
    carrier = forms.CharField(label=_("Carrier (optional)"), max_length=100, required=False)
    tracking_number = forms.CharField(label=_("Tracking number (optional)"), max_length=100, required=False)


class CancelForm(forms.Form):
    confirm = forms.BooleanField(label=_("Yes, cancel this return"), required=True)


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your question"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


def parse_positive_int(value: Any) -> int | None:
    """A whole number ≥ 0 from a form value, or None."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None
