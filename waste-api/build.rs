// Re-embed the migrations when a migration directory is added or removed (BUILD-NOTES P10).
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
