from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from retour.orders.importer import OrdersFileError, orders_import
from retour.orders.models import Order

HEADER = (
    "number,placed_at,currency,channel,email,name,language,country,postal_code,city,line1,delivered_at,"
    "shipping_amount,shipping_standard_amount,ref,sku,title,quantity,unit_price,discount,category,final_sale,"
    "returnable,legal_exclusion,delivered_quantity"
)
ROWS = [
    "1001,2026-07-01T10:00:00+02:00,EUR,web,alice@example.com,Alice Martin,fr,FR,75001,Paris,1 rue de Rivoli,"
    "2026-07-03T15:00:00+02:00,4.90,4.90,L1,TSHIRT-M,T-shirt M,2,20.00,0,apparel,false,true,,2",
    "1001,2026-07-01T10:00:00+02:00,EUR,web,alice@example.com,Alice Martin,fr,FR,75001,Paris,1 rue de Rivoli,"
    "2026-07-03T15:00:00+02:00,4.90,4.90,L2,SERUM,Sérum scellé,1,35.00,5.00,cosmetics,false,true,sealed_hygiene,1",
    "1002,2026-07-02T09:00:00+02:00,EUR,store,bob@example.de,Bob Bauer,de,DE,80331,München,Marienplatz 1,"
    ",0,0,L1,SHOE-42,Sneaker 42,1,89.90,0,shoes,no,yes,,",
    "1003,2026-07-02T09:00:00+02:00,EUR,web,carol@example.com,Carol,en,FR,57000,Metz,2 rue Serpenoise,"
    "2026-07-04T12:00:00+02:00,0,0,L1,MUG,Mug,0,9.90,0,home,false,true,,",
]


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _csv(tmp_path, rows=ROWS, header=HEADER, name="orders.csv"):
    return _write(tmp_path, name, "\n".join([header, *rows]) + "\n")


def test_a_csv_groups_rows_into_orders_and_imports_them(store, tmp_path):
    summary = orders_import(store=store, path=_csv(tmp_path, ROWS[:3]))
    assert (summary.total, summary.imported, summary.updated, summary.rejected) == (2, 2, 0, [])
    order = Order.objects.get(store=store, number="1001")
    assert [(ln.ref, ln.sku, ln.quantity) for ln in order.lines.all()] == [
        ("L1", "TSHIRT-M", 2),
        ("L2", "SERUM", 1),
    ]
    serum = order.lines.get(ref="L2")
    assert serum.discount == Decimal("5.00") and serum.legal_exclusion == "sealed_hygiene"
    assert order.customer.language == "fr" and order.shipping_amount == Decimal("4.90")
    bob = Order.objects.get(store=store, number="1002")
    assert bob.channel == "store" and bob.delivered_at is None and bob.lines.get().delivered_quantity == 0
    assert bob.ship_city == "München"


def test_a_bad_order_is_rejected_with_its_line_and_reason_and_the_good_ones_are_kept(store, tmp_path):
    summary = orders_import(store=store, path=_csv(tmp_path))
    assert summary.imported == 2
    [rejection] = summary.rejected
    assert rejection.line == 5 and rejection.number == "1003"
    assert "quantity (line 5)" in str(rejection) and "greater than or equal to 1" in str(rejection)
    assert set(Order.objects.filter(store=store).values_list("number", flat=True)) == {"1001", "1002"}
    assert "line 5 (order 1003): quantity (line 5)" in summary.report()
    assert (
        "4 orders read" not in summary.report()
        and "3 orders read — 2 imported, 0 updated, 1 rejected" in (summary.report())
    )


def test_importing_the_same_file_again_updates_the_orders(store, tmp_path):
    path = _csv(tmp_path, ROWS[:3])
    orders_import(store=store, path=path)
    summary = orders_import(store=store, path=path)
    assert (summary.imported, summary.updated) == (0, 2)
    assert Order.objects.filter(store=store).count() == 2


def test_rows_of_one_order_that_disagree_are_rejected(store, tmp_path):
    other_currency = ROWS[1].replace(",EUR,", ",USD,")
    summary = orders_import(store=store, path=_csv(tmp_path, [ROWS[0], other_currency]))
    [rejection] = summary.rejected
    assert rejection.line == 2 and "currency: line 3 says 'USD' but line 2 says 'EUR'" in str(rejection)
    assert not Order.objects.exists()


