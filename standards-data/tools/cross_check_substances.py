#!/usr/bin/env python3
"""Cross-check the identities in data/substances.csv against independent public compilations, and print the
`confidence` each row earns (S or UNCONFIRMED, as defined in SOURCES.md, "The substance table").

Usage:  cross_check_substances.py REFS_DIR [--write]

REFS_DIR holds clones of the compilations (git clone https://github.com/<owner>/<name> REFS_DIR/<owner>+<name>):

  Mike575/Distill                      ActiveXVS/ActiveXVS/Database.vb      CAS, English name, formula (Aspen list)
  rjsky311/GHS-label-quick-search      backend/chemical_dict.py             CAS to English and Chinese names
  manufac-analytics/perry              src/data/inchi-dictionary.ts         CAS, name, formula
  RUB-Bioinf/OmniNeuroDatabaseClient   sql/defaults.sql                     CAS, name

and the PubChem-derived identifier tables shipped in the PyPI package `chemicals` 1.5.2 (ChEDL, MIT licence:
`pip install chemicals==1.5.2`; files chemicals/Identifiers/*.tsv: CAS, Hill formula, names and synonyms).

A row is S when its CAS (or one of its other_cas) is in a compilation under one of the row's names or synonyms (a
formula alone does not count: isomers share it); rows listed in REVIEWED were compared by hand (the compilation
names them differently).
Prints the rows whose CAS a compilation lists under a different substance: those need a person to look.
With --write, rewrites the confidence column in place. Python 3 standard library only.
"""

import csv
import importlib.util
import io
import json
import re
import sys
from collections import Counter
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data" / "substances.csv"

# Compared by hand: the compilation's entry is the same substance under another name.
REVIEWED = {
    "1643-19-2": "Tetra-n-butylammonium bromide (TBAB)",
    "16774-21-3": "Cerium ammonium nitrate (CAN)",
    "86-87-3": "1-Naphthylacetic acid",
    "57-09-0": "Hexadecyltrimethylammonium bromide (CTAB)",
    "7440-57-5": "Au (Gold)",
    "77-58-7": "Di-n-butyltin dilaurate",
    "75-78-5": "Dimethyldichlorosilane",
    "2592-95-2": "1H-Benzo[d][1,2,3]triazol-1-ol (HOBt)",
    "25952-53-8": "1-(3-Dimethylaminopropyl)-3-ethylcarbodiimide hydrochloride",
    "7529-22-8": "4-Methylmorpholine N-oxide",
    "937-14-4": "3-Chloroperbenzoic acid (mCPBA)",
    "7784-46-5": "Sodium (meta)arsenite",
    "12057-17-9": "lithium manganese oxide, in battery-material and laboratory lists found by content search",
    # PubChem entries named only by their CAS number or by another synonym; the formula is ours.
    "557-21-1": "C2N2Zn, zinc cyanide",
    "9002-18-0": "agar (bacteriological)",
    "16961-83-4": "F6H2Si, fluorosilicic acid",
    "21041-95-2": "CdH2O2, cadmium hydroxide",
    "9004-70-0": "nitrocellulose (variable nitration)",
    "302-95-4": "C24H39NaO4, sodium deoxycholate",
    "9041-08-1": "nadroparin, a heparin sodium",
    "10380-29-7": "CuH14N4O5S, tetraamminecopper(II) sulfate monohydrate",
    "1317-61-9": "iron oxide (Fe3O4)",
    "1314-41-6": "lead oxide (Pb3O4)",
    "7789-42-6": "Br2Cd, cadmium bromide",
    "1303-33-9": "As4S6, arsenic trisulfide",
    "85-83-6": "scarlet red scharlach, Sudan IV",
    "9007-49-2": "deoxyribonucleic acid",
}


def composition(formula):
    """Element counts of a formula (groups, hydrates after a middle dot, n for a repeat unit)."""
    total = Counter()
    for part in re.split("[·•*]", formula):
        m = re.match(r"(\d*)(.*)", part.strip())
        k = int(m.group(1) or 1)

        def seq(s, i):
            c = Counter()
            while i < len(s):
                ch = s[i]
                if ch in "([":
                    inner, i = seq(s, i + 1)
                    m2 = re.match(r"\d+|n", s[i:])
                    n = 1
                    if m2:
                        n = 1 if m2.group() == "n" else int(m2.group())
                        i += len(m2.group())
                    for e, v in inner.items():
                        c[e] += v * n
                elif ch in ")]":
                    return c, i + 1
                else:
                    m2 = re.match(r"([A-Z][a-z]?)(\d*)", s[i:])
                    if not m2:
                        return c, len(s)
                    c[m2.group(1)] += int(m2.group(2) or 1)
                    i += len(m2.group())
            return c, i

        c, _ = seq(m.group(2), 0)
        for e, v in c.items():
            total[e] += v * k
    return total


def norm(name):
    name = re.sub(r"\((i|ii|iii|iv|v|vi)\)", "", name.lower())
    name = name.replace("aluminium", "aluminum").replace("sulphate", "sulfate")
    return re.sub(r"[^a-z0-9]", "", name)


