//! The loading pipeline: YAML text -> tree -> keyword check (rule 1) -> typed extraction ->
//! resolution (rules 2-6) -> rule-7 warnings. All errors are collected; none stops the others.

use crate::scope::diagnostics::{
    InvalidSpec, LoadFileError, SpecError, SpecErrorKind, SpecPath, SpecWarning, SpecWarningKind,
};
use crate::scope::model::ScopeSpec;
use crate::scope::node::{self, Node};
use crate::scope::{extract, resolve, validate};
use std::path::Path;

/// A successfully loaded spec with the warnings found on the way.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedSpec {
    /// The resolved spec.
    pub spec: ScopeSpec,
    /// Rule-7 problems and other suspicious things; the spec is usable anyway.
    pub warnings: Vec<SpecWarning>,
}

/// Collector of errors and warnings shared by the loading passes.
#[derive(Debug, Default)]
pub(crate) struct Diagnostics {
    pub errors: Vec<SpecError>,
    pub warnings: Vec<SpecWarning>,
}

impl Diagnostics {
    /// Records a hard error.
    pub(crate) fn error(&mut self, path: SpecPath, kind: SpecErrorKind) {
        self.errors.push(SpecError { path, kind });
    }
    /// Records a warning.
    pub(crate) fn warn(&mut self, path: SpecPath, kind: SpecWarningKind) {
        self.warnings.push(SpecWarning { path, kind });
    }
}

/// Loads, validates and resolves a scope spec from YAML text.
pub fn load_str(text: &str) -> Result<LoadedSpec, InvalidSpec> {
    let mut diag = Diagnostics::default();
    let root = match node::parse(text) {
        Ok(root) => root,
        Err(message) => {
            diag.error(SpecPath::root(), SpecErrorKind::Yaml { message });
            return Err(InvalidSpec {
                errors: diag.errors,
                warnings: diag.warnings,
            });
        }
    };
    let root = dedupe_keys(root, &SpecPath::root(), &mut diag);
    validate::check_keywords(&root, &mut diag);
    let raw = extract::extract(&root, &mut diag);
    let spec = resolve::resolve(&raw, &mut diag);
    validate::warn_rule7(&raw, &spec, &mut diag);
    if diag.errors.is_empty() {
        Ok(LoadedSpec {
            spec,
            warnings: diag.warnings,
        })
    } else {
        Err(InvalidSpec {
            errors: diag.errors,
            warnings: diag.warnings,
        })
    }
}

/// Reads `path` and loads it with [`load_str`].
pub fn load_file(path: impl AsRef<Path>) -> Result<LoadedSpec, LoadFileError> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path).map_err(|source| LoadFileError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(load_str(&text)?)
}

/// Makes every map's keys unique like a Python dict: the first position, the last value.
/// Duplicates are warned (PyYAML accepts them silently). Also applies YAML merge keys
/// (`<<: *anchor`) as PyYAML does, so specs using them are not rejected for a `<<` keyword.
fn dedupe_keys(node: Node, path: &SpecPath, diag: &mut Diagnostics) -> Node {
    match node {
        Node::Seq(items) => Node::Seq(
            items
                .into_iter()
                .enumerate()
                .map(|(i, item)| dedupe_keys(item, &path.index(i), diag))
                .collect(),
        ),
        Node::Map(entries) => {
            let (merged, own) = split_merge_keys(entries, path);
            let mut out: Vec<(Node, Node)> = Vec::with_capacity(merged.len() + own.len());
            for (key, value) in merged {
                insert_entry(&mut out, key, value);
            }
            let mut own_keys: Vec<Node> = Vec::new();
            for (key, value) in own {
                let text = key.scalar_text().unwrap_or_else(|| key.describe());
                let value = dedupe_keys(value, &path.key(&text), diag);
                if own_keys.iter().any(|k| same_key(k, &key)) {
                    diag.warn(path.clone(), SpecWarningKind::DuplicateKey { key: text });
                } else {
                    own_keys.push(key.clone());
                }
                insert_entry(&mut out, key, value);
            }
            Node::Map(out)
        }
        scalar => scalar,
    }
}

/// Separates merged-in entries (PyYAML order: merged first; of several merged maps, the
/// earlier one wins) from the map's own entries. A `<<` whose value is not a map or a list
/// of maps stays an ordinary key.
fn split_merge_keys(entries: Vec<(Node, Node)>, path: &SpecPath) -> (Vec<Entry>, Vec<Entry>) {
    let mut merged = Vec::new();
    let mut own = Vec::new();
    // merged maps were checked where their anchor is defined: do not warn twice
    let mut quiet = Diagnostics::default();
    for (key, value) in entries {
        let is_merge =
            matches!(&key, Node::Str { value, quoted } if value == "<<" && *quoted != Some(true));
        match value {
            Node::Map(_) if is_merge => {
                if let Node::Map(m) = dedupe_keys(value, path, &mut quiet) {
                    merged.extend(m);
                }
            }
            Node::Seq(items) if is_merge && items.iter().all(|i| matches!(i, Node::Map(_))) => {
                for item in items.into_iter().rev() {
                    if let Node::Map(m) = dedupe_keys(item, path, &mut quiet) {
                        merged.extend(m);
                    }
                }
            }
            value => own.push((key, value)),
        }
    }
    (merged, own)
}

/// One key-value pair of a mapping.
type Entry = (Node, Node);

/// Inserts keeping the first position and the last value.
fn insert_entry(out: &mut Vec<(Node, Node)>, key: Node, value: Node) {
    match out.iter_mut().find(|(k, _)| same_key(k, &key)) {
        Some(slot) => slot.1 = value,
        None => out.push((key, value)),
    }
}

/// Key equality that ignores how a string was quoted (`a:` and `'a':` are the same key).
fn same_key(a: &Node, b: &Node) -> bool {
    match (a.as_str(), b.as_str()) {
        (Some(a), Some(b)) => a == b,
        _ => a == b,
    }
}
