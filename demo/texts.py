"""Short narrative blocks written for the demo (invented, not taken from any report)."""

from reporting.models import NarrativeBlock

BLOCKS = [
    (
        "editorial",
        "",
        "",
        "Cette année encore, l'équipe est allée à la rencontre des personnes là où elles sont : "
        "dans la rue, la nuit, au local et sur les réseaux.\n\nLes chiffres qui suivent sont calculés à partir des "
        "saisies de l'équipe. Ils disent une activité **en hausse** et un public de plus en plus précaire.",
        "La direction du service",
    ),
    (
        "presentation",
        "presentation",
        "Nos principes",
        "- Libre adhésion\n- Non-jugement\n- Anonymat\n- Travail en partenariat",
        "",
    ),
    (
        "focus",
        "activity",
        "Un accueil du matin",
        "Un nouvel accueil le mercredi matin offre un temps calme : "
        "collation, douche, vestiaire et écoute.",
        "",
    ),
    (
        "case_note",
        "health",
        "Un dépistage après un premier message",
        "Contactée en ligne, une jeune femme est venue au "
        "local quelques jours plus tard pour un dépistage et une première consultation.",
        "L'infirmière du service",
    ),
    (
        "case_note",
        "rights",
        "Un parcours de sortie accordé après réexamen",
        "Un premier avis défavorable, fondé sur "
        "une erreur d'identité, a été réexaminé : le parcours a pu commencer.",
        "L'éducatrice référente",
    ),
    (
        "focus",
        "minors",
        "Le partenariat avec la protection de l'enfance",
        "Les échanges avec les référent·es ont permis de rencontrer plusieurs jeunes signalé·es.",
        "",
    ),
    (
        "quality_plan",
        "quality",
        "",
        "| Domaine | Réalisé |\n|---|---|\n| Droits des personnes | Recueil de "
        "l'expression des usager·es en ligne |\n| Santé | Développement des maraudes numériques |",
        "",
    ),
    (
        "outlook",
        "",
        "",
        "Poursuivre l'aller-vers numérique, consolider les accueils du matin et diversifier l'offre "
        "de formation.",
        "",
    ),
]


def narrative(year: int, author) -> None:
    NarrativeBlock.objects.bulk_create(
        NarrativeBlock(
            year=year,
            kind=kind,
            part=part,
            title=title,
            body=body,
            signature=signature,
            position=index,
            updated_by=author,
        )
        for index, (kind, part, title, body, signature) in enumerate(BLOCKS)
    )
