//! Turns the YAML tree into typed raw structures (still unresolved, each with its path), and
//! reports type and missing-key errors. Never panics: every shape of input yields either a
//! value or a diagnostic.

use crate::scope::diagnostics::{SpecErrorKind as E, SpecPath, SpecWarningKind as W};
use crate::scope::lifetime::Lifetime;
use crate::scope::load::Diagnostics;
use crate::scope::model::{OrderedMap, Prerequisite, Variables};
use crate::scope::node::Node;
use crate::scope::validity::Validity;
use jiff::civil::Date;

/// The spec after extraction: typed, unresolved, with paths for later diagnostics.
#[derive(Debug, Default)]
pub(crate) struct RawSpec {
    pub uuid: Option<String>,
    pub name: Option<String>,
    pub url: Option<String>,
    pub prerequisite: Option<Prerequisite>,
    pub variables: Variables,
    pub scripts: Vec<RawScript>,
    pub modules: Vec<RawModule>,
    pub versions: Vec<RawVersion>,
    pub timeline: Vec<RawTimelineEntry>,
    /// `scripts` was absent or usable: testcase references can be checked.
    pub scripts_ok: bool,
    /// `modules` was usable: include references can be checked.
    pub modules_ok: bool,
    /// `versions` was usable: timeline references can be checked.
    pub versions_ok: bool,
}

#[derive(Debug)]
pub(crate) struct RawScript {
    pub path: SpecPath,
    pub executable: Option<String>,
    pub args: Option<String>,
    pub env: OrderedMap<String>,
    pub testcases: Vec<RawTestcase>,
}

#[derive(Debug)]
pub(crate) struct RawTestcase {
    pub path: SpecPath,
    pub id: String,
    pub lifetime: Lifetime,
    pub section: Option<String>,
    pub description: Option<String>,
    pub url: Option<String>,
}

#[derive(Debug)]
pub(crate) struct RawModule {
    pub path: SpecPath,
    pub id: String,
    pub name: Option<String>,
    pub url: Option<String>,
    pub parameters: OrderedMap<String>,
    pub targets: OrderedMap<Vec<String>>,
}

#[derive(Debug)]
pub(crate) struct RawVersion {
    pub path: SpecPath,
    pub name: String,
    pub stabilized_at: Option<Date>,
    pub stable: bool,
    pub includes: Vec<RawInclude>,
    /// `include` was present and a list (otherwise target warnings would only be noise).
    pub include_ok: bool,
}

#[derive(Debug)]
pub(crate) struct RawInclude {
    pub path: SpecPath,
    pub module: String,
    pub parameters: OrderedMap<String>,
}

#[derive(Debug)]
pub(crate) struct RawTimelineEntry {
    pub path: SpecPath,
    pub date: Date,
    /// Version name -> (code, path of the entry); `None` code: written as null (implicit).
    pub versions: Vec<(String, Option<Validity>, SpecPath)>,
}

/// Keys of a map node (already deduplicated by `load::dedupe_keys`).
fn entries(node: &Node) -> &[(Node, Node)] {
    match node {
        Node::Map(entries) => entries,
        _ => &[],
    }
}

/// Value of `key` in a map node.
fn get<'a>(node: &'a Node, key: &str) -> Option<&'a Node> {
    entries(node)
        .iter()
        .find(|(k, _)| k.as_str() == Some(key))
        .map(|(_, v)| v)
}

impl Diagnostics {
    fn wrong_type(&mut self, path: &SpecPath, expected: &'static str, found: &Node) {
        self.error(
            path.clone(),
            E::WrongType {
                expected,
                found: found.describe(),
            },
        );
    }

    /// A required string-valued key.
    fn required_str(&mut self, map: &Node, key: &'static str, path: &SpecPath) -> Option<String> {
        match get(map, key) {
            None => {
                self.error(path.clone(), E::MissingKey { key });
                None
            }
            Some(Node::Str { value, .. }) => Some(value.clone()),
            Some(other) => {
                self.wrong_type(&path.key(key), "a string", other);
                None
            }
        }
    }

