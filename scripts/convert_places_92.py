#!/usr/bin/env python3
"""Convert the 2022 snapshot of Hauts-de-Seine (92) digital-inclusion places
into the national "Standard de données des lieux de médiation numérique" v1.0.2.

Input : the 2022 snapshot of La Cartographie nationale des lieux d'inclusion
        numérique (source "conseiller-numerique"), 92 département only, as a
        JSON array in the older v0.1 vocabulary
        (default: assets/places/source/lieux-cnfs-92-2022.json, a copy of the snapshot).
Output: assets/places/places-92.csv (relative to the repository root), one row
        per place, every column of the v1.0.2 Table Schema in the schema's
        order, header included, UTF-8 without BOM, comma separator, "\\n" line
        endings, minimal quoting (csv module), multi-valued cells joined by "|".

Usage:
    python3 scripts/convert_places_92.py [--input PATH] [--output PATH]

The script uses the Python 3 standard library only. It is deterministic: rows
are written in ascending order of the source id and every multi-valued cell
follows the order of the v1 vocabulary, so re-running it on the same input
gives a byte-identical file. It fails loudly (non-zero exit, message on
stderr) on any value it does not know how to map (unknown commune, service
string, label, fee condition, malformed date) instead of guessing.

Mapping rules, assumptions and the list of normalised values are documented
in assets/places/MAPPING.md; provenance, licence (Licence Ouverte / Open
Licence Etalab 2.0) and validation steps in assets/places/SOURCE.md.

Validate the result against the national schema with frictionless:
    frictionless validate --schema standard-mediation-num-schema.json \\
        assets/places/places-92.csv
"""

import argparse
import csv
import datetime
import json
import re
import sys
import unicodedata
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INPUT = Path(__file__).resolve().parent.parent / "assets/places/source/lieux-cnfs-92-2022.json"
DEFAULT_OUTPUT = REPO_ROOT / "assets" / "places" / "places-92.csv"

# Columns of schema v1.0.2 (LaMednum/standard-mediation-num, schema.json), in order.
COLUMNS = [
    "id",
    "pivot",
    "nom",
    "commune",
    "code_postal",
    "code_insee",
    "adresse",
    "complement_adresse",
    "latitude",
    "longitude",
    "typologie",
    "telephone",
    "courriels",
    "site_web",
    "horaires",
    "presentation_resume",
    "presentation_detail",
    "source",
    "itinerance",
    "structure_parente",
    "date_maj",
    "services",
    "publics_specifiquement_adresses",
    "prise_en_charge_specifique",
    "frais_a_charge",
    "dispositif_programmes_nationaux",
    "formations_labels",
    "autres_formations_labels",
    "modalites_acces",
    "modalites_accompagnement",
    "fiche_acces_libre",
    "prise_rdv",
]

ID_PREFIX = "cnfs-92-"
SOURCE_LABEL = "conseiller-numerique (cartographie nationale 2022)"
MULTI_SEP = "|"

# --- v1 vocabularies (order = order of the standard) --------------------------------

SERVICES_V1 = [
    "Aide aux démarches administratives",
    "Maîtrise des outils numériques du quotidien",
    "Insertion professionnelle via le numérique",
    "Utilisation sécurisée du numérique",
    "Parentalité et éducation avec le numérique",
    "Loisirs et créations numériques",
    "Compréhension du monde numérique",
    "Accès internet et matériel informatique",
    "Acquisition de matériel informatique à prix solidaire",
]

DISPOSITIFS_V1 = [
    "Aidants Connect",
    "Bibliothèques numérique de référence",
    "Certification PIX",
    "Conseillers numériques",
    "Emmaüs Connect",
    "France Services",
    "Grande école du numérique",
    "La Croix Rouge",
    "Point d'accès numérique CAF",
    "Promeneurs du net",
    "Relais numérique (Emmaüs Connect)",
]

FRAIS_V1 = ["Gratuit", "Gratuit sous condition", "Payant"]

MODALITES_ACCOMPAGNEMENT_V1 = [
    "En autonomie",
    "Accompagnement individuel",
    "Dans un atelier collectif",
    "À distance",
]

# --- mapping tables (old v0.1 value -> v1 value(s)); see MAPPING.md ------------------

SERVICES_MAP = {
    "Prendre en main un smartphone ou une tablette": ["Maîtrise des outils numériques du quotidien"],
    "Prendre en main un ordinateur": ["Maîtrise des outils numériques du quotidien"],
    "Utiliser le numérique au quotidien": ["Maîtrise des outils numériques du quotidien"],
    "Approfondir ma culture numérique": ["Compréhension du monde numérique"],
}

