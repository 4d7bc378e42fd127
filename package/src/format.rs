//! The format's constants: its version, the tables of an export and of a merge with their keys,
//! the conventions of its cells.

/// Version of the export format (in datapackage.json). Format 2 keys visits on
/// `(kiosk_id, visit_id)` (references are unique per kiosk only) and signs `SHA256SUMS`; format 1
/// exports are still read (docs/export.md).
pub const FORMAT: u32 = 2;
/// The byte order mark every CSV file starts with (so that Excel reads the accents).
pub const BOM: &[u8] = b"\xef\xbb\xbf";
/// The skip code in answer cells ("asked, and the visitor preferred not to answer").
pub const SKIPPED: &str = "non_repondu";
/// The shape of a kiosk id (`passerelle_core::config::valid_kiosk_id`), as a Table Schema pattern.
pub const KIOSK_ID_PATTERN: &str = "^[a-z0-9-]{1,32}$";
/// Profile columns are prefixed so that they never collide with a question id.
pub const PROFILE_PREFIX: &str = "profil.";
/// The column of a visit ended early ("On m'appelle"): the section after which it stopped,
/// `debut` on the first question; empty for a complete visit.
pub const PARTIAL_COLUMN: &str = "profil.interrompu_apres";
/// Its value for a visit ended on the first question.
pub use passerelle_core::profile_field::PARTIAL_AT_START;
/// The visits as a spreadsheet, next to visits.csv (a convenience, not a table of the package).
pub const XLSX: &str = "visites.xlsx";

/// The tables of every export, in the order of its data package: (resource name, file).
pub const TABLES: [(&str, &str); 4] =
    [("visits", "visits.csv"), ("choix_multiples", "choix_multiples.csv"), ("abandons", "abandons.csv"), ("dictionnaire", "dictionnaire.csv")];
/// The table a merge adds: one row per kiosk export it holds.
pub const EXPORTS: (&str, &str) = ("exports", "exports.csv");

/// The primary key of each table, known here and nowhere else (a package's own
/// `datapackage.json` must say the same).
pub fn primary_key(table: &str) -> Option<&'static [&'static str]> {
    Some(match table {
        "visits" => &["kiosk_id", "visit_id"],
        "choix_multiples" => &["kiosk_id", "visit_id", "question_id", "choice_id"],
        "abandons" => &["kiosk_id", "abandon_id"],
        "dictionnaire" => &["element", "question_id", "id"],
        "exports" => &["empreinte"],
        "prises_en_charge" => &["kiosk_id", "visit_id", "structure_id"],
        _ => return None,
    })
}
