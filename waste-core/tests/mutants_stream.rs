//! Worked cases for every decision of `waste_core::stream`: the laboratory collection scheme quoted in
//! `standards-data/data/streams.toml` [S] (liquids: strongly oxidising, cyanide, mercury, halogenated and other
//! organic, heavy metal, acid, alkaline, other inorganic salts; solids by kind) and its policy settings
//! (`[oxidizer_policy] default_threshold`, `[[oxidizer_threshold]]`), written so that each fails when the decision
//! changes (docs/mutation-testing.md, `scripts/mutants.sh stream`).
//!
//! Thresholds are read from the policy, never written here, so a new setting in the data does not break a case.
//! Synthetic substances (a real row with its flags replaced) isolate one flag at a time.

use rust_decimal::Decimal;
use std::str::FromStr;
use time::macros::date;
use waste_core::citation::{Confidence, Explanation, WarningCode};
use waste_core::hazard::HazardSet;
use waste_core::request::{Waste, parse_request};
use waste_core::stream::{OxidizerPolicy, Part, Stream, StreamChoice, StreamTable, liquid_stream};
use waste_core::substance::{Flag, Flags, Substance, SubstanceId};
use waste_core::{Standards, classify_json};

fn std() -> &'static Standards {
    Standards::embedded()
}
fn policy() -> &'static OxidizerPolicy {
    &std().streams.oxidizers
}
fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal")
}
fn sub(name: &str) -> &'static Substance {
    std()
        .substances
        .by_name(name)
        .unwrap_or_else(|| panic!("{name} in the table"))
}
/// A real row (for its CAS, hence its threshold) with its flags and hazards replaced, under an id of its own.
fn synth(base: &str, id: u16, name: &str, flags: &[Flag], hazardous: bool) -> Substance {
    let mut s = sub(base).clone();
    s.id = SubstanceId(60_000 + id);
    s.name_en = name.to_owned();
    let mut f = Flags::default();
    for x in flags {
        f.insert(*x);
    }
    s.flags = f;
    s.hazards = if hazardous {
        sub("methanol").hazards
    } else {
        HazardSet::EMPTY
    };
    s
}
fn part<'a>(s: &'a Substance, fraction: Option<&str>) -> Part<'a> {
    Part {
        substance: s,
        fraction: fraction.map(dec),
    }
}
fn pick(parts: &[Part<'_>]) -> StreamChoice {
    liquid_stream(policy(), parts).expect("a stream")
}
fn threshold(name: &str) -> Decimal {
    policy().threshold(sub(name)).fraction
}
/// The tag `describe` gives a threshold's confidence, written out independently.
fn tag(name: &str) -> &'static str {
    match policy().threshold(sub(name)).confidence {
        Confidence::Confirmed => "C",
        Confidence::Secondary => "S",
        Confidence::Unconfirmed => "UNCONFIRMED policy",
    }
}

// ---------- the stream names (streams.toml `id`) ----------

#[test]
fn streams_toml_every_stream_has_its_wire_name_and_its_data() {
    let names = [
        "oxidizing_liquid",
        "halogenated_organic",
        "cyanide_organic",
        "non_halogenated_organic",
        "cyanide_inorganic",
        "mercury",
        "heavy_metal",
        "acid",
        "alkaline",
        "inorganic_salt",
        "original_reagent",
        "empty_reagent_bottle",
        "glassware",
        "plastic_consumables",
        "sharps",
        "contaminated_solid",
    ];
    for (s, n) in Stream::ALL.into_iter().zip(names) {
        assert_eq!(s.as_str(), n);
        assert_eq!(Stream::parse(n), Some(s));
        let info = std().streams.info(s).expect("data for every stream");
        assert_eq!(info.id, n, "info({n}) is the row of {n}");
    }
    assert_eq!(Stream::parse("solvent"), None);
    assert_eq!(Stream::parse(""), None);
}

// ---------- streams.toml: the file's checks ----------

fn streams_file(default: &str, thresholds: &[(&str, &str)], skip: Option<Stream>) -> String {
    let mut t = format!(
        "[oxidizer_policy]\ndefault_threshold = \"{default}\"\nconfidence = \"UNCONFIRMED\"\nbasis = \"policy\"\n\n"
    );
    for (cas, th) in thresholds {
        t.push_str(&format!(
            "[[oxidizer_threshold]]\ncas = \"{cas}\"\nname = \"x\"\nthreshold = \"{th}\"\nconfidence = \"S\"\nbasis = \"b {cas}\"\n\n"
        ));
    }
    for s in Stream::ALL {
        if Some(s) == skip {
            continue;
        }
        t.push_str(&format!(
            "[[stream]]\nid = \"{0}\"\nname_zh = \"流{0}\"\nname_en = \"stream {0}\"\nform = \"liquid\"\n\n",
            s.as_str()
        ));
    }
    t
}

