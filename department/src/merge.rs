//! `passerelle merge`: many kiosks' exports (or earlier merges, or mediators' pickup packages)
//! into one data package of the same format, every visit once by (kiosk, reference).
//!
//! Each input is read **once**, into a private working copy checked against its `SHA256SUMS` as
//! it is copied (`inputs`), then checked whole (`passerelle_package::read`) and merged from that
//! same copy: a file swapped on the stick between the check and the merge changes nothing.
//! Older questionnaire versions merge through the ids: columns are matched by name, a column an
//! export lacks stays empty, enums are the union of every version's (`merge_schema`). Tables are
//! streamed (memory grows with the number of visits, about 40 bytes each), written owner-only to a
//! temporary folder and renamed at the end: an interrupted merge leaves no half package.

use crate::inputs::{Opened, Refused, WorkDir, find_exports, stage_all};
use crate::merge_schema::{Schema, version_key};
use crate::merge_write::{Accepted, write_merged};
use anyhow::{Context, Result, bail};
use passerelle_package::pickup_table::{self, PickupRow, TABLE};
use passerelle_package::read::{Source, UNVERIFIED, VERIFIED, csv_reader, max_bytes, provenance, read_checked};
use passerelle_shared::folder::PrivateFolder;
use serde::Serialize;
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::fs::{self, File};
use std::path::{Path, PathBuf};

/// An export merged.
#[derive(Debug, Clone, Serialize)]
pub struct Merged {
    pub path: String,
    pub name: String,
    pub questionnaire_version: String,
    /// Visits in the export, and those it added (the others were already there).
    pub visits: u64,
    pub new_visits: u64,
    pub abandons: u64,
    /// The trusted key that signed it (its name in the trusted keys file), when checked.
    pub signer: Option<String>,
}

/// Two different rows with the same key: the first is kept, the other reported.
#[derive(Debug, Clone, Serialize)]
pub struct Conflict {
    pub table: String,
    pub key: String,
    pub kept_from: String,
    pub left_out_from: String,
}

