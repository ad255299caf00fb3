//! Message catalogues: zh-CN (the default) and en, one TOML file each in `waste-api/i18n/`, embedded in the
//! binary. A page asks `t("key")`; a key missing in one language is caught by the test below, not by a user.

use std::collections::HashMap;
use std::sync::LazyLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    /// The `lang` attribute and the `?lang=` value.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.trim().to_ascii_lowercase();
        if s.starts_with("en") {
            Some(Lang::En)
        } else if s.starts_with("zh") {
            Some(Lang::Zh)
        } else {
            None
        }
    }
    /// The first language of an `Accept-Language` header that we have; Chinese when none is.
    pub fn from_accept(header: &str) -> Lang {
        header
            .split(',')
            .filter_map(|part| Lang::parse(part.split(';').next().unwrap_or("")))
            .next()
            .unwrap_or(Lang::Zh)
    }
}

pub struct Catalogue {
    messages: HashMap<String, String>,
}

fn load(text: &str) -> HashMap<String, String> {
    // A malformed catalogue is a build mistake; the test below parses both, so this never panics in use.
    toml::from_str::<HashMap<String, String>>(text).unwrap_or_default()
}

static ZH: LazyLock<Catalogue> = LazyLock::new(|| Catalogue {
    messages: load(include_str!("../i18n/zh-CN.toml")),
});
static EN: LazyLock<Catalogue> = LazyLock::new(|| Catalogue {
    messages: load(include_str!("../i18n/en.toml")),
});

pub fn catalogue(lang: Lang) -> &'static Catalogue {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}

impl Catalogue {
    /// The message, or the key itself (visible, so a missing message is noticed rather than blank).
    pub fn get<'a>(&'a self, key: &'a str) -> &'a str {
        self.messages.get(key).map(String::as_str).unwrap_or(key)
    }
    pub fn has(&self, key: &str) -> bool {
        self.messages.contains_key(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str) -> std::collections::BTreeSet<String> {
        toml::from_str::<HashMap<String, String>>(text)
            .expect("the catalogue parses as flat TOML strings")
            .into_keys()
            .collect()
    }

    #[test]
    fn both_catalogues_have_the_same_keys() {
        let zh = keys(include_str!("../i18n/zh-CN.toml"));
        let en = keys(include_str!("../i18n/en.toml"));
        let only_zh: Vec<_> = zh.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&zh).collect();
        assert!(only_zh.is_empty(), "missing in en: {only_zh:?}");
        assert!(only_en.is_empty(), "missing in zh-CN: {only_en:?}");
        assert!(zh.len() > 50, "the catalogue is loaded");
    }

    const NAMESPACES: [&str; 12] = [
        "err",
        "login",
        "welcome",
        "home",
        "container",
        "refuse",
        "cons",
        "print",
        "add",
        "people",
        "todo",
        "scan",
    ];

    /// Every `t("…")` key used in the templates and the web code exists in both catalogues.
    #[test]
    fn every_key_used_exists() {
        let zh = keys(include_str!("../i18n/zh-CN.toml"));
        let mut used = std::collections::BTreeSet::new();
        let dirs = [
            concat!(env!("CARGO_MANIFEST_DIR"), "/templates"),
            concat!(env!("CARGO_MANIFEST_DIR"), "/src/http/web"),
        ];
        for dir in dirs {
            for entry in std::fs::read_dir(dir).expect("dir") {
                let path = entry.expect("entry").path();
                let text = std::fs::read_to_string(&path).expect("read");
                // `c.t(…)` calls in templates and code, and key literals ("err.csrf") in the web code.
                for (i, _) in text.match_indices(".t(\"") {
                    let rest = &text[i + 4..];
                    if let Some(end) = rest.find('"') {
                        used.insert(rest[..end].to_owned());
                    }
                }
                if path.extension().is_some_and(|e| e == "rs") {
                    for part in text.split('"').skip(1).step_by(2) {
                        let looks_like_key = part.split_once('.').is_some_and(|(ns, rest)| {
                            NAMESPACES.contains(&ns)
                                && !rest.is_empty()
                                && !matches!(rest, "html" | "css" | "js" | "svg")
                                && rest
                                    .chars()
                                    .all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
                        });
                        if looks_like_key {
                            used.insert(part.to_owned());
                        }
                    }
                }
            }
        }
        let missing: Vec<_> = used.iter().filter(|k| !zh.contains(*k)).collect();
        assert!(
            missing.is_empty(),
            "keys used but not in the catalogues: {missing:?}"
        );
        assert!(used.len() > 30, "the scan found the keys ({})", used.len());
    }

