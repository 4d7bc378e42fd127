//! The national vocabularies the profile speaks (see `shared/reference/vocabulaires.md`).
//! Values are exact strings: a mediator copies them into La Coop de la médiation numérique, and
//! orientation matches them against the national standard of digital inclusion places.

/// La Coop: autonomy levels of a CRA (1–3 stars).
pub const COOP_AUTONOMIE: &[&str] = &[
    "entierement_accompagne",
    "partiellement_autonome",
    "autonome",
];

/// La Coop: thematiques (digital, then administrative procedures).
pub const COOP_THEMATIQUES: &[&str] = &[
    "diagnostic_numerique",
    "prendre_en_main_du_materiel",
    "maintenance_de_materiel",
    "gere_ses_contenus_numeriques",
    "navigation_sur_internet",
    "email",
    "bureautique",
    "reseaux_sociaux",
    "sante",
    "banque_et_achats_en_ligne",
    "entrepreneuriat",
    "insertion_professionnelle",
    "securite_numerique",
    "parentalite",
    "scolarite_et_numerique",
    "creer_avec_le_numerique",
    "culture_numerique",
    "intelligence_artificielle",
    "aide_aux_demarches_administratives",
    "papiers_elections_citoyennete",
    "famille_scolarite",
    "social_sante",
    "travail_formation",
    "logement",
    "transports_mobilite",
    "argent_impots",
    "justice",
    "etrangers_europe",
    "loisirs_sports_culture",
    "associations",
];

/// La Coop: materiel.
pub const COOP_MATERIEL: &[&str] = &["ordinateur", "telephone", "tablette", "autre", "aucun"];
/// La Coop: trancheAge.
pub const COOP_TRANCHE_AGE: &[&str] = &[
    "moins_de_douze",
    "douze_dix_huit",
    "dix_huit_vingt_quatre",
    "vingt_cinq_trente_neuf",
    "quarante_cinquante_neuf",
    "soixante_soixante_neuf",
    "soixante_dix_plus",
    "non_communique",
];
/// La Coop: genre.
pub const COOP_GENRE: &[&str] = &["masculin", "feminin", "non_communique"];
/// La Coop: niveau of a collective workshop.
pub const COOP_NIVEAU: &[&str] = &["debutant", "intermediaire", "avance"];

/// Places standard v1.0.2: services.
pub const STD_SERVICES: &[&str] = &[
    "Aide aux démarches administratives",
    "Maîtrise des outils numériques du quotidien",
    "Insertion professionnelle via le numérique",
    "Utilisation sécurisée du numérique",
    "Parentalité et éducation avec le numérique",
    "Loisirs et créations numériques",
    "Compréhension du monde numérique",
    "Accès internet et matériel informatique",
    "Acquisition de matériel informatique à prix solidaire",
];

/// Places standard v1.0.2: prise_en_charge_specifique.
pub const STD_PRISE_EN_CHARGE: &[&str] = &[
    "Surdité",
    "Handicaps moteurs",
    "Handicaps mentaux",
    "Illettrisme",
    "Langues étrangères (anglais)",
    "Langues étrangères (autres)",
    "Déficience visuelle",
];

/// Places standard v1.0.2: modalites_accompagnement.
pub const STD_MODALITES: &[&str] = &[
    "En autonomie",
    "Accompagnement individuel",
    "Dans un atelier collectif",
    "À distance",
];

/// The Coop "type d'accompagnement" matching a places-standard modalité, if any.
pub fn coop_type_accompagnement(modalite: &str) -> Option<&'static str> {
    match modalite {
        "Accompagnement individuel" => Some("individuel"),
        "Dans un atelier collectif" => Some("collectif"),
        _ => None,
    }
}

/// Kiosk contexts: the deck's "profil du questionnant" (set in kiosk.toml, never asked).
pub const CONTEXTS: &[&str] = &[
    "file_attente",
    "accueil_individuel",
    "accueil_collectif",
    "autre",
];

/// Passerelle's own flags (a mediator acts on them). Their labels are in the profile rules; the
/// list is fixed because the QR payload carries them as indices.
pub const FLAGS: &[&str] = &[
    "sans_equipement",
    "sans_internet",
    "sans_email",
    "fait_a_sa_place",
    "mauvaise_experience",
    "peu_motive",
];
