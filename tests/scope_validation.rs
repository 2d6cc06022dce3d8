//! Validation behaviour (DOMAIN 1.7): rules 1-6 reject the spec with the path of the offending
//! element, all errors at once; rule-7 problems are warnings and the spec still loads. Also
//! resolution details (1.8) and validity tie-breaks (1.9) on small synthetic specs.

use jiff::civil::date;
use scs_cert_operator::scope::{InvalidSpec, Lifetime, LoadedSpec, Validity, load_file, load_str};

/// Text edits applied to [`MINI`]: `(from, to)`.
type Edits = &'static [(&'static str, &'static str)];
/// `(what, edits, path, message start)`.
type Case = (&'static str, Edits, &'static str, &'static str);

/// A minimal valid spec; the tests below mutate it by exact text replacement.
const MINI: &str = "\
uuid: 00000000-0000-4000-8000-000000000001
name: Mini
url: https://example.com/mini.yaml
variables:
  - cloud
scripts:
  - executable: ./check.py
    args: -c {cloud} {testcases}
    testcases:
      - id: tc-a
      - id: tc-b
modules:
  - id: mod-a
    targets:
      main: [tc-a]
  - id: mod-b
    targets:
      main: [tc-b]
timeline:
  - date: 2025-01-01
    versions:
      v1: effective
versions:
  - version: v1
    stabilized_at: 2024-12-01
    include:
      - mod-a
      - mod-b
";

/// MINI with each `(from, to)` replaced; panics when `from` is not in the text.
fn mini_with(edits: &[(&str, &str)]) -> String {
    let mut text = MINI.to_string();
    for (from, to) in edits {
        assert!(text.contains(from), "test bug: {from:?} not in spec");
        text = text.replacen(from, to, 1);
    }
    text
}

fn rejected(text: &str) -> InvalidSpec {
    match load_str(text) {
        Err(invalid) => invalid,
        Ok(loaded) => panic!("must be rejected, loaded with {:?}", loaded.warnings),
    }
}

fn loads(text: &str) -> LoadedSpec {
    match load_str(text) {
        Ok(loaded) => loaded,
        Err(invalid) => panic!("must load: {:#?}", invalid.errors),
    }
}

#[test]
fn the_minimal_spec_loads_without_warnings() {
    let loaded = loads(MINI);
    assert_eq!(loaded.warnings, []);
    assert_eq!(loaded.spec.version("v1").unwrap().main(), ["tc-a", "tc-b"]);
}

/// One error each: (what, edits, path, message start).
#[test]
fn each_rule_rejects_with_path_and_reason() {
    let cases: &[Case] = &[
        (
            "rule 1: unknown testcase keyword",
            &[(
                "      - id: tc-a\n",
                "      - id: tc-a\n        lifetme: day\n",
            )],
            "scripts[0].testcases[0]",
            "unknown keyword 'lifetme'",
        ),
        (
            "rule 1: unknown top-level keyword",
            &[("name: Mini\n", "name: Mini\nstandards: []\n")],
            "(top level)",
            "unknown keyword 'standards'",
        ),
        (
            "rule 1: unknown script keyword (section moved to scripts)",
            &[(
                "  - executable: ./check.py\n",
                "  - executable: ./check.py\n    section: light\n",
            )],
            "scripts[0]",
            "unknown keyword 'section'",
        ),
        (
            "rule 1: unknown module keyword",
            &[("  - id: mod-b\n", "  - id: mod-b\n    run: []\n")],
            "modules[1]",
            "unknown keyword 'run'",
        ),
        (
            "rule 1: unknown version keyword",
            &[(
                "    stabilized_at: 2024-12-01\n",
                "    stabilised_at: 2024-12-01\n",
            )],
            "versions[0]",
            "unknown keyword 'stabilised_at'",
        ),
        (
            "rule 1: unknown include keyword",
            &[(
                "      - mod-b\n",
                "      - ref: mod-b\n        params: {}\n",
            )],
            "versions[0].include[1]",
            "unknown keyword 'params'",
        ),
        (
            "rule 2: duplicate testcase across scripts",
            &[("modules:\n", "  - testcases:\n      - id: tc-a\nmodules:\n")],
            "scripts[1].testcases[0]",
            "duplicate testcase 'tc-a' (first defined at scripts[0].testcases[0])",
        ),
        (
            "rule 3: duplicate module id",
            &[("modules:\n", "modules:\n  - id: mod-a\n")],
            "modules[1]",
            "duplicate module id 'mod-a' (first defined at modules[0])",
        ),
        (
            "rule 3: duplicate version name",
            &[(
                "    include:\n      - mod-a\n      - mod-b\n",
                "    include: [mod-a]\n  - version: v1\n    include: [mod-b]\n",
            )],
            "versions[1]",
            "duplicate version 'v1' (first defined at versions[0])",
        ),
        (
            "rule 4: include of an unknown module",
            &[("      - mod-b\n", "      - mod-x\n")],
            "versions[0].include[1]",
            "include references unknown module 'mod-x'",
        ),
        (
            "rule 5: timeline names an unknown version",
            &[(
                "      v1: effective\n",
                "      v1: effective\n      v9: draft\n",
            )],
            "timeline[0].versions.v9",
            "timeline references unknown version 'v9'",
        ),
        (
            "rule 6: stable main names an unknown testcase",
            &[("      main: [tc-b]\n", "      main: [tc-b, tc-x]\n")],
            "versions[0].include[1]",
            "stable version 'v1' has unknown testcase 'tc-x' in target 'main' (from module 'mod-b')",
        ),
        (
            "resolved form of versions",
            &[(
                "versions:\n  - version: v1\n    stabilized_at: 2024-12-01\n    include:\n      - mod-a\n      - mod-b\n",
                "versions:\n  v1:\n    include: [mod-a]\n",
            )],
            "versions",
            "spec already in resolved form",
        ),
        (
            "missing modules",
            &[(
                "modules:\n  - id: mod-a\n    targets:\n      main: [tc-a]\n  - id: mod-b\n    targets:\n      main: [tc-b]\n",
                "",
            )],
            "(top level)",
            "missing required key 'modules'",
        ),
        (
            "missing testcase id",
            &[(
                "      - id: tc-b\n",
                "      - id: tc-b\n      - description: no id\n",
            )],
            "scripts[0].testcases[2]",
            "missing required key 'id'",
        ),
        (
            "wrong type: modules is a string",
            &[(
                "modules:\n  - id: mod-a\n    targets:\n      main: [tc-a]\n  - id: mod-b\n    targets:\n      main: [tc-b]\n",
                "modules: mod-a\n",
            )],
            "modules",
            "expected a list, found a string",
        ),
        (
            "wrong type: target is not a list",
            &[("      main: [tc-b]\n", "      main: tc-b\n")],
            "modules[1].targets.main",
            "expected a list of testcase ids, found a string",
        ),
        (
            "timeline date is not a date",
            &[("  - date: 2025-01-01\n", "  - date: soon\n")],
            "timeline[0].date",
            "expected a date (YYYY-MM-DD), found a string",
        ),
    ];
    for (what, edits, path, message) in cases {
        let invalid = rejected(&mini_with(edits));
        let rendered: Vec<String> = invalid.errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            invalid.errors.len(),
            1,
            "{what}: exactly one error, got {rendered:#?}"
        );
        let error = &invalid.errors[0];
        assert_eq!(error.path.to_string(), *path, "{what}");
        assert!(
            error.kind.to_string().starts_with(message),
            "{what}: {:?} does not start with {message:?}",
            error.kind.to_string()
        );
    }
}

