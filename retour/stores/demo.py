"""The demo store: something real on every page, from one idempotent command (``retour demo``).

Everything goes through the services (store_create, order_upsert, the return lifecycle), so the
demo data carries the same events, emails and stock movements as real activity. Each part is
created only when missing, so a second run changes nothing and says so. Dates are relative to
``now``: the two orders to try the portal with are always fresh on a first run.
"""

from __future__ import annotations

import os
import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from retour.catalog.models import Product
from retour.core import clock
from retour.core.actors import Actor
from retour.orders.models import Order
from retour.stores.models import Location, Store

SLUG = "demo"
PASSWORD_FILE = "demo_admin_password"
STAFF = (("admin", "admin"), ("agent", "agent"), ("warehouse", "warehouse"))

# The two orders documented in the README for trying the portal.
TRY_ORDERS = (
    ("1001", "alice@example.com", "France, delivered 3 days ago"),
    ("1002", "bob@example.com", "Germany (Bavaria), delivered 10 days ago"),
)

# sku | title | group | options (size, colour) | category | price
_PRODUCTS = """
TSHIRT-BIO-S-BLANC  | T-shirt coton bio blanc S      | TSHIRT-BIO   | S,blanc  | apparel     | 29.00
TSHIRT-BIO-M-BLANC  | T-shirt coton bio blanc M      | TSHIRT-BIO   | M,blanc  | apparel     | 29.00
TSHIRT-BIO-L-BLANC  | T-shirt coton bio blanc L      | TSHIRT-BIO   | L,blanc  | apparel     | 29.00
TSHIRT-BIO-S-MARINE | T-shirt coton bio marine S     | TSHIRT-BIO   | S,marine | apparel     | 29.00
TSHIRT-BIO-M-MARINE | T-shirt coton bio marine M     | TSHIRT-BIO   | M,marine | apparel     | 29.00
TSHIRT-BIO-L-MARINE | T-shirt coton bio marine L     | TSHIRT-BIO   | L,marine | apparel     | 29.00
JEAN-DROIT-38       | Jean droit brut 38             | JEAN-DROIT   | 38       | apparel     | 89.00
JEAN-DROIT-40       | Jean droit brut 40             | JEAN-DROIT   | 40       | apparel     | 89.00
JEAN-DROIT-42       | Jean droit brut 42             | JEAN-DROIT   | 42       | apparel     | 89.00
PULL-MERINOS-M-GRIS | Pull mérinos gris M            | PULL-MERINOS | M,gris   | apparel     | 119.00
PULL-MERINOS-L-GRIS | Pull mérinos gris L            | PULL-MERINOS | L,gris   | apparel     | 119.00
SNEAKER-CUIR-40     | Baskets cuir blanc 40          | SNEAKER-CUIR | 40       | shoes       | 135.00
SNEAKER-CUIR-41     | Baskets cuir blanc 41          | SNEAKER-CUIR | 41       | shoes       | 135.00
SNEAKER-CUIR-42     | Baskets cuir blanc 42          | SNEAKER-CUIR | 42       | shoes       | 135.00
SNEAKER-CUIR-43     | Baskets cuir blanc 43          | SNEAKER-CUIR | 43       | shoes       | 135.00
SERUM-VISAGE        | Sérum visage (flacon scellé)   |              |          | cosmetics   | 42.00
ECHARPE-SOLDE       | Écharpe laine — fin de série   |              |          | accessories | 19.90
ECOUTEURS-BT        | Écouteurs sans fil             |              |          | electronics | 79.00
ENCEINTE-BT         | Enceinte Bluetooth             |              |          | electronics | 149.00
CARTE-CADEAU-50     | Carte cadeau 50 €              |              |          | gift_card   | 50.00
"""
FINAL_SALE = {"ECHARPE-SOLDE"}
NOT_RETURNABLE = {"CARTE-CADEAU-50"}
LEGAL_EXCLUSION = {"SERUM-VISAGE": "sealed_hygiene"}