    /// An optional string used as code or template: null is absent, other types are errors.
    fn optional_str(&mut self, map: &Node, key: &str, path: &SpecPath) -> Option<String> {
        match get(map, key) {
            None | Some(Node::Null) => None,
            Some(Node::Str { value, .. }) => Some(value.clone()),
            Some(other) => {
                self.wrong_type(&path.key(key), "a string", other);
                None
            }
        }
    }

    /// An optional documentation string: other scalars are used as text (warned).
    fn doc_str(&mut self, map: &Node, key: &str, path: &SpecPath) -> Option<String> {
        let node = get(map, key)?;
        self.doc_text(node, &path.key(key))
    }

    /// Text of a documentation value: strings as they are, other scalars with a warning.
    fn doc_text(&mut self, node: &Node, path: &SpecPath) -> Option<String> {
        match node {
            Node::Null => None,
            Node::Str { value, .. } => Some(value.clone()),
            Node::Seq(_) | Node::Map(_) => {
                self.wrong_type(path, "a string", node);
                None
            }
            scalar => {
                let text = scalar.scalar_text().unwrap_or_default();
                self.warn(
                    path.clone(),
                    W::NotAString {
                        found: scalar.type_name().to_string(),
                        text: text.clone(),
                    },
                );
                Some(text)
            }
        }
    }

    /// A list-valued key: `None` (silently) when absent, `None` with an error when not a list.
    fn optional_list<'a>(
        &mut self,
        map: &'a Node,
        key: &str,
        path: &SpecPath,
    ) -> Option<&'a [Node]> {
        match get(map, key)? {
            Node::Seq(items) => Some(items),
            other => {
                self.wrong_type(&path.key(key), "a list", other);
                None
            }
        }
    }

    /// A map of string keys to template strings (`env`).
    fn string_map(&mut self, node: &Node, path: &SpecPath) -> OrderedMap<String> {
        let mut out = OrderedMap::new();
        let Node::Map(items) = node else {
            self.wrong_type(path, "a map", node);
            return out;
        };
        for (key, value) in items {
            let Some(name) = key.as_str() else {
                self.wrong_type(path, "string keys", key);
                continue;
            };
            match value {
                Node::Str { value, .. } => {
                    out.insert(name.to_string(), value.clone());
                }
                other => self.wrong_type(&path.key(name), "a string", other),
            }
        }
        out
    }

    /// A documentation map (`parameters`): values used as text.
    fn doc_map(&mut self, node: &Node, path: &SpecPath) -> OrderedMap<String> {
        let mut out = OrderedMap::new();
        match node {
            Node::Null => {}
            Node::Map(items) => {
                for (key, value) in items {
                    let Some(name) = key.as_str() else {
                        self.wrong_type(path, "string keys", key);
                        continue;
                    };
                    let text = self.doc_text(value, &path.key(name)).unwrap_or_default();
                    out.insert(name.to_string(), text);
                }
            }
            // scs-0003-v1 documents module parameters as a list of names
            Node::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    match item {
                        Node::Str { value, .. } => {
                            out.insert(value.clone(), String::new());
                        }
                        Node::Map(_) => out.extend_from(self.doc_map(item, &path.index(i))),
                        other => self.wrong_type(&path.index(i), "a parameter name", other),
                    }
                }
            }
            other => self.wrong_type(path, "a map", other),
        }
        out
    }
}

impl OrderedMap<String> {
    fn extend_from(&mut self, other: OrderedMap<String>) {
        for (k, v) in other.iter() {
            self.insert(k.to_string(), v.clone());
        }
    }
}

