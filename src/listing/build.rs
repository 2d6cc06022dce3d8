//! Builds the [`Listing`] from CloudCertifications and IntegratorCertifications at `now`.
//!
//! Only status and the public spec fields (subject, displayName, provider, description,
//! group, healthMonitorUrl; organization and layer of integrators) are read: never the
//! target, its credentials or variables. Odd status content (unknown states, missing dates)
//! degrades to the most conservative reading instead of failing the whole listing.

use crate::api::cloud::{CertificateStatus, CloudCertificationStatus};
use crate::api::integrator::Layer;
use crate::api::{CloudCertification, IntegratorCertification};
use crate::evaluation::{EMPTY_BADGE, badge_colour, validity_suffix};
use crate::listing::escape::{external_url, path_segment};
use crate::listing::history::{self, HistoryFeed};
use crate::listing::model::{
    CertificateEntry, CertificateState, Certification, CloudEntry, GroupEntry, GroupMember,
    IntegratorEntry, IntegratorState, Links, Listing, PassedVersion, ResultEntry, RevocationEntry,
    SCHEMA_VERSION, ScopeRef, ScopeResult, TestVerdict, VersionEntry,
};
use crate::listing::retention::{listed_until, months_after, retained_until};
use crate::results::Verdict;
use crate::scope::Validity;
use jiff::Timestamp;
use std::collections::{BTreeMap, HashSet};

/// Presentation settings of the listing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListingOptions {
    /// Title of the pages.
    pub title: String,
    /// Public base URL of the pages (absolute badge links and embed snippets); relative
    /// links are used when absent.
    pub base_url: Option<String>,
}

impl Default for ListingOptions {
    fn default() -> Self {
        Self {
            title: "SCS certification status".to_owned(),
            base_url: None,
        }
    }
}

/// Path of the detail page of `subject` and `scope`, relative to the site root.
pub fn detail_path(subject: &str, scope: &str) -> String {
    format!("detail/{}/{}", path_segment(subject), path_segment(scope))
}

/// Path of the SVG badge of `subject` and `scope`, relative to the site root.
pub fn badge_path(subject: &str, scope: &str) -> String {
    format!(
        "badge/{}/{}.svg",
        path_segment(subject),
        path_segment(scope)
    )
}

/// Path of the page of group `group` and `scope`, relative to the site root.
pub fn group_path(group: &str, scope: &str) -> String {
    format!("group/{}/{}", path_segment(group), path_segment(scope))
}

/// Builds the listing. Deterministic: the same input and `now` give the same value, and
/// `now` only matters where a date boundary (expiry, retention window) lies between.
pub fn build_listing<'a>(
    clouds: impl IntoIterator<Item = &'a CloudCertification>,
    integrators: impl IntoIterator<Item = &'a IntegratorCertification>,
    feed: &HistoryFeed,
    options: &ListingOptions,
    now: Timestamp,
) -> Listing {
    let mut warnings = Vec::new();
    // Stable input order first, so duplicates resolve the same way on every build.
    let mut clouds: Vec<&CloudCertification> = clouds.into_iter().collect();
    clouds.sort_by(|a, b| {
        (&a.metadata.namespace, &a.metadata.name).cmp(&(&b.metadata.namespace, &b.metadata.name))
    });
    let mut seen = HashSet::new();
    let mut entries = Vec::new();
    for cloud in clouds {
        let Some(entry) = cloud_entry(cloud, feed, now) else {
            continue;
        };
        if !seen.insert((entry.subject.clone(), entry.scope.uuid.clone())) {
            warnings.push(format!(
                "subject {:?} is defined more than once for scope {:?}; one entry is listed",
                entry.subject, entry.scope.name
            ));
            continue;
        }
        entries.push(entry);
    }
    entries.sort_by(|a, b| {
        (&a.scope.name, &a.scope.uuid)
            .cmp(&(&b.scope.name, &b.scope.uuid))
            .then_with(|| {
                a.display_name
                    .to_lowercase()
                    .cmp(&b.display_name.to_lowercase())
            })
            .then_with(|| a.subject.cmp(&b.subject))
    });

    let mut scopes: Vec<ScopeRef> = Vec::new();
    for entry in &entries {
        if !scopes.iter().any(|s| s.uuid == entry.scope.uuid) {
            scopes.push(entry.scope.clone());
        }
    }
    scopes.sort();

    let revocations = revocations(&entries);
    let groups = groups(&entries);
    let mut integrators: Vec<IntegratorEntry> = integrators
        .into_iter()
        .filter_map(|i| integrator_entry(i, now))
        .collect();
    integrators.sort_by(|a, b| {
        (&a.layer, a.organization.to_lowercase(), &a.not_after).cmp(&(
            &b.layer,
            b.organization.to_lowercase(),
            &b.not_after,
        ))
    });

    let data_updated_at = entries
        .iter()
        .flat_map(|e| {
            e.evaluated_at
                .into_iter()
                .chain(e.history.first().map(|p| p.at))
        })
        .max();

    Listing {
        schema_version: SCHEMA_VERSION,
        title: options.title.clone(),
        base_url: options.base_url.clone(),
        data_updated_at,
        scopes,
        clouds: entries,
        groups,
        integrators,
        revocations,
        warnings,
    }
}

