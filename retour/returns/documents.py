"""The return slip: a one-page PDF the shopper prints and puts in the parcel.

It carries the return number as a QR code and a Code 128 barcode (scanned at the warehouse), the
address the parcel goes to, the items, and the three steps to follow, in French or English. The
texts are kept here in both languages (not in the .po file) so that the printed French is exact
even where translations have not been compiled.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from reportlab.graphics.barcode import createBarcodeDrawing
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

if TYPE_CHECKING:
    from retour.returns.models import ReturnLine, ReturnRequest
    from retour.stores.models import Location

# (English, French) for every text printed on the slip.
TEXTS: dict[str, tuple[str, str]] = {
    "title": ("Return slip", "Bon de retour"),
    "return_number": ("Return number", "Numéro de retour"),
    "order_number": ("Order", "Commande"),
    "requested_on": ("Requested on", "Demandé le"),
    "customer": ("Customer", "Client"),
    "send_to": ("Send the parcel to", "Adresse d'envoi du colis"),
    "items": ("Items in this parcel", "Articles de ce colis"),
    "sku": ("SKU", "Référence"),
    "item": ("Item", "Article"),
    "quantity": ("Qty", "Qté"),
    "what_to_do": ("What to do", "Marche à suivre"),
    "step_pack": (
        "Pack the items above securely, in their original packaging if you still have it.",
        "Emballez soigneusement les articles ci-dessus, si possible dans leur emballage d'origine.",
    ),
    "step_attach": (
        "Put this slip inside the parcel, or write the return number {number} clearly on it.",
        "Glissez ce bon dans le colis, ou inscrivez lisiblement dessus le numéro de retour {number}.",
    ),
    "step_drop": (
        "Drop the parcel off with a carrier or at a post office and keep the receipt: "
        "it is your proof of dispatch.",
        "Déposez le colis chez un transporteur ou à la poste et conservez le récépissé : "
        "c'est votre preuve d'expédition.",
    ),
    "ship_by": ("Please ship it by {date}.", "Merci de l'expédier au plus tard le {date}."),
    "withdrawal": (
        "This return exercises your statutory right of withdrawal.",
        "Ce retour exerce votre droit légal de rétractation.",
    ),
    "follow": ("Follow your return: {url}", "Suivez votre retour : {url}"),
    "questions": ("Questions? {email}", "Une question ? {email}"),
    "scan_me": ("Scan at receipt", "À scanner à la réception"),
}


def _t(key: str, lang: str, **values: str) -> str:
    en, fr = TEXTS[key]
    text = fr if lang == "fr" else en
    return text.format(**values) if values else text


def _lang(language: str) -> str:
    return "fr" if (language or "").lower().startswith("fr") else "en"


def _clean(text: str) -> str:
    """Escape for Paragraph markup; babel's narrow no-break spaces become plain spaces (Helvetica)."""
    return escape(str(text).replace("\u202f", " ").replace("\u00a0", " "))


def _format_day(day: date, lang: str) -> str:
    from babel.dates import format_date

    from retour.core.dates import first_of_month

    return first_of_month(format_date(day, format="long", locale="fr_FR" if lang == "fr" else "en_GB"), lang)


def _format_date(moment: datetime | None, lang: str, tz_name: str) -> str:
    from retour.core.clock import local_date

    if moment is None:
        return ""
    return _format_day(local_date(moment, tz_name), lang)


def slip_location(return_request: ReturnRequest) -> Location | None:
    """Where the parcel goes: the return's location, else the store's ``main``, else its default."""
    from retour.stores.models import Location

    if return_request.location_id:
        return return_request.location
    locations = Location.objects.filter(store_id=return_request.store_id)
    return locations.filter(code="main").first() or locations.filter(is_default=True).first()