/// Extracts the typed raw spec from the (deduplicated) document.
pub(crate) fn extract(root: &Node, diag: &mut Diagnostics) -> RawSpec {
    let path = SpecPath::root();
    let mut raw = RawSpec::default();
    match root {
        Node::Map(_) => {}
        Node::Null => {
            diag.error(
                path,
                E::WrongType {
                    expected: "a map (the scope spec)",
                    found: "an empty document".to_string(),
                },
            );
            return raw;
        }
        other => {
            diag.wrong_type(&path, "a map (the scope spec)", other);
            return raw;
        }
    }
    for key in ["uuid", "name", "url"] {
        let value = diag.doc_str(root, key, &path);
        if value.is_none() {
            diag.warn(path.clone(), W::MissingTopLevelKey { key });
        }
        match key {
            "uuid" => raw.uuid = value,
            "name" => raw.name = value,
            _ => raw.url = value,
        }
    }
    if let Some(node) = get(root, "prerequisite") {
        raw.prerequisite = Some(extract_prerequisite(node, &path.key("prerequisite"), diag));
    }
    if let Some(items) = diag.optional_list(root, "variables", &path) {
        raw.variables = extract_variables(items, &path.key("variables"), diag);
    }

    raw.scripts_ok = true;
    match get(root, "scripts") {
        None => {}
        Some(Node::Seq(items)) => {
            for (i, item) in items.iter().enumerate() {
                let p = path.key("scripts").index(i);
                match extract_script(item, &p, diag) {
                    Some(script) => raw.scripts.push(script),
                    None => raw.scripts_ok = false,
                }
            }
        }
        Some(other) => {
            diag.wrong_type(&path.key("scripts"), "a list", other);
            raw.scripts_ok = false;
        }
    }

    match get(root, "modules") {
        None => diag.error(path.clone(), E::MissingKey { key: "modules" }),
        Some(Node::Seq(items)) => {
            raw.modules_ok = true;
            for (i, item) in items.iter().enumerate() {
                let p = path.key("modules").index(i);
                match extract_module(item, &p, diag) {
                    Some(module) => raw.modules.push(module),
                    None => raw.modules_ok = false,
                }
            }
        }
        Some(other) => diag.wrong_type(&path.key("modules"), "a list", other),
    }

    match get(root, "versions") {
        None => diag.error(path.clone(), E::MissingKey { key: "versions" }),
        Some(Node::Map(_)) => diag.error(path.key("versions"), E::ResolvedForm),
        Some(Node::Seq(items)) => {
            raw.versions_ok = true;
            for (i, item) in items.iter().enumerate() {
                let p = path.key("versions").index(i);
                match extract_version(item, &p, diag) {
                    Some(version) => raw.versions.push(version),
                    None => raw.versions_ok = false,
                }
            }
        }
        Some(other) => diag.wrong_type(&path.key("versions"), "a list", other),
    }

    match get(root, "timeline") {
        None => diag.error(path.clone(), E::MissingKey { key: "timeline" }),
        Some(Node::Seq(items)) => {
            for (i, item) in items.iter().enumerate() {
                let p = path.key("timeline").index(i);
                if let Some(entry) = extract_timeline_entry(item, &p, diag) {
                    raw.timeline.push(entry);
                }
            }
        }
        Some(other) => diag.wrong_type(&path.key("timeline"), "a list", other),
    }
    raw
}

fn extract_prerequisite(node: &Node, path: &SpecPath, diag: &mut Diagnostics) -> Prerequisite {
    diag.warn(path.clone(), W::PrerequisiteNotImplemented);
    if !matches!(node, Node::Map(_)) {
        diag.warn(
            path.clone(),
            W::IgnoredValue {
                expected: "a map {name, url}",
                found: node.describe(),
            },
        );
    }
    warn_ignored_keys(node, &["name", "url"], path, diag);
    Prerequisite {
        name: diag.doc_str(node, "name", path),
        url: diag.doc_str(node, "url", path),
    }
}

/// Warns about keys upstream never checks (timeline entries, prerequisite).
fn warn_ignored_keys(node: &Node, known: &[&str], path: &SpecPath, diag: &mut Diagnostics) {
    for (key, _) in entries(node) {
        let text = key.scalar_text().unwrap_or_else(|| key.describe());
        if !known.contains(&text.as_str()) || key.as_str().is_none() {
            diag.warn(path.clone(), W::IgnoredKey { key: text });
        }
    }
}