#[test]
fn all_errors_are_reported_at_once_with_paths() {
    let text = mini_with(&[
        (
            "      - id: tc-a\n",
            "      - id: tc-a\n        lifetme: day\n",
        ),
        ("      - id: tc-b\n", "      - id: tc-b\n      - id: tc-a\n"),
        ("  - id: mod-b\n", "  - id: mod-b\n    run: []\n"),
        ("      - mod-b\n", "      - mod-b\n      - mod-x\n"),
        (
            "      v1: effective\n",
            "      v1: effective\n      v9: draft\n",
        ),
    ]);
    let invalid = rejected(&text);
    let rendered: Vec<String> = invalid.errors.iter().map(ToString::to_string).collect();
    let expected = [
        "scripts[0].testcases[0]: unknown keyword 'lifetme'",
        "modules[1]: unknown keyword 'run'",
        "scripts[0].testcases[2]: duplicate testcase 'tc-a'",
        "versions[0].include[2]: include references unknown module 'mod-x'",
        "timeline[0].versions.v9: timeline references unknown version 'v9'",
    ];
    assert_eq!(rendered.len(), expected.len(), "{rendered:#?}");
    for want in expected {
        assert!(
            rendered.iter().any(|r| r.starts_with(want)),
            "missing {want:?} in {rendered:#?}"
        );
    }
}

