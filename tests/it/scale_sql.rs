//! docs/scale.md's commands: packages of two questionnaire versions and their merge load into
//! DuckDB and PostgreSQL with `passerelle sql`, again and again, every visit once.

use std::path::{Path, PathBuf};
use std::process::Command;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_passerelle"));
    c.env("PASSERELLE_LOG", "warn");
    c
}

fn run(c: &mut Command) -> String {
    let out = c.output().unwrap();
    assert!(out.status.success(), "{c:?}: {}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// `passerelle sql P --out LOADDIR`: the folder ready to load (its script names its tables
/// relatively, so it is run from there).
fn prepare(p: &Path, load: &Path, dialect: &str) -> PathBuf {
    run(bin().arg("sql").arg(p).arg("--out").arg(load).args(["--dialect", dialect]));
    assert!(load.join("charger.sql").is_file());
    load.to_path_buf()
}

/// The real DuckDB command line (PyPI `duckdb-cli`, in `.venv`), as a département's analyst runs
/// it: `cd LOADDIR && duckdb BASE < charger.sql`.
fn duckdb_cli() -> Option<PathBuf> {
    let cli = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/duckdb");
    cli.exists().then_some(cli)
}

fn duckdb_load(cli: &Path, db: &Path, load: &Path) {
    let out = Command::new(cli).arg(db).stdin(std::fs::File::open(load.join("charger.sql")).unwrap()).current_dir(load).output().unwrap();
    assert!(out.status.success(), "duckdb: {}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
}

fn duckdb_query(cli: &Path, db: &Path, sql: &str) -> String {
    run(Command::new(cli).arg(db).args(["-noheader", "-csv", "-c", sql])).trim().to_string()
}

/// A folder name that would be a psql or DuckDB command if it escaped its quotes: a quote, a
/// semicolon, `\!` (psql's shell escape) and `.shell` (DuckDB's). Not a control character:
/// those are refused.
const HOSTILE_FOLDER: &str = "exports d'octobre'; \\! touch pwned; .shell touch pwned2 '";

/// The old fixture (questionnaire 0.9.0), a current export, their merge, and a copy of the
/// current export in a folder with a hostile name.
fn packages(tmp: &Path) -> Vec<PathBuf> {
    let old = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/exports/passerelle-gennevilliers-mairie-1-2025-06-30");
    let data = tmp.join("data");
    run(bin().arg("--data-dir").arg(&data).args(["replay", "--random", "20", "--seed", "4"]));
    run(bin().arg("--data-dir").arg(&data).arg("export").arg("--to").arg(tmp.join("usb")));
    let new = std::fs::read_dir(tmp.join("usb")).unwrap().flatten().next().unwrap().path();
    run(bin().arg("merge").arg(&old).arg(&new).arg("--out").arg(tmp.join("fusion")));
    let hostile = tmp.join(HOSTILE_FOLDER).join(new.file_name().unwrap());
    crate::support::copy_dir(&new, &hostile);
    vec![old, new, tmp.join("fusion"), hostile]
}

/// The tables a script may leave behind: its own.
fn only_passerelle_tables(tables: &str) {
    let mut t: Vec<&str> = tables.split_whitespace().collect();
    t.sort();
    assert_eq!(t, ["passerelle_abandons", "passerelle_choix_multiples", "passerelle_dictionnaire", "passerelle_exports", "passerelle_visits"], "{tables}");
}

fn require(tool: &str) -> bool {
    assert!(std::env::var_os("PASSERELLE_CI").is_none(), "CI must provide {tool}");
    eprintln!("notice: {tool} not available, skipped");
    false
}

#[test]
fn packages_load_into_duckdb_every_visit_once() {
    let Some(cli) = duckdb_cli() else {
        require("the duckdb command line (pip install duckdb-cli, in .venv)");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("region.duckdb");
    for (i, p) in packages(tmp.path()).iter().enumerate() {
        let load = prepare(p, &tmp.path().join(format!("charger-{i}")), "duckdb");
        duckdb_load(&cli, &db, &load);
        // Again: every row stays once.
        duckdb_load(&cli, &db, &load);
    }
    let q = |sql: &str| duckdb_query(&cli, &db, sql);
    assert_eq!(q("select count(*) || ' ' || count(distinct visit_id) from passerelle_visits"), "32 32");
    assert_eq!(q("select count(*) from passerelle_visits where kiosk_id = 'gennevilliers-mairie-1' and mode_acces is null"), "12");
    assert_eq!(q("select count(*) from passerelle_choix_multiples m left join passerelle_visits v using (kiosk_id, visit_id) where v.visit_id is null"), "0");
    assert_eq!(q("select count(*) from passerelle_abandons"), "2");
    assert_eq!(q("select typeof(local_date) from passerelle_visits limit 1"), "DATE");
    only_passerelle_tables(&q("select string_agg(table_name, ' ') from information_schema.tables"));
    assert!(!tmp.path().join("pwned").exists() && !tmp.path().join("pwned2").exists());
}

/// PostgreSQL's programs, where installed.
fn pg_bin() -> Option<PathBuf> {
    let found =
        std::fs::read_dir("/usr/lib/postgresql").ok().and_then(|d| d.flatten().map(|e| e.path().join("bin")).filter(|b| b.join("initdb").exists()).max());
    if found.is_none() {
        require("PostgreSQL (apt-get install postgresql)");
    }
    found
}

/// A throw-away PostgreSQL server on a Unix socket in a temporary folder (as user postgres when
/// root), stopped when dropped.
struct Pg {
    bin: PathBuf,
    dir: PathBuf,
    root: bool,
}

impl Pg {
    fn start(pg_bin: &Path, tmp: &Path) -> Option<Pg> {
        let root = unsafe { libc::geteuid() } == 0;
        let pg = Pg { bin: pg_bin.to_path_buf(), dir: tmp.join("pg"), root };
        std::fs::create_dir_all(&pg.dir).unwrap();
        if root {
            run(Command::new("chown").args(["-R", "postgres"]).arg(&pg.dir));
            run(Command::new("chmod").args(["755"]).arg(tmp));
        }
        run(pg.as_pg("initdb").arg("-D").arg(pg.dir.join("data")).args(["-A", "trust", "-U", "postgres"]));
        let opts = format!("-k {} -c listen_addresses=''", pg.dir.display());
        run(pg.as_pg("pg_ctl").arg("-D").arg(pg.dir.join("data")).args(["-o", &opts, "-w", "-l"]).arg(pg.dir.join("log")).arg("start"));
        Some(pg)
    }

    fn as_pg(&self, prog: &str) -> Command {
        let mut c = if self.root {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(self.bin.join(prog));
            c
        } else {
            Command::new(self.bin.join(prog))
        };
        c.current_dir(&self.dir);
        c
    }

    fn psql(&self) -> Command {
        let mut c = Command::new(self.bin.join("psql"));
        c.arg("-h").arg(&self.dir).args(["-U", "postgres", "-X", "-q", "-v", "ON_ERROR_STOP=1"]);
        c
    }
}

impl Drop for Pg {
    fn drop(&mut self) {
        let _ = self.as_pg("pg_ctl").arg("-D").arg(self.dir.join("data")).args(["-m", "immediate", "stop"]).output();
    }
}

#[test]
fn packages_load_into_postgresql_every_visit_once() {
    let Some(pg_bin) = pg_bin() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let pkgs = packages(tmp.path());
    let Some(pg) = Pg::start(&pg_bin, tmp.path()) else { return };
    let psql = || pg.psql();
    let loads: Vec<PathBuf> = pkgs.iter().enumerate().map(|(i, p)| prepare(p, &tmp.path().join(format!("charger-{i}")), "postgres")).collect();
    for load in loads.iter().chain(&loads) {
        run(psql().arg("-f").arg("charger.sql").current_dir(load));
    }
    let q = |sql: &str| run(psql().args(["-tA", "-c", sql])).trim().to_string();
    assert_eq!(q("select count(*) || ' ' || count(distinct visit_id) from passerelle_visits"), "32 32");
    assert_eq!(q("select count(*) from passerelle_visits where kiosk_id = 'gennevilliers-mairie-1' and mode_acces is null"), "12");
    assert_eq!(q("select count(*) from passerelle_abandons"), "2");
    assert_eq!(q("select count(*) from passerelle_exports"), "2");
    assert_eq!(q("select pg_typeof(local_date)::text from passerelle_visits limit 1"), "date");
    only_passerelle_tables(&q(
        "select string_agg(table_name, ' ') from information_schema.tables where table_schema not in ('pg_catalog', 'information_schema')",
    ));
    assert!(!tmp.path().join("pwned").exists() && !tmp.path().join("pwned2").exists());
    assert_eq!(q("select count(*) from passerelle_choix_multiples where kiosk_id is null or kiosk_id = ''"), "0", "format 1 choices get their visit's kiosk");
    // A tampered package is refused before anything is generated.
    let bad = tmp.path().join("bad");
    std::fs::create_dir_all(&bad).unwrap();
    for e in std::fs::read_dir(&pkgs[0]).unwrap().flatten() {
        std::fs::copy(e.path(), bad.join(e.file_name())).unwrap();
    }
    let text = std::fs::read_to_string(bad.join("visits.csv")).unwrap();
    std::fs::write(bad.join("visits.csv"), text.replacen("Gennevilliers", "Gennevillier", 1)).unwrap();
    let load = tmp.path().join("charger-mauvais");
    let out = bin().arg("sql").arg(&bad).arg("--out").arg(&load).output().unwrap();
    assert!(!out.status.success() && !load.exists());
    assert!(String::from_utf8_lossy(&out.stderr).contains("modifié"));
}

/// Rewrites a fixture's datapackage.json, then its hashes (a careful forger).
fn crafted(tmp: &Path, name: &str, change: impl Fn(&mut serde_json::Value)) -> PathBuf {
    let old = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/exports/passerelle-gennevilliers-mairie-1-2025-06-30");
    let d = tmp.join(name);
    crate::support::copy_dir(&old, &d);
    let mut pkg: serde_json::Value = serde_json::from_slice(&std::fs::read(d.join("datapackage.json")).unwrap()).unwrap();
    change(&mut pkg);
    std::fs::write(d.join("datapackage.json"), serde_json::to_vec_pretty(&pkg).unwrap()).unwrap();
    crate::support::resign(&d);
    d
}

/// Replaces the first `from` of a package's file by `to`, then its hashes.
fn edited(from_dir: &Path, to_dir: &Path, file: &str, from: &str, to: &str) -> PathBuf {
    crate::support::copy_dir(from_dir, to_dir);
    let text = std::fs::read_to_string(to_dir.join(file)).unwrap();
    assert!(text.contains(from));
    std::fs::write(to_dir.join(file), text.replacen(from, to, 1)).unwrap();
    crate::support::resign(to_dir);
    to_dir.to_path_buf()
}

#[test]
fn packages_with_strings_that_would_inject_commands_are_refused_with_the_file_field_and_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/exports/passerelle-gennevilliers-mairie-1-2025-06-30");
    let shell = "\n\\! touch pwned\n";
    let cases: Vec<(PathBuf, &str)> = vec![
        (
            crafted(tmp.path(), "version", |p| p["passerelle"]["questionnaire_version"] = format!("0.9.0{shell}").into()),
            "datapackage.json, champ passerelle.questionnaire_version : caractère de contrôle",
        ),
        (
            crafted(tmp.path(), "version-texte", |p| p["passerelle"]["questionnaire_version"] = "0.9.0'; \\! touch pwned".into()),
            "datapackage.json, champ passerelle.questionnaire_version : version invalide",
        ),
        (
            crafted(tmp.path(), "questionnaire", |p| p["passerelle"]["questionnaire_id"] = "positionnement-92\n.shell touch pwned".into()),
            "datapackage.json, champ passerelle.questionnaire_id : caractère de contrôle",
        ),
        (
            crafted(tmp.path(), "questionnaire-texte", |p| p["passerelle"]["questionnaire_id"] = "positionnement-92 .shell touch pwned".into()),
            "datapackage.json, champ passerelle.questionnaire_id : identifiant invalide",
        ),
        (
            crafted(tmp.path(), "borne", |p| p["passerelle"]["kiosk_id"] = "x'; drop table passerelle_visits; --".into()),
            "datapackage.json, champ passerelle.kiosk_id : identifiant de borne invalide",
        ),
        (
            crafted(tmp.path(), "structure", |p| p["passerelle"]["structure"] = format!("Mairie{shell}").into()),
            "datapackage.json, champ passerelle.structure : caractère de contrôle",
        ),
        (
            crafted(tmp.path(), "colonne", |p| p["resources"][0]["schema"]["fields"][12]["name"] = "age\"; drop table passerelle_visits; --".into()),
            "datapackage.json, table visits : nom de colonne invalide",
        ),
        (
            crafted(tmp.path(), "colonne-ligne", |p| p["resources"][0]["schema"]["fields"][12]["name"] = format!("age{shell}").into()),
            "datapackage.json, champ resources[0].schema.fields[12].name : caractère de contrôle",
        ),
        // A kiosk id cell that is not one (rows reach file names and keys).
        (
            edited(&fixture, &tmp.path().join("cellule"), "visits.csv", ",gennevilliers-mairie-1,", ",gennevilliers';drop,"),
            "visits.csv, ligne 2, colonne kiosk_id : identifiant de borne invalide",
        ),
        // A folder whose name holds a newline and a psql command.
        (edited(&fixture, &tmp.path().join(format!("passerelle-x{shell}")), "LISEZMOI.txt", "", ""), "le nom du dossier contient un caractère de contrôle"),
    ];
    for (i, (dir, why)) in cases.iter().enumerate() {
        let load = tmp.path().join(format!("charger-{i}"));
        let out = bin().arg("sql").arg(dir).arg("--out").arg(&load).current_dir(tmp.path()).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && !load.exists(), "{}: a script was written", dir.display());
        assert!(err.contains(why), "{}: {err}", dir.display());
    }
    // The merge refuses them too, each with its reason, and merges nothing of them.
    let out = tmp.path().join("fusion");
    let run = bin().arg("merge").args(cases.iter().map(|c| &c.0)).arg("--out").arg(&out).current_dir(tmp.path()).output().unwrap();
    assert_eq!(run.status.code(), Some(1), "nothing usable");
    let err = String::from_utf8_lossy(&run.stderr);
    for (_, why) in &cases {
        assert!(err.contains(why), "{why}: {err}");
    }
    assert!(!out.exists() && !tmp.path().join("pwned").exists());
}

/// Strings a package can carry that would be commands if they reached a script: quotes, `;`,
/// backslash commands of psql (`\!`), dot commands of DuckDB (`.shell`), comment starts and glob
/// characters. No control character: those are refused (see below).
const HOSTILE: [&str; 4] =
    ["Mairie'; \\! touch pwned #", "Clichy\"; .shell touch pwned2 -- /*", "x\\' ; \\copy passerelle_visits to 'vol.csv'", "Borne [x]*?{a,b} ; .read evil.sql"];

/// The fixture with hostile (but printable) strings in its labels, titles and cells, in a folder
/// whose name is hostile too, re-hashed by a careful forger.
fn hostile_package(tmp: &Path) -> PathBuf {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/exports/passerelle-gennevilliers-mairie-1-2025-06-30");
    let d = tmp.join(format!("passerelle-gennevilliers-mairie-1-[x]'\"; \\! id #{}", HOSTILE[3]));
    crate::support::copy_dir(&fixture, &d);
    let visits = std::fs::read_to_string(d.join("visits.csv")).unwrap();
    let q = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    std::fs::write(
        d.join("visits.csv"),
        visits.replace(",Mairie de Gennevilliers,", &format!(",{},", q(HOSTILE[0]))).replace(",Gennevilliers,", &format!(",{},", q(HOSTILE[1]))),
    )
    .unwrap();
    let mut pkg: serde_json::Value = serde_json::from_slice(&std::fs::read(d.join("datapackage.json")).unwrap()).unwrap();
    pkg["passerelle"]["structure"] = HOSTILE[0].into();
    pkg["passerelle"]["commune"] = HOSTILE[1].into();
    pkg["title"] = HOSTILE[2].into();
    pkg["resources"][0]["title"] = HOSTILE[3].into();
    pkg["resources"][0]["schema"]["fields"][2]["title"] = HOSTILE[2].into();
    std::fs::write(d.join("datapackage.json"), serde_json::to_vec_pretty(&pkg).unwrap()).unwrap();
    crate::support::resign(&d);
    d
}

/// Issue 23, point 1: the loading script holds no byte of the package; the real psql and DuckDB
/// load a package full of would-be commands as data, create only Passerelle's tables, and run
/// nothing.
#[test]
fn the_load_script_holds_no_byte_of_a_crafted_package_and_loads_it_as_data() {
    let tmp = tempfile::tempdir().unwrap();
    let pkg = hostile_package(tmp.path());
    let name = pkg.file_name().unwrap().to_string_lossy().into_owned();
    for dialect in ["postgres", "duckdb"] {
        let load = prepare(&pkg, &tmp.path().join(format!("charger-{dialect}")), dialect);
        let script = std::fs::read_to_string(load.join("charger.sql")).unwrap();
        for s in HOSTILE.iter().copied().chain([name.as_str(), "pwned", "\\!", ".shell", "[x]", "Gennevilliers", "2025-06-30"]) {
            assert!(!script.contains(s), "{dialect}: the script holds « {s} » from the package:\n{script}");
        }
        let mut files: Vec<String> = std::fs::read_dir(&load).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
        files.sort();
        assert_eq!(files, ["abandons.csv", "charger.sql", "choix_multiples.csv", "dictionnaire.csv", "visits.csv"], "names chosen by Passerelle");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&load).unwrap().permissions().mode() & 0o777, 0o700, "owner-only, whatever the umask");
        }
    }
    if let Some(cli) = duckdb_cli() {
        let db = tmp.path().join("base.duckdb");
        duckdb_load(&cli, &db, &tmp.path().join("charger-duckdb"));
        assert_eq!(duckdb_query(&cli, &db, "select distinct structure from passerelle_visits"), format!("\"{}\"", HOSTILE[0].replace('"', "\"\"")));
        only_passerelle_tables_but_exports(&duckdb_query(&cli, &db, "select string_agg(table_name, ' ') from information_schema.tables"));
    } else {
        require("the duckdb command line (pip install duckdb-cli, in .venv)");
    }
    if let Some(pg_bin) = pg_bin() {
        let pg = Pg::start(&pg_bin, tmp.path()).unwrap();
        run(pg.psql().arg("-f").arg("charger.sql").current_dir(tmp.path().join("charger-postgres")));
        let q = |sql: &str| run(pg.psql().args(["-tA", "-c", sql])).trim().to_string();
        assert_eq!(q("select distinct commune from passerelle_visits"), HOSTILE[1]);
        only_passerelle_tables_but_exports(&q(
            "select string_agg(table_name, ' ') from information_schema.tables where table_schema not in ('pg_catalog', 'information_schema')",
        ));
    }
    for d in [tmp.path().to_path_buf(), tmp.path().join("charger-duckdb"), tmp.path().join("charger-postgres")] {
        for f in ["pwned", "pwned2", "vol.csv"] {
            assert!(!d.join(f).exists(), "{} appeared in {}", f, d.display());
        }
    }
}