# key | email | name | language | country | postal code | city | street | subdivision
_CUSTOMERS = """
alice   | alice@example.com          | Alice Martin   | fr | FR | 75001    | Paris         | 12 rue de Rivoli         |
bob     | bob@example.com            | Bob Bauer      | de | DE | 80331    | München       | Marienplatz 8            | BY
camille | camille.dubois@example.com | Camille Dubois | fr | FR | 69002    | Lyon          | 4 quai Saint-Antoine     |
hugo    | hugo.lefevre@example.com   | Hugo Lefèvre   | fr | FR | 57000    | Metz          | 9 rue Serpenoise         |
lea     | lea.moreau@example.com     | Léa Moreau     | fr | FR | 33000    | Bordeaux      | 21 cours de l'Intendance |
julien  | julien.petit@example.com   | Julien Petit   | fr | FR | 67000    | Strasbourg    | 3 place Kléber           |
anna    | anna.schmidt@example.com   | Anna Schmidt   | de | DE | 10115    | Berlin        | Invalidenstraße 50       |
lukas   | lukas.weber@example.com    | Lukas Weber    | de | DE | 90402    | Nürnberg      | Königstraße 12           | BY
sophie  | sophie.peeters@example.com | Sophie Peeters | fr | BE | 1000     | Bruxelles     | Rue Neuve 30             |
lucas   | lucas.janssens@example.com | Lucas Janssens | fr | BE | 4000     | Liège         | Place Saint-Lambert 5    |
lucia   | lucia.garcia@example.com   | Lucía García   | es | ES | 28013    | Madrid        | Calle Mayor 10           | MD
pablo   | pablo.martinez@example.com | Pablo Martínez | es | ES | 28001    | Madrid        | Calle de Serrano 41      | MD
giulia  | giulia.rossi@example.com   | Giulia Rossi   | it | IT | 20121    | Milano        | Via Dante 7              |
marco   | marco.bianchi@example.com  | Marco Bianchi  | it | IT | 00184    | Roma          | Via Nazionale 120        |
oliver  | oliver.smith@example.com   | Oliver Smith   | en | GB | SW1A 2AA | London        | 10 Whitehall Place       |
emily   | emily.jones@example.com    | Emily Jones    | en | GB | M1 1AE   | Manchester    | 1 Piccadilly             |
emma    | emma.johnson@example.com   | Emma Johnson   | en | US | 10001    | New York      | 350 5th Avenue           | NY
noah    | noah.williams@example.com  | Noah Williams  | en | US | 94105    | San Francisco | 500 Howard St            | CA
"""


def _table(text: str) -> list[list[str]]:
    return [[cell.strip() for cell in row.split("|")] for row in text.strip().splitlines()]


def _options(raw: str) -> dict[str, str]:
    values = [v for v in raw.split(",") if v]
    return dict(zip(("size", "colour"), values, strict=False))


# sku, title, group, options, category, price
PRODUCTS: list[tuple[str, str, str, dict[str, str], str, str]] = [
    (sku, title, group, _options(options), category, price)
    for sku, title, group, options, category, price in _table(_PRODUCTS)
]
# key → email, name, language, country, postal code, city, street, subdivision
CUSTOMERS: dict[str, list[str]] = {row[0]: row[1:] for row in _table(_CUSTOMERS)}

# Delivered this many days ago (None: not delivered yet): inside 14 days, 14–30, older.
DELIVERY_AGES: list[int | None] = [2, 5, 8, 12, 16, 20, 25, 29, 35, 45, 60, 90, None]
CHANNELS = ["web", "web", "web", "store", "phone", "marketplace"]


