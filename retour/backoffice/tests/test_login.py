"""Sign-in: labels, the same answer for unknown users and wrong passwords, rate limits,
CSRF, session expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from retour.backoffice.tests.conftest import PASSWORD, url

pytestmark = pytest.mark.django_db


def test_login_page_has_the_fixed_labels_in_english_and_french(client):
    page = client.get(url("login")).content.decode()
    assert ">Username</label>" in page and ">Password</label>" in page and ">Sign in</button>" in page
    french = client.get(url("login", "fr")).content.decode()
    assert "Nom d’utilisateur" in french and "Mot de passe" in french and "Se connecter" in french


def test_unprefixed_staff_url_redirects_to_a_language(client):
    response = client.get("/staff/login/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 302 and response["Location"] == "/fr/staff/login/"


def test_sign_in_opens_the_work_list(client, staff):
    response = client.post(url("login"), {"username": "agent", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == url("home")
    assert client.get(url("home")).status_code == 200


def test_wrong_password_and_unknown_user_get_the_same_answer(client, staff):
    wrong = client.post(url("login"), {"username": "agent", "password": "nope-nope-nope"})
    unknown = client.post(url("login"), {"username": "nobody-here", "password": "nope-nope-nope"})
    assert wrong.status_code == unknown.status_code == 400
    assert "Incorrect username or password." in wrong.content.decode()

    def error_box(response) -> str:
        page = response.content.decode()
        return page[
            page.index('<div class="errors"') : page.index("</div>", page.index('<div class="errors"'))
        ]

    assert error_box(wrong) == error_box(unknown)


def test_a_user_without_a_store_cannot_sign_in(client, db):
    from django.contrib.auth.models import User

    User.objects.create_user("lonely", password=PASSWORD, is_staff=True)
    response = client.post(url("login"), {"username": "lonely", "password": PASSWORD})
    assert response.status_code == 400 and "_auth_user_id" not in client.session


def test_sign_in_is_rate_limited_per_account(staff):
    for i in range(5):
        Client(REMOTE_ADDR=f"10.0.0.{i}").post(url("login"), {"username": "agent", "password": "wrong-wrong"})
    # even the right password is refused now, from yet another address
    response = Client(REMOTE_ADDR="10.0.0.99").post(url("login"), {"username": "agent", "password": PASSWORD})
    assert response.status_code == 429 and "Retry-After" in response
    assert "Too many sign-in attempts" in response.content.decode()


def test_sign_in_is_rate_limited_per_address(staff):
    client = Client(REMOTE_ADDR="10.1.1.1")
    for i in range(20):
        client.post(url("login"), {"username": f"guess{i}", "password": "wrong-wrong"})
    response = client.post(url("login"), {"username": "agent", "password": PASSWORD})
    assert response.status_code == 429


def test_sign_in_needs_the_csrf_token(staff):
    client = Client(enforce_csrf_checks=True)
    response = client.post(url("login"), {"username": "agent", "password": PASSWORD})
    assert response.status_code == 403


def test_actions_need_the_csrf_token(staff, make_return):
    rr = make_return()
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff["agent"].user)
    response = client.post(url("return_action", number=rr.number, name="approve"))
    assert response.status_code == 403
    rr.refresh_from_db()
    assert rr.status == "requested"


def test_the_session_expires(client, staff, settings):
    settings.STAFF_SESSION_MINUTES = 60
    client.post(url("login"), {"username": "agent", "password": PASSWORD})
    assert client.get(url("home")).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        response = client.get(url("home"))
    assert response.status_code == 302 and response["Location"].startswith(url("login"))


def test_anonymous_people_are_sent_to_sign_in(client, db):
    response = client.get(url("home"))
    assert response.status_code == 302 and response["Location"].startswith(url("login") + "?next=")


def test_sign_out_needs_a_post(client, staff):
    client.force_login(staff["agent"].user)
    assert client.get(url("logout")).status_code == 405
    assert client.post(url("logout")).status_code == 302
    assert client.get(url("home")).status_code == 302
