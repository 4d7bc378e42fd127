//! Passerelle's vocabulary ids (`passerelle_core::vocab`, snake_case, as the profile and the QR
//! code carry them) → La Coop's enum values. Explicit tables, each row checked against La Coop's
//! source: no spelling conversion, so a value La Coop does not have cannot slip through. A
//! Passerelle id with no honest La Coop equivalent is in [`LEFT_OUT`] with the reason.
//! `tests/coop_enums_fixture.rs` checks that every id of Passerelle's vocabularies is either
//! mapped or left out, and that every target is in La Coop's enums.

use crate::coop_enums::{Autonomie, Genre, Materiel, Thematique, TrancheAge};

/// `tranche_age` → `beneficiaire.trancheAge`.
pub const TRANCHE_AGE: &[(&str, TrancheAge)] = &[
    ("moins_de_douze", TrancheAge::MoinsDeDouze),
    ("douze_dix_huit", TrancheAge::DouzeDixHuit),
    ("dix_huit_vingt_quatre", TrancheAge::DixHuitVingtQuatre),
    ("vingt_cinq_trente_neuf", TrancheAge::VingtCinqTrenteNeuf),
    ("quarante_cinquante_neuf", TrancheAge::QuaranteCinquanteNeuf),
    ("soixante_soixante_neuf", TrancheAge::SoixanteSoixanteNeuf),
    ("soixante_dix_plus", TrancheAge::SoixanteDixPlus),
    ("non_communique", TrancheAge::NonCommunique),
];

/// `genre` → `beneficiaire.genre` (Passerelle's "Autre, ou je préfère ne pas dire" is already
/// `non_communique` in the profile).
pub const GENRE: &[(&str, Genre)] = &[("masculin", Genre::Masculin), ("feminin", Genre::Feminin), ("non_communique", Genre::NonCommunique)];

/// `thematiques` → `thematiques` (same 30 themes on both sides).
pub const THEMATIQUES: &[(&str, Thematique)] = &[
    ("diagnostic_numerique", Thematique::DiagnosticNumerique),
    ("prendre_en_main_du_materiel", Thematique::PrendreEnMainDuMateriel),
    ("maintenance_de_materiel", Thematique::MaintenanceDeMateriel),
    ("gere_ses_contenus_numeriques", Thematique::GereSesContenusNumeriques),
    ("navigation_sur_internet", Thematique::NavigationSurInternet),
    ("email", Thematique::Email),
    ("bureautique", Thematique::Bureautique),
    ("reseaux_sociaux", Thematique::ReseauxSociaux),
    ("sante", Thematique::Sante),
    ("banque_et_achats_en_ligne", Thematique::BanqueEtAchatsEnLigne),
    ("entrepreneuriat", Thematique::Entrepreneuriat),
    ("insertion_professionnelle", Thematique::InsertionProfessionnelle),
    ("securite_numerique", Thematique::SecuriteNumerique),
    ("parentalite", Thematique::Parentalite),
    ("scolarite_et_numerique", Thematique::ScolariteEtNumerique),
    ("creer_avec_le_numerique", Thematique::CreerAvecLeNumerique),
    ("culture_numerique", Thematique::CultureNumerique),
    ("intelligence_artificielle", Thematique::IntelligenceArtificielle),
    ("aide_aux_demarches_administratives", Thematique::AideAuxDemarchesAdministratives),
    ("papiers_elections_citoyennete", Thematique::PapiersElectionsCitoyennete),
    ("famille_scolarite", Thematique::FamilleScolarite),
    ("social_sante", Thematique::SocialSante),
    ("travail_formation", Thematique::TravailFormation),
    ("logement", Thematique::Logement),
    ("transports_mobilite", Thematique::TransportsMobilite),
    ("argent_impots", Thematique::ArgentImpots),
    ("justice", Thematique::Justice),
    ("etrangers_europe", Thematique::EtrangersEurope),
    ("loisirs_sports_culture", Thematique::LoisirsSportsCulture),
    ("associations", Thematique::Associations),
];

/// `autonomie` → `autonomie`.
pub const AUTONOMIE: &[(&str, Autonomie)] = &[
    ("entierement_accompagne", Autonomie::EntierementAccompagne),
    ("partiellement_autonome", Autonomie::PartiellementAutonome),
    ("autonome", Autonomie::Autonome),
];

/// `materiel` (the visitor's main device, from "Quel appareil utilisez-vous le plus ?") →
/// `materiel` (the device used during the session): offered as a suggestion only, the mediator
/// ticks it if that device was the one used. `aucun` is left out ([`LEFT_OUT`]).
pub const MATERIEL: &[(&str, Materiel)] =
    &[("ordinateur", Materiel::Ordinateur), ("telephone", Materiel::Telephone), ("tablette", Materiel::Tablette), ("autre", Materiel::Autre)];