@dataclass
class DemoResult:
    created: dict[str, int] = field(default_factory=dict)
    admin_username: str = "admin"
    admin_password: str = ""
    password_file: str = ""
    foreign_users: list[str] = field(default_factory=list)  # existed before the demo: left untouched

    @property
    def changed(self) -> bool:
        return any(self.created.values())

    def report(self) -> str:
        made = ", ".join(f"{n} {what}" for what, n in self.created.items() if n)
        head = (
            f"Demo store 'Maison Démo' (slug {SLUG}) loaded: {made}."
            if self.changed
            else f"The demo store '{SLUG}' is already loaded: nothing changed."
        )
        lines = [
            head,
            f"Admin: {settings.BASE_URL}/admin/  user: {self.admin_username}  password: {self.admin_password}",
            f"  (kept in {self.password_file}; staff users 'agent' and 'warehouse' share it)",
            f"Try the customer portal ({settings.BASE_URL}/portal/{SLUG}/) with:",
            *[f"  order {number:<5} {email:<20} {note}" for number, email, note in TRY_ORDERS],
        ]
        if self.foreign_users:
            names = ", ".join(self.foreign_users)
            lines.insert(
                2, f"  (user(s) {names} existed before the demo: their passwords were left unchanged)"
            )
        return "\n".join(lines)


def demo_load(*, now: datetime | None = None) -> DemoResult:
    """Create whatever part of the demo store is missing; a second run changes nothing."""
    now = now or clock.now()
    result = DemoResult()
    with transaction.atomic():
        store = _store(result)
        staff = _staff(store, result)
        _products(store, result)
        _orders(store, now, result)
        _returns(store, staff, now, result)
    return result


# --- store, staff, catalogue ----------------------------------------------------------------


def _count(result: DemoResult, what: str, n: int = 1) -> None:
    result.created[what] = result.created.get(what, 0) + n


def _store(result: DemoResult) -> Store:
    from retour.policies.services import policy_update
    from retour.stores.services import store_create

    store = Store.objects.filter(slug=SLUG).first()
    if store is not None:
        return store
    store = store_create(
        slug=SLUG, name="Maison Démo", country="FR", currency="EUR", language="fr", time_zone="Europe/Paris"
    )
    Store.objects.filter(pk=store.pk).update(
        support_email="service-client@maison-demo.example",
        legal_name="Maison Démo SAS",
        address="Maison Démo SAS\n18 rue de la Folie-Méricourt\n75011 Paris\nFrance",
        brand_color="#7a2e3a",
    )
    Location.objects.filter(store=store, code="main").update(
        name="Maison Démo – Service retours",
        line1="18 rue de la Folie-Méricourt",
        postal_code="75011",
        city="Paris",
        country="FR",
    )
    Location.objects.create(
        store=store,
        code="entrepot-lyon",
        name="Logistique Rhône (3PL) – Maison Démo",
        line1="5 rue des Frères Lumière",
        line2="Quai 4",
        postal_code="69200",
        city="Vénissieux",
        country="FR",
    )
    policy_update(
        store=store,
        changes={"return_shipping_fee": Decimal("4.90"), "store_credit_bonus_percent": Decimal("10")},
    )
    from retour.policies.services import reason_categories_set

    # Size reasons only for what has a size: the serum and the earphones are never 'too small'.
    for code in ("too_small", "too_large"):
        reason_categories_set(store=store, code=code, categories=["apparel", "shoes"])
    from retour.resolutions.payments.services import payment_provider_set

    # A real provider needs the merchant's keys: the demo pays its refunds by hand.
    payment_provider_set(store=store, provider="manual")
    _count(result, "store")
    store.refresh_from_db()
    return store


def _password(result: DemoResult) -> tuple[str, Path | None]:
    """The demo password kept in the data directory, or a new one and where to keep it."""
    path = Path(settings.DATA_DIR) / PASSWORD_FILE
    result.password_file = str(path)
    if path.is_file() and path.read_text().strip():
        return path.read_text().strip(), None
    return secrets.token_urlsafe(12), path


def _staff(store: Store, result: DemoResult) -> dict[str, Actor]:
    """admin (superuser), agent and warehouse, with the demo password. A user of that name that
    is not a member of the demo store is someone else's: it is used as is, never re-keyed."""
    from django.contrib.auth import get_user_model

    from retour.stores.services import staff_add

    password, new_file = _password(result)
    result.admin_password = password
    actors, keyed = {}, False
    for username, role in STAFF:
        user = get_user_model().objects.filter(username=username).first()
        ours = user is not None and store.memberships.filter(user=user).exists()
        if user is None or (ours and new_file):
            user = staff_add(
                store=store,
                username=username,
                role=role,
                password=password,
                email=f"{username}@maison-demo.example",
                superuser=(role == "admin"),
            ).user
            keyed = True
            if not ours:
                _count(result, "staff users")
        elif not ours:
            result.foreign_users.append(username)
        actors[role] = Actor(type="user", name=username, user_id=user.pk, role=role)
    if new_file and keyed:
        new_file.write_text(password + "\n")
        os.chmod(new_file, 0o600)
    return actors


