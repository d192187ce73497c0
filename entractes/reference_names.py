"""English labels and plurals of the initial reference lists, by model and slug, as
(English label, French plural, English plural); written into the lists by migrations.
Administrators edit them like the labels."""

NAMES: dict[str, dict[str, tuple[str, str, str]]] = {
    "contacts.language": {
        "fr": ("French", "", ""),
        "en": ("English", "", ""),
        "ro": ("Romanian", "", ""),
        "bg": ("Bulgarian", "", ""),
        "es": ("Spanish", "", ""),
        "pt": ("Portuguese", "", ""),
        "ar": ("Arabic", "", ""),
        "pcm": ("Nigerian Pidgin", "", ""),
        "zh": ("Chinese", "", ""),
        "ru": ("Russian", "", ""),
        "uk": ("Ukrainian", "", ""),
        "sq": ("Albanian", "", ""),
    },
    "contacts.product": {
        "alcohol": ("Alcohol", "", ""),
        "cannabis": ("Cannabis", "", ""),
        "cocaine": ("Cocaine", "", ""),
        "crack": ("Crack (base cocaine)", "", ""),
        "nitrous_oxide": ("Nitrous oxide", "", ""),
        "heroin": ("Heroin", "", ""),
        "mdma": ("MDMA / ecstasy", "", ""),
        "opioid_substitution": ("Opioid substitution treatment", "", ""),
        "benzodiazepines": ("Benzodiazepines", "", ""),
        "amphetamines": ("Amphetamines", "", ""),
        "cathinones": ("Cathinones", "", ""),
        "other": ("Other", "", ""),
        "tobacco": ("Tobacco", "", ""),
    },
    "contacts.prostitutionmode": {
        "street": ("Street", "", ""),
        "internet": ("Internet (ad sites)", "", ""),
        "social_networks": ("Social networks", "", ""),
        "bars_abroad": ("Bars abroad", "", ""),
    },
    "contacts.zone": {
        "vieux_lille": ("Vieux Lille", "", ""),
        "station": ("Station district", "", ""),
        "city_centre": ("City centre", "", ""),
        "saint_sauveur": ("Friche Saint-Sauveur", "", ""),
        "lille_sud": ("Lille Sud", "", ""),
        "parc_matisse": ("Parc Matisse", "", ""),
        "departement": ("Elsewhere in the département", "", ""),
    },
    "contacts.channel": {
        "mobile_unit": ("Mobile unit", "", ""),
        "street": ("Street (on foot)", "", ""),
        "drop_in": ("Drop-in", "", ""),
        "phone": ("Phone", "", ""),
        "home_visit": ("Home visit", "", ""),
        "partner_premises": ("At a partner's", "", ""),
        "post": ("Post", "", ""),
        "ad_site": ("Ad site", "", ""),
    },
    "contacts.material": {
        "male_condom": ("Male condom", "Préservatifs masculins", "Male condoms"),
        "lubricant_gel": ("Lubricant gel", "Gels lubrifiants", "Lubricant gels"),
        "internal_condom": ("Internal condom", "Préservatifs internes", "Internal condoms"),
        "disinfectant_wipe": (
            "Disinfectant wipe",
            "Lingettes désinfectantes",
            "Disinfectant wipes",
        ),
        "intimate_wipe": ("Intimate wipe", "Lingettes intimes", "Intimate wipes"),
        "hiv_selftest": ("HIV self-test", "Autotests VIH", "HIV self-tests"),
        "pregnancy_test": ("Pregnancy test", "Tests de grossesse", "Pregnancy tests"),
        "crack_pipe": ("Crack pipe", "Pipes à crack", "Crack pipes"),
        "crack_grid": ("Gauze screen", "Grilles", "Gauze screens"),
        "mouthpiece": ("Mouthpiece", "Embouts", "Mouthpieces"),
        "foil": ("Aluminium foil sheet", "Feuilles d'aluminium", "Aluminium foil sheets"),
        "syringe": ("Syringe", "Seringues", "Syringes"),
        "injection_kit": ("Injection kit", "Kits d'injection", "Injection kits"),
        "sniff_kit": ("Snorting kit", "Kits sniff", "Snorting kits"),
        "sterile_water": ("Sterile water", "Doses d'eau stérile", "Sterile water doses"),
        "naloxone": ("Naloxone", "Doses de naloxone", "Naloxone doses"),
    },
    "contacts.theme": {
        "harm_reduction": ("Harm reduction", "", ""),
        "health": ("Health", "", ""),
        "hygiene_food": ("Hygiene and food", "", ""),
        "parenthood_family": ("Parenthood and family", "", ""),
        "training": ("Training", "", ""),
        "rights": ("Access to common law rights", "", ""),
        "legal": ("Law", "", ""),
        "money": ("Money", "", ""),
        "housing": ("Housing", "", ""),
        "violence": ("Violence", "", ""),
        "care": ("Care", "", ""),
    },
    "contacts.service": {
        "snack_meal": ("Snack or meal", "Collations ou repas", "Snacks or meals"),
        "shower": ("Shower", "Douches", "Showers"),
        "clothing": ("Clothes bank", "Passages au vestiaire", "Clothes bank visits"),
        "laundry": ("Laundry", "Lessives", "Laundry loads"),
        "rest": ("Rest", "Temps de repos", "Rests"),
        "phone_computer": ("Phone or computer", "Téléphone ou ordinateur", "Phone or computer"),
        "food_parcel": ("Food parcel", "Colis alimentaires", "Food parcels"),
    },
    "contacts.adsite": {"other_site": ("Other site", "", "")},
    "contacts.mediationtheme": {
        "noise": ("Noise", "", ""),
        "cleanliness": ("Cleanliness / hygiene", "", ""),
        "violence": ("Violence, conflicts, assaults", "", ""),
        "visibility": ("Visibility of prostitution", "", ""),
        "codes": ("“Codes” of prostitution", "", ""),
        "other": ("Other", "", ""),
    },
    "health.serviceline": {
        "nurse": ("Nurse", "", ""),
        "doctor": ("Addiction doctor", "", ""),
        "midwife": ("Midwife", "", ""),
        "fibroscan": ("Fibroscan (CSAPA)", "", ""),
        "socio_esthetics": ("Socio-aesthetics", "", ""),
        "health_insurance_desk": ("Health insurance (CPAM) desk", "", ""),
        "osteopathy": ("Osteopathy", "", ""),
        "massage": ("Massage", "", ""),
        "sophrology": ("Sophrology", "", ""),
    },
    "health.act": {
        "trod_hiv": ("HIV rapid test", "", ""),
        "trod_hcv": ("HCV rapid test", "", ""),
        "trod_syphilis": ("Syphilis rapid test", "", ""),
        "lab_screening": ("Referral for laboratory screening", "", ""),
        "cervical_smear": ("Cervical smear", "", ""),
        "vaccination": ("Vaccination", "", ""),
        "fibroscan_exam": ("Fibroscan examination", "", ""),
        "wound_care": ("Wound care", "", ""),
        "pregnancy_test": ("Pregnancy test", "", ""),
        "contraception": ("Contraception", "", ""),
        "gynaecological_exam": ("Gynaecological examination", "", ""),
        "prescription_renewal": ("Prescription renewal", "", ""),
        "specialist_referral": ("Referral to a specialist", "", ""),
        "mammography_appointment": ("Mammography appointment", "", ""),
        "rights_interview": ("Interview to open rights", "", ""),
        "wellbeing_care": ("Well-being care", "", ""),
    },
    "rights.proceduretheme": {
        "social_benefits": ("Social benefits (RSA, AME…)", "", ""),
        "health_cover": ("Health cover", "", ""),
        "housing": ("Housing, shelter", "", ""),
        "justice": ("Justice", "", ""),
        "residence_permit": ("Residence permit", "", ""),
        "employment_training": ("Employment and training", "", ""),
        "violence": ("Violence", "", ""),
        "banking": ("Banking", "", ""),
        "other": ("Other", "", ""),
    },
    "rights.pspdocumentkind": {
        "passport": ("Passport", "", ""),
        "birth_certificate": ("Birth certificate", "", ""),
        "proof_of_address": ("Proof of address", "", ""),
        "french_classes": ("Enrolment in French classes", "", ""),
        "commitment_letter": ("Letter of commitment", "", ""),
        "social_report": ("The association's social report", "", ""),
        "photos": ("Identity photos", "", ""),
    },
}


def fill(app_label: str):
    """A migration operation's function: write the names of ``app_label``'s lists
    where they are still blank (an administrator's own names are kept)."""

    def run(apps, schema_editor):
        for model_label, items in NAMES.items():
            app, model_name = model_label.split(".")
            if app != app_label:
                continue
            model = apps.get_model(app, model_name)
            for slug, (english, plural, plural_en) in items.items():
                item = model.objects.filter(slug=slug).first()
                if item is None:
                    continue
                item.label_en = item.label_en or english
                item.plural = item.plural or plural
                item.plural_en = item.plural_en or plural_en
                item.save(update_fields=["label_en", "plural", "plural_en"])

    return run