const NITRIC: &str = "7697-37-2";
const PERMANGANATE: &str = "7722-64-7";

#[test]
fn streams_toml_a_complete_file_parses_with_its_names_and_thresholds() {
    let t = StreamTable::parse(&streams_file("0.01", &[(NITRIC, "0.2")], None)).expect("parses");
    for s in Stream::ALL {
        let info = t.info(s).expect("every stream");
        assert_eq!(info.id, s.as_str());
        assert_eq!(info.name_en, format!("stream {}", s.as_str()));
    }
    assert_eq!(t.oxidizers.default.fraction, dec("0.01"));
    assert_eq!(t.oxidizers.default.confidence, Confidence::Unconfirmed);
    let nitric = t.oxidizers.threshold(sub("nitric acid"));
    assert_eq!(nitric.fraction, dec("0.2"));
    assert_eq!(nitric.confidence, Confidence::Secondary);
    assert_eq!(nitric.basis, format!("b {NITRIC}"));
    assert_eq!(
        t.oxidizers.threshold(sub("potassium permanganate")),
        &t.oxidizers.default,
        "no setting of its own: the default"
    );
}

#[test]
fn streams_toml_a_threshold_is_a_fraction_in_0_exclusive_to_1_inclusive() {
    for ok in ["1", "0.0001", "0.5"] {
        assert!(
            StreamTable::parse(&streams_file(ok, &[], None)).is_ok(),
            "default {ok}"
        );
        assert!(
            StreamTable::parse(&streams_file("0.01", &[(NITRIC, ok)], None)).is_ok(),
            "nitric {ok}"
        );
    }
    for bad in ["0", "-0.1", "1.0001", "2"] {
        let e = StreamTable::parse(&streams_file(bad, &[], None)).expect_err(bad);
        assert_eq!(e, "streams: default_threshold must be in (0, 1]");
        let e = StreamTable::parse(&streams_file("0.01", &[(NITRIC, bad)], None)).expect_err(bad);
        assert_eq!(
            e,
            format!("streams: threshold of {NITRIC} must be in (0, 1]")
        );
    }
}

#[test]
fn streams_toml_refuses_a_bad_cas_a_threshold_twice_an_unknown_or_a_missing_stream() {
    let e = StreamTable::parse(&streams_file("0.01", &[("7697-37-3", "0.2")], None))
        .expect_err("check digit");
    assert!(e.starts_with("streams: "), "{e}");
    let e = StreamTable::parse(&streams_file(
        "0.01",
        &[(NITRIC, "0.2"), (PERMANGANATE, "0.1"), (NITRIC, "0.3")],
        None,
    ))
    .expect_err("twice");
    assert_eq!(e, format!("streams: threshold of {NITRIC} is listed twice"));
    for s in [
        Stream::OxidizingLiquid,
        Stream::ContaminatedSolid,
        Stream::Acid,
    ] {
        let e = StreamTable::parse(&streams_file("0.01", &[], Some(s))).expect_err("missing");
        assert_eq!(e, format!("streams: no data for stream {}", s.as_str()));
    }
    let mut t = streams_file("0.01", &[], None);
    t.push_str(
        "[[stream]]\nid = \"solvent\"\nname_zh = \"x\"\nname_en = \"x\"\nform = \"liquid\"\n",
    );
    assert_eq!(
        StreamTable::parse(&t).expect_err("unknown"),
        "streams: unknown stream 'solvent'"
    );
}

#[test]
fn oxidizer_policy_the_smallest_threshold_is_the_least_of_the_default_and_every_setting() {
    let t = StreamTable::parse(&streams_file(
        "0.01",
        &[(NITRIC, "0.2"), (PERMANGANATE, "0.003")],
        None,
    ))
    .expect("parses");
    assert_eq!(t.oxidizers.smallest(), dec("0.003"));
    let t = StreamTable::parse(&streams_file("0.01", &[(NITRIC, "0.2")], None)).expect("parses");
    assert_eq!(t.oxidizers.smallest(), dec("0.01"), "the default");
    let t = StreamTable::parse(&streams_file("0.5", &[], None)).expect("parses");
    assert_eq!(t.oxidizers.smallest(), dec("0.5"));
    // The embedded data: no setting is below the smallest.
    let p = policy();
    assert!(p.smallest() <= p.default.fraction);
    assert!(p.smallest() > Decimal::ZERO);
}

// ---------- the liquid precedence (streams.toml, collection scheme [S]) ----------