/// A Passerelle vocabulary id that has no La Coop equivalent: never sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeftOut {
    /// Passerelle's profile field.
    pub field: &'static str,
    /// Passerelle's id.
    pub passerelle: &'static str,
    /// Why, in French (shown to the mediator).
    pub why: &'static str,
}

/// The ids of the mapped vocabularies that are left out.
pub const LEFT_OUT: &[LeftOut] = &[LeftOut {
    field: "materiel",
    passerelle: "aucun",
    why: "La personne n'a pas d'appareil : cela ne dit pas quel matériel a servi pendant l'accompagnement (« Pas de matériel » dans La Coop).",
}];

/// Passerelle's profile fields that have no place in La Coop's individual CRA: never sent
/// (`tests/coop_enums_fixture.rs` checks that every field of the profile is here or in
/// [`FIELDS_SENT`]).
pub const FIELDS_NOT_SENT: &[(&str, &str)] = &[
    ("niveau", "niveau of a collective workshop (CRA collectif only)"),
    ("type_accompagnement", "chooses which CRA form to open (this link opens the individual one)"),
    ("services", "places standard vocabulary, not a CRA field"),
    ("modalites", "places standard vocabulary, not a CRA field"),
    ("prise_en_charge_specifique", "places standard vocabulary, not a CRA field"),
    ("flags", "Passerelle's own signals for the mediator"),
    ("freins", "Passerelle's own signals for the mediator"),
    ("domaines", "Passerelle's skill levels, not a CRA field"),
    ("sait_faire", "Passerelle's capability rows, not a CRA field"),
    ("ne_sait_pas_faire", "Passerelle's capability rows, not a CRA field"),
    ("capacites_repondues", "Passerelle's counts, not a CRA field"),
    ("capacites_acquises", "Passerelle's counts, not a CRA field"),
    ("rules_id", "bookkeeping"),
    ("rules_version", "bookkeeping"),
    ("partial", "bookkeeping (the visit ended early)"),
    ("interrompu_apres", "bookkeeping (the visit ended early)"),
];

/// Passerelle's profile fields that can reach La Coop: as stated by the visitor (`tranche_age`,
/// `genre`) or as suggestions the mediator ticks (the others).
pub const FIELDS_SENT: &[&str] = &["tranche_age", "genre", "thematiques", "autonomie", "materiel"];

fn lookup<T: Copy>(table: &[(&str, T)], id: &str) -> Option<T> {
    table.iter().find(|(k, _)| *k == id).map(|(_, v)| *v)
}

/// La Coop's age band for Passerelle's `tranche_age` id.
pub fn tranche_age(id: &str) -> Option<TrancheAge> {
    lookup(TRANCHE_AGE, id)
}

/// La Coop's gender for Passerelle's `genre` id.
pub fn genre(id: &str) -> Option<Genre> {
    lookup(GENRE, id)
}

/// La Coop's theme for Passerelle's `thematiques` id.
pub fn thematique(id: &str) -> Option<Thematique> {
    lookup(THEMATIQUES, id)
}

/// La Coop's autonomy level for Passerelle's `autonomie` id.
pub fn autonomie(id: &str) -> Option<Autonomie> {
    lookup(AUTONOMIE, id)
}

/// La Coop's device for Passerelle's `materiel` id (None for `aucun`: see [`LEFT_OUT`]).
pub fn materiel(id: &str) -> Option<Materiel> {
    lookup(MATERIEL, id)
}

/// The reason a Passerelle id is left out, if it is.
pub fn left_out(field: &str, id: &str) -> Option<&'static LeftOut> {
    LEFT_OUT.iter().find(|l| l.field == field && l.passerelle == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_follow_the_tables() {
        assert_eq!(tranche_age("soixante_dix_plus"), Some(TrancheAge::SoixanteDixPlus));
        assert_eq!(genre("non_communique"), Some(Genre::NonCommunique));
        assert_eq!(thematique("securite_numerique"), Some(Thematique::SecuriteNumerique));
        assert_eq!(autonomie("partiellement_autonome"), Some(Autonomie::PartiellementAutonome));
        assert_eq!(materiel("telephone"), Some(Materiel::Telephone));
        assert_eq!(materiel("aucun"), None);
        assert!(left_out("materiel", "aucun").is_some());
        // No spelling conversion: a made-up id stays unknown even if its PascalCase exists.
        assert_eq!(thematique("Email"), None);
        assert_eq!(tranche_age("SoixanteDixPlus"), None);
    }

    #[test]
    fn tables_have_no_duplicate_keys_or_targets() {
        fn check<T: PartialEq + std::fmt::Debug>(table: &[(&str, T)]) {
            for (i, (k, v)) in table.iter().enumerate() {
                assert!(table[i + 1..].iter().all(|(k2, v2)| k2 != k && v2 != v), "duplicate {k} / {v:?}");
            }
        }
        check(TRANCHE_AGE);
        check(GENRE);
        check(THEMATIQUES);
        check(AUTONOMIE);
        check(MATERIEL);
    }
}