/// Rule 1 recursion follows upstream: only values under a context key are checked.
#[test]
fn unchecked_places_accept_any_keys() {
    let loaded = loads(&mini_with(&[
        (
            "      main: [tc-a]\n",
            "      main: [tc-a]\n      anything: []\n",
        ),
        (
            "    args: -c {cloud} {testcases}\n",
            "    args: -c {cloud} {testcases}\n    env:\n      WHATEVER: x\n",
        ),
        (
            "  - id: mod-b\n",
            "  - id: mod-b\n    parameters:\n      free_key: text\n",
        ),
    ]));
    let spec = &loaded.spec;
    assert_eq!(
        spec.version("v1").unwrap().target("anything"),
        [] as [String; 0]
    );
    assert_eq!(
        spec.scripts[0].env.get("WHATEVER").map(String::as_str),
        Some("x")
    );
}

/// A keyword context reached through an unexpected key is still checked (upstream recursion
/// is by key name): `testcases` below a module is checked as testcases.
#[test]
fn keyword_contexts_are_found_by_key_name_anywhere_checked() {
    let invalid = rejected(&mini_with(&[(
        "  - id: mod-b\n",
        "  - id: mod-b\n    testcases:\n      - id: x\n        tags: []\n",
    )]));
    let rendered: Vec<String> = invalid.errors.iter().map(ToString::to_string).collect();
    assert!(
        rendered
            .iter()
            .any(|r| r.starts_with("modules[1]: unknown keyword 'testcases'"))
    );
    assert!(
        rendered
            .iter()
            .any(|r| r.starts_with("modules[1].testcases[0]: unknown keyword 'tags'"))
    );
}

