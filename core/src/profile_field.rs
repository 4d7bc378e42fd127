//! The fields of a [`Profile`] by name: one enum that the export's columns, the mediator's
//! suggestions and the report share, instead of field names written as strings in each.

use crate::profile::Profile;

/// A field of the profile that is published (export column `profil.<name>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProfileField {
    Autonomie,
    Niveau,
    TypeAccompagnement,
    ModalitePrincipale,
    Modalites,
    Thematiques,
    Services,
    PriseEnChargeSpecifique,
    Flags,
    Freins,
    TrancheAge,
    Genre,
    Materiel,
    CapacitesRepondues,
    CapacitesAcquises,
    /// The self-assessed level of one Pix domain, 1 to 5.
    Pix(u8),
    InterrompuApres,
}

impl ProfileField {
    /// Every published field, in the export's order.
    pub const ALL: [ProfileField; 21] = [
        ProfileField::Autonomie,
        ProfileField::Niveau,
        ProfileField::TypeAccompagnement,
        ProfileField::ModalitePrincipale,
        ProfileField::Modalites,
        ProfileField::Thematiques,
        ProfileField::Services,
        ProfileField::PriseEnChargeSpecifique,
        ProfileField::Flags,
        ProfileField::Freins,
        ProfileField::TrancheAge,
        ProfileField::Genre,
        ProfileField::Materiel,
        ProfileField::CapacitesRepondues,
        ProfileField::CapacitesAcquises,
        ProfileField::Pix(1),
        ProfileField::Pix(2),
        ProfileField::Pix(3),
        ProfileField::Pix(4),
        ProfileField::Pix(5),
        ProfileField::InterrompuApres,
    ];

    /// The field's name (a stable id of the data dictionary).
    pub fn name(self) -> String {
        match self {
            ProfileField::Pix(n) => format!("pix_{n}"),
            f => f.static_name().to_string(),
        }
    }

    fn static_name(self) -> &'static str {
        match self {
            ProfileField::Autonomie => "autonomie",
            ProfileField::Niveau => "niveau",
            ProfileField::TypeAccompagnement => "type_accompagnement",
            ProfileField::ModalitePrincipale => "modalite_principale",
            ProfileField::Modalites => "modalites",
            ProfileField::Thematiques => "thematiques",
            ProfileField::Services => "services",
            ProfileField::PriseEnChargeSpecifique => "prise_en_charge_specifique",
            ProfileField::Flags => "flags",
            ProfileField::Freins => "freins",
            ProfileField::TrancheAge => "tranche_age",
            ProfileField::Genre => "genre",
            ProfileField::Materiel => "materiel",
            ProfileField::CapacitesRepondues => "capacites_repondues",
            ProfileField::CapacitesAcquises => "capacites_acquises",
            ProfileField::Pix(_) => "pix",
            ProfileField::InterrompuApres => "interrompu_apres",
        }
    }

    /// The field of a name, if it is one.
    pub fn from_name(name: &str) -> Option<ProfileField> {
        ProfileField::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Whether the field holds several values (`|` between them in a cell).
    pub fn is_list(self) -> bool {
        matches!(
            self,
            ProfileField::Modalites
                | ProfileField::Thematiques
                | ProfileField::Services
                | ProfileField::PriseEnChargeSpecifique
                | ProfileField::Flags
                | ProfileField::Freins
        )
    }

    /// The field's values in a profile: empty when none.
    pub fn values(self, p: &Profile) -> Vec<String> {
        let one = |o: &Option<String>| o.iter().cloned().collect::<Vec<_>>();
        match self {
            ProfileField::Autonomie => one(&p.autonomie),
            ProfileField::Niveau => one(&p.niveau),
            ProfileField::TypeAccompagnement => one(&p.type_accompagnement),
            ProfileField::ModalitePrincipale => p.modalites.first().cloned().into_iter().collect(),
            ProfileField::Modalites => p.modalites.clone(),
            ProfileField::Thematiques => p.thematiques.clone(),
            ProfileField::Services => p.services.clone(),
            ProfileField::PriseEnChargeSpecifique => p.prise_en_charge_specifique.clone(),
            ProfileField::Flags => p.flags.clone(),
            ProfileField::Freins => p.freins.clone(),
            ProfileField::TrancheAge => one(&p.tranche_age),
            ProfileField::Genre => one(&p.genre),
            ProfileField::Materiel => one(&p.materiel),
            ProfileField::CapacitesRepondues => vec![p.capacites_repondues.to_string()],
            ProfileField::CapacitesAcquises => vec![p.capacites_acquises.to_string()],
            ProfileField::Pix(n) => p.domaines.iter().find(|d| d.pix == n).and_then(|d| d.niveau.clone()).into_iter().collect(),
            ProfileField::InterrompuApres if p.partial => vec![p.interrompu_apres.clone().unwrap_or_else(|| PARTIAL_AT_START.to_string())],
            ProfileField::InterrompuApres => Vec::new(),
        }
    }
}

/// The section of a visit ended on its first question.
pub const PARTIAL_AT_START: &str = "debut";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_has_one_name_and_is_found_by_it() {
        let names: std::collections::HashSet<String> = ProfileField::ALL.iter().map(|f| f.name()).collect();
        assert_eq!(names.len(), ProfileField::ALL.len());
        for f in ProfileField::ALL {
            assert_eq!(ProfileField::from_name(&f.name()), Some(f));
        }
        assert_eq!(ProfileField::from_name("pix_6"), None);
    }
}
