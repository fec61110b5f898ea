"""The floor's side of the set-up and of the import benchmark, under the floor's settings:

    DJANGO_SETTINGS_MODULE=bench.floor.settings python -m bench.floor.load migrate
    ... python -m bench.floor.load seed ORDERS      one row per order number of bench/run.py's file
    ... python -m bench.floor.load import CSV       the import floor (below)

The import floor reads the same CSV file Retour imports and inserts one row per order with
``bulk_create`` (batches of 1 000), the least an import can do. It prints
``FLOOR_IMPORT {"orders": n, "seconds": s}`` (the time excludes Django's start-up).
"""

from __future__ import annotations

import csv
import json
import sys
import time

READ_STORE, IMPORT_STORE = 1, 2


def main(command: str, path: str = "") -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from bench.floor.models import Item

    if command == "migrate":
        call_command("migrate", verbosity=0, interactive=False)
        return
    if command == "seed":
        Item.objects.filter(store_id=READ_STORE).delete()
        with open(path, encoding="utf-8") as handle:
            numbers = [line.split()[0] for line in handle if line.strip()]
        Item.objects.bulk_create([Item(store_id=READ_STORE, number=n) for n in numbers], batch_size=1000)
        return
    Item.objects.filter(store_id=IMPORT_STORE).delete()
    started = time.perf_counter()
    orders: dict[str, list[dict[str, str]]] = {}
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            orders.setdefault(row["number"], []).append(row)
    rows = [Item(store_id=IMPORT_STORE, number=n, data={"lines": len(ls)}) for n, ls in orders.items()]
    with transaction.atomic():
        Item.objects.bulk_create(rows, batch_size=1000)
    seconds = time.perf_counter() - started
    Item.objects.filter(store_id=IMPORT_STORE).delete()
    print("FLOOR_IMPORT " + json.dumps({"orders": len(rows), "seconds": seconds}))


if __name__ == "__main__":
    main(*sys.argv[1:])
