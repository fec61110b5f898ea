"""The consumer-law engine: withdrawal period, refund due date, legal guarantee, late-refund surcharge.

Pure functions over ``rules.csv`` and the ``holidays`` calendars; no Django, no database. Every
date is the consumer's local calendar day (the caller converts timestamps first). The rules and
their evidence are in ``/shared/reference/legal-returns.md``; the section numbers below point there.

Two principles decide the rounding of every deadline (§1):

* consumer-facing deadlines (the withdrawal period) are rolled forward over Saturdays, Sundays and
  the public holidays of the consumer's country and region (Reg. 1182/71 art. 3(4));
* trader-facing deadlines (the refund) are never rolled forward, so a refund paid on the computed
  day is on time under every reading.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from retour.legal import data
from retour.legal.calendars import Calendar, add_months, check_day, deadline, region_note
from retour.legal.data import CountryRule
from retour.legal.subdivisions import (
    LegalInputError,
    Region,
    derive_subdivision,
    law_country,
    normalize_country,
    resolve_region,
)
from retour.legal.surcharges import LateRefundResult, l242_4_rate, late_refund
from retour.legal.text import Explanation, TextBuilder, cite, duration, en_day, fr_day

__all__ = [
    "CountryRule",
    "Explanation",
    "GuaranteeResult",
    "LateRefundResult",
    "LegalInputError",
    "RefundDueResult",
    "WithdrawalResult",
    "add_months",
    "country_rule",
    "derive_subdivision",
    "guarantee",
    "l242_4_rate",
    "late_refund",
    "refund_due",
    "statutory_right_applies",
    "withdrawal",
]

# --- results ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WithdrawalResult:
    applies: bool
    days: int | None  # the statutory period (14, JP 8); an extension shows in ends_on
    ends_on: date | None  # the last day on which the consumer may send the withdrawal
    rolled_forward: bool  # ends_on was moved past a weekend or public holiday
    subdivision: str | None  # the calendar region used (given, or derived from the postal code)
    explanation: Explanation


@dataclass(frozen=True)
class RefundDueResult:
    due_on: date | None
    explanation: Explanation
    # EU: the goods must come back and neither they nor proof of dispatch have arrived, so due_on
    # (notice + 14) is a floor that moves to the first of those events. UK: due_on is None.
    waiting_for_goods: bool = False


@dataclass(frozen=True)
class GuaranteeResult:
    guarantee_ends_on: date | None  # None: the law sets no fixed period
    presumption_ends_on: date | None  # None: no statutory presumption
    explanation: Explanation
    needs_legal_review: bool = False  # a §14 default stands in for an unverified value


# --- rules lookup -------------------------------------------------------------------------------


def country_rule(country: str) -> CountryRule | None:
    """The data row for ``country`` (French overseas codes give FR's), None if not covered.

    Raises ``ValueError`` when ``country`` is not a two-letter ISO 3166-1 code.
    """
    return data.rule_for(law_country(country))


def statutory_right_applies(country: str) -> bool:
    """True when the law gives consumers a right to withdraw from a distance purchase.

    That is the EU/EEA and UK right, and Japan's default 8-day right (which a clearly displayed
    return policy replaces; see ``country_rule(cc).withdrawal_right == 'default'``).
    """
    rule = country_rule(country)
    return rule is not None and rule.statutory_right


def _check_bool(value: object, field: str) -> bool:
    if not isinstance(value, bool):
        raise LegalInputError(field, f"{field} must be true or false, got {value!r}", "invalid_boolean")
    return value


# --- withdrawal ---------------------------------------------------------------------------------


def withdrawal(
    *,
    country: str,
    delivered_on: date,
    subdivision: str | None = None,
    postal_code: str | None = None,
    informed: bool = True,
    informed_on: date | None = None,
) -> WithdrawalResult:
    """The statutory withdrawal period for goods delivered on ``delivered_on`` (§1, §2 art. 9-10).

    ``delivered_on`` is the consumer's local day of physical possession (for several goods
    delivered separately, the last one). The day itself is not counted; the period ends at the end
    of day 14, rolled forward over weekends and the public holidays of the country and region
    (``subdivision``, else derived from ``postal_code``). ``informed=False``: the consumer never got
    the withdrawal information, so the period runs 12 months longer. ``informed_on`` after the
    delivery: the information came late, and the period ends 14 days after it was received.
    """
    cc = normalize_country(country)
    check_day(delivered_on, "delivered_on")
    _check_bool(informed, "informed")
    if informed_on is not None:
        check_day(informed_on, "informed_on")
    rule = country_rule(cc)
    region = resolve_region(cc, subdivision, postal_code) if rule else None
    if rule is None or region is None or not rule.statutory_right or not rule.withdrawal_days:
        return _no_withdrawal(cc, rule, region)
    if rule.start_day_counted:
        return _withdrawal_counting_start_day(rule, region, delivered_on)
    return _withdrawal_eu(rule, region, delivered_on, informed, informed_on)


def _no_withdrawal(cc: str, rule: CountryRule | None, region: Region | None) -> WithdrawalResult:
    text = TextBuilder()
    if rule is None:
        text.add(
            f"Retour n'a pas de données de droit de la consommation pour {cc} : aucun droit légal de "
            "rétractation n'est supposé ; vérifiez le droit local.",
            f"Retour has no consumer-law data for {cc}: no statutory right of withdrawal is assumed; "
            "check the local law.",
        )
    else:
        text.add(
            f"{cc} : pas de droit légal de rétractation pour les achats à distance ; les retours "
            "dépendent de la politique du commerçant.",
            f"{cc}: no statutory right of withdrawal for distance purchases; returns depend on the "
            "merchant's own policy.",
        )
    return WithdrawalResult(False, None, None, False, region.subdivision if region else None, text.build())


def _withdrawal_counting_start_day(rule: CountryRule, region: Region, delivered_on: date) -> WithdrawalResult:
    """Japan's default rule (§12): 8 days counting the day of receipt, no roll-forward."""
    days = rule.withdrawal_days or 0
    ends_on = delivered_on + timedelta(days=days - 1)
    text = TextBuilder()
    text.add(
        f"Règle par défaut{cite(rule.withdrawal_law)} : si la publicité du vendeur n'indique aucune "
        f"condition de retour, l'acheteur peut annuler et renvoyer le bien dans les {days} jours, jour de "
        f"réception ({fr_day(delivered_on)}) compris, soit jusqu'au {fr_day(ends_on)}, frais de retour à sa "
        "charge. Une politique de retour clairement affichée, même « ni repris ni échangé », remplace "
        "cette règle.",
        f"Default rule{cite(rule.withdrawal_law)}: when the seller's advertisement shows no return "
        f"policy, the buyer may cancel and return the goods within {days} days counting the day of "
        f"receipt ({en_day(delivered_on)}), i.e. until {en_day(ends_on)}, at the buyer's cost. A clearly "
        "displayed return policy, including 'no returns', replaces this rule.",
    )
    region_note(rule, region, text)
    return WithdrawalResult(True, days, ends_on, False, region.subdivision, text.build())


