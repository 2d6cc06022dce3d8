//! The committed CRD YAML in `crds/` must be exactly what the code generates: one source of
//! truth. When this fails, run `make crds` and commit the result.

use scs_cert_operator::api::crd::{all_crds, crd_file_name, crd_yaml};
use std::collections::BTreeSet;
use std::path::PathBuf;

fn crds_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("crds")
}

#[test]
fn committed_crds_match_the_code() {
    let mut stale = Vec::new();
    for crd in all_crds() {
        let path = crds_dir().join(crd_file_name(&crd));
        let generated = crd_yaml(&crd).expect("CRD serialises");
        match std::fs::read_to_string(&path) {
            Ok(committed) if committed == generated => {}
            Ok(committed) => stale.push(format!(
                "{} differs from the code (first differing line {}).",
                path.display(),
                first_differing_line(&committed, &generated)
            )),
            Err(err) => stale.push(format!("{} cannot be read: {err}", path.display())),
        }
    }
    assert!(
        stale.is_empty(),
        "CRDs have drifted from src/api:\n  {}\nRun `make crds` and commit crds/.",
        stale.join("\n  ")
    );
}

#[test]
fn crds_dir_holds_no_stale_files() {
    let expected: BTreeSet<String> = all_crds().iter().map(crd_file_name).collect();
    let present: BTreeSet<String> = std::fs::read_dir(crds_dir())
        .expect("crds/ exists")
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    let extra: Vec<_> = present.difference(&expected).collect();
    assert!(
        extra.is_empty(),
        "crds/ holds files the code does not generate: {extra:?}; delete them or run `make crds`"
    );
}

fn first_differing_line(a: &str, b: &str) -> String {
    a.lines()
        .zip(b.lines())
        .position(|(x, y)| x != y)
        .map(|i| (i + 1).to_string())
        .unwrap_or_else(|| "at the end".to_owned())
}