#[test]
fn collection_scheme_no_known_component_or_only_absent_ones_gives_no_stream() {
    assert_eq!(liquid_stream(policy(), &[]), None);
    let acetone = sub("acetone");
    assert_eq!(
        liquid_stream(policy(), &[part(acetone, Some("0"))]),
        None,
        "declared at fraction 0: absent"
    );
    // An absent component decides nothing: the salt decides.
    let c = pick(&[part(acetone, Some("0")), part(sub("sodium chloride"), None)]);
    assert_eq!(c.stream, Stream::InorganicSalt);
    // A present one does.
    let c = pick(&[
        part(acetone, Some("0.1")),
        part(sub("sodium chloride"), None),
    ]);
    assert_eq!(c.stream, Stream::NonHalogenatedOrganic);
    assert_eq!(c.decided_by.as_deref(), Some("acetone"));
    assert_eq!(c.reason, "acetone: organic");
}

#[test]
fn collection_scheme_a_strong_oxidiser_at_its_threshold_decides_and_just_below_it_does_not() {
    let nitric = sub("nitric acid");
    let th = threshold("nitric acid");
    let water = sub("water");
    let rest = |f: Decimal| (Decimal::ONE - f).to_string();
    let at = pick(&[
        part(nitric, Some(&th.to_string())),
        part(water, Some(&rest(th))),
    ]);
    assert_eq!(at.stream, Stream::OxidizingLiquid, "at the threshold");
    assert_eq!(at.decided_by.as_deref(), Some("nitric acid"));
    assert_eq!(
        at.reason,
        format!(
            "nitric acid {} >= strongly-oxidising threshold {} [{}]",
            th.normalize(),
            th.normalize(),
            tag("nitric acid")
        )
    );
    assert!(at.also_oxidizing.is_empty());
    let below = th - dec("0.0001");
    let c = pick(&[
        part(nitric, Some(&below.to_string())),
        part(water, Some(&rest(below))),
    ]);
    assert_eq!(c.stream, Stream::Acid, "below: its acid nature decides");
    assert_eq!(
        c.reason,
        format!(
            "nitric acid: acid; nitric acid {} < strongly-oxidising threshold {} [{}]: does not decide",
            below.normalize(),
            th.normalize(),
            tag("nitric acid")
        )
    );
}

#[test]
fn collection_scheme_an_oxidiser_without_an_oxidizing_acid_flag_or_the_reverse_still_oxidises() {
    // `oxidizer` alone.
    let only_ox = synth(
        "potassium permanganate",
        1,
        "ox only",
        &[Flag::Oxidizer],
        true,
    );
    let c = pick(&[part(&only_ox, None)]);
    assert_eq!(c.stream, Stream::OxidizingLiquid);
    // `oxidizing_acid` alone.
    let only_acid = synth(
        "nitric acid",
        2,
        "oxacid only",
        &[Flag::OxidizingAcid],
        true,
    );
    let c = pick(&[part(&only_acid, None)]);
    assert_eq!(c.stream, Stream::OxidizingLiquid);
    // Neither: never an oxidiser, whatever else it is.
    let neither = synth("nitric acid", 3, "plain acid", &[Flag::Acid], true);
    let c = pick(&[part(&neither, None)]);
    assert_eq!(c.stream, Stream::Acid);
    assert_eq!(c.reason, "plain acid: acid", "no oxidiser is described");
}

#[test]
fn collection_scheme_a_lone_component_without_a_fraction_is_the_whole_liquid() {
    let nitric = sub("nitric acid");
    let c = pick(&[part(nitric, None)]);
    assert_eq!(c.stream, Stream::OxidizingLiquid);
    assert_eq!(
        c.reason,
        format!(
            "nitric acid 1 >= strongly-oxidising threshold {} [{}]",
            threshold("nitric acid").normalize(),
            tag("nitric acid")
        ),
        "declared: the whole liquid"
    );
}

#[test]
fn collection_scheme_an_undeclared_oxidiser_counts_as_the_undeclared_rest() {
    let nitric = sub("nitric acid");
    let th = threshold("nitric acid");
    let water = sub("water");
    // The rest is just under the threshold: the acid decides.
    let declared = Decimal::ONE - th + dec("0.01");
    let c = pick(&[part(nitric, None), part(water, Some(&declared.to_string()))]);
    assert_eq!(c.stream, Stream::Acid);
    assert!(
        c.reason.contains(&format!(
            "nitric acid undeclared (at most {}) < strongly-oxidising threshold",
            (th - dec("0.01")).normalize()
        )),
        "{}",
        c.reason
    );
    // The rest reaches the threshold: it oxidises.
    let declared = Decimal::ONE - th;
    let c = pick(&[part(nitric, None), part(water, Some(&declared.to_string()))]);
    assert_eq!(c.stream, Stream::OxidizingLiquid);
    assert_eq!(
        c.reason,
        format!(
            "nitric acid undeclared (at most {}) >= strongly-oxidising threshold {} [{}]",
            th.normalize(),
            th.normalize(),
            tag("nitric acid")
        )
    );
}