def test_a_change_the_service_refuses_is_reported(store, tmp_path):
    orders_import(store=store, path=_csv(tmp_path, ROWS[:1]))
    in_dollars = ROWS[0].replace(",EUR,", ",USD,")
    summary = orders_import(store=store, path=_csv(tmp_path, [in_dollars], name="again.csv"))
    [rejection] = summary.rejected
    assert "currency" in str(rejection) and "EUR" in str(rejection)


def test_a_semicolon_csv_from_a_spreadsheet_with_dates_without_zone_is_read_in_the_stores_time_zone(
    store, tmp_path
):
    text = "\ufeffnumber;placed_at;currency;email;sku;quantity;unit_price;delivered_at;tags\n"
    text += "2001;2026-07-01 10:00;EUR;zoe@example.fr;CAP;1;15.00;2026-07-03;summer|sale\n"
    summary = orders_import(store=store, path=_write(tmp_path, "export.csv", text))
    assert summary.imported == 1, summary.report()
    order = Order.objects.get(number="2001")
    assert order.placed_at == datetime(2026, 7, 1, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))
    assert order.delivered_at == datetime(2026, 7, 3, 12, 0, tzinfo=ZoneInfo("Europe/Paris"))
    assert order.lines.get().tags == ["summer", "sale"]


def test_unknown_columns_are_reported_and_ignored(store, tmp_path):
    summary = orders_import(store=store, path=_csv(tmp_path, [ROWS[2] + ",x"], header=HEADER + ",colour"))
    assert summary.imported == 1 and summary.ignored_columns == ["colour"]
    assert "Ignored columns (unknown): colour" in summary.report()


def test_a_csv_without_the_required_columns_is_refused_as_a_whole(store, tmp_path):
    with pytest.raises(OrdersFileError, match="missing required columns: currency, unit_price"):
        orders_import(
            store=store, path=_write(tmp_path, "o.csv", "number,placed_at,email,sku,quantity\n1,x,y,z,1\n")
        )


def test_an_empty_or_missing_file_is_refused(store, tmp_path):
    with pytest.raises(OrdersFileError, match="empty"):
        orders_import(store=store, path=_write(tmp_path, "o.csv", "\n"))
    with pytest.raises(OrdersFileError, match="no such file"):
        orders_import(store=store, path=tmp_path / "missing.csv")


def _body(number, **changes):
    body = {
        "number": number,
        "placed_at": "2026-07-01T10:00:00+02:00",
        "currency": "EUR",
        "customer": {"email": f"c{number}@example.com", "language": "en"},
        "delivered_at": "2026-07-03T15:00:00+02:00",
        "lines": [{"ref": "L1", "sku": "TSHIRT-M", "quantity": 1, "unit_price": "20.00"}],
    }
    body.update(changes)
    return json.dumps(body)


def test_jsonl_takes_one_contract_order_body_per_line(store, tmp_path):
    text = "\n".join(
        [
            _body("3001"),
            "{not json",
            "",
            _body("3002", currency="EURO"),
            '["an", "array"]',
            _body(
                "3003",
                lines=[
                    {"sku": "A", "quantity": 1, "unit_price": "1.00"},
                    {"sku": "B", "quantity": 2, "unit_price": "-1"},
                ],
            ),
            _body("3004"),
        ]
    )
    summary = orders_import(store=store, path=_write(tmp_path, "orders.jsonl", text))
    assert (summary.imported, summary.total) == (2, 6)
    reasons = {r.line: str(r) for r in summary.rejected}
    assert set(reasons) == {2, 4, 5, 6}
    assert "not valid JSON" in reasons[2]
    assert "order 3002" in reasons[4] and "currency" in reasons[4] and "ISO 4217" in reasons[4]
    assert "JSON object" in reasons[5]
    assert "lines.1.unit_price" in reasons[6]
    assert set(Order.objects.values_list("number", flat=True)) == {"3001", "3004"}


def test_progress_is_reported_after_each_order(store, tmp_path):
    calls = []
    orders_import(store=store, path=_csv(tmp_path), progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 3), (2, 3), (3, 3)]


def test_orders_go_to_the_given_store_only(store, other_store, tmp_path):
    orders_import(store=other_store, path=_csv(tmp_path, ROWS[:1]))
    assert not Order.objects.filter(store=store).exists()
    assert Order.objects.filter(store=other_store, number="1001").exists()