/// Rule 7 problems: (what, edits, warning path, message start). Each spec still loads.
#[test]
fn rule7_problems_are_warnings_with_paths() {
    let cases: &[Case] = &[
        (
            "missing uuid",
            &[("uuid: 00000000-0000-4000-8000-000000000001\n", "")],
            "(top level)",
            "missing top-level key 'uuid'",
        ),
        (
            "missing name",
            &[("name: Mini\n", "")],
            "(top level)",
            "missing top-level key 'name'",
        ),
        (
            "missing url",
            &[("url: https://example.com/mini.yaml\n", "")],
            "(top level)",
            "missing top-level key 'url'",
        ),
        (
            "unknown lifetime",
            &[(
                "      - id: tc-a\n",
                "      - id: tc-a\n        lifetime: infinite\n",
            )],
            "scripts[0].testcases[0].lifetime",
            "unknown lifetime 'infinite'",
        ),
        (
            "unknown validity code",
            &[("      v1: effective\n", "      v1: valid\n")],
            "timeline[0].versions.v1",
            "unknown validity code 'valid'",
        ),
        (
            "quoted timeline date",
            &[("  - date: 2025-01-01\n", "  - date: '2025-01-01'\n")],
            "timeline[0].date",
            "date '2025-01-01' is a quoted string",
        ),
        (
            "double-quoted stabilized_at",
            &[(
                "    stabilized_at: 2024-12-01\n",
                "    stabilized_at: \"2024-12-01\"\n",
            )],
            "versions[0].stabilized_at",
            "date '2024-12-01' is a quoted string",
        ),
        (
            "unreachable testcase",
            &[("      - id: tc-b\n", "      - id: tc-b\n      - id: tc-c\n")],
            "scripts[0].testcases[2]",
            "testcase 'tc-c' is not reachable from any version",
        ),
        (
            "testcase in two targets of one version",
            &[(
                "      main: [tc-b]\n",
                "      main: [tc-b]\n      preview: [tc-a]\n",
            )],
            "versions[0]",
            "testcase 'tc-a' is in several targets of version 'v1' (main, preview); it is attributed to 'preview'",
        ),
        (
            "testcase in two modules of one version",
            &[("      main: [tc-b]\n", "      main: [tc-b, tc-a]\n")],
            "versions[0]",
            "testcase 'tc-a' is included by several modules of version 'v1' (mod-a, mod-b)",
        ),
        (
            "effective but never stabilised",
            &[("    stabilized_at: 2024-12-01\n", "")],
            "timeline[0].versions.v1",
            "version 'v1' is 'effective' from 2025-01-01 but is not stable",
        ),
        (
            "effective before it was stabilised",
            &[(
                "    stabilized_at: 2024-12-01\n",
                "    stabilized_at: 2025-02-01\n",
            )],
            "timeline[0].versions.v1",
            "version 'v1' is 'effective' from 2025-01-01 but was stabilised only on 2025-02-01",
        ),
        (
            "version without main",
            &[
                ("      main: [tc-a]\n", "      recommended: [tc-a]\n"),
                ("      main: [tc-b]\n", "      preview: [tc-b]\n"),
            ],
            "versions[0]",
            "version 'v1' has no 'main' target",
        ),
        (
            "unknown testcase in a draft version",
            &[
                ("    stabilized_at: 2024-12-01\n", ""),
                ("      v1: effective\n", "      v1: draft\n"),
                ("      main: [tc-b]\n", "      main: [tc-b, tc-x]\n"),
            ],
            "versions[0].include[1]",
            "version 'v1' target 'main' references unknown testcase 'tc-x'",
        ),
        (
            "placeholder without a variable",
            &[(
                "    args: -c {cloud} {testcases}\n",
                "    args: -c {cloud} {region} {testcases}\n",
            )],
            "scripts[0].args",
            "placeholder '{region}' names no declared variable",
        ),
        (
            "malformed template",
            &[(
                "    args: -c {cloud} {testcases}\n",
                "    args: -c {cloud {testcases}\n",
            )],
            "scripts[0].args",
            "malformed template",
        ),
        (
            "duplicate mapping key",
            &[("name: Mini\n", "name: Mini\nname: Maxi\n")],
            "(top level)",
            "duplicate key 'name'; the last value wins",
        ),
        (
            "timeline not newest first",
            &[(
                "timeline:\n",
                "timeline:\n  - date: 2024-06-01\n    versions: {}\n",
            )],
            "timeline[1]",
            "timeline is not sorted newest first",
        ),
        (
            "unknown key in a timeline entry",
            &[(
                "  - date: 2025-01-01\n",
                "  - date: 2025-01-01\n    note: x\n",
            )],
            "timeline[0]",
            "unknown key 'note' (ignored)",
        ),
        (
            "prerequisite",
            &[(
                "name: Mini\n",
                "name: Mini\nprerequisite:\n  name: SCS-compatible IaaS\n  url: https://example.com/iaas.yaml\n",
            )],
            "prerequisite",
            "prerequisite is not implemented",
        ),
        (
            "authored version targets",
            &[(
                "    include:\n      - mod-a\n",
                "    targets: {main: [tc-a]}\n    include:\n      - mod-a\n",
            )],
            "versions[0].targets",
            "'targets' of a version is overwritten",
        ),
        (
            "include parameter the module does not declare",
            &[(
                "      - mod-b\n",
                "      - ref: mod-b\n        parameters:\n          image_spec: https://example.com/x.yaml\n",
            )],
            "versions[0].include[1].parameters.image_spec",
            "parameter 'image_spec' is not declared by module 'mod-b'",
        ),
        (
            "module parameter the include does not set",
            &[(
                "  - id: mod-b\n",
                "  - id: mod-b\n    parameters:\n      image_spec: URL of the image spec\n",
            )],
            "versions[0].include[1]",
            "module 'mod-b' declares parameter 'image_spec' but the include does not set it",
        ),
        (
            "remote executable",
            &[(
                "  - executable: ./check.py\n",
                "  - executable: https://example.com/check.py\n",
            )],
            "scripts[0].executable",
            "executable 'https://example.com/check.py' is a remote URL",
        ),
        (
            "empty stabilized_at",
            &[("    stabilized_at: 2024-12-01\n", "    stabilized_at:\n")],
            "versions[0].stabilized_at",
            "stabilized_at is empty; its presence still makes the version stable",
        ),
        (
            "stabilized_at not a date",
            &[(
                "    stabilized_at: 2024-12-01\n",
                "    stabilized_at: yes\n",
            )],
            "versions[0].stabilized_at",
            "stabilized_at is not a date (a string (\"yes\")); the version still counts as stable",
        ),
        (
            "null validity code",
            &[
                ("      v1: effective\n", "      v1: effective\n      v2:\n"),
                (
                    "\nversions:\n",
                    "\nversions:\n  - version: v2\n    include: []\n",
                ),
            ],
            "timeline[0].versions.v2",
            "validity code is null",
        ),
    ];
    for (what, edits, path, message) in cases {
        let loaded = loads(&mini_with(edits));
        let found = loaded
            .warnings
            .iter()
            .any(|w| w.path.to_string() == *path && w.kind.to_string().starts_with(message));
        let rendered: Vec<String> = loaded.warnings.iter().map(ToString::to_string).collect();
        assert!(
            found,
            "{what}: no warning {path}: {message} in {rendered:#?}"
        );
    }
}

