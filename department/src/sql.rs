//! `passerelle sql DIR --out LOADDIR`: a checked data package (one export or a merge) made ready to
//! load into PostgreSQL or DuckDB, for when one machine's file merge is no longer the right tool
//! (docs/scale.md).
//!
//! The design holds by construction, not by filters: **the loading script contains no byte
//! that came from the package.** The package is read once into a private copy and checked whole;
//! its tables are then written into LOADDIR under names Passerelle chooses (`visits.csv`,
//! `abandons.csv`…), and `charger.sql` names them relatively. Table names, keys and types are
//! Passerelle's own (`passerelle_package::format`); the only words taken from the package are its
//! column names, which must be the data dictionary's ids (ASCII lowercase letters, digits, `_`,
//! `-` and one `.`, checked by the reader) and are written as quoted identifiers. No path, no
//! folder name, no label, no cell: DuckDB's globbing (`[`, `*`, `?` in a path) and psql's
//! meta-commands have nothing to work on. The script can be run again and again with further
//! packages: tables are created when missing, columns of newer questionnaire versions are added,
//! and rows already there (same key) are left alone, so every visit stays once.

use crate::inputs::{FolderSource, WorkDir, stage};
use anyhow::{Context, Result, bail};
use passerelle_package::format::{EXPORTS, TABLES, primary_key};
use passerelle_package::pickup_table;
use passerelle_package::read::{self as package, Source, max_bytes};
use passerelle_package::schema::Field;
use passerelle_package::shapes::valid_column;
use passerelle_package::signing::TrustedKeys;
use passerelle_shared::folder::PrivateFolder;
use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Dialect {
    Postgres,
    Duckdb,
}

/// The script's name in LOADDIR.
pub const SCRIPT: &str = "charger.sql";

/// A quoted SQL identifier of a column name the reader checked (`valid_column`): only ASCII
/// lowercase letters, digits, `_`, `-` and `.` can be in it, so it holds no quote to escape.
fn ident(name: &str) -> Result<String> {
    if !valid_column(name) {
        bail!("nom de colonne invalide");
    }
    Ok(format!("\"{name}\""))
}

fn sql_type(f: &Field) -> &'static str {
    match f.desc["type"].as_str().unwrap_or("string") {
        "integer" => "BIGINT",
        "date" => "DATE",
        "number" => "DOUBLE PRECISION",
        _ => "TEXT",
    }
}

/// A package ready to load.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub dir: PathBuf,
    pub script: PathBuf,
    pub visits: u64,
    /// The signer, when the package was checked against trusted keys.
    pub signer: Option<String>,
}

impl Prepared {
    /// What the terminal says: where, how to run it, whether the provenance was checked.
    pub fn summary(&self, dialect: Dialect) -> String {
        let run = match dialect {
            Dialect::Postgres => format!("cd {} && psql -v ON_ERROR_STOP=1 -d BASE -f {SCRIPT}", self.dir.display()),
            Dialect::Duckdb => format!("cd {} && duckdb BASE.duckdb < {SCRIPT}", self.dir.display()),
        };
        let provenance = match &self.signer {
            Some(s) => format!("Provenance vérifiée : signé par la clé de confiance « {s} »."),
            None => "PROVENANCE NON VÉRIFIÉE : paquet chargé sans clés de confiance (--trusted-keys).".to_string(),
        };
        format!("{provenance}\n{} : {} prêtes à charger.\nPour charger : {run}", self.dir.display(), crate::merge::plural(self.visits as usize, "visite"))
    }
}

