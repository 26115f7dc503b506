"""What the demo's customers and agents write, composed from fragments so it reads varied.

Text understanding, search and the timeline are only convincing on text that looks real:
different topics, tones (pleased, neutral, angry), lengths, channels (an email is not a
tweet) and languages. Every piece is picked with the step's seeded ``rng``, so the same
seed writes the same words.
"""

from __future__ import annotations

import random
from typing import Any

TOPICS = (
    "billing",
    "outage",
    "slow_speed",
    "device",
    "roaming",
    "app",
    "delivery",
    "installation",
    "upgrade",
    "cancellation",
)
# Which department owns each topic (cases and routing will rely on the same split).
TOPIC_DEPARTMENT = {
    "billing": "billing",
    "outage": "technical-support",
    "slow_speed": "technical-support",
    "device": "technical-support",
    "roaming": "billing",
    "app": "technical-support",
    "delivery": "delivery",
    "installation": "delivery",
    "upgrade": "sales",
    "cancellation": "retention",
}

ISSUES: dict[str, dict[str, list[str]]] = {
    "en": {
        "billing": [
            "my bill for {month} is £{amount} higher than my {plan} plan should cost",
            "I was charged twice for {month}",
            "there is a £{amount} charge on my invoice I do not recognise",
            "my direct debit went out on the wrong date and I paid an overdraft fee",
            "the discount I was promised when I signed up is not on my bill",
        ],
        "outage": [
            "the internet has been down since {day} at my home in {city}",
            "I have had no signal at all in {city} for {days} days",
            "my broadband keeps dropping every evening around 8pm",
            "calls cut out after a minute or two, every single time",
        ],
        "slow_speed": [
            "I pay for {plan} but speed tests show barely {speed} Mbps",
            "streaming buffers constantly and video calls freeze",
            "the wifi is fine next to the router but useless upstairs",
        ],
        "device": [
            "the {device} you sent me will not turn on",
            "my {device} keeps restarting on its own",
            "the screen of my new {device} has a dead line across it",
            "the router lights are flashing orange and nothing connects",
        ],
        "roaming": [
            "I was charged £{amount} for data while on holiday even though roaming is included",
            "my phone had no service in {abroad} although I activated the travel pass",
        ],
        "app": [
            "the app logs me out every time I open it",
            "I cannot see my usage in the app since the last update",
            "paying my bill in the app fails with an error at the last step",
        ],
        "delivery": [
            "my order {order} was supposed to arrive on {day} and has not",
            "the courier marked my parcel as delivered but I never received it",
            "the box arrived damaged and the SIM card was missing",
        ],
        "installation": [
            "the engineer did not turn up for the installation on {day}",
            "the installation was rescheduled twice without anyone telling me",
            "the engineer left cables across my hallway and the line still is not live",
        ],
        "upgrade": [
            "I would like to upgrade to {plan} and keep my number",
            "is there a better deal if I add a second line for my partner?",
            "I am thinking about switching to fibre, what speeds can I get in {city}?",
        ],
        "cancellation": [
            "I want to cancel my contract, {reason}",
            "please close my account at the end of this month, {reason}",
            "I am leaving for another provider, {reason}",
        ],
    },
    "es": {
        "billing": [
            "mi factura de {month} es {amount} € más alta de lo que cuesta mi tarifa",
            "me habéis cobrado dos veces el mes de {month}",
        ],
        "outage": [
            "no tengo internet en casa desde el {day}",
            "llevo {days} días sin cobertura en {city}",
        ],
        "slow_speed": ["pago por {plan} pero la velocidad no pasa de {speed} Mbps"],
        "device": ["el {device} que me enviasteis no enciende"],
        "roaming": ["me han cobrado {amount} € de datos en {abroad} con el roaming incluido"],
        "app": ["la aplicación me cierra la sesión cada vez que la abro"],
        "delivery": ["mi pedido {order} tenía que llegar el {day} y no ha llegado"],
        "installation": ["el técnico no vino a la instalación del {day}"],
        "upgrade": ["quiero pasarme a {plan} y mantener mi número"],
        "cancellation": ["quiero darme de baja, {reason}"],
    },
    "de": {
        "billing": [
            "meine Rechnung für {month} ist {amount} € höher als mein Tarif",
            "Sie haben den Monat {month} doppelt abgebucht",
        ],
        "outage": [
            "seit {day} habe ich zu Hause kein Internet",
            "seit {days} Tagen habe ich in {city} keinen Empfang",
        ],
        "slow_speed": ["ich zahle für {plan}, bekomme aber nur {speed} Mbit/s"],
        "device": ["das {device}, das Sie mir geschickt haben, lässt sich nicht einschalten"],
        "roaming": [
            "mir wurden {amount} € für Daten in {abroad} berechnet, obwohl Roaming inklusive ist"
        ],
        "app": ["die App meldet mich bei jedem Start ab"],
        "delivery": ["meine Bestellung {order} sollte am {day} ankommen und ist nicht da"],
        "installation": ["der Techniker ist zum Installationstermin am {day} nicht gekommen"],
        "upgrade": ["ich möchte zu {plan} wechseln und meine Nummer behalten"],
        "cancellation": ["ich möchte meinen Vertrag kündigen, {reason}"],
    },
    "fr": {
        "billing": [
            "ma facture de {month} est {amount} € plus élevée que prévu pour mon forfait",
            "vous m'avez prélevé deux fois pour {month}",
        ],
        "outage": [
            "je n'ai plus internet à la maison depuis {day}",
            "aucun réseau à {city} depuis {days} jours",
        ],
        "slow_speed": ["je paie pour {plan} mais le débit ne dépasse pas {speed} Mbit/s"],
        "device": ["le {device} que vous m'avez envoyé ne s'allume pas"],
        "roaming": [
            "on m'a facturé {amount} € de données en {abroad} alors que l'itinérance est incluse"
        ],
        "app": ["l'application me déconnecte à chaque ouverture"],
        "delivery": ["ma commande {order} devait arriver le {day} et je ne l'ai pas reçue"],
        "installation": ["le technicien n'est pas venu pour l'installation du {day}"],
        "upgrade": ["je voudrais passer à {plan} en gardant mon numéro"],
        "cancellation": ["je souhaite résilier mon contrat, {reason}"],
    },
}