fn only_passerelle_tables_but_exports(tables: &str) {
    let mut t: Vec<&str> = tables.trim_matches('"').split_whitespace().collect();
    t.sort();
    assert_eq!(t, ["passerelle_abandons", "passerelle_choix_multiples", "passerelle_dictionnaire", "passerelle_visits"], "{tables}");
}

/// Issue 23, point 1: a control character (NUL, CR, LF, U+0085, U+2028) anywhere in a package —
/// a key, a name, a title, a version, a cell — or a key that is not the table's is refused
/// before anything is written, with the file and where.
#[test]
fn control_characters_and_foreign_keys_anywhere_in_a_package_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/exports/passerelle-gennevilliers-mairie-1-2025-06-30");
    let cell = |name: &str, bad: &str| {
        let d = tmp.path().join(name);
        crate::support::copy_dir(&fixture, &d);
        let visits = std::fs::read_to_string(d.join("visits.csv")).unwrap();
        std::fs::write(d.join("visits.csv"), visits.replacen(",Gennevilliers,", &format!(",\"Genne{bad}villiers\",",), 1)).unwrap();
        crate::support::resign(&d);
        d
    };
    let cases: Vec<(PathBuf, &str)> = vec![
        (
            crafted(tmp.path(), "cle-nul", |p| p["resources"][2]["schema"]["primaryKey"] = serde_json::json!(["kiosk_id\u{0}\"; \\! touch pwned #"])),
            "caractère de contrôle",
        ),
        (
            crafted(tmp.path(), "cle-ligne", |p| p["resources"][2]["schema"]["primaryKey"] = serde_json::json!(["kiosk_id\n\\! touch pwned"])),
            "caractère de contrôle",
        ),
        (
            crafted(tmp.path(), "cle-autre", |p| p["resources"][2]["schema"]["primaryKey"] = serde_json::json!(["step"])),
            "table abandons : clé primaire inattendue",
        ),
        (crafted(tmp.path(), "titre", |p| p["resources"][1]["title"] = "Choix\r\\! touch pwned".into()), "champ resources[1].title : caractère de contrôle"),
        (crafted(tmp.path(), "description", |p| p["description"] = "x\u{2028}.shell touch pwned".into()), "champ description : caractère de contrôle"),
        (crafted(tmp.path(), "commune-nel", |p| p["passerelle"]["commune"] = "Clichy\u{85}".into()), "champ passerelle.commune : caractère de contrôle"),
        (crafted(tmp.path(), "nom-cle", |p| p["x\u{0}y"] = 1.into()), "caractère de contrôle"),
        (cell("cellule-nul", "\u{0}"), "visits.csv, ligne 2, colonne commune : caractère de contrôle"),
        (cell("cellule-cr", "\r\n\\! touch pwned\r\n"), "visits.csv, ligne 2, colonne commune : caractère de contrôle"),
        (cell("cellule-2028", "\u{2028}"), "colonne commune : caractère de contrôle"),
    ];
    for (i, (dir, why)) in cases.iter().enumerate() {
        let load = tmp.path().join(format!("charger-{i}"));
        let out = bin().arg("sql").arg(dir).arg("--out").arg(&load).current_dir(tmp.path()).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && !load.exists(), "{}: loaded", dir.display());
        assert!(err.contains(why), "{}: {err}", dir.display());
        assert!(!err.contains('\u{0}') && !err.contains('\u{85}') && !err.contains('\u{2028}'), "the reason shows the character escaped: {err:?}");
        let merged = tmp.path().join(format!("fusion-{i}"));
        let out = bin().arg("merge").arg(dir).arg("--out").arg(&merged).output().unwrap();
        assert!(!out.status.success() && !merged.exists(), "{}: merged", dir.display());
        assert!(String::from_utf8_lossy(&out.stderr).contains(why), "{}", String::from_utf8_lossy(&out.stderr));
    }
    assert!(!tmp.path().join("pwned").exists());
}

