//! The shape of the code, checked on its source (issue 30): the layers are crates (`cargo tree` holds their
//! direction); inside each crate no two modules import each other, directly or round a longer circle; no
//! source file is over 600 lines; no SQL is written outside the store.
//!
//! A module's imports are the `crate::…`, `super::…` and `self::…` paths its file names, in `use` trees and in
//! code. A child naming its parent (or a parent its child) is containment, not an import, and is not counted. An
//! import counts between the two siblings under what both modules share: `web::a::x` naming `web::b` is an arrow
//! from `web::a` to `web::b`, so a circle between two folders is found even when no two files name each other.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const CRATES: [&str; 5] = [
    "standards-data",
    "waste-core",
    "waste-store",
    "waste-app",
    "waste-api",
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace")
        .to_path_buf()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `src/a/b.rs` and `src/a/b/mod.rs` are `a::b`; `lib.rs` and `main.rs` are the root (empty path).
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).expect("under src");
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// Source without comments and string literals, so that a path in a doc comment or a message is not an import.
fn code_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
            i += 2;
            while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                i += 1;
            }
            i += 2;
        } else if b[i] == b'"' && (i == 0 || b[i - 1] != b'\'') {
            // A raw string's hashes are left in place: they hold no path.
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else {
            out.push(b[i] as char);
            i += 1;
        }
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Every path the code names that starts at `crate`, `super` or `self`, as segments; `use` trees are expanded.
fn paths(code: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let chars: Vec<char> = code.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let starts = (i == 0 || !is_ident(chars[i - 1]) && chars[i - 1] != ':')
            && ["crate::", "super::", "self::"]
                .iter()
                .any(|p| chars[i..].iter().take(p.len()).copied().eq(p.chars()));
        if !starts {
            i += 1;
            continue;
        }
        let (tree, end) = use_tree(&chars, i);
        out.extend(tree);
        i = end.max(i + 1);
    }
    out
}

/// Reads `a::b::{c, d::e}` from `at`; answers each leaf path and where it ended.
fn use_tree(chars: &[char], mut at: usize) -> (Vec<Vec<String>>, usize) {
    let mut prefix: Vec<String> = Vec::new();
    loop {
        let start = at;
        while at < chars.len() && is_ident(chars[at]) {
            at += 1;
        }
        if at > start {
            prefix.push(chars[start..at].iter().collect());
        }
        if chars.get(at) == Some(&':') && chars.get(at + 1) == Some(&':') {
            at += 2;
            if chars.get(at) == Some(&'{') {
                at += 1;
                let mut leaves = Vec::new();
                loop {
                    while chars
                        .get(at)
                        .is_some_and(|c| c.is_whitespace() || *c == ',')
                    {
                        at += 1;
                    }
                    match chars.get(at) {
                        None => return (leaves, at),
                        Some('}') => return (leaves, at + 1),
                        _ => {}
                    }
                    let (inner, end) = use_tree(chars, at);
                    for tail in inner {
                        let mut p = prefix.clone();
                        p.extend(tail);
                        leaves.push(p);
                    }
                    // `a as b` and `*` end a leaf; skip to the next comma or brace at this depth.
                    at = end;
                    while chars.get(at).is_some_and(|c| *c != ',' && *c != '}') {
                        at += 1;
                    }
                }
            }
            continue;
        }
        return (vec![prefix], at);
    }
}

/// The module a path names: resolved against `here`, then the longest prefix that is a module of the crate.
fn target(
    here: &[String],
    path: &[String],
    modules: &BTreeSet<Vec<String>>,
) -> Option<Vec<String>> {
    let mut base: Vec<String> = here.to_vec();
    let mut rest = path;
    match rest.first().map(String::as_str) {
        Some("crate") => {
            base.clear();
            rest = &rest[1..];
        }
        Some("self") => rest = &rest[1..],
        Some("super") => {
            while rest.first().map(String::as_str) == Some("super") {
                base.pop()?;
                rest = &rest[1..];
            }
        }
        _ => return None,
    }
    let mut full = base;
    full.extend(rest.iter().cloned());
    (0..=full.len())
        .rev()
        .map(|n| full[..n].to_vec())
        .find(|p| modules.contains(p))
}

type Graph = BTreeMap<Vec<String>, BTreeSet<Vec<String>>>;
/// Each arrow with the first file and path that made it.
type Witnesses = BTreeMap<(Vec<String>, Vec<String>), String>;

/// Arrows between modules of one crate, between the siblings under what the two modules share; with each arrow,
/// the first file and path that made it.
fn arrows(src: &Path) -> (Graph, Witnesses) {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let modules: BTreeSet<Vec<String>> = files.iter().map(|f| module_of(src, f)).collect();
    let mut graph = Graph::new();
    let mut why = BTreeMap::new();
    for file in &files {
        let here = module_of(src, file);
        let text = std::fs::read_to_string(file).expect("readable source");
        // A file's own test module names its parent's items freely.
        let code = code_only(text.split("#[cfg(test)]\nmod tests {").next().unwrap_or(""));
        for path in paths(&code) {
            let Some(there) = target(&here, &path, &modules) else {
                continue;
            };
            let shared = here.iter().zip(&there).take_while(|(a, b)| a == b).count();
            if shared == here.len() || shared == there.len() {
                continue; // one contains the other
            }
            // `a::b::c` → `a::d::e` is the arrow `a::b` → `a::d` between the siblings under what they share.
            let (from, to) = (here[..=shared].to_vec(), there[..=shared].to_vec());
            graph.entry(from.clone()).or_default().insert(to.clone());
            why.entry((from, to)).or_insert_with(|| {
                let file = file.strip_prefix(src).unwrap_or(file).display();
                format!("{file} names {}", path.join("::"))
            });
        }
    }
    (graph, why)
}

