//! The controlled-chemical lists: the Catalogue of Hazardous Chemicals (2015) entries marked 剧毒, the precursor
//! chemicals (易制毒化学品) and the explosive precursors (易制爆危险化学品名录 2017). Every row names a source and a
//! known confidence tag, every CAS number has a valid check digit and appears once per list, and a sample of entries
//! read in the sources is where the lists put it. See `SOURCES.md`, "The controlled-chemical lists".

use std::collections::{HashMap, HashSet};

use standards_data::{EXPLOSIVE_PRECURSORS_2017, HIGHLY_TOXIC_2015, PRECURSORS};

type Row = HashMap<String, String>;

/// Parses one list into rows keyed by column name, checking the header has the columns the list must have.
fn rows(list: &str, text: &str, columns: &[&str]) -> Vec<Row> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap_or_else(|e| panic!("{list}: unreadable header: {e}"))
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        header, columns,
        "{list}: the header must be exactly {columns:?}"
    );
    reader
        .records()
        .enumerate()
        .map(|(i, record)| {
            let record =
                record.unwrap_or_else(|e| panic!("{list}: record {} unreadable: {e}", i + 1));
            header
                .iter()
                .cloned()
                .zip(record.iter().map(str::to_owned))
                .collect()
        })
        .collect()
}

/// The CAS check digit: the digits before it, read from the right, weighted 1, 2, 3, ...; the sum modulo 10.
fn cas_valid(cas: &str) -> bool {
    let parts: Vec<&str> = cas.split('-').collect();
    let [a, b, check] = parts.as_slice() else {
        return false;
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
    if !(2..=7).contains(&a.len()) || b.len() != 2 || check.len() != 1 {
        return false;
    }
    if !all_digits(a) || !all_digits(b) || !all_digits(check) {
        return false;
    }
    let sum: u32 = a
        .bytes()
        .chain(b.bytes())
        .rev()
        .enumerate()
        .map(|(i, d)| (i as u32 + 1) * u32::from(d - b'0'))
        .sum();
    sum % 10 == u32::from(check.as_bytes()[0] - b'0')
}

/// The checks every list shares: a name, a known confidence tag, a source, a valid and unrepeated CAS.
fn check_common(list: &str, rows: &[Row], key: &str) {
    let mut seen: HashMap<&str, &str> = HashMap::new();
    for row in rows {
        let id = format!("{list} {key} {} ({})", row[key], row["name_zh"]);
        assert!(
            !row["name_zh"].trim().is_empty(),
            "{id}: the Chinese name is empty"
        );
        assert!(
            ["C", "S", "UNCONFIRMED"].contains(&row["confidence"].as_str()),
            "{id}: confidence {:?} is not C, S or UNCONFIRMED",
            row["confidence"]
        );
        assert!(!row["source"].trim().is_empty(), "{id}: no source named");
        let cas = row["cas"].as_str();
        if cas.is_empty() {
            assert!(
                !row["note"].trim().is_empty(),
                "{id}: an empty CAS must be explained in the note"
            );
            continue;
        }
        assert!(cas_valid(cas), "{id}: CAS {cas} has an invalid check digit");
        if let Some(first) = seen.insert(cas, &row["name_zh"]) {
            panic!("{id}: CAS {cas} repeats (also {first})");
        }
    }
}

fn highly_toxic() -> Vec<Row> {
    rows(
        "highly-toxic-2015",
        HIGHLY_TOXIC_2015,
        &[
            "catalogue_no",
            "name_zh",
            "name_en",
            "cas",
            "confidence",
            "source",
            "note",
        ],
    )
}

fn precursors() -> Vec<Row> {
    rows(
        "precursors",
        PRECURSORS,
        &[
            "category",
            "name_zh",
            "name_en",
            "cas",
            "added_by",
            "confidence",
            "source",
            "note",
        ],
    )
}

fn explosive() -> Vec<Row> {
    rows(
        "explosive-precursors-2017",
        EXPLOSIVE_PRECURSORS_2017,
        &[
            "entry_no",
            "class",
            "name_zh",
            "name_en",
            "cas",
            "confidence",
            "source",
            "note",
        ],
    )
}

fn by_cas<'a>(rows: &'a [Row], cas: &str) -> Option<&'a Row> {
    rows.iter().find(|r| r["cas"] == cas)
}