/// A kiosk that named itself differently in two exports (its structure or commune label): the
/// labels are its signer's claim, so a change is worth a look.
#[derive(Debug, Clone, Serialize)]
pub struct LabelChange {
    pub kiosk_id: String,
    /// "structure (commune)", in the order of the exports.
    pub labels: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MergeOutcome {
    pub out: PathBuf,
    pub merged: Vec<Merged>,
    pub refused: Vec<Refused>,
    /// Folders that were byte-for-byte copies of an export already merged.
    pub copies: Vec<Refused>,
    pub conflicts: Vec<Conflict>,
    pub visits: u64,
    pub duplicate_visits: u64,
    pub abandons: u64,
    pub contacts: u64,
    /// Kiosk exports the merged package holds (an earlier merge counts for the exports it holds).
    pub exports: usize,
    pub kiosks: usize,
    /// `verifiee` when every export was checked against trusted keys (`--trusted-keys`),
    /// `non_verifiee` otherwise.
    pub provenance: String,
    /// The merged package is signed (`--signing-key`): its SHA256SUMS.minisig.
    pub signed: bool,
    /// Mediators' pickup packages merged, and the pickups the merged package holds (once per
    /// visit and structure; kept even when their visit is not in the merge).
    pub pickup_packages: usize,
    pub pickups: u64,
    /// Kiosks whose labels changed between exports.
    pub label_changes: Vec<LabelChange>,
}

impl MergeOutcome {
    /// Everything given was merged, without conflict.
    pub fn clean(&self) -> bool {
        self.refused.is_empty() && self.conflicts.is_empty()
    }
}

/// What makes a merge trustworthy: the keys to check each export against, the key to sign the
/// result with.
#[derive(Debug, Default)]
pub struct Trust {
    pub keys: Option<passerelle_package::signing::TrustedKeys>,
    pub signing: Option<passerelle_package::signing::SigningKey>,
}

/// Merges checked packages into `out` (which must not exist, or be an empty folder), without
/// checking where they come from.
pub fn merge(inputs: &[PathBuf], out: &Path) -> Result<MergeOutcome> {
    merge_with(inputs, out, &Trust::default())
}

/// Merges checked packages into `out`; with trusted keys, a package whose signature does not hold
/// is refused like a tampered one.
pub fn merge_with(inputs: &[PathBuf], out: &Path, trust: &Trust) -> Result<MergeOutcome> {
    if fs::symlink_metadata(out).is_ok_and(|m| m.file_type().is_symlink()) {
        bail!("{} est un lien symbolique : choisissez un vrai dossier (rien n'est écrit à travers un lien)", out.display());
    }
    if out.exists() && fs::read_dir(out).map(|mut d| d.next().is_some()).unwrap_or(true) {
        bail!("{} existe déjà et n'est pas vide : choisissez un autre dossier (rien n'est écrasé)", out.display());
    }
    let (dirs, mut refused) = find_exports(inputs, out);
    // Every input read once, into a private copy beside the output (removed at the end).
    let work = WorkDir::beside(out, "lecture").with_context(|| format!("dossier de travail impossible à côté de {}", out.display()))?;
    let opened = stage_all(&dirs, &work.dir);
    let mut accepted_pkgs = Vec::new();
    let mut copies = Vec::new();
    let mut fingerprints: HashMap<String, String> = HashMap::new();
    let (mut pickups, mut pickup_packages, mut pickup_prints) = (Vec::new(), 0, HashSet::new());
    for (d, r) in dirs.iter().zip(opened) {
        let path = d.display().to_string();
        match r {
            Err(reason) => refused.push(Refused { path, reason }),
            // Mediators' pickup packages: signed by their structure's key when keys are given.
            Ok(Opened::Pickups(p, _)) => match trust.keys.as_ref().map(|k| pickup_table::provenance(&p, k)).transpose() {
                Err(reason) => refused.push(Refused { path, reason }),
                Ok(_) if !pickup_prints.insert(p.fingerprint.clone()) => {}
                Ok(_) => {
                    pickups.extend(p.rows);
                    pickup_packages += 1;
                }
            },
            Ok(Opened::Package(mut p, src)) => {
                if let Some(keys) = &trust.keys {
                    match provenance(&p, keys) {
                        Ok(k) => p.signer = Some((k.name.clone(), k.text.clone())),
                        Err(reason) => {
                            refused.push(Refused { path, reason });
                            continue;
                        }
                    }
                }
                match fingerprints.entry(p.fingerprint.clone()) {
                    Entry::Occupied(o) => copies.push(Refused { path, reason: format!("copie identique de {}", o.get()) }),
                    Entry::Vacant(v) => {
                        v.insert(path);
                        accepted_pkgs.push(Accepted { pkg: *p, src });
                    }
                }
            }
        }
    }
    // One questionnaire: the one of the newest version given.
    accepted_pkgs.sort_by(|a, b| version_key(&b.pkg.questionnaire_version).cmp(&version_key(&a.pkg.questionnaire_version)).then(a.pkg.name.cmp(&b.pkg.name)));
    let mut schema = Schema::default();
    let mut accepted: Vec<Accepted> = Vec::new();
    for a in accepted_pkgs {
        let qid = accepted.first().map(|f| f.pkg.questionnaire_id.clone());
        let fits = match qid {
            Some(q) if q != a.pkg.questionnaire_id => Err(format!("autre questionnaire ({}, pas {q})", a.pkg.questionnaire_id)),
            _ => schema.add(&a.pkg),
        };
        match fits {
            Ok(()) => accepted.push(a),
            Err(reason) => refused.push(Refused { path: a.src.origin.display().to_string(), reason }),
        }
    }
    if accepted.is_empty() {
        bail!("aucun export utilisable : rien n'a été écrit{}", refused.iter().map(|r| format!("\n  {} : {}", r.path, r.reason)).collect::<String>());
    }
    // Dictionaries: the newest version's labels first.
    let mut dict: Vec<csv::ByteRecord> = Vec::new();
    let mut dict_keys = HashSet::new();
    for a in &accepted {
        let mut rdr = csv_reader(a.src.open("dictionnaire.csv", max_bytes("dictionnaire.csv")).map_err(anyhow::Error::msg)?);
        for rec in rdr.byte_records() {
            let rec = rec?;
            if dict_keys.insert((rec[0].to_vec(), rec[1].to_vec(), rec[2].to_vec())) {
                dict.push(rec);
            }
        }
    }
    // Pickups come from pickup packages and from merges, never from a kiosk's export (a kiosk
    // does not vouch for mediators).
    for a in accepted.iter().filter(|a| a.pkg.merged) {
        if let Some(h) = a.pkg.listed(TABLE.1) {
            pickups.extend(pickup_table::rows(&read_checked(&a.src, TABLE.1, h).map_err(anyhow::Error::msg)?, None).map_err(anyhow::Error::msg)?);
        }
    }
    let pickups: Vec<PickupRow> = pickup_table::dedupe(pickups);
    // Visits then the rest, export by export in the order of their names (kiosk, then date).
    accepted.sort_by(|a, b| a.pkg.name.cmp(&b.pkg.name).then(a.pkg.fingerprint.cmp(&b.pkg.fingerprint)));

    let tmp = WorkDir::beside(out, "partial").with_context(|| format!("dossier temporaire impossible à côté de {}", out.display()))?;
    let outcome = MergeOutcome {
        out: out.to_path_buf(),
        merged: Vec::new(),
        refused: Vec::new(),
        copies: Vec::new(),
        conflicts: Vec::new(),
        visits: 0,
        duplicate_visits: 0,
        abandons: 0,
        contacts: 0,
        exports: 0,
        kiosks: 0,
        provenance: if trust.keys.is_some() { VERIFIED } else { UNVERIFIED }.into(),
        signed: trust.signing.is_some(),
        pickup_packages,
        pickups: pickups.len() as u64,
        label_changes: Vec::new(),
    };
    let mut sink = PrivateFolder { dir: tmp.dir.clone() };
    let mut outcome = write_merged(&accepted, &schema, dict, &mut sink, out, trust, &pickups, outcome)?;
    drop(accepted);
    drop(work);
    for d in std::iter::once(tmp.dir.join("contacts")).chain(fs::read_dir(tmp.dir.join("contacts")).into_iter().flatten().flatten().map(|e| e.path())) {
        if d.is_dir() {
            File::open(&d)?.sync_all()?;
        }
    }
    File::open(&tmp.dir)?.sync_all()?;
    if out.exists() {
        fs::remove_dir(out).with_context(|| format!("impossible de remplacer le dossier vide {}", out.display()))?;
    }
    fs::rename(&tmp.dir, out).with_context(|| format!("impossible de renommer {} en {}", tmp.dir.display(), out.display()))?;
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty())
        && let Ok(d) = File::open(parent)
    {
        let _ = d.sync_all();
    }
    outcome.refused = refused;
    outcome.copies = copies;
    Ok(outcome)
}

