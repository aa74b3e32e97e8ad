"""Names and companies, from markers and from bare "prénom nom entreprise" answers."""

from __future__ import annotations

import pytest

from appliance.conversation.entities import company_answer, extract_identity, find_equipment

FR_CASES = [
    # an occupation after "je suis" is not a name, and what follows "de" is not a company
    (["je suis fournisseur de pièces détachées", "romain vidal", "pièces industrielles vidal"], "Romain Vidal",
     "Pièces Industrielles Vidal"),
    # one vague word first ("du syndic"), completed later
    (["je vous appelle de la part du syndic", "stéphanie roche", "syndic roche immobilier"], "Stéphanie Roche",
     "Syndic Roche Immobilier"),
    # a title after "bonjour" opens a sentence that names the caller; "bonjour madame" alone is a greeting
    (["bonjour madame vial du camping les oliviers la pompe de la piscine est arrêtée"], "Madame Vial",
     "Camping les Oliviers"),
    (["bonjour madame je voudrais un devis pour un adoucisseur"], None, None),
    # "de la part de ..." introduces whoever is calling: a person, a company, or both
    (["je voudrais un rendez-vous", "de la part de monsieur leroy du cabinet leroy associés"], "Monsieur Leroy",
     "Cabinet Leroy Associés"),
    (["je voudrais un devis", "de la part de la société vidal frères"], None, "Vidal Frères"),
    (["c'est pour un devis", "de la part d'yvonne perrin"], "Yvonne Perrin", None),
    # (turns, name, company)
    (["la pompe fuit", "albert morel de la fromagerie du plateau"], "Albert Morel", "Fromagerie du Plateau"),
    (["un devis svp", "agnès caron société des eaux du littoral"], "Agnès Caron", "Société des Eaux du Littoral"),
    (["une question sur la facture", "rémi faure comptabilité des ateliers faure"], "Rémi Faure", "Ateliers Faure"),
    (["une question", "rémi faure service achats de la scierie du mont"], "Rémi Faure", "Scierie du Mont"),
    (["bonjour", "justine roux"], "Justine Roux", None),
    (["bonjour", "justine"], "Justine", None),
    (["bonjour je suis bastien leclerc de la tuilerie du moulin notre four est en panne"],
     "Bastien Leclerc", "Tuilerie du Moulin"),
    (["je m'appelle nina perret je travaille chez ambulances perret et fils on a un souci"],
     "Nina Perret", "Ambulances Perret et Fils"),
    (["bonjour c'est lucas de chez garage des sports le pont est bloqué", "lucas ferrand"],
     "Lucas Ferrand", "Garage des Sports"),
    (["ici menuiserie bardin je suis olivier bardin", "ce numéro"], "Olivier Bardin", "Menuiserie Bardin"),
    (["je vous appelle de la part de monsieur leduc de la société prisma conseil pour un devis", "anaïs gros"],
     "Anaïs Gros", "Prisma Conseil"),
    (["bonjour je suis commerciale chez vitalis énergie nous proposons des contrats", "camille henry"],
     "Camille Henry", "Vitalis Énergie"),
    (["je serai en retard chez le client de nantes", "max"], "Max", None),
    (["vous êtes bien la société de maintenance je voulais confirmer", "paul giraud"], "Paul Giraud", None),
    (["bonjour je cherche un stage", "", "non merci"], None, None),
    (["la porte est bloquée", "yannick le bris de la criée de concarneau"], "Yannick Le Bris", "Criée de Concarneau"),
    (["la porte est bloquée", "ets moreau françois moreau"], "François Moreau", "Ets Moreau"),
    (["allo", "zéro six douze trente-quatre cinquante-six soixante-dix-huit"], None, None),
    (["bonjour c'est madame rivière de la pharmacie centrale"], "Madame Rivière", "Pharmacie Centrale"),
    (["la pompe est en panne", "oui alors ghislain trébuchet de la distillerie vauclair"], "Ghislain Trébuchet",
     "Distillerie Vauclair"),
    (["la pompe est en panne", "c'est wenceslas oberlin"], "Wenceslas Oberlin", None),
    (["bonjour je suis jean-marc brousse gérant du restaurant le vieux puits notre hotte ne marche plus"],
     "Jean-Marc Brousse", "Restaurant le Vieux Puits"),
    (["j'appelle pour la mairie de saint-aubin pour un devis", "paul vigneron"], "Paul Vigneron",
     "Mairie de Saint-Aubin"),
    (["la porte du garage ne ferme plus", "paul vigneron"], "Paul Vigneron", None),
    (["chaudière en panne", "jean dupont je suis à la laiterie du val"], "Jean Dupont", "Laiterie du Val"),
    (["chaudière en panne", "jean dupont", "de la laiterie du val", "oui"], "Jean Dupont", "Laiterie du Val"),
    (["chaudière en panne", "ferreira josé de la société ferreira"], "Ferreira José", "Ferreira"),
    (["chaudière en panne", "josé ferreira et je suis chez alu concept"], "José Ferreira", "Alu Concept"),
    (["chaudière en panne", "euh josé ferreira voilà"], "José Ferreira", None),
    (["chaudière en panne", "enzo garage martin"], "Enzo", "Garage Martin"),
    # the name said before "je suis ...", a place is not a company, hesitations are not names
    (["un colis pour vous", "samir haddad je suis chez rhône express", "je suis devant"], "Samir Haddad",
     "Rhône Express"),
    (["l'eau coule partout dans la cuisine", "jean-pierre hoarau je suis un particulier", "ce numéro-là"],
     "Jean-Pierre Hoarau", None),
    (["où en est la réparation", "ben c'est euh fabien morel je travaille chez scierie vial"], "Fabien Morel",
     "Scierie Vial"),
    (["un aérotherme dans l'entrepôt ne démarre plus", "frédéric lemaire"], "Frédéric Lemaire", None),
    (["allô c'est pas le cabinet du docteur lambert", "ah pardon je me suis trompé"], None, None),
    (["bonjour de l'entreprise le goff paysage pour un devis", "yannick le goff"], "Yannick Le Goff",
     "Le Goff Paysage"),
    (["de la part de l'annuaire pro local pour une insertion", "cédric amrani", "rappelez-moi sur ce numéro-là"],
     "Cédric Amrani", "Annuaire Pro Local"),
    (["personnes bloquées dans l'ascenseur", "martine rousseau cabinet gestimmo c'est le syndic de l'immeuble"],
     "Martine Rousseau", "Cabinet Gestimmo"),
    (["je suis de la mairie de saint-jean-de-bournay il y a une fuite", "gérard pellegrin adjoint aux travaux"],
     "Gérard Pellegrin", "Mairie de Saint-Jean-de-Bournay"),
    (["je suis de la mairie de villefranche pour la visite", "maryse aubert secrétariat de mairie"],
     "Maryse Aubert", "Mairie de Villefranche"),
    # the business first, a role or a relation before the name, a title in the middle, hyphenated first names
    (["la pompe fuit", "hôtel du lac je suis le réceptionniste kevin"], "Kevin", "Hôtel du Lac"),
    (["la chaudière de ma mère est arrêtée", "je suis sa fille martine roche"], "Martine Roche", None),
    (["le portail ferme plus", "c'est pour monsieur girard transports girard"], "Monsieur Girard",
     "Transports Girard"),
    (["la chambre froide est à douze degrés", "c'est le bistrot du port madame lambert"], "Madame Lambert",
     "Bistrot du Port"),
    (["la machine à traire démarre plus", "gaec des trois chênes jean-marc rouxel"], "Jean-Marc Rouxel",
     "Gaec des Trois Chênes"),
    (["je suis frigoriste et je voulais savoir si vous recrutez", "karim benali"], "Karim Benali", None),
    (["c'est une maison de cent vingt mètres carrés", "bernard leroy"], "Bernard Leroy", None),
    (["plus de chauffage à l'ehpad", "nathalie giraud je suis l'infirmière coordinatrice"], "Nathalie Giraud",
     None),
    (["un compresseur en défaut", "je suis responsable maintenance chez cartonnages du lyonnais alexandre petit"],
     "Alexandre Petit", "Cartonnages du Lyonnais"),
    (["l'alarme de la chambre froide sonne", "c'est kevin le veilleur du super u de bourgoin"], "Kevin",
     "Super U de Bourgoin"),
    (["un devis pour une chambre froide", "c'est la pâtisserie vidal aurélie à l'appareil"], "Aurélie",
     "Pâtisserie Vidal"),
    (["le technicien est reparti", "anne sophie marchal de l'imprimerie du centre"], "Anne-Sophie Marchal",
     "Imprimerie du Centre"),
    (["les extracteurs sont arrêtés", "ferme des prés verts jean luc baron"], "Jean-Luc Baron",
     "Ferme des Prés Verts"),
    (["l'entretien des chaudières", "mairie de saint-genis service technique josé da silva"], "José Da Silva",
     "Mairie de Saint-Genis"),
    (["le tapis est bloqué", "ouais c'est mehdi de chez colirapide"], "Mehdi", "Colirapide"),
    (["le joint est arraché", "restaurant le bistrot des halles c'est pierre"], "Pierre",
     "Restaurant le Bistrot des Halles"),
    (["une vanne goutte", "ici le collège jean moulin monsieur hamel l'intendant"], "Monsieur Hamel",
     "Collège Jean Moulin"),
    (["la machine à glace ne produit plus", "pierre benoît poissonnerie benoît"], "Pierre Benoît",
     "Poissonnerie Benoît"),
    (["la facture de janvier", "valérie mercier"], "Valérie Mercier", None),  # a first name is no "-erie" business
    (["le convoyeur est planté", "de chez transports lemaire élodie"], "Élodie", "Transports Lemaire"),
    (["la porte ne ferme plus", "de chez garage thomas"], None, "Garage Thomas"),
    (["décaler le rendez-vous", "monsieur et madame perrin"], "Madame Perrin", None),
    (["combien coûte un déplacement", "monsieur da silva"], "Monsieur Da Silva", None),
    (["une relance pour un impayé", "monsieur garcia de la comptabilité de l'hôtel le relais fleuri"],
     "Monsieur Garcia", "Hôtel le Relais Fleuri"),
    (["un devis pour une pompe à chaleur", "dupont michel michel c'est le prénom"], "Michel Dupont", None),
    (["une petite fuite d'huile", "dupuis sébastien sébastien c'est le prénom tôlerie dupuis sas"],
     "Sébastien Dupuis", "Tôlerie Dupuis"),
    (["plus de courant dans l'aile b", "stéphane aubert cadre de santé à l'ehpad les tilleuls"],
     "Stéphane Aubert", "Ehpad les Tilleuls"),
    (["j'ai une palette pour vous de chez rexel", "sébastien de chez geodis", "rappelez ce numéro là"],
     "Sébastien", "Geodis"),
    (["le portail est bloqué", "adjudant morel"], "Morel", None),
    (["l'ascenseur est bloqué", "je suis le gardien gilles martinez résidence les oliviers"], "Gilles Martinez",
     "Résidence les Oliviers"),
    (["le tank à lait ne refroidit plus", "c'est la ferme du pré vert ici jérôme bertin"], "Jérôme Bertin",
     "Ferme du Pré Vert"),
    (["c'est le garage le pont est bloqué", "garage du centre à vierzon moi c'est frédéric"], "Frédéric",
     "Garage du Centre"),
    (["la facture de l'école", "je suis agnès blanc secrétaire de mairie à saint-genis-les-ollières"], "Agnès Blanc",
     "Mairie de Saint-Genis-les-Ollières"),
    (["une camionnette devant mon garage", "monsieur bonnet au vingt-trois rue pasteur"], "Monsieur Bonnet", None),
    (["un devis pour un groupe électrogène", "aubert francis éleveur laitier au lieu-dit la croix à vire"],
     "Aubert Francis", None),
    (["une dame bloquée dans l'ascenseur", "je suis la gardienne de l'immeuble madame da silva"],
     "Madame Da Silva", None),
    (["ici le service technique du centre hospitalier de montmorillon le groupe ne démarre pas",
      "je suis stéphane morel technicien de permanence"], "Stéphane Morel", "Centre Hospitalier de Montmorillon"),
    (["une chambre froide à douze degrés", "sandrine lemaire responsable du rayon frais à l'intermarché de vierzon"],
     "Sandrine Lemaire", "Intermarché de Vierzon"),
    # spelled names and acronyms, repeated and corrected names, names said inside a longer answer
    (["un rendez-vous pour l'entretien", "madame vasseur v a s s e u r"], "Madame Vasseur", None),
    (["le compresseur est en panne", "c'est la s n c f atelier de maintenance je suis le chef d'équipe marc dubreuil"],
     "Marc Dubreuil", "SNCF"),
    (["le suivi du contrat", "françois leblanc pour l'o p a c trente-huit"], "François Leblanc", "OPAC 38"),
    (["une fuite d'ammoniac", "euh laurent laurent morel chez plastiform"], "Laurent Morel", "Plastiform"),
    (["le groupe froid se met en défaut", "jean dupuis non dupont jean dupont de la cave coopérative de tain"],
     "Jean Dupont", "Cave Coopérative de Tain"),
    (["la machine est en défaut", "j'appelle pour mon patron monsieur lambert des ateliers lambert"],
     "Monsieur Lambert", "Ateliers Lambert"),
    (["le congélateur des vaccins", "le docteur martin de la clinique vétérinaire des alpes"], "Martin",
     "Clinique Vétérinaire des Alpes"),
    (["le lave-vaisselle ne vidange plus", "collège jean moulin c'est le chef cuisinier stéphane"], "Stéphane",
     "Collège Jean Moulin"),
    (["le chauffage est coupé", "ehpad la roseraie je suis l'infirmière de nuit émilie"], "Émilie",
     "Ehpad la Roseraie"),
    (["le rideau ne descend plus", "madame nguyen du balto le bar tabac de la place"], "Madame Nguyen", "Balto"),
    (["l'hotte ne marche plus", "boulangerie chez julien et c'est julien lui-même julien meunier"], "Julien Meunier",
     "Boulangerie Chez Julien"),
    # who they are, said before the reason (in the first turn)
    (["bonjour claire dubreuil pharmacienne à la pharmacie des halles", "le frigo à vaccins est en panne"],
     "Claire Dubreuil", "Pharmacie des Halles"),
    (["mathieu roussel transports giraud on a un gros problème sur le quai trois", "la porte est sortie du rail"],
     "Mathieu Roussel", "Transports Giraud"),
    (["bonjour yannick le gall de l'auberge du moulin", "il faudrait nettoyer la hotte de la cuisine"],
     "Yannick Le Gall",
     "Auberge du Moulin"),
    (["oui bonjour sébastien noël service technique de la communauté de communes cœur de sologne"],
     "Sébastien Noël", "Communauté de Communes Cœur de Sologne"),
    (["bonjour madame monsieur ici madame poirier directrice de l'ehpad les tilleuls"], "Madame Poirier",
     "Ehpad les Tilleuls"),
    (["bonjour madame je voudrais un devis pour un adoucisseur", "paul vigneron"], "Paul Vigneron", None),
    (["je suis électromécanicien je voudrais savoir si vous recrutez", "nicolas ferreira zéro six cinquante-deux"],
     "Nicolas Ferreira", None),
    (["c'est la femme de laurent un de vos techniciens", "dites-lui d'appeler l'école avant midi c'est céline"],
     "Céline", None),
    (["la canalisation a pété", "da silva monsieur da silva je suis copropriétaire au quatorze rue des lilas"],
     "Monsieur Da Silva", None),
    (["la pompe démarre plus", "bernard castaing agriculteur à marmande"], "Bernard Castaing", None),
    (["la révision de la moissonneuse", "denis hubert ferme hubert à côté de chartres"], "Denis Hubert",
     "Ferme Hubert"),
    (["bonjour je m'appelle andré vasseur je voudrais un devis", "vasseur andré à douai"], "André Vasseur", None),
    (["la hotte s'est arrêtée", "thomas girard chef de cuisine à l'hôtel les alizés à la rochelle"],
     "Thomas Girard", "Hôtel les Alizés"),
    (["le robot de traite met une alarme", "earl du bocage fleuri ici c'est marie thérèse jouan"],
     "Marie-Thérèse Jouan", "Earl du Bocage Fleuri"),
    (["chaudière en panne", "josé ferreira de la laiterie du val merci beaucoup"], "José Ferreira",
     "Laiterie du Val"),
    (["chaudière en panne", "jean dupont", "oui", "d'accord merci"], "Jean Dupont", None),
    (["bonjour je suis au garage central et le pont est bloqué", "jean dupont"], "Jean Dupont", "Garage Central"),
    (["une fuite", "docteur claire besson clinique des pins"], "Claire Besson", "Clinique des Pins"),
    (["une fuite", "monsieur besson"], "Monsieur Besson", None),
    (["Bonjour, je suis Jean Dupré, de la Menuiserie Dupré. Notre scie est bloquée."], "Jean Dupré",
     "Menuiserie Dupré"),
]