def _products(store: Store, result: DemoResult) -> None:
    existing = set(Product.objects.filter(store=store).values_list("sku", flat=True))
    missing = [
        Product(
            store=store,
            sku=sku,
            title=title,
            group=group,
            options=options,
            category=category,
            price=Decimal(price),
        )
        for sku, title, group, options, category, price in PRODUCTS
        if sku not in existing
    ]
    Product.objects.bulk_create(missing)
    _count(result, "products", len(missing))


# --- orders ---------------------------------------------------------------------------------


def _order_specs() -> list[dict[str, Any]]:
    """60 orders: the two documented ones, then a deterministic mix of countries, channels and ages."""
    specs = [
        {
            "number": "1001",
            "customer": "alice",
            "channel": "web",
            "age": 3,
            "lines": [
                ("TSHIRT-BIO-M-MARINE", 2),
                ("SNEAKER-CUIR-41", 1),
                ("SERUM-VISAGE", 1),
                ("ECHARPE-SOLDE", 1),
            ],
        },
        {
            "number": "1002",
            "customer": "bob",
            "channel": "web",
            "age": 10,
            "lines": [("JEAN-DROIT-40", 1), ("PULL-MERINOS-L-GRIS", 1), ("ECOUTEURS-BT", 1)],
        },
    ]
    rng = random.Random(2026)
    names = [k for k in CUSTOMERS if k not in ("alice", "bob")]
    skus = [p[0] for p in PRODUCTS]
    for i in range(58):
        picked = rng.sample(skus, rng.randint(1, 3))
        specs.append(
            {
                "number": str(1003 + i),
                "customer": names[i % len(names)],
                "channel": CHANNELS[i % len(CHANNELS)],
                "age": DELIVERY_AGES[i % len(DELIVERY_AGES)],
                "lines": [(sku, rng.choice((1, 1, 2))) for sku in picked],
            }
        )
    return specs


def _order_body(spec: dict[str, Any], now: datetime) -> dict[str, Any]:
    email, name, language, country, postal, city, street, subdivision = CUSTOMERS[spec["customer"]]
    age = spec["age"]
    delivered = now - timedelta(days=age, hours=3) if age is not None else None
    placed = (delivered or now) - timedelta(days=3 if age is not None else 1)
    products = {p[0]: p for p in PRODUCTS}
    lines = []
    for sku, qty in spec["lines"]:
        _sku, title, _g, _o, category, price = products[sku]
        lines.append(
            {
                "ref": sku,
                "sku": sku,
                "title": title,
                "quantity": qty,
                "unit_price": price,
                "category": category,
                "final_sale": sku in FINAL_SALE,
                "returnable": sku not in NOT_RETURNABLE,
                "legal_exclusion": LEGAL_EXCLUSION.get(sku),
            }
        )
    return {
        "number": spec["number"],
        "channel": spec["channel"],
        "placed_at": placed,
        "currency": "EUR",
        "customer": {"email": email, "name": name, "language": language},
        "shipping_address": {
            "name": name,
            "line1": street,
            "city": city,
            "postal_code": postal,
            "country": country,
            "subdivision": subdivision or None,
        },
        "shipping": {"amount": "0.00" if spec["channel"] == "store" else "5.90", "standard_amount": "4.90"},
        "delivered_at": delivered,
        "payment": {"provider": "manual", "reference": f"VIR-{spec['number']}"},
        "lines": lines,
    }


def _orders(store: Store, now: datetime, result: DemoResult) -> None:
    from retour.orders.schemas import OrderIn
    from retour.orders.services import order_upsert

    existing = set(Order.objects.filter(store=store).values_list("number", flat=True))
    for spec in _order_specs():
        if spec["number"] in existing:
            continue
        order_upsert(store=store, data=OrderIn.model_validate(_order_body(spec, now)))
        _count(result, "orders")


