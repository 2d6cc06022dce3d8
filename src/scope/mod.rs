//! Scope specification (the "scope YAML", scs-0003 as implemented upstream): model, load,
//! validate, resolve, validity for a date.
