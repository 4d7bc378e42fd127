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

/// The old fixture (questionnaire 0.9.0), a current export and their merge.
fn packages(tmp: &Path) -> Vec<PathBuf> {
    let old = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/exports/passerelle-gennevilliers-mairie-1-2025-06-30");
    let data = tmp.join("data");
    run(bin().arg("--data-dir").arg(&data).args(["replay", "--random", "20", "--seed", "4"]));
    run(bin().arg("--data-dir").arg(&data).arg("export").arg("--to").arg(tmp.join("usb")));
    let new = std::fs::read_dir(tmp.join("usb")).unwrap().flatten().next().unwrap().path();
    run(bin().arg("merge").arg(&old).arg(&new).arg("--out").arg(tmp.join("fusion")));
    vec![old, new, tmp.join("fusion")]
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
print(q("select count(*) from passerelle_choix_multiples m left join passerelle_visits v using (visit_id) where v.visit_id is null")[0])
print(q("select count(*) from passerelle_abandons")[0])
print(q("select typeof(local_date) from passerelle_visits limit 1")[0])
"#;
    let out = run(Command::new(&python).arg("-c").arg(code).arg(&db).args(&scripts));
    assert_eq!(out.lines().collect::<Vec<_>>(), ["(32, 32)", "(12,)", "(0,)", "(2,)", "('DATE',)"], "{out}");
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
        run(psql().arg("-f").arg(&f));
    }
    let q = |sql: &str| run(psql().args(["-tA", "-c", sql])).trim().to_string();
    assert_eq!(q("select count(*) || ' ' || count(distinct visit_id) from passerelle_visits"), "32 32");
    assert_eq!(q("select count(*) from passerelle_visits where kiosk_id = 'gennevilliers-mairie-1' and mode_acces is null"), "12");
    assert_eq!(q("select count(*) from passerelle_abandons"), "2");
    assert_eq!(q("select count(*) from passerelle_exports"), "2");
    assert_eq!(q("select pg_typeof(local_date)::text from passerelle_visits limit 1"), "date");
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
