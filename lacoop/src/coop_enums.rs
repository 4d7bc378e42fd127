//! La Coop's enums that the pre-fill can send, spelled as La Coop's code spells them (PascalCase:
//! the Prisma enum names its zod validation accepts), with La Coop's own French labels.
//!
//! Each enum was copied from the file named in its `SOURCE` at [`crate::LACOOP_COMMIT`]; the
//! test `tests/coop_enums_fixture.rs` compares them, values, order and labels, with
//! `tests/fixtures/coop-enums.json` (extracted from those files).

macro_rules! coop_enum {
    ($(#[$doc:meta])* $name:ident, $field:literal, $source:literal, { $($variant:ident => $label:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $(#[doc = $label] $variant),+
        }

        impl $name {
            /// Every value, in the order of La Coop's source.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// La Coop's field (dotted path in the CRA form's values).
            pub const FIELD: &'static str = $field;
            /// The file of La Coop's repository the values and labels come from.
            pub const SOURCE: &'static str = $source;

            /// The value as La Coop's form and validation spell it (`SoixanteDixPlus`).
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => stringify!($variant)),+
                }
            }

            /// La Coop's French label for the value.
            pub fn label(self) -> &'static str {
                match self {
                    $($name::$variant => $label),+
                }
            }

            /// The value from La Coop's spelling; None when La Coop has no such value.
            pub fn from_coop(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }
        }
    };
}

coop_enum! {
    /// `beneficiaire.trancheAge`.
    TrancheAge, "beneficiaire.trancheAge", "apps/web/src/features/beneficiaire/domain/tranche-age.ts", {
        SoixanteDixPlus => "70 ans et plus",
        SoixanteSoixanteNeuf => "60 - 69 ans",
        QuaranteCinquanteNeuf => "40 - 59 ans",
        VingtCinqTrenteNeuf => "25 - 39 ans",
        DixHuitVingtQuatre => "18 - 24 ans",
        DouzeDixHuit => "12 - 17 ans",
        MoinsDeDouze => "Moins de 12 ans",
        NonCommunique => "Non communiqué",
    }
}

coop_enum! {
    /// `beneficiaire.genre`.
    Genre, "beneficiaire.genre", "apps/web/src/features/beneficiaire/domain/genre.ts", {
        Masculin => "Masculin",
        Feminin => "Féminin",
        NonCommunique => "Non communiqué",
    }
}

coop_enum! {
    /// `thematiques`: the digital themes, then the administrative procedure themes (one array in
    /// La Coop; the latter are accepted only with `AideAuxDemarchesAdministratives`).
    Thematique, "thematiques", "apps/web/src/features/activites/use-cases/cra/fields/thematique.ts", {
        DiagnosticNumerique => "Diagnostic numérique",
        PrendreEnMainDuMateriel => "Prendre en main du matériel",
        MaintenanceDeMateriel => "Maintenance de matériel",
        GereSesContenusNumeriques => "Gérer ses contenus numériques",
        NavigationSurInternet => "Navigation sur internet",
        Email => "E-mail",
        Bureautique => "Bureautique",
        ReseauxSociaux => "Réseaux sociaux communication",
        Sante => "Santé",
        BanqueEtAchatsEnLigne => "Banque et achats en ligne",
        Entrepreneuriat => "Accompagner un professionnel",
        InsertionProfessionnelle => "Insertion professionnelle",
        SecuriteNumerique => "Prévention en sécurité numérique",
        Parentalite => "Parentalité",
        ScolariteEtNumerique => "Scolarité et numérique",
        CreerAvecLeNumerique => "Créer avec le numérique",
        CultureNumerique => "Culture numérique",
        IntelligenceArtificielle => "Intelligence artificielle (IA)",
        AideAuxDemarchesAdministratives => "Aide aux démarches administratives",
        PapiersElectionsCitoyennete => "Papiers - Élections - Citoyenneté",
        FamilleScolarite => "Famille - Scolarité",
        SocialSante => "Social - Santé",
        TravailFormation => "Travail - Formation - Entreprise",
        Logement => "Logement",
        TransportsMobilite => "Transports - Mobilité",
        ArgentImpots => "Argent - Impôts",
        Justice => "Justice",
        EtrangersEurope => "Étrangers - Europe",
        LoisirsSportsCulture => "Loisirs - Sports - Culture",
        Associations => "Associations",
    }
}

impl Thematique {
    /// An administrative procedure theme (`thematiquesAdministrativesLabels`): La Coop refuses
    /// it without [`Thematique::AideAuxDemarchesAdministratives`]
    /// (`validation/canHaveAdministrationThematiques.ts`).
    pub fn is_administrative(self) -> bool {
        self > Thematique::AideAuxDemarchesAdministratives
    }
}

coop_enum! {
    /// `autonomie` (shown as 1 to 3 stars).
    Autonomie, "autonomie", "apps/web/src/features/activites/use-cases/cra/individuel/fields/autonomie.ts", {
        EntierementAccompagne => "Avec guidage",
        PartiellementAutonome => "Autonome avec guidage en cas de besoin",
        Autonome => "Autonome",
    }
}

coop_enum! {
    /// `materiel`: the device used during the session.
    Materiel, "materiel", "apps/web/src/features/activites/use-cases/cra/fields/materiel.ts", {
        Ordinateur => "Ordinateur",
        Telephone => "Téléphone",
        Tablette => "Tablette",
        Autre => "Autre",
        Aucun => "Pas de matériel",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spelling_and_labels_round_trip() {
        assert_eq!(TrancheAge::SoixanteDixPlus.as_str(), "SoixanteDixPlus");
        assert_eq!(Thematique::from_coop("SecuriteNumerique"), Some(Thematique::SecuriteNumerique));
        assert_eq!(Thematique::from_coop("securite_numerique"), None);
        assert_eq!(Autonomie::PartiellementAutonome.label(), "Autonome avec guidage en cas de besoin");
        for t in Thematique::ALL {
            assert_eq!(Thematique::from_coop(t.as_str()), Some(*t));
        }
    }

    #[test]
    fn administrative_themes_are_the_eleven_after_aide_aux_demarches() {
        let admin: Vec<_> = Thematique::ALL.iter().filter(|t| t.is_administrative()).map(|t| t.as_str()).collect();
        assert_eq!(admin.len(), 11);
        assert_eq!(admin.first(), Some(&"PapiersElectionsCitoyennete"));
        assert!(!Thematique::AideAuxDemarchesAdministratives.is_administrative());
        assert!(!Thematique::DiagnosticNumerique.is_administrative());
    }
}