/// The strongly connected components of more than one module (Tarjan's algorithm).
fn circles(graph: &Graph) -> Vec<Vec<String>> {
    struct State<'g> {
        graph: &'g Graph,
        index: BTreeMap<&'g Vec<String>, usize>,
        low: BTreeMap<&'g Vec<String>, usize>,
        stack: Vec<&'g Vec<String>>,
        on_stack: BTreeSet<&'g Vec<String>>,
        found: Vec<Vec<String>>,
    }
    fn visit<'g>(s: &mut State<'g>, v: &'g Vec<String>) {
        let n = s.index.len();
        s.index.insert(v, n);
        s.low.insert(v, n);
        s.stack.push(v);
        s.on_stack.insert(v);
        if let Some(next) = s.graph.get(v) {
            for w in next {
                if !s.index.contains_key(w) {
                    visit(s, w);
                    let lw = s.low[w];
                    let lv = s.low.get_mut(v).expect("visited");
                    *lv = (*lv).min(lw);
                } else if s.on_stack.contains(w) {
                    let iw = s.index[w];
                    let lv = s.low.get_mut(v).expect("visited");
                    *lv = (*lv).min(iw);
                }
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w.join("::"));
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.found.push(component);
            }
        }
    }
    let mut s = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    let mut nodes: BTreeSet<&Vec<String>> = graph.keys().collect();
    nodes.extend(graph.values().flatten());
    for v in nodes {
        if !s.index.contains_key(v) {
            visit(&mut s, v);
        }
    }
    s.found
}

#[test]
fn the_check_finds_a_circle_where_there_is_one() {
    let dir = std::env::temp_dir().join(format!("layers-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("web")).expect("a scratch crate");
    let files = [
        ("lib.rs", "mod web; mod store;"),
        (
            "store.rs",
            "use crate::web::{pages::Page as P};\n// crate::nowhere\n",
        ),
        ("web/mod.rs", "mod pages; mod api;"),
        (
            "web/pages.rs",
            "pub struct Page; fn f() { super::api::g(); }",
        ),
        (
            "web/api.rs",
            "fn g() { let s = \"crate::store\"; crate::store::h(); }\nuse super::pages::Page;",
        ),
    ];
    for (name, text) in files {
        std::fs::write(dir.join(name), text).expect("write");
    }
    let found = circles(&arrows(&dir).0);
    let _ = std::fs::remove_dir_all(&dir);
    // store → web (store names web::pages), web → store (web::api names store); web::pages ↔ web::api.
    let expected = vec![
        vec!["store".to_string(), "web".to_string()],
        vec!["web::api".to_string(), "web::pages".to_string()],
    ];
    let mut found = found;
    found.sort();
    assert_eq!(found, expected);
}

#[test]
fn no_module_imports_a_module_that_imports_it_back() {
    let mut all = Vec::new();
    for krate in CRATES {
        let (graph, why) = arrows(&root().join(krate).join("src"));
        for circle in circles(&graph) {
            all.push(format!("{krate}: {}", circle.join(" ↔ ")));
            for ((from, to), because) in &why {
                let inside = |m: &Vec<String>| circle.contains(&m.join("::"));
                if inside(from) && inside(to) {
                    all.push(format!(
                        "    {} → {}: {because}",
                        from.join("::"),
                        to.join("::")
                    ));
                }
            }
        }
    }
    assert!(all.is_empty(), "import circles:\n{}", all.join("\n"));
}

#[test]
fn no_source_file_is_over_600_lines() {
    let mut long = Vec::new();
    for krate in CRATES {
        let mut files = Vec::new();
        rust_files(&root().join(krate).join("src"), &mut files);
        for f in files {
            let n = std::fs::read_to_string(&f)
                .expect("readable")
                .lines()
                .count();
            if n > 600 {
                long.push(format!("{} ({n})", f.display()));
            }
        }
    }
    assert!(
        long.is_empty(),
        "files over 600 lines:\n{}",
        long.join("\n")
    );
}

#[test]
fn sql_is_written_only_in_the_store() {
    // Query building names these; the application's and the API's error mappings may name diesel's error type.
    let marks = [
        "RunQueryDsl",
        "QueryDsl",
        "sql_query",
        "diesel::insert_into",
        "diesel::update(",
        "diesel::delete(",
    ];
    let mut found = Vec::new();
    for krate in ["waste-app", "waste-api"] {
        let mut files = Vec::new();
        rust_files(&root().join(krate).join("src"), &mut files);
        for f in files {
            let code = code_only(&std::fs::read_to_string(&f).expect("readable"));
            for m in marks {
                if code.contains(m) {
                    found.push(format!("{}: {m}", f.display()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "SQL outside waste-store:\n{}",
        found.join("\n")
    );
}
