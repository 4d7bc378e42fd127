//! The national vocabularies the profile speaks (see `shared/reference/vocabulaires.md`).
//! Values are exact strings: a mediator copies them into La Coop de la médiation numérique, and
//! orientation matches them against the national standard of digital inclusion places.

/// La Coop: autonomy levels of a CRA (1–3 stars).
pub const COOP_AUTONOMIE: &[&str] = &["entierement_accompagne", "partiellement_autonome", "autonome"];

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
pub const STD_PRISE_EN_CHARGE: &[&str] =
    &["Surdité", "Handicaps moteurs", "Handicaps mentaux", "Illettrisme", "Langues étrangères (anglais)", "Langues étrangères (autres)", "Déficience visuelle"];

/// Places standard v1.0.2: modalites_accompagnement.
pub const STD_MODALITES: &[&str] = &["En autonomie", "Accompagnement individuel", "Dans un atelier collectif", "À distance"];

/// The Coop "type d'accompagnement" matching a places-standard modalité, if any.
pub fn coop_type_accompagnement(modalite: &str) -> Option<&'static str> {
    match modalite {
        "Accompagnement individuel" => Some("individuel"),
        "Dans un atelier collectif" => Some("collectif"),
        _ => None,
    }
}

/// Kiosk contexts: the deck's "profil du questionnant" (set in kiosk.toml, never asked).
pub const CONTEXTS: &[&str] = &["file_attente", "accueil_individuel", "accueil_collectif", "autre"];

/// Passerelle's own flags (a mediator acts on them). Their labels are in the profile rules; the
/// list is fixed because the QR payload carries them as indices.
pub const FLAGS: &[&str] = &["sans_equipement", "sans_internet", "sans_email", "fait_a_sa_place", "mauvaise_experience", "peu_motive"];

/// French and English labels of the vocabulary values, for people (the mediator's view, the
/// ticket). Values of the places standard are already French words.
pub fn label(value: &str, lang: &str) -> String {
    let (fr, en) = match value {
        "entierement_accompagne" => ("Avec guidage (entièrement accompagné)", "Needs guidance (fully supported)"),
        "partiellement_autonome" => ("Autonome avec guidage en cas de besoin", "Autonomous with guidance when needed"),
        "autonome" => ("Autonome", "Autonomous"),
        "individuel" => ("Accompagnement individuel", "One-to-one support"),
        "collectif" => ("Atelier collectif", "Group workshop"),
        "debutant" => ("débutant", "beginner"),
        "intermediaire" => ("intermédiaire", "intermediate"),
        "avance" => ("avancé", "advanced"),
        "ordinateur" => ("Ordinateur", "Computer"),
        "telephone" => ("Téléphone", "Phone"),
        "tablette" => ("Tablette", "Tablet"),
        "aucun" => ("Pas de matériel", "No device"),
        "moins_de_douze" => ("Moins de 12 ans", "Under 12"),
        "douze_dix_huit" => ("12 - 17 ans", "12 - 17"),
        "dix_huit_vingt_quatre" => ("18 - 24 ans", "18 - 24"),
        "vingt_cinq_trente_neuf" => ("25 - 39 ans", "25 - 39"),
        "quarante_cinquante_neuf" => ("40 - 59 ans", "40 - 59"),
        "soixante_soixante_neuf" => ("60 - 69 ans", "60 - 69"),
        "soixante_dix_plus" => ("70 ans et plus", "70 and over"),
        "masculin" => ("Masculin", "Male"),
        "feminin" => ("Féminin", "Female"),
        "non_communique" => ("Non communiqué", "Not given"),
        "diagnostic_numerique" => ("Diagnostic numérique", "Digital skills assessment"),
        "prendre_en_main_du_materiel" => ("Prendre en main du matériel", "Getting to grips with a device"),
        "maintenance_de_materiel" => ("Maintenance de matériel", "Device maintenance"),
        "gere_ses_contenus_numeriques" => ("Gérer ses contenus numériques", "Managing digital content"),
        "navigation_sur_internet" => ("Naviguer sur Internet", "Browsing the Internet"),
        "email" => ("E-mail", "E-mail"),
        "bureautique" => ("Bureautique", "Office software"),
        "reseaux_sociaux" => ("Réseaux sociaux", "Social media"),
        "sante" => ("Santé", "Health"),
        "banque_et_achats_en_ligne" => ("Banque et achats en ligne", "Online banking and shopping"),
        "entrepreneuriat" => ("Entrepreneuriat", "Entrepreneurship"),
        "insertion_professionnelle" => ("Insertion professionnelle", "Finding work"),
        "securite_numerique" => ("Sécurité numérique", "Digital security"),
        "parentalite" => ("Parentalité", "Parenting"),
        "scolarite_et_numerique" => ("Scolarité et numérique", "School and digital"),
        "creer_avec_le_numerique" => ("Créer avec le numérique", "Creating with digital tools"),
        "culture_numerique" => ("Culture numérique", "Digital culture"),
        "intelligence_artificielle" => ("Intelligence artificielle", "Artificial intelligence"),
        "aide_aux_demarches_administratives" => ("Aide aux démarches administratives", "Help with official procedures"),
        "papiers_elections_citoyennete" => ("Papiers, élections, citoyenneté", "Papers, elections, citizenship"),
        "famille_scolarite" => ("Famille, scolarité", "Family, school"),
        "social_sante" => ("Social, santé", "Social, health"),
        "travail_formation" => ("Travail, formation", "Work, training"),
        "logement" => ("Logement", "Housing"),
        "transports_mobilite" => ("Transports, mobilité", "Transport, mobility"),
        "argent_impots" => ("Argent, impôts", "Money, taxes"),
        "justice" => ("Justice", "Justice"),
        "etrangers_europe" => ("Étrangers, Europe", "Foreigners, Europe"),
        "loisirs_sports_culture" => ("Loisirs, sports, culture", "Leisure, sports, culture"),
        "associations" => ("Associations", "Associations"),
        other => (other, other),
    };
    if lang == "fr" { fr.to_string() } else { en.to_string() }
}

/// Stars of an autonomy level, as a CRA shows them (1 to 3).
pub fn stars(autonomie: &str) -> &'static str {
    match autonomie {
        "entierement_accompagne" => "★☆☆",
        "partiellement_autonome" => "★★☆",
        "autonome" => "★★★",
        _ => "☆☆☆",
    }
}