/// The provenance of a merge in plain words (LISEZMOI.txt and the terminal).
fn provenance_text(o: &MergeOutcome, trust: &Trust) -> String {
    let mut s = match &trust.keys {
        Some(k) => format!(
            "Provenance vérifiée : chaque export est signé par une clé de confiance ({}) et ses lignes nomment la borne signataire (exports.csv : signataire).",
            k.file
        ),
        None => "PROVENANCE NON VÉRIFIÉE : fusion faite sans clés de confiance (--trusted-keys) ; un export modifié puis ré-empreinté n'a pas pu être détecté."
            .into(),
    };
    s += if o.signed {
        "\nFusion signée : minisign -Vm SHA256SUMS -P CLE_PUBLIQUE_DE_FUSION."
    } else {
        "\nFusion non signée (--signing-key) : une fusion ultérieure avec --trusted-keys la refusera."
    };
    s
}

pub(crate) fn readme(o: &MergeOutcome, trust: &Trust) -> String {
    let mut s = format!(
        "Fusion Passerelle : {}, {}, {}, {}, {} de coordonnées chiffrées.\n{}\n\n\
         Même format qu'un export de borne (voir datapackage.json), plus exports.csv : une ligne par export de borne,\n\
         et prises_en_charge.csv (s'il y en a) : les visiteurs reçus par un médiateur avec leur code ({} ici).\n\
         Chaque visite n'y est qu'une fois (par sa borne et sa référence) ; visites en double ignorées : {}.\n\
         Vérifier : sha256sum -c SHA256SUMS ; frictionless validate datapackage.json\n\
         Rapport : passerelle report DOSSIER --out rapport.html\n\n\
         Dossiers fusionnés :\n",
        plural(o.exports, "export"),
        plural(o.kiosks, "borne"),
        plural(o.visits as usize, "visite"),
        plural(o.abandons as usize, "abandon"),
        plural(o.contacts as usize, "fichier"),
        provenance_text(o, trust),
        o.pickups,
        o.duplicate_visits
    );
    for m in &o.merged {
        s += &format!("  {} (questionnaire {}) : {}, nouvelles ici : {}\n", m.name, m.questionnaire_version, plural(m.visits as usize, "visite"), m.new_visits);
    }
    if !o.label_changes.is_empty() {
        s += "\nBornes sous plusieurs libellés (structure et commune sont ce que déclare chaque borne signataire) :\n";
        for l in &o.label_changes {
            s += &format!("  {} : {}\n", l.kiosk_id, l.labels.join(" ; "));
        }
    }
    if !o.conflicts.is_empty() {
        s += &format!("\nConflits ({}) : même référence, contenu différent ; la première ligne est gardée.\n", o.conflicts.len());
        for c in o.conflicts.iter().take(100) {
            s += &format!("  {} {} : gardée de {}, écartée de {}\n", c.table, c.key, c.kept_from, c.left_out_from);
        }
    }
    s
}