# --- returns --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReturnPlan:
    """A return on an order delivered ``age`` days ago, taken as far as ``status`` along the lifecycle."""

    age: int
    status: str
    reason: str = "too_small"
    resolution: str = "refund"
    withdrawal: bool = False
    refund_method: str = "original_payment"
    lines: int = 1  # how many of the order's returnable lines
    note: str = ""
    outside_eu: bool = False


PLANS = [
    ReturnPlan(2, "requested", reason="too_small"),
    ReturnPlan(5, "requested", reason="too_large", resolution="exchange"),
    ReturnPlan(5, "requested", reason="changed_mind", withdrawal=True),
    ReturnPlan(12, "approved", reason="not_as_described"),
    ReturnPlan(12, "approved", reason="changed_mind", resolution="store_credit"),
    ReturnPlan(16, "in_transit", reason="too_small"),
    ReturnPlan(20, "in_transit", reason="wrong_item"),
    ReturnPlan(25, "received", reason="changed_mind"),
    ReturnPlan(25, "received", reason="defective", lines=2, note="partly inspected"),
    ReturnPlan(35, "completed", reason="too_large"),
    # A refund paid as store credit, for a customer outside the EU (no statutory withdrawal: the store
    # may offer credit). A store-credit *resolution* is shown by the approved return above.
    ReturnPlan(35, "completed", reason="changed_mind", refund_method="store_credit", outside_eu=True),
    ReturnPlan(35, "completed", reason="damaged_in_transit", refund_method="manual"),
    ReturnPlan(
        20, "rejected", reason="changed_mind", note="Article porté et lavé : il ne peut pas être repris."
    ),
    ReturnPlan(16, "cancelled", reason="too_small"),
    ReturnPlan(45, "expired", reason="changed_mind"),
]


def _returnable(sku: str) -> bool:
    return sku not in FINAL_SALE and sku not in NOT_RETURNABLE and sku not in LEGAL_EXCLUSION


def _assign() -> list[tuple[ReturnPlan, str]]:
    """Each plan gets the first suitable order of its age, from the static order list (not the
    database), so a second run finds the same orders and sees their returns are made."""
    groups = {p[0]: p[2] for p in PRODUCTS}
    taken = {number for number, _email, _note in TRY_ORDERS}
    assigned = []
    for plan in PLANS:
        for spec in _order_specs():
            skus = [sku for sku, _q in spec["lines"] if _returnable(sku)]
            fits = (
                spec["age"] == plan.age
                and spec["number"] not in taken
                and len(skus) >= plan.lines
                and (plan.resolution != "exchange" or groups[skus[0]])
                and (not plan.outside_eu or CUSTOMERS[spec["customer"]][3] in ("GB", "US"))
            )
            if fits:
                taken.add(spec["number"])
                assigned.append((plan, spec["number"]))
                break
    return assigned


def _returns(store: Store, staff: dict[str, Actor], now: datetime, result: DemoResult) -> None:
    from retour.returns.services import return_expire_due

    orders = {o.number: o for o in Order.objects.filter(store=store).select_related("customer")}
    with_returns = set(
        Order.objects.filter(store=store, returns__isnull=False).values_list("number", flat=True)
    )
    for plan, number in _assign():
        order = orders.get(number)
        if order is None or number in with_returns:
            continue
        _play(order, plan, staff, now)
        _count(result, "returns")
    if result.created.get("returns"):
        return_expire_due(now=now, store=store)  # only the demo's own returns


