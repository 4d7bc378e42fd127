//! La Coop de la médiation numérique's individual activity report (CRA), pre-filled through its
//! URL: the link behind "Ouvrir le compte rendu dans La Coop".
//!
//! La Coop's form page (`/coop/mes-activites/cra/individuel`) reads its default values from the
//! `v` query parameter with its own `decodeSerializableState`: base64url (no padding) → zlib
//! inflate → superjson `{"json": …}`. This crate writes that parameter ([`state_codec`]) from a
//! typed input ([`Prefill`]) that can only hold:
//! - what the visitor stated ([`Stated`]): age band, gender, and the commune of residence when
//!   Passerelle knows its postal and INSEE codes (La Coop wants a BAN object, not a name);
//! - what the mediator ticked among Passerelle's suggestions ([`Ticked`], built from
//!   [`Choice`]s listed by [`suggestions`]): themes, autonomy, device used.
//!
//! No name, no reference, no free text: the types have no place for them ([`SENT_FIELDS`]).
//! Every value is one of La Coop's enums ([`coop_enums`]), reached through explicit tables from
//! Passerelle's vocabulary ids ([`vocab_map`]), all read in La Coop's public repository at
//! [`LACOOP_COMMIT`].
//!
//! Invariant: no filesystem, no clock, no UI; builds for `wasm32-unknown-unknown`.

pub mod coop_enums;
mod coop_error;
pub mod cra_choices;
pub mod cra_prefill;
pub mod state_codec;
pub mod vocab_map;

pub use coop_enums::{Autonomie, Genre, Materiel, Thematique, TrancheAge};
pub use coop_error::{DecodeError, PrefillError};
pub use cra_choices::{Choice, NotOffered, Suggestions, suggestions};
pub use cra_prefill::{Commune, Prefill, SENT_FIELDS, Stated, Ticked, coop_url};
pub use state_codec::{decode_serializable_state, encode_serializable_state, state_from_url};

/// The commit of `inclusion-numerique/coop-mediation-numerique` whose files the enums, the form's
/// fields and the encoding were read from (tests/fixtures/coop-enums.json names each file).
pub const LACOOP_COMMIT: &str = "46aa33bdf21c42c2d5bbb2913f5c453cca5a9542";

/// La Coop's individual activity report form (production). The mediator's configuration may
/// point elsewhere (a test instance): [`coop_url`] takes the base URL.
pub const DEFAULT_BASE_URL: &str = "https://coop-numerique.anct.gouv.fr/coop/mes-activites/cra/individuel";