#[test]
fn collection_scheme_fractions_of_the_same_oxidiser_are_added() {
    let nitric = sub("nitric acid");
    let th = threshold("nitric acid");
    let water = sub("water");
    let half = th / dec("2");
    let rest = Decimal::ONE - th;
    let c = pick(&[
        part(nitric, Some(&half.to_string())),
        part(water, Some(&rest.to_string())),
        part(nitric, Some(&half.to_string())),
    ]);
    assert_eq!(c.stream, Stream::OxidizingLiquid, "two halves reach it");
    assert_eq!(
        c.reason,
        format!(
            "nitric acid {} >= strongly-oxidising threshold {} [{}]",
            th.normalize(),
            th.normalize(),
            tag("nitric acid")
        ),
        "one load, declared"
    );
    // A declared part and an undeclared one: the sum, marked undeclared.
    let c = pick(&[
        part(nitric, Some(&half.to_string())),
        part(nitric, None),
        part(water, Some(&(Decimal::ONE - th).to_string())),
    ]);
    assert_eq!(c.stream, Stream::OxidizingLiquid);
    assert!(
        c.reason.starts_with(&format!(
            "nitric acid undeclared (at most {})",
            th.normalize()
        )),
        "{}",
        c.reason
    );
    // Two different oxidisers are not added: each below its own threshold decides nothing.
    let perm = sub("potassium permanganate");
    let pth = threshold("potassium permanganate");
    let below_n = th - dec("0.0001");
    let below_p = pth - dec("0.0001");
    let c = pick(&[
        part(nitric, Some(&below_n.to_string())),
        part(perm, Some(&below_p.to_string())),
        part(water, Some(&(Decimal::ONE - below_n - below_p).to_string())),
    ]);
    assert_eq!(c.stream, Stream::Acid);
    assert_eq!(
        c.reason.matches("does not decide").count(),
        2,
        "{}",
        c.reason
    );
}

#[test]
fn collection_scheme_cyanide_keeps_its_stream_organic_or_not_and_warns_of_a_strong_oxidiser() {
    let kcn = sub("potassium cyanide");
    let c = pick(&[part(kcn, Some("0.05")), part(sub("water"), Some("0.95"))]);
    assert_eq!(c.stream, Stream::CyanideInorganic);
    assert_eq!(c.reason, "potassium cyanide: releases cyanide");
    assert!(c.also_oxidizing.is_empty());
    let c = pick(&[part(kcn, Some("0.05")), part(sub("methanol"), Some("0.95"))]);
    assert_eq!(c.stream, Stream::CyanideOrganic);
    assert_eq!(c.decided_by.as_deref(), Some("potassium cyanide"));
    assert_eq!(
        c.reason,
        "potassium cyanide: releases cyanide, in an organic liquid"
    );
    // Above the permanganate's threshold: still cyanide, with the oxidiser named.
    let perm = sub("potassium permanganate");
    let c = pick(&[
        part(kcn, Some("0.05")),
        part(perm, Some("0.5")),
        part(sub("water"), Some("0.45")),
    ]);
    assert_eq!(c.stream, Stream::CyanideInorganic);
    assert_eq!(
        c.also_oxidizing,
        vec![format!(
            "potassium permanganate 0.5 >= strongly-oxidising threshold {} [{}]",
            threshold("potassium permanganate").normalize(),
            tag("potassium permanganate")
        )]
    );
    // Cyanide before mercury.
    let c = pick(&[part(sub("mercury(II) chloride"), None), part(kcn, None)]);
    assert_eq!(c.stream, Stream::CyanideInorganic);
}

#[test]
fn collection_scheme_mercury_keeps_its_stream_and_warns_of_a_strong_oxidiser() {
    let hg = sub("mercury(II) chloride");
    let c = pick(&[part(sub("water"), None), part(hg, Some("0.01"))]);
    assert_eq!(c.stream, Stream::Mercury);
    assert_eq!(c.reason, "mercury(II) chloride: contains mercury");
    assert!(c.also_oxidizing.is_empty());
    let c = pick(&[
        part(hg, Some("0.01")),
        part(sub("nitric acid"), Some("0.5")),
    ]);
    assert_eq!(c.stream, Stream::Mercury);
    assert_eq!(c.also_oxidizing.len(), 1);
    assert!(c.also_oxidizing[0].starts_with("nitric acid 0.5 >= "));
    // Mercury before an organic solvent.
    let c = pick(&[part(sub("acetone"), Some("0.9")), part(hg, Some("0.01"))]);
    assert_eq!(c.stream, Stream::Mercury);
    // A strongly oxidising liquid without mercury or cyanide names no other oxidiser.
    let c = pick(&[
        part(sub("nitric acid"), Some("0.5")),
        part(sub("acetone"), Some("0.1")),
    ]);
    assert_eq!(c.stream, Stream::OxidizingLiquid);
    assert!(c.also_oxidizing.is_empty());
}