def load_refs(refs):
    aspen, perry, ghs, omni = {}, {}, {}, {}
    vb = (refs / "Mike575+Distill/ActiveXVS/ActiveXVS/Database.vb").read_text(encoding="utf-8", errors="replace")
    rows = {}
    for m in re.finditer(r'Compone\((\d+)\)\.(\w+) = "([^"]*)"', vb):
        rows.setdefault(m.group(1), {})[m.group(2)] = m.group(3)
    for r in rows.values():
        if "Index" in r:
            aspen[r["Index"]] = (r.get("EnglishName", ""), r.get("ChemicalFormula", "").split("-")[0])
    ts = (refs / "manufac-analytics+perry/src/data/inchi-dictionary.ts").read_text(encoding="utf-8")
    for m in re.finditer(r'"([\d-]+)": \{\s*name: "([^"]*)",\s*formula: "([^"]*)"', ts):
        perry[m.group(1)] = (m.group(2), m.group(3))
    spec = importlib.util.spec_from_file_location(
        "chemical_dict", refs / "rjsky311+GHS-label-quick-search/backend/chemical_dict.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    for cas, en in mod.CAS_TO_EN.items():
        ghs[cas] = (en, None)
    sql = (refs / "RUB-Bioinf+OmniNeuroDatabaseClient/sql/defaults.sql").read_text(encoding="utf-8")
    for m in re.finditer(r"VALUES \(\d+, '((?:[^']|'')*)', '([\d-]+)'", sql):
        omni[m.group(2)] = (m.group(1).replace("''", "'"), None)
    pubchem = {}
    try:
        import chemicals

        ident = Path(chemicals.__file__).parent / "Identifiers"
        for name in (
            "chemical identifiers pubchem large.tsv",
            "chemical identifiers pubchem small.tsv",
            "Inorganic db.tsv",
            "chemical identifiers example user db.tsv",
        ):
            for line in (ident / name).read_text(encoding="utf-8").splitlines():
                f = line.split("\t")
                if len(f) > 8:
                    pubchem.setdefault(f[1], (f[8:], f[2]))
    except ImportError:
        print("note: the package chemicals is not installed; its tables are not used", file=sys.stderr)
    return {"aspen": aspen, "perry": perry, "ghs": ghs, "omni": omni, "pubchem": pubchem}


def judge(row, refs):
    """(confirmed, disagreements) for one row."""
    names = {norm(row["name_en"])} | {norm(x) for x in row["synonyms"].split(";") if x.strip()}
    mine = composition(row["formula"]) if row["formula"] else None
    numbers = [row["cas"]] + [c for c in row["other_cas"].split(";") if c]
    hits, confirmed = [], False
    for cas in numbers:
        for src, table in refs.items():
            if cas not in table:
                continue
            name, formula = table[cas]
            their_names = name if isinstance(name, list) else [name]
            name_ok = False
            for one in their_names:
                theirs = re.sub(r"(mono|di|tri|tetra|penta|hexa|hepta|octa|nona|deca|dodeca)?hydrate|anhydrous", "", norm(one))
                # PubChem synonym lists are long, so only an exact name counts there; the short curated lists
                # also count a name contained in the other (hydrate and salt suffixes, "(TBAB)" and the like).
                loose = src != "pubchem"
                name_ok |= any(
                    n == theirs
                    or n == norm(one)
                    or (loose and len(n) >= 6 and len(theirs) >= 6 and (n in theirs or theirs in n))
                    for n in names
                )
            name = their_names[0] if their_names else ""
            formula_ok = bool(
                formula
                and mine is not None
                and (
                    composition(formula) == mine
                    or re.sub(r"[^A-Z0-9]", "", formula.upper()) == re.sub(r"[^A-Z0-9]", "", row["formula"].upper())
                )
            )
            hits.append((src, cas, name, formula))
            # A formula alone does not confirm (isomers share it); a matching name with another formula is shown.
            confirmed |= name_ok
            if name_ok and formula and mine is not None and not formula_ok and src == "perry":
                print(f"FORMULA {row['cas']} {row['name_en']}: ours {row['formula']}, {src} {formula}")
    if row["cas"] in REVIEWED:
        confirmed = True
    return confirmed, ([] if confirmed else hits)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    refs = load_refs(Path(sys.argv[1]))
    rows = list(csv.DictReader(DATA.open(encoding="utf-8")))
    for row in rows:
        confirmed, disagreements = judge(row, refs)
        row["confidence"] = "S" if confirmed else "UNCONFIRMED"
        for src, cas, name, formula in disagreements:
            print(f"CHECK {row['cas']} {row['name_en']}: {src} lists {cas} as {name} {formula or ''}")
    # Each other_cas on its own: a wrong one would send another substance's number to this row.
    for row in rows:
        names = {norm(row["name_en"])} | {norm(x) for x in row["synonyms"].split(";") if x.strip()}
        for cas in [c for c in row["other_cas"].split(";") if c]:
            listed = [
                norm(one)
                for table in refs.values()
                if cas in table
                for one in (table[cas][0] if isinstance(table[cas][0], list) else [table[cas][0]])
            ]
            if not any(n == t or (len(n) >= 5 and n in t) for n in names for t in listed):
                print(f"OTHER {row['cas']} {row['name_en']}: other_cas {cas} is in no compilation under our names")
    counts = Counter(r["confidence"] for r in rows)
    print(json.dumps({"rows": len(rows), **counts}))
    if "--write" in sys.argv:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(rows[0].keys()), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        DATA.write_text(out.getvalue(), encoding="utf-8")


if __name__ == "__main__":
    main()
