//! Tiers (Silver >= 4, Bronze >= 2, DOMAIN 5.3) and the hint on what the next tier needs.

use std::fmt;

use jiff::civil::Date;

use super::outlook::ScoreChange;

/// Integrator tier under v2, ordered `Bronze < Silver`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tier {
    /// At least 2 points (the "aspiring" partner, formerly the incubator idea).
    Bronze,
    /// At least 4 points; equals the v1 certificate.
    Silver,
}

impl Tier {
    /// Points needed for the tier.
    pub fn min_points(self) -> u32 {
        match self {
            Self::Bronze => 2,
            Self::Silver => 4,
        }
    }

    /// The tier a score reaches, if any.
    pub fn for_score(score: u32) -> Option<Self> {
        if score >= Self::Silver.min_points() {
            Some(Self::Silver)
        } else if score >= Self::Bronze.min_points() {
            Some(Self::Bronze)
        } else {
            None
        }
    }

    /// The tier above the one reached (`None` reached: Bronze; Silver: none).
    pub fn next_above(reached: Option<Self>) -> Option<Self> {
        match reached {
            None => Some(Self::Bronze),
            Some(Self::Bronze) => Some(Self::Silver),
            Some(Self::Silver) => None,
        }
    }

    /// The API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Bronze => "Bronze",
            Self::Silver => "Silver",
        }
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the next tier needs, for the status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NextTierHint {
    /// The next tier above the one reached.
    pub tier: Tier,
    /// Points still missing today.
    pub missing_points: u32,
    /// The date the score reaches the tier by ageing alone (references keep qualifying).
    pub reached_on: Option<Date>,
    /// The first date the score steps up by ageing alone (a reference gains points).
    pub next_rise: Option<ScoreChange>,
    /// One human sentence, e.g. `2 more points for Silver: ...`.
    pub message: String,
}

/// "1 point", "2 points".
pub fn points_text(points: u32) -> String {
    if points == 1 {
        "1 point".to_owned()
    } else {
        format!("{points} points")
    }
}

/// The hint for the tier above `score`'s, given the future score changes by ageing
/// (ascending by date); `None` at Silver.
pub fn next_tier_hint(score: u32, outlook: &[ScoreChange]) -> Option<NextTierHint> {
    let tier = Tier::next_above(Tier::for_score(score))?;
    let missing_points = tier.min_points().saturating_sub(score);
    let reached = outlook.iter().find(|c| c.score >= tier.min_points());
    // The first step up from the level before it (a reference gains points).
    let next_rise = outlook
        .iter()
        .scan(score, |previous, change| {
            let rises = change.score > *previous;
            *previous = change.score;
            Some((rises, change))
        })
        .find_map(|(rises, change)| rises.then(|| change.clone()));
    let head = match missing_points {
        1 => format!("1 more point for {tier}"),
        n => format!("{n} more points for {tier}"),
    };
    let message = match reached {
        Some(change) => format!(
            "{head}: reached on {} as {} {}, if the references keep qualifying",
            change.on,
            names_text(&change.gaining),
            if change.gaining.len() == 1 {
                "gains points by age"
            } else {
                "gain points by age"
            },
        ),
        None => {
            let mut message = format!("{head}: {}", new_references_text(missing_points));
            if next_rise.is_some() {
                let steps: Vec<String> = outlook
                    .iter()
                    .take(3)
                    .map(|c| format!("{} on {}", points_text(c.score), c.on))
                    .collect();
                message.push_str(&format!("; by ageing alone: {}", steps.join(", ")));
            }
            message
        }
    };
    Some(NextTierHint {
        tier,
        missing_points,
        reached_on: reached.map(|c| c.on),
        next_rise,
        message,
    })
}

/// What new references would close a gap of `missing` points.
fn new_references_text(missing: u32) -> String {
    const TWO_POINTS: &str = "brought into production within the last 12 months, or managed or \
                              operated as a public cloud for 12 months";
    match missing {
        0 => "nothing more is needed".to_owned(),
        1 => format!(
            "one more reference managed or operated as a public cloud for 6 months would do, \
             or one worth 2 points ({TWO_POINTS})"
        ),
        2 => format!("one more reference worth 2 points ({TWO_POINTS}) would do"),
        n => format!(
            "{} more references worth 2 points each ({TWO_POINTS}) would do",
            n.div_ceil(2)
        ),
    }
}

/// `'a'`, `'a' and 'b'`, `'a', 'b' and 'c'`.
pub fn names_text(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
    match quoted.as_slice() {
        [] => "the references".to_owned(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}
