"""policy_update: every caller (API, admin, CLI) gets the same checks and the same rounding."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from retour.core.errors import ValidationFailed
from retour.policies.models import Policy
from retour.policies.services import policy_update

pytestmark = pytest.mark.django_db


def test_the_return_fee_is_kept_with_the_currencys_decimals(store):
    policy_update(store=store, changes={"return_shipping_fee": Decimal("4.555")})
    assert Policy.objects.get(store=store).return_shipping_fee == Decimal("4.56")


def test_a_bad_value_changes_nothing_and_explains_itself_in_french(store):
    with translation.override("fr"):
        with pytest.raises(ValidationFailed) as exc:
            policy_update(store=store, changes={"window_days": 14, "refund_trigger": "someday"})
        assert str(exc.value.detail) == "La politique n'a pas été modifiée."
        assert exc.value.errors[0]["loc"] == ["refund_trigger"]
        assert str(exc.value.errors[0]["message"]).startswith("Doit être l'une des valeurs")
    assert Policy.objects.get(store=store).window_days == 30