/// DOMAIN 1.6: plain names are required; single-key maps give defaults, appended after.
fn extract_variables(items: &[Node], path: &SpecPath, diag: &mut Diagnostics) -> Variables {
    let mut required: Vec<String> = Vec::new();
    let mut defaults = OrderedMap::new();
    for (i, item) in items.iter().enumerate() {
        let p = path.index(i);
        match item {
            Node::Str { value, .. } => {
                if required.contains(value) || defaults.contains_key(value) {
                    diag.warn(
                        p,
                        W::DuplicateVariable {
                            name: value.clone(),
                        },
                    );
                } else {
                    required.push(value.clone());
                }
            }
            Node::Map(decls) => {
                if decls.len() != 1 {
                    diag.warn(p.clone(), W::VariableDefaultKeys { count: decls.len() });
                }
                for (key, value) in decls {
                    let Some(name) = key.as_str() else {
                        diag.wrong_type(&p, "a variable name", key);
                        continue;
                    };
                    let vp = p.key(name);
                    let default = match value {
                        Node::Str { value, .. } => value.clone(),
                        Node::Seq(_) | Node::Map(_) => {
                            diag.wrong_type(&vp, "a default value", value);
                            continue;
                        }
                        scalar => diag.doc_text(scalar, &vp).unwrap_or_default(),
                    };
                    if required.iter().any(|r| r == name) || defaults.contains_key(name) {
                        diag.warn(
                            vp,
                            W::DuplicateVariable {
                                name: name.to_string(),
                            },
                        );
                    }
                    required.retain(|r| r != name);
                    defaults.insert(name.to_string(), default);
                }
            }
            other => diag.wrong_type(&p, "a variable name or a single-key map", other),
        }
    }
    let mut names = required;
    names.extend(defaults.keys().map(str::to_string));
    Variables { names, defaults }
}

fn extract_script(node: &Node, path: &SpecPath, diag: &mut Diagnostics) -> Option<RawScript> {
    if !matches!(node, Node::Map(_)) {
        diag.wrong_type(path, "a map (script descriptor)", node);
        return None;
    }
    let executable = diag.optional_str(node, "executable", path);
    let args = diag.optional_str(node, "args", path);
    let env = match get(node, "env") {
        None => OrderedMap::new(),
        Some(env) => diag.string_map(env, &path.key("env")),
    };
    let mut testcases = Vec::new();
    if let Some(items) = diag.optional_list(node, "testcases", path) {
        for (i, item) in items.iter().enumerate() {
            if let Some(tc) = extract_testcase(item, &path.key("testcases").index(i), diag) {
                testcases.push(tc);
            }
        }
    }
    Some(RawScript {
        path: path.clone(),
        executable,
        args,
        env,
        testcases,
    })
}

fn extract_testcase(node: &Node, path: &SpecPath, diag: &mut Diagnostics) -> Option<RawTestcase> {
    if !matches!(node, Node::Map(_)) {
        diag.wrong_type(path, "a map (testcase descriptor)", node);
        return None;
    }
    let id = diag.required_str(node, "id", path);
    // lifetime is not validated upstream: unknown values are kept and warned
    let lifetime = match get(node, "lifetime") {
        None | Some(Node::Null) => Lifetime::Week,
        Some(Node::Str { value, .. }) => Lifetime::parse(Some(value)),
        Some(other) => match other.scalar_text() {
            Some(text) => Lifetime::Unknown(text),
            None => {
                diag.wrong_type(&path.key("lifetime"), "a string", other);
                Lifetime::Week
            }
        },
    };
    if let Lifetime::Unknown(value) = &lifetime {
        diag.warn(
            path.key("lifetime"),
            W::UnknownLifetime {
                value: value.clone(),
            },
        );
    }
    let section = diag.doc_str(node, "section", path);
    let description = diag.doc_str(node, "description", path);
    let url = diag.doc_str(node, "url", path);
    Some(RawTestcase {
        path: path.clone(),
        id: id?,
        lifetime,
        section,
        description,
        url,
    })
}

