//! How the score moves by ageing alone (facts fixed): the dates it changes and who gains.
//!
//! Points change only on a reference's start, 6-month and 12-month dates, so scoring the
//! sheet on those dates finds every change; after the last one the score stays put.

use jiff::civil::Date;

use super::model::{Layer, Reference, ReferenceFacts, ScoringPolicy};
use super::months::{DateOutOfRange, add_months};
use super::scoring::{FULL_YEAR, HALF_YEAR};
use super::sheet::{ScoreSheet, score_sheet};

/// The score changes to `score` on `on`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScoreChange {
    /// First day with the new score.
    pub on: Date,
    /// The total (applied policy) from that day.
    pub score: u32,
    /// References that count more on that day than on the starting day.
    pub gaining: Vec<String>,
}

/// Every future change of the total after `today`, ascending by date.
pub fn future_scores(
    references: &[Reference],
    facts: &[ReferenceFacts],
    layer: Layer,
    policy: ScoringPolicy,
    today: &ScoreSheet,
) -> Result<Vec<ScoreChange>, DateOutOfRange> {
    let mut dates = Vec::new();
    for reference in references {
        dates.push(reference.since);
        dates.push(add_months(reference.since, HALF_YEAR)?);
        dates.push(add_months(reference.since, FULL_YEAR)?);
    }
    dates.retain(|d| *d > today.on);
    dates.sort();
    dates.dedup();

    let mut changes = Vec::new();
    let mut previous = today.total;
    for on in dates {
        let sheet = score_sheet(references, facts, layer, policy, on)?;
        if sheet.total != previous {
            let gaining = references
                .iter()
                .zip(sheet.counted.iter().zip(&today.counted))
                .filter(|(_, (then, now))| then.points > now.points)
                .map(|(reference, _)| reference.name.clone())
                .collect();
            changes.push(ScoreChange {
                on,
                score: sheet.total,
                gaining,
            });
            previous = sheet.total;
        }
    }
    Ok(changes)
}
