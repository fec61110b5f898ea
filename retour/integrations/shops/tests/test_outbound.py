"""A shop's address is the merchant's to choose: Retour must not be pointed at its own networks."""

from __future__ import annotations

import pytest

from retour.core.errors import ValidationFailed
from retour.integrations.shops.models import ShopConnector
from retour.integrations.shops.tests.conftest import WOO_KEY, WOO_SECRET, WOO_WEBHOOK_SECRET


@pytest.fixture(autouse=True)
def shops_on_this_machine(settings):
    settings.SHOPS_ALLOW_PRIVATE = False  # the default of a real deployment


@pytest.mark.parametrize(
    "shop",
    ["http://127.0.0.1:8080", "https://10.0.0.5", "https://169.254.169.254", "https://[::ffff:127.0.0.1]"],
)
def test_an_internal_shop_address_is_refused_when_configured(store, shop):
    from retour.integrations.shops.services import connector_set

    with pytest.raises(ValidationFailed) as refused:
        connector_set(
            store=store,
            platform="woocommerce",
            shop=shop,
            token=WOO_SECRET,
            consumer_key=WOO_KEY,
            webhook_secret=WOO_WEBHOOK_SECRET,
        )
    assert refused.value.errors[0]["code"] == "internal_address"
    assert not ShopConnector.objects.filter(store=store).exists()


def test_a_sync_does_not_connect_to_an_internal_address(store, fake_woo, settings):
    from retour.integrations.shops.services import connector_set
    from retour.integrations.shops.sync import ShopSyncError, connector_sync

    settings.SHOPS_ALLOW_PRIVATE = True  # configured while allowed (or a name that later resolves inside)
    connector = connector_set(
        store=store,
        platform="woocommerce",
        shop=fake_woo.url,
        token=WOO_SECRET,
        consumer_key=WOO_KEY,
        webhook_secret=WOO_WEBHOOK_SECRET,
    )
    settings.SHOPS_ALLOW_PRIVATE = False
    with pytest.raises(ShopSyncError, match="loopback"):
        connector_sync(connector=connector, sleep=lambda seconds: None)
    assert fake_woo.requests == []  # never reached
    connector.refresh_from_db()
    assert "loopback" in connector.last_error