# Rule based on the national label, not on the old services field: the France
# Services and Aidants Connect programmes exist to help with online
# administrative procedures.
SERVICES_FROM_LABELS = {
    "France Services": ["Aide aux démarches administratives"],
    "Aidants Connect": ["Aide aux démarches administratives"],
}

LABELS_MAP = {
    "CNFS": "Conseillers numériques",
    "France Services": "France Services",
    "Aidants Connect": "Aidants Connect",
}

FRAIS_MAP = {
    "Gratuit": "Gratuit",
}

# Assumption (the 2022 data has no modalités): conseillers numériques offer
# individual support and collective workshops.
DEFAULT_MODALITES_ACCOMPAGNEMENT = ["Accompagnement individuel", "Dans un atelier collectif"]

# Placeholder used by the national map's tooling for an unknown SIRET/RNA
# (matches the schema pattern ^[a-zA-Z0-9]{9,14}$).
PIVOT_UNKNOWN = "00000000000000"

# Official commune names (Code officiel géographique) and INSEE codes, keyed by
# a spelling-insensitive form (see commune_key). Postal codes are used as a
# consistency check.
COMMUNES = {
    "ASNIERES SUR SEINE": ("Asnières-sur-Seine", "92004", {"92600"}),
    "BAGNEUX": ("Bagneux", "92007", {"92220"}),
    "BOULOGNE BILLANCOURT": ("Boulogne-Billancourt", "92012", {"92100"}),
    "BOURG LA REINE": ("Bourg-la-Reine", "92014", {"92340"}),
    "COLOMBES": ("Colombes", "92025", {"92700"}),
    "GENNEVILLIERS": ("Gennevilliers", "92036", {"92230"}),
    "LEVALLOIS PERRET": ("Levallois-Perret", "92044", {"92300"}),
    "NANTERRE": ("Nanterre", "92050", {"92000"}),
    "RUEIL MALMAISON": ("Rueil-Malmaison", "92063", {"92500"}),
    "VILLENEUVE LA GARENNE": ("Villeneuve-la-Garenne", "92078", {"92390"}),
}

# Patterns from the schema.
PIVOT_RE = re.compile(r"^[a-zA-Z0-9]{9,14}$")
CODE_POSTAL_RE = re.compile(r"^\d{5}$")
CODE_INSEE_RE = re.compile(r"^([013-9]\d|2[AB1-9])\d{3}$")
TELEPHONE_RE = re.compile(r"^(\+33|\+590|\+594|\+262|\+596|\+269|\+687|\+689|\+508|\+681)(\d){6,9}$")


class ConversionError(Exception):
    pass


def clean(value):
    """Return a stripped string, or "" for None/empty."""
    if value is None:
        return ""
    return str(value).strip()


def split_list(value):
    """Split an old comma-separated multi-value cell."""
    return [part.strip() for part in clean(value).split(",") if part.strip()]


def ordered(values, vocabulary):
    """Deduplicate values and order them as in the v1 vocabulary."""
    unknown = set(values) - set(vocabulary)
    if unknown:
        raise ConversionError(f"values outside the v1 vocabulary: {sorted(unknown)}")
    return [v for v in vocabulary if v in set(values)]


