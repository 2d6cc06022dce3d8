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