fn non_empty(text: Option<&String>) -> Option<String> {
    text.map(|t| t.trim())
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

fn cloud_entry(
    cloud: &CloudCertification,
    feed: &HistoryFeed,
    now: Timestamp,
) -> Option<CloudEntry> {
    let status = cloud.status.as_ref()?;
    let scope_status = status.scope.as_ref()?;
    let uuid = non_empty(scope_status.uuid.as_ref())?;
    let scope = ScopeRef {
        name: non_empty(scope_status.name.as_ref()).unwrap_or_else(|| uuid.clone()),
        uuid,
    };
    let spec = &cloud.spec;
    let subject = spec.subject.clone();

    let versions: Vec<VersionEntry> = status
        .versions
        .iter()
        .map(|v| VersionEntry {
            name: v.name.clone(),
            validity: v.validity.clone(),
            result: TestVerdict::parse(&v.result),
            not_passing: v.not_passing.clone(),
        })
        .collect();
    let walk = walk_versions(&versions);
    let no_data = versions.is_empty() || (status.results.is_empty() && status.last_run.is_none());
    let result = if no_data {
        ScopeResult::NoData
    } else {
        scope_result(walk.result)
    };
    let badge = if no_data {
        EMPTY_BADGE.to_owned()
    } else {
        non_empty(status.summary.as_ref()).unwrap_or_else(|| computed_badge(&walk))
    };
    let passed_versions = walk
        .passed
        .iter()
        .map(|v| PassedVersion {
            name: v.name.clone(),
            validity: v.validity.clone(),
            mark: validity_suffix(&Validity::parse(&v.validity)).to_owned(),
        })
        .collect();

    let (certificate, certificates) = certificates(status, now);
    let certification = match &certificate {
        Some(c) if c.state.is_valid() && c.self_assessed => Certification::SelfAssessed,
        Some(c) if c.state.is_valid() => Certification::Certified,
        _ => Certification::NotCertified,
    };

    let runs = status
        .last_run
        .iter()
        .chain(status.recent_runs.iter())
        .filter_map(history::point_from_run);
    let fed = feed
        .get(&(subject.clone(), scope.uuid.clone()))
        .into_iter()
        .flatten()
        .cloned();
    // History-store points carry verdict counts: they win over the run record of the same run.
    let history = history::merge(fed.chain(runs), now);

    let links = Links {
        detail: detail_path(&subject, &scope.uuid),
        badge: Some(badge_path(&subject, &scope.uuid)),
    };
    Some(CloudEntry {
        display_name: non_empty(spec.display_name.as_ref()).unwrap_or_else(|| subject.clone()),
        provider: non_empty(spec.provider.as_ref()),
        description: non_empty(spec.description.as_ref()),
        group: non_empty(spec.group.as_ref()),
        health_monitor_url: spec
            .health_monitor_url
            .as_deref()
            .and_then(external_url)
            .map(str::to_owned),
        badge,
        result,
        best_passed_version: non_empty(status.best_passed_version.as_ref()),
        passed_versions,
        results: results(status, &versions, now),
        versions,
        certification,
        certificate,
        certificates,
        history,
        evaluated_at: status.evaluated_at,
        links,
        scope,
        subject,
    })
}

/// The version walk of DOMAIN 2.6 with drafts hidden (the public view).
struct Walk<'a> {
    /// Verdict of the winner, else of the last relevant version; `None` if none is relevant.
    result: Option<TestVerdict>,
    passed: Vec<&'a VersionEntry>,
    winner: Option<&'a VersionEntry>,
}

