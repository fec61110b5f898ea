"""FAQ defaults and lists, messages on returns: services, selectors and the admin."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client

from retour.core.errors import ValidationFailed
from retour.helpdesk.models import FaqEntry, Message
from retour.helpdesk.selectors import faq_get, faq_list, message_list
from retour.helpdesk.services import DEFAULT_FAQ, faq_create_defaults, message_post, messages_mark_read
from retour.policies.services import policy_update
from retour.returns.services import LineRequest, return_create
from retour.stores.services import staff_add

NOW = datetime(2026, 7, 10, 9, 30, tzinfo=UTC)


@pytest.fixture
def a_return(store, make_order, customer_actor):
    order = make_order("H-1")
    return return_create(
        order=order,
        actor=customer_actor,
        lines=[LineRequest(line_id=order.lines.get().id, quantity=1, reason="too_small")],
    )


def test_defaults_cover_the_common_questions_in_both_languages(store):
    # store_create already wrote them; a second call adds nothing
    assert faq_create_defaults(store=store) == 0
    assert FaqEntry.objects.filter(store=store).count() == len(DEFAULT_FAQ) == 8
    entries = list(FaqEntry.objects.filter(store=store))
    assert all(e.question_en and e.question_fr and e.answer_en and e.answer_fr for e in entries)
    codes = {e.code for e in entries}
    assert {
        "refund_when",
        "print_slip",
        "how_to_ship",
        "exchange",
        "how_long",
        "defective",
        "cancel",
        "withdrawal",
    } == codes


def test_defaults_can_run_twice_without_duplicates_or_overwriting_edits(store):
    faq_create_defaults(store=store)
    FaqEntry.objects.filter(store=store, code="exchange").update(answer_en="Edited by staff")
    FaqEntry.objects.filter(store=store, code="cancel").delete()
    assert faq_create_defaults(store=store) == 1
    assert FaqEntry.objects.filter(store=store).count() == 8
    assert FaqEntry.objects.get(store=store, code="exchange").answer_en == "Edited by staff"


def test_faq_list_speaks_the_language_and_keeps_the_order(store):
    faq_create_defaults(store=store)
    en = faq_list(store=store, language="en")
    fr = faq_list(store=store, language="fr-CA")
    assert en[0].question == "When will I be refunded?"
    assert fr[0].question == "Quand serai-je remboursé ?"
    assert [a.id for a in en] == [a.id for a in fr]
    assert faq_list(store=store, language="de")[0].question == "When will I be refunded?"


def test_answers_are_filled_from_the_current_policy(store, settings):
    settings.BASE_URL = "https://r.example"
    faq_create_defaults(store=store)
    policy_update(store=store, changes={"window_days": 45, "refund_trigger": "on_receipt"})
    store.refresh_from_db()
    answers = {a.question: a.answer for a in faq_list(store=store, language="en")}
    assert "45 days from delivery" in answers["How long do I have to return an item?"]
    assert answers["When will I be refunded?"].startswith("We refund you as soon as we receive the parcel")
    assert "https://r.example/portal/shop/" in answers["What is the right of withdrawal?"]
    fr = {a.question: a.answer for a in faq_list(store=store, language="fr")}
    assert (
        "45 jours à compter de la livraison"
        in fr["De combien de temps est-ce que je dispose pour retourner un article ?"]
    )
    assert "{" not in "".join(fr.values())


def test_answers_in_english_for_another_language_take_english_values(store):
    # The entries have English and French texts only: a German shopper reads the English answer,
    # and the refund moment inside it must be English too, not the policy page's German.
    faq_create_defaults(store=store)
    policy_update(store=store, changes={"refund_trigger": "on_receipt"})
    store.refresh_from_db()
    answers = {a.question: a.answer for a in faq_list(store=store, language="de-AT")}
    assert answers["When will I be refunded?"].startswith("We refund you as soon as we receive the parcel")
    assert "sobald" not in "".join(answers.values())


def test_unknown_braces_in_staff_answers_are_left_alone(store):
    FaqEntry.objects.create(
        store=store, question_en="Q", question_fr="Q", answer_en="Use {code} {window_days}", answer_fr="x"
    )
    assert faq_list(store=store, language="en")[0].answer == "Use {code} 30"


def test_inactive_entries_and_other_stores_are_not_listed(store, other_store):
    faq_create_defaults(store=store)
    faq_create_defaults(store=other_store)
    FaqEntry.objects.filter(store=store, code="cancel").update(active=False)
    mine = faq_list(store=store, language="en")
    assert len(mine) == 7
    assert all(FaqEntry.objects.get(pk=a.id).store_id == store.id for a in mine)
    theirs = faq_list(store=other_store, language="en")[0]
    assert faq_get(store=store, faq_id=theirs.id, language="en") is None
    assert faq_get(store=store, faq_id=mine[0].id, language="en") == mine[0]


def test_a_missing_french_text_falls_back_to_english(store):
    FaqEntry.objects.create(
        store=store, question_en="Only English?", question_fr="", answer_en="Yes.", answer_fr=""
    )
    assert faq_list(store=store, language="fr")[0].question == "Only English?"


def test_message_post_stores_a_message_on_the_return(a_return):
    message = message_post(
        return_request=a_return,
        author_type="customer",
        author_name=" Alice ",
        body="  Where is my refund?  ",
        now=NOW,
    )
    assert message.store_id == a_return.store_id
    assert message.body == "Where is my refund?"
    assert message.author_name == "Alice"
    assert message.created_at == NOW
    assert message.read_at is None


def test_an_empty_message_is_refused(a_return):
    with pytest.raises(ValidationFailed) as exc:
        message_post(return_request=a_return, author_type="customer", author_name="Alice", body="   \n ")
    assert exc.value.errors[0]["code"] == "required"
    assert not Message.objects.exists()


def test_a_message_of_5000_characters_is_accepted_and_5001_refused(a_return):
    message_post(return_request=a_return, author_type="customer", author_name="A", body="x" * 5000)
    with pytest.raises(ValidationFailed) as exc:
        message_post(return_request=a_return, author_type="customer", author_name="A", body="x" * 5001)
    assert exc.value.errors[0]["code"] == "too_long"


def test_an_unknown_author_type_is_refused(a_return):
    with pytest.raises(ValidationFailed):
        message_post(return_request=a_return, author_type="robot", author_name="A", body="hi")


def test_message_list_is_the_returns_messages_oldest_first(a_return, store, make_order, customer_actor):
    later = NOW.replace(hour=11)
    message_post(return_request=a_return, author_type="staff", author_name="Bob", body="second", now=later)
    message_post(return_request=a_return, author_type="customer", author_name="Alice", body="first", now=NOW)
    order = make_order("H-2")
    other = return_create(
        order=order,
        actor=customer_actor,
        lines=[LineRequest(line_id=order.lines.get().id, quantity=1, reason="too_small")],
    )
    message_post(return_request=other, author_type="customer", author_name="Alice", body="elsewhere")
    assert [m.body for m in message_list(return_request=a_return)] == ["first", "second"]


def test_marking_read_touches_only_the_customers_unread_messages(a_return):
    message_post(return_request=a_return, author_type="customer", author_name="A", body="one")
    message_post(return_request=a_return, author_type="staff", author_name="B", body="reply")
    assert messages_mark_read(return_request=a_return, now=NOW) == 1
    assert messages_mark_read(return_request=a_return, now=NOW) == 0
    by_author = {m.author_type: m.read_at for m in message_list(return_request=a_return)}
    assert by_author == {"customer": NOW, "staff": None}


# --- admin -------------------------------------------------------------------------------------


@pytest.fixture
def agent_client(store):
    membership = staff_add(store=store, username="agent1", role="agent", password="a-long-password-1")
    client = Client()
    client.force_login(membership.user)
    return client


def test_staff_see_messages_with_the_return_number(agent_client, a_return):
    message_post(return_request=a_return, author_type="customer", author_name="Alice", body="Hello there")
    response = agent_client.get("/admin/helpdesk/message/?unread=yes")
    assert response.status_code == 200
    assert a_return.number in response.content.decode()
    assert "Hello there" in response.content.decode()


def test_staff_do_not_see_other_stores_messages(agent_client, other_store, make_order, customer_actor):
    order = make_order("H-9", target_store=other_store)
    rr = return_create(
        order=order,
        actor=customer_actor,
        lines=[LineRequest(line_id=order.lines.get().id, quantity=1, reason="too_small")],
    )
    message_post(return_request=rr, author_type="customer", author_name="Eve", body="Secret question")
    assert "Secret question" not in agent_client.get("/admin/helpdesk/message/").content.decode()


def test_agents_edit_the_faq(agent_client, store):
    faq_create_defaults(store=store)
    entry = FaqEntry.objects.get(store=store, code="exchange")
    assert agent_client.get(f"/admin/helpdesk/faqentry/{entry.pk}/change/").status_code == 200
    response = agent_client.post(
        f"/admin/helpdesk/faqentry/{entry.pk}/change/",
        {
            "question_en": "Can I swap?",
            "answer_en": "Yes.",
            "question_fr": "Échange ?",
            "answer_fr": "Oui.",
            "position": 5,
            "active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry.refresh_from_db()
    assert entry.question_en == "Can I swap?"


def test_a_staff_reply_goes_through_message_post(agent_client, a_return):
    message_post(return_request=a_return, author_type="customer", author_name="Alice", body="Help")
    response = agent_client.post(
        "/admin/helpdesk/message/add/", {"return_request": a_return.pk, "body": "We are on it."}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    reply = Message.objects.get(author_type="staff")
    assert (reply.author_name, reply.body, reply.store_id) == ("agent1", "We are on it.", a_return.store_id)
    assert Message.objects.get(author_type="customer").read_at is not None


def test_the_mark_read_action(agent_client, a_return):
    message = message_post(return_request=a_return, author_type="customer", author_name="Alice", body="Help")
    response = agent_client.post(
        "/admin/helpdesk/message/", {"action": "mark_read", "_selected_action": [message.pk]}
    )
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.read_at is not None