#[test]
fn unknown_values_are_kept_verbatim() {
    let spec = loads(&mini_with(&[
        (
            "      - id: tc-a\n",
            "      - id: tc-a\n        lifetime: infinite\n",
        ),
        ("      v1: effective\n", "      v1: valid\n"),
    ]))
    .spec;
    assert_eq!(
        spec.testcase("tc-a").unwrap().lifetime,
        Lifetime::Unknown("infinite".into())
    );
    assert_eq!(spec.testcase("tc-b").unwrap().lifetime, Lifetime::Week);
    let v1 = spec.validity_of("v1", date(2025, 6, 1)).unwrap();
    assert_eq!(v1.validity, Validity::Other("valid".into()));
    assert!(v1.explicit);
    assert!(!v1.validity.is_certifiable());
}

/// DOMAIN 1.8: the target inserted last wins in `tc_target`, which can hide `main`.
#[test]
fn tc_target_last_inserted_wins() {
    let cases: &[(&str, Edits, &str)] = &[
        // module order: mod-a brings main first, mod-b adds preview later -> preview wins
        (
            "later module's target wins",
            &[(
                "      main: [tc-b]\n",
                "      main: [tc-b]\n      preview: [tc-a]\n",
            )],
            "preview",
        ),
        // within one module, target order decides
        (
            "within a module the last target wins",
            &[(
                "      main: [tc-a]\n",
                "      recommended: [tc-a]\n      main: [tc-a]\n",
            )],
            "main",
        ),
        // target names are ordered by first insertion: main exists since mod-a
        (
            "first insertion fixes the order",
            &[
                ("      main: [tc-a]\n", "      recommended: [tc-a]\n"),
                ("      main: [tc-b]\n", "      main: [tc-b, tc-a]\n"),
            ],
            "main",
        ),
    ];
    for (what, edits, winner) in cases {
        let spec = loads(&mini_with(edits)).spec;
        let v1 = spec.version("v1").unwrap();
        assert_eq!(
            v1.tc_target.get("tc-a").map(String::as_str),
            Some(*winner),
            "{what}"
        );
    }
    let spec = loads(&mini_with(cases[0].1)).spec;
    let v1 = spec.version("v1").unwrap();
    assert!(
        v1.main().contains(&"tc-a".to_string()),
        "still in main's list"
    );
    let names: Vec<&str> = v1.targets.keys().collect();
    assert_eq!(names, ["main", "preview"]);
}