fn walk_versions(versions: &[VersionEntry]) -> Walk<'_> {
    let mut walk = Walk {
        result: None,
        passed: Vec::new(),
        winner: None,
    };
    for version in versions.iter().filter(|v| v.validity != "draft") {
        walk.result = Some(version.result);
        if version.result != TestVerdict::Fail {
            walk.passed.push(version);
            walk.winner = Some(version);
            break;
        }
    }
    walk
}

fn scope_result(result: Option<TestVerdict>) -> ScopeResult {
    match result {
        None | Some(TestVerdict::Fail) => ScopeResult::Fail,
        Some(TestVerdict::Missing) => ScopeResult::Missing,
        Some(TestVerdict::Abort) => ScopeResult::Abort,
        Some(TestVerdict::Pass) => ScopeResult::Pass,
    }
}

/// The badge the monitor would show, for a status without `summary`.
fn computed_badge(walk: &Walk<'_>) -> String {
    let verdict = match walk.result {
        None | Some(TestVerdict::Fail) => Some(Verdict::Fail),
        Some(TestVerdict::Missing) => None,
        Some(TestVerdict::Abort) => Some(Verdict::Abort),
        Some(TestVerdict::Pass) => Some(Verdict::Pass),
    };
    let validity = walk
        .winner
        .map_or(Validity::Deprecated, |w| Validity::parse(&w.validity));
    let passed: Vec<String> = walk
        .passed
        .iter()
        .map(|v| {
            format!(
                "{}{}",
                v.name,
                validity_suffix(&Validity::parse(&v.validity))
            )
        })
        .collect();
    let text = if passed.is_empty() {
        "–".to_owned()
    } else {
        passed.join(", ")
    };
    format!("{} {text}", badge_colour(verdict, &validity))
}

/// Results by testcase id: the status's results (expired ones as MISSING) plus the missing
/// testcases the versions name.
fn results(
    status: &CloudCertificationStatus,
    versions: &[VersionEntry],
    now: Timestamp,
) -> Vec<ResultEntry> {
    let blocks = |testcase: &str| -> Vec<String> {
        versions
            .iter()
            .filter(|v| v.not_passing.iter().any(|t| t == testcase))
            .map(|v| v.name.clone())
            .collect()
    };
    let mut by_id: BTreeMap<String, ResultEntry> = BTreeMap::new();
    for r in &status.results {
        let verdict = if r.expires_at <= now {
            TestVerdict::Missing
        } else {
            TestVerdict::parse(&r.result)
        };
        by_id.entry(r.testcase.clone()).or_insert(ResultEntry {
            testcase: r.testcase.clone(),
            result: verdict,
            checked_at: Some(r.checked_at),
            expires_at: Some(r.expires_at),
            report: non_empty(r.report.as_ref()),
            blocks: blocks(&r.testcase),
        });
    }
    for testcase in versions.iter().flat_map(|v| v.not_passing.iter()) {
        if !by_id.contains_key(testcase) {
            by_id.insert(
                testcase.clone(),
                ResultEntry {
                    testcase: testcase.clone(),
                    result: TestVerdict::Missing,
                    checked_at: None,
                    expires_at: None,
                    report: None,
                    blocks: blocks(testcase),
                },
            );
        }
    }
    by_id.into_values().collect()
}

