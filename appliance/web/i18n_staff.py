"""Page text of the worklist, the customer directory, the funnel and the staff accounts
(English keys, or ids with an English text; merged into :mod:`.i18n`)."""

from __future__ import annotations

FR: dict[str, str] = {
    "To call back": "À rappeler", "overdue": "en retard", "Due": "À rappeler avant",
    "Abandoned and missed calls with a number, answered calls with a callback to make, urgent calls not "
    "yet acknowledged: one row per number, the most pressing first.":
        "Appels abandonnés et manqués avec un numéro, appels répondus à rappeler, urgences pas encore "
        "prises en charge : une ligne par numéro, la plus pressante d'abord.",
    "History (CSV)": "Historique (CSV)", "no number": "sans numéro", "customer": "client",
    "wl_urgent": "urgence non acquittée", "wl_missed": "appel perdu", "wl_callback": "rappel promis",
    "attempt(s)": "appel(s)", "Outcome": "Résultat", "Record": "Enregistrer",
    "out_reached": "joint", "out_no_answer": "pas de réponse", "out_message_left": "message laissé",
    "out_wrong_number": "faux numéro", "out_converted": "converti (montant)",
    "res_handled": "marqué traité", "res_acknowledged": "alerte acquittée", "res_later_call": "a rappelé",
    "Nothing to call back.": "Rien à rappeler.", "Customers": "Clients", "Accounts": "Comptes",
    "Administrator's name": "Nom de l'administrateur", "Role": "Rôle", "Created": "Créé",
    "role_admin": "administrateur", "role_office": "bureau", "role_technician": "technicien",
    "role_help": "Administrateur : tout, dont les réglages et les comptes. Bureau : toutes les pages, agit sur "
                 "les appels, la liste à rappeler et les clients ; réglages en lecture seule. Technicien : la "
                 "liste à rappeler et les appels, en lecture seule.",
    "Change my password": "Changer mon mot de passe", "Current password": "Mot de passe actuel",
    "Every other session of this account ends (other browsers, other devices).":
        "Toutes les autres sessions de ce compte prennent fin (autres navigateurs, autres appareils).",
    "Set": "Définir", "End sessions": "Fermer les sessions", "Delete": "Supprimer", "New account": "Nouveau compte",
    "Create": "Créer", "Wrong name or password.": "Nom ou mot de passe incorrect.",
    "Password changed: your other sessions are closed.":
        "Mot de passe changé : vos autres sessions sont fermées.",
    "You cannot delete your own account.": "Vous ne pouvez pas supprimer votre propre compte.",
    "Import": "Importer", "added": "ajoutés", "updated": "mis à jour", "refused": "refusés", "line": "ligne",
    "Edit": "Modifier", "New customer": "Nouveau client", "Numbers (one per line)": "Numéros (un par ligne)",
    "Site": "Site", "Contract": "Contrat", "at least": "au moins", "Greeting": "Salutation",
    "e.g. Mrs Gale": "ex. Madame Gale", "Cancel": "Annuler", "File": "Fichier", "Numbers": "Numéros",
    "A CSV (first row: the column names) or vCard export of a phone or CRM. An entry sharing a number "
    "with an existing one updates it.":
        "Un export CSV (première ligne : les noms des colonnes) ou vCard d'un téléphone ou d'un CRM. Une "
        "fiche qui partage un numéro avec une fiche existante la met à jour.",
    "Replace the whole directory": "Remplacer tout le répertoire", "Deleted.": "Supprimé.",
    "choose a CSV or vCard file": "choisissez un fichier CSV ou vCard",
    "the file is larger than": "le fichier dépasse",
    "Only an administrator account can change the settings.":
        "Seul un compte administrateur peut modifier les réglages.",
    "earlier": "plus anciens", "Callbacks": "Rappels", "captured calls": "appels captés", "needing a callback": "à rappeler",
    "handled within the limit": "traités dans le délai", "Time to callback": "Délai de rappel",
    "median": "médiane", "By category": "Par catégorie", "By week": "Par semaine",
    "unanswered": "sans réponse", "Known caller": "Client connu", "attempt_n": "{n}e appel aujourd'hui",
    "Earlier unanswered calls today": "Appels sans réponse plus tôt aujourd'hui",
}

EN: dict[str, str] = {
    "attempt_n": "attempt {n} today",
    "wl_urgent": "urgent, not acknowledged", "wl_missed": "lost call", "wl_callback": "callback promised",
    "out_reached": "reached", "out_no_answer": "no answer", "out_message_left": "message left",
    "out_wrong_number": "wrong number", "out_converted": "converted (amount)",
    "res_handled": "marked handled", "res_acknowledged": "alert acknowledged", "res_later_call": "called again",
    "role_admin": "administrator", "role_office": "office", "role_technician": "technician",
    "role_help": "Administrator: everything, settings and accounts included. Office: every page, acts on calls, "
                 "the worklist and the customers; settings read-only. Technician: the worklist and the calls, "
                 "read-only.",
}
