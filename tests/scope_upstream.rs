//! The real upstream scope files load (or are rejected) exactly as DOMAIN 1.7-1.9 says.

use jiff::civil::{Date, date};
use scs_cert_operator::scope::{
    LoadFileError, LoadedSpec, ScopeSpec, SpecErrorKind, Validity, load_file,
};
use scs_cert_operator::test_support::upstream_fixture;

fn load(name: &str) -> LoadedSpec {
    match load_file(upstream_fixture(name)) {
        Ok(loaded) => loaded,
        Err(e) => panic!("{name} must load: {e}\n{e:#?}"),
    }
}

fn spec(name: &str) -> ScopeSpec {
    load(name).spec
}

#[test]
fn loadable_upstream_files_load_with_their_identity() {
    let iaas_uuid = "50393e6f-2ae1-4c5c-a62c-3b75f2abef3f";
    let iaas_versions = &["next", "v5.1", "v4", "v3"][..];
    let cases = [
        (
            "scs-compatible-iaas.yaml",
            "SCS-compatible IaaS",
            iaas_uuid,
            iaas_versions,
        ),
        (
            "scs-compatible-iaas@96429467.yaml",
            "SCS-compatible IaaS",
            iaas_uuid,
            iaas_versions,
        ),
        (
            "scs-compatible-iaas@817d960b.yaml",
            "SCS-compatible IaaS",
            iaas_uuid,
            iaas_versions,
        ),
        (
            "scs-compatible-kaas.yaml",
            "SCS-compatible KaaS",
            "1fffebe6-fd4b-44d3-a36c-fc58b4bb0180",
            &["v1"][..],
        ),
    ];
    for (file, name, uuid, versions) in cases {
        let spec = spec(file);
        assert_eq!(spec.name.as_deref(), Some(name), "{file}");
        assert_eq!(spec.uuid.as_deref(), Some(uuid), "{file}");
        let names: Vec<&str> = spec.versions.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names, versions, "{file}: version order is spec order");
        for (i, v) in spec.versions.iter().enumerate() {
            assert_eq!(v.index, i, "{file}: version _idx");
        }
        for (i, s) in spec.scripts.iter().enumerate() {
            assert_eq!(s.index, i, "{file}: script _idx");
            for id in &s.testcases {
                assert_eq!(spec.testcase(id).map(|t| t.script), Some(i), "{file}: {id}");
            }
        }
    }
}

/// The rejected fixtures fail with a message that says why.
#[test]
fn outdated_formats_are_rejected_with_reasons() {
    let cases: [(&str, &[&str]); 2] = [
        (
            "invalid-legacy-scs-compatible-test.yaml",
            &[
                "versions[0]: unknown keyword 'standards'",
                "(top level): missing required key 'modules'",
                "(top level): missing required key 'timeline'",
            ],
        ),
        (
            "invalid-old-format-iaas@189136a3.yaml",
            &[
                "modules[2]: unknown keyword 'run'",
                "modules[2]: unknown keyword 'testcases'",
                "modules[2].testcases[0]: unknown keyword 'tags'",
            ],
        ),
    ];
    for (file, expected) in cases {
        let invalid = match load_file(upstream_fixture(file)) {
            Err(LoadFileError::Invalid(invalid)) => invalid,
            Err(other) => panic!("{file}: unexpected failure {other}"),
            Ok(_) => panic!("{file} must be rejected"),
        };
        let messages: Vec<String> = invalid.errors.iter().map(ToString::to_string).collect();
        for needle in expected {
            assert!(
                messages.iter().any(|m| m.starts_with(needle)),
                "{file}: no error starting with {needle:?} in {messages:#?}"
            );
        }
        assert!(
            invalid
                .errors
                .iter()
                .any(|e| matches!(e.kind, SpecErrorKind::UnknownKeyword { .. })),
            "{file}: rule 1 must fire"
        );
    }
}