def commune_key(name):
    """Spelling-insensitive key: no accents, upper case, hyphens/apostrophes as spaces."""
    decomposed = unicodedata.normalize("NFKD", name)
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[-'’]", " ", ascii_only).upper().split())


def normalise_commune(raw, code_postal):
    key = commune_key(clean(raw))
    if key not in COMMUNES:
        raise ConversionError(f"unknown commune {raw!r}: add it to COMMUNES")
    name, insee, postal_codes = COMMUNES[key]
    if code_postal not in postal_codes:
        raise ConversionError(f"postal code {code_postal} does not belong to {name}")
    return name, insee


def normalise_telephone(raw):
    """Return the phone in the schema's international form, or "" if unusable.

    French numbers: spaces, dots and dashes are removed; "0X XX XX XX XX",
    "0033XXXXXXXXX" and the malformed "+0XXXXXXXXX" (the national prefix was
    left after the "+", evident intent: +33) become "+33XXXXXXXXX".
    """
    phone = re.sub(r"[\s.\-()]", "", clean(raw))
    if not phone:
        return ""
    if re.fullmatch(r"\+0\d{9}", phone):
        phone = "+33" + phone[2:]
    elif re.fullmatch(r"0\d{9}", phone):
        phone = "+33" + phone[1:]
    elif re.fullmatch(r"0033\d{9}", phone):
        phone = "+" + phone[2:]
    elif re.fullmatch(r"\+330\d{9}", phone):
        phone = "+33" + phone[4:]
    return phone if TELEPHONE_RE.match(phone) else ""


def normalise_pivot(raw):
    pivot = re.sub(r"\s", "", clean(raw))
    return pivot if PIVOT_RE.match(pivot) else PIVOT_UNKNOWN


def iso_date(raw):
    value = clean(raw)
    try:
        return datetime.date.fromisoformat(value).isoformat()
    except ValueError as exc:
        raise ConversionError(f"date_maj {value!r} is not an ISO date") from exc


def number(value):
    if value is None or value == "":
        return ""
    return repr(float(value))


def convert_place(place):
    source_id = clean(place.get("id"))
    if not source_id:
        raise ConversionError("place without id")

    code_postal = clean(place.get("code_postal"))
    if not CODE_POSTAL_RE.match(code_postal):
        raise ConversionError(f"invalid code_postal {code_postal!r}")
    commune, code_insee = normalise_commune(place.get("commune"), code_postal)
    assert CODE_INSEE_RE.match(code_insee)

    labels = split_list(place.get("labels_nationaux"))
    unknown_labels = [label for label in labels if label not in LABELS_MAP]
    if unknown_labels:
        raise ConversionError(f"unknown national labels {unknown_labels}")

    services = []
    for old in split_list(place.get("services")):
        if old not in SERVICES_MAP:
            raise ConversionError(f"unknown service {old!r}: add it to SERVICES_MAP")
        services.extend(SERVICES_MAP[old])
    for label in labels:
        services.extend(SERVICES_FROM_LABELS.get(label, []))

    frais = []
    for old in split_list(place.get("conditions_access")):
        if old not in FRAIS_MAP:
            raise ConversionError(f"unknown conditions_access {old!r}: add it to FRAIS_MAP")
        frais.append(FRAIS_MAP[old])

    row = {column: "" for column in COLUMNS}
    row.update(
        {
            "id": ID_PREFIX + source_id,
            "pivot": normalise_pivot(place.get("pivot")),
            "nom": clean(place.get("nom")),
            "commune": commune,
            "code_postal": code_postal,
            "code_insee": code_insee,
            "adresse": clean(place.get("adresse")),
            "latitude": number(place.get("latitude")),
            "longitude": number(place.get("longitude")),
            "telephone": normalise_telephone(place.get("telephone")),
            "courriels": clean(place.get("courriel")),
            "site_web": clean(place.get("site_web")),
            "horaires": clean(place.get("horaires")),
            "source": SOURCE_LABEL,
            "date_maj": iso_date(place.get("date_maj")),
            "services": MULTI_SEP.join(ordered(services, SERVICES_V1)),
            "frais_a_charge": MULTI_SEP.join(ordered(frais, FRAIS_V1)),
            "dispositif_programmes_nationaux": MULTI_SEP.join(
                ordered([LABELS_MAP[label] for label in labels], DISPOSITIFS_V1)
            ),
            "modalites_accompagnement": MULTI_SEP.join(
                ordered(DEFAULT_MODALITES_ACCOMPAGNEMENT, MODALITES_ACCOMPAGNEMENT_V1)
            ),
        }
    )
    if not row["nom"] or not row["adresse"]:
        raise ConversionError("missing nom or adresse")
    return row


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", type=Path, default=DEFAULT_INPUT, help="2022 JSON snapshot")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="CSV to write")
    args = parser.parse_args(argv)

    with args.input.open(encoding="utf-8") as handle:
        places = json.load(handle)

    rows = []
    for place in sorted(places, key=lambda p: clean(p.get("id"))):
        try:
            rows.append(convert_place(place))
        except ConversionError as exc:
            print(f"error: place {place.get('id')!r}: {exc}", file=sys.stderr)
            return 1

    ids = [row["id"] for row in rows]
    if len(ids) != len(set(ids)):
        print("error: duplicate ids in the input", file=sys.stderr)
        return 1

    args.output.parent.mkdir(parents=True, exist_ok=True)
    with args.output.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)

    print(f"wrote {len(rows)} places to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