def _withdrawal_eu(
    rule: CountryRule, region: Region, delivered_on: date, informed: bool, informed_on: date | None
) -> WithdrawalResult:
    days = rule.withdrawal_days or 0
    cal = Calendar.of(rule, region)
    text = TextBuilder()
    initial_raw = delivered_on + timedelta(days=days)
    text.add(
        f"Délai de rétractation de {days} jours{cite(rule.withdrawal_law)}, à compter du lendemain de la "
        f"livraison du {fr_day(delivered_on)} : le jour {days} est le {fr_day(initial_raw)}.",
        f"{days}-day withdrawal period{cite(rule.withdrawal_law)}, counted from the day after delivery on "
        f"{en_day(delivered_on)}: day {days} is {en_day(initial_raw)}.",
    )
    initial_end = deadline(rule, cal, initial_raw, text)
    raw, ends_on = initial_raw, initial_end
    if informed_on is not None and informed_on > delivered_on:
        raw, ends_on = _informed_late(rule, cal, delivered_on, initial_raw, informed_on, text)
    elif informed_on is None and not informed:
        raw, ends_on = _extended(rule, cal, delivered_on, initial_raw, text)
    text.add(
        f"Fin du délai : le {fr_day(ends_on)} à 24 heures.",
        f"The period ends at the end of {en_day(ends_on)}.",
    )
    region_note(rule, region, text)
    return WithdrawalResult(True, days, ends_on, ends_on != raw, region.subdivision, text.build())


def _extension_candidates(rule: CountryRule, delivered_on: date, initial_raw: date) -> list[date]:
    """The last day of the extended period, by each method the country's law allows (§1, §14.6)."""
    months = rule.extension_months_if_not_informed or 0
    # Art. 10(1): 12 months from the end of the initial period "as determined in accordance with
    # art. 9(2)", i.e. from day 14 itself; the result is then rolled forward like any period.
    candidates = [add_months(initial_raw, months)]
    if rule.extension_rule == "later_of_eu_and_bgb":
        # § 356(3) BGB: "12 months and 14 days after the start"; months first, then days.
        days = rule.withdrawal_days or 0
        candidates.append(add_months(delivered_on, months) + timedelta(days=days))
    return candidates


