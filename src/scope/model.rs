//! The resolved scope spec: what every later stage (runner, evaluation, reports) consumes.
//!
//! All lists keep spec order. Lookups by id/name are methods, so the order of the YAML is never
//! lost. Nothing here does I/O or reads a clock.

use crate::scope::lifetime::Lifetime;
use crate::scope::validity::Validity;
use jiff::civil::Date;
use serde::ser::{Serialize, SerializeMap, Serializer};
use std::collections::BTreeMap;

/// A string-keyed map that keeps insertion order (YAML key order matters for `tc_target`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderedMap<V>(Vec<(String, V)>);

impl<V> Default for OrderedMap<V> {
    fn default() -> Self {
        OrderedMap(Vec::new())
    }
}

impl<V> OrderedMap<V> {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }
    /// Value for `key`, if present.
    pub fn get(&self, key: &str) -> Option<&V> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
    /// Mutable value for `key`, if present.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut V> {
        self.0.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v)
    }
    /// Whether `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }
    /// Inserts like a Python dict: an existing key keeps its position and gets the new value.
    /// Returns the previous value.
    pub fn insert(&mut self, key: String, value: V) -> Option<V> {
        match self.get_mut(&key) {
            Some(slot) => Some(std::mem::replace(slot, value)),
            None => {
                self.0.push((key, value));
                None
            }
        }
    }
    /// Entries in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &V)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }
    /// Keys in insertion order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| k.as_str())
    }
    /// Values in insertion order.
    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.0.iter().map(|(_, v)| v)
    }
    /// Number of entries.
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// Whether the map is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<V: Serialize> Serialize for OrderedMap<V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<V> FromIterator<(String, V)> for OrderedMap<V> {
    fn from_iter<I: IntoIterator<Item = (String, V)>>(iter: I) -> Self {
        let mut map = OrderedMap::new();
        for (k, v) in iter {
            map.insert(k, v);
        }
        map
    }
}

/// A loaded, validated and resolved scope spec (DOMAIN 1.8).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ScopeSpec {
    /// Stable identity of the scope; absent only in broken specs (warned).
    pub uuid: Option<String>,
    /// Human name, e.g. `SCS-compatible IaaS` (absent: warned).
    pub name: Option<String>,
    /// Raw URL of the YAML (absent: warned).
    pub url: Option<String>,
    /// Prerequisite scope; accepted but not implemented upstream.
    pub prerequisite: Option<Prerequisite>,
    /// Declared variables: required names and defaults (DOMAIN 1.6).
    pub variables: Variables,
    /// Scripts in spec order; `scripts[i].index == i`.
    pub scripts: Vec<Script>,
    /// Every testcase by id (ids are unique across scripts).
    pub testcases: BTreeMap<String, Testcase>,
    /// Modules in spec order.
    pub modules: Vec<Module>,
    /// Versions in spec order (upstream: newest first); `versions[i].index == i`.
    pub versions: Vec<Version>,
    /// Timeline entries in spec order (not necessarily sorted).
    pub timeline: Vec<TimelineEntry>,
}

impl ScopeSpec {
    /// Testcase by id.
    pub fn testcase(&self, id: &str) -> Option<&Testcase> {
        self.testcases.get(id)
    }
    /// The script that reports the testcase `id`.
    pub fn script_of(&self, id: &str) -> Option<&Script> {
        self.testcase(id).and_then(|tc| self.scripts.get(tc.script))
    }
    /// Version by name.
    pub fn version(&self, name: &str) -> Option<&Version> {
        self.versions.iter().find(|v| v.name == name)
    }
    /// Module by id.
    pub fn module(&self, id: &str) -> Option<&Module> {
        self.modules.iter().find(|m| m.id == id)
    }
}

/// `prerequisite: {name, url}`: a scope that must be fulfilled first (unused today).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Prerequisite {
    /// Name of the prerequisite scope.
    pub name: Option<String>,
    /// URL of the prerequisite scope.
    pub url: Option<String>,
}

/// Declared variables (DOMAIN 1.6).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Variables {
    /// All names as upstream orders them: required names first, then defaulted names.
    pub names: Vec<String>,
    /// Defaults of the optional variables, in declaration order.
    pub defaults: OrderedMap<String>,
}

impl Variables {
    /// Names that must be assigned by the user (no default).
    pub fn required(&self) -> impl Iterator<Item = &str> {
        self.names
            .iter()
            .map(String::as_str)
            .filter(|n| !self.defaults.contains_key(n))
    }
    /// Whether `name` is declared (required or defaulted).
    pub fn is_declared(&self, name: &str) -> bool {
        self.names.iter().any(|n| n == name)
    }
}

