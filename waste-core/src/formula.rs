//! Molecular formulas of the substance table, and the element flags derived from them.
//!
//! The grammar is the one printed on reagent bottles: element symbols with counts, groups in `( )` or `[ ]` with
//! a count (or `n` for the repeat unit of a polymer), hydrates and adducts after `·` with a leading coefficient
//! (`CuSO4·5H2O`). Charges are not written. `D` (deuterium) is read as hydrogen, for NMR solvents.
//!
//! Cyanide is a *group*, not an element: a carbon directly followed by a nitrogen, both without a count, that is
//! not bound to oxygen or sulfur before it (cyanate `OCN`, thiocyanate `SCN`). Inorganic formulas are written in
//! the usual order (`NaCN`, `K3[Fe(CN)6]`, `Hg(SCN)2`); organic ones in Hill order (`C2H3N`), where a nitrile
//! shows no such group. Cyanohydrins, which release hydrogen cyanide, are written with it (`(CH3)2C(OH)CN`).
//! Complex cyanides (hexacyanoferrates) count: they release hydrogen cyanide with acid and under light, and
//! GB 8978-1996 measures total cyanide, complexes included.

use std::collections::BTreeMap;

/// The element symbols of the periodic table (1–118), plus `D` for deuterium.
const ELEMENTS: [&str; 119] = [
    "H", "He", "Li", "Be", "B", "C", "N", "O", "F", "Ne", "Na", "Mg", "Al", "Si", "P", "S", "Cl",
    "Ar", "K", "Ca", "Sc", "Ti", "V", "Cr", "Mn", "Fe", "Co", "Ni", "Cu", "Zn", "Ga", "Ge", "As",
    "Se", "Br", "Kr", "Rb", "Sr", "Y", "Zr", "Nb", "Mo", "Tc", "Ru", "Rh", "Pd", "Ag", "Cd", "In",
    "Sn", "Sb", "Te", "I", "Xe", "Cs", "Ba", "La", "Ce", "Pr", "Nd", "Pm", "Sm", "Eu", "Gd", "Tb",
    "Dy", "Ho", "Er", "Tm", "Yb", "Lu", "Hf", "Ta", "W", "Re", "Os", "Ir", "Pt", "Au", "Hg", "Tl",
    "Pb", "Bi", "Po", "At", "Rn", "Fr", "Ra", "Ac", "Th", "Pa", "U", "Np", "Pu", "Am", "Cm", "Bk",
    "Cf", "Es", "Fm", "Md", "No", "Lr", "Rf", "Db", "Sg", "Bh", "Hs", "Mt", "Ds", "Rg", "Cn", "Nh",
    "Fl", "Mc", "Lv", "Ts", "Og", "D",
];

/// A parsed formula: the elements it contains with their counts, and whether it has a cyanide group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Formula {
    text: String,
    elements: BTreeMap<&'static str, u32>,
    cyanide: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("formula '{formula}': {reason}")]
pub struct FormulaError {
    pub formula: String,
    pub reason: String,
}

/// One element or group of a sequence, kept to recognise the cyanide group by its neighbours.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Item {
    Element { symbol: &'static str, counted: bool },
    Group,
}

struct Parser<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    cyanide: bool,
}

