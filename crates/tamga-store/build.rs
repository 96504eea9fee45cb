//! `sqlx::migrate!` embeds the migration files at compile time; without this, adding a
//! migration does not rebuild the crate and an incremental build ships the old schema.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
