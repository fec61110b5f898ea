"""The limits of what Retour stores, in one place (no Django import: the legal engine reads it too).

Every amount column is ``DecimalField(max_digits=MONEY_MAX_DIGITS,
decimal_places=MONEY_DECIMAL_PLACES)``, so any stored amount is at most ``MAX_AMOUNT``. The API
and the importer refuse an order whose lines or total would pass it: every refund, fee and
store credit of a return is bounded by what the customer paid for the order, so none of them
can overflow a column later. A customer's store-credit balance adds up many refunds: it has
``LEDGER_MAX_DIGITS``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

MONEY_DECIMAL_PLACES = 3  # KWD, BHD, TND… have 3 decimals
MONEY_MAX_DIGITS = 12
MAX_AMOUNT = Decimal(10 ** (MONEY_MAX_DIGITS - MONEY_DECIMAL_PLACES) - 1)  # 999 999 999
LEDGER_MAX_DIGITS = 18
# Sums computed in queries (refunded per order…): several amounts of one order, with room.
SUM_MAX_DIGITS = MONEY_MAX_DIGITS + 2

MAX_LINE_QUANTITY = 100_000

# Order and delivery dates the API and the importer accept. The consumer-law engine computes
# between 1990 and 2099 (``retour.legal.calendars``); this range keeps a margin for time zones
# and the periods counted from a delivery.
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2098, 12, 31)
