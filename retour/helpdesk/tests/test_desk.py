"""The help desk's domain: replies emailed to the customer, alerts of new messages, the unread
marker, predefined replies filled in for a return, the inbox and assignment."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from retour.core.actors import Actor
from retour.core.errors import Forbidden, ValidationFailed
from retour.helpdesk.models import Message, PredefinedReply
from retour.helpdesk.selectors import (
    assignee_choices,
    inbox_counts,
    inbox_list,
    predefined_reply_list,
    predefined_reply_render,
)
from retour.helpdesk.services import DEFAULT_REPLIES, message_post, message_reply
from retour.notifications.models import Notification
from retour.notifications.tasks import notification_send
from retour.returns.models import ReturnEvent
from retour.returns.services import LineRequest, return_approve, return_assign, return_create
from retour.stores.services import staff_add

NOW = datetime(2026, 7, 10, 9, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.BASE_URL = "https://returns.example.com"


@pytest.fixture
def new_return(store, make_order, customer_actor):
    def _make(number: str = "H-1", language: str = "fr", name: str = "Alice Martin", **order_fields):
        customer = {"email": f"{number.lower()}@example.com", "name": name, "language": language}
        order = make_order(number, customer=customer, **order_fields)
        rr = return_create(
            order=order,
            actor=customer_actor,
            lines=[LineRequest(line_id=order.lines.get().id, quantity=1, reason="too_small")],
        )
        Notification.objects.all().delete()  # the creation email is not what these tests are about
        return rr

    return _make


@pytest.fixture
def agent(store):
    membership = staff_add(store=store, username="claire", role="agent", email="claire@maison.example")
    membership.user.first_name = "Claire"
    membership.user.save()
    return membership.user


def as_actor(user, role="agent") -> Actor:
    return Actor(type="user", name=user.get_username(), user_id=user.pk, role=role)


def send(notification: Notification):
    assert notification_send(notification_id=notification.pk) == "sent"
    return mail.outbox[-1]


# --- a staff reply ---------------------------------------------------------------------------


def test_a_reply_is_emailed_to_the_customer_in_their_language(new_return, agent):
    rr = new_return(language="fr")
    message_reply(return_request=rr, actor=as_actor(agent), body="Bonjour, c'est noté.", now=NOW)
    row = Notification.objects.get(kind="message_reply")
    assert (row.recipient, row.language, row.return_request_id) == ("h-1@example.com", "fr", rr.pk)
    email = send(row)
    assert email.to == ["h-1@example.com"]
    assert email.subject == f"Une réponse à propos de votre retour {rr.number} — Maison Test"
    assert "Claire, de Maison Test, a répondu" in email.body
    assert "Bonjour, c'est noté." in email.body
    assert f"https://returns.example.com/portal/r/{rr.token}" in email.body


def test_a_reply_to_an_english_speaking_customer_is_in_english(new_return, agent):
    rr = new_return(language="en")
    message_reply(return_request=rr, actor=as_actor(agent), body="On it.")
    email = send(Notification.objects.get(kind="message_reply"))
    assert email.subject.startswith(f"A reply about your return {rr.number}")
    assert "Claire from Maison Test answered" in email.body and "On it." in email.body


def test_the_reply_is_sent_only_after_commit(new_return, agent, django_capture_on_commit_callbacks, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    rr = new_return()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message_reply(return_request=rr, actor=as_actor(agent), body="Hello")
    assert mail.outbox == [] and len(callbacks) == 1
    callbacks[0]()
    assert [m.to for m in mail.outbox] == [["h-1@example.com"]]


def test_the_reply_shows_on_the_portal_status_page_and_marks_the_customers_messages_read(new_return, agent):
    rr = new_return()
    question = message_post(return_request=rr, author_type="customer", author_name="Alice", body="Where?")
    message_reply(return_request=rr, actor=as_actor(agent), body="Your parcel arrived today.")
    question.refresh_from_db()
    assert question.read_at is not None
    reply = Message.objects.get(author_type="staff")
    assert (reply.author_user_id, reply.author_name) == (agent.pk, "Claire")
    page = Client().get(f"/fr/portal/r/{rr.token}").content.decode()
    assert "Your parcel arrived today." in page and "Where?" in page


@pytest.mark.parametrize("role", ["warehouse", "partner"])
def test_warehouse_and_partners_may_not_reply(new_return, store, role):
    rr = new_return()
    location = "main" if role == "partner" else None  # a partner works for one location
    user = staff_add(store=store, username=f"dock-{role}", role=role, location=location).user
    with pytest.raises(Forbidden):
        message_reply(return_request=rr, actor=as_actor(user, role=role), body="Hi")
    assert not Message.objects.exists() and not Notification.objects.exists()


def test_an_empty_reply_is_refused_and_nothing_is_queued(new_return, agent):
    rr = new_return()
    with pytest.raises(ValidationFailed):
        message_reply(return_request=rr, actor=as_actor(agent), body="  ")
    assert not Notification.objects.exists()


# --- a customer's message ----------------------------------------------------------------------


def test_a_customer_message_alerts_the_assignee_and_marks_the_return_unread(new_return, agent, store):
    rr = new_return()
    return_assign(return_request=rr, actor=as_actor(agent), assignee=agent)
    message_post(return_request=rr, author_type="customer", author_name="Alice", body="Is it on its way?")
    row = Notification.objects.get(kind="message_received")
    assert (row.recipient, row.language) == ("claire@maison.example", "fr")
    email = send(row)
    assert "Is it on its way?" in email.body
    assert f"https://returns.example.com/staff/returns/{rr.number}/" in email.body
    assert [r.number for r in inbox_list(store=store, state="unread")] == [rr.number]


def test_without_an_assignee_the_stores_support_address_is_alerted(new_return, store):
    rr = new_return()
    message_post(return_request=rr, author_type="customer", author_name="Alice", body="Hello?")
    assert not Notification.objects.filter(kind="message_received").exists()  # no address at all
    store.support_email = "support@maison.example"
    store.save()
    rr.refresh_from_db()
    message_post(return_request=rr, author_type="customer", author_name="Alice", body="Anyone?")
    row = Notification.objects.get(kind="message_received")
    assert row.recipient == "support@maison.example"
    assert send(row).subject == f"Nouveau message de Alice sur le retour {rr.number}"


def test_staff_messages_alert_nobody(new_return, store, agent):
    store.support_email = "support@maison.example"
    store.save()
    rr = new_return()
    message_post(return_request=rr, author_type="staff", author_name="Claire", body="Note")
    assert not Notification.objects.exists()


# --- assignment ------------------------------------------------------------------------------


def test_assigning_records_who_gave_the_return_to_whom(new_return, agent, store):
    rr = new_return()
    boss = staff_add(store=store, username="boss", role="admin").user
    return_assign(return_request=rr, actor=as_actor(boss, "admin"), assignee=agent, now=NOW)
    return_assign(return_request=rr, actor=as_actor(boss, "admin"), assignee=agent, now=NOW)  # no-op
    rr.refresh_from_db()
    assert rr.assignee_id == agent.pk
    events = list(ReturnEvent.objects.filter(return_request=rr, action="assigned"))
    assert [(e.actor_name, e.data) for e in events] == [("boss", {"assignee": "claire"})]
    return_assign(return_request=rr, actor=as_actor(boss, "admin"), assignee=None)
    rr.refresh_from_db()
    assert rr.assignee_id is None


def test_the_shopper_does_not_see_staff_only_events(new_return, agent):
    rr = new_return()
    return_assign(return_request=rr, actor=as_actor(agent), assignee=agent)
    page = Client().get(f"/en/portal/r/{rr.token}").content.decode()
    assert "assigned" not in page and "Return requested" in page


def test_only_an_agent_or_admin_of_the_store_can_be_assigned(new_return, store, other_store):
    rr = new_return()
    dock = staff_add(store=store, username="dock", role="warehouse").user
    stranger = staff_add(store=other_store, username="stranger", role="agent").user
    for person in (dock, stranger):
        with pytest.raises(ValidationFailed) as exc:
            return_assign(return_request=rr, actor=Actor.system(), assignee=person)
        assert exc.value.errors[0]["code"] == "invalid_assignee"
    rr.refresh_from_db()
    assert rr.assignee_id is None and not ReturnEvent.objects.filter(action="assigned").exists()
    assert [u.username for u in assignee_choices(store=store)] == []
    staff_add(store=store, username="zoe", role="agent")
    staff_add(store=store, username="anna", role="admin")
    assert [u.username for u in assignee_choices(store=store)] == ["anna", "zoe"]


# --- predefined replies ------------------------------------------------------------------------


def test_a_new_store_has_the_default_replies_in_both_languages(store):
    replies = PredefinedReply.objects.filter(store=store)
    assert replies.count() == len(DEFAULT_REPLIES) >= 5
    assert all(r.title_en and r.title_fr and r.body_en and r.body_fr for r in replies)
    assert [c.title for c in predefined_reply_list(store=store, language="fr")][0] == "Nous nous en occupons"
    assert [c.title for c in predefined_reply_list(store=store, language="en")][0] == "We are looking into it"


def test_a_reply_is_filled_in_for_the_return_in_the_customers_language(new_return, store, agent):
    rr = new_return(language="fr", is_business=True)  # no withdrawal: sent back by the approval's end
    return_approve(return_request=rr, actor=as_actor(agent), now=datetime(2026, 12, 3, 10, 0, tzinfo=UTC))
    rr.refresh_from_db()
    reply = PredefinedReply.objects.get(store=store, code="how_to_send")
    text = predefined_reply_render(store=store, reply_id=reply.pk, return_request=rr, agent_name="Claire")
    assert text.startswith("Bonjour Alice Martin,")
    assert f"votre retour {rr.number} au plus tard le 2 janvier 2027" in text
    assert f"https://returns.example.com/portal/r/{rr.token}" in text
    assert text.endswith("Claire, Maison Test")
    assert "{" not in text


def test_an_english_customer_gets_the_english_text_and_dates(new_return, store, agent):
    rr = new_return("H-2", language="en", is_business=True)
    return_approve(return_request=rr, actor=as_actor(agent), now=datetime(2026, 12, 3, 10, 0, tzinfo=UTC))
    rr.refresh_from_db()
    reply = PredefinedReply.objects.get(store=store, code="how_to_send")
    text = predefined_reply_render(store=store, reply_id=reply.pk, return_request=rr)
    assert "by January 2, 2027" in text and text.startswith("Hello Alice Martin,")


def test_unknown_braces_stay_and_unknown_dates_read_as_a_dash(new_return, store):
    rr = new_return(language="en", is_business=True)  # no withdrawal: no statutory refund date
    reply = PredefinedReply.objects.create(
        store=store, title_en="T", title_fr="T", body_en="{code} {refund_due_by} {order_number}", body_fr="x"
    )
    assert predefined_reply_render(store=store, reply_id=reply.pk, return_request=rr) == "{code} — H-1"


def test_another_stores_or_an_inactive_reply_is_not_rendered(new_return, store, other_store):
    rr = new_return()
    theirs = PredefinedReply.objects.filter(store=other_store).first()
    assert predefined_reply_render(store=store, reply_id=theirs.pk, return_request=rr) is None
    mine = PredefinedReply.objects.filter(store=store).first()
    assert predefined_reply_render(store=other_store, reply_id=theirs.pk, return_request=rr) is None
    PredefinedReply.objects.filter(pk=mine.pk).update(active=False)
    assert predefined_reply_render(store=store, reply_id=mine.pk, return_request=rr) is None


# --- the inbox -------------------------------------------------------------------------------


def test_the_inbox_sorts_conversations_into_unread_open_and_answered(new_return, store, agent):
    quiet = new_return("H-0")
    unread = new_return("H-1")
    answered = new_return("H-2")
    message_post(return_request=unread, author_type="customer", author_name="A", body="one", now=NOW)
    message_post(return_request=answered, author_type="customer", author_name="B", body="two", now=NOW)
    message_reply(return_request=answered, actor=as_actor(agent), body="done", now=NOW.replace(hour=11))
    numbers = lambda **kw: [r.number for r in inbox_list(store=store, **kw)]  # noqa: E731
    assert numbers() == [answered.number, unread.number]
    assert quiet.number not in numbers()
    assert numbers(state="unread") == numbers(state="open") == [unread.number]
    assert numbers(state="answered") == [answered.number]
    first = inbox_list(store=store)[0]
    assert (first.last_author_type, first.last_body, first.unread_count) == ("staff", "done", 0)
    assert inbox_counts(store=store) == {"unread": 1, "open": 1, "answered": 1}
    return_assign(return_request=unread, actor=as_actor(agent), assignee=agent)
    assert numbers(assignee_id=agent.pk) == [unread.number]
    assert numbers(unassigned=True) == [answered.number]


def test_the_inbox_does_not_show_another_stores_conversations(new_return, store, other_store, make_order):
    order = make_order("X-1", target_store=other_store)
    theirs = return_create(
        order=order,
        actor=Actor.customer("x@example.com"),
        lines=[LineRequest(line_id=order.lines.get().id, quantity=1, reason="too_small")],
    )
    message_post(return_request=theirs, author_type="customer", author_name="X", body="secret")
    assert list(inbox_list(store=store)) == []


def test_the_inbox_costs_the_same_queries_for_one_and_many_conversations(new_return, store, agent):
    def cost() -> int:
        with CaptureQueriesContext(connection) as ctx:
            for row in inbox_list(store=store, state="open"):
                seen = (row.customer.email, row.order.number, row.assignee, row.last_body, row.unread_count)
                assert all(v is not None for v in seen[:2])
        return len(ctx.captured_queries)

    first = new_return("Q-0")
    return_assign(return_request=first, actor=as_actor(agent), assignee=agent)
    message_post(return_request=first, author_type="customer", author_name="A", body="?")
    one = cost()
    for i in range(1, 6):
        rr = new_return(f"Q-{i}")
        return_assign(return_request=rr, actor=as_actor(agent), assignee=agent)
        message_post(return_request=rr, author_type="customer", author_name="A", body="?")
    assert cost() == one == 1
