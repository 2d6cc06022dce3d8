//! The loader never panics, whatever it is fed: random text, YAML-ish token soup, and the demo
//! spec with a random node replaced, removed or renamed (wrong types everywhere).

use proptest::prelude::*;
use scs_cert_operator::scope::load_str;
use serde_norway::{Mapping, Value};

const DEMO: &str = include_str!("fixtures/specs/demo.yaml");

/// Loads `text`; when it loads, the resolved model must be self-consistent.
fn load_and_check(text: &str) {
    if let Ok(loaded) = load_str(text) {
        let spec = loaded.spec;
        for (i, v) in spec.versions.iter().enumerate() {
            assert_eq!(v.index, i);
            for ids in v.targets.values() {
                assert!(ids.windows(2).all(|w| w[0] < w[1]), "sorted and unique");
            }
        }
        for (i, s) in spec.scripts.iter().enumerate() {
            assert_eq!(s.index, i);
            for id in &s.testcases {
                assert_eq!(spec.testcase(id).map(|t| t.script), Some(i));
            }
        }
        let _ = spec.validity_at(jiff::civil::date(2025, 2, 1));
    }
}

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        prop::sample::select(vec![
            "",
            "main",
            "v1",
            "v2",
            "effective",
            "warn",
            "2024-02-30",
            "2025-01-01",
            "demo-0001-daily",
            "demo-0002-v1",
            "{",
            "}",
            "{os_cloud}",
            "id",
            "include",
            "versions",
            "targets",
            "testcases",
            "99999999999999999999999999999999999999999",
            "infinite",
            "null",
            "~",
        ])
        .prop_map(|s| Value::String(s.to_string())),
        "\\PC{0,12}".prop_map(Value::String),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Sequence),
            prop::collection::vec((scalar(), inner), 0..4).prop_map(|entries| {
                let mut map = Mapping::new();
                for (k, v) in entries {
                    map.insert(k, v);
                }
                Value::Mapping(map)
            }),
        ]
    })
}

#[derive(Debug, Clone)]
enum Mutation {
    Replace(Value),
    RemoveKey,
    RenameKey(String),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        value().prop_map(Mutation::Replace),
        Just(Mutation::RemoveKey),
        prop::sample::select(vec![
            "id", "ref", "main", "lifetme", "version", "x", "include"
        ])
        .prop_map(|k| Mutation::RenameKey(k.to_string())),
    ]
}

/// Applies `m` to the `n`-th node in pre-order; returns whether a node was reached.
fn mutate(node: &mut Value, n: &mut usize, m: &Mutation) -> bool {
    if *n == 0 {
        match m {
            Mutation::Replace(v) => *node = v.clone(),
            Mutation::RemoveKey | Mutation::RenameKey(_) => {
                if let Value::Mapping(map) = node
                    && let Some(key) = map.keys().next().cloned()
                {
                    let value = map.remove(&key).unwrap_or(Value::Null);
                    if let Mutation::RenameKey(new) = m {
                        map.insert(Value::String(new.clone()), value);
                    }
                }
            }
        }
        return true;
    }
    *n -= 1;
    match node {
        Value::Sequence(items) => items.iter_mut().any(|item| mutate(item, n, m)),
        Value::Mapping(map) => map.values_mut().any(|item| mutate(item, n, m)),
        _ => false,
    }
}

proptest! {
    #[test]
    fn random_text_never_panics(text in "\\PC{0,200}") {
        load_and_check(&text);
    }

    #[test]
    fn yaml_token_soup_never_panics(tokens in prop::collection::vec(prop::sample::select(vec![
        "scripts:", "modules:", "versions:", "timeline:", "variables:", "testcases:", "include:",
        "targets:", "main:", "- ", "  ", "\n", "id: ", "ref: ", "version: ", "date: ", "2024-12-19",
        "'2024-12-19'", "[", "]", "{", "}", ",", ":", "&a ", "*a", "!!str ", "? ", "|\n", ">-\n",
        "99999999999999999999999999", "-1e400", "null", "~", "v1", "effective", "tc", "#c\n",
        "stabilized_at: ", "lifetime: ", "\"", "'", "---\n", "\t",
    ]), 0..60)) {
        load_and_check(&tokens.concat());
    }

    #[test]
    fn mutated_demo_spec_never_panics(index in 0usize..400, m in mutation()) {
        let mut doc: Value = serde_norway::from_str(DEMO).expect("demo parses");
        let mut n = index;
        mutate(&mut doc, &mut n, &m);
        let text = serde_norway::to_string(&doc).expect("serialises");
        load_and_check(&text);
    }

    #[test]
    fn random_documents_never_panic(doc in value()) {
        let text = serde_norway::to_string(&doc).expect("serialises");
        load_and_check(&text);
    }
}

#[test]
fn deep_nesting_and_alias_bombs_are_errors_or_loads_not_crashes() {
    let deep = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
    load_and_check(&deep);
    let mut bomb = String::from("a: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        bomb.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n",
            p = i - 1
        ));
    }
    load_and_check(&bomb);
}
