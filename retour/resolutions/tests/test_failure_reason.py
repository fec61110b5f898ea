"""A refund the provider refuses shows why to staff: in the API refund object (``failure_reason``),
on the workspace return page and in the admin; never a key or token the provider quoted (not in
the audit timeline, nor in the staff alert either)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from retour.resolutions.models import Refund
from retour.resolutions.payments.secrets import secrets_masked
from retour.resolutions.payments.services import refund_send
from retour.resolutions.tests.conftest import STRIPE_KEY
from retour.resolutions.tests.test_payments_stripe import _approved_return, _refund
from retour.stores.services import staff_add

pytestmark = pytest.mark.django_db

REASON = "Refund amount is greater than unrefunded amount on charge"


def _failed(api, fake_stripe, action: str = "decline") -> tuple[str, Refund]:
    rn = _approved_return(api, fake_stripe)
    _refund(api, rn)
    fake_stripe.script = [action]
    refund = Refund.objects.get()
    assert refund_send(refund_id=refund.pk) == "failed"
    refund.refresh_from_db()
    return rn, refund


def _staff(store, role: str = "admin") -> Client:
    client = Client()
    client.force_login(staff_add(store=store, username=f"s-{role}", role=role).user)
    return client


def _page(client: Client, rn: str, lang: str = "en") -> str:
    with translation.override(lang):
        path = reverse("backoffice:return", kwargs={"number": rn})
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_the_api_refund_object_gives_the_reason_of_a_failed_refund_only(api, stripe_store, fake_stripe):
    rn = _approved_return(api, fake_stripe)
    _refund(api, rn)
    assert api.get(f"/api/v1/returns/{rn}").json()["refunds"][0]["failure_reason"] is None  # pending
    fake_stripe.script = ["decline"]
    assert refund_send(refund_id=Refund.objects.get().pk) == "failed"
    refund = api.get(f"/api/v1/returns/{rn}").json()["refunds"][0]
    assert refund["status"] == "failed"
    assert refund["failure_reason"].startswith("amount_too_large: ") and REASON in refund["failure_reason"]


def test_a_succeeded_refund_has_no_reason(api, stripe_store, fake_stripe):
    rn = _approved_return(api, fake_stripe)
    _refund(api, rn)
    assert refund_send(refund_id=Refund.objects.get().pk) == "succeeded"
    assert api.get(f"/api/v1/returns/{rn}").json()["refunds"][0]["failure_reason"] is None


def test_the_workspace_return_page_says_why_a_refund_failed_in_english_and_french(
    api, store, stripe_store, fake_stripe
):
    rn, _refund_row = _failed(api, fake_stripe)
    client = _staff(store)
    english = _page(client, rn)
    assert "Why it failed:" in english and REASON in english
    french = _page(client, rn, "fr")
    assert "Motif de l’échec :" in french and REASON in french


def test_the_admin_shows_the_reason_in_the_refund_list_detail_and_the_return(
    api, store, stripe_store, fake_stripe
):
    rn, refund = _failed(api, fake_stripe)
    client = _staff(store)
    listing = client.get(reverse("admin:resolutions_refund_changelist")).content.decode()
    assert REASON in listing
    detail = client.get(reverse("admin:resolutions_refund_change", args=[refund.pk])).content.decode()
    assert REASON in detail
    parent = client.get(
        reverse("admin:returns_returnrequest_change", args=[refund.return_request_id])
    ).content.decode()
    assert REASON in parent


def test_a_key_quoted_by_the_provider_is_never_shown(api, store, stripe_store, fake_stripe):
    rn, refund = _failed(api, fake_stripe, "leak")
    assert STRIPE_KEY not in refund.last_error  # masked before it is stored (audit, staff email)
    client = _staff(store)
    shown = [
        api.get(f"/api/v1/returns/{rn}").json()["refunds"][0]["failure_reason"],
        _page(client, rn),
        client.get(reverse("admin:resolutions_refund_change", args=[refund.pk])).content.decode(),
        client.get(reverse("admin:resolutions_refund_changelist")).content.decode(),
        client.get(
            reverse("admin:returns_returnrequest_change", args=[refund.return_request_id])
        ).content.decode(),
    ]
    from django.core import mail

    from retour.notifications.models import Notification
    from retour.resolutions.tests.test_payments_stripe import _kinds

    assert "refund_failed" in _kinds()
    shown.append(str(Notification.objects.get(kind="refund_failed").context))
    shown.extend(m.body for m in mail.outbox)
    for text in shown[:5]:
        assert "Refused for key" in text
    for text in shown:
        assert STRIPE_KEY not in text and "retour123" not in text
        assert "sk_test_…r123" in text


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("key sk_live_51HabcdefGHIJ4242 refused", "key sk_live_…4242 refused"),
        ("whsec_abcdefghij123 bad", "whsec_…j123 bad"),
        ("mollie live_abcdefghijklmnopqrstuvwx1234", "mollie live_…1234"),
        ("Authorization: Bearer tok-123.456", "Authorization: Bearer …"),
        ("https://user:pa55word@api.example.com/x", "https://user:…@api.example.com/x"),
        ("Card declined (insufficient_funds)", "Card declined (insufficient_funds)"),
    ],
)
def test_secrets_are_masked(text, masked):
    assert secrets_masked(text) == masked