REASONS = {
    "en": [
        "the price went up again",
        "I found a cheaper offer elsewhere",
        "the coverage where I live is poor",
        "I am moving abroad",
        "nobody ever fixes my problems",
    ],
    "es": ["la tarifa ha vuelto a subir", "he encontrado una oferta más barata"],
    "de": ["der Preis ist schon wieder gestiegen", "ich habe ein günstigeres Angebot gefunden"],
    "fr": ["le prix a encore augmenté", "j'ai trouvé une offre moins chère ailleurs"],
}

OPENERS = {
    "en": {
        "positive": ["Hi there,", "Hello,", "Good morning,"],
        "neutral": ["Hello,", "Hi,", "Dear Brightwave team,"],
        "negative": [
            "This is the third time I am writing about this.",
            "I am extremely frustrated.",
            "Honestly, this is unacceptable.",
            "Hello again,",
        ],
    },
    "es": {"positive": ["Hola,"], "neutral": ["Buenos días,"], "negative": ["Estoy harto."]},
    "de": {
        "positive": ["Hallo,"],
        "neutral": ["Guten Tag,"],
        "negative": ["Ich bin wirklich verärgert."],
    },
    "fr": {
        "positive": ["Bonjour,"],
        "neutral": ["Bonjour,"],
        "negative": ["Je suis vraiment exaspéré."],
    },
}

ASKS = {
    "en": {
        "positive": [
            "Could you have a look when you get a chance?",
            "Thanks in advance for your help.",
        ],
        "neutral": ["Can you tell me what is going on?", "Please let me know the next steps."],
        "negative": [
            "I want this fixed today or I will cancel.",
            "I expect a refund and an apology.",
            "If this is not sorted I am going to the ombudsman.",
            "Nobody has called me back as promised.",
        ],
    },
    "es": {
        "positive": ["Gracias de antemano."],
        "neutral": ["¿Me podéis decir qué pasa?"],
        "negative": ["Quiero una solución hoy mismo o me doy de baja."],
    },
    "de": {
        "positive": ["Vielen Dank im Voraus."],
        "neutral": ["Können Sie mir sagen, was los ist?"],
        "negative": ["Ich erwarte eine Lösung heute, sonst kündige ich."],
    },
    "fr": {
        "positive": ["Merci d'avance."],
        "neutral": ["Pouvez-vous me dire ce qui se passe ?"],
        "negative": ["Je veux une solution aujourd'hui, sinon je résilie."],
    },
}