def slip_address_lines(return_request: ReturnRequest, language: str) -> list[str]:
    """The return address, the country spelled out in ``language``."""
    from babel import Locale

    location = slip_location(return_request)
    if location is None:
        return [return_request.store.name]
    lines = location.address_lines
    if location.country and lines and lines[-1] == location.country:
        locale = Locale.parse("fr" if _lang(language) == "fr" else "en")
        lines[-1] = locale.territories.get(location.country.upper(), location.country)
    return lines


def _slip_lines(return_request: ReturnRequest) -> list[tuple[ReturnLine, int]]:
    """Each line with the quantity to send: the approved units once approved, else the requested."""
    lines = list(return_request.lines.all())
    approved = any(ln.approved_quantity for ln in lines)
    out = [(ln, ln.approved_quantity if approved else ln.quantity) for ln in lines]
    return [(ln, qty) for ln, qty in out if qty > 0]


def _brand(store_color: str) -> colors.Color:
    try:
        return colors.HexColor(store_color)
    except (ValueError, TypeError):
        return colors.HexColor("#1f4e79")


def _qr(value: str, size: float) -> Drawing:
    widget = QrCodeWidget(value, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    return drawing


def _code128(value: str) -> Drawing:
    return createBarcodeDrawing(
        "Code128", value=value, barHeight=14 * mm, barWidth=0.36 * mm, humanReadable=False
    )


def _styles(brand: colors.Color) -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()["Normal"]
    return {
        "normal": ParagraphStyle("slip", parent=base, fontName="Helvetica", fontSize=10, leading=13),
        "small": ParagraphStyle(
            "small",
            parent=base,
            fontName="Helvetica",
            fontSize=8.5,
            leading=11,
            textColor=colors.HexColor("#444444"),
        ),
        "h1": ParagraphStyle(
            "h1", parent=base, fontName="Helvetica-Bold", fontSize=18, leading=22, textColor=colors.white
        ),
        "h2": ParagraphStyle(
            "h2",
            parent=base,
            fontName="Helvetica-Bold",
            fontSize=12,
            leading=15,
            textColor=brand,
            spaceBefore=8,
            spaceAfter=4,
        ),
        "number": ParagraphStyle("number", parent=base, fontName="Helvetica-Bold", fontSize=22, leading=26),
        "address": ParagraphStyle("address", parent=base, fontName="Helvetica", fontSize=12, leading=15),
    }


def _header(rr: ReturnRequest, lang: str, st: dict[str, ParagraphStyle], brand: colors.Color) -> Table:
    title = Paragraph(
        f"{_clean(rr.store.name)}<br/><font size='12'>{_clean(_t('title', lang))}</font>", st["h1"]
    )
    table = Table([[title]], colWidths=[180 * mm])
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), brand),
                ("LEFTPADDING", (0, 0), (-1, -1), 8 * mm),
                ("TOPPADDING", (0, 0), (-1, -1), 5 * mm),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5 * mm),
            ]
        )
    )
    return table


def _identity(rr: ReturnRequest, lang: str, st: dict[str, ParagraphStyle]) -> Table:
    facts = [
        Paragraph(_clean(_t("return_number", lang)), st["small"]),
        Paragraph(_clean(rr.number), st["number"]),
        _code128(rr.number),
        Spacer(1, 3 * mm),
        Paragraph(
            f"{_clean(_t('order_number', lang))} : {_clean(rr.order.number)}"
            if lang == "fr"
            else f"{_clean(_t('order_number', lang))}: {_clean(rr.order.number)}",
            st["normal"],
        ),
        Paragraph(
            f"{_clean(_t('requested_on', lang))} {_clean(_format_date(rr.created_at, lang, rr.store.time_zone))}",
            st["normal"],
        ),
    ]
    if rr.customer.name or rr.order.ship_name:
        sep = " : " if lang == "fr" else ": "
        facts.append(
            Paragraph(
                f"{_clean(_t('customer', lang))}{sep}{_clean(rr.customer.name or rr.order.ship_name)}",
                st["normal"],
            )
        )
    qr = [_qr(rr.number, 38 * mm), Paragraph(_clean(_t("scan_me", lang)), st["small"])]
    table = Table([[facts, qr]], colWidths=[135 * mm, 45 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return table


def _address(rr: ReturnRequest, lang: str, st: dict[str, ParagraphStyle]) -> list:
    lines = "<br/>".join(_clean(line) for line in slip_address_lines(rr, lang))
    box = Table([[Paragraph(lines, st["address"])]], colWidths=[110 * mm])
    box.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1, colors.black),
                ("LEFTPADDING", (0, 0), (-1, -1), 4 * mm),
                ("TOPPADDING", (0, 0), (-1, -1), 3 * mm),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3 * mm),
            ]
        )
    )
    return [Paragraph(_clean(_t("send_to", lang)), st["h2"]), box]