/// The state at `now`: revocation and expiry dates that passed since the last evaluation
/// win over the recorded state.
fn effective_state(c: &CertificateStatus, now: Timestamp) -> CertificateState {
    let recorded = c
        .state
        .as_deref()
        .map_or(CertificateState::Unknown, CertificateState::parse);
    if recorded == CertificateState::Revoked || c.revoked_at.is_some_and(|at| at <= now) {
        return CertificateState::Revoked;
    }
    let issued = matches!(
        recorded,
        CertificateState::Valid | CertificateState::Expiring | CertificateState::Expired
    );
    if issued && c.not_after.is_some_and(|end| end <= now) {
        return CertificateState::Expired;
    }
    if recorded == CertificateState::Valid && c.renewal_time.is_some_and(|t| t <= now) {
        return CertificateState::Expiring;
    }
    recorded
}

fn certificate_entry(c: &CertificateStatus, now: Timestamp) -> CertificateEntry {
    let listed_until = c.not_after.map(listed_until);
    CertificateEntry {
        serial: non_empty(c.serial.as_ref()),
        version: non_empty(c.version.as_ref()),
        state: effective_state(c, now),
        self_assessed: c.self_assessed,
        granted_by: non_empty(c.granted_by.as_ref()),
        reference: non_empty(c.reference.as_ref()),
        not_before: c.not_before,
        not_after: c.not_after,
        renewal_time: c.renewal_time,
        revoked_at: c.revoked_at,
        revocation_reason: non_empty(c.revocation_reason.as_ref()),
        listed: listed_until.is_none_or(|end| now < end),
        listed_until,
        retained_until: c.not_after.map(retained_until),
    }
}

fn same_certificate(a: &CertificateEntry, b: &CertificateEntry) -> bool {
    match (&a.serial, &b.serial) {
        (Some(x), Some(y)) => x == y,
        _ => a.version == b.version && a.not_before == b.not_before,
    }
}

/// (current certificate while listed, retained certificates newest first).
fn certificates(
    status: &CloudCertificationStatus,
    now: Timestamp,
) -> (Option<CertificateEntry>, Vec<CertificateEntry>) {
    let current = status
        .certificate
        .as_ref()
        .map(|c| certificate_entry(c, now));
    let mut all: Vec<CertificateEntry> = Vec::new();
    for entry in current.iter().cloned().chain(
        status
            .certificates
            .iter()
            .map(|c| certificate_entry(c, now)),
    ) {
        if !all.iter().any(|known| same_certificate(known, &entry)) {
            all.push(entry);
        }
    }
    all.retain(|c| c.retained_until.is_none_or(|end| now < end));
    // Undated entries (pending, refused) first, then newest first.
    all.sort_by(|a, b| match (a.not_before, b.not_before) {
        (None, None) => std::cmp::Ordering::Equal,
        (None, Some(_)) => std::cmp::Ordering::Less,
        (Some(_), None) => std::cmp::Ordering::Greater,
        (Some(x), Some(y)) => y.cmp(&x),
    });
    (current.filter(|c| c.listed), all)
}

fn revocations(entries: &[CloudEntry]) -> Vec<RevocationEntry> {
    let mut list: Vec<RevocationEntry> = Vec::new();
    for entry in entries {
        for c in entry
            .certificates
            .iter()
            .filter(|c| c.state == CertificateState::Revoked && !c.self_assessed)
        {
            let item = RevocationEntry {
                serial: c.serial.clone(),
                subject: entry.subject.clone(),
                scope: entry.scope.clone(),
                version: c.version.clone(),
                not_before: c.not_before,
                not_after: c.not_after,
                revoked_at: c.revoked_at,
                reason: c.revocation_reason.clone(),
            };
            let duplicate =
                item.serial.is_some() && list.iter().any(|known| known.serial == item.serial);
            if !duplicate {
                list.push(item);
            }
        }
    }
    list.sort_by(|a, b| {
        (a.revoked_at, &a.serial, &a.subject).cmp(&(b.revoked_at, &b.serial, &b.subject))
    });
    list
}