/// DOMAIN 1.8: sizes of the resolved targets (`None`: the version has no such target).
#[test]
fn resolved_target_sizes_match_upstream() {
    type Row = (&'static str, Option<usize>, Option<usize>, Option<usize>);
    let cases: [(&str, [Row; 4]); 2] = [
        (
            "scs-compatible-iaas.yaml",
            [
                ("next", Some(55), None, None),
                ("v5.1", Some(54), None, None),
                ("v4", Some(39), None, None),
                ("v3", Some(16), None, None),
            ],
        ),
        (
            "scs-compatible-iaas@96429467.yaml",
            [
                ("next", Some(56), Some(27), Some(3)),
                ("v5.1", Some(55), Some(29), Some(3)),
                ("v4", Some(40), Some(25), None),
                ("v3", Some(16), Some(6), None),
            ],
        ),
    ];
    for (file, rows) in cases {
        let spec = spec(file);
        for (version, main, recommended, preview) in rows {
            let v = spec.version(version).expect(version);
            let size = |t: &str| v.targets.get(t).map(Vec::len);
            assert_eq!(size("main"), main, "{file} {version} main");
            assert_eq!(
                size("recommended"),
                recommended,
                "{file} {version} recommended"
            );
            assert_eq!(size("preview"), preview, "{file} {version} preview");
            for ids in v.targets.values() {
                let mut sorted = ids.clone();
                sorted.sort();
                sorted.dedup();
                assert_eq!(&sorted, ids, "{file} {version}: sorted union");
            }
            let union: usize = v.targets.values().map(Vec::len).sum();
            assert_eq!(
                v.tc_target.len(),
                union,
                "{file} {version}: targets are disjoint"
            );
        }
    }
}

#[test]
fn includes_are_normalised_with_parameters() {
    let spec = spec("scs-compatible-iaas.yaml");
    let v4 = spec.version("v4").unwrap();
    let modules: Vec<&str> = v4.includes.iter().map(|i| i.module.as_str()).collect();
    assert_eq!(
        modules,
        [
            "opc-v2022.11",
            "scs-0100-v3.1",
            "scs-0101-v1",
            "scs-0102-v1",
            "scs-0103-v1",
            "scs-0104-v1-1"
        ]
    );
    let image_spec = v4.includes[5].parameters.get("image_spec").unwrap();
    assert!(image_spec.ends_with("/Tests/iaas/scs-0104-v1-images.yaml"));
    assert!(v4.includes[0].parameters.is_empty());
    for inc in &v4.includes {
        assert_eq!(spec.modules[inc.module_index].id, inc.module);
    }
}

/// `attn` counts stable versions whose main contains the testcase.
#[test]
fn attn_counts_stable_versions_with_the_testcase_in_main() {
    let spec = spec("scs-compatible-iaas.yaml");
    let cases = [
        ("scs-0100-syntax-check", 3),      // v5.1, v4, v3 (next is not stable)
        ("scs-0102-prop-architecture", 3), // scs-0102-v1 in v5.1, v4, v3; v2 in next
        ("scs-0102-os_purpose-uniqueness", 0), // only in scs-0102-v2 (next)
        ("scs-0115-default-rules", 1),     // v5.1 only
        ("domain-manager-check", 0),       // parked manual module
    ];
    for (id, attn) in cases {
        assert_eq!(spec.testcase(id).map(|t| t.attn), Some(attn), "{id}");
    }
}

#[test]
fn kaas_variables_scripts_and_lifetimes() {
    let spec = spec("scs-compatible-kaas.yaml");
    let required: Vec<&str> = spec.variables.required().collect();
    assert_eq!(required, ["subject_root", "kubeconfig"]);
    assert_eq!(
        spec.variables.names,
        ["subject_root", "kubeconfig", "execution_mode"]
    );
    assert_eq!(
        spec.variables
            .defaults
            .get("execution_mode")
            .map(String::as_str),
        Some("parallel")
    );
    assert!(spec.scripts[2].is_manual());
    assert!(!spec.scripts[0].is_manual());
    assert_eq!(
        spec.script_of("node-distribution-check").map(|s| s.index),
        Some(2)
    );
    use scs_cert_operator::scope::Lifetime;
    let lifetimes = [
        ("cncf-k8s-conformance", Lifetime::Year),
        ("version-policy-check", Lifetime::Week),
        ("kaas-networking-check", Lifetime::Month),
    ];
    for (id, lifetime) in lifetimes {
        assert_eq!(
            spec.testcase(id).map(|t| &t.lifetime),
            Some(&lifetime),
            "{id}"
        );
    }
    assert_eq!(
        spec.testcase("version-policy-check")
            .unwrap()
            .section
            .as_deref(),
        Some("light")
    );
}

/// Parked manual checks (IaaS at HEAD) are reachable from no version: warned, not an error.
#[test]
fn parked_testcases_are_warned_as_unreachable() {
    let loaded = load("scs-compatible-iaas.yaml");
    let unreachable: Vec<String> = loaded
        .warnings
        .iter()
        .filter(|w| w.to_string().contains("not reachable from any version"))
        .map(|w| w.path.to_string())
        .collect();
    assert!(
        unreachable.contains(&"scripts[1].testcases[2]".to_string()),
        "{unreachable:?}"
    );
    let kaas = load("scs-compatible-kaas.yaml");
    let messages: Vec<String> = kaas.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        [
            "scripts[2].testcases[0]: testcase 'node-distribution-check' is not reachable from any version"
        ]
    );
}

