//! Passerelle's predictions as choices the mediator ticks after the session. A prediction is
//! never CRA data by itself: only a ticked [`Choice`] goes into the link ([`crate::Ticked`]).

use crate::coop_enums::{Autonomie, Materiel, Thematique};
use crate::vocab_map;

/// One suggestion the mediator can tick: a La Coop field and one of its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Choice {
    Thematique(Thematique),
    Autonomie(Autonomie),
    Materiel(Materiel),
}

impl Choice {
    /// Every value the mediator can tick, field by field.
    pub fn all() -> impl Iterator<Item = Choice> {
        Thematique::ALL
            .iter()
            .map(|t| Choice::Thematique(*t))
            .chain(Autonomie::ALL.iter().map(|a| Choice::Autonomie(*a)))
            .chain(Materiel::ALL.iter().map(|m| Choice::Materiel(*m)))
    }

    /// La Coop's field (`thematiques`, `autonomie`, `materiel`).
    pub fn field(self) -> &'static str {
        match self {
            Choice::Thematique(_) => Thematique::FIELD,
            Choice::Autonomie(_) => Autonomie::FIELD,
            Choice::Materiel(_) => Materiel::FIELD,
        }
    }

    /// La Coop's value (`SecuriteNumerique`).
    pub fn value(self) -> &'static str {
        match self {
            Choice::Thematique(t) => t.as_str(),
            Choice::Autonomie(a) => a.as_str(),
            Choice::Materiel(m) => m.as_str(),
        }
    }

    /// The field as La Coop's form names it (its legends, typographic apostrophes included).
    pub fn field_label(self) -> &'static str {
        match self {
            Choice::Thematique(t) if t.is_administrative() => "Thématique(s) de la démarche administrative",
            Choice::Thematique(_) => "Thématique(s) d’accompagnement de médiation numérique",
            Choice::Autonomie(_) => "Niveau d’autonomie du bénéficiaire",
            Choice::Materiel(_) => "Matériel numérique utilisé",
        }
    }

    /// The value as La Coop labels it, in French. An administrative procedure theme says that it
    /// brings "Aide aux démarches administratives" with it (La Coop refuses it alone).
    pub fn label(self) -> String {
        match self {
            Choice::Thematique(t) if t.is_administrative() => format!("{} : {}", Thematique::AideAuxDemarchesAdministratives.label(), t.label()),
            Choice::Thematique(t) => t.label().to_string(),
            Choice::Autonomie(a) => a.label().to_string(),
            Choice::Materiel(m) => m.label().to_string(),
        }
    }

    /// A stable text id (`thematiques:SecuriteNumerique`), for a checkbox or a stored selection.
    pub fn key(self) -> String {
        format!("{}:{}", self.field(), self.value())
    }

    /// The choice a [`Choice::key`] names; None for anything else.
    pub fn from_key(key: &str) -> Option<Choice> {
        let (field, value) = key.split_once(':')?;
        match field {
            f if f == Thematique::FIELD => Thematique::from_coop(value).map(Choice::Thematique),
            f if f == Autonomie::FIELD => Autonomie::from_coop(value).map(Choice::Autonomie),
            f if f == Materiel::FIELD => Materiel::from_coop(value).map(Choice::Materiel),
            _ => None,
        }
    }
}

/// A prediction of Passerelle that is not offered as a choice, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotOffered {
    /// Passerelle's profile field.
    pub field: &'static str,
    /// Passerelle's id.
    pub passerelle: String,
    /// Why, in French.
    pub why: String,
}

/// What the mediator's page lists under "Ouvrir le compte rendu dans La Coop": the choices to
/// tick, in the profile's order (most relevant theme first), and the predictions left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Suggestions {
    pub choices: Vec<Choice>,
    pub not_offered: Vec<NotOffered>,
}

/// The choices for a profile's predictions, given as Passerelle's ids: `Profile::thematiques`,
/// `Profile::autonomie`, `Profile::materiel` (the visitor's main device, offered as the device
/// possibly used during the session).
pub fn suggestions<S: AsRef<str>>(thematiques: &[S], autonomie: Option<&str>, materiel: Option<&str>) -> Suggestions {
    let mut out = Suggestions::default();
    let mut offer = |field: &'static str, id: &str, choice: Option<Choice>| match choice {
        Some(c) if !out.choices.contains(&c) => out.choices.push(c),
        Some(_) => {}
        None => out.not_offered.push(NotOffered {
            field,
            passerelle: id.to_string(),
            why: vocab_map::left_out(field, id).map(|l| l.why.to_string()).unwrap_or_else(|| "Pas d'équivalent dans La Coop.".to_string()),
        }),
    };
    for t in thematiques {
        offer("thematiques", t.as_ref(), vocab_map::thematique(t.as_ref()).map(Choice::Thematique));
    }
    if let Some(a) = autonomie {
        offer("autonomie", a, vocab_map::autonomie(a).map(Choice::Autonomie));
    }
    if let Some(m) = materiel {
        offer("materiel", m, vocab_map::materiel(m).map(Choice::Materiel));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn predictions_become_choices_in_order() {
        let s = suggestions(&["securite_numerique", "email", "securite_numerique"], Some("partiellement_autonome"), Some("telephone"));
        assert_eq!(
            s.choices,
            vec![
                Choice::Thematique(Thematique::SecuriteNumerique),
                Choice::Thematique(Thematique::Email),
                Choice::Autonomie(Autonomie::PartiellementAutonome),
                Choice::Materiel(Materiel::Telephone),
            ]
        );
        assert!(s.not_offered.is_empty());
        let labels: Vec<_> = s.choices.iter().map(|c| (c.field(), c.value(), c.label())).collect();
        assert_eq!(labels[0], ("thematiques", "SecuriteNumerique", "Prévention en sécurité numérique".to_string()));
        assert_eq!(labels[2], ("autonomie", "PartiellementAutonome", "Autonome avec guidage en cas de besoin".to_string()));
    }

    #[test]
    fn values_without_equivalent_are_listed_not_offered() {
        let s = suggestions(&["email", "astrologie"], None, Some("aucun"));
        assert_eq!(s.choices, vec![Choice::Thematique(Thematique::Email)]);
        assert_eq!(s.not_offered.len(), 2);
        assert_eq!((s.not_offered[0].field, s.not_offered[0].passerelle.as_str()), ("thematiques", "astrologie"));
        assert_eq!(s.not_offered[0].why, "Pas d'équivalent dans La Coop.");
        assert_eq!((s.not_offered[1].field, s.not_offered[1].passerelle.as_str()), ("materiel", "aucun"));
        assert!(s.not_offered[1].why.contains("Pas de matériel"));
    }

    #[test]
    fn keys_round_trip_and_unknown_keys_are_refused() {
        for c in Choice::all() {
            assert_eq!(Choice::from_key(&c.key()), Some(c));
        }
        assert_eq!(Choice::Autonomie(Autonomie::Autonome).key(), "autonomie:Autonome");
        for bad in ["", "autonomie", "autonomie:", "autonomie:autonome", "thematiques:Autonome", "nom:Dupont", "autonomie:Autonome:x"] {
            assert_eq!(Choice::from_key(bad), None, "{bad}");
        }
    }

    #[test]
    fn an_administrative_theme_says_it_brings_aide_aux_demarches() {
        let c = Choice::Thematique(Thematique::Logement);
        assert_eq!(c.label(), "Aide aux démarches administratives : Logement");
        assert_eq!(c.field_label(), "Thématique(s) de la démarche administrative");
    }
}