    /// Keys built at run time from a value: every value of those families has its message.
    #[test]
    fn every_computed_key_exists() {
        use waste_core::compatibility::Consequence;
        use waste_core::party::{OrgKind, Role};
        let zh = keys(include_str!("../i18n/zh-CN.toml"));
        let mut want: Vec<String> = Vec::new();
        want.extend(
            waste_core::container::Status::ALL
                .iter()
                .map(|s| format!("status.{}", s.as_str())),
        );
        want.extend(
            Consequence::ALL
                .iter()
                .map(|c| format!("cons.{}", c.as_str())),
        );
        want.extend(OrgKind::ALL.iter().map(|k| format!("kind.{}", k.as_str())));
        want.extend(Role::ALL.iter().map(|r| format!("role.{}", r.as_str())));
        for e in [
            "created",
            "addition",
            "sealed",
            "picked_up",
            "manifested",
            "dispatched",
            "received",
            "returned",
            "disposed",
            "moved",
            "handed_back",
            "refused_at_pickup",
            "collected",
        ] {
            want.push(format!("event.{e}"));
        }
        for o in [
            "hazardous",
            "not_hazardous",
            "exempt",
            "needs_identification",
            "not_applicable",
        ] {
            want.push(format!("outcome.{o}"));
        }
        for f in [
            "waste_name",
            "code",
            "main_components",
            "hazards",
            "generation_date",
            "generator",
            "contact",
            "digital_id",
            "qr_code",
        ] {
            want.push(format!("field.{f}"));
        }
        // The storage-site and ledger pages: keys made from the core's enums.
        for (prefix, values) in [
            (
                "quantity",
                &["not_applicable", "ok", "near_ceiling", "over_ceiling"][..],
            ),
            ("containment", &["no_liquids", "ok", "short"][..]),
            ("inspection", &["never", "ok", "due_soon", "overdue"][..]),
            ("sign", &["zone", "facility"][..]),
            (
                "revision",
                &["status_pending", "status_applied", "status_refused"][..],
            ),
            (
                "event",
                &[
                    "revision_proposed",
                    "revision_approved",
                    "revision_refused",
                    "revision_applied",
                ][..],
            ),
            ("sign_state", &["current", "outdated", "never_printed"][..]),
            (
                "site_todo",
                &[
                    "sign_never_printed",
                    "sign_outdated",
                    "inspection_never",
                    "inspection_overdue",
                    "inspection_due_soon",
                    "open_findings",
                    "near_ceiling",
                    "over_ceiling",
                    "containment_short",
                    "incompatible_in_zone",
                ][..],
            ),
            (
                "filing",
                &[
                    "annual_plan",
                    "annual_declaration",
                    "quarterly_declaration",
                    "monthly_declaration",
                ][..],
            ),
        ] {
            want.extend(values.iter().map(|v| format!("{prefix}.{v}")));
        }
        want.extend(
            waste_core::records::Stage::ALL
                .iter()
                .filter_map(|s| serde_json::to_value(s).ok())
                .filter_map(|v| v.as_str().map(|s| format!("stage.{s}"))),
        );
        want.extend(
            waste_core::citation::WarningCode::ALL
                .iter()
                .map(|c| format!("warn.code.{}", c.as_str())),
        );
        // The words the rules give their warnings (`ex.say(code, "key", …)` in waste-core).
        let core = concat!(env!("CARGO_MANIFEST_DIR"), "/../waste-core/src");
        let mut said = 0;
        for entry in std::fs::read_dir(core).expect("core sources") {
            let path = entry.expect("entry").path();
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("read");
            for part in text.split(".say(").skip(1) {
                // `WarningCode::X,` then the key literal.
                if let Some(key) = part.split('"').nth(1).filter(|k| !k.is_empty()) {
                    said += 1;
                    want.push(format!("warn.{key}"));
                }
            }
        }
        assert!(said >= 20, "the scan found the rules' warnings ({said})");
        let missing: Vec<_> = want.iter().filter(|k| !zh.contains(*k)).collect();
        assert!(missing.is_empty(), "computed keys missing: {missing:?}");
    }

    #[test]
    fn accept_language_picks_english_only_when_asked() {
        assert_eq!(Lang::from_accept("en-US,en;q=0.9"), Lang::En);
        assert_eq!(Lang::from_accept("zh-CN,zh;q=0.9,en;q=0.8"), Lang::Zh);
        assert_eq!(Lang::from_accept("fr-FR"), Lang::Zh);
    }
}