/// Issue 23, point 1: DuckDB takes `[ ] * ?` in a path as a pattern. The load folder has names
/// Passerelle chose, so the signed package checked under `…-[x]` is the one loaded, never its
/// forged sibling `…-x`.
#[test]
fn the_package_checked_is_the_one_loaded_even_beside_a_sibling_its_name_would_match() {
    let Some(cli) = duckdb_cli() else {
        require("the duckdb command line (pip install duckdb-cli, in .venv)");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    run(bin().arg("--data-dir").arg(&data).args(["replay", "--random", "6", "--seed", "8"]));
    run(bin().arg("--data-dir").arg(&data).arg("export").arg("--to").arg(tmp.path().join("usb")));
    let export = std::fs::read_dir(tmp.path().join("usb")).unwrap().flatten().next().unwrap().path();
    let signed = tmp.path().join("lot").join("passerelle-kiosk-a-[x]");
    crate::support::copy_dir(&export, &signed);
    let forged =
        edited(&export, &tmp.path().join("lot").join("passerelle-kiosk-a-x"), "visits.csv", ",Centre social Nelly Roussel,", ",FALSIFIE Centre social,");
    assert!(std::fs::read_to_string(forged.join("visits.csv")).unwrap().contains("FALSIFIE"));
    let key = bin().arg("--data-dir").arg(&data).arg("signing-key").output().unwrap();
    let keys = tmp.path().join("cles.txt");
    std::fs::write(&keys, String::from_utf8_lossy(&key.stderr).lines().last().unwrap()).unwrap();
    let load = tmp.path().join("charger");
    run(bin().arg("sql").arg(&signed).arg("--trusted-keys").arg(&keys).arg("--out").arg(&load).args(["--dialect", "duckdb"]));
    let db = tmp.path().join("base.duckdb");
    duckdb_load(&cli, &db, &load);
    assert_eq!(duckdb_query(&cli, &db, "select count(*) from passerelle_visits"), "6");
    assert_eq!(duckdb_query(&cli, &db, "select count(*) from passerelle_visits where structure like '%FALSIFIE%'"), "0");
}