impl Formula {
    pub fn parse(text: &str) -> Result<Formula, FormulaError> {
        let err = |reason: String| FormulaError {
            formula: text.to_owned(),
            reason,
        };
        let text = text.trim();
        if text.is_empty() {
            return Err(err("empty".to_owned()));
        }
        let mut elements = BTreeMap::new();
        let mut cyanide = false;
        // Hydrates and adducts: `CuSO4·5H2O`; `.` and `*` are accepted for the middle dot.
        for part in text.split(['·', '•', '*']) {
            let part = part.trim();
            let digits: String = part.chars().take_while(char::is_ascii_digit).collect();
            let coefficient = if digits.is_empty() {
                1
            } else {
                digits.parse::<u32>().map_err(|e| err(e.to_string()))?
            };
            let mut p = Parser {
                chars: part[digits.len()..].chars().peekable(),
                cyanide: false,
            };
            let counts = p.sequence(None).map_err(err)?;
            if counts.is_empty() {
                return Err(err(format!("'{part}' has no element")));
            }
            cyanide |= p.cyanide;
            for (symbol, n) in counts {
                *elements.entry(symbol).or_insert(0u32) += n.saturating_mul(coefficient);
            }
        }
        Ok(Formula {
            text: text.to_owned(),
            elements,
            cyanide,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the formula contains the element (`D` counts as `H`).
    pub fn has(&self, symbol: &str) -> bool {
        self.elements.contains_key(symbol) || (symbol == "H" && self.elements.contains_key("D"))
    }

    /// Number of atoms of the element per formula unit (a polymer's repeat unit counts once).
    pub fn count(&self, symbol: &str) -> u32 {
        self.elements.get(symbol).copied().unwrap_or(0)
    }

    pub fn elements(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.elements.keys().copied()
    }

    /// A cyanide group (free or complex), as defined in the module documentation.
    pub fn has_cyanide(&self) -> bool {
        self.cyanide
    }
}

impl Parser<'_> {
    /// Parses until the closing bracket `close` (or the end when `None`); returns element counts.
    fn sequence(&mut self, close: Option<char>) -> Result<BTreeMap<&'static str, u32>, String> {
        let mut counts: BTreeMap<&'static str, u32> = BTreeMap::new();
        let mut items: Vec<Item> = Vec::new();
        loop {
            let Some(&ch) = self.chars.peek() else {
                return match close {
                    None => Ok(counts),
                    Some(c) => Err(format!("missing '{c}'")),
                };
            };
            match ch {
                '(' | '[' => {
                    self.chars.next();
                    let inner = self.sequence(Some(if ch == '(' { ')' } else { ']' }))?;
                    if inner.is_empty() {
                        return Err("empty group".to_owned());
                    }
                    let n = self.count()?.unwrap_or(1);
                    for (s, k) in inner {
                        *counts.entry(s).or_insert(0) += k.saturating_mul(n);
                    }
                    items.push(Item::Group);
                }
                ')' | ']' => {
                    self.chars.next();
                    return if close == Some(ch) {
                        Ok(counts)
                    } else {
                        Err(format!("unexpected '{ch}'"))
                    };
                }
                'A'..='Z' => {
                    self.chars.next();
                    let mut symbol = String::from(ch);
                    if let Some(&l) = self.chars.peek() {
                        if l.is_ascii_lowercase() && l != 'n' {
                            symbol.push(l);
                            self.chars.next();
                        } else if l == 'n' {
                            // `n` is both a count (polymers) and the second letter of Mn, Zn, Sn, In, Rn.
                            let two = format!("{ch}n");
                            if ["Mn", "Zn", "Sn", "In", "Rn"].contains(&two.as_str()) {
                                symbol = two;
                                self.chars.next();
                            }
                        }
                    }
                    let Some(symbol) = ELEMENTS.iter().copied().find(|e| *e == symbol) else {
                        return Err(format!("unknown element '{symbol}'"));
                    };
                    let count = self.count()?;
                    *counts.entry(symbol).or_insert(0) += count.unwrap_or(1);
                    let item = Item::Element {
                        symbol,
                        counted: count.is_some(),
                    };
                    if let (true, Some(&c)) = (symbol == "N", items.last()) {
                        let before = items.len().checked_sub(2).map(|i| items[i]);
                        let bound_to_o_or_s = matches!(
                            before,
                            Some(Item::Element {
                                symbol: "O" | "S",
                                ..
                            })
                        );
                        if c == (Item::Element {
                            symbol: "C",
                            counted: false,
                        }) && count.is_none()
                            && !bound_to_o_or_s
                        {
                            self.cyanide = true;
                        }
                    }
                    items.push(item);
                }
                c => return Err(format!("unexpected '{c}'")),
            }
        }
    }

    /// A count after an element or group: digits, or `n` for a polymer's repeat unit (counted once).
    fn count(&mut self) -> Result<Option<u32>, String> {
        if self.chars.peek() == Some(&'n') {
            self.chars.next();
            return Ok(Some(1));
        }
        let mut digits = String::new();
        while let Some(&d) = self.chars.peek() {
            if !d.is_ascii_digit() {
                break;
            }
            digits.push(d);
            self.chars.next();
        }
        if digits.is_empty() {
            return Ok(None);
        }
        match digits.parse::<u32>() {
            Ok(0) => Err("a count of 0".to_owned()),
            Ok(n) => Ok(Some(n)),
            Err(e) => Err(e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(s: &str) -> Formula {
        Formula::parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn counts_through_groups_and_hydrates() {
        let x = f("CuSO4·5H2O");
        assert_eq!((x.count("Cu"), x.count("O"), x.count("H")), (1, 9, 10));
        let y = f("K3[Fe(CN)6]");
        assert_eq!((y.count("K"), y.count("C"), y.count("N")), (3, 6, 6));
        assert_eq!(f("Ca3(PO4)2").count("O"), 8);
        assert_eq!(f("(C6H10O5)n").count("C"), 6);
        assert!(f("MnSO4").has("Mn") && f("ZnCl2").has("Zn") && f("SnCl2").has("Sn"));
        assert!(f("CDCl3").has("H"));
    }

    #[test]
    fn cyanide_groups_but_not_cyanate_thiocyanate_or_hill_nitriles() {
        for yes in [
            "NaCN",
            "HCN",
            "K3[Fe(CN)6]",
            "Zn(CN)2",
            "BrCN",
            "NaBH3CN",
            "(CH3)2C(OH)CN",
        ] {
            assert!(f(yes).has_cyanide(), "{yes}");
        }
        for no in [
            "KSCN", "Hg(SCN)2", "NaOCN", "C2H3N", "CaCN2", "C7H5N", "CH4N2O",
        ] {
            assert!(!f(no).has_cyanide(), "{no}");
        }
    }

    #[test]
    fn bad_formulas_are_refused_with_the_reason() {
        for bad in ["", "Xx2", "Cu(SO4", "CuSO4)", "H0", "()", "cu", "Na-Cl"] {
            assert!(Formula::parse(bad).is_err(), "{bad}");
        }
        let e = Formula::parse("Qq").expect_err("Qq is no element");
        assert!(e.to_string().contains("unknown element 'Qq'"), "{e}");
    }
}