#[test]
fn collection_scheme_a_weak_oxidiser_decides_nothing_through_its_organic_nature() {
    // A trace of an organic peroxide in a copper liquid: heavy metal, not organic.
    let tbhp = sub("tert-butyl hydroperoxide");
    let trace = threshold("tert-butyl hydroperoxide") / dec("10");
    let c = pick(&[
        part(tbhp, Some(&trace.to_string())),
        part(sub("copper(II) sulfate"), Some("0.05")),
        part(sub("water"), Some("0.9")),
    ]);
    assert_eq!(c.stream, Stream::HeavyMetal);
    assert!(
        c.reason
            .starts_with("copper(II) sulfate: heavy metal; tert-butyl hydroperoxide "),
        "{}",
        c.reason
    );
    // The same peroxide above its threshold: oxidising.
    let c = pick(&[
        part(tbhp, Some("0.5")),
        part(sub("copper(II) sulfate"), Some("0.05")),
    ]);
    assert_eq!(c.stream, Stream::OxidizingLiquid);
    // A trace of the peroxide with potassium cyanide: it makes no organic liquid, so inorganic cyanide.
    let c = pick(&[
        part(tbhp, Some(&trace.to_string())),
        part(sub("potassium cyanide"), Some("0.05")),
    ]);
    assert_eq!(c.stream, Stream::CyanideInorganic);
}

#[test]
fn collection_scheme_halogenated_organic_before_other_organic() {
    let c = pick(&[
        part(sub("acetone"), Some("0.5")),
        part(sub("dichloromethane"), Some("0.5")),
    ]);
    assert_eq!(c.stream, Stream::HalogenatedOrganic);
    assert_eq!(c.decided_by.as_deref(), Some("dichloromethane"));
    assert_eq!(c.reason, "dichloromethane: halogenated organic");
    let c = pick(&[part(sub("acetone"), None)]);
    assert_eq!(c.stream, Stream::NonHalogenatedOrganic);
    // A halogen-bearing weak oxidiser (3-chloroperoxybenzoic acid, a trace) in an organic liquid: halogenated, for
    // its halogen, though it is not what makes the liquid organic.
    let mcpba = sub("3-chloroperoxybenzoic acid");
    let trace = threshold("3-chloroperoxybenzoic acid") / dec("10");
    let c = pick(&[
        part(sub("ethanol"), Some("0.9")),
        part(mcpba, Some(&trace.to_string())),
    ]);
    assert_eq!(c.stream, Stream::HalogenatedOrganic);
    assert_eq!(c.decided_by.as_deref(), Some("3-chloroperoxybenzoic acid"));
    assert!(
        c.reason.starts_with(
            "3-chloroperoxybenzoic acid: halogen-bearing component in an organic liquid"
        ),
        "{}",
        c.reason
    );
    // Halogenated but not organic in the scheme's sense (no hazard): not the organic stream.
    let inert = synth(
        "sodium chloride",
        4,
        "inert halogenated",
        &[Flag::Halogenated],
        false,
    );
    let c = pick(&[part(&inert, None)]);
    assert_eq!(c.stream, Stream::InorganicSalt);
}

#[test]
fn collection_scheme_what_makes_a_liquid_organic() {
    // Each of solvent, mineral oil and formaldehyde alone, with no hazard and no `organic` flag.
    for (i, f) in [Flag::Solvent, Flag::MineralOil, Flag::Formaldehyde]
        .into_iter()
        .enumerate()
    {
        let s = synth("water", 10 + i as u16, "flagged", &[f], false);
        assert_eq!(
            pick(&[part(&s, None)]).stream,
            Stream::NonHalogenatedOrganic,
            "{f:?}"
        );
    }
    // `organic` with a hazard characteristic.
    let hazardous = synth("water", 20, "hazardous organic", &[Flag::Organic], true);
    assert_eq!(
        pick(&[part(&hazardous, None)]).stream,
        Stream::NonHalogenatedOrganic
    );
    // `organic` without one (glucose, Tris buffer): not an organic waste liquid.
    let benign = synth("water", 21, "benign organic", &[Flag::Organic], false);
    let c = pick(&[part(&benign, None)]);
    assert_eq!(c.stream, Stream::InorganicSalt);
    assert_eq!(c.decided_by, None);
    // A hazard without `organic`: not organic either.
    let inorganic = synth("water", 22, "hazardous inorganic", &[Flag::Salt], true);
    assert_eq!(
        pick(&[part(&inorganic, None)]).stream,
        Stream::InorganicSalt
    );
    assert_eq!(
        pick(&[part(sub("glucose"), None)]).stream,
        Stream::InorganicSalt
    );
}