EN_CASES = [
    # possessives are part of a name, not "is": "st mary's" does not make the answer a sentence
    (["the lift is stuck", "tom reed st mary's school"], "Tom Reed", "St Mary's School"),
    (["can you move the visit", "jane cole saint luke's hospice"], "Jane Cole", "Saint Luke's Hospice"),
    (["a quote please", "and jane cole, st luke's hospice"], "Jane Cole", "St Luke's Hospice"),  # filler "and"
    (["a quote please", "well it's kate hill from hill farm"], "Kate Hill", "Hill Farm"),
    (["the press is down", "it's kate hill"], "Kate Hill", None),  # "it's" stays "it is"
    # a surname ending in s that the recogniser wrote as a possessive (Whisper: "Gareth Robert's")
    (["a quote please", "Gareth robert's from robert's plumbing and heating"], "Gareth Roberts",
     "Robert's Plumbing and Heating"),
    (["a quote please", "Gareth Robert's"], "Gareth Roberts", None),
    (["a quote please", "it's mary o'leary"], "Mary O'Leary", None),  # an apostrophe inside a name stays
    # a surname alone, then a place name: "st" is not a second name
    (["the heating is off", "cole st luke's hospice"], "Cole", "St Luke's Hospice"),
    (["the boiler is down", "mike osborne from quayside hotel"], "Mike Osborne", "Quayside Hotel"),
    (["quote please", "helen frost frost engineering"], "Helen Frost", "Frost Engineering"),
    (["invoice question", "ruth moss accounts at harbour foods"], "Ruth Moss", "Harbour Foods"),
    (["hi this is dan from ridgeway garage our ramp is stuck", "dan hollis"], "Dan Hollis", "Ridgeway Garage"),
    # the company ends where a sentence about what broke begins ("one of", "some of": company_cut phrases)
    (["hi it's mark from highland sawmill one of the main saws jammed we can't cut anything"], "Mark",
     "Highland Sawmill"),
    (["hi it's Mark from Holland, some of the main saws, jam"], "Mark", "Holland"),  # Whisper's reading of it
    (["this is anna from riverside bakery all of our ovens have failed"], "Anna", "Riverside Bakery"),
    (["my name is priya shah i work for delta plastics ltd and the press has stopped"], "Priya Shah",
     "Delta Plastics Ltd"),
    (["what are your rates", "george"], "George", None),
    (["the boiler is down", "john miller i'm with valley dairy"], "John Miller", "Valley Dairy"),
    (["the pump has failed", "yes it's barnaby quill from quill and sons"], "Barnaby Quill", "Quill and Sons"),
    (["hi i'm just chasing the report from last week's inspection", "paula wood"], "Paula Wood", None),
    (["Hello, our compressor has broken down.", "John Baxter, from Valley Creamery."], "John Baxter",
     "Valley Creamery"),
    (["water everywhere", "my name is owen lloyd i'm the caretaker at hillcrest school"], "Owen Lloyd",
     "Hillcrest School"),
]


