//! Summary badge text and `passed_str` (DOMAIN 2.6 step 4, monitor `summary` filter).

use crate::evaluation::scope::ScopeEvaluation;
use crate::results::Verdict;
use crate::scope::Validity;

/// Badge of a subject without any scope result (or without relevant data).
pub const EMPTY_BADGE: &str = "🛑 –";

/// Suffix of a version name in `passed_str`: effective none, draft `*`, warn `†`,
/// deprecated `††`. Unknown codes certify nothing and are marked like deprecated.
pub fn validity_suffix(validity: &Validity) -> &'static str {
    match validity {
        Validity::Effective => "",
        Validity::Draft => "*",
        Validity::Warn => "†",
        Validity::Deprecated | Validity::Other(_) => "††",
    }
}

/// Colour of the badge: by result, then (unless FAIL) downgraded by the winner's validity.
pub fn badge_colour(result: Option<Verdict>, validity: &Validity) -> &'static str {
    let by_result = match result {
        Some(Verdict::Fail) => return "🛑",
        None => "🟧",
        Some(Verdict::Abort) => "✅*",
        Some(Verdict::Pass) => "✅",
    };
    match validity {
        Validity::Warn => "🟧",
        Validity::Deprecated | Validity::Other(_) => "🛑",
        Validity::Effective | Validity::Draft => by_result,
    }
}

/// The badge text `"<colour> <passed_str or –>"`; `None` (no scope result) gives `🛑 –`.
pub fn summary_badge(evaluation: Option<&ScopeEvaluation<'_>>) -> String {
    let Some(evaluation) = evaluation else {
        return EMPTY_BADGE.to_owned();
    };
    let passed = evaluation.passed_str();
    let text = if passed.is_empty() {
        "–"
    } else {
        passed.as_str()
    };
    format!(
        "{} {}",
        badge_colour(evaluation.result, &evaluation.validity),
        text
    )
}
