//! kiosk.toml: the default is valid; mistakes are reported with the line and the key.

use passerelle_core::config::Config;
use std::path::Path;

const DEFAULT: &str = passerelle_core::DEFAULT_CONFIG;

#[test]
fn default_config_is_valid() {
    let c = Config::parse(DEFAULT, "kiosk.toml", None).unwrap();
    assert_eq!(c.kiosk_id, "vlg-nelly-roussel-1");
    assert_eq!(c.context, "file_attente");
    assert_eq!(c.languages, ["fr", "en", "ar", "pt", "es", "ro"]);
    assert!(c.recipient.is_none(), "no recipient by default: no consent step");
    assert_eq!(c.idle_warning.as_secs(), 60);
    assert!(c.neighbourhoods.len() >= 5);
}

/// Labels of kiosk.toml end up in CSV cells: a formula or a control character is refused at load
/// time with the line and the key.
#[test]
fn labels_that_a_spreadsheet_would_evaluate_are_refused() {
    let structure = DEFAULT.lines().find(|l| l.starts_with("structure = ")).unwrap();
    let commune = DEFAULT.lines().find(|l| l.starts_with("commune = ")).unwrap();
    let neighbourhood = DEFAULT.lines().find(|l| l.contains("label = {") && l.contains("fr = ")).unwrap();
    let fr_label = neighbourhood.split("fr = \"").nth(1).unwrap().split('"').next().unwrap();
    for (line, replacement, key) in [
        (structure, "structure = \"=HYPERLINK(\\\"http://x\\\")\"", "structure"),
        (structure, "structure = \"+33 cmd\"", "structure"),
        (structure, "structure = \"@SUM(A1)\"", "structure"),
        (structure, "structure = \"Mairie\\n\\\\! id\"", "structure"),
        (commune, "commune = \"-2+3\"", "commune"),
        (neighbourhood, &neighbourhood.replacen(fr_label, "=1+1", 1), "neighbourhoods.label"),
    ] {
        let src = DEFAULT.replacen(line, replacement, 1);
        assert_ne!(src, DEFAULT);
        let line_no = DEFAULT.lines().position(|l| l == line).unwrap() + 1;
        let e = Config::parse(&src, "kiosk.toml", None).unwrap_err().to_string();
        assert!(e.contains(&format!("key `{key}`")) && e.contains(&format!("line {line_no}")), "{replacement}: {e}");
    }
    // A hyphen inside a name is fine.
    let ok = DEFAULT.replacen(structure, "structure = \"Centre social Saint-Exupéry\"", 1);
    assert_eq!(Config::parse(&ok, "kiosk.toml", None).unwrap().structure, "Centre social Saint-Exupéry");
}

#[test]
fn printers() {
    use passerelle_core::config::PrinterConfig;
    let parse = |p: &str| Config::parse(&DEFAULT.replacen("printer = \"none\"", p, 1), "k", None).unwrap().printer;
    assert_eq!(parse("printer = \"none\""), PrinterConfig::None);
    assert_eq!(parse("printer = { escpos = \"/dev/usb/lp0\", width_mm = 58 }"), PrinterConfig::Escpos { device: "/dev/usb/lp0".into(), width_mm: 58 });
    assert_eq!(parse("printer = { escpos = \"/dev/usb/lp0\" }"), PrinterConfig::Escpos { device: "/dev/usb/lp0".into(), width_mm: 80 });
    assert_eq!(parse("printer = { cups = \"PDF\" }"), PrinterConfig::Cups { queue: "PDF".into() });
}

#[test]
fn relative_paths_are_taken_from_the_file_directory() {
    let c = Config::parse(DEFAULT, "/etc/passerelle/kiosk.toml", Some(Path::new("/etc/passerelle"))).unwrap();
    assert_eq!(c.data_dir, Path::new("/etc/passerelle/passerelle-data"));
    let src = DEFAULT.replace("data_dir = \"passerelle-data\"", "data_dir = \"/var/lib/passerelle\"");
    assert_eq!(Config::parse(&src, "k", Some(Path::new("/etc"))).unwrap().data_dir, Path::new("/var/lib/passerelle"));
}

fn line_of(needle: &str) -> usize {
    DEFAULT.lines().position(|l| l.contains(needle)).unwrap() + 1
}