def _extended(
    rule: CountryRule, cal: Calendar, delivered_on: date, initial_raw: date, text: TextBuilder
) -> tuple[date, date]:
    """Art. 10(1): never informed, so the period ends 12 months after the initial one."""
    months = rule.extension_months_if_not_informed
    if not months:
        return initial_raw, deadline(rule, cal, initial_raw, TextBuilder())
    candidates = _extension_candidates(rule, delivered_on, initial_raw)
    eu_raw = candidates[0]
    text.add(
        f"Le consommateur n'a pas été informé de son droit de rétractation : le délai est prolongé de "
        f"{months} mois comptés à partir du jour {rule.withdrawal_days} du délai initial, jusqu'au "
        f"{fr_day(eu_raw)}.",
        f"The consumer was not informed of the right of withdrawal, so the period is extended by "
        f"{months} months counted from day {rule.withdrawal_days} of the initial period, to {en_day(eu_raw)}.",
    )
    if len(candidates) > 1:
        bgb_raw = candidates[1]
        text.add(
            f"Le § 356(3) BGB (12 mois et 14 jours après le début) donne le {fr_day(bgb_raw)} ; la date la "
            "plus tardive est retenue.",
            f"§ 356(3) BGB (12 months and 14 days after the start) gives {en_day(bgb_raw)}; the later date "
            "is used.",
        )
    # Roll each candidate before comparing: the consumer gets the later of the two real ends.
    ends = [(deadline(rule, cal, raw, TextBuilder()), raw) for raw in candidates]
    end, raw = max(ends)
    deadline(rule, cal, raw, text)  # explain the roll-forward of the one retained
    return raw, end


def _informed_late(
    rule: CountryRule,
    cal: Calendar,
    delivered_on: date,
    initial_raw: date,
    informed_on: date,
    text: TextBuilder,
) -> tuple[date, date]:
    """Art. 10(2): information received during the extension → 14 days from its receipt."""
    quiet = TextBuilder()
    extended_raw, extended_end = _extended(rule, cal, delivered_on, initial_raw, quiet)
    days = rule.withdrawal_days or 0
    if informed_on > extended_end:
        text.add(
            f"L'information sur le droit de rétractation n'a été reçue que le {fr_day(informed_on)}, après la "
            f"fin du délai prolongé (le {fr_day(extended_end)}) : le droit a expiré à cette date.",
            f"The withdrawal information was only received on {en_day(informed_on)}, after the extended "
            f"period had ended ({en_day(extended_end)}): the right expired then.",
        )
        return extended_raw, extended_end
    raw = informed_on + timedelta(days=days)
    text.add(
        f"L'information sur le droit de rétractation a été reçue tardivement, le {fr_day(informed_on)} : le "
        f"délai expire {days} jours après cette date, le jour {days} étant le {fr_day(raw)}.",
        f"The withdrawal information was received late, on {en_day(informed_on)}: the period ends {days} "
        f"days after that day; day {days} is {en_day(raw)}.",
    )
    return raw, deadline(rule, cal, raw, text)


# --- refund due date ----------------------------------------------------------------------------


def refund_due(
    *,
    country: str,
    notice_received_on: date,
    proof_of_dispatch_on: date | None = None,
    goods_received_on: date | None = None,
    goods_to_return: bool = True,
) -> RefundDueResult:
    """The last day on which the trader must refund after a withdrawal (§1, §2 art. 13, §7 reg. 34).

    ``proof_of_dispatch_on`` is the day the consumer supplied evidence of having sent the goods;
    ``goods_to_return=False`` when nothing comes back or the trader offered to collect (no right to
    withhold). EU/EEA: the later of notice + 14 and the first of goods received / proof of dispatch;
    while neither has happened, ``due_on`` is notice + 14 and ``waiting_for_goods`` is True.
    UK: 14 days after the first of those events (after the notice when nothing comes back).
    Never rolled forward.
    """
    cc = normalize_country(country)
    check_day(notice_received_on, "notice_received_on")
    for field, value in (
        ("proof_of_dispatch_on", proof_of_dispatch_on),
        ("goods_received_on", goods_received_on),
    ):
        if value is not None:
            check_day(value, field)
    _check_bool(goods_to_return, "goods_to_return")
    rule = country_rule(cc)
    if rule is None or rule.refund_rule == "none" or not rule.refund_deadline_days:
        return _no_refund_deadline(cc, rule)
    text = TextBuilder()
    first_back = _first_goods_event(proof_of_dispatch_on, goods_received_on) if goods_to_return else None
    if rule.refund_rule == "uk":
        due_on, waiting = _refund_due_uk(rule, notice_received_on, first_back, goods_to_return, text)
    else:
        due_on, waiting = _refund_due_eu(rule, notice_received_on, first_back, goods_to_return, text)
    text.add(
        "Ce délai s'impose au professionnel : il n'est jamais reporté pour un week-end ou un jour férié.",
        "This deadline binds the trader: it is never moved for a weekend or a public holiday.",
    )
    return RefundDueResult(due_on, text.build(), waiting)


