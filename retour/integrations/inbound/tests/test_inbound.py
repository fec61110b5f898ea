"""Email-to-return: a shopper's reply to a Retour email joins the return's thread, found by the
signed token Retour put in the email (Reply-To address or Message-ID), never by the From alone.
Inbound calls come through django-anymail and are refused unless signed (Mailgun) or
authenticated (basic auth)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import pytest
from django.core import mail
from django.test import Client

from retour.helpdesk.models import Message
from retour.integrations.inbound.models import InboundEmail
from retour.integrations.webhooks.tests.helpers import make_return
from retour.notifications.replies import reply_token

pytestmark = pytest.mark.django_db

KEY = "mailgun-signing-key"
URL = "/hooks/email/mailgun/inbound/"


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.REPLY_ADDRESS = "replies@inbound.example.com"
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": KEY}


@pytest.fixture
def rr(store):
    return make_return(store)


def _mailgun(
    *,
    to,
    text,
    message_id="<reply-1@mail.example.net>",
    sender="Alice Martin <alice@example.com>",
    in_reply_to=None,
    stripped=None,
    key=KEY,
    signed=True,
):
    headers = [["From", sender], ["To", to], ["Subject", "Re: your return"], ["Message-Id", message_id]]
    if in_reply_to:
        headers += [["In-Reply-To", in_reply_to], ["References", in_reply_to]]
    timestamp, token = str(int(time.time())), "t" * 50
    data = {
        "sender": sender,
        "recipient": to,
        "subject": "Re: your return",
        "from": sender,
        "body-plain": text,
        "message-headers": json.dumps(headers),
        "timestamp": timestamp,
        "token": token,
    }
    if stripped is not None:
        data["stripped-text"] = stripped
    if signed:
        data["signature"] = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    return Client().post(URL, data)


def _address(rr):
    return f"replies+{reply_token(rr)}@inbound.example.com"


def test_our_emails_carry_the_returns_reply_address_and_message_id(rr):
    from retour.notifications.models import Notification
    from retour.notifications.tasks import notification_send

    notification_send(notification_id=Notification.objects.get(return_request=rr).pk)
    email = mail.outbox[-1]
    assert email.reply_to == [_address(rr)]
    assert f"<retour.{reply_token(rr)}." in email.extra_headers["Message-ID"]


def test_a_signed_reply_to_the_return_address_joins_its_thread(rr):
    text = "Bonjour, le colis part demain.\n\nLe lun. 1 déc. 2026, Maison Test a écrit :\n> Votre retour…"
    response = _mailgun(to=_address(rr), text=text)
    assert response.status_code == 200
    message = Message.objects.get(return_request=rr)
    assert message.author_type == "customer" and message.body == "Bonjour, le colis part demain."
    assert message.author_name == "Alice Martin"
    log = InboundEmail.objects.get()
    assert log.status == "attached" and log.return_request == rr and log.message == message


def test_the_esps_stripped_reply_is_used_when_given(rr):
    _mailgun(to=_address(rr), text="Merci !\n> quoted", stripped="Merci !")
    assert Message.objects.get().body == "Merci !"


def test_a_reply_that_quotes_our_message_id_finds_the_return_without_the_address(rr):
    response = _mailgun(
        to="support@shop.example.com",
        text="Où en est mon remboursement ?",
        in_reply_to=f"<retour.{reply_token(rr)}.7@inbound.example.com>",
    )
    assert response.status_code == 200
    assert Message.objects.get(return_request=rr).body == "Où en est mon remboursement ?"


def test_the_from_address_alone_attaches_nothing(rr):
    _mailgun(to="replies@inbound.example.com", text="I want my money", sender="alice@example.com")
    assert Message.objects.count() == 0
    assert InboundEmail.objects.get().status == "unmatched"


def test_a_forged_or_moved_token_attaches_nothing(rr, store):
    other = make_return(store, number="1002")
    forged = f"replies+r{other.pk}-{reply_token(rr).split('-', 1)[1]}@inbound.example.com"
    _mailgun(to=forged, text="Hello", message_id="<f1@x>")
    _mailgun(to=f"replies+r{rr.pk}-{'0' * 20}@inbound.example.com", text="Hello", message_id="<f2@x>")
    assert Message.objects.count() == 0
    assert set(InboundEmail.objects.values_list("status", flat=True)) == {"unmatched"}


def test_the_same_email_received_twice_is_attached_once(rr):
    assert _mailgun(to=_address(rr), text="Once").status_code == 200
    assert _mailgun(to=_address(rr), text="Once").status_code == 200
    assert Message.objects.count() == 1 and InboundEmail.objects.count() == 1


def test_a_reply_from_another_address_is_attached_and_flagged(rr):
    _mailgun(to=_address(rr), text="From my work address", sender="alice@work.example.com")
    assert Message.objects.count() == 1
    assert "another address" in InboundEmail.objects.get().note


@pytest.mark.parametrize("case", ["unsigned", "wrong_key"])
def test_an_unsigned_or_badly_signed_call_is_refused_and_nothing_stored(rr, case):
    response = _mailgun(to=_address(rr), text="Hi", signed=case != "unsigned", key="not-the-key")
    assert response.status_code == 400
    assert Message.objects.count() == 0 and InboundEmail.objects.count() == 0


def test_without_a_configured_check_the_webhook_does_not_exist(rr, settings):
    settings.ANYMAIL = {}
    assert _mailgun(to=_address(rr), text="Hi").status_code == 404
    assert (
        Client().post("/hooks/email/postmark/inbound/", "{}", content_type="application/json").status_code
        == 404
    )
    assert Message.objects.count() == 0


def test_basic_auth_esps_need_the_shared_secret(rr, settings):
    import base64

    settings.ANYMAIL = {"WEBHOOK_SECRET": "retour:s3cret"}
    body = json.dumps(
        {
            "FromFull": {"Email": "alice@example.com", "Name": "Alice Martin"},
            "ToFull": [{"Email": _address(rr), "Name": ""}],
            "Subject": "Re: your return",
            "MessageID": "pm-1",
            "Headers": [{"Name": "Message-ID", "Value": "<pm-1@mail.example.net>"}],
            "TextBody": "Sent by Postmark",
            "Date": "Thu, 3 Dec 2026 08:00:00 +0000",
        }
    )
    wrong = "Basic " + base64.b64encode(b"retour:nope").decode()
    right = "Basic " + base64.b64encode(b"retour:s3cret").decode()
    url = "/hooks/email/postmark/inbound/"
    assert (
        Client().post(url, body, content_type="application/json", HTTP_AUTHORIZATION=wrong).status_code == 400
    )
    assert Message.objects.count() == 0
    assert (
        Client().post(url, body, content_type="application/json", HTTP_AUTHORIZATION=right).status_code == 200
    )
    assert Message.objects.get(return_request=rr).body == "Sent by Postmark"
