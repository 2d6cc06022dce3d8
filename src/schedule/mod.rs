//! When check runs are due: cron schedules in a time zone, anchored on the last run recorded
//! in status (pure: time is a parameter).

pub mod cron;

pub use cron::{CronError, CronSchedule};
