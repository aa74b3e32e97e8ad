"""Test calls written for these tests (same style as a recogniser's output: lower case,
no punctuation, numbers as words). People, companies and numbers are invented."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FR: list[dict[str, Any]] = [
    {
        "id": "f01",
        "caller_id": "+33611002200",
        "turns": [
            "allo bonjour notre chaudière est en panne depuis cette nuit il fait froid dans tout le bâtiment",
            "bernard lopez de la maison de retraite les glycines",
            "rappelez-moi sur ce numéro",
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Bernard Lopez",
            "company": "Maison de Retraite les Glycines",
            "callback": "+33611002200",
        },
    },
    {
        "id": "f02",
        "caller_id": "+33240112233",
        "turns": [
            "bonjour j'aurais besoin d'un devis pour l'installation d'une climatisation dans nos bureaux",
            "corinne maillard cabinet d'architectes maillard",
            "zéro deux quarante onze vingt-deux trente-trois",
        ],
        "expect": {
            "category": "quote",
            "urgent": False,
            "name": "Corinne Maillard",
            "company": "Cabinet d'Architectes Maillard",
            "callback": "+33240112233",
        },
    },
    {
        "id": "f03",
        "caller_id": None,
        "turns": [
            "c'est urgent le monte-charge est coincé au deuxième étage avec un employé à l'intérieur",
            "ici transports guillot je suis fabien guillot",
            "zéro six soixante et onze quatre-vingt-un quatre-vingt-douze zéro trois",
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Fabien Guillot",
            "company": "Transports Guillot",
            "callback": "+33671819203",
        },
    },
    {
        "id": "f04",
        "caller_id": "+33555443322",
        "turns": [
            "oui bonjour je voulais connaître vos horaires d'ouverture le samedi",
            "jeanne roche",
            "merci au revoir",
        ],
        "expect": {
            "category": "info",
            "urgent": False,
            "name": "Jeanne Roche",
            "company": None,
            "callback": "+33555443322",
        },
    },
    {
        "id": "f05",
        "caller_id": "+33612987654",
        "turns": [
            "la presse plieuse fait un bruit de claquement mais elle fonctionne encore rien de grave",
            "gaston pelletier tôlerie pelletier",
            "sur le numéro qui s'affiche",
        ],
        "expect": {
            "category": "breakdown",
            "urgent": False,
            "name": "Gaston Pelletier",
            "company": "Tôlerie Pelletier",
            "callback": "+33612987654",
        },
    },
    {
        "id": "f06",
        "caller_id": "+33478000001",
        "turns": [
            "bonjour je vous appelle concernant la facture du mois dernier il manque l'avoir que vous nous aviez promis",
            "élodie vasseur service comptable des établissements vasseur",
            "vous avez mon numéro",
        ],
        "expect": {
            "category": "billing",
            "urgent": False,
            "name": "Élodie Vasseur",
            "company": "Établissements Vasseur",
            "callback": "+33478000001",
        },
    },
    {
        "id": "f07",
        "caller_id": "+33699001122",
        "turns": [
            "bonjour je souhaite postuler pour le poste d'électromécanicien que j'ai vu sur internet",
            "samir haddad",
            "zéro six quatre-vingt-dix-neuf zéro zéro onze vingt-deux",
        ],
        "expect": {
            "category": "job",
            "urgent": False,
            "name": "Samir Haddad",
            "company": None,
            "callback": "+33699001122",
        },
    },
    {
        "id": "f08",
        "caller_id": "+33320304050",
        "turns": [
            "bonjour c'est pour prendre rendez-vous pour la révision annuelle de nos chariots élévateurs",
            "roger lemaître entrepôts du nord",
            "zéro trois vingt trente quarante cinquante",
        ],
        "expect": {
            "category": "appointment",
            "urgent": False,
            "name": "Roger Lemaître",
            "company": "Entrepôts du Nord",
            "callback": "+33320304050",
        },
    },
    {
        "id": "f09",
        "caller_id": "+33645454545",
        "turns": [
            "il y a une grosse fuite de gaz dans la chaufferie ça sent très fort",
            "agathe simon",
            "ce numéro",
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Agathe Simon",
            "company": None,
            "callback": "+33645454545",
        },
    },
    {
        "id": "f10",
        "caller_id": "+33467676767",
        "turns": [
            "bonjour je rappelle au sujet de la pièce que vous deviez commander pour notre pompe doseuse on n'a pas de nouvelles",
            "vincent carré de la station d'épuration de lunel",
            "zéro quatre soixante-sept soixante-sept soixante-sept soixante-sept",
        ],
        "expect": {
            "category": "followup",
            "urgent": False,
            "name": "Vincent Carré",
            "company": "Station d'Épuration de Lunel",
            "callback": "+33467676767",
        },
    },
    {
        "id": "f11",
        "caller_id": "+33700112233",
        "turns": [
            "bonjour je suis conseillère chez solutions télécom pro et je voulais vous présenter notre nouvelle offre de standard",
            "inès garnier",
            "je vous envoie un mail",
        ],
        "expect": {
            "category": "sales",
            "urgent": False,
            "name": "Inès Garnier",
            "company": "Solutions Télécom Pro",
            "callback": "+33700112233",
        },
    },
    {
        "id": "f12",
        "caller_id": "+33231000000",
        "turns": [
            "tout est à l'arrêt chez nous la ligne d'embouteillage ne redémarre plus il faut venir tout de suite",
            "hélène cordier cidrerie du bocage",
            "zéro deux trente et un zéro zéro zéro zéro",
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Hélène Cordier",
            "company": "Cidrerie du Bocage",
            "callback": "+33231000000",
        },
    },
    {
        "id": "f13",
        "caller_id": "+33380808181",
        "turns": [
            "bonjour je voudrais avancer l'intervention de jeudi à mardi si c'est possible",
            "marcel brun",
            "pas besoin de me rappeler si c'est bon",
        ],
        "expect": {
            "category": "appointment",
            "urgent": False,
            "name": "Marcel Brun",
            "company": None,
            "callback": "+33380808181",
        },
    },
    {
        "id": "f14",
        "caller_id": "+33690000009",
        "turns": [
            "je m'appelle zoé lefort je travaille à la fonderie lefort et fils notre four à induction est tombé en panne en pleine coulée",
            "",
            "zéro six quatre-vingt-dix zéro zéro zéro zéro neuf",
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Zoé Lefort",
            "company": "Fonderie Lefort et Fils",
            "callback": "+33690000009",
        },
    },
    {
        "id": "f15",
        "caller_id": "+33143434343",
        "turns": [
            "oui bonjour pardon je crois que je me suis trompé de numéro je voulais la pharmacie",
            "",
            "",
        ],
        "expect": {
            "category": "other",
            "urgent": False,
            "name": None,
            "company": None,
            "callback": "+33143434343",
        },
    },
    {
        "id": "f16",
        "caller_id": "+33556565656",
        "turns": [
            "bonjour ce n'est pas pressé mais j'aimerais un devis pour le remplacement des néons de l'atelier par des leds",
            "arnaud picard menuiserie picard",
            "zéro cinq cinquante-six cinquante-six cinquante-six cinquante-six",
        ],
        "expect": {
            "category": "quote",
            "urgent": False,
            "name": "Arnaud Picard",
            "company": "Menuiserie Picard",
            "callback": "+33556565656",
        },
    },
    {
        "id": "f17",
        "caller_id": "+33660708090",
        "turns": [
            "le groupe froid de notre chambre négative s'est arrêté on a toute la marchandise surgelée dedans",
            "yannick le gall de la criée de lorient",
            "non c'est le zéro six soixante soixante-dix quatre-vingts quatre-vingt-dix",
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Yannick Le Gall",
            "company": "Criée de Lorient",
            "callback": "+33660708090",
        },
    },
    {
        "id": "f18",
        "caller_id": "+33251515151",
        "turns": [
            "bonjour je voulais savoir si vous faites aussi l'entretien des portes automatiques et jusqu'où vous vous déplacez",
            "solange meunier",
            "zéro deux cinquante et un cinquante et un cinquante et un cinquante et un",
        ],
        "expect": {
            "category": "info",
            "urgent": False,
            "name": "Solange Meunier",
            "company": None,
            "callback": "+33251515151",
        },
    },
    {
        "id": "f19",
        "caller_id": "+33622446688",
        "turns": [
            "bonjour le technicien devait passer ce matin pour l'ascenseur et personne n'est venu",
            "gilbert rey syndic rey immobilier",
            "zéro six vingt-deux quarante-quatre soixante-six quatre-vingt-huit",
        ],
        "expect": {
            "category": "followup",
            "urgent": False,
            "name": "Gilbert Rey",
            "company": "Syndic Rey Immobilier",
            "callback": "+33622446688",
        },
    },
    {
        "id": "f20",
        "caller_id": "+33577001100",
        "turns": [
            "bonjour c'est au sujet d'un paiement on a fait le virement la semaine dernière pouvez-vous vérifier",
            "ophélie marchal de la sarl marchal frères",
            "sur ce numéro",
        ],
        "expect": {
            "category": "billing",
            "urgent": False,
            "name": "Ophélie Marchal",
            "company": "SARL Marchal Frères",
            "callback": "+33577001100",
        },
    },
]

EN: list[dict[str, Any]] = [
    {
        "id": "g01",
        "caller_id": "+447700900501",
        "turns": [
            "hi our walk in freezer has stopped working and we've got all the stock in there please send someone asap",
            "rachel adams from seaside fish bar",
            "this number is fine",
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Rachel Adams",
            "company": "Seaside Fish Bar",
            "callback": "+447700900501",
        },
    },
    {
        "id": "g02",
        "caller_id": "+441632960502",
        "turns": [
            "hello could you give me a quote for servicing our three forklifts",
            "ben carter carter logistics",
            "oh one six three two nine six oh five oh two",
        ],
        "expect": {
            "category": "quote",
            "urgent": False,
            "name": "Ben Carter",
            "company": "Carter Logistics",
            "callback": "+441632960502",
        },
    },
    {
        "id": "g03",
        "caller_id": "+441632960503",
        "turns": [
            "hi do you cover the north east and what are your rates",
            "dawn fletcher",
            "no need to call me back",
        ],
        "expect": {
            "category": "info",
            "urgent": False,
            "name": "Dawn Fletcher",
            "company": None,
            "callback": "+441632960503",
        },
    },
    {
        "id": "g04",
        "caller_id": None,
        "turns": [
            "there's water pouring through the ceiling from the plant room it's flooding the office",
            "my name is owen price i'm the caretaker at hillside academy",
            "oh seven seven double oh nine hundred five oh four",
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Owen Price",
            "company": "Hillside Academy",
            "callback": "+447700900504",
        },
    },
    {
        "id": "g05",
        "caller_id": "+441632960505",
        "turns": [
            "we received an invoice for a visit that was covered by our contract",
            "linda shaw purchasing at kestrel mills",
            "on the number you have",
        ],
        "expect": {
            "category": "billing",
            "urgent": False,
            "name": "Linda Shaw",
            "company": "Kestrel Mills",
            "callback": "+441632960505",
        },
    },
    {
        "id": "g06",
        "caller_id": "+441632960506",
        "turns": [
            "the extractor fan is a bit noisy no rush someone can look at it next week",
            "colin ward ward joinery",
            "oh one six three two nine six oh five oh six",
        ],
        "expect": {
            "category": "breakdown",
            "urgent": False,
            "name": "Colin Ward",
            "company": "Ward Joinery",
            "callback": "+441632960506",
        },
    },
    {
        "id": "g07",
        "caller_id": "+447700900507",
        "turns": [
            "i'd like to reschedule tomorrow's service visit to friday if possible",
            "amy patel",
            "this number",
        ],
        "expect": {
            "category": "appointment",
            "urgent": False,
            "name": "Amy Patel",
            "company": None,
            "callback": "+447700900507",
        },
    },
    {
        "id": "g08",
        "caller_id": "+447700900508",
        "turns": [
            "hello i'm ringing to ask if you have any vacancies for an electrician",
            "callum reid",
            "oh seven seven double oh nine hundred five oh eight",
        ],
        "expect": {
            "category": "job",
            "urgent": False,
            "name": "Callum Reid",
            "company": None,
            "callback": "+447700900508",
        },
    },
    {
        "id": "g09",
        "caller_id": "+441632960509",
        "turns": [
            "your engineer fixed the boiler on tuesday but it's making the same noise again",
            "harriet cole the old mill hotel",
            "oh one six three two nine six oh five oh nine",
        ],
        "expect": {
            "category": "followup",
            "urgent": False,
            "name": "Harriet Cole",
            "company": "The Old Mill Hotel",
            "callback": "+441632960509",
        },
    },
    {
        "id": "g10",
        "caller_id": "+447700900510",
        "turns": [
            "hi this is jake from sparkline media we help businesses like yours get more customers online",
            "jake mills",
            "i'll send an email",
        ],
        "expect": {
            "category": "sales",
            "urgent": False,
            "name": "Jake Mills",
            "company": "Sparkline Media",
            "callback": "+447700900510",
        },
    },
]

# More calls written to probe generalisation (same style, different phrasings).
FR_MORE: list[dict[str, Any]] = [
    {
        "id": "h01",
        "caller_id": "+33611000001",
        "turns": [
            "bonjour on a un gros problème la ligne de conditionnement ne démarre plus et on a une commande à livrer ce soir",
            "moi c'est gaëlle rivet de l'entreprise rivet emballages",
            "mon numéro c'est le zéro six quarante et un vingt-deux trente-trois quarante-quatre",
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Gaëlle Rivet",
            "company": "Rivet Emballages",
            "callback": "+33641223344",
        },
    },
    {
        "id": "h02",
        "caller_id": "+33611000001",
        "turns": [
            "allo oui la climatisation du magasin ne fonctionne pas et il fait trente-cinq degrés les clients se plaignent",
            "fabrice noël supermarché de la gare",
            "zéro cinq soixante-deux dix-huit vingt-quatre trente",
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Fabrice Noël",
            "company": "Supermarché de la Gare",
            "callback": "+33562182430",
        },
    },
    {
        "id": "h03",
        "caller_id": "+33611000001",
        "turns": [
            "bonjour j'appelle pour faire installer une borne de recharge sur notre parking vous pourriez me faire une proposition",
            "cédric lacombe garage lacombe",
            "06 45 12 89 33",
        ],
        "expect": {
            "category": "quote",
            "urgent": False,
            "name": "Cédric Lacombe",
            "company": "Garage Lacombe",
            "callback": "+33645128933",
        },
    },
    {
        "id": "h04",
        "caller_id": "+33611000001",
        "turns": [
            "bonjour je vous relance pour le rapport de la visite de sécurité que vous deviez nous envoyer",
            "muriel dupré responsable qualité chez verrerie dupré",
            "sur ce numéro",
        ],
        "expect": {
            "category": "followup",
            "urgent": False,
            "name": "Muriel Dupré",
            "company": "Verrerie Dupré",
            "callback": "+33611000001",
        },
    },
    {
        "id": "h05",
        "caller_id": "+33611000001",
        "turns": [
            "on n'a plus d'eau chaude dans tout l'hôtel depuis ce matin les clients sont furieux",
            "jérôme petitjean hôtel du commerce",
            "rappelez-moi vite au zéro quatre soixante-dix-huit quinze quinze vingt",
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Jérôme Petitjean",
            "company": "Hôtel du Commerce",
            "callback": "+33478151520",
        },
    },
    {
        "id": "h06",
        "caller_id": "+33611000001",
        "turns": [
            "bonjour je voudrais savoir si vous êtes ouverts entre noël et le jour de l'an",
            "colette",
            "non c'est bon merci",
        ],
        "expect": {
            "category": "info",
            "urgent": False,
            "name": "Colette",
            "company": None,
            "callback": "+33611000001",
        },
    },
    {
        "id": "h07",
        "caller_id": "+33611000001",
        "turns": [
            "bonjour c'est pour une question sur votre dernière facture je pense qu'on nous a facturé deux fois le déplacement",
            "annie leroux pour la société transports leroux",
            "zéro trois quatre-vingt-neuf soixante-six vingt-deux dix",
        ],
        "expect": {
            "category": "billing",
            "urgent": False,
            "name": "Annie Leroux",
            "company": "Transports Leroux",
            "callback": "+33389662210",
        },
    },
    {
        "id": "h08",
        "caller_id": "+33611000001",
        "turns": [
            "bonjour l'alarme de la chambre froide sonne et la température est à douze degrés",
            "thibault marchand de la cuisine centrale de la ville",
            "zéro deux quarante-sept quatre-vingt-un soixante-trois quatorze",
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Thibault Marchand",
            "company": "Cuisine Centrale de la Ville",
            "callback": "+33247816314",
        },
    },
    {
        "id": "h09",
        "caller_id": "+33611000001",
        "turns": [
            "je vous appelle parce que j'ai vu que vous recrutiez un frigoriste",
            "kévin moulin",
            "zéro six dix-neuf vingt-huit trente-sept quarante-six",
        ],
        "expect": {
            "category": "job",
            "urgent": False,
            "name": "Kévin Moulin",
            "company": None,
            "callback": "+33619283746",
        },
    },
    {
        "id": "h10",
        "caller_id": "+33611000001",
        "turns": [
            "bonjour nous sommes une agence de communication et nous aimerions vous proposer une refonte de votre site",
            "sarah klein agence pixel et papier",
            "je vous rappellerai",
        ],
        "expect": {
            "category": "sales",
            "urgent": False,
            "name": "Sarah Klein",
            "company": "Agence Pixel et Papier",
            "callback": "+33611000001",
        },
    },
    {
        "id": "h11",
        "caller_id": "+33611000001",
        "turns": [
            "bonjour il faudrait prévoir la visite annuelle de nos extincteurs le mois prochain",
            "denis charpentier",
            "zéro un quarante-deux trente-trois quatre-vingt-dix-sept douze",
        ],
        "expect": {
            "category": "appointment",
            "urgent": False,
            "name": "Denis Charpentier",
            "company": None,
            "callback": "+33142339712",
        },
    },
    {
        "id": "h12",
        "caller_id": "+33611000001",
        "turns": [
            "le moteur du pont roulant a grillé on ne peut plus décharger les camions",
            "patrice aubry des aciéries aubry",
            "zéro trois vingt-sept cinquante-huit soixante et onze zéro neuf",
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Patrice Aubry",
            "company": "Aciéries Aubry",
            "callback": "+33327587109",
        },
    },
    {
        "id": "h13",
        "caller_id": "+33611000001",
        "turns": [
            "bonjour ça fait trois fois que votre technicien vient pour la même panne et ça ne tient pas",
            "odile ferrand boulangerie ferrand",
            "le zéro cinq cinquante-cinq trente-quatre douze quatre-vingt-dix",
        ],
        "expect": {
            "category": "followup",
            "urgent": False,
            "name": "Odile Ferrand",
            "company": "Boulangerie Ferrand",
            "callback": "+33555341290",
        },
    },
    {
        "id": "h14",
        "caller_id": "+33611000001",
        "turns": [
            "oui bonjour c'est la pharmacie des quatre chemins notre rideau métallique est bloqué à moitié on ne peut pas fermer",
            "laurent pinto",
            "zéro quatre quatre-vingt-treize vingt et un dix-sept soixante-quatre",
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Laurent Pinto",
            "company": "Pharmacie des Quatre Chemins",
            "callback": "+33493211764",
        },
    },
    {
        "id": "h15",
        "caller_id": "+33611000001",
        "turns": [
            "bonjour je voudrais parler à quelqu'un pour un contrat d'entretien de nos climatiseurs",
            "véronique tessier clinique vétérinaire des saules",
            "vous avez mon numéro",
        ],
        "expect": {
            "category": "quote",
            "urgent": False,
            "name": "Véronique Tessier",
            "company": "Clinique Vétérinaire des Saules",
            "callback": "+33611000001",
        },
    },
    {
        "id": "h16",
        "caller_id": "+33611000001",
        "turns": [
            "allo c'est urgent il y a de l'eau qui coule du plafond dans la salle des serveurs",
            "ahmed benali de la mutuelle du centre",
            "zéro six zéro zéro onze vingt-deux trente-trois",
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Ahmed Benali",
            "company": "Mutuelle du Centre",
            "callback": "+33600112233",
        },
    },
    {
        "id": "h17",
        "caller_id": "+33611000001",
        "turns": [
            "bonjour je souhaiterais annuler l'intervention de vendredi on a trouvé une autre solution",
            "hervé masson",
            "pas la peine de me rappeler",
        ],
        "expect": {
            "category": "appointment",
            "urgent": False,
            "name": "Hervé Masson",
            "company": None,
            "callback": "+33611000001",
        },
    },
    {
        "id": "h18",
        "caller_id": "+33611000001",
        "turns": [
            "bonjour je vous appelle pour savoir où en est la commande du variateur",
            "maxime lopez de chez textiles lopez",
            "zéro quatre soixante-quatorze douze douze douze",
        ],
        "expect": {
            "category": "followup",
            "urgent": False,
            "name": "Maxime Lopez",
            "company": "Textiles Lopez",
            "callback": "+33474121212",
        },
    },
    {
        "id": "h19",
        "caller_id": "+33611000001",
        "turns": [
            "bonjour voilà on a une petite fuite sur le ballon d'eau chaude rien de grave ça goutte juste un peu",
            "josiane perrot",
            "zéro deux trente-cinq quarante-six cinquante-sept soixante-huit",
        ],
        "expect": {
            "category": "breakdown",
            "urgent": False,
            "name": "Josiane Perrot",
            "company": None,
            "callback": "+33235465768",
        },
    },
    {
        "id": "h20",
        "caller_id": "+33611000001",
        "turns": ["je voudrais parler à monsieur garnier c'est personnel", "", ""],
        "expect": {
            "category": "other",
            "urgent": False,
            "name": None,
            "company": None,
            "callback": "+33611000001",
        },
    },
    {
        "id": "h21",
        "caller_id": "+33611000001",
        "turns": [
            "le groupe électrogène de l'hôpital ne démarre pas pendant les tests",
            "docteur anne morel hôpital saint-louis",
            "zéro cinq quarante-six zéro zéro quatorze quinze",
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Anne Morel",
            "company": "Hôpital Saint-Louis",
            "callback": "+33546001415",
        },
    },
    {
        "id": "h22",
        "caller_id": "+33611000001",
        "turns": [
            "bonjour c'est à propos du paiement de la facture on voudrait payer en trois fois",
            "gilles renaud sas renaud bâtiment",
            "zéro trois quatre-vingts douze trente-quatre cinquante-six",
        ],
        "expect": {
            "category": "billing",
            "urgent": False,
            "name": "Gilles Renaud",
            "company": "Renaud Bâtiment",
            "callback": "+33380123456",
        },
    },
    {
        "id": "h23",
        "caller_id": "+33611000001",
        "turns": [
            "bonjour je suis étudiant et je cherche une alternance en électrotechnique",
            "lucas fabre",
            "zéro sept quarante-trois vingt et un quatre-vingt-sept soixante-cinq",
        ],
        "expect": {
            "category": "job",
            "urgent": False,
            "name": "Lucas Fabre",
            "company": None,
            "callback": "+33743218765",
        },
    },
    {
        "id": "h24",
        "caller_id": "+33611000001",
        "turns": [
            "la presse à injecter affiche un défaut hydraulique et s'est mise en sécurité on a dix personnes au chômage technique",
            "raphaël girard plastiques de l'est",
            "zéro trois quatre-vingt-sept quarante-quatre cinquante-cinq soixante-six",
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Raphaël Girard",
            "company": "Plastiques de l'Est",
            "callback": "+33387445566",
        },
    },
    {
        "id": "h25",
        "caller_id": "+33611000001",
        "turns": [
            "bonjour vous faites aussi le dépannage des portails électriques",
            "évelyne roussel",
            "zéro quatre soixante-six soixante-six soixante-six soixante-six",
        ],
        "expect": {
            "category": "info",
            "urgent": False,
            "name": "Évelyne Roussel",
            "company": None,
            "callback": "+33466666666",
        },
    },
    {
        "id": "h26",
        "caller_id": "+33611000001",
        "turns": [
            "bonjour je suis jean-michel bousquet gérant du restaurant le petit zinc notre lave-vaisselle professionnel ne vidange plus",
            "",
            "vous pouvez me joindre au zéro six trente et un quarante-deux cinquante-trois soixante-quatre",
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Jean-Michel Bousquet",
            "company": "Restaurant le Petit Zinc",
            "callback": "+33631425364",
        },
    },
    {
        "id": "h27",
        "caller_id": "+33611000001",
        "turns": [
            "bonjour c'est assez urgent notre transformateur fait des étincelles",
            "marie-claire fontaine",
            "sur ce numéro",
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Marie-Claire Fontaine",
            "company": None,
            "callback": "+33611000001",
        },
    },
    {
        "id": "h28",
        "caller_id": "+33611000001",
        "turns": [
            "oui bonjour j'appelle pour la mairie de villeneuve on aurait besoin d'un devis pour la mise aux normes de l'éclairage du gymnase",
            "bertrand joly",
            "zéro cinq quarante-neuf trente-huit vingt-sept seize",
        ],
        "expect": {
            "category": "quote",
            "urgent": False,
            "name": "Bertrand Joly",
            "company": "Mairie de Villeneuve",
            "callback": "+33549382716",
        },
    },
    {
        "id": "h29",
        "caller_id": "+33611000001",
        "turns": [
            "bonjour la chaudière s'est mise en sécurité plusieurs fois cette semaine mais là elle fonctionne ça peut attendre la semaine prochaine",
            "pascale roger",
            "zéro quatre soixante-dix-sept cinquante-deux trente-trois quatorze",
        ],
        "expect": {
            "category": "breakdown",
            "urgent": False,
            "name": "Pascale Roger",
            "company": None,
            "callback": "+33477523314",
        },
    },
    {
        "id": "h30",
        "caller_id": "+33611000001",
        "turns": [
            "bonjour je vous appelle du camping les pins la pompe de la piscine est en panne et on a des clients tout le week-end",
            "mickaël berger",
            "rappelez-moi plutôt sur mon portable zéro six soixante-huit vingt-quatre zéro neuf quarante",
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Mickaël Berger",
            "company": "Camping les Pins",
            "callback": "+33668240940",
        },
    },
    {
        "id": "h31",
        "caller_id": "+33611000001",
        "turns": [
            "bonjour c'est juste pour vous dire que votre technicien a oublié sa caisse à outils chez nous",
            "nadine michaud",
            "ce numéro",
        ],
        "expect": {
            "category": "other",
            "urgent": False,
            "name": "Nadine Michaud",
            "company": None,
            "callback": "+33611000001",
        },
    },
    {
        "id": "h32",
        "caller_id": "+33611000001",
        "turns": [
            "bonjour je voudrais savoir quel est votre délai pour venir installer une climatisation",
            "éric lemoine",
            "zéro un soixante-neuf quarante-huit vingt-sept onze",
        ],
        "expect": {
            "category": "info",
            "urgent": False,
            "name": "Éric Lemoine",
            "company": None,
            "callback": "+33169482711",
        },
    },
    {
        "id": "h33",
        "caller_id": "+33611000001",
        "turns": [
            "allo bonjour on est bloqués le compresseur a disjoncté et plus rien ne tourne il faudrait quelqu'un le plus rapidement possible",
            "jacqueline renard de chez renard et fils",
            "zéro trois vingt-six quatre-vingt-dix cinquante et un trente-deux",
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Jacqueline Renard",
            "company": "Renard et Fils",
            "callback": "+33326905132",
        },
    },
    {
        "id": "h34",
        "caller_id": "+33611000001",
        "turns": [
            "je voudrais prendre un rendez-vous pour le ramonage de la chaudière de l'immeuble",
            "hugues perrin syndic de copropriété perrin",
            "zéro quatre quatre-vingt-quatre dix-neuf vingt-huit trente-sept",
        ],
        "expect": {
            "category": "appointment",
            "urgent": False,
            "name": "Hugues Perrin",
            "company": "Syndic de Copropriété Perrin",
            "callback": "+33484192837",
        },
    },
    {
        "id": "h35",
        "caller_id": "+33611000001",
        "turns": [
            "bonjour on n'a toujours pas reçu le devis que vous deviez nous faire pour la toiture photovoltaïque",
            "aline guérin de la ferme des trois chênes",
            "zéro deux quatre-vingt-dix-sept soixante-quatre vingt et un zéro huit",
        ],
        "expect": {
            "category": "followup",
            "urgent": False,
            "name": "Aline Guérin",
            "company": "Ferme des Trois Chênes",
            "callback": "+33297642108",
        },
    },
    {
        "id": "h36",
        "caller_id": "+33611000001",
        "turns": [
            "bonjour j'ai une question sur un prélèvement que je ne reconnais pas sur notre compte",
            "yvette caron",
            "zéro trois vingt-trois quarante-cinq soixante-sept quatre-vingt-neuf",
        ],
        "expect": {
            "category": "billing",
            "urgent": False,
            "name": "Yvette Caron",
            "company": None,
            "callback": "+33323456789",
        },
    },
    {
        "id": "h37",
        "caller_id": "+33611000001",
        "turns": [
            "bonjour je suis le responsable des achats de la laiterie martin et je voudrais un chiffrage pour une nouvelle ligne de pasteurisation",
            "thomas briand",
            "zéro deux quarante-trois quatre-vingt-dix-huit soixante-cinq trente-deux",
        ],
        "expect": {
            "category": "quote",
            "urgent": False,
            "name": "Thomas Briand",
            "company": "Laiterie Martin",
            "callback": "+33243986532",
        },
    },
    {
        "id": "h38",
        "caller_id": "+33611000001",
        "turns": [
            "oui bonjour c'est une urgence l'ascenseur de la résidence est bloqué avec une personne âgée à l'intérieur",
            "claudine roux de la résidence les mimosas",
            "zéro quatre quatre-vingt-treize quatre-vingt-sept douze zéro cinq",
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Claudine Roux",
            "company": "Résidence les Mimosas",
            "callback": "+33493871205",
        },
    },
    {
        "id": "h39",
        "caller_id": "+33611000001",
        "turns": [
            "bonjour je représente la société vertigo nous vendons des équipements de protection individuelle",
            "franck olivier",
            "je repasserai",
        ],
        "expect": {
            "category": "sales",
            "urgent": False,
            "name": "Franck Olivier",
            "company": "Vertigo",
            "callback": "+33611000001",
        },
    },
    {
        "id": "h40",
        "caller_id": "+33611000001",
        "turns": [
            "allo l'usine est dans le noir on a une panne générale d'électricité",
            "sylvain gautier de la fonderie gautier",
            "zéro trois quatre-vingt-quatre vingt-deux onze zéro zéro",
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Sylvain Gautier",
            "company": "Fonderie Gautier",
            "callback": "+33384221100",
        },
    },
    {
        "id": "h41",
        "caller_id": "+33611000001",
        "turns": [
            "bonjour je vous appelle car j'ai un entretien d'embauche chez vous jeudi et je voulais confirmer l'heure",
            "alexis durand",
            "zéro six cinquante-quatre trente-deux dix quatre-vingt-dix-huit",
        ],
        "expect": {
            "category": "job",
            "urgent": False,
            "name": "Alexis Durand",
            "company": None,
            "callback": "+33654321098",
        },
    },
    {
        "id": "h42",
        "caller_id": "+33611000001",
        "turns": [
            "bonjour je voudrais savoir si vous pouvez venir vérifier notre installation de gaz avant le passage de la commission de sécurité",
            "irène dubois école maternelle jules ferry",
            "zéro un quarante-huit soixante-deux vingt et un trente",
        ],
        "expect": {
            "category": "appointment",
            "urgent": False,
            "name": "Irène Dubois",
            "company": "École Maternelle Jules Ferry",
            "callback": "+33148622130",
        },
    },
    {
        "id": "h43",
        "caller_id": "+33611000001",
        "turns": [
            "bonjour monsieur je vous appelle pour vous signaler que le portail automatique ne se ferme plus du tout depuis hier soir",
            "monsieur bernard",
            "zéro quatre soixante-quinze zéro deux trente-trois quarante-quatre",
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Monsieur Bernard",
            "company": None,
            "callback": "+33475023344",
        },
    },
    {
        "id": "h44",
        "caller_id": "+33611000001",
        "turns": [
            "bonjour est-ce que vous pourriez passer la semaine prochaine pour changer les filtres de la centrale de traitement d'air",
            "marion leblanc",
            "zéro un vingt-deux trente-trois quarante-quatre cinquante-cinq",
        ],
        "expect": {
            "category": "appointment",
            "urgent": False,
            "name": "Marion Leblanc",
            "company": None,
            "callback": "+33122334455",
        },
    },
    {
        "id": "h45",
        "caller_id": "+33611000001",
        "turns": [
            "bonjour je voudrais connaître le prix d'un contrat de maintenance pour une pompe à chaleur",
            "rené martel",
            "zéro deux quatorze vingt-cinq trente-six quarante-sept",
        ],
        "expect": {
            "category": "quote",
            "urgent": False,
            "name": "René Martel",
            "company": None,
            "callback": "+33214253647",
        },
    },
    {
        "id": "h46",
        "caller_id": "+33611000001",
        "turns": [
            "bonjour c'est pour un renseignement est-ce que vous travaillez aussi pour les particuliers",
            "gisèle",
            "merci",
        ],
        "expect": {
            "category": "info",
            "urgent": False,
            "name": "Gisèle",
            "company": None,
            "callback": "+33611000001",
        },
    },
    {
        "id": "h47",
        "caller_id": "+33611000001",
        "turns": [
            "je vous appelle suite à votre intervention d'hier la machine refait le même bruit",
            "nathan colas de la biscuiterie colas",
            "zéro deux quarante et un cinquante-deux soixante-trois soixante-quatorze",
        ],
        "expect": {
            "category": "followup",
            "urgent": False,
            "name": "Nathan Colas",
            "company": "Biscuiterie Colas",
            "callback": "+33241526374",
        },
    },
    {
        "id": "h48",
        "caller_id": "+33611000001",
        "turns": [
            "bonjour nous n'avons toujours pas reçu votre facture pour la réparation du mois de mars",
            "carole hubert comptabilité clinique du parc",
            "zéro quatre soixante-treize quarante-quatre cinquante-cinq soixante-six",
        ],
        "expect": {
            "category": "billing",
            "urgent": False,
            "name": "Carole Hubert",
            "company": "Clinique du Parc",
            "callback": "+33473445566",
        },
    },
    {
        "id": "h49",
        "caller_id": "+33611000001",
        "turns": [
            "bonjour je vous appelle de la part de la société omega propreté pour vous présenter nos services de nettoyage industriel",
            "lina roche",
            "je vous envoie une plaquette",
        ],
        "expect": {
            "category": "sales",
            "urgent": False,
            "name": "Lina Roche",
            "company": "Omega Propreté",
            "callback": "+33611000001",
        },
    },
    {
        "id": "h50",
        "caller_id": "+33611000001",
        "turns": [
            "bonjour c'est le lycée professionnel jean moulin nous cherchons des entreprises pour accueillir nos élèves en stage",
            "madame picard",
            "zéro trois quatre-vingt-un vingt-deux trente-trois quarante-quatre",
        ],
        "expect": {
            "category": "job",
            "urgent": False,
            "name": "Madame Picard",
            "company": "Lycée Professionnel Jean Moulin",
            "callback": "+33381223344",
        },
    },
    {
        "id": "h51",
        "caller_id": "+33611000001",
        "turns": [
            "oui bonjour le tableau électrique a pris feu on a éteint avec l'extincteur",
            "serge blanchet menuiserie blanchet",
            "zéro cinq quarante-neuf dix vingt trente",
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Serge Blanchet",
            "company": "Menuiserie Blanchet",
            "callback": "+33549102030",
        },
    },
    {
        "id": "h52",
        "caller_id": "+33611000001",
        "turns": [
            "bonjour le chauffage ne marche plus du tout dans les bureaux depuis ce matin",
            "élise marchand agence immobilière du centre",
            "zéro quatre quatre-vingt-dix-sept soixante-huit cinquante-trois vingt et un",
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Élise Marchand",
            "company": "Agence Immobilière du Centre",
            "callback": "+33497685321",
        },
    },
    {
        "id": "h53",
        "caller_id": "+33611000001",
        "turns": [
            "bonjour est-ce que vous vendez des pièces détachées pour les compresseurs",
            "patrick",
            "non merci",
        ],
        "expect": {
            "category": "info",
            "urgent": False,
            "name": "Patrick",
            "company": None,
            "callback": "+33611000001",
        },
    },
    {
        "id": "h54",
        "caller_id": "+33611000001",
        "turns": [
            "bonjour je voudrais fixer une date pour la mise en service de la nouvelle chaudière",
            "fabienne rolland",
            "zéro cinq cinquante-cinq quarante-quatre trente-trois vingt-deux",
        ],
        "expect": {
            "category": "appointment",
            "urgent": False,
            "name": "Fabienne Rolland",
            "company": None,
            "callback": "+33555443322",
        },
    },
    {
        "id": "h55",
        "caller_id": "+33611000001",
        "turns": [
            "bonjour j'ai eu un message de votre part sur mon répondeur je vous rappelle",
            "bernard tissot",
            "sur ce numéro",
        ],
        "expect": {
            "category": "other",
            "urgent": False,
            "name": "Bernard Tissot",
            "company": None,
            "callback": "+33611000001",
        },
    },
    {
        "id": "h56",
        "caller_id": "+33611000001",
        "turns": [
            "bonjour la cuve de fioul déborde il y en a partout dans la cour",
            "albert ménard ferme ménard",
            "zéro deux trente-trois quatre-vingt-huit soixante-dix-sept soixante-six",
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Albert Ménard",
            "company": "Ferme Ménard",
            "callback": "+33233887766",
        },
    },
    {
        "id": "h57",
        "caller_id": "+33611000001",
        "turns": [
            "bonjour je souhaiterais avoir une estimation pour la rénovation de notre chaufferie",
            "joël perrier hôtel des voyageurs",
            "zéro trois quatre-vingt-cinq soixante-dix soixante et un vingt",
        ],
        "expect": {
            "category": "quote",
            "urgent": False,
            "name": "Joël Perrier",
            "company": "Hôtel des Voyageurs",
            "callback": "+33385706120",
        },
    },
    {
        "id": "h58",
        "caller_id": "+33611000001",
        "turns": [
            "bonjour le variateur de la pompe affiche une alarme mais tout tourne normalement on verra lors de la prochaine visite",
            "luc hamon",
            "zéro deux quatre-vingt-dix-neuf douze trente-quatre cinquante-six",
        ],
        "expect": {
            "category": "breakdown",
            "urgent": False,
            "name": "Luc Hamon",
            "company": None,
            "callback": "+33299123456",
        },
    },
    {
        "id": "h59",
        "caller_id": "+33611000001",
        "turns": [
            "oui bonjour pierre-yves le corre à l'appareil notre compresseur d'air est en panne",
            "de la conserverie le corre",
            "zéro deux quatre-vingt-dix-huit vingt et un zéro zéro zéro zéro",
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Pierre-Yves Le Corre",
            "company": "Conserverie Le Corre",
            "callback": "+33298210000",
        },
    },
    {
        "id": "h60",
        "caller_id": "+33611000001",
        "turns": [
            "bonjour je vous appelle de la part de la boulangerie martin le four ne chauffe plus",
            "sophie",
            "zéro quatre soixante-dix-neuf vingt-deux trente-trois quarante-quatre",
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Sophie",
            "company": "Boulangerie Martin",
            "callback": "+33479223344",
        },
    },
    {
        "id": "h61",
        "caller_id": "+33611000001",
        "turns": [
            "bonjour je suis de la société lumitec nous aimerions un devis pour l'éclairage de notre entrepôt",
            "mathias kern",
            "zéro trois quatre-vingt-huit vingt-deux quarante-quatre soixante-six",
        ],
        "expect": {
            "category": "quote",
            "urgent": False,
            "name": "Mathias Kern",
            "company": "Lumitec",
            "callback": "+33388224466",
        },
    },
    {
        "id": "h62",
        "caller_id": "+33611000001",
        "turns": [
            "bonjour c'est pour signaler que la barrière du parking ne se lève plus les clients ne peuvent plus sortir",
            "nicole arnaud centre commercial les arcades",
            "zéro quatre quatre-vingt-onze trente-trois quarante-quatre cinquante-cinq",
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Nicole Arnaud",
            "company": "Centre Commercial les Arcades",
            "callback": "+33491334455",
        },
    },
    {
        "id": "h63",
        "caller_id": "+33611000001",
        "turns": [
            "je voudrais savoir combien de temps il faut pour avoir un technicien en cas de panne",
            "roland bazin",
            "zéro un quarante-cinq vingt-huit trente-neuf cinquante",
        ],
        "expect": {
            "category": "info",
            "urgent": False,
            "name": "Roland Bazin",
            "company": None,
            "callback": "+33145283950",
        },
    },
    {
        "id": "h64",
        "caller_id": "+33611000001",
        "turns": [
            "bonjour je vous appelle pour le rendez-vous de demain le technicien peut venir plutôt l'après-midi",
            "céline vasseur",
            "sur le même numéro",
        ],
        "expect": {
            "category": "appointment",
            "urgent": False,
            "name": "Céline Vasseur",
            "company": None,
            "callback": "+33611000001",
        },
    },
    {
        "id": "h65",
        "caller_id": "+33611000001",
        "turns": [
            "allo il y a une odeur de gaz très forte dans la cuisine du restaurant",
            "karim saïdi restaurant le soleil d'or",
            "zéro quatre quatre-vingt-treize soixante-deux trente et un zéro zéro",
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Karim Saïdi",
            "company": "Restaurant le Soleil d'Or",
            "callback": "+33493623100",
        },
    },
    {
        "id": "h66",
        "caller_id": "+33611000001",
        "turns": [
            "bonjour c'est au sujet de votre devis numéro quatre cent douze on voudrait le valider",
            "philippe garnier sarl garnier paysage",
            "zéro deux cinquante et un quarante soixante-dix-sept zéro huit",
        ],
        "expect": {
            "category": "followup",
            "urgent": False,
            "name": "Philippe Garnier",
            "company": "SARL Garnier Paysage",
            "callback": "+33251407708",
        },
    },
    {
        "id": "h67",
        "caller_id": "+33611000001",
        "turns": [
            "bonjour nos congélateurs sont en alarme depuis une heure la température remonte",
            "ibrahim diallo supérette diallo",
            "zéro un quarante-trois cinquante-sept soixante-huit dix-neuf",
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Ibrahim Diallo",
            "company": "Supérette Diallo",
            "callback": "+33143576819",
        },
    },
    {
        "id": "h68",
        "caller_id": "+33611000001",
        "turns": [
            "bonjour je voulais signaler un changement d'adresse pour la facturation",
            "corinne lebon de la société dalmat",
            "zéro cinq cinquante-six quatre-vingt-un zéro deux trente",
        ],
        "expect": {
            "category": "billing",
            "urgent": False,
            "name": "Corinne Lebon",
            "company": "Dalmat",
            "callback": "+33556810230",
        },
    },
    {
        "id": "h69",
        "caller_id": "+33611000001",
        "turns": [
            "bonjour notre tour aéroréfrigérante s'est arrêtée et les groupes de production montent en température",
            "vivien dumont papeterie des vosges",
            "zéro trois vingt-neuf trente-sept quarante-huit cinquante-neuf",
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Vivien Dumont",
            "company": "Papeterie des Vosges",
            "callback": "+33329374859",
        },
    },
    {
        "id": "h70",
        "caller_id": "+33611000001",
        "turns": [
            "bonjour le chariot élévateur électrique ne charge plus on en a un autre donc ce n'est pas trop grave",
            "lisa meyer",
            "zéro trois quatre-vingt-neuf vingt-deux trente-trois quarante-quatre",
        ],
        "expect": {
            "category": "breakdown",
            "urgent": False,
            "name": "Lisa Meyer",
            "company": None,
            "callback": "+33389223344",
        },
    },
    {
        "id": "h71",
        "caller_id": "+33611000001",
        "turns": [
            "bonjour je vous appelle parce qu'on voudrait automatiser notre ligne d'ensachage est-ce que vous pouvez nous faire une étude",
            "jean-luc moreau de moreau semences",
            "zéro deux quarante et un quatre-vingt-huit zéro zéro douze",
        ],
        "expect": {
            "category": "quote",
            "urgent": False,
            "name": "Jean-Luc Moreau",
            "company": "Moreau Semences",
            "callback": "+33241880012",
        },
    },
    {
        "id": "h72",
        "caller_id": "+33611000001",
        "turns": [
            "la vanne motorisée du réseau de chauffage urbain est restée bloquée en position fermée et plus aucun immeuble n'est chauffé",
            "christelle brun office public de l'habitat",
            "zéro quatre soixante-dix-huit trente-trois zéro zéro douze",
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Christelle Brun",
            "company": "Office Public de l'Habitat",
            "callback": "+33478330012",
        },
    },
    {
        "id": "h73",
        "caller_id": "+33611000001",
        "turns": [
            "bonjour je voudrais savoir si votre technicien pourra passer jeudi comme prévu ou s'il faut décaler",
            "henri vallet",
            "sur ce numéro merci",
        ],
        "expect": {
            "category": "appointment",
            "urgent": False,
            "name": "Henri Vallet",
            "company": None,
            "callback": "+33611000001",
        },
    },
    {
        "id": "h74",
        "caller_id": "+33611000001",
        "turns": [
            "bonjour c'est la comptabilité de la société arcadis nous n'avons pas reçu votre rib pour le paiement",
            "sandrine michel",
            "zéro un quarante-six vingt-deux trente-trois quarante-quatre",
        ],
        "expect": {
            "category": "billing",
            "urgent": False,
            "name": "Sandrine Michel",
            "company": "Arcadis",
            "callback": "+33146223344",
        },
    },
    {
        "id": "h75",
        "caller_id": "+33611000001",
        "turns": [
            "il y a un bruit de claquement très fort dans la chaufferie et de la vapeur qui sort",
            "franck hoarau collège victor hugo",
            "zéro deux soixante-deux quarante et un cinquante-deux soixante-trois",
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Franck Hoarau",
            "company": "Collège Victor Hugo",
            "callback": "+33262415263",
        },
    },
    {
        "id": "h76",
        "caller_id": "+33611000001",
        "turns": [
            "je vous appelle pour vous dire que j'ai bien reçu la pièce vous pouvez venir la monter quand vous voulez",
            "martial roux",
            "zéro cinq cinquante-trois vingt-quatre trente-cinq quarante-six",
        ],
        "expect": {
            "category": "appointment",
            "urgent": False,
            "name": "Martial Roux",
            "company": None,
            "callback": "+33553243546",
        },
    },
]

EN_MORE: list[dict[str, Any]] = [
    {
        "id": "k01",
        "caller_id": "+447700900999",
        "turns": [
            "hello the heating has packed up in the care home and it's freezing the residents are cold",
            "joan hall from meadow view care home",
            "call me on oh seven seven double oh nine hundred two one two",
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Joan Hall",
            "company": "Meadow View Care Home",
            "callback": "+447700900212",
        },
    },
    {
        "id": "k02",
        "caller_id": "+447700900999",
        "turns": [
            "hi could we get a price for installing an extraction system in our workshop",
            "gary stone stone fabrications",
            "this number is fine",
        ],
        "expect": {
            "category": "quote",
            "urgent": False,
            "name": "Gary Stone",
            "company": "Stone Fabrications",
            "callback": "+447700900999",
        },
    },
    {
        "id": "k03",
        "caller_id": "+447700900999",
        "turns": [
            "hi i'm just chasing the report from last week's inspection",
            "paula wood",
            "on this number",
        ],
        "expect": {
            "category": "followup",
            "urgent": False,
            "name": "Paula Wood",
            "company": None,
            "callback": "+447700900999",
        },
    },
    {
        "id": "k04",
        "caller_id": "+447700900999",
        "turns": [
            "our production line has stopped completely there's an error on the control panel we need an engineer urgently",
            "simon ellis ellis precision",
            "oh one six three two nine six oh seven one two",
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Simon Ellis",
            "company": "Ellis Precision",
            "callback": "+441632960712",
        },
    },
    {
        "id": "k05",
        "caller_id": "+447700900999",
        "turns": [
            "hello can i book a service for our air conditioning units next month",
            "rita grant grant dental surgery",
            "oh one six three two nine six oh eight one two",
        ],
        "expect": {
            "category": "appointment",
            "urgent": False,
            "name": "Rita Grant",
            "company": "Grant Dental Surgery",
            "callback": "+441632960812",
        },
    },
    {
        "id": "k06",
        "caller_id": "+447700900999",
        "turns": [
            "hi there i think we've been charged twice on the last invoice",
            "neil cooper",
            "the number i'm calling from",
        ],
        "expect": {
            "category": "billing",
            "urgent": False,
            "name": "Neil Cooper",
            "company": None,
            "callback": "+447700900999",
        },
    },
    {
        "id": "k07",
        "caller_id": "+447700900999",
        "turns": ["hello are you open on saturdays", "", "no that's all thanks"],
        "expect": {
            "category": "info",
            "urgent": False,
            "name": None,
            "company": None,
            "callback": "+447700900999",
        },
    },
    {
        "id": "k08",
        "caller_id": "+447700900999",
        "turns": [
            "hi my name is lucy ford i'm ringing about the apprenticeship you advertised",
            "",
            "oh seven seven double oh nine hundred three four five",
        ],
        "expect": {
            "category": "job",
            "urgent": False,
            "name": "Lucy Ford",
            "company": None,
            "callback": "+447700900345",
        },
    },
    {
        "id": "k09",
        "caller_id": "+447700900999",
        "turns": [
            "good morning i'm calling from greenlight solar we help businesses cut their energy bills",
            "tom banks",
            "i'll try again later",
        ],
        "expect": {
            "category": "sales",
            "urgent": False,
            "name": "Tom Banks",
            "company": "Greenlight Solar",
            "callback": "+447700900999",
        },
    },
    {
        "id": "k10",
        "caller_id": "+447700900999",
        "turns": [
            "there's a gas smell near the boiler room",
            "alan price",
            "oh one six three two nine six oh nine one two",
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Alan Price",
            "company": None,
            "callback": "+441632960912",
        },
    },
    {
        "id": "k11",
        "caller_id": "+447700900999",
        "turns": [
            "the roller shutter is stuck half open and we can't lock up the shop tonight",
            "kate dunn dunn hardware",
            "on this number please",
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Kate Dunn",
            "company": "Dunn Hardware",
            "callback": "+447700900999",
        },
    },
    {
        "id": "k12",
        "caller_id": "+447700900999",
        "turns": [
            "the compressor is a bit noisy but it's working fine no rush",
            "ian cross",
            "oh one six three two nine six oh one two three",
        ],
        "expect": {
            "category": "breakdown",
            "urgent": False,
            "name": "Ian Cross",
            "company": None,
            "callback": "+441632960123",
        },
    },
    {
        "id": "k13",
        "caller_id": "+447700900999",
        "turns": [
            "hello this is sandra from riverside bakery our oven won't heat up and we've got orders for the morning",
            "sandra bell",
            "oh seven seven double oh nine hundred five five five",
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Sandra Bell",
            "company": "Riverside Bakery",
            "callback": "+447700900555",
        },
    },
    {
        "id": "k14",
        "caller_id": "+447700900999",
        "turns": [
            "hi i wanted to thank your engineer he did a great job yesterday",
            "brenda lloyd",
            "no need to call back",
        ],
        "expect": {
            "category": "other",
            "urgent": False,
            "name": "Brenda Lloyd",
            "company": None,
            "callback": "+447700900999",
        },
    },
    {
        "id": "k15",
        "caller_id": "+447700900999",
        "turns": [
            "morning the sprinkler pump in our warehouse keeps tripping out and the fire alarm panel is showing a fault",
            "derek holt holt distribution",
            "oh one six three two nine six oh three four five",
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Derek Holt",
            "company": "Holt Distribution",
            "callback": "+441632960345",
        },
    },
    {
        "id": "k16",
        "caller_id": "+447700900999",
        "turns": [
            "hello i'd like someone to come and service our boilers sometime next month",
            "fiona reid of the riverside trust",
            "you've got my number",
        ],
        "expect": {
            "category": "appointment",
            "urgent": False,
            "name": "Fiona Reid",
            "company": "Riverside Trust",
            "callback": "+447700900999",
        },
    },
    {
        "id": "k17",
        "caller_id": "+447700900999",
        "turns": [
            "hi it's about the quote you sent last week we'd like to go ahead",
            "marcus webb webb motors",
            "this number",
        ],
        "expect": {
            "category": "followup",
            "urgent": False,
            "name": "Marcus Webb",
            "company": "Webb Motors",
            "callback": "+447700900999",
        },
    },
    {
        "id": "k18",
        "caller_id": "+447700900999",
        "turns": [
            "hello i was wondering what areas you cover and whether you work weekends",
            "julie",
            "no that's fine thank you",
        ],
        "expect": {
            "category": "info",
            "urgent": False,
            "name": "Julie",
            "company": None,
            "callback": "+447700900999",
        },
    },
    {
        "id": "k19",
        "caller_id": "+447700900999",
        "turns": [
            "yes hi our fridge in the kitchen has died and we've got a wedding tomorrow",
            "polly nash the crown inn",
            "oh seven seven double oh nine hundred six seven eight",
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Polly Nash",
            "company": "The Crown Inn",
            "callback": "+447700900678",
        },
    },
    {
        "id": "k20",
        "caller_id": "+447700900999",
        "turns": [
            "hi i'm a student looking for summer work in maintenance",
            "ryan kelly",
            "oh seven seven double oh nine hundred one one one",
        ],
        "expect": {
            "category": "job",
            "urgent": False,
            "name": "Ryan Kelly",
            "company": None,
            "callback": "+447700900111",
        },
    },
    {
        "id": "k21",
        "caller_id": "+447700900999",
        "turns": [
            "we've been sent a reminder for an invoice we paid two weeks ago",
            "sheila morgan accounts department at lakeside school",
            "on this number",
        ],
        "expect": {
            "category": "billing",
            "urgent": False,
            "name": "Sheila Morgan",
            "company": "Lakeside School",
            "callback": "+447700900999",
        },
    },
    {
        "id": "k22",
        "caller_id": "+447700900999",
        "turns": [
            "hi this is dave from apex telecom are you happy with your current phone provider",
            "dave smith",
            "i'll call back",
        ],
        "expect": {
            "category": "sales",
            "urgent": False,
            "name": "Dave Smith",
            "company": "Apex Telecom",
            "callback": "+447700900999",
        },
    },
    {
        "id": "k23",
        "caller_id": "+447700900999",
        "turns": [
            "the hydraulic lift in our garage is stuck in the raised position with a car on it",
            "pete harding harding autos",
            "oh one six three two nine six oh five five five",
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Pete Harding",
            "company": "Harding Autos",
            "callback": "+441632960555",
        },
    },
    {
        "id": "k24",
        "caller_id": "+447700900999",
        "turns": [
            "the heating is making a funny noise but it's working fine there's no urgency",
            "margaret hill",
            "oh one six three two nine six oh two three four",
        ],
        "expect": {
            "category": "breakdown",
            "urgent": False,
            "name": "Margaret Hill",
            "company": None,
            "callback": "+441632960234",
        },
    },
    {
        "id": "k25",
        "caller_id": "+447700900999",
        "turns": [
            "hi the extraction fan in the paint booth has stopped and we've had to send the sprayers home",
            "gareth evans evans coachworks",
            "oh one six three two nine six oh eight eight eight",
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Gareth Evans",
            "company": "Evans Coachworks",
            "callback": "+441632960888",
        },
    },
    {
        "id": "k26",
        "caller_id": "+447700900999",
        "turns": [
            "hello i'd like to cancel the service visit on friday please",
            "moira walsh",
            "no need to call back",
        ],
        "expect": {
            "category": "appointment",
            "urgent": False,
            "name": "Moira Walsh",
            "company": None,
            "callback": "+447700900999",
        },
    },
    {
        "id": "k27",
        "caller_id": "+447700900999",
        "turns": [
            "we're after a maintenance contract for the lifts in our three buildings",
            "ross duncan duncan property management",
            "oh one six three two nine six oh seven seven one",
        ],
        "expect": {
            "category": "quote",
            "urgent": False,
            "name": "Ross Duncan",
            "company": "Duncan Property Management",
            "callback": "+441632960771",
        },
    },
    {
        "id": "k28",
        "caller_id": "+447700900999",
        "turns": ["hi could you tell me your opening hours over easter", "", "that's all thanks"],
        "expect": {
            "category": "info",
            "urgent": False,
            "name": None,
            "company": None,
            "callback": "+447700900999",
        },
    },
    {
        "id": "k29",
        "caller_id": "+447700900999",
        "turns": [
            "the invoice you sent has the wrong purchase order number on it",
            "tina marsh finance at oakwood college",
            "this number is fine",
        ],
        "expect": {
            "category": "billing",
            "urgent": False,
            "name": "Tina Marsh",
            "company": "Oakwood College",
            "callback": "+447700900999",
        },
    },
    {
        "id": "k30",
        "caller_id": "+447700900999",
        "turns": [
            "we had a power cut and now the chiller won't restart and we've got vaccines in the fridge",
            "dr helen shaw northfield surgery",
            "oh seven seven double oh nine hundred seven seven seven",
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Helen Shaw",
            "company": "Northfield Surgery",
            "callback": "+447700900777",
        },
    },
    {
        "id": "k31",
        "caller_id": "+447700900999",
        "turns": [
            "hello there's a slow drip from the radiator valve it's not a big deal",
            "arthur pike",
            "oh one six three two nine six oh four five six",
        ],
        "expect": {
            "category": "breakdown",
            "urgent": False,
            "name": "Arthur Pike",
            "company": None,
            "callback": "+441632960456",
        },
    },
    {
        "id": "k32",
        "caller_id": "+447700900999",
        "turns": [
            "hi i spoke to someone yesterday about a replacement motor has it been ordered",
            "kelly burns burns bakery",
            "on this number",
        ],
        "expect": {
            "category": "followup",
            "urgent": False,
            "name": "Kelly Burns",
            "company": "Burns Bakery",
            "callback": "+447700900999",
        },
    },
]


# Written later to probe generalisation (phrasings the rules had never seen: "de la part de",
# "bonjour madame X de ...", "à l'appareil", a cold room "à douze degrés"...).
FR_PROBE: list[dict[str, Any]] = [
    {
        "id": "g01",
        "caller_id": "+33478123456",
        "turns": [
            "allô oui bonjour on a une fuite d'huile énorme sur la presse hydraulique elle est arrêtée et toute l'équipe attend",
            "c'est patrick girard de la fonderie girard",
            "rappelez-moi sur ce numéro"
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Patrick Girard",
            "company": "Fonderie Girard",
            "callback": "+33478123456"
        }
    },
    {
        "id": "g02",
        "caller_id": None,
        "turns": [
            "bonjour je souhaiterais recevoir un devis pour le remplacement de notre pompe de relevage",
            "nathalie bonnet",
            "je suis chez transports bonnet et fils",
            "zéro quatre soixante-douze quinze quatre-vingt-dix-huit zéro trois"
        ],
        "expect": {
            "category": "quote",
            "urgent": False,
            "name": "Nathalie Bonnet",
            "company": "Transports Bonnet et Fils",
            "callback": "+33472159803"
        }
    },
    {
        "id": "g04",
        "caller_id": "+33320456789",
        "turns": [
            "bonjour j'appelle au sujet de la facture du mois dernier je crois qu'il y a une erreur sur le montant",
            "sophie marchand service comptabilité des établissements lenoir",
            "sur ce numéro c'est parfait"
        ],
        "expect": {
            "category": "billing",
            "urgent": False,
            "name": "Sophie Marchand",
            "company": "Établissements Lenoir",
            "callback": "+33320456789"
        }
    },
    {
        "id": "g05",
        "caller_id": "+33699887766",
        "turns": [
            "bonjour je vous appelle pour savoir si vous recrutez des techniciens de maintenance j'ai un bts",
            "thomas petit",
            "vous pouvez me joindre sur ce numéro"
        ],
        "expect": {
            "category": "job",
            "urgent": False,
            "name": "Thomas Petit",
            "company": None,
            "callback": "+33699887766"
        }
    },
    {
        "id": "g06",
        "caller_id": None,
        "turns": [
            "bonjour c'est pour décaler l'intervention prévue jeudi on ne sera pas là",
            "agnès fabre de la clinique saint-joseph",
            "zéro quatre quatre-vingt-onze vingt-deux trente-trois quarante-quatre"
        ],
        "expect": {
            "category": "appointment",
            "urgent": False,
            "name": "Agnès Fabre",
            "company": "Clinique Saint-Joseph",
            "callback": "+33491223344"
        }
    },
    {
        "id": "g07",
        "caller_id": "+33240112233",
        "turns": [
            "bonjour votre technicien est passé hier sur notre groupe froid je voulais savoir où en est la commande de la pièce",
            "laurent garnier société frigo ouest",
            "oui"
        ],
        "expect": {
            "category": "followup",
            "urgent": False,
            "name": "Laurent Garnier",
            "company": "Frigo Ouest",
            "callback": "+33240112233"
        }
    },
    {
        "id": "g08",
        "caller_id": "+33556778899",
        "turns": [
            "bonjour je suis commercial chez outillage pro et je voulais vous présenter notre nouvelle gamme de clés dynamométriques",
            "julien masson",
            "ce numéro"
        ],
        "expect": {
            "category": "sales",
            "urgent": False,
            "name": "Julien Masson",
            "company": "Outillage Pro",
            "callback": "+33556778899"
        }
    },
    {
        "id": "g09",
        "caller_id": "+33387654321",
        "turns": [
            "bonjour quels sont vos horaires d'ouverture le samedi",
            "non c'est tout merci"
        ],
        "expect": {
            "category": "info",
            "urgent": False,
            "name": None,
            "company": None,
            "callback": "+33387654321"
        }
    },
    {
        "id": "g10",
        "caller_id": "+33612987654",
        "turns": [
            "oui allô la ligne d'embouteillage est complètement bloquée plus rien ne sort c'est une catastrophe",
            "rené collin brasserie collin",
            "c'est ça"
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "René Collin",
            "company": "Brasserie Collin",
            "callback": "+33612987654"
        }
    },
    {
        "id": "g11",
        "caller_id": None,
        "turns": [
            "bonjour le compresseur fait un bruit bizarre mais il tourne encore ce n'est pas pressé",
            "hélène mercier je travaille chez plasturgie mercier",
            "zéro cinq cinquante-six trente et un vingt et un onze"
        ],
        "expect": {
            "category": "breakdown",
            "urgent": False,
            "name": "Hélène Mercier",
            "company": "Plasturgie Mercier",
            "callback": "+33556312111"
        }
    },
    {
        "id": "g12",
        "caller_id": "+33145001122",
        "turns": [
            "bonjour je voudrais un rendez-vous pour la visite de maintenance préventive de nos climatiseurs",
            "de la part de monsieur leroy du cabinet leroy associés",
            "oui ce numéro"
        ],
        "expect": {
            "category": "appointment",
            "urgent": False,
            "name": "Leroy",
            "company": "Cabinet Leroy Associés",
            "callback": "+33145001122"
        }
    },
    {
        "id": "g13",
        "caller_id": "+33612003004",
        "turns": [
            "bonjour c'est urgent le transformateur a pris feu l'atelier est évacué",
            "david morel scierie morel",
            "oui"
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "David Morel",
            "company": "Scierie Morel",
            "callback": "+33612003004"
        }
    },
    {
        "id": "g14",
        "caller_id": None,
        "turns": [
            "bonjour est-ce que vous intervenez dans le secteur de villefranche",
            "non merci c'est tout",
            "pas besoin de me rappeler"
        ],
        "expect": {
            "category": "info",
            "urgent": False,
            "name": None,
            "company": None,
            "callback": None
        }
    },
    {
        "id": "g15",
        "caller_id": "+33472001122",
        "turns": [
            "bonjour c'est caroline de la boulangerie dumas le four est en panne on ne peut plus cuire le pain pour ce matin",
            "caroline dumas",
            "oui rappelez-moi vite"
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Caroline Dumas",
            "company": "Boulangerie Dumas",
            "callback": "+33472001122"
        }
    },
    {
        "id": "g16",
        "caller_id": "+33298765432",
        "turns": [
            "bonjour j'ai reçu un avoir mais le paiement n'a pas été remboursé",
            "pierre guillot sarl guillot maçonnerie",
            "oui"
        ],
        "expect": {
            "category": "billing",
            "urgent": False,
            "name": "Pierre Guillot",
            "company": "SARL Guillot Maçonnerie",
            "callback": "+33298765432"
        }
    },
    {
        "id": "g17",
        "caller_id": "+33600000001",
        "turns": [
            "bonjour je rappelle pour le dossier de la semaine dernière vous deviez me recontacter",
            "isabelle renaud",
            "de la mairie de saint-priest",
            "non plutôt au zéro quatre soixante-dix-huit vingt et un zéro cent"
        ],
        "expect": {
            "category": "followup",
            "urgent": False,
            "name": "Isabelle Renaud",
            "company": "Mairie de Saint-Priest",
            "callback": "+33478210100"
        }
    },
    {
        "id": "g18",
        "caller_id": "+33612121212",
        "turns": [
            "bonjour la porte sectionnelle du quai de chargement est coincée ouverte on ne peut plus fermer l'entrepôt",
            "gilles brun logistique brun",
            "oui"
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Gilles Brun",
            "company": "Logistique Brun",
            "callback": "+33612121212"
        }
    },
    {
        "id": "g21",
        "caller_id": "+33611111111",
        "turns": [
            "jean-pierre lambert à l'appareil de la menuiserie lambert notre scie à ruban vient de casser et on a une commande à livrer ce soir",
            "oui ce numéro"
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Jean-Pierre Lambert",
            "company": "Menuiserie Lambert",
            "callback": "+33611111111"
        }
    },
    {
        "id": "g22",
        "caller_id": None,
        "turns": [
            "bonjour madame perret de la résidence les glycines l'ascenseur est bloqué entre deux étages avec une personne dedans",
            "zéro quatre soixante-seize zéro neuf douze treize"
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Perret",
            "company": "Résidence les Glycines",
            "callback": "+33476091213"
        }
    },
    {
        "id": "g23",
        "caller_id": "+33322334455",
        "turns": [
            "bonjour ça peut attendre la semaine prochaine mais on aimerait faire vérifier notre groupe électrogène",
            "yves barbier",
            "sas barbier énergie",
            "oui"
        ],
        "expect": {
            "category": "appointment",
            "urgent": False,
            "name": "Yves Barbier",
            "company": "SAS Barbier Énergie",
            "callback": "+33322334455"
        }
    },
    {
        "id": "g24",
        "caller_id": "+33677889900",
        "turns": [
            "bonjour je m'appelle claire vasseur je suis responsable achats chez agroalimentaire du nord et je voudrais un chiffrage pour trois moteurs",
            "oui c'est mon portable"
        ],
        "expect": {
            "category": "quote",
            "urgent": False,
            "name": "Claire Vasseur",
            "company": "Agroalimentaire du Nord",
            "callback": "+33677889900"
        }
    },
    {
        "id": "g25",
        "caller_id": "+33144556677",
        "turns": [
            "bonjour rien d'urgent c'est juste pour savoir quand le technicien repasse pour finir le chantier",
            "paul hubert",
            "hôtel du parc",
            "oui"
        ],
        "expect": {
            "category": "followup",
            "urgent": False,
            "name": "Paul Hubert",
            "company": "Hôtel du Parc",
            "callback": "+33144556677"
        }
    },
    {
        "id": "g26",
        "caller_id": "+33688776655",
        "turns": [
            "allô bonjour la chambre froide est à douze degrés on va perdre toute la marchandise",
            "martin leclerc restaurant le relais",
            "oui oui"
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Martin Leclerc",
            "company": "Restaurant le Relais",
            "callback": "+33688776655"
        }
    },
    {
        "id": "g27",
        "caller_id": None,
        "turns": [
            "bonjour je voudrais parler à quelqu'un pour une candidature spontanée",
            "lucas fontaine",
            "zéro six quatre-vingt-dix-neuf soixante-dix dix-sept zéro huit"
        ],
        "expect": {
            "category": "job",
            "urgent": False,
            "name": "Lucas Fontaine",
            "company": None,
            "callback": "+33699701708"
        }
    },
    {
        "id": "g28",
        "caller_id": "+33499887766",
        "turns": [
            "bonjour c'est au sujet d'un virement que nous vous avons fait deux fois",
            "odile simon de chez simon textile",
            "oui"
        ],
        "expect": {
            "category": "billing",
            "urgent": False,
            "name": "Odile Simon",
            "company": "Simon Textile",
            "callback": "+33499887766"
        }
    },
    {
        "id": "g29",
        "caller_id": "+33611990088",
        "turns": [
            "bonjour quels sont vos tarifs pour une intervention le week-end",
            "merci au revoir"
        ],
        "expect": {
            "category": "info",
            "urgent": False,
            "name": None,
            "company": None,
            "callback": "+33611990088"
        }
    },
    {
        "id": "g30",
        "caller_id": "+33622334455",
        "turns": [
            "bonjour on a une odeur de gaz dans la chaufferie",
            "sébastien noël du lycée jules verne",
            "oui"
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Sébastien Noël",
            "company": "Lycée Jules Verne",
            "callback": "+33622334455"
        }
    },
    {
        "id": "g31",
        "caller_id": "+33633445566",
        "turns": [
            "bonjour la climatisation de la salle serveur est tombée en panne la température monte vite",
            "émilie carré informatique carré",
            "oui"
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Émilie Carré",
            "company": "Informatique Carré",
            "callback": "+33633445566"
        }
    },
    {
        "id": "g32",
        "caller_id": "+33644556677",
        "turns": [
            "bonjour un petit robinet qui goutte dans les vestiaires quand vous aurez le temps",
            "franck meunier",
            "garage meunier",
            "ce numéro oui"
        ],
        "expect": {
            "category": "breakdown",
            "urgent": False,
            "name": "Franck Meunier",
            "company": "Garage Meunier",
            "callback": "+33644556677"
        }
    },
    {
        "id": "g33",
        "caller_id": None,
        "turns": [
            "bonjour je suis de la société novatech nous proposons des contrats de leasing pour vos véhicules",
            "non",
            "pas la peine de rappeler"
        ],
        "expect": {
            "category": "sales",
            "urgent": False,
            "name": None,
            "company": "Novatech",
            "callback": None
        }
    },
    {
        "id": "g34",
        "caller_id": "+33655667788",
        "turns": [
            "bonjour le tableau électrique a disjoncté et on n'a plus de courant dans tout le bâtiment",
            "alain robin mairie de vénissieux",
            "oui"
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Alain Robin",
            "company": "Mairie de Vénissieux",
            "callback": "+33655667788"
        }
    },
    {
        "id": "g41",
        "caller_id": None,
        "turns": [
            "oui bonjour c'est vincent aubert de la coopérative agricole du val notre séchoir à grain est en panne on a des camions qui attendent merci de me rappeler au zéro trois quatre-vingt-quatre douze zéro six soixante et onze"
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Vincent Aubert",
            "company": "Coopérative Agricole du Val",
            "callback": "+33384120671"
        }
    },
    {
        "id": "g42",
        "caller_id": "+33612345000",
        "turns": [
            "bonjour je voudrais savoir si vous faites l'entretien des portes automatiques et à quel prix",
            "non c'est tout",
            "oui"
        ],
        "expect": {
            "category": "info",
            "urgent": False,
            "name": None,
            "company": None,
            "callback": "+33612345000"
        }
    },
    {
        "id": "g43",
        "caller_id": "+33478000111",
        "turns": [
            "bonjour j'ai besoin d'un chiffrage pour la mise aux normes de notre local électrique",
            "marc dufour",
            "entreprise dufour bâtiment",
            "oui"
        ],
        "expect": {
            "category": "quote",
            "urgent": False,
            "name": "Marc Dufour",
            "company": "Entreprise Dufour Bâtiment",
            "callback": "+33478000111"
        }
    },
    {
        "id": "g44",
        "caller_id": "+33612000222",
        "turns": [
            "bonjour le portail de l'usine ne s'ouvre plus et les salariés ne peuvent pas entrer",
            "karine lemaire usinage lemaire",
            "oui"
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Karine Lemaire",
            "company": "Usinage Lemaire",
            "callback": "+33612000222"
        }
    },
    {
        "id": "g45",
        "caller_id": "+33320111222",
        "turns": [
            "bonjour je vous appelle de la part du syndic pour programmer le contrôle annuel de la chaufferie",
            "stéphanie roche",
            "syndic roche immobilier",
            "oui"
        ],
        "expect": {
            "category": "appointment",
            "urgent": False,
            "name": "Stéphanie Roche",
            "company": "Syndic Roche Immobilier",
            "callback": "+33320111222"
        }
    },
    {
        "id": "g46",
        "caller_id": None,
        "turns": [
            "bonjour c'est pour une relance vous deviez m'envoyer le rapport d'intervention",
            "olivier baron",
            "de la papeterie baron",
            "zéro deux quarante et un zéro zéro soixante quatre-vingts"
        ],
        "expect": {
            "category": "followup",
            "urgent": False,
            "name": "Olivier Baron",
            "company": "Papeterie Baron",
            "callback": "+33241006080"
        }
    },
    {
        "id": "g47",
        "caller_id": "+33655000333",
        "turns": [
            "bonjour l'alarme de la chambre froide sonne et elle affiche moins deux au lieu de moins dix-huit",
            "henri blanc",
            "supermarché blanc",
            "oui"
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Henri Blanc",
            "company": "Supermarché Blanc",
            "callback": "+33655000333"
        }
    },
    {
        "id": "g48",
        "caller_id": "+33612999888",
        "turns": [
            "bonjour je suis étudiant et je cherche un stage de six mois en maintenance industrielle",
            "hugo maréchal",
            "oui"
        ],
        "expect": {
            "category": "job",
            "urgent": False,
            "name": "Hugo Maréchal",
            "company": None,
            "callback": "+33612999888"
        }
    },
    {
        "id": "g49",
        "caller_id": "+33145999000",
        "turns": [
            "bonjour nous avons été prélevés deux fois pour le contrat de maintenance",
            "nadia benali cabinet dentaire benali",
            "oui"
        ],
        "expect": {
            "category": "billing",
            "urgent": False,
            "name": "Nadia Benali",
            "company": "Cabinet Dentaire Benali",
            "callback": "+33145999000"
        }
    },
    {
        "id": "g50",
        "caller_id": "+33699000111",
        "turns": [
            "bonjour le moteur du tapis roulant chauffe beaucoup mais ça tourne encore on peut attendre demain",
            "fabrice gauthier gauthier recyclage",
            "oui"
        ],
        "expect": {
            "category": "breakdown",
            "urgent": False,
            "name": "Fabrice Gauthier",
            "company": "Gauthier Recyclage",
            "callback": "+33699000111"
        }
    },
    {
        "id": "g51",
        "caller_id": "+33611000999",
        "turns": [
            "bonjour il y a de l'eau qui coule du plafond dans la salle informatique",
            "christine lebrun",
            "mutuelle lebrun",
            "oui"
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Christine Lebrun",
            "company": "Mutuelle Lebrun",
            "callback": "+33611000999"
        }
    },
    {
        "id": "g52",
        "caller_id": None,
        "turns": [
            "bonjour je suis fournisseur de pièces détachées et je voulais savoir qui s'occupe des achats chez vous",
            "romain vidal",
            "pièces industrielles vidal",
            "zéro six cinquante et un vingt-deux trente-trois quarante-quatre"
        ],
        "expect": {
            "category": "sales",
            "urgent": False,
            "name": "Romain Vidal",
            "company": "Pièces Industrielles Vidal",
            "callback": "+33651223344"
        }
    },
    {
        "id": "g53",
        "caller_id": "+33612777666",
        "turns": [
            "bonjour la chaudière s'est mise en sécurité dans l'école les enfants arrivent dans une heure",
            "monique faure mairie de bron",
            "oui"
        ],
        "expect": {
            "category": "breakdown",
            "urgent": True,
            "name": "Monique Faure",
            "company": "Mairie de Bron",
            "callback": "+33612777666"
        }
    },
    {
        "id": "g54",
        "caller_id": "+33612555444",
        "turns": [
            "bonjour est-ce que vous pourriez me donner votre adresse pour déposer un moteur",
            "merci c'est tout"
        ],
        "expect": {
            "category": "info",
            "urgent": False,
            "name": None,
            "company": None,
            "callback": "+33612555444"
        }
    }
]


# Written blind, for generalisation: eleven batches of French calls (50 p.., 50 q.., 60 r.., 50 s.., 50 t.., 60 u..,
# 50 v.., 60 w.., 60 x.., 60 y.., 60 z..), each by a writer who saw neither the rules nor any other call (only the categories, the urgency
# definition and the transcript style; t was asked for calls near the category and urgency boundaries, u for
# familiar and regional speech and jargon, v for an evaluation-set style, w for the hardest ways of giving a name
# and a company). Each batch's first run, with the fixes the earlier batches had led to (urgent recall / precision
# / category / name / company / callback, %): p 83/83/80/92/84/100, q 79/85/84/86/78/100, r 89/84/83/87/97/98,
# s 75/90/84/90/92/98, t 79/79/86/92/82/100, u 94/94/90/93/77/100, v 93/93/90/86/88/98, w 87/76/87/72/65/98,
# x 94/94/90/50/68/100 (x: callers who say who they are before the reason, the box's first question),
# y 88/78/93/98/87/98, z 94/77/95/97/92/100 (z: urgency told by its consequences, and varied company names).
# A last batch (60 a..), an evaluation set of every kind of call, was only measured, not used to change the rules
# (save two number-reading bugs it showed: a time after a number, "si je réponds pas"): first run
# 100/94/90/98/93/97, every target met; with those two fixes 100/94/90/98/93/100. The generic fixes they led to are in the rules and the
# entity extractor. Three q labels are judgement calls kept as written (q30 a credit note not received: billing
# or follow-up; q41 a bare "panne de chaudière": our rules, like the corpus, treat a breakdown as urgent unless
# softened; q48 a wrong number naming the office it wanted), and three u ones: u38 (a forgotten toolbox: a
# follow-up here, "other" in our own h31), u02 (the recogniser wrote "et pade" for EHPAD), u57.
FR_BLIND: list[dict[str, Any]] = [
    json.loads(line) for line in (Path(__file__).with_name("fr_blind.jsonl")).read_text(encoding="utf-8").splitlines()
    if line.strip()]
