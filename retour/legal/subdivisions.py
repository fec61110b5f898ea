"""Country codes, regions and postal codes → the subdivision codes public-holiday calendars use.

A consumer-facing deadline is rolled forward over the holidays of the consumer's country **and
region** (legal-returns.md §3). The region is given explicitly (``subdivision``) or derived from the
postal code where the postal code says it without doubt (France: 57, 67/68, overseas; Spain: the
province prefix; Portugal: the Azores and Madeira). German, Austrian or Swiss postal areas cross
regional borders, so nothing is derived for them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import pycountry

from retour.legal.data import calendar_subdivisions

# Codes people use that are not the ISO 3166-1 code of the country whose law applies.
_COUNTRY_ALIASES = {"UK": "GB", "EL": "GR"}

# French overseas departments (and Saint-Martin) have their own ISO 3166-1 codes, but they are part
# of the EU and French consumer law applies there; only the public-holiday calendar differs.
TERRITORIES: dict[str, tuple[str, str]] = {
    "GP": ("FR", "971"),
    "MQ": ("FR", "972"),
    "GF": ("FR", "973"),
    "RE": ("FR", "974"),
    "YT": ("FR", "976"),
    "MF": ("FR", "MF"),
}

# Spanish postal codes start with the INE province number; the calendar is per autonomous community.
_ES_PROVINCE_TO_COMMUNITY = {
    "01": "PV", "02": "CM", "03": "VC", "04": "AN", "05": "CL", "06": "EX", "07": "IB", "08": "CT",
    "09": "CL", "10": "EX", "11": "AN", "12": "VC", "13": "CM", "14": "AN", "15": "GA", "16": "CM",
    "17": "CT", "18": "AN", "19": "CM", "20": "PV", "21": "AN", "22": "AR", "23": "AN", "24": "CL",
    "25": "CT", "26": "RI", "27": "GA", "28": "MD", "29": "AN", "30": "MC", "31": "NC", "32": "GA",
    "33": "AS", "34": "CL", "35": "CN", "36": "GA", "37": "CL", "38": "CN", "39": "CB", "40": "CL",
    "41": "AN", "42": "CL", "43": "CT", "44": "AR", "45": "CM", "46": "VC", "47": "CL", "48": "PV",
    "49": "CL", "50": "AR", "51": "CE", "52": "ML",
}  # fmt: skip

# ISO 3166-2 province codes (ES-M, ES-B…), which shop platforms send, → the community calendar.
_ES_ISO_PROVINCE_TO_COMMUNITY = {
    "A": "VC", "AB": "CM", "AL": "AN", "AV": "CL", "B": "CT", "BA": "EX", "BI": "PV", "BU": "CL",
    "C": "GA", "CA": "AN", "CC": "EX", "CO": "AN", "CR": "CM", "CS": "VC", "CU": "CM", "GC": "CN",
    "GI": "CT", "GR": "AN", "GU": "CM", "H": "AN", "HU": "AR", "J": "AN", "L": "CT", "LE": "CL",
    "LO": "RI", "LU": "GA", "M": "MD", "MA": "AN", "MU": "MC", "NA": "NC", "O": "AS", "OR": "GA",
    "P": "CL", "PM": "IB", "PO": "GA", "S": "CB", "SA": "CL", "SE": "AN", "SG": "CL", "SO": "CL",
    "SS": "PV", "T": "CT", "TE": "AR", "TF": "CN", "TO": "CM", "V": "VC", "VA": "CL", "VI": "PV",
    "Z": "AR", "ZA": "CL",
}  # fmt: skip

# French departments whose calendar is a named subdivision (Alsace is one calendar for 67 and 68).
_FR_DEPARTMENT_TO_CALENDAR = {"67": "6AE", "68": "6AE"}

_COUNTRY_RE = re.compile(r"^[A-Za-z]{2}$")
_FR_POSTAL_RE = re.compile(r"^\d{5}$")
_ES_POSTAL_RE = re.compile(r"^\d{5}$")
_PT_POSTAL_RE = re.compile(r"^(\d{4})(-\d{3})?$")


class LegalInputError(ValueError):
    """Bad input to the engine; ``field`` names the parameter so the API can point at it."""

    def __init__(self, field: str, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.field = field
        self.code = code


def normalize_country(country: object) -> str:
    """Upper-case ISO 3166-1 alpha-2 code; ``UK``/``EL`` become ``GB``/``GR``.

    Raises ``LegalInputError`` (a ``ValueError``) when it is not an assigned two-letter code.
    """
    if not isinstance(country, str) or not _COUNTRY_RE.match(country.strip()):
        raise LegalInputError(
            "country",
            f"country must be a two-letter ISO 3166-1 code such as 'FR', got {country!r}",
            "invalid_country",
        )
    cc = country.strip().upper()
    cc = _COUNTRY_ALIASES.get(cc, cc)
    if pycountry.countries.get(alpha_2=cc) is None:
        raise LegalInputError("country", f"{cc!r} is not an ISO 3166-1 country code", "invalid_country")
    return cc


def law_country(country: object) -> str:
    """The normalized code of the country whose consumer law applies (``RE`` → ``FR``)."""
    cc = normalize_country(country)
    return TERRITORIES.get(cc, (cc, ""))[0]


def _clean_postal(postal_code: str) -> str:
    return re.sub(r"\s+", "", postal_code).upper()


def _derive_fr(postal: str) -> str | None:
    if not _FR_POSTAL_RE.match(postal):
        return None
    if postal.startswith("57"):
        return "57"
    if postal[:2] in ("67", "68"):
        return "6AE"
    # Overseas: Saint-Barthélemy (97133) and Saint-Martin (97150) share Guadeloupe's 971 prefix.
    if postal == "97133":
        return "BL"
    if postal == "97150":
        return "MF"
    if postal[:3] in ("971", "972", "973", "974", "976"):
        return postal[:3]
    if postal[:3] == "975":
        return "PM"
    return None


def _derive_pt(postal: str) -> str | None:
    match = _PT_POSTAL_RE.match(postal)
    if not match:
        return None
    number = int(match.group(1))
    if 9000 <= number <= 9499:
        return "30"  # Região Autónoma da Madeira
    if 9500 <= number <= 9999:
        return "20"  # Região Autónoma dos Açores
    return None


def derive_subdivision(country: str, postal_code: str | None) -> str | None:
    """The holiday-calendar subdivision a postal code determines without doubt, else None.

    FR ``57xxx`` → ``'57'``; ``67xxx``/``68xxx`` → ``'6AE'``; overseas ``971``–``976`` → that code;
    ES province prefix → autonomous community (``28`` → ``'MD'``, ``08`` → ``'CT'``);
    PT ``9000``–``9499`` → ``'30'`` (Madeira), ``9500``–``9999`` → ``'20'`` (Azores).
    """
    cc = normalize_country(country)
    if cc in TERRITORIES:
        return TERRITORIES[cc][1]
    if not postal_code or not isinstance(postal_code, str):
        return None
    postal = _clean_postal(postal_code)
    if cc == "FR":
        return _derive_fr(postal)
    if cc == "ES":
        return _ES_PROVINCE_TO_COMMUNITY.get(postal[:2]) if _ES_POSTAL_RE.match(postal) else None
    if cc == "PT":
        return _derive_pt(postal)
    return None


Origin = Literal["given", "postal_code", "territory", "none"]


@dataclass(frozen=True)
class Region:
    """Where the consumer is, as far as the holiday calendar is concerned."""

    country: str  # the country whose law applies (RE → FR)
    subdivision: str | None  # the calendar's own code, or None for national holidays only
    origin: Origin
    without_calendar: str | None = None  # a real ISO 3166-2 region with no holidays of its own
    unknown: str | None = None  # a subdivision that is neither: ignored


def _calendar_code(cc: str, raw: str) -> str | None:
    code = raw.strip()
    if code.upper().startswith(f"{cc}-"):
        code = code[3:]
    upper = code.upper()
    if cc == "FR":
        upper = _FR_DEPARTMENT_TO_CALENDAR.get(upper, upper)
    if cc == "ES":
        upper = _ES_ISO_PROVINCE_TO_COMMUNITY.get(upper, upper)
    return calendar_subdivisions(cc).get(upper)


def _is_iso_region(cc: str, raw: str) -> bool:
    code = raw.strip().upper().removeprefix(f"{cc}-")
    if cc == "FR" and code == "75":
        code = "75C"  # Paris's ISO code since 2019; addresses still say 75
    return pycountry.subdivisions.get(code=f"{cc}-{code}") is not None


def resolve_region(
    country: str, subdivision: str | None, postal_code: str | None, *, strict: bool = False
) -> Region:
    """Pick the calendar region: the explicit subdivision, else the territory, else the postal code.

    A subdivision the calendar does not know but that is a real ISO 3166-2 region of the country (a
    Dutch province, a Paris department) has no holidays of its own. Anything else is a mistake:
    ``strict`` refuses it (the API does, so that a typo cannot silently drop regional holidays);
    otherwise it is ignored and reported, so that a badly stored address never breaks a computation.
    """
    cc = normalize_country(country)
    law_cc, territory_sub = TERRITORIES.get(cc, (cc, None))
    if subdivision is not None and not isinstance(subdivision, str):
        raise LegalInputError("subdivision", f"subdivision must be a string, got {subdivision!r}")
    given = (subdivision or "").strip()
    without_calendar = unknown = None
    if given:
        code = _calendar_code(law_cc, given)
        if code is not None:
            return Region(law_cc, code, "given")
        if _is_iso_region(cc, given):
            without_calendar = given
        elif strict:
            choices = ", ".join(sorted(set(calendar_subdivisions(law_cc).values()))) or "none"
            raise LegalInputError(
                "subdivision",
                f"unknown subdivision {given!r} for {cc}; calendar regions: {choices}",
                "unknown_subdivision",
            )
        else:
            unknown = given
    if territory_sub:
        return Region(law_cc, territory_sub, "territory", without_calendar, unknown)
    if without_calendar:  # an explicit region wins over the postal code, even without holidays of its own
        return Region(law_cc, None, "given", without_calendar)
    derived = derive_subdivision(law_cc, postal_code)
    return Region(law_cc, derived, "postal_code" if derived else "none", None, unknown)