/// Checks the package in `dir` (and its signature against trusted keys, when given), then writes
/// its tables and `charger.sql` into the new owner-only folder `out`.
pub fn prepare(dir: &Path, out: &Path, dialect: Dialect, keys: Option<&TrustedKeys>) -> Result<Prepared> {
    if std::fs::symlink_metadata(out).is_ok() {
        bail!("{} existe déjà : choisissez un nouveau dossier (rien n'est écrasé)", out.display());
    }
    let work = WorkDir::beside(out, "lecture").with_context(|| format!("dossier de travail impossible à côté de {}", out.display()))?;
    let staged = stage(&FolderSource { dir: dir.to_path_buf() }, dir, &work.dir.join("paquet")).map_err(|e| anyhow::anyhow!("{} : {e}", dir.display()))?;
    let pkg = package::open(&staged).map_err(|e| anyhow::anyhow!("{} : {e}", dir.display()))?;
    let signer = match keys {
        Some(k) => Some(package::provenance(&pkg, k).map_err(|e| anyhow::anyhow!("{} : {e}", dir.display()))?.name.clone()),
        None => None,
    };
    let script = script(&pkg, dialect, signer.is_some())?;
    let mut folder = PrivateFolder::create_new(out).with_context(|| format!("création de {} impossible", out.display()))?;
    let written = (|| -> Result<()> {
        for (_, file) in TABLES.iter().chain(pkg.merged.then_some(&EXPORTS)).chain(has_pickups(&pkg).then_some(&pickup_table::TABLE)) {
            let mut r = staged.open(file, max_bytes(file)).map_err(anyhow::Error::msg)?;
            passerelle_package::write::Sink::write(&mut folder, file, &mut |w| io::copy(&mut r, w).map(|_| ()))
                .with_context(|| format!("écriture de {file} impossible"))?;
        }
        passerelle_package::write::Sink::write(&mut folder, SCRIPT, &mut |w| w.write_all(script.as_bytes())).context("écriture du script impossible")?;
        Ok(())
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_dir_all(out);
        return Err(e);
    }
    Ok(Prepared { dir: out.to_path_buf(), script: out.join(SCRIPT), visits: pkg.visits, signer })
}

fn has_pickups(pkg: &package::Package) -> bool {
    pkg.merged && pkg.listed(pickup_table::TABLE.1).is_some()
}

/// The pickups' fields, for a merge that carries them.
fn pickup_fields() -> Vec<Field> {
    pickup_table::schema()["fields"].as_array().map(|a| a.iter().filter_map(|f| Field::from_json(f).ok()).collect()).unwrap_or_default()
}

/// The script for one checked package: Passerelle's words and the package's column names (as
/// checked identifiers) only.
pub fn script(pkg: &package::Package, dialect: Dialect, verified: bool) -> Result<String> {
    let mut s = format!(
        "-- Passerelle : chargement d'un paquet vérifié ({} visites) dans {}.\n-- À lancer depuis ce dossier ; sans danger si relancé : les lignes déjà là sont gardées.\n-- {}\n",
        pkg.visits,
        match dialect {
            Dialect::Postgres => "PostgreSQL (psql -v ON_ERROR_STOP=1 -f charger.sql)",
            Dialect::Duckdb => "DuckDB (duckdb BASE < charger.sql)",
        },
        if verified { "Provenance vérifiée (clés de confiance)." } else { "PROVENANCE NON VÉRIFIÉE (paquet chargé sans --trusted-keys)." }
    );
    if dialect == Dialect::Postgres {
        s.push_str("\\set ON_ERROR_STOP on\nSET client_min_messages = warning;\nBEGIN;\n");
    } else {
        s.push_str("BEGIN TRANSACTION;\n");
    }
    let pickups = pickup_fields();
    let mut staged = Vec::new();
    for (table, file) in TABLES.iter().chain(pkg.merged.then_some(&EXPORTS)).chain(has_pickups(pkg).then_some(&pickup_table::TABLE)) {
        let fields = if *table == pickup_table::TABLE.0 { pickups.as_slice() } else { pkg.fields(table) };
        if fields.is_empty() {
            bail!("{table} : pas de schéma");
        }
        let pk: &[&str] = primary_key(table).unwrap_or(&[]);
        let t = format!("\"passerelle_{table}\"");
        let staging = format!("\"staging_{table}\"");
        // Format 1 multiple choices have no kiosk column: it comes from their visit.
        let kiosk_from_visit = *table == "choix_multiples" && !fields.iter().any(|f| f.name == "kiosk_id");
        // The table, then any column a newer version brings.
        let mut cols: Vec<String> = fields.iter().map(|f| Ok(format!("  {} {}", ident(&f.name)?, sql_type(f)))).collect::<Result<_>>()?;
        if kiosk_from_visit {
            cols.insert(0, "  \"kiosk_id\" TEXT".into());
        }
        let key =
            if pk.is_empty() { String::new() } else { format!(",\n  PRIMARY KEY ({})", pk.iter().map(|k| format!("\"{k}\"")).collect::<Vec<_>>().join(", ")) };
        let _ = writeln!(s, "\nCREATE TABLE IF NOT EXISTS {t} (\n{}{key}\n);", cols.join(",\n"));
        for f in fields {
            let _ = writeln!(s, "ALTER TABLE {t} ADD COLUMN IF NOT EXISTS {} {};", ident(&f.name)?, sql_type(f));
        }
        // Every column as text first, then typed into the table.
        let text_cols: Vec<String> = fields.iter().map(|f| Ok(format!("{} TEXT", ident(&f.name)?))).collect::<Result<_>>()?;
        let _ = writeln!(s, "CREATE TEMP TABLE {staging} ({});", text_cols.join(", "));
        // The file's name is one of Passerelle's constants, relative to this folder.
        match dialect {
            Dialect::Postgres => {
                let _ = writeln!(s, "\\copy {staging} FROM '{file}' WITH (FORMAT csv, HEADER true, ENCODING 'UTF8')");
            }
            Dialect::Duckdb => {
                let _ = writeln!(s, "COPY {staging} FROM '{file}' (FORMAT csv, HEADER true);");
            }
        }
        let mut names: Vec<String> = fields.iter().map(|f| ident(&f.name)).collect::<Result<_>>()?;
        let mut values: Vec<String> = fields
            .iter()
            .map(|f| {
                let c = format!("m.{}", ident(&f.name)?);
                Ok(if pk.contains(&f.name.as_str()) {
                    format!("CAST(COALESCE({c}, '') AS {})", sql_type(f))
                } else {
                    format!("CAST(NULLIF({c}, '') AS {})", sql_type(f))
                })
            })
            .collect::<Result<_>>()?;
        let mut from = format!("{staging} AS m");
        if kiosk_from_visit {
            names.insert(0, "\"kiosk_id\"".into());
            values.insert(0, "v.\"kiosk_id\"".into());
            from += " JOIN \"staging_visits\" AS v ON v.\"visit_id\" = m.\"visit_id\"";
        }
        let conflict = if pk.is_empty() { String::new() } else { " ON CONFLICT DO NOTHING".into() };
        let _ = writeln!(s, "INSERT INTO {t} ({}) SELECT {} FROM {from}{conflict};", names.join(", "), values.join(", "));
        staged.push(staging);
    }
    for staging in staged {
        let _ = writeln!(s, "DROP TABLE {staging};");
    }
    s.push_str("\nCOMMIT;\n");
    Ok(s)
}