#[test]
fn collection_scheme_heavy_metal_then_acid_then_base_then_other_inorganic_salts() {
    let c = pick(&[
        part(sub("sodium hydroxide"), Some("0.1")),
        part(sub("hydrochloric acid"), Some("0.1")),
        part(sub("copper(II) sulfate"), Some("0.1")),
    ]);
    assert_eq!(c.stream, Stream::HeavyMetal);
    assert_eq!(c.reason, "copper(II) sulfate: heavy metal");
    let c = pick(&[
        part(sub("sodium hydroxide"), Some("0.1")),
        part(sub("hydrochloric acid"), Some("0.1")),
    ]);
    assert_eq!(c.stream, Stream::Acid);
    assert_eq!(c.reason, "hydrochloric acid: acid");
    let c = pick(&[
        part(sub("sodium chloride"), Some("0.1")),
        part(sub("sodium hydroxide"), Some("0.1")),
    ]);
    assert_eq!(c.stream, Stream::Alkaline);
    assert_eq!(c.reason, "sodium hydroxide: base");
    let c = pick(&[part(sub("sodium chloride"), Some("0.1"))]);
    assert_eq!(c.stream, Stream::InorganicSalt);
    assert_eq!(c.decided_by, None);
    assert_eq!(
        c.reason,
        "no oxidiser above its threshold, cyanide, mercury, organic, heavy metal, acid or base: other inorganic salts"
    );
    // With a weak oxidiser, the default says so too.
    let perm = sub("potassium permanganate");
    let trace = threshold("potassium permanganate") / dec("10");
    let c = pick(&[
        part(sub("sodium chloride"), Some("0.1")),
        part(perm, Some(&trace.to_string())),
    ]);
    assert_eq!(c.stream, Stream::InorganicSalt);
    assert!(
        c.reason.ends_with(&format!(
            "other inorganic salts; potassium permanganate {} < strongly-oxidising threshold {} [{}]: does not decide",
            trace.normalize(),
            threshold("potassium permanganate").normalize(),
            tag("potassium permanganate")
        )),
        "{}",
        c.reason
    );
}

// ---------- the stream of a whole waste (`stream_of`) ----------

fn waste(json: &str) -> Waste {
    let req = parse_request(json).expect("request");
    Waste::parse(req, &std().substances).expect("waste")
}

fn stream_of(json: &str) -> (Option<Stream>, Explanation) {
    let mut ex = Explanation::default();
    let s = waste_core::stream::stream_of(&std().substances, &std().streams, &waste(json), &mut ex);
    (s, ex)
}

fn last_result(ex: &Explanation) -> (&str, &str) {
    let step = ex.trace.last().expect("a step");
    (step.rule.as_str(), step.result.as_str())
}

#[test]
fn collection_scheme_a_chemical_laboratory_liquid_takes_the_stream_of_its_components() {
    let (s, ex) = stream_of(
        r#"{"form":"liquid","origin":"experiment_residue","components":[{"name":"acetone"}]}"#,
    );
    assert_eq!(s, Some(Stream::NonHalogenatedOrganic));
    assert_eq!(
        last_result(&ex),
        (
            "collection stream: by form and components",
            "non_halogenated_organic, decided by acetone: organic"
        )
    );
    assert_eq!(ex.trace[0].citation, waste_core::stream::STREAM_SOURCE);
    assert!(ex.warnings.is_empty(), "{:?}", ex.warnings);
}

#[test]
fn collection_scheme_a_liquid_with_an_unknown_component_gets_no_stream() {
    let (s, ex) = stream_of(
        r#"{"form":"liquid","origin":"experiment_residue","components":[{"name":"acetone","fraction":"0.5"},{"name":"zzz unknown residue"}]}"#,
    );
    assert_eq!(s, None);
    assert_eq!(last_result(&ex).1, "none: a component is unknown");
    assert_eq!(ex.warnings.len(), 1);
    assert_eq!(ex.warnings[0].code, WarningCode::NoStream);
    // A solid with an unknown component is still a contaminated solid.
    let (s, _) = stream_of(
        r#"{"form":"solid","origin":"experiment_residue","components":[{"name":"zzz unknown residue"}]}"#,
    );
    assert_eq!(s, Some(Stream::ContaminatedSolid));
}

