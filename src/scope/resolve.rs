//! Resolution (DOMAIN 1.8) and the reference rules 2-6: testcase/module/version lookups,
//! per-version target unions, `tc_target` (last inserted wins), `attn`.

use crate::scope::diagnostics::{SpecErrorKind as E, SpecPath, SpecWarningKind as W};
use crate::scope::extract::RawSpec;
use crate::scope::load::Diagnostics;
use crate::scope::model::{
    Include, MAIN_TARGET, Module, OrderedMap, ScopeSpec, Script, Testcase, TimelineEntry, Version,
};
use std::collections::{BTreeMap, BTreeSet};

/// Builds the resolved spec from the raw one, reporting rules 2-6 and resolution warnings.
/// Always returns a spec (possibly partial); the caller discards it when errors exist.
pub(crate) fn resolve(raw: &RawSpec, diag: &mut Diagnostics) -> ScopeSpec {
    let (scripts, mut testcases) = resolve_scripts(raw, diag);
    let modules = resolve_modules(raw, diag);
    let versions = resolve_versions(raw, &modules, &mut testcases, diag);
    let timeline = resolve_timeline(raw, &versions, diag);
    ScopeSpec {
        uuid: raw.uuid.clone(),
        name: raw.name.clone(),
        url: raw.url.clone(),
        prerequisite: raw.prerequisite.clone(),
        variables: raw.variables.clone(),
        scripts,
        testcases,
        modules,
        versions,
        timeline,
    }
}

/// Rule 2: testcase ids are unique across all scripts.
fn resolve_scripts(
    raw: &RawSpec,
    diag: &mut Diagnostics,
) -> (Vec<Script>, BTreeMap<String, Testcase>) {
    let mut scripts = Vec::new();
    let mut testcases: BTreeMap<String, Testcase> = BTreeMap::new();
    let mut first_seen: BTreeMap<&str, &SpecPath> = BTreeMap::new();
    for (index, raw_script) in raw.scripts.iter().enumerate() {
        let mut ids = Vec::new();
        for tc in &raw_script.testcases {
            if let Some(first) = first_seen.get(tc.id.as_str()) {
                diag.error(
                    tc.path.clone(),
                    E::DuplicateTestcase {
                        id: tc.id.clone(),
                        first: (*first).clone(),
                    },
                );
                continue;
            }
            first_seen.insert(&tc.id, &tc.path);
            ids.push(tc.id.clone());
            testcases.insert(
                tc.id.clone(),
                Testcase {
                    id: tc.id.clone(),
                    lifetime: tc.lifetime.clone(),
                    section: tc.section.clone(),
                    description: tc.description.clone(),
                    url: tc.url.clone(),
                    script: index,
                    attn: 0,
                },
            );
        }
        scripts.push(Script {
            index,
            executable: raw_script.executable.clone(),
            args: raw_script.args.clone(),
            env: raw_script.env.clone(),
            testcases: ids,
        });
    }
    (scripts, testcases)
}

/// Rule 3 (modules): module ids are unique.
fn resolve_modules(raw: &RawSpec, diag: &mut Diagnostics) -> Vec<Module> {
    let mut modules: Vec<Module> = Vec::new();
    let mut first_seen: BTreeMap<&str, &SpecPath> = BTreeMap::new();
    for m in &raw.modules {
        if let Some(first) = first_seen.get(m.id.as_str()) {
            diag.error(
                m.path.clone(),
                E::DuplicateModule {
                    id: m.id.clone(),
                    first: (*first).clone(),
                },
            );
            continue;
        }
        first_seen.insert(&m.id, &m.path);
        modules.push(Module {
            id: m.id.clone(),
            name: m.name.clone(),
            url: m.url.clone(),
            parameters: m.parameters.clone(),
            targets: m.targets.clone(),
        });
    }
    modules
}