def _play(order: Order, plan: ReturnPlan, staff: dict[str, Actor], now: datetime) -> None:
    """Create the return and move it along, each step a little later, never after ``now``."""
    from retour.returns.services import ExchangeRequest, LineRequest, return_create

    assert order.delivered_at is not None
    moment = order.delivered_at + timedelta(days=1)  # asked for the day after delivery
    step = max((now - moment) / 8, timedelta(minutes=1))
    if plan.status == "expired":
        step = timedelta(hours=6)  # approved long ago, never shipped

    def later() -> datetime:
        nonlocal moment
        moment = min(moment + step, now)
        return moment

    lines = [ln for ln in order.lines.all() if _returnable(ln.sku)][: plan.lines]
    exchange: tuple[ExchangeRequest, ...] = ()
    if plan.resolution == "exchange":
        exchange = (ExchangeRequest(line_id=lines[0].id, sku=_other_variant(lines[0].sku)),)
    rr = return_create(
        order=order,
        actor=Actor.customer(order.customer.email),
        channel="portal",
        resolution=plan.resolution,
        lines=[
            LineRequest(line_id=ln.id, quantity=ln.delivered_quantity, reason=plan.reason) for ln in lines
        ],
        exchange_items=exchange,
        withdrawal_statement=plan.withdrawal,
        now=moment,
    )
    for step_fn in _steps(plan, staff):
        if rr.status == plan.status:
            break
        rr = step_fn(rr, later())


def _other_variant(sku: str) -> str:
    """Another variant of the same product (the next one in the catalogue), for an exchange."""
    group = next(p[2] for p in PRODUCTS if p[0] == sku)
    variants = [p[0] for p in PRODUCTS if p[2] == group]
    return variants[(variants.index(sku) + 1) % len(variants)]


Step = Callable[[Any, datetime], Any]


def _steps(plan: ReturnPlan, staff: dict[str, Actor]) -> list[Step]:
    from retour.resolutions.payments.services import refund_send
    from retour.resolutions.services import refund_issue
    from retour.returns.services import (
        return_approve,
        return_cancel,
        return_inspect,
        return_receive,
        return_reject,
        return_ship,
    )

    agent, warehouse = staff["agent"], staff["warehouse"]
    approve: Step = lambda rr, at: return_approve(return_request=rr, actor=agent, now=at)  # noqa: E731
    if plan.status == "expired":  # approved long ago and never shipped: return_expire_due ends it
        return [approve]
    if plan.status == "rejected":
        return [lambda rr, at: return_reject(return_request=rr, actor=agent, reason=plan.note, now=at)]
    if plan.status == "cancelled":
        return [
            lambda rr, at: return_cancel(
                return_request=rr,
                actor=Actor.customer(rr.customer.email),
                note="Finalement je le garde.",
                now=at,
            )
        ]

    def receive(rr: Any, at: datetime) -> Any:
        location = "entrepot-lyon" if rr.order.number.endswith(("1", "3", "5", "7", "9")) else None
        return return_receive(
            return_request=rr,
            actor=warehouse,
            location=location,
            now=at,
            lines=[{"id": ln.id, "quantity": ln.approved_quantity} for ln in rr.lines.all()],
        )

    def inspect(rr: Any, at: datetime) -> Any:
        lines = list(rr.lines.all())
        if plan.note == "partly inspected":
            lines = lines[:1]
        damaged = plan.reason in ("defective", "damaged_in_transit")
        entries = [
            {
                "id": ln.id,
                "quantity": ln.received_quantity,
                "accepted": True,
                "condition": "defective" if damaged else "like_new",
                "disposition": "return_to_vendor" if damaged else "restock",
            }
            for ln in lines
        ]
        return return_inspect(return_request=rr, actor=warehouse, entries=entries, now=at)

    def refund(rr: Any, at: datetime) -> Any:
        if rr.status == "completed":  # store credit is issued by itself at the trigger
            return rr
        refund = refund_issue(return_request=rr, actor=agent, method=plan.refund_method, now=at)
        if refund.provider:  # what the worker does after commit; the manual provider answers at once
            refund_send(refund_id=refund.pk, now=at)
        rr.refresh_from_db()
        return rr

    steps: list[Step] = [
        approve,
        lambda rr, at: return_ship(
            return_request=rr,
            actor=Actor.customer(rr.customer.email),
            carrier="Colissimo",
            tracking_number=f"6A{rr.pk:011d}",
            now=at,
        ),
        receive,
    ]
    if plan.status == "received":
        return [*steps, inspect] if plan.note == "partly inspected" else steps
    return [*steps, inspect, refund]
