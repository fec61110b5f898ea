"""The importer's promise (issue 9, items 4 and 8): a bad row is reported with its line and
reason and the good rows are imported, whatever is wrong with it — a NUL, a huge cell, a JSON
line nested too deeply, a row the database refuses; a file that is not UTF-8 is named as such."""

from __future__ import annotations

import json

import pytest
from django.db import connection

from retour.cli import main
from retour.orders.importer import OrdersFileError, orders_import
from retour.orders.models import Order, OrderLine
from retour.orders.tests.test_importer import HEADER, ROWS

pytestmark = pytest.mark.django_db


def _csv(tmp_path, rows, name="orders.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding=encoding)
    return path


def _numbers(store) -> set[str]:
    return set(Order.objects.filter(store=store).values_list("number", flat=True))


def test_a_nul_in_a_cell_rejects_its_row_only(store, tmp_path):
    rows = [ROWS[0], ROWS[2].replace("Bob Bauer", "Bob\x00Bauer")]
    summary = orders_import(store=store, path=_csv(tmp_path, rows))
    [rejection] = summary.rejected
    assert (rejection.line, rejection.number) == (3, "1002")
    assert "customer.name" in str(rejection) and "Null characters are not allowed" in str(rejection)
    assert _numbers(store) == {"1001"}


def test_a_latin1_file_is_named_and_the_encoding_option_reads_it(store, tmp_path):
    path = _csv(tmp_path, ROWS[:3], encoding="latin-1")
    with pytest.raises(OrdersFileError) as refused:
        orders_import(store=store, path=path)
    message = str(refused.value)
    assert "is not UTF-8" in message and "--encoding latin-1" in message and "line 3" in message
    assert not Order.objects.exists()
    summary = orders_import(store=store, path=path, encoding="latin-1")
    assert (summary.imported, summary.rejected) == (2, [])
    assert Order.objects.get(number="1002").ship_city == "München"


def test_the_cli_names_the_encoding_problem_and_takes_the_option(store, tmp_path, capsys):
    path = _csv(tmp_path, ROWS[:3], encoding="latin-1")
    assert main(["import", "orders", str(path), "--store", store.slug, "-q"]) == 2
    assert "--encoding latin-1" in capsys.readouterr().err
    assert main(["import", "orders", str(path), "--store", store.slug, "-q", "--encoding", "latin-1"]) == 0
    assert _numbers(store) == {"1001", "1002"}


def test_an_unknown_encoding_is_refused_clearly(store, tmp_path):
    with pytest.raises(OrdersFileError, match="unknown encoding"):
        orders_import(store=store, path=_csv(tmp_path, ROWS[:1]), encoding="klingon")


def test_a_huge_cell_rejects_its_row_and_the_others_are_imported(store, tmp_path):
    huge = ROWS[2].replace("Sneaker 42", "x" * (200 * 1024))
    summary = orders_import(store=store, path=_csv(tmp_path, [ROWS[0], huge, ROWS[1]]))
    [rejection] = summary.rejected
    assert rejection.line == 3 and "title: the cell is longer than" in str(rejection)
    assert _numbers(store) == {"1001"}
    assert [ln.ref for ln in Order.objects.get(number="1001").lines.all()] == ["L1", "L2"]


def test_a_deeply_nested_jsonl_line_is_rejected_and_the_others_are_imported(store, tmp_path):
    from retour.orders.tests.helpers import recent_body

    good = json.dumps(recent_body(number="2001"))
    nested = json.dumps({**recent_body(number="2002"), "external_id": "x"})[:-1] + ', "deep": '
    nested += "[" * 100_000 + "]" * 100_000 + "}"
    path = tmp_path / "orders.jsonl"
    path.write_text("\n".join([nested, good]) + "\n", encoding="utf-8")
    summary = orders_import(store=store, path=path)
    [rejection] = summary.rejected
    assert rejection.line == 1 and "nested too deeply" in str(rejection)
    assert _numbers(store) == {"2001"}


def _refuse_sku_in_database(sku: str) -> None:
    """Fault injection: the database itself refuses the lines of one SKU (a trigger), as a full
    disk, a constraint added by hand or a deadlock would."""
    table = OrderLine._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION retour_test_refuse() RETURNS trigger AS $$ BEGIN "
                f"IF NEW.sku = '{sku}' THEN RAISE EXCEPTION 'refused by trigger'; END IF; "
                "RETURN NEW; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                f"CREATE TRIGGER retour_test_refuse BEFORE INSERT ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION retour_test_refuse()"
            )
        else:
            cursor.execute(
                f"CREATE TRIGGER retour_test_refuse BEFORE INSERT ON {table} "
                f"WHEN NEW.sku = '{sku}' BEGIN SELECT RAISE(ABORT, 'refused by trigger'); END"
            )


def test_a_database_error_on_one_order_does_not_stop_the_rest(store, tmp_path):
    _refuse_sku_in_database("SERUM")
    rows = [ROWS[0], ROWS[1], ROWS[2]]
    summary = orders_import(store=store, path=_csv(tmp_path, rows))
    [rejection] = summary.rejected
    assert rejection.number == "1001" and "the database refused this order" in str(rejection)
    assert "refused by trigger" in str(rejection)
    assert _numbers(store) == {"1002"}