#[test]
fn collection_scheme_a_liquid_also_strongly_oxidising_keeps_its_stream_with_a_warning() {
    let (s, ex) = stream_of(
        r#"{"form":"liquid","origin":"experiment_residue","components":[{"name":"mercury(II) chloride","fraction":"0.01"},{"name":"nitric acid","fraction":"0.5"},{"name":"water","fraction":"0.49"}]}"#,
    );
    assert_eq!(s, Some(Stream::Mercury));
    let codes: Vec<WarningCode> = ex.warnings.iter().map(|w| w.code).collect();
    assert_eq!(codes, vec![WarningCode::AlsoOxidizing]);
    assert!(ex.warnings[0].message.contains("nitric acid 0.5 >= "));
    // Strongly oxidising alone: no such warning.
    let (s, ex) = stream_of(
        r#"{"form":"liquid","origin":"experiment_residue","components":[{"name":"nitric acid","fraction":"0.5"},{"name":"water","fraction":"0.5"}]}"#,
    );
    assert_eq!(s, Some(Stream::OxidizingLiquid));
    assert!(ex.warnings.is_empty(), "{:?}", ex.warnings);
}

#[test]
fn collection_scheme_a_solid_residue_is_contaminated_solid_unless_it_holds_mercury() {
    let (s, ex) = stream_of(
        r#"{"form":"solid","origin":"experiment_residue","components":[{"name":"mercury(II) chloride","fraction":"0.1"},{"name":"sodium chloride","fraction":"0.9"}]}"#,
    );
    assert_eq!(s, Some(Stream::Mercury));
    assert_eq!(
        last_result(&ex).1,
        "mercury, decided by mercury(II) chloride: contains mercury"
    );
    let (s, _) = stream_of(
        r#"{"form":"semi_solid","origin":"vessel_cleaning_residue","components":[{"name":"mercury"}]}"#,
    );
    assert_eq!(s, Some(Stream::Mercury));
    // Mercury declared at fraction 0 is absent.
    let (s, ex) = stream_of(
        r#"{"form":"solid","origin":"experiment_residue","components":[{"name":"mercury(II) chloride","fraction":"0"},{"name":"sodium chloride","fraction":"1"}]}"#,
    );
    assert_eq!(s, Some(Stream::ContaminatedSolid));
    assert_eq!(last_result(&ex).1, "contaminated_solid: a solid residue");
    let (s, _) = stream_of(
        r#"{"form":"solid","origin":"research_sample","components":[{"name":"copper(II) sulfate"}]}"#,
    );
    assert_eq!(s, Some(Stream::ContaminatedSolid));
}

