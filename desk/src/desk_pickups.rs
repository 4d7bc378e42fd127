//! Pickups in the browser: the rule of `mediateur record` (`passerelle_mediator::pickup_rule`),
//! applied by the page to its IndexedDB store; the export as one zip holding the same signed
//! package as `mediateur export` (`passerelle_mediator::pickup_package`); the structure's key,
//! made in the page at first use.

use crate::desk_api::Desk;
use crate::zip_sink::ZipSink;
use base64::Engine;
use chrono::{NaiveDate, NaiveTime};
use passerelle_mediator::pickup_package::{self, Structure};
use passerelle_mediator::pickup_rule::{Existing, Recorded};
use passerelle_mediator::pickups::{self, Pickup, PickupError};
use passerelle_package::signing::SigningKey;
use serde::Deserialize;
use serde_json::{Value, json};

/// A pickup as the page stores it (IndexedDB), with the export it went into.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct StoredPickup {
    pub kiosk_id: String,
    pub visit_id: String,
    pub structure_id: String,
    pub local_date: String,
    #[serde(default)]
    pub outcome: Option<String>,
}

impl StoredPickup {
    fn pickup(&self) -> Pickup {
        Pickup {
            kiosk_id: self.kiosk_id.clone(),
            visit_id: self.visit_id.clone(),
            structure_id: self.structure_id.clone(),
            local_date: self.local_date.clone(),
            outcome: self.outcome.clone().filter(|o| !o.is_empty()),
        }
    }
}

/// At most this many pickups in one export (a year of a busy desk is a few thousand).
pub const MAX_EXPORT: usize = 100_000;

impl Desk {
    /// The pickup of a code, by the one rule: `existing` is what the page's store holds for the
    /// same (kiosk, visit), if anything. Returns what to write (`write`: the pickup, or null), the
    /// message, and `ok: false` with a French message for a bad code or outcome (nothing to
    /// write then).
    pub fn record(&self, input: &str, outcome: Option<&str>, day: NaiveDate, existing: Option<&StoredPickup>) -> Value {
        let outcome = outcome.filter(|o| !o.is_empty());
        let p = match pickups::from_payload(&self.defs.questionnaire, input, &self.structure.id, day, outcome) {
            Ok(p) => p,
            Err(PickupError::Code(e)) => return json!({"ok": false, "message": passerelle_mediator::error_in_french(&e)}),
            Err(PickupError::Outcome(o)) => return json!({"ok": false, "message": format!("Suite inconnue : « {o} ».")}),
        };
        if let Some(e) = existing
            && (e.kiosk_id != p.kiosk_id || e.visit_id != p.visit_id)
        {
            return json!({"ok": false, "message": "Erreur interne : la prise en charge trouvée n'est pas celle de ce code."});
        }
        let recorded = Recorded::decide(existing.map(|e| Existing { local_date: &e.local_date, outcome: e.outcome.as_deref().filter(|o| !o.is_empty()) }), &p);
        let mut v = recorded.to_json(&p, None);
        v["ok"] = json!(true);
        v["write"] = json!(recorded.stored(&p));
        v["row"] = row(&recorded.pickup(&p));
        v
    }

    /// The pickups as the page lists them, newest day first.
    pub fn rows(&self, list: &[StoredPickup]) -> Value {
        let mut v: Vec<Pickup> = list.iter().map(StoredPickup::pickup).collect();
        v.sort_by(|a, b| (&b.local_date, &a.kiosk_id, &a.visit_id).cmp(&(&a.local_date, &b.kiosk_id, &b.visit_id)));
        json!({"ok": true, "rows": v.iter().map(row).collect::<Vec<_>>()})
    }