/// One script descriptor: an executable reporting results for some testcases.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Script {
    /// Position in `scripts` (upstream `_idx`).
    pub index: usize,
    /// Path relative to the spec file's directory (`file://` kept as written); `None`: manual.
    pub executable: Option<String>,
    /// Argument template (`{var}` placeholders, `{{` for a literal brace); split shell-style.
    pub args: Option<String>,
    /// Environment templates, name -> value template, in spec order.
    pub env: OrderedMap<String>,
    /// Ids of this script's testcases, in spec order.
    pub testcases: Vec<String>,
}

impl Script {
    /// A script without `executable` denotes manual checks; never run automatically.
    pub fn is_manual(&self) -> bool {
        self.executable.is_none()
    }
}

/// One testcase descriptor, with its script index and `attn` count.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Testcase {
    /// Globally unique, immutable id.
    pub id: String,
    /// How long a result stays valid (`week` when absent; unknown values kept).
    pub lifetime: Lifetime,
    /// Free label used to run subsets (`light`, `medium`, `heavy`).
    pub section: Option<String>,
    /// Documentation (markdown allowed).
    pub description: Option<String>,
    /// Documentation link.
    pub url: Option<String>,
    /// Index of the script that reports this testcase.
    pub script: usize,
    /// Number of stable versions whose `main` target contains this testcase (UI ordering only).
    pub attn: usize,
}

/// One module descriptor (usually one version of one standard), as authored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Module {
    /// Unique module id.
    pub id: String,
    /// Human name.
    pub name: Option<String>,
    /// Documentation link.
    pub url: Option<String>,
    /// Documented parameters: name -> description (documentation only).
    pub parameters: OrderedMap<String>,
    /// Targets as authored: name -> testcase ids (authored order, duplicates kept).
    pub targets: OrderedMap<Vec<String>>,
}

/// One version of the scope, resolved.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Version {
    /// Version name, e.g. `v5.1`, `next`.
    pub name: String,
    /// Position in `versions` (upstream `_idx`); lower means newer by convention.
    pub index: usize,
    /// `stabilized_at` when it is a date.
    pub stabilized_at: Option<Date>,
    /// Whether `stabilized_at` is present (presence alone makes a version stable upstream).
    pub stable: bool,
    /// Included modules with their parameters, in spec order.
    pub includes: Vec<Include>,
    /// Target name -> sorted, deduplicated union of testcase ids over all included modules.
    /// Key order: first appearance over includes, then module target order.
    pub targets: OrderedMap<Vec<String>>,
    /// Testcase id -> the one target it is attributed to (target inserted last wins).
    pub tc_target: BTreeMap<String, String>,
}

/// Name of the target that decides certification.
pub const MAIN_TARGET: &str = "main";

impl Version {
    /// Testcase ids of `target` (empty when the version has no such target).
    pub fn target(&self, target: &str) -> &[String] {
        self.targets.get(target).map(Vec::as_slice).unwrap_or(&[])
    }
    /// Testcase ids of `main`; a version without `main` is treated as an empty main (warned).
    pub fn main(&self) -> &[String] {
        self.target(MAIN_TARGET)
    }
    /// Union of the testcase ids of all targets, sorted (what the runner collects, DOMAIN 3.4).
    pub fn all_testcases(&self) -> Vec<String> {
        self.tc_target.keys().cloned().collect()
    }
}

/// An include normalised to (module, parameters).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Include {
    /// Id of the included module.
    pub module: String,
    /// Index of the included module in `ScopeSpec::modules`.
    pub module_index: usize,
    /// Include parameters: name -> value (shown on overview pages; not passed to scripts).
    pub parameters: OrderedMap<String>,
}

/// One timeline entry: from `date` on, until the next later entry, these codes apply.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TimelineEntry {
    /// First day of the period.
    pub date: Date,
    /// Version name -> validity code, in spec order.
    pub versions: OrderedMap<Validity>,
}

/// Validity of one version on one date (DOMAIN 1.9).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct VersionValidity {
    /// Version name.
    pub version: String,
    /// Index of the version in `ScopeSpec::versions`.
    pub index: usize,
    /// The code that applies (`deprecated` when the entry does not name the version).
    pub validity: Validity,
    /// Whether the applicable timeline entry names the version (tested and shown only then).
    pub explicit: bool,
}
