"""Writes for the helpdesk: the default FAQ and predefined replies of a store, and messages
about a return (a customer's message alerts staff; a staff reply is emailed to the customer)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from retour.core import clock
from retour.core.actors import Actor
from retour.core.errors import Forbidden, ValidationFailed
from retour.helpdesk.models import AuthorType, FaqEntry, Message, PredefinedReply
from retour.returns.models import ReturnRequest
from retour.stores.models import Store

MAX_MESSAGE_LENGTH = 5000

# code, question (en, fr), answer (en, fr). Answers may use the placeholders of selectors.faq_list.
DEFAULT_FAQ: list[tuple[str, tuple[str, str], tuple[str, str]]] = [
    (
        "refund_when",
        ("When will I be refunded?", "Quand serai-je remboursé ?"),
        (
            "We refund you {refund_when}, to the payment method you used for the order unless you chose "
            "store credit. If you withdrew from your purchase under the statutory right of withdrawal, "
            "the refund is made at the latest 14 days after you told us, although we may wait until we "
            "have the items back or you have given us proof that you sent them. Your bank may then take "
            "a few days to show the money.",
            "Nous vous remboursons {refund_when}, sur le moyen de paiement utilisé pour la commande, sauf "
            "si vous avez choisi un avoir. Si vous avez exercé votre droit légal de rétractation, le "
            "remboursement intervient au plus tard 14 jours après que vous nous en avez informés ; nous "
            "pouvons toutefois attendre d'avoir récupéré les articles ou que vous nous ayez fourni une "
            "preuve de leur expédition. Votre banque peut ensuite mettre quelques jours à faire apparaître "
            "le montant.",
        ),
    ),
    (
        "print_slip",
        ("How do I print the return slip?", "Comment imprimer le bon de retour ?"),
        (
            "Open the page of your return (the link is in the confirmation e-mail) and choose "
            '"Download the return slip". It is a PDF: print it and put it in the parcel. No printer? '
            "Write the return number clearly on the parcel instead.",
            "Ouvrez la page de votre retour (le lien figure dans l'e-mail de confirmation) et choisissez "
            "« Télécharger le bon de retour ». C'est un PDF : imprimez-le et glissez-le dans le colis. "
            "Pas d'imprimante ? Inscrivez simplement le numéro de retour lisiblement sur le colis.",
        ),
    ),
    (
        "how_to_ship",
        ("How do I send the parcel back?", "Comment renvoyer le colis ?"),
        (
            "Pack the items securely, put the return slip inside and drop the parcel off with a carrier "
            "or at a post office, addressed to the address on the slip. Keep the receipt: it is your "
            'proof of dispatch. Then choose "I have shipped it" on the page of your return, with the '
            "tracking number if you have one.",
            "Emballez soigneusement les articles, glissez le bon de retour dans le colis et déposez-le "
            "chez un transporteur ou à la poste, à l'adresse indiquée sur le bon. Conservez le récépissé : "
            "c'est votre preuve d'expédition. Indiquez ensuite « Je l'ai expédié » sur la page de votre "
            "retour, avec le numéro de suivi si vous en avez un.",
        ),
    ),
    (
        "exchange",
        ("Can I exchange an item?", "Puis-je échanger un article ?"),
        (
            'When our policy offers exchanges, choose "Exchange" when you start your return and tell '
            "us which size or colour you would like. We send you the new item once we have "
            "processed your return. If exchange is not offered, return the item for a refund and order the one "
            "you want.",
            "Lorsque notre politique propose l'échange, choisissez « Échange » au moment de créer votre "
            "retour et indiquez la taille ou la couleur souhaitée. Nous vous envoyons le nouvel article dès "
            "que votre retour a été traité. Si l'échange n'est pas proposé, retournez l'article pour être "
            "remboursé et commandez celui que vous souhaitez.",
        ),
    ),
    (
        "how_long",
        (
            "How long do I have to return an item?",
            "De combien de temps est-ce que je dispose pour retourner un article ?",
        ),
        (
            "Our return policy gives you {window_days} days from {window_start}. If you bought as a "
            "consumer in a country with a statutory right of withdrawal (the European Union or the "
            "United Kingdom, for example), you also have 14 days from delivery to withdraw without giving "
            "a reason; whichever ends later applies. The deadline of each item is shown on your order page.",
            "Notre politique de retour vous laisse {window_days} jours à compter de {window_start}. Si vous "
            "avez acheté en tant que consommateur dans un pays qui prévoit un droit légal de rétractation "
            "(l'Union européenne ou le Royaume-Uni, par exemple), vous disposez aussi de 14 jours à compter "
            "de la livraison pour vous rétracter sans motif ; le délai le plus long s'applique. La date "
            "limite de chaque article figure sur la page de votre commande.",
        ),
    ),
    (
        "defective",
        ("What if my item is faulty?", "Que faire si mon article est défectueux ?"),
        (
            'Start a return with the reason "Defective or not working" or "Not as described" and add '
            "a photo. A faulty item is covered by the legal guarantee of conformity even after the return "
            "period: we repair or replace it, or refund it, free of charge, and you pay no return costs. "
            "In the European Union the legal guarantee lasts at least 2 years from delivery.",
            "Créez un retour avec le motif « Défectueux ou ne fonctionne pas » ou « Non conforme à la "
            "description » et ajoutez une photo. Un article défectueux est couvert par la garantie légale "
            "de conformité même après le délai de retour : nous le réparons, le remplaçons ou le "
            "remboursons sans frais, et les frais de retour sont à notre charge. Dans l'Union européenne, "
            "la garantie légale de conformité dure au moins 2 ans à compter de la délivrance du bien.",
        ),
    ),
    (
        "cancel",
        ("How do I cancel my return?", "Comment annuler mon retour ?"),
        (
            "As long as you have not shipped the parcel, open the page of your return and choose "
            '"Cancel this return". If the parcel is already on its way, send us a message from the '
            "page of your return.",
            "Tant que vous n'avez pas expédié le colis, ouvrez la page de votre retour et choisissez "
            "« Annuler ce retour ». Si le colis est déjà en route, envoyez-nous un message depuis la page "
            "de votre retour.",
        ),
    ),
    (
        "withdrawal",
        ("What is the right of withdrawal?", "Qu'est-ce que le droit de rétractation ?"),
        (
            "If you live in the European Union or the United Kingdom and bought as a consumer, you may "
            "withdraw from an online purchase within 14 days of receiving the goods, without giving a "
            'reason. Use the "Withdraw from contract here" button of our returns centre ({portal_url}) '
            "or send us any clear statement. We then refund what you paid, including standard delivery "
            "when you return the whole order, within 14 days. You pay the direct cost of sending the "
            "goods back only if we told you so beforehand. See our return policy ({policy_url}) for the "
            "details and the model withdrawal form.",
            "Si vous résidez dans l'Union européenne ou au Royaume-Uni et avez acheté en tant que "
            "consommateur, vous pouvez vous rétracter d'un achat en ligne dans les 14 jours suivant la "
            "réception des biens, sans donner de motif. Utilisez le bouton « Se rétracter du contrat ici » "
            "de notre espace retours ({portal_url}) ou envoyez-nous toute déclaration dénuée d'ambiguïté. "
            "Nous vous remboursons alors les sommes versées, y compris la livraison standard si vous "
            "retournez toute la commande, dans un délai de 14 jours. Les frais directs de renvoi ne sont "
            "à votre charge que si nous vous en avons informé au préalable. Notre politique de retour "
            "({policy_url}) donne le détail et le modèle de formulaire de rétractation.",
        ),
    ),
]


@transaction.atomic
def faq_create_defaults(*, store: Store) -> int:
    """Create the default FAQ entries of ``store`` that it does not have yet; returns how many.

    Safe to run again: entries are keyed by ``code``, and staff edits are never overwritten.
    """
    return _defaults_create(
        store=store,
        model=FaqEntry,
        rows=DEFAULT_FAQ,
        fields=("question_en", "question_fr", "answer_en", "answer_fr"),
    )


# code, title (en, fr), text (en, fr). Texts may use the placeholders of selectors.REPLY_PLACEHOLDERS.
DEFAULT_REPLIES: list[tuple[str, tuple[str, str], tuple[str, str]]] = [
    (
        "looking_into_it",
        ("We are looking into it", "Nous nous en occupons"),
        (
            "Hello {customer_name},\n\nThank you for your message about your return {return_number}. "
            "We are looking into it and will come back to you shortly.\n\n{agent_name}, {store}",
            "Bonjour {customer_name},\n\nMerci pour votre message au sujet de votre retour {return_number}. "
            "Nous nous en occupons et revenons vers vous très vite.\n\n{agent_name}, {store}",
        ),
    ),
    (
        "how_to_send",
        ("How to send the parcel", "Comment envoyer le colis"),
        (
            "Hello {customer_name},\n\nPlease send the parcel of your return {return_number} by "
            "{ship_by}, with the return slip inside. You can download the slip from the page of your "
            "return: {status_url}\n\n{agent_name}, {store}",
            "Bonjour {customer_name},\n\nMerci d'envoyer le colis de votre retour {return_number} au plus "
            "tard le {ship_by}, avec le bon de retour à l'intérieur. Vous pouvez télécharger le bon depuis "
            "la page de votre retour : {status_url}\n\n{agent_name}, {store}",
        ),
    ),
    (
        "refund_when",
        ("When the refund comes", "Quand arrive le remboursement"),
        (
            "Hello {customer_name},\n\nWe refund your return {return_number} {refund_when}. "
            "The refund is due by {refund_due_by} at the latest. Your bank may then take a few days to "
            "show it.\n\n{agent_name}, {store}",
            "Bonjour {customer_name},\n\nNous remboursons votre retour {return_number} {refund_when}. "
            "Le remboursement interviendra au plus tard le {refund_due_by}. Votre banque peut ensuite "
            "mettre quelques jours à le faire apparaître.\n\n{agent_name}, {store}",
        ),
    ),
    (
        "photo_needed",
        ("Ask for a photo", "Demander une photo"),
        (
            "Hello {customer_name},\n\nTo handle your return {return_number} we need a photo of the item "
            "showing the problem. Please reply from the page of your return: {status_url}\n\n"
            "{agent_name}, {store}",
            "Bonjour {customer_name},\n\nPour traiter votre retour {return_number}, nous avons besoin "
            "d'une photo de l'article montrant le problème. Merci de nous répondre depuis la page de votre "
            "retour : {status_url}\n\n{agent_name}, {store}",
        ),
    ),
    (
        "parcel_received",
        ("Parcel received", "Colis reçu"),
        (
            "Hello {customer_name},\n\nWe have received the parcel of your return {return_number} "
            "(order {order_number}). We are checking the items and will let you know as soon as it is "
            "done.\n\n{agent_name}, {store}",
            "Bonjour {customer_name},\n\nNous avons bien reçu le colis de votre retour {return_number} "
            "(commande {order_number}). Nous vérifions les articles et vous tenons informé dès que "
            "c'est fait.\n\n{agent_name}, {store}",
        ),
    ),
]


@transaction.atomic
def predefined_replies_create_defaults(*, store: Store) -> int:
    """Create the default predefined replies of ``store`` that it does not have yet; returns how
    many. Keyed by ``code`` like the FAQ: safe to run again, staff edits are kept."""
    return _defaults_create(
        store=store,
        model=PredefinedReply,
        rows=DEFAULT_REPLIES,
        fields=("title_en", "title_fr", "body_en", "body_fr"),
    )


def _defaults_create(
    *,
    store: Store,
    model: type[Any],
    rows: list[tuple[str, tuple[str, str], tuple[str, str]]],
    fields: tuple[str, ...],
) -> int:
    """Create the rows (code, (title en, fr), (text en, fr)) that ``store`` has no entry of the
    same ``code`` for, in order; staff edits and entries without a code are left alone."""
    existing = set(model.objects.filter(store=store).exclude(code="").values_list("code", flat=True))
    created = [
        model(
            store=store,
            code=code,
            position=(position + 1) * 10,
            **dict(zip(fields, (*title, *text), strict=True)),
        )
        for position, (code, title, text) in enumerate(rows)
        if code not in existing
    ]
    model.objects.bulk_create(created)
    return len(created)


def message_post(
    *,
    return_request: ReturnRequest,
    author_type: str,
    author_name: str,
    body: str,
    now: datetime | None = None,
    author_user: Any = None,
) -> Message:
    """Store a message on a return (the shopper's question, a staff reply, a system note).

    The body is required and at most 5000 characters; the message belongs to the return's store.
    A customer's message stays unread (the return shows as unread) and alerts the return's
    assignee, or else the store's support address, by email after commit. Staff replies go
    through ``message_reply``, which also emails the customer.
    """
    text = (body or "").strip()
    errors: list[dict[str, Any]] = []
    if author_type not in AuthorType.values:
        errors.append(
            {
                "loc": ["author_type"],
                "code": "invalid_value",
                "message": _("Must be one of: %(expected)s.") % {"expected": ", ".join(AuthorType.values)},
            }
        )
    if not text:
        errors.append({"loc": ["body"], "code": "required", "message": _("Write a message.")})
    elif len(text) > MAX_MESSAGE_LENGTH:
        errors.append(
            {
                "loc": ["body"],
                "code": "too_long",
                "message": _("A message can have at most %(n)s characters.") % {"n": MAX_MESSAGE_LENGTH},
            }
        )
    if errors:
        raise ValidationFailed(_("The message was not sent."), errors=errors)
    message = Message.objects.create(
        store_id=return_request.store_id,
        return_request=return_request,
        author_type=author_type,
        author_name=(author_name or "").strip()[:200],
        author_user=author_user,
        body=text,
        created_at=now or clock.now(),
    )
    if author_type == AuthorType.CUSTOMER:
        _staff_alert(message)
    return message


def _staff_alert(message: Message) -> None:
    """Email the assignee (an active user with an address), else the store's support address."""
    from django.contrib.auth import get_user_model

    from retour.notifications.services import notification_queue

    rr = message.return_request
    # read now: the caller's copy of the return may predate a reassignment
    assignee = (
        get_user_model()
        .objects.filter(pk__in=ReturnRequest.objects.filter(pk=rr.pk).values("assignee_id"))
        .first()
    )
    to = assignee.email if assignee is not None and assignee.is_active and assignee.email else None
    notification_queue(
        return_request=rr,
        kind="message_received",
        recipient=to,
        data={
            "message_id": message.pk,
            "message_author": message.author_name,
            "message_body": message.body,
            "assignee_name": (assignee.get_full_name() or assignee.get_username()) if assignee else "",
            "staff_url": staff_return_url(rr),
        },
    )


def staff_return_url(rr: ReturnRequest) -> str:
    """Where staff read the return's messages and answer (the workspace's conversation page)."""
    from django.conf import settings

    return f"{settings.BASE_URL}/staff/messages/{rr.number}/"


@transaction.atomic
def message_reply(
    *, return_request: ReturnRequest, actor: Actor, body: str, now: datetime | None = None
) -> Message:
    """A staff reply to the customer: kept in the return's thread (the portal's status page
    shows it), the customer's messages marked read, and emailed to the customer in their
    language through the outbox, after commit. Only admins and agents (or a superuser) reply.
    """
    from retour.stores.permissions import role_can

    if actor.type != "user" or not role_can(actor.role, "message.reply"):
        raise Forbidden()
    now = now or clock.now()
    user = _user(actor)
    # Customers read the agent's first name when known (never their full name), else the login.
    name = (user.first_name if user is not None else "") or actor.name
    message = message_post(
        return_request=return_request,
        author_type=AuthorType.STAFF,
        author_name=name,
        body=body,
        now=now,
        author_user=user,
    )
    messages_mark_read(return_request=return_request, now=now)
    from retour.notifications.services import notification_queue

    notification_queue(
        return_request=return_request,
        kind="message_reply",
        data={"message_id": message.pk, "message_author": name, "message_body": message.body},
    )
    return message


def _user(actor: Actor) -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(pk=actor.user_id).first() if actor.user_id else None


def messages_mark_read(
    *, return_request: ReturnRequest, author_type: str = AuthorType.CUSTOMER, now: datetime | None = None
) -> int:
    """Mark the unread messages of ``author_type`` on a return as read (staff has seen them)."""
    unread = Message.objects.filter(
        return_request=return_request, author_type=author_type, read_at__isnull=True
    )
    return unread.update(read_at=now or clock.now())
