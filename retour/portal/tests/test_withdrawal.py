"""The EU online withdrawal function (art. 11a): three fields, a separate confirmation, an acknowledgement."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from retour.helpdesk.models import Message
from retour.notifications.models import Notification
from retour.portal.tests.conftest import url
from retour.returns.models import ReturnRequest, Right

pytestmark = pytest.mark.django_db

DETAILS = {"name": "Alice Martin", "order_number": "1001", "email": "alice@example.com"}


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def start(client: Client, **overrides):
    return client.post(url("withdraw", store="shop"), {**DETAILS, **overrides})


def test_the_form_asks_only_for_name_order_and_email(store):
    html = Client().get(url("withdraw", store="shop")).content.decode()

    assert "Withdraw from contract here" in html
    fields = {
        f for f in ("name", "order_number", "email", "contact", "reason", "phone") if f'name="{f}"' in html
    }
    assert fields == {"name", "order_number", "email"}


def test_the_order_number_is_prefilled_from_the_order_page(store):
    assert 'value="1001"' in Client().get(url("withdraw", store="shop"), {"order": "1001"}).content.decode()


def test_a_wrong_email_gets_the_same_answer_as_an_unknown_order(order):
    wrong = start(Client(), email="bob@example.com").content.decode()
    unknown = start(Client(), order_number="9999").content.decode()

    assert "We could not find an order with these details" in wrong
    assert "We could not find an order with these details" in unknown


def test_an_order_past_its_withdrawal_period_is_told_so(store, make_order):
    make_order("1001", delivered_days_ago=20)

    html = start(Client()).content.decode()

    assert "not, or no longer, within a withdrawal period" in html


def test_an_order_whose_items_are_all_in_returns_says_so_and_links_them(order, line1, line2):
    from retour.core.actors import Actor
    from retour.returns.services import LineRequest, return_create

    rr = return_create(
        order=order,
        actor=Actor.customer("alice@example.com"),
        lines=[LineRequest(line1.id, 2, "too_small"), LineRequest(line2.id, 1, "too_small")],
    )

    html = start(Client()).content.decode()  # three days after delivery: the period still runs

    assert "not, or no longer, within a withdrawal period" not in html
    assert "Every item of this order is already in a return" in html
    assert f'href="{url("status", token=rr.token)}"' in html


def test_a_wrong_email_never_lists_the_orders_returns(order, line1, line2):
    from retour.core.actors import Actor
    from retour.returns.services import LineRequest, return_create

    rr = return_create(
        order=order,
        actor=Actor.customer("alice@example.com"),
        lines=[LineRequest(line1.id, 2, "too_small"), LineRequest(line2.id, 1, "too_small")],
    )
    html = start(Client(), email="bob@example.com").content.decode()
    assert rr.token not in html and "already in a return" not in html


def test_the_withdrawal_form_is_rate_limited(order, settings):
    settings.LOOKUP_RATE_LIMIT = 1
    start(Client(), email="bob@example.com")

    assert start(Client()).status_code == 429


def test_the_real_customer_gets_past_guesses_on_their_order_number(order, settings):
    settings.LOOKUP_RATE_LIMIT = 2
    for i in range(6):
        Client(REMOTE_ADDR=f"10.9.0.{i}").post(
            url("withdraw", store="shop"),
            {"name": "M", "order_number": "1001", "email": f"guess{i}@example.com"},
        )

    response = start(Client(REMOTE_ADDR="10.9.1.1"))

    assert response.status_code == 302 and response.url == url("withdraw_confirm", store="shop")


def test_the_confirmation_step_is_separate_and_creates_nothing_by_itself(order):
    client = Client()
    response = start(client)

    assert response.status_code == 302 and response.url == url("withdraw_confirm", store="shop")
    html = client.get(response.url).content.decode()
    assert "Confirm withdrawal" in html
    assert "I, Alice Martin, hereby withdraw from my contract" in html
    assert html.count('type="checkbox"') == 2 and html.count("checked") == 2
    assert not ReturnRequest.objects.exists()


def test_the_confirmation_without_the_first_step_goes_back_to_the_form(store):
    response = Client().get(url("withdraw_confirm", store="shop"))

    assert response.status_code == 302 and response.url == url("withdraw", store="shop")


def test_confirming_creates_a_statutory_withdrawal_of_all_items_by_default(order, line1, line2):
    client = Client()
    start(client)

    response = client.post(
        url("withdraw_confirm", store="shop"),
        {f"line_{line1.id}": "1", f"qty_{line1.id}": "2", f"line_{line2.id}": "1", f"qty_{line2.id}": "1"},
    )

    rr = ReturnRequest.objects.get()
    assert response.status_code == 302 and response.url == url("acknowledgement", token=rr.token)
    assert rr.is_withdrawal_statement and rr.right == Right.WITHDRAWAL
    assert (rr.channel, rr.resolution) == ("portal", "refund")
    assert sorted(rr.lines.values_list("order_line_id", "quantity")) == sorted([(line1.id, 2), (line2.id, 1)])
    assert rr.include_shipping_refund  # the whole order is withdrawn
    statement = Message.objects.get(return_request=rr)
    assert statement.author_name == "Alice Martin"
    assert "hereby withdraw from my contract for order 1001" in statement.body
    assert Notification.objects.get(return_request=rr).kind == "withdrawal_acknowledged"


def test_unticked_items_are_left_out(order, line1, line2):
    client = Client()
    start(client)

    client.post(url("withdraw_confirm", store="shop"), {f"line_{line2.id}": "1", f"qty_{line2.id}": "1"})

    assert list(ReturnRequest.objects.get().lines.values_list("order_line_id", flat=True)) == [line2.id]


def test_confirming_with_no_item_is_refused(order):
    client = Client()
    start(client)

    html = client.post(url("withdraw_confirm", store="shop"), {}).content.decode()

    assert "Choose at least one item." in html
    assert not ReturnRequest.objects.exists()


def test_the_acknowledgement_page_and_email_carry_the_statement_and_its_time(
    order, line1, immediate_tasks, django_capture_on_commit_callbacks
):
    client = Client()
    start(client)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("withdraw_confirm", store="shop"), {f"line_{line1.id}": "1"}, follow=True)

    rr = ReturnRequest.objects.get()
    html = response.content.decode()
    assert "Your withdrawal has been received" in html
    assert "I, Alice Martin, hereby withdraw from my contract" in html
    assert rr.number in html and "alice@example.com" in html
    assert "Received on" in html
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["alice@example.com"]
    assert "1001" in email.body and rr.number in email.body
    assert "T-shirt M" in email.body


def test_the_acknowledgement_of_an_ordinary_return_goes_to_its_status_page(order, line1):
    from retour.core.actors import Actor
    from retour.returns.services import LineRequest, return_create

    rr = return_create(
        order=order, actor=Actor.customer("a@b.c"), lines=[LineRequest(line1.id, 1, "too_small")]
    )

    response = Client().get(url("acknowledgement", token=rr.token))

    assert response.status_code == 302 and response.url == url("status", token=rr.token)


def test_the_french_withdrawal_page_has_the_french_lang_attribute(store):
    assert '<html lang="fr">' in Client().get(url("withdraw", "fr", store="shop")).content.decode()


def test_the_acknowledgement_repeats_the_statement_as_typed(settings, django_capture_on_commit_callbacks):
    """Art. 11a: the acknowledgement carries the content of the statement (the name as typed)."""
    from django.core import mail

    from retour.portal.services import portal_withdrawal_submit
    from retour.returns.services import LineRequest
    from retour.stores.services import store_create

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    from conftest import order_payload
    from retour.orders.schemas import OrderIn
    from retour.orders.services import order_upsert

    store = store_create(slug="ack", name="Ack", country="FR", language="fr")
    order, _ = order_upsert(store=store, data=OrderIn(**order_payload("A1", delivered_days_ago=2)))
    with django_capture_on_commit_callbacks(execute=True):
        portal_withdrawal_submit(
            order=order,
            name="Alice Q. Martin",
            email="alice@example.com",
            lines=[LineRequest(order.lines.get().id, 1, "other")],
        )
    (message,) = mail.outbox
    assert "Je soussigné(e) Alice Q. Martin (alice@example.com)" in message.body
    assert "Alice Q. Martin" in message.alternatives[0][0]


def test_the_withdrawal_of_a_sealed_item_asks_about_the_seal(store, make_order):
    make_order(
        "1001",
        lines=[
            {
                "ref": "L1",
                "sku": "SERUM",
                "title": "Serum",
                "quantity": 1,
                "unit_price": "42.00",
                "legal_exclusion": "sealed_hygiene",
            }
        ],
    )
    serum = store.orders.get().lines.get()
    client = Client()
    start(client)
    page = client.get(url("withdraw_confirm", store="shop")).content.decode()
    assert "Has the seal been opened?" in page
    missing = client.post(
        url("withdraw_confirm", store="shop"), {f"line_{serum.id}": "1", f"qty_{serum.id}": "1"}
    )
    assert "Serum: tell us whether the seal has been opened." in missing.content.decode()
    opened = client.post(
        url("withdraw_confirm", store="shop"),
        {f"line_{serum.id}": "1", f"qty_{serum.id}": "1", f"seal_{serum.id}": "yes"},
    )
    assert "cannot be returned for health and hygiene reasons" in opened.content.decode()
    assert not ReturnRequest.objects.exists()
    done = client.post(
        url("withdraw_confirm", store="shop"),
        {f"line_{serum.id}": "1", f"qty_{serum.id}": "1", f"seal_{serum.id}": "no"},
    )
    assert done.status_code == 302
    assert ReturnRequest.objects.get().lines.get().seal_opened is False


def test_the_acknowledgement_says_exactly_what_will_be_refunded_and_why(
    store, order, line2, settings, django_capture_on_commit_callbacks
):
    from decimal import Decimal

    from retour.policies.services import policy_update

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    policy_update(store=store, changes={"return_shipping_fee": Decimal("2.00")})
    client = Client()
    start(client)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("withdraw_confirm", store="shop"), {f"line_{line2.id}": "1", f"qty_{line2.id}": "1"}
        )
    html = client.get(response.url).content.decode()
    # The mug (12.00) of a 52.00 order: its share of the 4.90 standard delivery is 1.13.
    assert "Paid for the items</dt><dd>€12.00" in html
    assert "Standard delivery refunded</dt><dd>€1.13" in html
    assert "which you bear as our return policy told you before your order</dt><dd>− €2.00" in html
    assert "<strong>€11.13</strong>" in html
    body = mail.outbox[-1].body  # the shop writes in French
    assert "Nous vous rembourserons 11,13\xa0€" in body, body
    assert (
        "12,00\xa0€ payés pour les articles, plus 1,13\xa0€ de frais de livraison standard, moins 2,00\xa0€ "
        "pour le coût direct du renvoi, à votre charge comme notre politique de retour vous l'a indiqué"
        in body
    )
    assert "les sommes versées" not in body
