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
    let python = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python");
    if !python.exists() || !Command::new(&python).args(["-c", "import duckdb"]).status().is_ok_and(|s| s.success()) {
        require("duckdb (pip, in .venv)");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let mut scripts = Vec::new();
    for (i, p) in packages(tmp.path()).iter().enumerate() {
        let f = tmp.path().join(format!("load-{i}.sql"));
        std::fs::write(&f, run(bin().arg("sql").arg(p).args(["--dialect", "duckdb"]))).unwrap();
        scripts.push(f);
    }
    let db = tmp.path().join("region.duckdb");
    let code = r#"
import duckdb, sys
con = duckdb.connect(sys.argv[1])
for f in sys.argv[2:]:
    con.execute(open(f).read())
q = lambda s: con.execute(s).fetchall()
print(q("select count(*), count(distinct visit_id) from passerelle_visits")[0])
print(q("select count(*) from passerelle_visits where kiosk_id = 'gennevilliers-mairie-1' and mode_acces is null")[0])
print(q("select count(*) from passerelle_choix_multiples m left join passerelle_visits v using (kiosk_id, visit_id) where v.visit_id is null")[0])
print(q("select count(*) from passerelle_abandons")[0])
print(q("select typeof(local_date) from passerelle_visits limit 1")[0])
"#;
    let out = run(Command::new(&python).arg("-c").arg(code).arg(&db).args(&scripts).current_dir(tmp.path()));
    assert_eq!(out.lines().collect::<Vec<_>>(), ["(32, 32)", "(12,)", "(0,)", "(2,)", "('DATE',)"], "{out}");
    let code =
        "import duckdb, sys\nprint(' '.join(r[0] for r in duckdb.connect(sys.argv[1]).execute('select table_name from information_schema.tables').fetchall()))";
    only_passerelle_tables(&run(Command::new(&python).arg("-c").arg(code).arg(&db)));
    assert!(!tmp.path().join("pwned").exists() && !tmp.path().join("pwned2").exists());
}

#[test]
fn packages_load_into_postgresql_every_visit_once() {
    let Some(pg_bin) =
        std::fs::read_dir("/usr/lib/postgresql").ok().and_then(|d| d.flatten().map(|e| e.path().join("bin")).filter(|b| b.join("initdb").exists()).max())
    else {
        require("PostgreSQL (apt-get install postgresql)");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let pkgs = packages(tmp.path());
    // A throw-away server on a Unix socket in the temporary folder (as user postgres when root).
    let root = unsafe { libc::geteuid() } == 0;
    let pg = tmp.path().join("pg");
    std::fs::create_dir_all(&pg).unwrap();
    let as_pg = |prog: &str| {
        let mut c = if root {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(pg_bin.join(prog));
            c
        } else {
            Command::new(pg_bin.join(prog))
        };
        c.current_dir(&pg);
        c
    };
    if root {
        run(Command::new("chown").args(["-R", "postgres"]).arg(&pg));
        run(Command::new("chmod").args(["755"]).arg(tmp.path()));
    }
    run(as_pg("initdb").arg("-D").arg(pg.join("data")).args(["-A", "trust", "-U", "postgres"]));
    let opts = format!("-k {} -c listen_addresses=''", pg.display());
    run(as_pg("pg_ctl").arg("-D").arg(pg.join("data")).args(["-o", &opts, "-w", "-l"]).arg(pg.join("log")).arg("start"));
    struct Stop<'a>(&'a dyn Fn());
    impl Drop for Stop<'_> {
        fn drop(&mut self) {
            (self.0)()
        }
    }
    let stop = || {
        let _ = as_pg("pg_ctl").arg("-D").arg(pg.join("data")).args(["-m", "immediate", "stop"]).output();
    };
    let _stop = Stop(&stop);
    let psql = || {
        let mut c = Command::new(pg_bin.join("psql"));
        c.arg("-h").arg(&pg).args(["-U", "postgres", "-X", "-q", "-v", "ON_ERROR_STOP=1"]);
        c
    };
    for p in pkgs.iter().chain(&pkgs) {
        let f = tmp.path().join("load.sql");
        std::fs::write(&f, run(bin().arg("sql").arg(p))).unwrap();
        run(psql().arg("-f").arg(&f).current_dir(tmp.path()));
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
    let out = bin().arg("sql").arg(&bad).output().unwrap();
    assert!(!out.status.success() && out.stdout.is_empty());
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
            "datapackage.json, champ passerelle.questionnaire_version : version invalide",
        ),
        (
            crafted(tmp.path(), "questionnaire", |p| p["passerelle"]["questionnaire_id"] = "positionnement-92\n.shell touch pwned".into()),
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
            "datapackage.json, table visits : nom de colonne invalide",
        ),
        // A kiosk id cell that is not one (rows reach file names and keys).
        (
            edited(&fixture, &tmp.path().join("cellule"), "visits.csv", ",gennevilliers-mairie-1,", ",gennevilliers';drop,"),
            "visits.csv, ligne 2, colonne kiosk_id : identifiant de borne invalide",
        ),
        // A folder whose name holds a newline and a psql command.
        (edited(&fixture, &tmp.path().join(format!("passerelle-x{shell}")), "LISEZMOI.txt", "", ""), "le nom du dossier contient un caractère de contrôle"),
    ];
    for (dir, why) in &cases {
        let out = bin().arg("sql").arg(dir).current_dir(tmp.path()).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && out.stdout.is_empty(), "{}: a script was written", dir.display());
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