/// The merge's report for the terminal (French, like the folder's LISEZMOI.txt).
pub fn summary(o: &MergeOutcome, trust: &Trust) -> String {
    let mut s = provenance_text(o, trust) + "\n";
    s += &format!(
        "{} : {} ({}), {}, doublons ignorés : {}, {}, coordonnées chiffrées : {}",
        o.out.display(),
        plural(o.exports, "export"),
        plural(o.kiosks, "borne"),
        plural(o.visits as usize, "visite"),
        o.duplicate_visits,
        plural(o.abandons as usize, "abandon"),
        o.contacts
    );
    if o.pickup_packages > 0 || o.pickups > 0 {
        s += &format!(", prises en charge : {} ({})", o.pickups, plural(o.pickup_packages, "paquet de médiateur"));
    }
    for c in &o.copies {
        s += &format!("\nignoré : {} ({})", c.path, c.reason);
    }
    for l in &o.label_changes {
        s += &format!(
            "\nATTENTION : la borne {} porte plusieurs libellés selon ses exports : {} (les libellés sont la déclaration de son signataire)",
            l.kiosk_id,
            l.labels.join(" ; ")
        );
    }
    for r in &o.refused {
        s += &format!("\nREFUSÉ : {} : {}", r.path, r.reason);
    }
    for c in o.conflicts.iter().take(20) {
        s += &format!("\nCONFLIT : {} {} : gardé de {}, écarté de {}", c.table, c.key, c.kept_from, c.left_out_from);
    }
    if o.conflicts.len() > 20 {
        s += &format!("\n… et {} autres conflits (voir LISEZMOI.txt)", o.conflicts.len() - 20);
    }
    s
}

/// "1 visite", "2 visites".
pub fn plural(n: usize, word: &str) -> String {
    // Every noun of "paquet de médiateur" takes the plural: "3 paquets de médiateurs".
    if n < 2 {
        format!("{n} {word}")
    } else {
        format!("{n} {}", word.split(' ').map(|w| if w == "de" { w.to_string() } else { format!("{w}s") }).collect::<Vec<_>>().join(" "))
    }
}