#[test]
fn cas_check_digit() {
    assert!(cas_valid("7732-18-5"), "water 7732-18-5 is a valid CAS");
    assert!(
        cas_valid("151-50-8"),
        "potassium cyanide 151-50-8 is a valid CAS"
    );
    assert!(!cas_valid("151-50-9"), "151-50-9 has a wrong check digit");
    assert!(!cas_valid("151508"), "a CAS has two hyphens");
    assert!(
        !cas_valid("1-50-8"),
        "the first part has at least two digits"
    );
}

#[test]
fn highly_toxic_2015_rows_are_well_formed() {
    let list = highly_toxic();
    check_common("highly-toxic-2015", &list, "catalogue_no");
    assert_eq!(
        list.len(),
        148,
        "highly-toxic-2015: the catalogue marks 148 entries 剧毒"
    );
    let mut numbers = HashSet::new();
    for row in &list {
        let n: u32 = row["catalogue_no"].parse().unwrap_or_else(|_| {
            panic!(
                "highly-toxic-2015: catalogue_no {:?} is not a number",
                row["catalogue_no"]
            )
        });
        assert!(
            (1..=2828).contains(&n),
            "highly-toxic-2015: catalogue_no {n} is outside the catalogue's 2828 entries"
        );
        assert!(
            numbers.insert(n),
            "highly-toxic-2015: catalogue_no {n} repeats"
        );
        assert!(
            !row["cas"].is_empty(),
            "highly-toxic-2015 entry {n}: every 剧毒 entry has a CAS in the sources"
        );
    }
}

#[test]
fn highly_toxic_2015_sample_entries() {
    let list = highly_toxic();
    for (no, name, cas) in [
        ("1686", "氰化钾", "151-50-8"),
        ("1688", "氰化钠", "143-33-9"),
        ("1693", "氰化氢", "74-90-8"),
        ("1912", "三氧化二砷", "1327-53-3"),
        ("1464", "氯化汞", "7487-94-7"),
        ("217", "叠氮化钠", "26628-22-8"),
        ("2115", "碳酰氯", "75-44-5"),
        ("1927", "砷化氢", "7784-42-1"),
        ("1266", "磷化氢", "7803-51-2"),
        ("2093", "四乙基铅", "78-00-2"),
        ("2087", "四氧化锇", "20816-12-0"),
    ] {
        let row = by_cas(&list, cas).unwrap_or_else(|| {
            panic!("highly-toxic-2015 entry {no} ({name}, {cas}) is missing from the 剧毒 list")
        });
        assert_eq!(
            row["catalogue_no"], no,
            "highly-toxic-2015: {name} {cas} is catalogue entry {no}"
        );
        assert_eq!(
            row["name_zh"], name,
            "highly-toxic-2015 entry {no}: the catalogue's name is {name}"
        );
    }
    // Common laboratory toxics that are not among the 剧毒 entries.
    for (name, cas) in [("methanol", "67-56-1"), ("cadmium", "7440-43-9")] {
        assert!(
            by_cas(&list, cas).is_none(),
            "highly-toxic-2015: {name} {cas} is not among the 剧毒 entries"
        );
    }
}

