//! A local Job executor for a control plane without kubelet and job controller (tests and
//! the local demo): runs the operator's Jobs as local processes and writes Job status the
//! way the real job controller would.
