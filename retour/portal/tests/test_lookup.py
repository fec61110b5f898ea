"""Finding an order: no enumeration, constant-time comparison, rate limits, an expiring session."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from retour.portal.selectors import order_lookup
from retour.portal.tests.conftest import url

pytestmark = pytest.mark.django_db

NOT_FOUND = "We could not find an order with these details"


def lookup(client: Client, number: str, contact: str, ip: str = "10.0.0.1", store: str = "shop"):
    return client.post(
        url("start", store=store), {"order_number": number, "contact": contact}, REMOTE_ADDR=ip
    )


def _without_csrf(html: str) -> str:
    """The page without its CSRF token and the values typed back into the fields."""
    return re.sub(r'value="[^"]*"', "", html)


def test_the_start_page_asks_for_the_order_number_and_email_or_postcode(store):
    response = Client().get(url("start", store="shop"))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert 'name="order_number"' in html and 'name="contact"' in html
    assert "Maison Test" in html
    assert "Withdraw from contract here" in html


def test_an_unknown_store_is_not_found(db):
    assert Client().get(url("start", store="nope")).status_code == 404


def test_an_unprefixed_portal_url_follows_accept_language(store):
    assert Client().get("/portal/shop/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9").url == "/fr/portal/shop/"
    assert Client().get("/portal/shop/", HTTP_ACCEPT_LANGUAGE="en-GB").url == "/en/portal/shop/"


def test_the_french_page_is_in_french_with_a_switcher_to_english(store):
    html = Client().get(url("start", "fr", store="shop")).content.decode()

    assert '<html lang="fr">' in html
    assert 'href="/en/portal/shop/"' in html


def test_the_order_is_found_with_its_email_in_any_case(order):
    client = Client()
    response = lookup(client, "1001", "  Alice@Example.com ")

    assert response.status_code == 302
    assert response.url == url("order", store="shop")
    assert client.get(response.url).status_code == 200


def test_the_order_is_found_with_its_delivery_postcode(order):
    assert lookup(Client(), "#1001", "75 001").status_code == 302


def test_an_unknown_order_and_a_wrong_email_get_the_same_answer(order):
    unknown = lookup(Client(), "9999", "alice@example.com")
    wrong_email = lookup(Client(), "1001", "mallory@example.com")
    wrong_postcode = lookup(Client(), "1001", "13001")

    assert unknown.status_code == wrong_email.status_code == wrong_postcode.status_code == 200
    assert NOT_FOUND in unknown.content.decode()
    assert _without_csrf(unknown.content.decode()) == _without_csrf(wrong_email.content.decode())
    assert _without_csrf(wrong_email.content.decode()) == _without_csrf(wrong_postcode.content.decode())


def test_an_order_of_another_store_is_not_found(store, other_store, make_order):
    make_order("2002", target_store=other_store)

    assert NOT_FOUND in lookup(Client(), "2002", "alice@example.com").content.decode()


def test_order_lookup_compares_in_constant_time(order, monkeypatch):
    calls = []
    import hmac

    real = hmac.compare_digest
    monkeypatch.setattr(
        "retour.portal.selectors.hmac.compare_digest", lambda a, b: calls.append((a, b)) or real(a, b)
    )

    assert order_lookup(store=order.store, number="1001", contact="alice@example.com") == order
    assert order_lookup(store=order.store, number="9999", contact="alice@example.com") is None

    assert len(calls) == 2  # the unknown order is compared against a stand-in too


def test_the_eleventh_try_from_one_ip_is_refused_with_when_to_retry(order):
    client = Client()
    for i in range(10):
        assert lookup(client, f"99{i}", "x@example.com").status_code == 200

    response = lookup(client, "1001", "alice@example.com")

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 800
    html = response.content.decode()
    assert "Too many attempts" in html
    assert "15 minutes" in html
    assert "You can try again from" in html


def test_one_order_number_is_limited_across_ips_for_guesses(order):
    for i in range(10):
        lookup(Client(), "1001", "wrong@example.com", ip=f"10.0.1.{i}")

    assert lookup(Client(), "1001", "guess@example.com", ip="10.0.2.1").status_code == 429
    assert lookup(Client(), "1001", "75001", ip="10.0.2.3").status_code == 429  # the right postcode too
    assert lookup(Client(), "1002", "alice@example.com", ip="10.0.2.2").status_code == 200


def test_the_real_customer_with_the_right_email_gets_past_a_locked_order_number(order):
    for i in range(30):
        lookup(Client(), "1001", f"guess{i}@example.com", ip=f"10.0.1.{i}")

    response = lookup(Client(), "1001", "alice@example.com", ip="10.0.9.9")

    assert response.status_code == 302 and response.url == url("order", store="shop")


def test_successful_lookups_do_not_use_up_the_address(order, settings):
    settings.LOOKUP_RATE_LIMIT = 2
    for _ in range(5):
        assert lookup(Client(), "1001", "alice@example.com").status_code == 302

    assert lookup(Client(), "1001", "wrong@example.com").status_code == 200


def test_the_429_page_shows_the_store_support_contact(order, settings):
    order.store.support_email = "help@maison.example"
    order.store.save(update_fields=["support_email"])
    settings.LOOKUP_RATE_LIMIT = 1
    lookup(Client(), "1001", "wrong@example.com")

    response = lookup(Client(), "1001", "wrong2@example.com")

    assert response.status_code == 429
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    assert "Need help? Write to us at" in main and 'href="mailto:help@maison.example"' in main


def test_the_limit_lifts_when_the_window_ends(order):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(10):
            lookup(Client(), "1001", "wrong@example.com")
        assert lookup(Client(), "1001", "alice@example.com").status_code == 429

        traveller.shift(timedelta(minutes=15))

        assert lookup(Client(), "1001", "alice@example.com").status_code == 302


def test_the_limit_follows_the_setting(order, settings):
    settings.LOOKUP_RATE_LIMIT = 2
    lookup(Client(), "1001", "wrong@example.com")
    lookup(Client(), "1001", "wrong@example.com")

    assert lookup(Client(), "1001", "alice@example.com").status_code == 429


def test_the_session_expires_after_two_hours(shopper):
    with time_machine.travel(timezone.now() + timedelta(hours=2, seconds=1)):
        response = shopper.get(url("order", store="shop"))

        assert response.status_code == 302
        assert response.url == url("start", store="shop")
        assert "Your session has expired" in shopper.get(response.url).content.decode()


def test_the_order_page_without_a_lookup_goes_back_to_the_search(order):
    response = Client().get(url("order", store="shop"))

    assert response.status_code == 302 and response.url == url("start", store="shop")


def test_a_session_of_one_store_gives_nothing_in_another(shopper, other_store):
    assert shopper.get(url("order", store="other")).status_code == 302


def test_the_session_key_changes_at_lookup(order):
    client = Client()
    client.get(url("start", store="shop"))
    client.session.save()
    before = client.session.session_key

    lookup(client, "1001", "alice@example.com")

    assert client.session.session_key != before


def test_behind_a_trusted_proxy_each_client_address_is_counted_apart(order, settings):
    import ipaddress

    settings.LOOKUP_RATE_LIMIT = 1
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("127.0.0.1/32")]
    via_proxy = {"REMOTE_ADDR": "127.0.0.1"}
    Client().post(url("start", store="shop"), {"order_number": "1", "contact": "x@y.z"},
                  HTTP_X_FORWARDED_FOR="203.0.113.7", **via_proxy)  # fmt: skip

    other_client = Client().post(url("start", store="shop"), {"order_number": "2", "contact": "x@y.z"},
                                 HTTP_X_FORWARDED_FOR="203.0.113.8", **via_proxy)  # fmt: skip
    spoofed = Client().post(url("start", store="shop"), {"order_number": "3", "contact": "x@y.z"},
                            HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7", **via_proxy)  # fmt: skip

    assert other_client.status_code == 200
    assert spoofed.status_code == 429  # only the address the proxy appended counts


def test_a_rotating_forwarded_header_from_an_untrusted_local_peer_is_ignored(order, settings):
    settings.LOOKUP_RATE_LIMIT = 3
    codes = [
        Client()
        .post(
            url("start", store="shop"),
            {"order_number": f"9{i}", "contact": "x@y.z"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{i}",
            REMOTE_ADDR="10.0.0.2",
        )
        .status_code  # fmt: skip
        for i in range(6)
    ]

    assert codes == [200, 200, 200, 429, 429, 429]


def test_a_forwarded_header_from_a_public_address_is_ignored(order, settings):
    settings.LOOKUP_RATE_LIMIT = 1
    public = {"REMOTE_ADDR": "93.184.216.34"}
    Client().post(url("start", store="shop"), {"order_number": "1", "contact": "x@y.z"}, **public)

    response = Client().post(url("start", store="shop"), {"order_number": "2", "contact": "x@y.z"},
                             HTTP_X_FORWARDED_FOR="203.0.113.99", **public)  # fmt: skip

    assert response.status_code == 429