/// DOMAIN 1.9: greatest date not after the check date; ties go to the first entry in list
/// order; list order of entries does not matter otherwise.
#[test]
fn validity_uses_greatest_date_and_first_of_ties() {
    let text = mini_with(&[
        (
            "\nversions:\n  - version: v1\n",
            "\nversions:\n  - version: v2\n    include: [mod-a]\n  - version: v1\n",
        ),
        (
            "timeline:\n",
            "timeline:\n  - date: 2024-01-01\n    versions:\n      v1: draft\n  - date: 2025-06-01\n    versions:\n      v1: warn\n      v2: draft\n  - date: 2025-06-01\n    versions:\n      v1: deprecated\n",
        ),
    ]);
    let spec = loads(&text).spec;
    let cases = [
        (date(2023, 12, 31), None, None),
        (date(2024, 1, 1), Some(Validity::Draft), None),
        (date(2025, 1, 1), Some(Validity::Effective), None),
        (
            date(2025, 6, 1),
            Some(Validity::Warn),
            Some(Validity::Draft),
        ),
        (
            date(2099, 1, 1),
            Some(Validity::Warn),
            Some(Validity::Draft),
        ),
    ];
    for (day, v1, v2) in cases {
        let got = spec.validity_at(day);
        assert_eq!(got[0].version, "v2");
        assert_eq!(got[1].version, "v1");
        for (vv, want) in [(&got[1], &v1), (&got[0], &v2)] {
            assert_eq!(vv.explicit, want.is_some(), "{day} {}", vv.version);
            assert_eq!(
                &vv.validity,
                want.as_ref().unwrap_or(&Validity::Deprecated),
                "{day} {}",
                vv.version
            );
        }
    }
}

#[test]
fn variables_required_then_defaulted() {
    let spec = loads(&mini_with(&[(
        "variables:\n  - cloud\n",
        "variables:\n  - mode: dry\n  - cloud\n  - retries: 3\n",
    )]))
    .spec;
    assert_eq!(spec.variables.names, ["cloud", "mode", "retries"]);
    assert_eq!(spec.variables.required().collect::<Vec<_>>(), ["cloud"]);
    assert_eq!(
        spec.variables.defaults.get("retries").map(String::as_str),
        Some("3")
    );
}