fn d(text: &str) -> Date {
    text.parse().expect("date")
}

/// Every row of the DOMAIN 1.9 tables. `I` = implicit deprecated, otherwise explicit codes.
#[test]
fn validity_tables_of_domain_1_9() {
    use Validity::*;
    const I: Option<Validity> = None;
    let iaas = spec("scs-compatible-iaas.yaml");
    let rows: [(&str, [Option<Validity>; 4]); 8] = [
        ("2024-12-18", [I, I, I, I]),
        (
            "2024-12-19",
            [I, Some(Effective), Some(Effective), Some(Deprecated)],
        ),
        (
            "2025-02-01",
            [I, Some(Effective), Some(Warn), Some(Deprecated)],
        ),
        (
            "2025-06-30",
            [I, Some(Effective), Some(Warn), Some(Deprecated)],
        ),
        (
            "2025-09-09",
            [
                Some(Draft),
                Some(Effective),
                Some(Deprecated),
                Some(Deprecated),
            ],
        ),
        (
            "2026-06-10",
            [
                Some(Draft),
                Some(Effective),
                Some(Deprecated),
                Some(Deprecated),
            ],
        ),
        ("2026-06-11", [Some(Draft), Some(Effective), I, I]),
        ("2030-01-01", [Some(Draft), Some(Effective), I, I]),
    ];
    for (day, expected) in rows {
        let got = iaas.validity_at(d(day));
        let names: Vec<&str> = got.iter().map(|v| v.version.as_str()).collect();
        assert_eq!(names, ["next", "v5.1", "v4", "v3"]);
        for (vv, want) in got.iter().zip(expected) {
            match want {
                Some(code) => {
                    assert!(vv.explicit, "IaaS {day} {}: explicit", vv.version);
                    assert_eq!(vv.validity, code, "IaaS {day} {}", vv.version);
                }
                None => {
                    assert!(!vv.explicit, "IaaS {day} {}: implicit", vv.version);
                    assert_eq!(vv.validity, Deprecated, "IaaS {day} {}", vv.version);
                }
            }
        }
    }
    assert!(
        iaas.explicit_versions_at(d("2024-12-18")).is_empty(),
        "no valid version found"
    );

    let kaas = spec("scs-compatible-kaas.yaml");
    let rows = [
        ("2024-02-27", None),
        ("2024-02-28", Some(Draft)),
        ("2024-11-25", Some(Draft)),
        ("2024-11-26", Some(Effective)),
        ("2026-08-21", Some(Effective)),
    ];
    for (day, want) in rows {
        let v1 = kaas.validity_of("v1", d(day)).expect("v1");
        assert_eq!(v1.explicit, want.is_some(), "KaaS {day}");
        assert_eq!(v1.validity, want.unwrap_or(Deprecated), "KaaS {day}");
    }
    assert!(kaas.validity_of("v2", date(2025, 1, 1)).is_none());
}