SIGNOFFS = {
    "en": ["Thanks,", "Regards,", "Cheers,", ""],
    "es": ["Saludos,"],
    "de": ["Grüße,"],
    "fr": ["Cordialement,"],
}

PRAISE = {
    "en": [
        "{agent} on the phone was brilliant and sorted everything in minutes.",
        "Really quick delivery and the setup was painless.",
        "Fibre has been rock solid since the upgrade, very happy.",
        "Great value for money compared with my old provider.",
        "The app makes it so easy to keep an eye on my usage.",
    ],
    "es": ["{agent} me atendió genial y lo resolvió en minutos.", "Muy contento con la fibra."],
    "de": [
        "{agent} war super hilfsbereit und hat alles schnell gelöst.",
        "Sehr zufrieden mit dem Glasfaseranschluss.",
    ],
    "fr": [
        "{agent} a été parfait et a tout réglé en quelques minutes.",
        "Très content de la fibre.",
    ],
}

NEUTRAL_COMMENTS = {
    "en": [
        "It was fine, took a bit long to get through.",
        "OK service, nothing special.",
        "Solved in the end but I had to explain it twice.",
    ],
    "es": ["Bien, aunque tardaron un poco."],
    "de": ["In Ordnung, hat etwas gedauert."],
    "fr": ["Correct, mais un peu long."],
}

AGENT_ACTIONS = {
    "billing": [
        "refunded £{amount} as a goodwill credit",
        "corrected the invoice and reissued it",
        "explained the pro-rata charge",
    ],
    "outage": [
        "confirmed a local outage, engineers on site",
        "ran a line test, fault found at the cabinet",
        "reset the line remotely",
    ],
    "slow_speed": [
        "booked a wifi booster delivery",
        "changed the wifi channel remotely",
        "raised a speed ticket with the network team",
    ],
    "device": [
        "arranged a replacement {device}",
        "walked the customer through a factory reset",
        "booked a store repair",
    ],
    "roaming": ["removed the roaming charges", "added the travel pass retroactively"],
    "app": [
        "cleared the account session, customer logged in fine",
        "logged an app bug with the digital team",
    ],
    "delivery": [
        "chased the courier, new delivery date given",
        "sent a replacement order by next-day delivery",
    ],
    "installation": [
        "rebooked the engineer for the first slot available",
        "escalated to the field team lead",
    ],
    "upgrade": ["upgraded the plan, effective next bill", "sent the upgrade offer by email"],
    "cancellation": [
        "offered 3 months at half price, customer accepted",
        "processed the cancellation, final bill to follow",
        "offered a speed upgrade at no extra cost",
    ],
}

SLOTS: dict[str, list[Any]] = {
    "month": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "day": [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "the 3rd",
        "the 14th",
        "the 22nd",
    ],
    "city": [
        "Leeds",
        "Bristol",
        "Madrid",
        "Valencia",
        "Berlin",
        "Hamburg",
        "Lyon",
        "Paris",
        "Cork",
        "Manchester",
    ],
    "abroad": ["Portugal", "Italy", "Greece", "the US", "Turkey", "Morocco"],
    "device": ["router", "phone", "Brightwave Hub 2", "TV box", "SIM card", "wifi booster"],
    "plan": ["Fibre 1G", "Fibre 300", "Mobile Unlimited", "Home Bundle", "Mobile Plus"],
}


def fill(rng: random.Random, template: str, **known: Any) -> str:
    """Fill ``{slot}`` markers from what is known, else from plausible random values."""
    values: dict[str, Any] = {name: rng.choice(options) for name, options in SLOTS.items()}
    values.update(
        amount=rng.choice([4.99, 12.5, 18, 23.4, 35, 60, 89.99]),
        days=rng.randint(2, 9),
        speed=rng.randint(3, 40),
        order=f"BW-{rng.randint(100000, 999999)}",
        agent=rng.choice(["Sam", "Priya", "Lukas", "Marta", "Tom", "Aisha"]),
        reason="",
    )
    values.update({k: v for k, v in known.items() if v is not None})
    return template.format(**values)


def _lang(language: str) -> str:
    return language if language in ISSUES else "en"