#[test]
fn mistakes_name_the_line_and_the_key() {
    let cases: &[(&str, &str, &str, &str)] = &[
        ("context = \"file_attente\"", "context = \"guichet\"", "key `context`", "context = "),
        ("kiosk_id = \"vlg-nelly-roussel-1\"", "kiosk_id = \"VLG 1\"", "key `kiosk_id`", "kiosk_id = "),
        ("warning_s = 60", "warning_s = 2", "key `idle.warning_s`", "warning_s = "),
        ("reset_s = 30", "reset_s = 100000", "key `idle.reset_s`", "reset_s = "),
        ("languages = [\"fr\", \"en\", \"ar\"", "languages = [\"fr\", \"xx\", \"ar\"", "key `languages`", "languages = "),
        ("recipient = \"\"", "recipient = \"not-a-key\"", "key `recipient`", "recipient = "),
        ("id = \"la_bongarde\"", "id = \"centre_ville\"", "key `neighbourhoods.id`", "id = \"la_bongarde\""),
        ("printer = \"none\"", "printer = { cups = \"-oraw\" }", "key `printer.cups`", "printer = "),
    ];
    for (from, to, key, line_needle) in cases {
        assert!(DEFAULT.contains(from), "{from}");
        let line = line_of(line_needle);
        let e = Config::parse(&DEFAULT.replacen(from, to, 1), "kiosk.toml", None).unwrap_err().to_string();
        assert!(e.contains(key) && e.contains(&format!("line {line}")) && e.starts_with("kiosk.toml"), "{e}");
    }
}

#[test]
fn unknown_keys_and_syntax_errors_name_the_line() {
    let src = DEFAULT.replacen("[idle]\n", "[idle]\nwarnings = 3\n", 1);
    let line = src.lines().position(|l| l.starts_with("warnings")).unwrap() + 1;
    let e = Config::parse(&src, "kiosk.toml", None).unwrap_err().to_string();
    assert!(e.contains("unknown field `warnings`") && e.contains(&format!("line {line}")), "{e}");
    let e = Config::parse("kiosk_id = \"a\"\nstructure = \n", "kiosk.toml", None).unwrap_err().to_string();
    assert!(e.contains("line 2"), "{e}");
    let e = Config::parse("kiosk_id = \"a\"\n", "kiosk.toml", None).unwrap_err().to_string();
    assert!(e.contains("missing field"), "{e}");
}

/// A neighbourhood means a place only with its commune ("La Caravelle" of Villeneuve-la-Garenne
/// is not another commune's): each has one, its own `commune` or else the kiosk's.
#[test]
fn every_neighbourhood_has_its_commune() {
    let c = Config::parse(DEFAULT, "kiosk.toml", None).unwrap();
    assert!(c.neighbourhoods.iter().all(|n| n.commune == "Villeneuve-la-Garenne"), "{:?}", c.neighbourhoods);
    assert_eq!(c.neighbourhood_commune("la_caravelle"), Some("Villeneuve-la-Garenne"));
    assert_eq!(c.neighbourhood_commune("autre_commune"), None, "not a neighbourhood of the kiosk");
    // One neighbourhood across the border names its commune; the others keep the kiosk's.
    let own = "id = \"chanteraines\"\nlabel = { fr = \"Les Chanteraines\", en = \"Les Chanteraines\" }";
    assert!(DEFAULT.contains(own));
    let src = DEFAULT.replacen(own, &format!("{own}\ncommune = \" Gennevilliers \""), 1);
    let c = Config::parse(&src, "kiosk.toml", None).unwrap();
    assert_eq!(c.neighbourhood_commune("chanteraines"), Some("Gennevilliers"), "trimmed");
    assert_eq!(c.neighbourhood_commune("la_caravelle"), Some("Villeneuve-la-Garenne"));
    assert_eq!(c.commune, "Villeneuve-la-Garenne");
    // A bad commune is refused with its line and key, like the kiosk's own.
    for bad in ["\"\"", "\"=1+1\"", &format!("\"{}\"", "x".repeat(81)), "3"] {
        let src = DEFAULT.replacen(own, &format!("{own}\ncommune = {bad}"), 1);
        let line = src.lines().position(|l| l.starts_with("commune = ") && l.contains(bad)).unwrap() + 1;
        let e = Config::parse(&src, "kiosk.toml", None).unwrap_err().to_string();
        assert!(e.contains(&format!("line {line}")), "{bad}: {e}");
        if bad != "3" {
            assert!(e.contains("key `neighbourhoods.commune`"), "{bad}: {e}");
        }
    }
}