def _items(rr: ReturnRequest, lang: str, st: dict[str, ParagraphStyle], brand: colors.Color) -> list:
    rows = [[Paragraph(f"<b>{_clean(_t(k, lang))}</b>", st["normal"]) for k in ("sku", "item", "quantity")]]
    for line, quantity in _slip_lines(rr):
        rows.append(
            [
                Paragraph(_clean(line.order_line.sku), st["normal"]),
                Paragraph(_clean(line.order_line.title or line.order_line.sku), st["normal"]),
                Paragraph(str(quantity), st["normal"]),
            ]
        )
    table = Table(rows, colWidths=[45 * mm, 115 * mm, 20 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, 0), 1, brand),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#bbbbbb")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return [Paragraph(_clean(_t("items", lang)), st["h2"]), table]


def _steps(rr: ReturnRequest, lang: str, st: dict[str, ParagraphStyle]) -> list:
    from retour.notifications.services import status_url
    from retour.returns.selectors import return_send_back_by

    steps = [_t("step_pack", lang), _t("step_attach", lang, number=rr.number), _t("step_drop", lang)]
    out: list = [Paragraph(_clean(_t("what_to_do", lang)), st["h2"])]
    out += [Paragraph(f"<b>{i}.</b> {_clean(text)}", st["normal"]) for i, text in enumerate(steps, start=1)]
    # A withdrawal may be sent back before any approval: its slip carries the date too.
    waiting = rr.status == "approved" or (rr.status == "requested" and rr.right == "withdrawal")
    send_back_by = return_send_back_by(rr) if waiting else None
    if send_back_by:
        out.append(Paragraph(_clean(_t("ship_by", lang, date=_format_day(send_back_by, lang))), st["normal"]))
    if rr.right == "withdrawal":
        out.append(Paragraph(_clean(_t("withdrawal", lang)), st["normal"]))
    out.append(Spacer(1, 6 * mm))
    out.append(Paragraph(_clean(_t("follow", lang, url=status_url(rr, language=lang))), st["small"]))
    if rr.store.support_email:
        out.append(Paragraph(_clean(_t("questions", lang, email=rr.store.support_email)), st["small"]))
    return out


def return_slip_pdf(*, return_request: ReturnRequest, language: str, compress: bool = True) -> bytes:
    """The printable return slip of ``return_request`` in French or English, as PDF bytes.

    ``compress=False`` leaves the page streams readable (tests look for the texts in them).
    """
    rr = return_request
    lang = _lang(language)
    brand = _brand(rr.store.brand_color)
    st = _styles(brand)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=f"{_t('title', lang)} {rr.number}",
        author=rr.store.name,
        lang=lang,
        pageCompression=1 if compress else 0,
        invariant=1,
    )
    story: list = [_header(rr, lang, st, brand), Spacer(1, 6 * mm), _identity(rr, lang, st)]
    story += _address(rr, lang, st)
    story += _items(rr, lang, st, brand)
    story += _steps(rr, lang, st)
    doc.build(story)
    return buffer.getvalue()