#[test]
fn precursors_rows_are_well_formed() {
    let list = precursors();
    check_common("precursors", &list, "name_zh");
    for row in &list {
        assert!(
            ["1", "2", "3"].contains(&row["category"].as_str()),
            "precursors {}: category {:?} is not 1, 2 or 3",
            row["name_zh"],
            row["category"]
        );
        assert!(
            !row["added_by"].trim().is_empty(),
            "precursors {}: added_by is empty",
            row["name_zh"]
        );
    }
    let count = |c: &str| list.iter().filter(|r| r["category"] == c).count();
    // Category 1 has 19 items; item 12 (麻黄素类) is written as 8 rows, so 26 rows.
    assert_eq!(
        count("1"),
        26,
        "precursors: category 1 is items 1–19 with item 12 written as 8 rows"
    );
    assert_eq!(
        count("2"),
        11,
        "precursors: category 2 has 11 items after 国办函〔2021〕58号"
    );
    assert_eq!(
        count("3"),
        8,
        "precursors: category 3 has 8 items after 国办函〔2021〕58号"
    );
}

#[test]
fn precursors_sample_entries() {
    let list = precursors();
    for (category, name, cas, clause) in [
        (
            "1",
            "麻黄素",
            "299-42-3",
            "annex category 1 item 12 (麻黄素类)",
        ),
        (
            "1",
            "伪麻黄素",
            "90-82-4",
            "annex category 1 item 12 (麻黄素类)",
        ),
        ("1", "1-苯基-2-丙酮", "103-79-7", "annex category 1 item 1"),
        ("1", "胡椒醛", "120-57-0", "annex category 1 item 3"),
        ("1", "邻氨基苯甲酸", "118-92-3", "annex category 1 item 8"),
        (
            "1",
            "N-苯乙基-4-哌啶酮",
            "39742-60-4",
            "annex category 1 item 13 (2017)",
        ),
        ("2", "醋酸酐", "108-24-7", "annex category 2 item 2"),
        ("2", "三氯甲烷", "67-66-3", "annex category 2 item 3"),
        ("2", "乙醚", "60-29-7", "annex category 2 item 4"),
        ("2", "溴素", "7726-95-6", "annex category 2 item 7 (2017)"),
        (
            "2",
            "1-苯基-1-丙酮",
            "93-55-0",
            "annex category 2 item 6 (2017)",
        ),
        ("3", "甲苯", "108-88-3", "annex category 3 item 1"),
        ("3", "丙酮", "67-64-1", "annex category 3 item 2"),
        ("3", "高锰酸钾", "7722-64-7", "annex category 3 item 4"),
        ("3", "硫酸", "7664-93-9", "annex category 3 item 5"),
        ("3", "盐酸", "7647-01-0", "annex category 3 item 6"),
        (
            "3",
            "γ-丁内酯",
            "96-48-0",
            "annex category 3 item 8 (国办函〔2021〕58号)",
        ),
    ] {
        let row = by_cas(&list, cas)
            .unwrap_or_else(|| panic!("precursors {clause}: {name} {cas} is missing"));
        assert_eq!(row["name_zh"], name, "precursors {clause}: {cas} is {name}");
        assert_eq!(
            row["category"], category,
            "precursors {clause}: {name} is category {category}"
        );
    }
    for name in ["黄樟油", "麻黄浸膏", "羟亚胺", "N-甲基-1-苯基-1-氯-2-丙胺"] {
        let row = list
            .iter()
            .find(|r| r["name_zh"] == name)
            .unwrap_or_else(|| panic!("precursors category 1: {name} is missing"));
        assert_eq!(row["category"], "1", "precursors: {name} is category 1");
        assert!(
            row["cas"].is_empty(),
            "precursors category 1 {name}: the annex fixes no single CAS"
        );
    }
    let added: HashSet<&str> = list.iter().map(|r| r["added_by"].as_str()).collect();
    assert!(
        added.contains("Order 445 (2005)"),
        "precursors: the original annex rows are added_by Order 445 (2005)"
    );
}

