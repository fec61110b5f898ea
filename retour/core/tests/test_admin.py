"""The admin as interim back office: every model listed without N+1, service-written rows
read-only, moves of a return only through actions that call the services, rows scoped by store.

One demo store is loaded for the whole class (``setUpTestData``); each test runs in a savepoint.
"""

from __future__ import annotations

import tempfile

from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client, TestCase, override_settings
from django.urls import reverse

from retour.notifications.models import Notification
from retour.policies.models import Policy
from retour.returns.models import ReturnEvent, ReturnRequest
from retour.stores.demo import demo_load
from retour.stores.models import ApiKey, Store, StoreMembership
from retour.stores.services import apikey_authenticate, staff_add, store_create

OUR_APPS = (
    "core",
    "stores",
    "catalog",
    "orders",
    "policies",
    "returns",
    "resolutions",
    "notifications",
    "helpdesk",
)
OUR_MODELS = [m for app in OUR_APPS for m in apps.get_app_config(app).get_models()]


def _url(model, view="changelist", *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


class AdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        with tempfile.TemporaryDirectory() as data_dir, override_settings(DATA_DIR=data_dir):
            demo_load()
        cls.demo = Store.objects.get(slug="demo")
        cls.shop = store_create(slug="shop", name="Maison Test", country="FR", currency="EUR", language="fr")

    def setUp(self):
        self.client.force_login(get_user_model().objects.get(username="admin"))

    def _client_for(self, store, username, role):
        client = Client()
        client.force_login(staff_add(store=store, username=username, role=role).user)
        return client

    def _act(self, action, returns, note="", client=None):
        data = {"action": action, "_selected_action": [r.pk for r in returns], "note": note}
        return (client or self.client).post(_url(ReturnRequest), data, follow=True)

    def test_every_model_of_retour_has_an_admin(self):
        assert set(OUR_MODELS) <= set(admin.site._registry)

    def test_each_list_and_detail_page_opens_with_a_bounded_number_of_queries(self):
        for model in OUR_MODELS:
            with self.subTest(model=model._meta.label):
                with self.assertNumQueriesLessThan(15):
                    response = self.client.get(_url(model))
                assert response.status_code == 200
                first = model.objects.order_by("pk").first()
                if first is not None:
                    assert self.client.get(_url(model, "change", first.pk)).status_code == 200

    def test_no_list_page_queries_once_per_row(self):
        """A page of one row and a full page cost the same queries: nothing is fetched per row."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from retour.helpdesk.services import message_post

        rr = ReturnRequest.objects.filter(store=self.demo).first()
        for body in ("Bonjour", "Merci"):  # the demo has no messages
            message_post(return_request=rr, author_type="customer", author_name="Alice", body=body)
        lyon = self.demo.locations.get(code="entrepot-lyon")
        for username in ("lyon", "lyon2"):  # staff tied to a location (no service sets it yet)
            membership = staff_add(store=self.demo, username=username, role="warehouse")
            StoreMembership.objects.filter(pk=membership.pk).update(location=lyon)
        checked = 0
        for model in OUR_MODELS:
            if model.objects.count() < 2:
                continue
            model_admin = admin.site._registry[model]
            counts = []
            for per_page in (1, 100):
                model_admin.list_per_page = per_page
                try:
                    with CaptureQueriesContext(connection) as queries:
                        assert self.client.get(_url(model)).status_code == 200
                finally:
                    del model_admin.list_per_page
                counts.append(len(queries))
            with self.subTest(model=model._meta.label):
                assert counts[0] == counts[1], counts
            checked += 1
        assert checked >= 15  # the check saw most lists with several rows

    def assertNumQueriesLessThan(self, limit):  # noqa: N802 - unittest style
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        test = self

        class _Limit(CaptureQueriesContext):
            def __exit__(self, *exc):
                super().__exit__(*exc)
                test.assertLess(
                    len(self.captured_queries), limit, "\n".join(q["sql"] for q in self.captured_queries)
                )

        return _Limit(connection)

    def test_the_audit_trail_cannot_be_added_changed_or_deleted(self):
        event = ReturnEvent.objects.first()
        assert self.client.get(_url(ReturnEvent, "add")).status_code == 403
        assert (
            self.client.post(_url(ReturnEvent, "change", event.pk), {"action": "hacked"}).status_code == 403
        )
        assert self.client.post(_url(ReturnEvent, "delete", event.pk), {"post": "yes"}).status_code == 403
        event.refresh_from_db()
        assert event.action != "hacked"

    def test_a_returns_status_is_never_edited_in_the_admin(self):
        rr = ReturnRequest.objects.filter(status="requested").first()
        page = self.client.get(_url(ReturnRequest, "change", rr.pk)).content.decode()
        assert 'name="status"' not in page
        assert (
            self.client.post(_url(ReturnRequest, "change", rr.pk), {"status": "completed"}).status_code == 403
        )
        assert self.client.get(_url(ReturnRequest, "add")).status_code == 403
        rr.refresh_from_db()
        assert rr.status == "requested"

    def test_approving_from_the_admin_goes_through_the_service_with_the_staff_member_as_actor(self):
        rr = ReturnRequest.objects.filter(status="requested").first()
        response = self._act("approve", [rr], note="OK pour moi")
        assert "Returns approved: 1" in response.content.decode()
        rr.refresh_from_db()
        assert rr.status == "approved"
        event = rr.events.latest("id")
        assert (event.action, event.actor_type, event.actor_name, event.data.get("note")) == (
            "approved",
            "user",
            "admin",
            "OK pour moi",
        )
        assert rr.notifications.filter(kind="return_approved").exists()

    def test_a_rejection_from_the_admin_carries_the_reason_typed_in_the_box(self):
        rr = ReturnRequest.objects.filter(status="requested").first()
        self._act("reject", [rr], note="Hors délai")
        rr.refresh_from_db()
        assert rr.status == "rejected" and rr.events.latest("id").data["reason"] == "Hors délai"

    def test_a_move_the_lifecycle_refuses_is_reported_and_changes_nothing(self):
        done = ReturnRequest.objects.filter(status="completed").first()
        events = done.events.count()
        response = self._act("approve", [done])
        messages = [str(m) for m in response.context["messages"]]
        assert any(m.startswith(done.number + ": ") for m in messages), messages
        done.refresh_from_db()
        assert done.status == "completed" and done.events.count() == events

    def test_staff_see_only_the_returns_of_their_own_store(self):
        client = self._client_for(self.shop, "sam", "agent")
        listing = client.get(_url(ReturnRequest))
        assert listing.status_code == 200 and listing.context["cl"].result_count == 0
        other = ReturnRequest.objects.filter(store=self.demo, status="requested").first()
        assert client.get(_url(ReturnRequest, "change", other.pk)).status_code == 302  # "not found"
        self._act("approve", [other], client=client)
        other.refresh_from_db()
        assert other.status == "requested"

    def test_an_agent_acts_on_returns_but_a_warehouse_member_cannot(self):
        agent = self._client_for(self.demo, "agent2", "agent")
        actions = dict(agent.get(_url(ReturnRequest)).context["action_form"].fields["action"].choices)
        assert "approve" in actions and "refund_original" in actions
        warehouse = self._client_for(self.demo, "dock", "warehouse")
        listing = warehouse.get(_url(ReturnRequest))
        assert (
            listing.context["cl"].result_count > 0 and listing.context["action_form"] is None
        )  # looks, no moves
        page = warehouse.get(_url(Policy, "change", self.demo.policy.pk))
        assert page.status_code == 200 and page.context["has_change_permission"] is False

    def test_an_api_key_made_in_the_admin_is_shown_once_and_only_its_hash_is_kept(self):
        data = {"store": self.demo.pk, "role": "agent", "name": "helpdesk"}
        response = self.client.post(_url(ApiKey, "add"), data, follow=True)
        message = next(str(m) for m in response.context["messages"] if "shown this once" in str(m))
        raw = message.rsplit(" ", 1)[-1]
        key = apikey_authenticate(raw)
        assert key is not None and key.role == "agent" and key.name == "helpdesk" and raw not in key.key_hash

    def test_the_policy_form_applies_the_policy_services_rules(self):
        policy = self.demo.policy
        data = {
            "window_days": 30,
            "window_starts": "delivery",
            "restocking_fee_percent": "150",
            "return_shipping_fee": "4.90",
            "store_credit_bonus_percent": "10",
            "allowed_resolutions": '["refund", "store_credit", "exchange"]',
            "refund_trigger": "on_inspection",
            "auto_approve": "",
            "apply_statutory_rights": "on",
            "return_costs_borne_by_customer": "on",
            "store_credit_expiry_months": 0,
            "keep_it_max_value": "0",
            "keep_it_reasons": "[]",
            "keep_it_categories": "[]",
        }
        response = self.client.post(_url(Policy, "change", policy.pk), data)
        assert response.status_code == 200 and "Must be between 0 and 100" in response.content.decode()
        policy.refresh_from_db()
        assert policy.restocking_fee_percent == 0
        data["restocking_fee_percent"] = "5"
        assert self.client.post(_url(Policy, "change", policy.pk), data).status_code == 302
        policy.refresh_from_db()
        assert policy.restocking_fee_percent == 5

    def test_a_store_added_in_the_admin_gets_its_main_location_policy_and_reasons(self):
        data = {
            "name": "Nouvelle boutique",
            "slug": "nouvelle",
            "country": "BE",
            "currency": "EUR",
            "language": "fr",
            "time_zone": "Europe/Brussels",
            "brand_color": "#123456",
        }
        response = self.client.post(_url(Store, "add"), data)
        assert response.status_code == 302, response.content.decode()[:3000]
        store = Store.objects.get(slug="nouvelle")
        assert store.locations.filter(code="main", is_default=True).exists()
        assert Policy.objects.filter(store=store).exists() and store.reasons.count() >= 9

    def test_failed_notifications_can_be_queued_again_but_sent_ones_never(self):
        failed, sent = Notification.objects.order_by("id")[:2]
        Notification.objects.filter(pk=failed.pk).update(status="failed", attempts=6, last_error="SMTP down")
        Notification.objects.filter(pk=sent.pk).update(status="sent")
        self.client.post(_url(Notification), {"action": "retry", "_selected_action": [failed.pk, sent.pk]})
        failed.refresh_from_db()
        sent.refresh_from_db()
        assert (failed.status, failed.attempts) == ("pending", 0)
        assert sent.status == "sent"