/// The shared demo fixture: every keyword, no warnings, resolution as its header says.
#[test]
fn demo_fixture_resolves_as_documented() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/specs/demo.yaml");
    let loaded = load_file(&path).expect("demo loads");
    assert_eq!(loaded.warnings, []);
    let spec = &loaded.spec;
    assert_eq!(spec.name.as_deref(), Some("SCS Demo Scope"));
    assert_eq!(spec.scripts.len(), 2);
    assert!(spec.scripts[1].is_manual());
    assert_eq!(spec.variables.required().collect::<Vec<_>>(), ["os_cloud"]);
    assert_eq!(
        spec.variables.defaults.get("mode").map(String::as_str),
        Some("fast")
    );
    let args = spec.scripts[0].args.as_deref().unwrap();
    let rendered = scs_cert_operator::scope::template::render(args, |name| match name {
        "os_cloud" => Some("gx".into()),
        "mode" => Some("fast".into()),
        "testcases" => Some("demo-0001-daily".into()),
        _ => None,
    });
    assert_eq!(
        rendered.as_deref(),
        Ok("-c gx --mode fast --label {demo} demo-0001-daily")
    );
    let v2 = spec.version("v2").unwrap();
    assert_eq!(
        v2.main(),
        [
            "demo-0001-daily",
            "demo-0001-weekly",
            "demo-0002-monthly",
            "demo-0003-yearly"
        ]
    );
    assert_eq!(v2.target("recommended"), ["demo-0002-quarterly"]);
    assert_eq!(v2.target("preview"), ["demo-0004-manual-docs"]);
    let v1 = spec.version("v1").unwrap();
    assert_eq!(
        v1.main(),
        ["demo-0001-daily", "demo-0001-weekly", "demo-0002-monthly"]
    );
    assert_eq!(
        v1.includes[1]
            .parameters
            .get("flavor_spec")
            .map(String::as_str),
        Some("https://example.com/flavors-v1.yaml")
    );
    let lifetimes: Vec<&str> = spec.scripts[0]
        .testcases
        .iter()
        .map(|id| spec.testcase(id).unwrap().lifetime.as_str())
        .collect();
    assert_eq!(lifetimes, ["day", "week", "month", "quarter", "year"]);
    let at = |y, m, d| -> Vec<(String, bool)> {
        spec.validity_at(date(y, m, d))
            .into_iter()
            .map(|v| (v.validity.to_string(), v.explicit))
            .collect()
    };
    let s = |c: &str, e: bool| (c.to_string(), e);
    assert_eq!(
        at(2024, 12, 31),
        [s("deprecated", false), s("deprecated", false)]
    );
    assert_eq!(at(2025, 1, 1), [s("draft", true), s("effective", true)]);
    assert_eq!(at(2025, 3, 1), [s("effective", true), s("warn", true)]);
}

#[test]
fn degenerate_documents_are_errors_not_panics() {
    let cases = [
        (
            "",
            "expected a map (the scope spec), found an empty document",
        ),
        (
            "# only a comment\n",
            "expected a map (the scope spec), found an empty document",
        ),
        (
            "- a\n- b\n",
            "expected a map (the scope spec), found a list",
        ),
        (
            "42",
            "expected a map (the scope spec), found an integer (42)",
        ),
        ("a: [\n", "invalid YAML"),
        ("a: 1\n---\nb: 2\n", "invalid YAML"),
        ("a: !custom x\n", "invalid YAML"),
    ];
    for (text, message) in cases {
        let invalid = rejected(text);
        assert!(
            invalid.errors[0].to_string().contains(message),
            "{text:?}: {:?}",
            invalid.errors
        );
    }
}

/// PyYAML applies merge keys; so do we (no `<<` keyword error, own keys override merged ones).
#[test]
fn yaml_merge_keys_are_applied() {
    let loaded = loads(&mini_with(&[(
        "  - id: mod-a\n    targets:\n      main: [tc-a]\n  - id: mod-b\n    targets:\n      main: [tc-b]\n",
        "  - &base\n    id: mod-a\n    name: Shared name\n    targets:\n      main: [tc-a]\n  - <<: *base\n    id: mod-b\n    targets:\n      main: [tc-b]\n",
    )]));
    assert_eq!(loaded.warnings, []);
    let module = loaded.spec.module("mod-b").expect("mod-b");
    assert_eq!(module.name.as_deref(), Some("Shared name"));
    assert_eq!(
        module.targets.get("main").map(Vec::as_slice),
        Some(&["tc-b".to_string()][..])
    );
}

/// An empty or non-date `stabilized_at` still makes the version stable (presence counts).
#[test]
fn presence_of_stabilized_at_makes_a_version_stable() {
    for value in ["", " yes", " '2024-12-01'"] {
        let text = mini_with(&[(
            "    stabilized_at: 2024-12-01\n",
            &format!("    stabilized_at:{value}\n"),
        )]);
        let spec = loads(&text).spec;
        assert!(spec.version("v1").unwrap().stable, "{value:?}");
        assert_eq!(spec.testcase("tc-a").unwrap().attn, 1, "{value:?}");
    }
}