#[test]
fn explosive_precursors_2017_rows_are_well_formed() {
    let list = explosive();
    check_common("explosive-precursors-2017", &list, "entry_no");
    assert_eq!(
        list.len(),
        74,
        "explosive-precursors-2017: the list has 74 numbered entries"
    );
    let mut numbers = HashSet::new();
    for row in &list {
        let no = row["entry_no"].as_str();
        assert!(
            numbers.insert(no),
            "explosive-precursors-2017: entry {no} repeats"
        );
        let class = no.split('.').next().unwrap_or_default();
        assert!(
            row["class"].starts_with(&format!("{class} ")),
            "explosive-precursors-2017 entry {no}: class {:?} does not match the entry number",
            row["class"]
        );
        assert!(
            class.len() == 1 && ("1"..="9").contains(&class),
            "explosive-precursors-2017 entry {no}: the list has classes 1–9"
        );
    }
    let per_class = |c: &str| {
        list.iter()
            .filter(|r| r["class"].starts_with(&format!("{c} ")))
            .count()
    };
    for (class, n) in [
        ("1", 3),
        ("2", 11),
        ("3", 3),
        ("4", 4),
        ("5", 4),
        ("6", 15),
        ("7", 16),
        ("8", 11),
        ("9", 7),
    ] {
        assert_eq!(
            per_class(class),
            n,
            "explosive-precursors-2017: class {class} has {n} entries"
        );
    }
}

#[test]
fn explosive_precursors_2017_sample_entries() {
    let list = explosive();
    for (no, name, cas) in [
        ("1.1", "硝酸", "7697-37-2"),
        ("1.3", "高氯酸", "7601-90-3"),
        ("2.2", "硝酸钾", "7757-79-1"),
        ("2.9", "硝酸银", "7761-88-8"),
        ("3.2", "氯酸钾", "3811-04-9"),
        ("4.3", "高氯酸钾", "7778-74-7"),
        ("5.3", "重铬酸钾", "7778-50-9"),
        ("6.1", "过氧化氢溶液", "7722-84-1"),
        ("6.3", "过氧化钠", "1313-60-6"),
        ("7.2", "钠", "7440-23-5"),
        ("7.8", "硫磺", "7704-34-9"),
        ("7.15", "硼氢化钠", "16940-66-2"),
        ("8.1", "硝基甲烷", "75-52-5"),
        ("9.3", "高锰酸钾", "7722-64-7"),
        ("9.6", "水合肼", "10217-52-4"),
    ] {
        let row = by_cas(&list, cas).unwrap_or_else(|| {
            panic!("explosive-precursors-2017 entry {no} ({name}, {cas}) is missing")
        });
        assert_eq!(
            row["entry_no"], no,
            "explosive-precursors-2017: {name} {cas} is entry {no}"
        );
        assert_eq!(
            row["name_zh"], name,
            "explosive-precursors-2017 entry {no}: the list's name is {name}"
        );
    }
    let mg_al = list
        .iter()
        .find(|r| r["entry_no"] == "7.5")
        .unwrap_or_else(|| panic!("explosive-precursors-2017 entry 7.5 (镁铝粉) is missing"));
    assert!(
        mg_al["cas"].is_empty(),
        "explosive-precursors-2017 entry 7.5 镁铝粉: the list gives no CAS"
    );
    // Picric acid is a hazardous chemical (and an explosive) but not on this list.
    assert!(
        by_cas(&list, "88-89-1").is_none(),
        "explosive-precursors-2017: picric acid 88-89-1 is not an entry"
    );
}

#[test]
fn potassium_permanganate_is_on_both_lists() {
    let pre = precursors();
    let ex = explosive();
    let p = by_cas(&pre, "7722-64-7")
        .unwrap_or_else(|| panic!("precursors category 3 item 4: 高锰酸钾 is missing"));
    assert_eq!(
        p["category"], "3",
        "precursors category 3 item 4: 高锰酸钾 7722-64-7 is category 3"
    );
    let e = by_cas(&ex, "7722-64-7")
        .unwrap_or_else(|| panic!("explosive-precursors-2017 entry 9.3: 高锰酸钾 is missing"));
    assert_eq!(
        e["entry_no"], "9.3",
        "explosive-precursors-2017: 高锰酸钾 7722-64-7 is entry 9.3"
    );
}