#[test]
fn collection_scheme_the_stream_by_origin() {
    let cases: [(&str, Option<Stream>); 11] = [
        ("expired_reagent", Some(Stream::OriginalReagent)),
        ("unused_reagent", Some(Stream::OriginalReagent)),
        ("contaminated_reagent", Some(Stream::OriginalReagent)),
        ("expired_drug", Some(Stream::OriginalReagent)),
        ("empty_packaging", Some(Stream::EmptyReagentBottle)),
        ("glassware", Some(Stream::Glassware)),
        ("sharps", Some(Stream::Sharps)),
        ("mercury_device", Some(Stream::Mercury)),
        ("mercury_lamp", Some(Stream::Mercury)),
        ("spent_adsorbent", Some(Stream::ContaminatedSolid)),
        ("oily_rags_or_ppe", Some(Stream::ContaminatedSolid)),
    ];
    for (origin, want) in cases {
        let (s, ex) = stream_of(&format!(
            r#"{{"form":"solid","origin":"{origin}","components":[{{"name":"acetone"}}]}}"#
        ));
        assert_eq!(s, want, "{origin}");
        assert_eq!(
            last_result(&ex),
            (
                "collection stream: by origin",
                want.expect("a stream").as_str()
            ),
            "{origin}"
        );
    }
    // A liquid reagent is still its original reagent, not a liquid stream.
    let (s, _) = stream_of(
        r#"{"form":"liquid","origin":"expired_reagent","components":[{"name":"dichloromethane"}]}"#,
    );
    assert_eq!(s, Some(Stream::OriginalReagent));
    let (s, ex) = stream_of(r#"{"form":"solid","origin":"battery","components":[]}"#);
    assert_eq!(s, None);
    assert_eq!(
        last_result(&ex),
        (
            "collection stream: by origin",
            "none: not a laboratory chemical waste stream"
        )
    );
}

#[test]
fn collection_scheme_consumables_by_material() {
    let cases = [
        ("plastic", Stream::PlasticConsumables),
        ("glass", Stream::ContaminatedSolid),
        ("paper", Stream::ContaminatedSolid),
        ("gloves", Stream::ContaminatedSolid),
        ("other", Stream::ContaminatedSolid),
    ];
    for (material, want) in cases {
        let (s, ex) = stream_of(&format!(
            r#"{{"form":"solid","origin":"contaminated_consumables","material":"{material}","components":[{{"name":"acetone"}}]}}"#
        ));
        assert_eq!(s, Some(want), "{material}");
        assert!(
            last_result(&ex)
                .0
                .starts_with("collection stream: by origin")
        );
    }
    let (s, _) =
        stream_of(r#"{"form":"solid","origin":"contaminated_consumables","components":[]}"#);
    assert_eq!(s, Some(Stream::ContaminatedSolid), "material not declared");
}

#[test]
fn collection_scheme_through_the_classification_a_chemical_liquid_has_a_stream() {
    let r = classify_json(
        std(),
        r#"{"form":"liquid","origin":"experiment_residue","components":[{"name":"dichloromethane","fraction":"0.3"},{"name":"acetone","fraction":"0.7"}]}"#,
        date!(2026 - 06 - 01),
    )
    .expect("classified");
    assert_eq!(r.stream, Some(Stream::HalogenatedOrganic));
}

// ---------- streams.toml [[oxidizing_mixture]]: acid piranha and aqua regia (policy settings `at_least`) ----------

/// The parts' settings, read from the data: (sulfuric acid, hydrogen peroxide) of the acid piranha.
fn piranha_at_least() -> (Decimal, Decimal) {
    let m = policy()
        .mixtures
        .iter()
        .find(|m| m.id == "acid_piranha")
        .expect("acid_piranha in streams.toml");
    (m.parts[0].at_least, m.parts[1].at_least)
}

/// A part exactly at its `at_least` counts; just under it, the mixture is not there and the liquid is an acid.
#[test]
fn collection_scheme_a_mixture_part_at_its_setting_counts_and_just_under_it_does_not() {
    let (acid, peroxide) = piranha_at_least();
    let (sulfuric, h2o2, water) = (sub("sulfuric acid"), sub("hydrogen peroxide"), sub("water"));
    let rest = |a: Decimal, p: Decimal| (Decimal::ONE - a - p).to_string();
    let at = pick(&[
        part(sulfuric, Some(&acid.to_string())),
        part(h2o2, Some(&peroxide.to_string())),
        part(water, Some(&rest(acid, peroxide))),
    ]);
    assert_eq!(at.stream, Stream::OxidizingLiquid, "{at:?}");
    assert_eq!(at.mixtures.len(), 1, "{at:?}");
    assert!(at.mixtures[0].contains("acid piranha"), "{at:?}");
    let under = acid - Decimal::new(1, 4);
    let below = pick(&[
        part(sulfuric, Some(&under.to_string())),
        part(h2o2, Some(&peroxide.to_string())),
        part(water, Some(&rest(under, peroxide))),
    ]);
    assert!(below.mixtures.is_empty(), "{below:?}");
    assert_eq!(below.stream, Stream::Acid, "{below:?}");
}

/// An undeclared part counts as the undeclared rest of the liquid (one minus what is declared), never more: a
/// rest below the part's setting makes no mixture; a rest at or above it does, described as undeclared.
#[test]
fn collection_scheme_an_undeclared_mixture_part_counts_as_the_undeclared_rest() {
    let (acid, peroxide) = piranha_at_least();
    let (sulfuric, h2o2) = (sub("sulfuric acid"), sub("hydrogen peroxide"));
    // The rest is half the peroxide's setting.
    let declared = Decimal::ONE - peroxide / Decimal::TWO;
    assert!(declared >= acid);
    let small = pick(&[
        part(sulfuric, Some(&declared.to_string())),
        part(h2o2, None),
    ]);
    assert!(small.mixtures.is_empty(), "{small:?}");
    // The rest is ten times the setting: the mixture, with the most the peroxide can be.
    let declared = Decimal::ONE - peroxide * Decimal::TEN;
    let large = pick(&[
        part(sulfuric, Some(&declared.to_string())),
        part(h2o2, None),
    ]);
    assert_eq!(large.mixtures.len(), 1, "{large:?}");
    let most = (peroxide * Decimal::TEN).normalize();
    assert!(
        large.mixtures[0].contains(&format!("undeclared (at most {most})")),
        "{large:?}"
    );
}

/// A mixture needs two parts at least: one part is refused by name; two parts parse.
#[test]
fn streams_toml_a_mixture_of_one_part_is_refused() {
    let src = standards_data::STREAMS;
    let lone = src.replacen(
        "[[oxidizing_mixture.part]]\ncas = \"7722-84-1\"\nname = \"hydrogen peroxide\"\nat_least = \"0.01\"\n",
        "",
        1,
    );
    assert_ne!(
        lone, src,
        "the piranha's peroxide part is in the data as written here"
    );
    assert_eq!(
        StreamTable::parse(&lone).expect_err("one part"),
        "streams: oxidizing mixture 'acid_piranha' needs at least two parts"
    );
    assert!(StreamTable::parse(src).is_ok());
}
