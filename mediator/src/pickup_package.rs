//! The signed pickup package, written into any [`Sink`]: `prises_en_charge.csv`,
//! `datapackage.json`, `LISEZMOI.txt`, then `SHA256SUMS` and its signature by the structure's key.
//! `mediateur export` writes it into a folder (`pickup_export.rs`), the browser desk into a zip
//! (`desk/`): the same bytes, from this one function. Pure (no files, no clock).

use crate::pickups::Pickup;
use passerelle_package::format::FORMAT;
use passerelle_package::pickup_table::{COLUMNS, KIND, TABLE, resource};
use passerelle_package::signing::SigningKey;
use passerelle_package::write::{Sink, WriteError, Writer, Written, csv_writer};
use serde_json::json;

/// The structure a package comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Structure {
    /// Its name, as the mediator's configuration says it.
    pub name: String,
    /// Same shape as a kiosk id.
    pub id: String,
    pub departement: Option<String>,
}

/// The package's folder name: `passerelle-prises-<structure>-<date>` (a caller that finds it
/// taken adds `-2`, `-3`…).
pub fn folder_name(structure_id: &str, today: chrono::NaiveDate) -> String {
    format!("passerelle-prises-{structure_id}-{}", today.format("%Y-%m-%d"))
}

/// Writes the package `name` (its folder's name) of `rows` into `sink`, signed with `key`.
/// Returns every file written, with its hash.
pub fn write(sink: &mut dyn Sink, key: &SigningKey, name: &str, structure: &Structure, rows: &[Pickup]) -> Result<Vec<Written>, WriteError> {
    let mut w = Writer::new(sink);
    w.file(TABLE.1, &mut |out| {
        let mut c = csv_writer(out)?;
        c.write_record(COLUMNS)?;
        for p in rows {
            c.write_record([&p.kiosk_id, &p.visit_id, &p.structure_id, &p.local_date, p.outcome.as_deref().unwrap_or("")])?;
        }
        c.flush()
    })?;
    let mut r = resource();
    if let Some(f) = w.files().first() {
        r["hash"] = json!(format!("sha256:{}", f.sha256));
        r["bytes"] = json!(f.bytes);
    }
    let package = json!({
        "profile": "data-package",
        "name": name.to_lowercase(),
        "title": format!("Passerelle — prises en charge, {}", structure.name),
        "description": "Visiteurs reçus par un médiateur avec le code de leur visite à une borne Passerelle : borne, référence, structure, jour, suite donnée. Rien d'autre du profil.",
        "version": format!("{}.0.0", FORMAT),
        "passerelle": {
            "format": FORMAT,
            "kind": KIND,
            "structure_id": structure.id,
            "structure": structure.name,
            "departement": structure.departement,
        },
        "resources": [r],
    });
    w.file("datapackage.json", &mut |out| {
        serde_json::to_writer_pretty(&mut *out, &package).map_err(std::io::Error::other)?;
        out.write_all(b"\n")
    })?;
    let readme = format!(
        "Prises en charge Passerelle — {} ({})\n\n\
         prises_en_charge.csv  une ligne par visiteur reçu avec son code : borne, référence de la visite,\n\
         \x20                     structure, jour, suite donnée (vide si non renseignée)\n\
         datapackage.json      description de la table (Table Schema)\n\
         SHA256SUMS            empreintes : `sha256sum -c SHA256SUMS`\n\
         SHA256SUMS.minisig    signature de la structure : `minisign -Vm SHA256SUMS -P CLE_PUBLIQUE`\n\n\
         Rien du profil ni des réponses : la référence relie seulement la prise en charge à la visite.\n\
         À fusionner avec les exports des bornes : passerelle merge EXPORTS… --out FUSION\n",
        structure.name, structure.id
    );
    w.file("LISEZMOI.txt", &mut |out| out.write_all(readme.as_bytes()))?;
    w.seal(key, &format!("passerelle structure={} prises_en_charge format={FORMAT}", structure.id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use passerelle_package::write::MemorySink;

    #[test]
    fn the_package_holds_the_rows_its_schema_and_a_signature_of_every_file() {
        let key = SigningKey::generate().unwrap();
        let s = Structure { name: "Médiathèque Aragon".into(), id: "mediatheque-aragon".into(), departement: Some("92".into()) };
        let rows = vec![Pickup {
            kiosk_id: "mairie-1".into(),
            visit_id: "K7M2QX4P".into(),
            structure_id: s.id.clone(),
            local_date: "2026-12-03".into(),
            outcome: Some("accompagne_ici".into()),
        }];
        let name = folder_name(&s.id, chrono::NaiveDate::from_ymd_opt(2026, 12, 3).unwrap());
        assert_eq!(name, "passerelle-prises-mediatheque-aragon-2026-12-03");
        let mut sink = MemorySink::default();
        let files = write(&mut sink, &key, &name, &s, &rows).unwrap();
        let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["prises_en_charge.csv", "datapackage.json", "LISEZMOI.txt", "SHA256SUMS", "SHA256SUMS.minisig"]);
        let get = |n: &str| String::from_utf8(sink.files.iter().find(|(x, _)| x == n).unwrap().1.clone()).unwrap();
        assert_eq!(
            get("prises_en_charge.csv"),
            "\u{feff}kiosk_id,visit_id,structure_id,local_date,outcome\nmairie-1,K7M2QX4P,mediatheque-aragon,2026-12-03,accompagne_ici\n"
        );
        let meta: serde_json::Value = serde_json::from_str(&get("datapackage.json")).unwrap();
        assert_eq!(meta["passerelle"]["kind"], KIND);
        assert_eq!(meta["name"], name);
        let keys = passerelle_package::signing::TrustedKeys::parse(&format!("structure {} {}\n", s.id, key.public()), "cles").unwrap();
        let (k, comment) = keys.verify_with_comment(get("SHA256SUMS").as_bytes(), get("SHA256SUMS.minisig").as_bytes()).unwrap();
        assert_eq!(k.name, s.id);
        assert!(k.role.comment_agrees(&s.id, &comment), "signed in the structure's role: {comment}");
    }
}
