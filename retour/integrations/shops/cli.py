"""``retour connector add|sync``: set up a shop connector, and backfill the shop's orders."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime
from typing import Any

PLATFORMS = (
    "shopify",
    "woocommerce",
    "prestashop",
)  # models.Platform, without loading Django to build the parser


def _since(value: str) -> datetime:
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), datetime.min.time(), tzinfo=UTC)
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def cmd_connector_add(args: argparse.Namespace) -> int:
    from retour.cli import _store
    from retour.integrations.shops.services import connector_set

    connector = connector_set(
        store=_store(args.store),
        platform=args.platform,
        shop=args.shop,
        token=args.token or None,
        consumer_key=getattr(args, "consumer_key", None) or None,
        webhook_secret=args.webhook_secret or None,
    )
    from django.conf import settings

    print(f"Connected {connector.get_platform_display()} {connector.shop_url} to store {args.store}.")
    if args.platform == "prestashop":
        print("PrestaShop has no order webhooks: the worker reads its orders every 10 minutes.")
    else:
        print(
            f"Register this webhook address in the shop: {settings.BASE_URL}/hooks/{args.platform}/{args.store}"
        )
    return 0


def cmd_connector_sync(args: argparse.Namespace) -> int:
    from retour.cli import CliError, ProgressBar, _store
    from retour.integrations.shops.models import ShopConnector
    from retour.integrations.shops.sync import ShopSyncError, connector_sync

    store = _store(args.store)
    connectors = ShopConnector.objects.filter(store=store, active=True).select_related("store")
    if args.platform:
        connectors = connectors.filter(platform=args.platform)
    if not connectors:
        raise CliError(
            f"store {args.store} has no active shop connector (add one with 'retour connector add')"
        )
    failed = False
    for connector in connectors:
        try:
            summary = connector_sync(
                connector=connector,
                since=args.since,
                restart=args.restart,
                progress=None if args.quiet else ProgressBar(),
            )
        except ShopSyncError as error:
            sys.stderr.write(
                f"retour: {connector.platform} sync of {args.store} stopped: {error} "
                "(run the same command again to resume)\n"
            )
            failed = True
            continue
        print(f"{connector.get_platform_display()}: {summary.report()}")
    return 1 if failed else 0


def register(sub: Any) -> None:
    from retour.cli import _add, _group

    connector = _group(sub, "connector", "shop connectors (Shopify, WooCommerce, PrestaShop)")
    p = _add(
        connector,
        "add",
        cmd_connector_add,
        "connect a store to its shop (or change the connection); secrets are stored encrypted",
    )
    p.add_argument("platform", choices=PLATFORMS)
    p.add_argument("--store", required=True, metavar="SLUG")
    p.add_argument(
        "--shop", required=True, help="Shopify: NAME.myshopify.com; WooCommerce, PrestaShop: https://site"
    )
    p.add_argument(
        "--token",
        default="",
        help="Shopify access token, WooCommerce consumer secret or PrestaShop webservice key",
    )
    p.add_argument("--consumer-key", default="", help="WooCommerce consumer key (ck_…)")
    p.add_argument("--webhook-secret", default="", help="Shopify app secret or WooCommerce webhook secret")

    p = _add(
        connector,
        "sync",
        cmd_connector_sync,
        "import the shop's orders page by page (resumes an interrupted sync)",
    )
    p.add_argument("--store", required=True, metavar="SLUG")
    p.add_argument("--platform", choices=PLATFORMS, help="only this connector (default: all)")
    p.add_argument("--since", type=_since, help="orders changed since this date (YYYY-MM-DD)")
    p.add_argument("--restart", action="store_true", help="start over instead of resuming")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