/// Group rollups (DOMAIN 2.6): the worst member by [`ScopeResult`], first on ties.
fn groups(entries: &[CloudEntry]) -> Vec<GroupEntry> {
    let mut by_key: BTreeMap<(&str, &str, &str), Vec<&CloudEntry>> = BTreeMap::new();
    for entry in entries {
        if let Some(group) = entry.group.as_deref() {
            by_key
                .entry((&entry.scope.name, &entry.scope.uuid, group))
                .or_default()
                .push(entry);
        }
    }
    by_key
        .into_iter()
        .map(|((_, _, group), members)| {
            let mut worst: Option<&CloudEntry> = None;
            for member in &members {
                if worst.is_none_or(|w| member.result < w.result) {
                    worst = Some(member);
                }
            }
            let scope = members
                .first()
                .map(|m| m.scope.clone())
                .unwrap_or_else(|| ScopeRef {
                    uuid: String::new(),
                    name: String::new(),
                });
            GroupEntry {
                name: group.to_owned(),
                badge: worst.map_or_else(|| EMPTY_BADGE.to_owned(), |w| w.badge.clone()),
                result: worst.map_or(ScopeResult::NoData, |w| w.result),
                worst: worst.map(|w| w.subject.clone()),
                members: members
                    .iter()
                    .map(|m| GroupMember {
                        subject: m.subject.clone(),
                        display_name: m.display_name.clone(),
                        badge: m.badge.clone(),
                        result: m.result,
                    })
                    .collect(),
                links: Links {
                    detail: group_path(group, &scope.uuid),
                    badge: None,
                },
                scope,
            }
        })
        .collect()
}

fn integrator_entry(
    integrator: &IntegratorCertification,
    now: Timestamp,
) -> Option<IntegratorEntry> {
    let status = integrator.status.as_ref()?;
    let certificate = status.certificate.as_ref()?;
    let not_after = certificate.not_after?;
    let listed_until = listed_until(not_after);
    let retained_until = retained_until(not_after);
    if now >= retained_until {
        return None;
    }
    let state = if certificate.not_before.is_some_and(|start| now < start) {
        IntegratorState::NotYetValid
    } else if now >= not_after {
        IntegratorState::Expired
    } else {
        IntegratorState::Valid
    };
    Some(IntegratorEntry {
        organization: integrator.spec.organization.trim().to_owned(),
        layer: match integrator.spec.layer {
            Layer::IaaS => "IaaS".to_owned(),
            Layer::KaaS => "KaaS".to_owned(),
        },
        tier: non_empty(certificate.tier.as_ref()),
        score: status.score,
        not_before: certificate.not_before,
        not_after,
        state,
        listed: now < listed_until,
        listed_until,
        retained_until,
    })
}

/// The next instant after `now` at which building again gives a different listing without
/// any input change (an expiry, a renewal window, a retention window, a history horizon).
pub fn next_change(listing: &Listing, now: Timestamp) -> Option<Timestamp> {
    let mut instants: Vec<Timestamp> = Vec::new();
    for cloud in &listing.clouds {
        instants.extend(cloud.results.iter().filter_map(|r| r.expires_at));
        for c in &cloud.certificates {
            instants.extend(
                [
                    c.not_after,
                    c.renewal_time,
                    c.revoked_at,
                    c.listed_until,
                    c.retained_until,
                ]
                .into_iter()
                .flatten(),
            );
        }
        // The oldest point leaves the 18-month window.
        if let Some(oldest) = cloud.history.last() {
            instants.push(months_after(
                oldest.at,
                crate::certificate::RUN_HISTORY_MONTHS,
            ));
        }
    }
    for i in &listing.integrators {
        instants.extend(i.not_before);
        instants.extend([i.not_after, i.listed_until, i.retained_until]);
    }
    instants.into_iter().filter(|t| *t > now).min()
}
