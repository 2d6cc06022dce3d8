//! Scope specification (the "scope YAML", scs-0003 as implemented upstream): model, load,
//! validate, resolve, validity for a date. Pure: no clock (dates are parameters) and no I/O
//! except the thin [`load_file`] convenience.
//!
//! # Public API
//!
//! - [`load_str`] / [`load_file`]: parse, validate (DOMAIN 1.7 rules 1-6 as errors, rule 7 as
//!   warnings) and resolve (DOMAIN 1.8). Success gives a [`LoadedSpec`] (the [`ScopeSpec`] plus
//!   [`SpecWarning`]s); failure gives [`InvalidSpec`] with **all** [`SpecError`]s, each with the
//!   [`SpecPath`] of the offending element (`scripts[0].testcases[3]: unknown keyword 'lifetme'`).
//! - [`ScopeSpec`]: `uuid`, `name`, `url` (options: absence is only warned), `variables`
//!   ([`Variables`]: required names + defaults), `scripts` (spec order, [`Script::index`],
//!   executable/args/env templates, testcase ids; no executable = manual), `testcases` (by id:
//!   [`Testcase`] with [`Lifetime`], section, script index, description, url, attn), `modules`,
//!   `versions` (spec order: [`Version`] with name, index, `stable`, `targets` = target name ->
//!   sorted testcase ids, `tc_target` = testcase -> its one target, last inserted wins), and
//!   `timeline` ([`TimelineEntry`]).
//! - [`ScopeSpec::validity_at`]`(date)`: per version, in version order, the [`Validity`] and
//!   whether it is explicit (DOMAIN 1.9); also [`ScopeSpec::validity_of`] and
//!   [`ScopeSpec::explicit_versions_at`].
//! - Lookups: [`ScopeSpec::testcase`], [`ScopeSpec::script_of`], [`ScopeSpec::version`],
//!   [`ScopeSpec::module`], [`Version::target`], [`Version::main`] (empty when absent).
//! - [`template`]: parse and render `{var}` templates of `args`/`env` (`{{` is a literal `{`).
//!
//! Unknown testcase ids are possible in targets of non-stable versions (and in non-`main`
//! targets): they stay in `targets` and `tc_target`, are warned, and `testcase(id)` gives `None`.
//!
//! # Decisions where DOMAIN.md is silent
//!
//! - Errors besides rules 1-6: YAML syntax, a top level that is not a map, missing `modules`,
//!   `versions`, `timeline`, a version's `include`, an id/ref/version name, a timeline entry's
//!   `date`/`versions` (all `KeyError`s upstream), values of the wrong type where upstream would
//!   crash later (e.g. a target that is not a list, `args` that is not a string), and a timeline
//!   date that is not `YYYY-MM-DD` (validity could not be computed).
//! - Documentation values (`name`, `url`, `description`, `section`, parameter values) that are
//!   non-string scalars are used as text with a warning.
//! - `stabilized_at` makes a version stable by presence, even if empty or not a date (warned).
//! - A validity code written as `null` counts as not named (implicit), as upstream's
//!   `validity or 'deprecated'` does; warned.
//! - Duplicate mapping keys: last value at the first position (PyYAML), warned. YAML merge keys
//!   are applied as PyYAML does; custom tags are rejected.
//! - Quoted dates: detected for single- and double-quoted scalars; where the parser gives no
//!   source slice (escapes) or an explicit tag is used (`!!str 2024-01-01`) we cannot tell and
//!   accept the date without a warning.
//! - Errors are grouped by check (keywords, structure, references); follow-up errors are
//!   suppressed where an earlier one makes them noise (e.g. no include checks without `modules`).

mod diagnostics;
mod extract;
mod lifetime;
mod load;
mod model;
mod node;
mod resolve;
pub mod template;
mod validate;
mod validity;

pub use diagnostics::{
    InvalidSpec, LoadFileError, SpecError, SpecErrorKind, SpecPath, SpecWarning, SpecWarningKind,
};
pub use lifetime::Lifetime;
pub use load::{LoadedSpec, load_file, load_str};
pub use model::{
    Include, MAIN_TARGET, Module, OrderedMap, Prerequisite, ScopeSpec, Script, Testcase,
    TimelineEntry, Variables, Version, VersionValidity,
};
pub use validity::{Validity, applicable_entry};
