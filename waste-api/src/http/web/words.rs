//! The core's English prose in the page's language. Citations ("Solid Waste Law Art.81 (no mixing of
//! incompatible waste)"), a classification's trace and settings' sources are built by the rules from fixed
//! phrases and from the data's own names; a Chinese page shows them with every phrase translated:
//! `i18n/phrases.zh.toml` for the rules' phrases, and the data's Chinese beside its English (GB 34330 clause
//! texts, collection streams, substances). An English page shows them as the rules wrote them; the JSON API
//! keeps the English.

use crate::i18n::Lang;
use std::sync::LazyLock;
use waste_core::{Standards, Stream};

/// English → Chinese, longest first so that a phrase inside a longer one is not replaced first.
static DICTIONARY: LazyLock<Vec<(String, String)>> = LazyLock::new(|| {
    let phrases: std::collections::HashMap<String, String> =
        toml::from_str(include_str!("../../../i18n/phrases.zh.toml")).unwrap_or_default();
    let mut v: Vec<(String, String)> = phrases.into_iter().collect();
    v.extend(data_names(Standards::embedded()));
    v.retain(|(en, zh)| !en.trim().is_empty() && !zh.trim().is_empty());
    v.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
    v.dedup_by(|a, b| a.0 == b.0);
    v
});

/// The data's names in both languages: GB 34330 clause texts, streams (by name and by id), substances.
fn data_names(std: &Standards) -> Vec<(String, String)> {
    let mut v = Vec::new();
    for edition in std::iter::once(&std.identification).chain(&std.identification_editions) {
        v.extend(
            edition
                .clauses()
                .map(|c| (c.text_en.clone(), c.text_zh.clone())),
        );
    }
    for s in Stream::ALL {
        if let Some(i) = std.streams.info(s) {
            v.push((i.name_en.clone(), i.name_zh.clone()));
            v.push((s.as_str().to_owned(), i.name_zh.clone()));
        }
    }
    v.extend(
        std.substances
            .iter()
            .map(|s| (s.name_en.clone(), s.name_zh.clone())),
    );
    v
}

/// Collection stream ids (`halogenated_organic`) as an English reader names them.
static STREAMS_EN: LazyLock<Vec<(String, String)>> = LazyLock::new(|| {
    let std = Standards::embedded();
    Stream::ALL
        .iter()
        .filter_map(|s| {
            std.streams
                .info(*s)
                .map(|i| (s.as_str().to_owned(), i.name_en.clone()))
        })
        .collect()
});

/// `text` in `lang`: the phrases it is made of, translated for a Chinese reader; for an English reader the
/// rules' own words, with the data's ids (a stream's) named.
pub fn say(lang: Lang, text: &str) -> String {
    match lang {
        Lang::En => STREAMS_EN
            .iter()
            .fold(text.to_owned(), |s, (id, en)| replace_words(&s, id, en)),
        Lang::Zh => articles(
            &DICTIONARY
                .iter()
                .fold(text.to_owned(), |s, (en, zh)| replace_words(&s, en, zh)),
        ),
    }
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Replaces `en` by `zh` where it stands as whole words ("water" not inside "wastewater").
fn replace_words(text: &str, en: &str, zh: &str) -> String {
    if !text.contains(en) {
        return text.to_owned();
    }
    let starts_word = en.chars().next().is_some_and(is_word);
    let ends_word = en.chars().last().is_some_and(is_word);
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    for (i, _) in text.match_indices(en) {
        if i < from {
            continue; // overlaps the previous match
        }
        let before = text[..i].chars().last();
        let after = text[i + en.len()..].chars().next();
        let inside_a_word = (starts_word && before.is_some_and(is_word))
            || (ends_word && after.is_some_and(is_word));
        out.push_str(&text[from..i]);
        out.push_str(if inside_a_word { en } else { zh });
        from = i + en.len();
    }
    out.push_str(&text[from..]);
    out
}

/// "Art.81" → "第81条", as Chinese law numbers its articles.
fn articles(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("Art.") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 4..];
        let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
        if digits.is_empty() {
            out.push_str("Art.");
        } else {
            out.push_str(&format!("第{digits}条"));
        }
        rest = &after[digits.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_phrase_table_parses_and_translates() {
        let map: std::collections::HashMap<String, String> =
            toml::from_str(include_str!("../../../i18n/phrases.zh.toml")).expect("parses");
        assert!(map.len() > 20, "{}", map.len());
        assert!(
            map.values()
                .all(|v| v.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))),
            "every phrase has Chinese words"
        );
        let s = say(
            Lang::Zh,
            "Solid Waste Law Art.81 (no mixing of incompatible waste); GB 18597-2023 4.3",
        );
        assert!(!s.contains("Solid Waste Law"), "{s}");
        assert!(s.contains("第81条"), "{s}");
        assert!(s.contains("GB 18597-2023 4.3"), "{s}");
        assert_eq!(
            say(Lang::En, "Solid Waste Law Art.81"),
            "Solid Waste Law Art.81"
        );
        // Whole words only.
        assert_eq!(
            replace_words("wastewater water", "water", "水"),
            "wastewater 水"
        );
    }

    /// English runs of three words or more left in a Chinese rendering.
    fn english_left(text: &str) -> Vec<String> {
        let mut runs = Vec::new();
        let mut words = Vec::new();
        for t in text.split(|c: char| c.is_whitespace() || ",;:()（）、，。·[]→".contains(c))
        {
            let t = t.trim_matches(|c: char| ".!?'\"“”".contains(c));
            if t.len() >= 2 && t.chars().all(|c| c.is_ascii_alphabetic() || c == '-') {
                words.push(t.to_owned());
            } else if !t.is_empty() {
                if words.len() >= 3 {
                    runs.push(words.join(" "));
                }
                words.clear();
            }
        }
        if words.len() >= 3 {
            runs.push(words.join(" "));
        }
        runs
    }

    /// Every worked classification case of the core, worded for a Chinese page: its trace and warnings
    /// hold no English sentence.
    #[test]
    fn every_worked_case_reads_in_chinese() {
        #[derive(serde::Deserialize)]
        struct Cases {
            case: Vec<Case>,
        }
        #[derive(serde::Deserialize)]
        struct Case {
            name: String,
            request: serde_json::Value,
            on: Option<String>,
        }
        let std = Standards::embedded();
        let mut left = std::collections::BTreeSet::new();
        let mut n = 0;
        for file in [
            include_str!("../../../../waste-core/tests/data/worked_cases.toml"),
            include_str!("../../../../waste-core/tests/data/worked_cases_school_labs.toml"),
        ] {
            let cases: Cases = toml::from_str(file).expect("cases parse");
            for case in cases.case {
                let on = case
                    .on
                    .as_deref()
                    .and_then(crate::store::parse_date)
                    .unwrap_or(time::macros::date!(2026 - 11 - 28));
                let Ok(request) = serde_json::from_value::<waste_core::WasteRequest>(case.request)
                else {
                    continue;
                };
                let Ok(waste) = waste_core::Waste::parse(request, &std.substances) else {
                    continue;
                };
                n += 1;
                let cl = waste_core::classify(std, &waste, on);
                for t in &cl.trace {
                    for part in [&t.rule, &t.result, &t.citation] {
                        for run in english_left(&say(Lang::Zh, part)) {
                            left.insert(format!("{run}   ← {part}   ({})", case.name));
                        }
                    }
                }
            }
        }
        assert!(n > 50, "classified {n} cases");
        assert!(
            left.is_empty(),
            "{} English runs left:\n{}",
            left.len(),
            left.into_iter().collect::<Vec<_>>().join("\n")
        );
    }
}
