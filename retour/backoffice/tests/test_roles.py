"""The role matrix: every workspace view and action × role × own store / other store /
other location. A partner sees only the returns routed to its location, everywhere."""

from __future__ import annotations

import pytest

from retour.backoffice.tests.conftest import url
from retour.returns.models import ReturnRequest

pytestmark = pytest.mark.django_db

ROLES = ("admin", "agent", "warehouse", "partner", "partner_main")

# Written out here rather than read from the permission table, so that a change there shows.
ALLOWED = {
    "approve": {"admin", "agent"},
    "reject": {"admin", "agent"},
    "cancel": {"admin", "agent"},
    "ship": {"admin", "agent", "warehouse", "partner", "partner_main"},
    "receive": {"admin", "warehouse", "partner", "partner_main"},
    "inspect": {"admin", "warehouse", "partner", "partner_main"},
    "refund": {"admin", "agent"},
    "close": {"admin", "agent"},
    "assign": {"admin", "agent"},
    "note": {"admin", "agent", "warehouse", "partner", "partner_main"},
}
PAGES = {
    "home": set(ROLES),
    "receive": {"admin", "warehouse", "partner", "partner_main"},
}
# Which location each role sees: None = the whole store.
SEES = {"admin": None, "agent": None, "warehouse": None, "partner": "depot", "partner_main": "main"}


@pytest.fixture
def returns(make_return, other_store, staff):
    """One return at the default location (never routed: it goes to main), one routed to
    the depot, one of the other store."""
    return {
        "main": make_return("1001"),
        "depot": make_return("1002", location="depot"),
        "other": make_return("9001", target_store=other_store),
    }


def visible(role: str, where: str) -> bool:
    if where == "other":
        return role == "outsider"
    return SEES.get(role) in (None, where) if role != "outsider" else False


@pytest.mark.parametrize("role", [*ROLES, "outsider"])
@pytest.mark.parametrize("page", sorted(PAGES))
def test_pages_by_role(signed_in, returns, role, page):
    allowed = role in PAGES[page] or role == "outsider"
    response = signed_in(role).get(url(page))
    assert response.status_code == (200 if allowed else 403)


@pytest.mark.parametrize("role", [*ROLES, "outsider"])
@pytest.mark.parametrize("where", ["main", "depot", "other"])
def test_return_page_by_role_and_place(signed_in, returns, role, where):
    rr = returns[where]
    response = signed_in(role).get(url("return", number=rr.number))
    assert response.status_code == (200 if visible(role, where) else 404)
    station = signed_in(role).get(url("receive_return", number=rr.number))
    if role in PAGES["receive"] or role == "outsider":
        assert station.status_code == (200 if visible(role, where) else 404)
    else:
        assert station.status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_the_list_search_and_counts_show_only_what_the_role_sees(signed_in, returns, role):
    response = signed_in(role).get(url("home"))
    shown = {row["rr"].number for row in response.context["rows"]}
    expected = {returns[w].number for w in ("main", "depot") if visible(role, w)}
    assert shown == expected
    counts = {code: n for code, _l, n in response.context["queues"]}
    assert counts["review"] == len(expected)
    searched = signed_in(role).get(url("home"), {"q": returns["depot"].number})
    assert len(searched.context["rows"]) == (1 if visible(role, "depot") else 0)
    scanned = signed_in(role).get(url("receive"), {"code": returns["depot"].number})
    if role in PAGES["receive"]:
        assert scanned.status_code == (302 if visible(role, "depot") else 404)


@pytest.mark.parametrize("action", sorted(ALLOWED))
@pytest.mark.parametrize("role", [*ROLES, "outsider"])
def test_actions_by_role(signed_in, returns, role, action):
    """Not allowed → 403 and nothing changes; allowed on a return one cannot see → 404;
    allowed and visible → the action runs (or is refused with a reason), then back to the page."""
    client = signed_in(role)
    for where, rr in returns.items():
        before = ReturnRequest.objects.get(pk=rr.pk)
        response = client.post(url("return_action", number=rr.number, name=action), {"note": "n"})
        if role != "outsider" and role not in ALLOWED[action]:
            assert response.status_code == 403
        elif not visible(role, where):
            assert response.status_code == 404
        else:
            assert response.status_code == 302
            assert response["Location"] == url("return", number=rr.number)
        if response.status_code != 302:
            after = ReturnRequest.objects.get(pk=rr.pk)
            assert (after.status, after.updated_at) == (before.status, before.updated_at)


@pytest.mark.parametrize("role", ROLES)
def test_bulk_approve_by_role(signed_in, returns, role):
    response = signed_in(role).post(
        url("bulk"), {"action": "approve", "numbers": [r.number for r in returns.values()]}
    )
    statuses = {w: ReturnRequest.objects.get(pk=r.pk).status for w, r in returns.items()}
    if role in ALLOWED["approve"]:
        assert response.status_code == 302
        assert statuses == {"main": "approved", "depot": "approved", "other": "requested"}
    else:
        assert response.status_code == 403
        assert set(statuses.values()) == {"requested"}


def test_store_switcher_changes_the_store_and_ignores_foreign_stores(signed_in, staff, other_store, returns):
    from retour.stores.services import staff_add, store_create

    staff_add(store=other_store, username="agent", role="warehouse")
    store_create(slug="third", name="Third", country="FR")
    client = signed_in("agent")
    home = client.get(url("home"))
    assert home.context["staff"].store.slug == "shop" and 'name="store"' in home.content.decode()
    client.post(url("switch_store"), {"store": "other"})
    home = client.get(url("home"))
    assert (home.context["staff"].store.slug, home.context["staff"].role) == ("other", "warehouse")
    assert {row["rr"].number for row in home.context["rows"]} == {returns["other"].number}
    client.post(url("switch_store"), {"store": "third"})
    assert client.get(url("home")).context["staff"].store.slug == "other"


def test_a_partner_sees_only_the_photos_of_its_location(signed_in, returns, settings, tmp_path):
    from django.core.files.base import ContentFile

    from retour.returns.models import ReturnPhoto

    photos = {}
    for where in ("main", "depot"):
        photo = ReturnPhoto(return_request=returns[where])
        photo.image.save(f"{where}.jpg", ContentFile(b"\xff\xd8jpeg"), save=False)
        photo.thumbnail.save(f"{where}-t.jpg", ContentFile(b"\xff\xd8jpeg"), save=False)
        photo.save()
        photos[where] = photo
    client = signed_in("partner")
    assert client.get(f"/media/{photos['depot'].image.name}").status_code == 200
    assert client.get(f"/media/{photos['main'].image.name}").status_code == 404
    assert signed_in("agent").get(f"/media/{photos['main'].image.name}").status_code == 200


def test_the_station_answers_unknown_and_foreign_codes_alike_and_changes_nothing(signed_in, returns):
    client = signed_in("partner")
    for code in ("NOPE-1", returns["main"].number, returns["other"].number):
        response = client.get(url("receive"), {"code": code})
        assert response.status_code == 404
        assert "No return of yours matches" in response.content.decode()
    assert {r.status for r in ReturnRequest.objects.all()} == {"requested"}
    ok = client.get(url("receive"), {"code": returns["depot"].number.lower()})
    assert ok.status_code == 302 and ok["Location"] == url("receive_return", number=returns["depot"].number)
