from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.utils import timezone

from retour.catalog.models import Product
from retour.orders.models import Order
from retour.returns.models import ReturnEvent, ReturnRequest, Status
from retour.returns.returnability import order_returnability
from retour.stores.demo import TRY_ORDERS, demo_load
from retour.stores.models import Store, StoreMembership


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def demo(db, data_dir):
    return demo_load()


def _snapshot():
    from retour.notifications.models import Notification
    from retour.resolutions.models import Refund

    return {
        model.__name__: model.objects.count()
        for model in (
            Store,
            Product,
            Order,
            ReturnRequest,
            ReturnEvent,
            Refund,
            Notification,
            StoreMembership,
        )
    }


def test_the_demo_store_is_french_with_a_main_and_a_third_party_location(demo):
    store = Store.objects.get(slug="demo")
    assert (store.name, store.country, store.currency, store.language) == ("Maison Démo", "FR", "EUR", "fr")
    assert set(store.locations.values_list("code", flat=True)) == {"main", "entrepot-lyon"}
    main = store.locations.get(code="main")
    assert main.postal_code == "75011" and main.city == "Paris" and main.line1
    assert Product.objects.filter(store=store).count() == 20
    assert Product.objects.filter(store=store, group="TSHIRT-BIO").count() == 6  # variants to exchange for


def test_the_orders_come_from_seven_countries_and_every_channel_with_varied_deliveries(demo):
    orders = Order.objects.filter(store__slug="demo")
    assert orders.count() == 60
    assert set(orders.values_list("ship_country", flat=True)) == {"FR", "DE", "BE", "ES", "IT", "GB", "US"}
    assert set(orders.values_list("channel", flat=True)) == {"web", "store", "phone", "marketplace"}
    assert orders.filter(ship_postal_code__startswith="57", ship_country="FR").exists()  # Moselle
    assert orders.filter(ship_country="DE", ship_subdivision="BY").exists()  # Bavaria
    assert orders.filter(ship_country="ES", ship_city="Madrid").exists()
    now = timezone.now()
    assert orders.filter(delivered_at__gt=now - timedelta(days=14)).exists()
    assert orders.filter(
        delivered_at__lte=now - timedelta(days=14), delivered_at__gt=now - timedelta(days=30)
    ).exists()
    assert orders.filter(delivered_at__lte=now - timedelta(days=30)).exists()
    assert orders.filter(delivered_at__isnull=True).exists()
    lines = {(ln.sku, ln.final_sale, ln.legal_exclusion) for o in orders for ln in o.lines.all()}
    assert ("SERUM-VISAGE", False, "sealed_hygiene") in lines and ("ECHARPE-SOLDE", True, "") in lines


def test_there_is_a_return_in_every_status_made_through_the_services(demo):
    returns = ReturnRequest.objects.filter(store__slug="demo")
    assert set(returns.values_list("status", flat=True)) == set(Status.values)
    for rr in returns:
        actions = list(rr.events.order_by("at", "id").values_list("action", flat=True))
        assert actions[0] == "created"  # every return has its audit trail from the start
    assert returns.filter(resolution="exchange", exchange_items__isnull=False).exists()
    assert returns.filter(is_withdrawal_statement=True).exists()
    assert returns.filter(status="completed", refunds__method="store_credit").exists()


def test_the_documented_orders_are_fresh_and_returnable(demo):
    for number, email, _note in TRY_ORDERS:
        order = Order.objects.get(store__slug="demo", number=number)
        assert order.customer.email == email
        assert not order.returns.exists()
        assert any(e.eligible for e in order_returnability(order=order))
    alice = Order.objects.get(store__slug="demo", number="1001")
    assert alice.ship_country == "FR" and (timezone.now() - alice.delivered_at).days == 3
    bob = Order.objects.get(store__slug="demo", number="1002")
    assert bob.ship_country == "DE" and (timezone.now() - bob.delivered_at).days == 10


def test_the_demo_admin_and_staff_log_in_with_the_password_kept_in_the_data_dir(demo, data_dir):
    password = (data_dir / "demo_admin_password").read_text().strip()
    assert password and password == demo.admin_password
    assert oct((data_dir / "demo_admin_password").stat().st_mode & 0o777) == "0o600"
    admin = authenticate(username="admin", password=password)
    assert admin is not None and admin.is_superuser and admin.is_staff
    roles = dict(StoreMembership.objects.filter(store__slug="demo").values_list("user__username", "role"))
    assert roles == {"admin": "admin", "agent": "agent", "warehouse": "warehouse"}
    assert authenticate(username="agent", password=password) is not None
    assert (
        password in demo.report() and "order 1001" in demo.report() and "alice@example.com" in demo.report()
    )


def test_loading_the_demo_again_changes_nothing_and_says_so(demo):
    before = _snapshot()
    again = demo_load(now=timezone.now() + timedelta(days=2))
    assert not again.changed and "already loaded: nothing changed" in again.report()
    assert again.admin_password == demo.admin_password
    assert _snapshot() == before


def test_the_demo_emails_are_queued_for_after_commit(db, data_dir, django_capture_on_commit_callbacks):
    from retour.notifications.models import Notification

    with django_capture_on_commit_callbacks() as callbacks:
        demo_load()
    queued = Notification.objects.filter(store__slug="demo", status="pending")
    assert queued.count() == len([c for c in callbacks if "enqueue" in repr(c)]) or queued.count() <= len(
        callbacks
    )
    assert set(queued.values_list("kind", flat=True)) >= {
        "return_created",
        "return_approved",
        "refund_issued",
    }


def test_an_existing_admin_user_of_someone_else_is_never_rekeyed(db, data_dir):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser("admin", "boss@example.com", "the-real-password")
    result = demo_load()
    assert authenticate(username="admin", password="the-real-password") is not None
    assert "existed before the demo" in result.report()
    assert authenticate(username="agent", password=result.admin_password) is not None
