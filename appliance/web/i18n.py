"""Page text in the company's language: English keys, French translations.

>>> Translator("fr")("Calls")
'Appels'
>>> Translator("en")("Calls")
'Calls'
"""

from __future__ import annotations

from . import i18n_staff

FR: dict[str, str] = {
    "Dashboard": "Tableau de bord", "Calls": "Appels", "Call": "Appel", "Statistics": "Statistiques",
    "Health": "État du boîtier", "Settings": "Réglages", "Log out": "Déconnexion", "Log in": "Connexion",
    "Password": "Mot de passe", "New password": "Nouveau mot de passe",
    "Repeat the password": "Répétez le mot de passe", "Setup code": "Code d'installation",
    "First start": "Première mise en service",
    "This box has no password yet. Enter the setup code shown in the service log or by "
    "`permanence passwd`, then choose the administrator password.":
        "Ce boîtier n'a pas encore de mot de passe. Saisissez le code d'installation affiché dans le "
        "journal du service ou par « permanence passwd », puis choisissez le mot de passe administrateur.",
    "Save": "Enregistrer", "Lines": "Lignes", "Today": "Aujourd'hui", "Answered": "Répondus",
    "Abandoned": "Abandonnés", "Urgent": "Urgents", "Missed": "Manqués", "Interrupted": "Interrompus",
    "Staff": "Pris par l'équipe", "Urgent alerts": "Alertes urgentes", "Last calls": "Derniers appels",
    "No call yet.": "Aucun appel pour l'instant.", "No urgent alert pending.": "Aucune alerte urgente en attente.",
    "pending": "en attente", "acknowledged": "acquittée", "delivered": "remise", "failed": "échec",
    "When": "Quand", "Caller": "Appelant", "State": "État", "Category": "Catégorie",
    "Urgency": "Urgence", "Summary": "Résumé", "Duration": "Durée", "Line": "Ligne",
    "From": "Du", "To": "Au", "Search": "Rechercher", "Filter": "Filtrer", "all": "tous",
    "Previous": "Précédent", "Next": "Suivant", "Page": "Page", "of": "sur",
    "Export CSV": "Export CSV", "Export JSONL": "Export JSONL", "Timeline": "Chronologie",
    "Transcript": "Transcription", "Qualification": "Qualification", "Rules that fired": "Règles appliquées",
    "Recording": "Enregistrement", "No recording.": "Pas d'enregistrement.", "Actions": "Actions",
    "Mark handled": "Marquer traité", "Mark not handled": "Marquer non traité",
    "Mark converted": "Marquer converti", "Amount": "Montant", "Add a note": "Ajouter une note",
    "Notes": "Notes", "Handled": "Traité", "Converted": "Converti", "yes": "oui", "no": "non",
    "Calls per week": "Appels par semaine", "Answered, abandoned, missed": "Répondus, abandonnés, manqués",
    "abandoned under 5 s": "abandonnés en moins de 5 s", "abandoned 5 s or more": "abandonnés après 5 s ou plus",
    "Calls by hour and weekday": "Appels par heure et jour de la semaine",
    "Opportunities": "Opportunités", "captured": "captées", "handled": "traitées", "converted": "converties",
    "Conversion rate": "Taux de conversion", "Revenue": "Chiffre d'affaires",
    "Average order value": "Panier moyen", "from the configuration": "selon la configuration",
    "from marked conversions": "selon les conversions marquées",
    "Projection": "Projection", "Saturation": "Saturation",
    "Lost calls": "Appels perdus", "weeks": "semaines", "Period": "Période",
    "Modem": "Modem", "Signal": "Signal", "SIM": "SIM", "Registration": "Enregistrement réseau",
    "Operator": "Opérateur", "Audio path": "Chemin audio", "Models": "Modèles", "Disk": "Disque",
    "Modem lines not understood": "Lignes du modem non comprises", "first seen": "vue la première fois le",
    "Uptime": "En service depuis", "Last errors": "Dernières erreurs", "No error.": "Aucune erreur.",
    "Captures": "Captures", "Company": "Entreprise", "FAQ answers": "Réponses aux questions",
    "Rota": "Astreinte", "Rules": "Règles", "People": "Personnes", "Shifts": "Permanences",
    "Overrides": "Remplacements", "Name": "Nom", "Phone": "Téléphone", "Address": "Adresse",
    "Service area": "Zone d'intervention", "Rates": "Tarifs", "Availability": "Disponibilités",
    "Opening hours": "Horaires d'ouverture", "Holidays": "Jours fériés", "Language": "Langue",
    "Time zone": "Fuseau horaire", "Currency": "Devise", "Rules file": "Fichier de règles",
    "Try it": "Essayer", "Transcript (one caller turn per line)": "Transcription (une réplique de l'appelant par ligne)",
    "Caller number": "Numéro de l'appelant", "Callback": "Rappel", "Why": "Pourquoi",
    "Saved.": "Enregistré.", "Not saved": "Non enregistré", "Recent changes": "Modifications récentes",
    "Wrong password.": "Mot de passe incorrect.", "Wrong setup code.": "Code d'installation incorrect.",
    "Too many attempts: wait": "Trop de tentatives : attendez", "seconds": "secondes",
    "The two passwords differ.": "Les deux mots de passe diffèrent.",
    "Not found": "Introuvable", "answered": "répondu", "abandoned": "abandonné", "missed": "manqué",
    "interrupted": "interrompu", "staff": "pris par l'équipe", "ringing": "sonne", "in_call": "en ligne",
    "ready": "prête", "fault": "en panne", "starting": "démarrage", "closed": "fermée",
    "withheld": "masqué", "unknown": "inconnu", "Note": "Note", "by": "par",
    "Settings are read-only: the service was started without a configuration file.":
        "Réglages en lecture seule : le service a démarré sans fichier de configuration.",
    "not enough data yet": "pas encore assez de données", "calls": "appels", "Week": "Semaine",
    "Peak of simultaneous calls": "Pic d'appels simultanés", "Refresh": "Actualiser",
    "breakdown": "panne", "quote": "devis", "appointment": "rendez-vous", "followup": "suivi",
    "billing": "facturation", "info": "information", "job": "candidature", "sales": "démarchage",
    "other": "autre", "urgent": "urgent", "not_urgent": "non urgent", "critical": "critique",
    "high": "haute", "normal": "normale", "low": "basse", "open": "en cours",
    "trend (least squares)": "tendance (moindres carrés)",
    "trend (least squares), extended": "tendance (moindres carrés), prolongée",
    "all dates": "toutes les dates", "box": "boîtier", "caller": "appelant", "GB free": "Go libres",
    "MB kept for the call log": "Mo gardés pour le journal des appels", "Faults": "Défauts",
    "Failures survived": "Défaillances surmontées", "Where": "Où", "Times": "Fois", "Last error": "Dernière erreur",
    "None since the start.": "Aucune depuis le démarrage.", "ev_recording_stopped": "enregistrement arrêté",
    "q_category": "Catégorie", "q_urgent": "Urgent", "q_urgency": "Urgence", "q_sla_minutes": "Délai (min)",
    "q_name": "Nom", "q_company": "Société", "q_callback": "Rappeler au", "q_summary": "Résumé",
    "q_equipment": "Équipement", "q_site": "Site", "q_routing": "Orientation", "q_id": "Id",
    "ev_ring": "sonnerie", "ev_ringing": "sonnerie", "ev_answered": "décroché", "ev_turn": "parole",
    "ev_alert": "alerte", "ev_acknowledged": "alerte acquittée", "ev_hangup": "raccroché",
    "ev_hung_up": "raccroché", "ev_ring_stopped": "sonnerie arrêtée", "ev_interrupted": "interrompu",
    "q_callback_confirmed": "Numéro confirmé", "ev_ended": "fin", "ev_answer_sent": "décrochage demandé", "ev_caller_id": "numéro reçu",
    "ev_urgent": "urgence détectée", "ev_barge_in": "l'appelant coupe la parole", "ev_time_limit": "durée maximale",
    "ev_call_waiting": "double appel", "ev_qualified": "qualifié", "ev_started": "début",
    "Put through": "Mis en relation", "put through to {person} at {time}": "transféré à {person} à {time}",
    "three-way call": "conférence à trois",
    "ev_transfer_started": "mise en relation", "ev_caller_on_hold": "appelant en attente",
    "ev_technician_dialled": "technicien appelé", "ev_technician_ringing": "le téléphone du technicien sonne",
    "ev_technician_answered": "le technicien décroche", "ev_technician_accepted": "le technicien prend l'appel",
    "ev_technician_declined": "le technicien refuse", "ev_technician_no_answer": "pas de réponse",
    "ev_technician_busy": "occupé", "ev_technician_unreachable": "injoignable",
    "ev_technician_hung_up": "le technicien raccroche", "ev_technician_no_key": "aucune touche",
    "ev_transfer_error": "erreur de mise en relation", "ev_transfer_refused": "transfert refusé par le réseau",
    "ev_transferred": "transféré", "ev_joined": "conférence à trois", "ev_hold_limit": "attente maximale",
    "ev_caller_back": "retour à l'appelant", "ev_transfer_abandoned": "l'appelant raccroche pendant l'attente",
    "ev_alert_sent": "alerte envoyée", "ev_alert_escalated": "alerte transmise au suivant",
    "Dates": "Dates", "Text": "Texte", "Back to the calls": "Retour aux appels",
    "check_confirmed": "confirmé par l'appelant", "check_spelled": "épelé par l'appelant",
    "check_unconfirmed": "non confirmé", "heard as": "entendu",
}


