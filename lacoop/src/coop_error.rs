//! The errors of this crate. Their messages are for the mediator: French, short and plain.

/// The pre-fill's input or the base URL is not usable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrefillError {
    #[error("Valeur inconnue pour « {field} » : « {value} ».")]
    UnknownValue { field: &'static str, value: String },
    #[error("Un seul niveau d'autonomie peut être coché.")]
    TwoAutonomies,
    #[error("Le nom de la commune est vide.")]
    EmptyCommune,
    #[error("Code postal invalide « {0} » : il faut 5 chiffres.")]
    BadCodePostal(String),
    #[error("Code INSEE invalide « {0} » : il faut 5 caractères, par exemple 92078 ou 2A004.")]
    BadCodeInsee(String),
    #[error("Adresse de La Coop invalide « {0} » : elle doit commencer par https://.")]
    BadBaseUrl(String),
    #[error("L'adresse de La Coop contient déjà un paramètre v : donnez l'adresse du formulaire sans lui.")]
    BaseUrlHasV,
}

/// A `v` parameter that La Coop's decoder would not read (or that this crate does not write).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("L'adresse ne contient pas de paramètre v.")]
    NoParameter,
    #[error("Le paramètre v n'est pas du base64url.")]
    Base64,
    #[error("Le paramètre v ne se décompresse pas (zlib).")]
    Inflate,
    #[error("Le paramètre v est trop grand.")]
    TooLarge,
    #[error("Le contenu du paramètre v n'est pas du JSON valide.")]
    Json,
    #[error("Le contenu du paramètre v n'a pas la forme {{\"json\": …}} de superjson.")]
    NotSuperjson,
}