@pytest.mark.parametrize("turns,name,company", FR_CASES)
def test_french_identity(turns: list[str], name: str | None, company: str | None) -> None:
    ident = extract_identity(turns, "fr")
    assert (ident.name, ident.company) == (name, company)


@pytest.mark.parametrize("turns,name,company", EN_CASES)
def test_english_identity(turns: list[str], name: str | None, company: str | None) -> None:
    ident = extract_identity(turns, "en")
    assert (ident.name, ident.company) == (name, company)


def test_identity_turn_and_rules_are_reported() -> None:
    ident = extract_identity(["la chaudière est en panne", "marc huet de la laverie huet"], "fr")
    assert ident.identity_turn == 1
    assert "identity.answer" in ident.rules


@pytest.mark.parametrize("text,expected", [
    ("la pompe de relevage est en panne", "pompe de relevage"),
    ("notre chambre froide ne refroidit plus", "chambre froide"),
    ("les chaudières font du bruit", "chaudière"),
    ("bonjour je voudrais un renseignement", None),
])
def test_equipment(text: str, expected: str | None) -> None:
    items = ["pompe de relevage", "pompe", "chambre froide", "chaudière"]
    assert find_equipment(text, items) == expected


@pytest.mark.parametrize("lang,text,name,company", [
    ("en", "it's moss catering", "Tina Moss", "Moss Catering"),  # the surname in it: a company, not a person
    ("en", "moss catering", None, "Moss Catering"),
    ("en", "we're Le Coq Doré Brasserie", "Tomasz Nowak", "Le Coq Doré Brasserie"),
    ("en", "tina moss from moss catering", "Tina Moss", "Moss Catering"),  # the name said again with it
    ("en", "i work for hart joinery", "Tina Moss", "Hart Joinery"),
    ("fr", "c'est la menuiserie du lac", "Paul Roux", "Menuiserie du Lac"),
    ("fr", "paul roux de chez roux et fils", "Paul Roux", "Roux et Fils"),
    ("en", "none", "Tina Moss", None),
    ("en", "oh seven seven double oh nine hundred", "Tina Moss", None),  # a number is no company
    ("en", "", "Tina Moss", None),
    ("en", "   ", None, None),
    ("en", "!!! ,,, ''", "Tina Moss", None),
    ("fr", "\x00\ufffd", "Paul Roux", None),
])
def test_the_answer_to_and_your_company(lang: str, text: str, name: str | None, company: str | None) -> None:
    assert company_answer(text, lang, name) == company