/// Rules 3 (versions), 4 and 6; target unions, `tc_target`, `attn`.
fn resolve_versions(
    raw: &RawSpec,
    modules: &[Module],
    testcases: &mut BTreeMap<String, Testcase>,
    diag: &mut Diagnostics,
) -> Vec<Version> {
    let mut versions: Vec<Version> = Vec::new();
    let mut first_seen: BTreeMap<&str, &SpecPath> = BTreeMap::new();
    for (index, rv) in raw.versions.iter().enumerate() {
        if let Some(first) = first_seen.get(rv.name.as_str()) {
            diag.error(
                rv.path.clone(),
                E::DuplicateVersion {
                    name: rv.name.clone(),
                    first: (*first).clone(),
                },
            );
        } else {
            first_seen.insert(&rv.name, &rv.path);
        }

        let mut includes = Vec::new();
        // target name -> ids; insertion order: includes, then each module's target order
        let mut targets: OrderedMap<BTreeSet<String>> = OrderedMap::new();
        // testcase id -> modules contributing it, and the include path that first brought it
        let mut contributors: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        let mut origin: BTreeMap<(&str, &str), (&SpecPath, &str)> = BTreeMap::new();
        for inc in &rv.includes {
            let Some(module_index) = modules.iter().position(|m| m.id == inc.module) else {
                if raw.modules_ok {
                    diag.error(
                        inc.path.clone(),
                        E::UnknownModule {
                            id: inc.module.clone(),
                        },
                    );
                }
                continue;
            };
            let module = &modules[module_index];
            warn_parameter_mismatch(module, inc, diag);
            for (target, ids) in module.targets.iter() {
                if !targets.contains_key(target) {
                    targets.insert(target.to_string(), BTreeSet::new());
                }
                for id in ids {
                    if let Some(set) = targets.get_mut(target) {
                        set.insert(id.clone());
                    }
                    let mods = contributors.entry(id).or_default();
                    if !mods.contains(&module.id.as_str()) {
                        mods.push(&module.id);
                    }
                    origin
                        .entry((target, id))
                        .or_insert((&inc.path, &module.id));
                }
            }
            includes.push(Include {
                module: module.id.clone(),
                module_index,
                parameters: inc.parameters.clone(),
            });
        }

        // the target inserted last wins; record every target of each id for the warning
        let mut tc_target: BTreeMap<String, String> = BTreeMap::new();
        let mut tc_all_targets: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (target, ids) in targets.iter() {
            for id in ids {
                tc_target.insert(id.clone(), target.to_string());
                tc_all_targets.entry(id).or_default().push(target);
            }
        }
        for (id, in_targets) in &tc_all_targets {
            if in_targets.len() > 1 {
                diag.warn(
                    rv.path.clone(),
                    W::TestcaseInSeveralTargets {
                        version: rv.name.clone(),
                        id: id.to_string(),
                        targets: in_targets.iter().map(|t| t.to_string()).collect(),
                        winner: in_targets.last().map(|t| t.to_string()).unwrap_or_default(),
                    },
                );
            }
        }
        for (id, mods) in &contributors {
            if mods.len() > 1 {
                diag.warn(
                    rv.path.clone(),
                    W::TestcaseInSeveralModules {
                        version: rv.name.clone(),
                        id: id.to_string(),
                        modules: mods.iter().map(|m| m.to_string()).collect(),
                    },
                );
            }
        }
        if rv.include_ok && !targets.contains_key(MAIN_TARGET) {
            diag.warn(
                rv.path.clone(),
                W::NoMainTarget {
                    version: rv.name.clone(),
                },
            );
        }

        // rule 6 (stable main) as errors, every other unknown reference as a warning
        if raw.scripts_ok {
            for ((target, id), (path, module)) in &origin {
                if testcases.contains_key(*id) {
                    continue;
                }
                if rv.stable && *target == MAIN_TARGET {
                    diag.error(
                        (*path).clone(),
                        E::UnknownMainTestcase {
                            version: rv.name.clone(),
                            id: id.to_string(),
                            module: module.to_string(),
                        },
                    );
                } else {
                    diag.warn(
                        (*path).clone(),
                        W::UnknownTestcase {
                            version: rv.name.clone(),
                            target: target.to_string(),
                            id: id.to_string(),
                            module: module.to_string(),
                        },
                    );
                }
            }
        }
        if rv.stable {
            for id in targets.get(MAIN_TARGET).into_iter().flatten() {
                if let Some(tc) = testcases.get_mut(id) {
                    tc.attn += 1;
                }
            }
        }

        versions.push(Version {
            name: rv.name.clone(),
            index,
            stabilized_at: rv.stabilized_at,
            stable: rv.stable,
            includes,
            targets: targets
                .iter()
                .map(|(name, ids)| (name.to_string(), ids.iter().cloned().collect()))
                .collect(),
            tc_target,
        });
    }
    versions
}

/// Include parameters should match what the module declares (documentation only upstream).
fn warn_parameter_mismatch(
    module: &Module,
    inc: &crate::scope::extract::RawInclude,
    diag: &mut Diagnostics,
) {
    for name in inc.parameters.keys() {
        if !module.parameters.contains_key(name) {
            diag.warn(
                inc.path.key("parameters").key(name),
                W::UndeclaredParameter {
                    module: module.id.clone(),
                    parameter: name.to_string(),
                },
            );
        }
    }
    for name in module.parameters.keys() {
        if !inc.parameters.contains_key(name) {
            diag.warn(
                inc.path.clone(),
                W::MissingParameter {
                    module: module.id.clone(),
                    parameter: name.to_string(),
                },
            );
        }
    }
}

/// Rule 5: every version named in the timeline exists. Null codes count as not named.
fn resolve_timeline(
    raw: &RawSpec,
    versions: &[Version],
    diag: &mut Diagnostics,
) -> Vec<TimelineEntry> {
    let mut timeline = Vec::new();
    for entry in &raw.timeline {
        let mut codes = OrderedMap::new();
        for (name, code, path) in &entry.versions {
            if raw.versions_ok && !versions.iter().any(|v| &v.name == name) {
                diag.error(path.clone(), E::UnknownVersion { name: name.clone() });
            }
            if let Some(code) = code {
                codes.insert(name.clone(), code.clone());
            }
        }
        timeline.push(TimelineEntry {
            date: entry.date,
            versions: codes,
        });
    }
    timeline
}
