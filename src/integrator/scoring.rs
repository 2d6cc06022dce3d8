//! Points of one reference at one date, before the scoring policy (DOMAIN 5.3), each with a
//! human explanation and the next date its points change by ageing.
//!
//! Order of checks: a reference of the other layer never counts (example 6); then the
//! compliance proof must hold; then the kind's rule applies (see `months` for what
//! "12 months" means).

use jiff::civil::Date;

use super::model::{Layer, Reference, ReferenceFacts, ReferenceKind};
use super::months::{self, DateOutOfRange, add_months};
use super::tier::points_text;

/// Months of management or operation for 1 point.
pub const HALF_YEAR: i32 = 6;
/// Months for 2 points; also how long a go-live counts.
pub const FULL_YEAR: i32 = 12;

/// A reference's points change to `points` on `on` (ageing only, facts unchanged).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PointsChange {
    /// First day with the new points.
    pub on: Date,
    /// Points from that day.
    pub points: u32,
}

/// Standalone points of one reference at one date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReferencePoints {
    /// Points before the scoring policy.
    pub points: u32,
    /// Why, e.g. `managed for 7 months since 2026-03-01: 1 point (2 points from 12 months,
    /// on 2027-03-01)`.
    pub explanation: String,
    /// The next change by ageing, if the facts stay as they are.
    pub next_change: Option<PointsChange>,
}

impl ReferencePoints {
    fn zero(explanation: String) -> Self {
        Self {
            points: 0,
            explanation,
            next_change: None,
        }
    }
}

/// Scores `reference` with `facts` towards a certificate of `certificate_layer` on `on`.
pub fn score_reference(
    reference: &Reference,
    facts: &ReferenceFacts,
    certificate_layer: Layer,
    on: Date,
) -> Result<ReferencePoints, DateOutOfRange> {
    let mut scored = match facts.layer {
        Some(layer) if layer != certificate_layer => {
            let would = score_kind(reference, layer, on)?;
            let would_text = if facts.qualifies {
                format!(
                    " (it would score {} towards {layer})",
                    points_text(would.points)
                )
            } else {
                String::new()
            };
            ReferencePoints::zero(format!(
                "{layer} environment, not counted for the {certificate_layer} certificate: \
                 0 points{would_text}"
            ))
        }
        _ if !facts.qualifies => ReferencePoints::zero(format!(
            "compliance proof does not hold: {}: 0 points",
            facts.reason
        )),
        None => ReferencePoints::zero("layer of the environment unknown: 0 points".to_owned()),
        Some(layer) => score_kind(reference, layer, on)?,
    };
    if reference.joint {
        // DOMAIN 5.4: no rule splits points of joint environments; a human judges the share.
        let share = reference.share.as_deref().unwrap_or("not stated");
        scored.explanation.push_str(&format!(
            "; joint environment, stated share: {share} (for the attestation body to judge)"
        ));
    }
    Ok(scored)
}

/// Points by kind and age alone, for an environment of `layer` whose proof holds.
pub fn score_kind(
    reference: &Reference,
    layer: Layer,
    on: Date,
) -> Result<ReferencePoints, DateOutOfRange> {
    let since = reference.since;
    match reference.kind {
        ReferenceKind::BroughtIntoProduction => score_go_live(since, on),
        ReferenceKind::Managed => score_duration("managed", since, on),
        ReferenceKind::PublicCloud => match layer {
            Layer::KaaS => score_duration("public KaaS cloud operated", since, on),
            Layer::IaaS => {
                let size = size_text(reference.regions, reference.availability_zones);
                if big_enough(reference.regions, reference.availability_zones) {
                    score_duration(&format!("public IaaS cloud, {size}, operated"), since, on)
                } else {
                    Ok(ReferencePoints::zero(format!(
                        "public IaaS cloud, {size}: 0 points, needs >= 2 regions or >= 3 AZs"
                    )))
                }
            }
        },
    }
}

/// An IaaS public cloud counts with at least 2 regions or at least 3 availability zones.
pub fn big_enough(regions: Option<u32>, availability_zones: Option<u32>) -> bool {
    regions.unwrap_or(0) >= 2 || availability_zones.unwrap_or(0) >= 3
}

/// "1 region, 2 AZs"; a count not stated says so.
fn size_text(regions: Option<u32>, availability_zones: Option<u32>) -> String {
    let regions = match regions {
        None => "regions not stated".to_owned(),
        Some(1) => "1 region".to_owned(),
        Some(n) => format!("{n} regions"),
    };
    let zones = match availability_zones {
        None => "AZs not stated".to_owned(),
        Some(1) => "1 AZ".to_owned(),
        Some(n) => format!("{n} AZs"),
    };
    format!("{regions}, {zones}")
}

/// A go-live scores 2 points from its date until its 12-month anniversary (exclusive).
fn score_go_live(since: Date, on: Date) -> Result<ReferencePoints, DateOutOfRange> {
    let until = add_months(since, FULL_YEAR)?;
    let last_day = months::day_before(until);
    Ok(if on < since {
        ReferencePoints {
            points: 0,
            explanation: format!(
                "goes into production on {since}: 0 points (2 points from then until {last_day})"
            ),
            next_change: Some(PointsChange {
                on: since,
                points: 2,
            }),
        }
    } else if on < until {
        ReferencePoints {
            points: 2,
            explanation: format!(
                "brought into production on {since}, {} ago: 2 points (counts until {last_day})",
                months::age_text(since, on)?
            ),
            next_change: Some(PointsChange {
                on: until,
                points: 0,
            }),
        }
    } else {
        ReferencePoints::zero(format!(
            "brought into production on {since}, more than 12 months ago: 0 points, counts \
             only within 12 months (until {last_day})"
        ))
    })
}

/// Management or operation: 1 point from 6 months, 2 points from 12 months.
fn score_duration(
    activity: &str,
    since: Date,
    on: Date,
) -> Result<ReferencePoints, DateOutOfRange> {
    let half = add_months(since, HALF_YEAR)?;
    let full = add_months(since, FULL_YEAR)?;
    let lead = if on < since {
        format!("{activity} from {since} (not started yet)")
    } else {
        format!(
            "{activity} for {} since {since}",
            months::age_text(since, on)?
        )
    };
    Ok(if on < half {
        ReferencePoints {
            points: 0,
            explanation: format!("{lead}: 0 points (1 point from 6 months, on {half})"),
            next_change: Some(PointsChange {
                on: half,
                points: 1,
            }),
        }
    } else if on < full {
        ReferencePoints {
            points: 1,
            explanation: format!("{lead}: 1 point (2 points from 12 months, on {full})"),
            next_change: Some(PointsChange {
                on: full,
                points: 2,
            }),
        }
    } else {
        ReferencePoints {
            points: 2,
            explanation: format!("{lead}: 2 points"),
            next_change: None,
        }
    })
}