def issue_sentence(rng: random.Random, topic: str, language: str, **known: Any) -> str:
    lang = _lang(language)
    reason = rng.choice(REASONS[lang])
    text = fill(rng, rng.choice(ISSUES[lang][topic]), reason=reason, **known)
    return text[0].upper() + text[1:]


def customer_message(rng: random.Random, topic: str, tone: str, language: str, **known: Any) -> str:
    """An email or web-form message: opener, the issue, maybe a detail, an ask, a sign-off."""
    lang = _lang(language)
    parts = [rng.choice(OPENERS[lang][tone]), issue_sentence(rng, topic, lang, **known) + "."]
    if lang == "en" and rng.random() < 0.5:
        parts.append(issue_sentence(rng, topic, lang, **known) + " as well.")
    parts.append(rng.choice(ASKS[lang][tone]))
    signoff = rng.choice(SIGNOFFS[lang])
    name = known.get("first_name")
    if signoff and name:
        parts.append(f"\n{signoff}\n{name}")
    return " ".join(parts)


def chat_transcript(
    rng: random.Random, topic: str, tone: str, language: str, agent: str, **known: Any
) -> str:
    lang = _lang(language)
    lines = [
        f"Customer: {issue_sentence(rng, topic, lang, **known)}",
        f"{agent}: Thanks for getting in touch, let me check your account.",
        f"Customer: {rng.choice(ASKS[lang][tone])}",
        f"{agent}: I have {fill(rng, rng.choice(AGENT_ACTIONS[topic]), **known)}.",
    ]
    if tone == "negative" and rng.random() < 0.6:
        lines.append("Customer: That is not good enough, I have been waiting for days.")
    else:
        lines.append(f"Customer: {rng.choice(['Great, thanks!', 'OK.', 'Thank you.'])}")
    return "\n".join(lines)


def call_note(rng: random.Random, topic: str, tone: str, **known: Any) -> str:
    """Agents write their notes in English, whatever language the call was in."""
    mood = {
        "positive": "calm",
        "neutral": "polite",
        "negative": rng.choice(["angry", "upset", "very frustrated"]),
    }[tone]
    summary = issue_sentence(rng, topic, "en", **known).rstrip(".")
    action = fill(rng, rng.choice(AGENT_ACTIONS[topic]), **known)
    follow = rng.choice(
        [
            "No follow-up needed.",
            "Call back in 48h.",
            "Customer will confirm by email.",
            "Escalated to team lead.",
        ]
    )
    return f"Customer {mood}. Reported: {summary}. Action: {action}. {follow}"


def review(rng: random.Random, tone: str, language: str, **known: Any) -> tuple[int, str]:
    lang = _lang(language)
    if tone == "positive":
        return rng.choice([4, 5, 5]), fill(rng, rng.choice(PRAISE[lang]), **known)
    if tone == "neutral":
        return 3, rng.choice(NEUTRAL_COMMENTS[lang])
    topic = rng.choice(TOPICS[:8])
    text = issue_sentence(rng, topic, lang, **known) + ". " + rng.choice(ASKS[lang]["negative"])
    return rng.choice([1, 1, 2]), text


def social_post(rng: random.Random, tone: str, language: str, topic: str, **known: Any) -> str:
    if tone == "positive":
        return f"@Brightwave {fill(rng, rng.choice(PRAISE[_lang(language)]), **known)} 👏"
    text = issue_sentence(rng, topic, language, **known)
    tail = " Sort it out!! #fail" if tone == "negative" else " Any ideas?"
    return f"@Brightwave {text}.{tail}"


def survey_comment(rng: random.Random, tone: str, language: str, **known: Any) -> str:
    lang = _lang(language)
    if tone == "positive":
        return fill(rng, rng.choice(PRAISE[lang]), **known)
    if tone == "neutral":
        return rng.choice(NEUTRAL_COMMENTS[lang])
    return issue_sentence(rng, rng.choice(TOPICS[:8]), lang, **known) + "."


def agent_reply(
    rng: random.Random, topic: str, agent: str, *, first_name: str, **known: Any
) -> str:
    action = fill(rng, rng.choice(AGENT_ACTIONS[topic]), **known)
    return (
        f"Hi {first_name},\n\nThank you for contacting Brightwave. I'm sorry for the trouble. "
        f"I have {action}. If anything else comes up, just reply to this email.\n\n"
        f"Kind regards,\n{agent}, Brightwave Customer Care"
    )