EN: dict[str, str] = {
    "q_category": "Category", "q_urgent": "Urgent", "q_urgency": "Urgency", "q_sla_minutes": "Call back within (min)",
    "q_name": "Name", "q_company": "Company", "q_callback": "Call back on", "q_summary": "Summary",
    "q_equipment": "Equipment", "q_site": "Site", "q_routing": "Routing", "q_id": "Id",
    "ev_ring": "ring", "ev_ringing": "ring", "ev_answered": "answered", "ev_turn": "speech",
    "ev_alert": "alert", "ev_acknowledged": "alert acknowledged", "ev_hangup": "hang-up", "ev_hung_up": "hang-up",
    "ev_ring_stopped": "ringing stopped", "ev_interrupted": "interrupted", "ev_ended": "end",
    "q_callback_confirmed": "Number confirmed", "ev_answer_sent": "answer sent", "ev_caller_id": "caller id", "ev_urgent": "urgency detected",
    "ev_barge_in": "caller interrupts", "ev_time_limit": "time limit", "ev_call_waiting": "call waiting",
    "ev_transfer_started": "putting through", "ev_caller_on_hold": "caller on hold",
    "ev_technician_dialled": "technician dialled", "ev_technician_ringing": "technician's phone ringing",
    "ev_technician_answered": "technician answered", "ev_technician_accepted": "technician took the call",
    "ev_technician_declined": "technician declined", "ev_technician_no_answer": "no answer",
    "ev_technician_busy": "busy", "ev_technician_unreachable": "unreachable",
    "ev_technician_hung_up": "technician hung up", "ev_technician_no_key": "no key pressed",
    "ev_transfer_error": "transfer error", "ev_transfer_refused": "transfer refused by the network",
    "ev_transferred": "put through", "ev_joined": "three-way call", "ev_hold_limit": "hold limit",
    "ev_caller_back": "back to the caller", "ev_transfer_abandoned": "caller hung up on hold",
    "check_confirmed": "confirmed by the caller", "check_spelled": "spelled by the caller",
    "check_unconfirmed": "unconfirmed", "heard as": "heard as",
}

FR |= i18n_staff.FR
EN |= i18n_staff.EN


class Translator:
    """Callable returning ``text`` in the configured language (English is the key)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._table = FR if lang == "fr" else EN

    def __call__(self, text: str) -> str:
        return self._table.get(text, text)