fn extract_module(node: &Node, path: &SpecPath, diag: &mut Diagnostics) -> Option<RawModule> {
    if !matches!(node, Node::Map(_)) {
        diag.wrong_type(path, "a map (module descriptor)", node);
        return None;
    }
    let id = diag.required_str(node, "id", path);
    let name = diag.doc_str(node, "name", path);
    let url = diag.doc_str(node, "url", path);
    let parameters = match get(node, "parameters") {
        None => OrderedMap::new(),
        Some(p) => diag.doc_map(p, &path.key("parameters")),
    };
    let mut targets = OrderedMap::new();
    match get(node, "targets") {
        None => {}
        Some(Node::Map(items)) => {
            let tpath = path.key("targets");
            for (key, value) in items {
                let Some(target) = key.as_str() else {
                    diag.wrong_type(&tpath, "target names (strings)", key);
                    continue;
                };
                let p = tpath.key(target);
                let Node::Seq(ids) = value else {
                    diag.wrong_type(&p, "a list of testcase ids", value);
                    continue;
                };
                let mut list = Vec::new();
                for (i, id) in ids.iter().enumerate() {
                    match id {
                        Node::Str { value, .. } => list.push(value.clone()),
                        other => diag.wrong_type(&p.index(i), "a testcase id (string)", other),
                    }
                }
                targets.insert(target.to_string(), list);
            }
        }
        Some(other) => diag.wrong_type(&path.key("targets"), "a map", other),
    }
    Some(RawModule {
        path: path.clone(),
        id: id?,
        name,
        url,
        parameters,
        targets,
    })
}

/// How a date scalar was written.
pub(crate) enum DateValue {
    /// A plain YAML date (PyYAML: a date object).
    Date(Date),
    /// A quoted (or block) string holding a date (PyYAML: a string).
    QuotedDate(Date),
    /// A string holding a date where the parser cannot tell plain from quoted.
    UnknownStyleDate(Date),
    /// Anything else.
    NotADate,
}

/// Parses exactly `YYYY-MM-DD` (PyYAML's date-only form) into a valid calendar date.
pub(crate) fn parse_iso_date(text: &str) -> Option<Date> {
    let bytes = text.as_bytes();
    let shape_ok = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shape_ok {
        return None;
    }
    let year: i16 = text.get(0..4)?.parse().ok()?;
    let month: i8 = text.get(5..7)?.parse().ok()?;
    let day: i8 = text.get(8..10)?.parse().ok()?;
    Date::new(year, month, day).ok()
}

pub(crate) fn date_value(node: &Node) -> DateValue {
    match node {
        Node::Str { value, quoted } => match (parse_iso_date(value), quoted) {
            (None, _) => DateValue::NotADate,
            (Some(d), Some(false)) => DateValue::Date(d),
            (Some(d), Some(true)) => DateValue::QuotedDate(d),
            (Some(d), None) => DateValue::UnknownStyleDate(d),
        },
        _ => DateValue::NotADate,
    }
}

fn extract_version(node: &Node, path: &SpecPath, diag: &mut Diagnostics) -> Option<RawVersion> {
    if !matches!(node, Node::Map(_)) {
        diag.wrong_type(path, "a map (version descriptor)", node);
        return None;
    }
    let name = diag.required_str(node, "version", path);
    let (stable, stabilized_at) = match get(node, "stabilized_at") {
        None => (false, None),
        Some(Node::Null) => {
            diag.warn(path.key("stabilized_at"), W::StabilizedAtNull);
            (true, None)
        }
        Some(value) => match date_value(value) {
            DateValue::Date(d) | DateValue::UnknownStyleDate(d) => (true, Some(d)),
            DateValue::QuotedDate(d) => {
                diag.warn(
                    path.key("stabilized_at"),
                    W::QuotedDate {
                        value: d.to_string(),
                    },
                );
                (true, Some(d))
            }
            DateValue::NotADate => {
                diag.warn(
                    path.key("stabilized_at"),
                    W::StabilizedAtNotADate {
                        found: value.describe(),
                    },
                );
                (true, None)
            }
        },
    };
    if get(node, "targets").is_some() {
        diag.warn(path.key("targets"), W::AuthoredVersionTargets);
    }
    let mut includes = Vec::new();
    let mut include_ok = false;
    match get(node, "include") {
        None => diag.error(path.clone(), E::MissingKey { key: "include" }),
        Some(Node::Seq(items)) => {
            include_ok = true;
            for (i, item) in items.iter().enumerate() {
                if let Some(include) = extract_include(item, &path.key("include").index(i), diag) {
                    includes.push(include);
                }
            }
        }
        Some(other) => diag.wrong_type(&path.key("include"), "a list", other),
    }
    Some(RawVersion {
        path: path.clone(),
        name: name?,
        stabilized_at,
        stable,
        includes,
        include_ok,
    })
}