def _no_refund_deadline(cc: str, rule: CountryRule | None) -> RefundDueResult:
    text = TextBuilder()
    text.add(
        f"{cc} : aucun délai légal de remboursement après rétractation n'est calculé (pas de droit légal "
        "de rétractation pour les achats à distance, ou pays non couvert).",
        f"{cc}: no statutory refund deadline after a withdrawal is computed (no statutory right of "
        "withdrawal for distance purchases, or country not covered).",
    )
    return RefundDueResult(None, text.build(), False)


def _first_goods_event(proof: date | None, received: date | None) -> tuple[date, str, str] | None:
    """The earlier of proof of dispatch and receipt of the goods, with its (fr, en) name."""
    events = []
    if proof is not None:
        events.append((proof, "la preuve de l'expédition des biens", "proof that the goods were sent"))
    if received is not None:
        events.append((received, "la réception des biens en retour", "receipt of the goods back"))
    return min(events) if events else None


def _refund_due_eu(
    rule: CountryRule,
    notice: date,
    first_back: tuple[date, str, str] | None,
    goods_to_return: bool,
    text: TextBuilder,
) -> tuple[date, bool]:
    days = rule.refund_deadline_days or 0
    base = notice + timedelta(days=days)
    text.add(
        f"Le professionnel a été informé de la rétractation le {fr_day(notice)} : il rembourse sans retard "
        f"excessif et au plus tard {days} jours après, le {fr_day(base)}{cite(rule.refund_law)}.",
        f"The trader was informed of the withdrawal on {en_day(notice)}: the refund is due without undue "
        f"delay and at the latest {days} days later, on {en_day(base)}{cite(rule.refund_law)}.",
    )
    if not goods_to_return or not rule.may_withhold_until_return:
        text.add(
            "Aucun bien ne doit être renvoyé par le consommateur : le remboursement ne peut pas être différé.",
            "No goods have to be sent back by the consumer, so the refund may not be withheld.",
        )
        return base, False
    withhold_fr = (
        "Le professionnel peut différer le remboursement jusqu'à la récupération des biens ou "
        "la preuve de leur expédition, la date retenue étant celle du premier de ces faits"
    )
    withhold_en = ("The trader may withhold the refund until it has the goods back or proof that they "
                   "were sent, whichever comes first")  # fmt: skip
    if first_back is None:
        text.add(
            f"{withhold_fr} ; aucun des deux n'est encore intervenu, cette date est donc provisoire.",
            f"{withhold_en}; neither has happened yet, so this date is provisional.",
        )
        return base, True
    day, name_fr, name_en = first_back
    due = max(base, day)
    text.add(
        f"{withhold_fr} : ici {name_fr}, le {fr_day(day)}. Le remboursement est dû au plus tard le {fr_day(due)}.",
        f"{withhold_en}: here {name_en}, on {en_day(day)}. The refund is due at the latest on {en_day(due)}.",
    )
    return due, False


