"""The words of the survey pages around the company's own texts (buttons, steps, scale ends,
messages), in the respondent's language: a French respondent reading a French survey gets
"Continuer", not "Continue". Languages not listed read English."""

from __future__ import annotations

from cxloop.surveys import choose_locale

Phrases = dict[str, str]

ENGLISH: Phrases = {
    "continue": "Continue",
    "step": "Step {step} of at most {steps}",
    "check": "Please check your answers",
    "required": "(required)",
    "answer_this": "Please answer this question.",
    "thanks": "Thank you for your answers.",
    "answered": "This survey has already been answered with this link. Thank you!",
    "nps_low": "Not at all likely",
    "nps_high": "Extremely likely",
    "csat_low": "Very dissatisfied",
    "csat_high": "Very satisfied",
    "agree_low": "Strongly disagree",
    "agree_high": "Strongly agree",
    "rating_low": "Lowest",
    "rating_high": "Highest",
    "effectiveness": "It met my needs",
    "ease": "It was easy",
    "emotion": "I felt good about it",
    "invalid_title": "This link is not valid",
    "invalid": (
        "This link is damaged or was not made by us. Please open the link from "
        "your invitation exactly as it was sent."
    ),
    "expired_title": "This link has expired",
    "expired": "This link is too old to use now. Thank you for your interest all the same.",
    "closed_title": "This survey is not open",
    "closed": "This survey is not open for answers. Thank you for your interest all the same.",
}
PHRASES: dict[str, Phrases] = {
    "en": ENGLISH,
    "fr": {
        "continue": "Continuer",
        "step": "Étape {step} sur {steps} au plus",
        "check": "Veuillez vérifier vos réponses",
        "required": "(obligatoire)",
        "answer_this": "Veuillez répondre à cette question.",
        "thanks": "Merci pour vos réponses.",
        "answered": "Ce questionnaire a déjà reçu une réponse avec ce lien. Merci !",
        "nps_low": "Pas du tout probable",
        "nps_high": "Très probable",
        "csat_low": "Très insatisfait",
        "csat_high": "Très satisfait",
        "agree_low": "Pas du tout d'accord",
        "agree_high": "Tout à fait d'accord",
        "rating_low": "Le plus bas",
        "rating_high": "Le plus haut",
        "effectiveness": "Cela a répondu à mes besoins",
        "ease": "C'était facile",
        "emotion": "J'en garde une bonne impression",
        "invalid_title": "Ce lien n'est pas valide",
        "invalid": (
            "Ce lien est abîmé ou ne vient pas de nous. Ouvrez le lien de votre "
            "invitation tel qu'il a été envoyé."
        ),
        "expired_title": "Ce lien a expiré",
        "expired": (
            "Ce lien est trop ancien pour être utilisé. Merci tout de même de votre intérêt."
        ),
        "closed_title": "Ce questionnaire n'est pas ouvert",
        "closed": (
            "Ce questionnaire ne reçoit plus de réponses. Merci tout de même de votre intérêt."
        ),
    },
    "es": {
        "continue": "Continuar",
        "step": "Paso {step} de {steps} como máximo",
        "check": "Revise sus respuestas",
        "required": "(obligatoria)",
        "answer_this": "Responda a esta pregunta.",
        "thanks": "Gracias por sus respuestas.",
        "answered": "Esta encuesta ya se ha respondido con este enlace. ¡Gracias!",
        "nps_low": "Nada probable",
        "nps_high": "Muy probable",
        "csat_low": "Muy insatisfecho",
        "csat_high": "Muy satisfecho",
        "agree_low": "Totalmente en desacuerdo",
        "agree_high": "Totalmente de acuerdo",
        "rating_low": "Lo más bajo",
        "rating_high": "Lo más alto",
        "effectiveness": "Cubrió mis necesidades",
        "ease": "Fue fácil",
        "emotion": "Me sentí bien",
        "invalid_title": "Este enlace no es válido",
        "invalid": (
            "Este enlace está dañado o no lo hemos creado nosotros. Abra el enlace "
            "de su invitación tal como se envió."
        ),
        "expired_title": "Este enlace ha caducado",
        "expired": (
            "Este enlace es demasiado antiguo para usarlo. Gracias de todos modos por su interés."
        ),
        "closed_title": "Esta encuesta no está abierta",
        "closed": "Esta encuesta ya no admite respuestas. Gracias de todos modos por su interés.",
    },
    "de": {
        "continue": "Weiter",
        "step": "Schritt {step} von höchstens {steps}",
        "check": "Bitte prüfen Sie Ihre Antworten",
        "required": "(Pflichtfrage)",
        "answer_this": "Bitte beantworten Sie diese Frage.",
        "thanks": "Vielen Dank für Ihre Antworten.",
        "answered": "Diese Umfrage wurde mit diesem Link bereits beantwortet. Vielen Dank!",
        "nps_low": "Überhaupt nicht wahrscheinlich",
        "nps_high": "Äußerst wahrscheinlich",
        "csat_low": "Sehr unzufrieden",
        "csat_high": "Sehr zufrieden",
        "agree_low": "Stimme überhaupt nicht zu",
        "agree_high": "Stimme voll und ganz zu",
        "rating_low": "Am niedrigsten",
        "rating_high": "Am höchsten",
        "effectiveness": "Es hat meine Bedürfnisse erfüllt",
        "ease": "Es war einfach",
        "emotion": "Ich hatte ein gutes Gefühl dabei",
        "invalid_title": "Dieser Link ist ungültig",
        "invalid": (
            "Dieser Link ist beschädigt oder stammt nicht von uns. Bitte öffnen Sie "
            "den Link aus Ihrer Einladung so, wie er gesendet wurde."
        ),
        "expired_title": "Dieser Link ist abgelaufen",
        "expired": (
            "Dieser Link ist zu alt, um ihn jetzt zu verwenden. Trotzdem vielen "
            "Dank für Ihr Interesse."
        ),
        "closed_title": "Diese Umfrage ist nicht geöffnet",
        "closed": (
            "Diese Umfrage nimmt keine Antworten mehr an. Trotzdem vielen Dank für Ihr Interesse."
        ),
    },
    "pt": {
        "continue": "Continuar",
        "step": "Passo {step} de no máximo {steps}",
        "check": "Verifique as suas respostas",
        "required": "(obrigatória)",
        "answer_this": "Responda a esta pergunta.",
        "thanks": "Obrigado pelas suas respostas.",
        "answered": "Este questionário já foi respondido com este link. Obrigado!",
        "nps_low": "Nada provável",
        "nps_high": "Extremamente provável",
        "csat_low": "Muito insatisfeito",
        "csat_high": "Muito satisfeito",
        "agree_low": "Discordo totalmente",
        "agree_high": "Concordo totalmente",
        "rating_low": "Mais baixo",
        "rating_high": "Mais alto",
        "effectiveness": "Atendeu às minhas necessidades",
        "ease": "Foi fácil",
        "emotion": "Senti-me bem",
        "invalid_title": "Este link não é válido",
        "invalid": (
            "Este link está danificado ou não foi criado por nós. Abra o link do "
            "seu convite tal como foi enviado."
        ),
        "expired_title": "Este link expirou",
        "expired": "Este link é demasiado antigo para ser usado. Obrigado pelo seu interesse.",
        "closed_title": "Este questionário não está aberto",
        "closed": "Este questionário já não aceita respostas. Obrigado pelo seu interesse.",
    },
    "it": {
        "continue": "Continua",
        "step": "Passo {step} di massimo {steps}",
        "check": "Controlla le tue risposte",
        "required": "(obbligatoria)",
        "answer_this": "Rispondi a questa domanda.",
        "thanks": "Grazie per le tue risposte.",
        "answered": "Questo sondaggio è già stato compilato con questo link. Grazie!",
        "nps_low": "Per niente probabile",
        "nps_high": "Estremamente probabile",
        "csat_low": "Molto insoddisfatto",
        "csat_high": "Molto soddisfatto",
        "agree_low": "Per niente d'accordo",
        "agree_high": "Completamente d'accordo",
        "rating_low": "Il più basso",
        "rating_high": "Il più alto",
        "effectiveness": "Ha soddisfatto le mie esigenze",
        "ease": "È stato facile",
        "emotion": "Mi sono sentito bene",
        "invalid_title": "Questo link non è valido",
        "invalid": (
            "Questo link è danneggiato o non è stato creato da noi. Apri il link "
            "del tuo invito così come è stato inviato."
        ),
        "expired_title": "Questo link è scaduto",
        "expired": (
            "Questo link è troppo vecchio per essere usato. Grazie comunque per il tuo interesse."
        ),
        "closed_title": "Questo sondaggio non è aperto",
        "closed": (
            "Questo sondaggio non accetta più risposte. Grazie comunque per il tuo interesse."
        ),
    },
    "nl": {
        "continue": "Doorgaan",
        "step": "Stap {step} van maximaal {steps}",
        "check": "Controleer uw antwoorden",
        "required": "(verplicht)",
        "answer_this": "Beantwoord deze vraag.",
        "thanks": "Bedankt voor uw antwoorden.",
        "answered": "Deze enquête is met deze link al ingevuld. Bedankt!",
        "nps_low": "Helemaal niet waarschijnlijk",
        "nps_high": "Zeer waarschijnlijk",
        "csat_low": "Zeer ontevreden",
        "csat_high": "Zeer tevreden",
        "agree_low": "Helemaal oneens",
        "agree_high": "Helemaal eens",
        "rating_low": "Laagste",
        "rating_high": "Hoogste",
        "effectiveness": "Het voldeed aan mijn behoeften",
        "ease": "Het was makkelijk",
        "emotion": "Ik had er een goed gevoel bij",
        "invalid_title": "Deze link is ongeldig",
        "invalid": (
            "Deze link is beschadigd of komt niet van ons. Open de link uit uw "
            "uitnodiging precies zoals die is verzonden."
        ),
        "expired_title": "Deze link is verlopen",
        "expired": "Deze link is te oud om nu te gebruiken. Toch bedankt voor uw interesse.",
        "closed_title": "Deze enquête is niet geopend",
        "closed": "Deze enquête neemt geen antwoorden meer aan. Toch bedankt voor uw interesse.",
    },
}


def phrases(locale: str) -> Phrases:
    """The page's words in ``locale`` (``pt-BR`` reads ``pt``), else in English."""
    return PHRASES[choose_locale(PHRASES, [locale], "en")]