fn extract_include(node: &Node, path: &SpecPath, diag: &mut Diagnostics) -> Option<RawInclude> {
    match node {
        Node::Str { value, .. } => Some(RawInclude {
            path: path.clone(),
            module: value.clone(),
            parameters: OrderedMap::new(),
        }),
        Node::Map(_) => {
            let module = diag.required_str(node, "ref", path);
            let parameters = match get(node, "parameters") {
                None => OrderedMap::new(),
                Some(p @ Node::Map(_)) => diag.doc_map(p, &path.key("parameters")),
                Some(other) => {
                    diag.wrong_type(&path.key("parameters"), "a map", other);
                    OrderedMap::new()
                }
            };
            Some(RawInclude {
                path: path.clone(),
                module: module?,
                parameters,
            })
        }
        other => {
            diag.wrong_type(path, "a module id or a map {ref, parameters}", other);
            None
        }
    }
}

fn extract_timeline_entry(
    node: &Node,
    path: &SpecPath,
    diag: &mut Diagnostics,
) -> Option<RawTimelineEntry> {
    if !matches!(node, Node::Map(_)) {
        diag.wrong_type(path, "a map (timeline entry)", node);
        return None;
    }
    warn_ignored_keys(node, &["date", "versions"], path, diag);
    let date = match get(node, "date") {
        None => {
            diag.error(path.clone(), E::MissingKey { key: "date" });
            None
        }
        Some(value) => match date_value(value) {
            DateValue::Date(d) => Some(d),
            // quoted dates cannot be told apart here: accept without warning (documented)
            DateValue::UnknownStyleDate(d) => Some(d),
            DateValue::QuotedDate(d) => {
                diag.warn(
                    path.key("date"),
                    W::QuotedDate {
                        value: d.to_string(),
                    },
                );
                Some(d)
            }
            DateValue::NotADate => {
                diag.error(
                    path.key("date"),
                    E::InvalidDate {
                        found: value.describe(),
                    },
                );
                None
            }
        },
    };
    let mut versions = Vec::new();
    match get(node, "versions") {
        None => diag.error(path.clone(), E::MissingKey { key: "versions" }),
        Some(Node::Map(items)) => {
            let vpath = path.key("versions");
            for (key, value) in items {
                let Some(name) = key.as_str() else {
                    diag.wrong_type(&vpath, "version names (strings)", key);
                    continue;
                };
                let p = vpath.key(name);
                let code = match value {
                    Node::Null => {
                        diag.warn(p.clone(), W::NullValidity);
                        None
                    }
                    Node::Str { value, .. } => Some(Validity::parse(value)),
                    Node::Seq(_) | Node::Map(_) => {
                        diag.wrong_type(&p, "a validity code", value);
                        continue;
                    }
                    scalar => Some(Validity::Other(scalar.scalar_text().unwrap_or_default())),
                };
                if let Some(Validity::Other(code)) = &code {
                    diag.warn(p.clone(), W::UnknownValidity { code: code.clone() });
                }
                versions.push((name.to_string(), code, p));
            }
        }
        Some(other) => diag.wrong_type(&path.key("versions"), "a map", other),
    }
    Some(RawTimelineEntry {
        path: path.clone(),
        date: date?,
        versions,
    })
}