def _refund_due_uk(
    rule: CountryRule,
    notice: date,
    first_back: tuple[date, str, str] | None,
    goods_to_return: bool,
    text: TextBuilder,
) -> tuple[date | None, bool]:
    days = rule.refund_deadline_days or 0
    law = cite(rule.refund_law)
    if not goods_to_return:
        due = notice + timedelta(days=days)
        text.add(
            f"Aucun bien ne doit être renvoyé : remboursement au plus tard {days} jours après le jour où le "
            f"professionnel a été informé ({fr_day(notice)}), soit le {fr_day(due)}{law}.",
            f"No goods have to be sent back: the refund is due within {days} days after the day the trader "
            f"was informed ({en_day(notice)}), i.e. by {en_day(due)}{law}.",
        )
        return due, False
    rule_fr = (
        f"Au Royaume-Uni, le remboursement est dû {days} jours après la réception des biens en retour "
        f"ou, si elle est antérieure, la fourniture de la preuve de leur expédition{law}"
    )
    rule_en = (f"In the UK the refund is due {days} days after the trader receives the goods back or, if "
               f"earlier, the consumer supplies evidence of having sent them{law}")  # fmt: skip
    if first_back is None:
        text.add(
            f"{rule_fr} ; aucun des deux n'est encore intervenu, aucune date n'est donc due pour l'instant.",
            f"{rule_en}; neither has happened yet, so there is no due date yet.",
        )
        return None, True
    day, name_fr, name_en = first_back
    due = day + timedelta(days=days)
    text.add(
        f"{rule_fr} : ici {name_fr}, le {fr_day(day)}, d'où le {fr_day(due)}.",
        f"{rule_en}: here {name_en}, on {en_day(day)}, hence {en_day(due)}.",
    )
    return due, False


# --- legal guarantee ----------------------------------------------------------------------------


def guarantee(*, country: str, delivered_on: date, used: bool = False) -> GuaranteeResult:
    """The legal guarantee of conformity and the presumption period for goods delivered on a day (§4).

    Month arithmetic keeps the day number, or ends on the last day of a shorter month. ``None``
    means the law sets no fixed period (e.g. NL, GB) or has no presumption (e.g. CH, US).
    Unverified values use the §14.7 defaults and set ``needs_legal_review``.
    """
    cc = normalize_country(country)
    check_day(delivered_on, "delivered_on")
    _check_bool(used, "used")
    rule = country_rule(cc)
    text = TextBuilder()
    if rule is None:
        text.add(
            f"Retour n'a pas de données sur la garantie légale pour {cc}.",
            f"Retour has no legal-guarantee data for {cc}.",
        )
        return GuaranteeResult(None, None, text.build())
    guarantee_ends_on = _guarantee_term(rule, delivered_on, text)
    presumption_ends_on = _presumption_term(rule, delivered_on, used, text)
    presumption_field = "presumption_months_used" if used else "presumption_months_new"
    review = bool({"guarantee_months", presumption_field} & rule.defaulted)
    if review:
        text.add(
            f"Une durée n'a pas été vérifiée pour {cc} : le minimum européen est appliqué en attendant une "
            "revue juridique.",
            f"A period has not been verified for {cc}: the EU minimum is used pending legal review.",
        )
    return GuaranteeResult(guarantee_ends_on, presumption_ends_on, text.build(), review)


def _guarantee_term(rule: CountryRule, delivered_on: date, text: TextBuilder) -> date | None:
    if not rule.guarantee_months:
        text.add(
            f"La loi ne fixe pas de durée de garantie légale{cite(rule.guarantee_law)} : la durée pendant "
            "laquelle le vendeur répond des défauts dépend du bien et des circonstances.",
            f"The law sets no fixed legal-guarantee period{cite(rule.guarantee_law)}: how long the seller "
            "answers for defects depends on the goods and the circumstances.",
        )
        return None
    ends_on = add_months(delivered_on, rule.guarantee_months)
    dur_fr, dur_en = duration(rule.guarantee_months)
    text.add(
        f"Garantie légale de conformité : {dur_fr} à compter de la livraison du {fr_day(delivered_on)}"
        f"{cite(rule.guarantee_law)}, jusqu'au {fr_day(ends_on)}.",
        f"Legal guarantee of conformity: {dur_en} from delivery on {en_day(delivered_on)}"
        f"{cite(rule.guarantee_law)}, until {en_day(ends_on)}.",
    )
    return ends_on


def _presumption_term(rule: CountryRule, delivered_on: date, used: bool, text: TextBuilder) -> date | None:
    months = rule.presumption_months_used if used else rule.presumption_months_new
    if not months:
        text.add(
            "Aucune présomption légale que le défaut existait à la livraison.",
            "There is no statutory presumption that a defect existed at delivery.",
        )
        return None
    ends_on = add_months(delivered_on, months)
    dur_fr, dur_en = duration(months)
    kind_fr, kind_en = (" (bien d'occasion)", " (used goods)") if used else ("", "")
    text.add(
        f"Un défaut qui apparaît dans les {dur_fr} suivant la livraison{kind_fr}, soit jusqu'au "
        f"{fr_day(ends_on)}, est présumé avoir existé à la livraison.",
        f"A defect that appears within {dur_en} of delivery{kind_en}, i.e. until {en_day(ends_on)}, is "
        "presumed to have existed at delivery.",
    )
    return ends_on
