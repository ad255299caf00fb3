// Re-embed the migrations when a migration directory is added or removed (docs/rules.md "Persistence notes").
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
