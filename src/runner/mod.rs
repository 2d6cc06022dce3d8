//! The check driver (drop-in for upstream `scs-compliance-check.py`) and the Job-side
//! wrapper that uploads the report to the operator.