    /// The signed pickup package of `list` as one zip (`passerelle-prises-<structure>-<date>/`
    /// inside), signed with the structure's key (`secret`: its minisign text). `taken`: names of
    /// earlier exports, so that a second export on the same day gets `-2`, as a folder would.
    pub fn export(&self, list: &[StoredPickup], secret: &str, today: NaiveDate, time: NaiveTime, taken: &[String]) -> Value {
        let fail = |m: String| json!({"ok": false, "message": m});
        if list.is_empty() {
            return fail("Rien de nouveau à exporter depuis le dernier export (cochez « Tout exporter » pour tout exporter à nouveau).".into());
        }
        if list.len() > MAX_EXPORT {
            return fail(format!("Trop de prises en charge pour un seul export ({}, au plus {MAX_EXPORT}).", list.len()));
        }
        let key = match SigningKey::from_secret_text(secret) {
            Ok(k) => k,
            Err(e) => return fail(format!("Clé de signature de la structure illisible : {e}")),
        };
        let mut rows: Vec<Pickup> = Vec::with_capacity(list.len());
        for s in list {
            let p = s.pickup();
            let valid = passerelle_core::config::valid_kiosk_id(&p.kiosk_id)
                && passerelle_core::handoff::reference_to_bits(&p.visit_id).is_some()
                && p.structure_id == self.structure.id
                && NaiveDate::parse_from_str(&p.local_date, "%Y-%m-%d").is_ok()
                && p.outcome.as_deref().is_none_or(|o| pickups::outcome_label(o).is_some());
            if !valid {
                return fail(format!(
                    "Une prise en charge enregistrée est abîmée (référence « {} ») : supprimez-la de la liste, puis exportez à nouveau.",
                    p.visit_id.escape_debug()
                ));
            }
            rows.push(p);
        }
        rows.sort_by(|a, b| (&a.local_date, &a.kiosk_id, &a.visit_id).cmp(&(&b.local_date, &b.kiosk_id, &b.visit_id)));
        let base = pickup_package::folder_name(&self.structure.id, today);
        let mut name = base.clone();
        let mut n = 2;
        while taken.contains(&name) {
            name = format!("{base}-{n}");
            n += 1;
        }
        let structure = Structure { name: self.structure.name.clone(), id: self.structure.id.clone(), departement: self.structure.departement.clone() };
        let mut sink = match ZipSink::new(&name, today.and_time(time)) {
            Ok(s) => s,
            Err(e) => return fail(format!("Export impossible : {e}")),
        };
        if let Err(e) = pickup_package::write(&mut sink, &key, &name, &structure, &rows) {
            return fail(format!("Export impossible : {e}"));
        }
        match sink.finish() {
            Ok(bytes) => json!({
                "ok": true,
                "name": name,
                "file_name": format!("{name}.zip"),
                "count": rows.len(),
                "zip_base64": base64::engine::general_purpose::STANDARD.encode(&bytes),
                "message": format!("{} prise(s) en charge exportée(s) dans {name}.zip : envoyez ce fichier au département.", rows.len()),
            }),
            Err(e) => fail(format!("Export impossible : {e}")),
        }
    }

    /// The structure's public key and its line for the département's trusted keys file.
    pub fn key_info(&self, secret: &str) -> Value {
        match SigningKey::from_secret_text(secret) {
            Ok(k) => json!({"ok": true, "public": k.public(), "line": trusted_line(&self.structure.id, &k)}),
            Err(e) => json!({"ok": false, "message": format!("Ce n'est pas une clé de structure Passerelle : {e}")}),
        }
    }

    /// A new key for the structure (at first use): its secret text (kept by the page) and its
    /// public line.
    pub fn new_key(&self) -> Value {
        let made = SigningKey::generate().and_then(|k| {
            let secret = k.to_secret_text(&format!("clé de signature Passerelle de la structure {}", self.structure.id))?;
            Ok((k, secret))
        });
        match made {
            Ok((k, secret)) => json!({"ok": true, "secret": secret, "public": k.public(), "line": trusted_line(&self.structure.id, &k)}),
            Err(e) => json!({"ok": false, "message": e}),
        }
    }
}

/// The line the département adds to its trusted keys file for this structure.
pub fn trusted_line(structure_id: &str, key: &SigningKey) -> String {
    format!("structure {structure_id} {}", key.public())
}

/// One pickup as the page lists it.
fn row(p: &Pickup) -> Value {
    json!({
        "key": format!("{}/{}", p.kiosk_id, p.visit_id),
        "kiosk_id": p.kiosk_id,
        "visit_id": p.visit_id,
        "structure_id": p.structure_id,
        "local_date": p.local_date,
        "outcome": p.outcome,
        "reference_shown": passerelle_core::summary::pretty_reference(&p.visit_id),
        "day_shown": passerelle_mediator::pickup_rule::french_day(&p.local_date),
        "outcome_shown": p.outcome.as_deref().and_then(pickups::outcome_label).unwrap_or("—"),
    })
}
