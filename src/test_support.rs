//! Helpers shared by tests: where the upstream fixtures live.

use std::path::PathBuf;

/// Directory holding the real upstream SCS scope files.
///
/// `SCS_STANDARDS_FIXTURES` overrides the default `../shared/fixtures/scs-standards`
/// (relative to the crate root). Panics with a clear message when the directory is absent,
/// because those tests cannot say anything without the real files.
pub fn upstream_fixtures_dir() -> PathBuf {
    let dir = std::env::var_os("SCS_STANDARDS_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/scs-standards")
        });
    assert!(
        dir.join("scs-compatible-iaas.yaml").is_file(),
        "upstream SCS fixtures not found in {}: put the shared/ folder beside the repository \
         or set SCS_STANDARDS_FIXTURES",
        dir.display()
    );
    dir
}

/// Path of one upstream fixture file by name, e.g. `scs-compatible-iaas.yaml`.
pub fn upstream_fixture(name: &str) -> PathBuf {
    upstream_fixtures_dir().join(name)
}
