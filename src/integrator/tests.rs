//! Table tests of SCS-0007: every worked example of DOMAIN 5.1 (votes) and 5.5 (scoring),
//! month boundaries, leap days, certificate validity, continuation and the entry point.

use jiff::Timestamp;
use jiff::civil::Date;

use super::*;
use crate::api::conditions::{CERTIFIED, ConditionStatus, DesiredCondition, READY};
use crate::integrator::months::whole_months;
use crate::integrator::sheet::score_sheet;

// ---------------------------------------------------------------- helpers

/// The "today" of the worked examples.
const TODAY: &str = "2027-06-15";

fn date(text: &str) -> Date {
    text.parse().expect("test date")
}

fn ts(text: &str) -> Timestamp {
    text.parse().expect("test timestamp")
}

/// `months` calendar months before TODAY (negative: after).
fn ago(months: i32) -> Date {
    add_months(date(TODAY), -months).expect("in range")
}

fn reference(name: &str, kind: ReferenceKind, since: Date) -> Reference {
    Reference {
        name: name.to_owned(),
        kind,
        since,
        regions: None,
        availability_zones: None,
        joint: false,
        share: None,
        proof: EnvironmentProof::Evidence { attested: true },
    }
}

fn go_live(name: &str, since: Date) -> Reference {
    reference(name, ReferenceKind::BroughtIntoProduction, since)
}

fn managed(name: &str, since: Date) -> Reference {
    reference(name, ReferenceKind::Managed, since)
}

fn public(name: &str, since: Date, regions: Option<u32>, zones: Option<u32>) -> Reference {
    Reference {
        regions,
        availability_zones: zones,
        ..reference(name, ReferenceKind::PublicCloud, since)
    }
}

fn with_certification(mut reference: Reference, name: &str) -> Reference {
    reference.proof = EnvironmentProof::CloudCertification {
        namespace: "partners".to_owned(),
        name: name.to_owned(),
    };
    reference
}

fn qualifying(layer: Layer) -> ReferenceFacts {
    ReferenceFacts::qualifying(layer, "compliant with v5.1")
}

fn application(layer: Layer, references: Vec<Reference>) -> IntegratorApplication {
    IntegratorApplication {
        organization: "Example GmbH".to_owned(),
        layer,
        rules: Rules::V2,
        tier_requested: None,
        references,
        scoring_policy: ScoringPolicy::CountOnce,
        v1_vote: None,
        attestation: None,
    }
}

/// Facts "of `layer`, qualifying" for every reference.
fn all_qualifying(app: &IntegratorApplication, layer: Layer) -> Vec<ReferenceFacts> {
    app.references.iter().map(|_| qualifying(layer)).collect()
}

/// Score and tier of `app` on `on`, every reference qualifying for the application's layer.
fn score_on(app: &IntegratorApplication, on: Date) -> (u32, Option<Tier>) {
    let facts = all_qualifying(app, app.layer);
    let sheet =
        score_sheet(&app.references, &facts, app.layer, app.scoring_policy, on).expect("in range");
    (sheet.total, Tier::for_score(sheet.total))
}

fn assess(
    app: &IntegratorApplication,
    facts: &[ReferenceFacts],
    now: &str,
) -> IntegratorAssessment {
    assess_integrator(app, facts, ts(now), &AssessmentSettings::default()).expect("assessable")
}

fn condition<'a>(assessment: &'a IntegratorAssessment, type_: &str) -> &'a DesiredCondition {
    assessment
        .conditions
        .iter()
        .find(|c| c.type_ == type_)
        .expect("condition present")
}

fn granted_at(at: &str) -> Attestation {
    Attestation {
        attested_by: "Forum SCS-Standards".to_owned(),
        attested_at: ts(at),
        decision: Decision::Granted,
        score_at_grant: None,
    }
}

// ---------------------------------------------------------------- DOMAIN 5.5 examples

/// One row of the worked-example table: an application scored on a date.
struct Example {
    name: &'static str,
    layer: Layer,
    references: Vec<Reference>,
    on: Date,
    score: u32,
    tier: Option<Tier>,
}

#[test]
fn worked_examples_of_domain_5_5() {
    let today = date(TODAY);
    let examples = vec![
        Example {
            name: "5.5 ex. 1: IaaS, two go-lives 3 and 9 months ago: 2 + 2 = 4, Silver",
            layer: Layer::IaaS,
            references: vec![go_live("customer-a", ago(3)), go_live("customer-b", ago(9))],
            on: today,
            score: 4,
            tier: Some(Tier::Silver),
        },
        Example {
            name: "5.5 ex. 2: managed 14 months (2) + public IaaS 1 region 2 AZs (0) = 2, Bronze",
            layer: Layer::IaaS,
            references: vec![
                managed("customer", ago(14)),
                public("own-cloud", ago(24), Some(1), Some(2)),
            ],
            on: today,
            score: 2,
            tier: Some(Tier::Bronze),
        },
        Example {
            name: "5.5 ex. 3: KaaS, public KaaS 8 months (1) + managed 7 months (1) = 2, Bronze",
            layer: Layer::KaaS,
            references: vec![
                public("own-kaas", ago(8), None, None),
                managed("customer", ago(7)),
            ],
            on: today,
            score: 2,
            tier: Some(Tier::Bronze),
        },
        Example {
            name: "5.5 ex. 4: public IaaS 1 region 3 AZs 13 months (2) + go-live 11 months (2) = 4, Silver",
            layer: Layer::IaaS,
            references: vec![
                public("own-cloud", ago(13), Some(1), Some(3)),
                go_live("customer", ago(11)),
            ],
            on: today,
            score: 4,
            tier: Some(Tier::Silver),
        },
        Example {
            name: "5.5 ex. 5 today: three managed for 5 months: 0, not certifiable",
            layer: Layer::IaaS,
            references: three_managed_since(ago(5)),
            on: today,
            score: 0,
            tier: None,
        },
        Example {
            name: "5.5 ex. 5 one month later: 3 x 1 = 3, Bronze",
            layer: Layer::IaaS,
            references: three_managed_since(ago(5)),
            on: add_months(today, 1).expect("in range"),
            score: 3,
            tier: Some(Tier::Bronze),
        },
        Example {
            name: "5.5 ex. 5 seven months after that (12 months): 3 x 2 = 6, Silver",
            layer: Layer::IaaS,
            references: three_managed_since(ago(5)),
            on: add_months(today, 8).expect("in range"),
            score: 6,
            tier: Some(Tier::Silver),
        },
        Example {
            name: "5.5 ex. 6 for IaaS: public IaaS 2 regions, 2 years: 2, Bronze",
            layer: Layer::IaaS,
            references: vec![public("own-cloud", ago(24), Some(2), Some(2))],
            on: today,
            score: 2,
            tier: Some(Tier::Bronze),
        },
        Example {
            name: "5.5 ex. 8 v2: one go-live: 2, Bronze",
            layer: Layer::IaaS,
            references: vec![go_live("customer", ago(4))],
            on: today,
            score: 2,
            tier: Some(Tier::Bronze),
        },
        Example {
            name: "5.5 ex. 8 v2: two go-lives: 4, Silver",
            layer: Layer::IaaS,
            references: vec![
                go_live("customer-a", ago(4)),
                go_live("customer-b", ago(10)),
            ],
            on: today,
            score: 4,
            tier: Some(Tier::Silver),
        },
    ];
    for example in examples {
        let app = application(example.layer, example.references);
        assert_eq!(
            score_on(&app, example.on),
            (example.score, example.tier),
            "{}",
            example.name
        );
    }
}

fn three_managed_since(since: Date) -> Vec<Reference> {
    vec![
        managed("customer-a", since),
        managed("customer-b", since),
        managed("customer-c", since),
    ]
}

#[test]
fn example_2_explains_too_few_azs() {
    let app = application(
        Layer::IaaS,
        vec![
            managed("customer", ago(14)),
            public("own-cloud", ago(24), Some(1), Some(2)),
        ],
    );
    let assessment = assess(
        &app,
        &all_qualifying(&app, Layer::IaaS),
        "2027-06-15T12:00:00Z",
    );
    assert_eq!(
        assessment.references[1].explanation,
        "public IaaS cloud, 1 region, 2 AZs: 0 points, needs >= 2 regions or >= 3 AZs"
    );
    assert_eq!(
        assessment.references[0].explanation,
        "managed for 14 months since 2026-04-15: 2 points"
    );
}

#[test]
fn example_6_wrong_layer_scores_zero_for_kaas() {
    // 5.5 ex. 6: a KaaS application offering only a public IaaS cloud (2 regions, 2 years).
    let app = application(
        Layer::KaaS,
        vec![public("own-iaas", ago(24), Some(2), Some(2))],
    );
    let facts = vec![qualifying(Layer::IaaS)];
    let assessment = assess(&app, &facts, "2027-06-15T12:00:00Z");
    assert_eq!((assessment.score, assessment.tier), (0, None));
    assert_eq!(
        assessment.references[0].explanation,
        "IaaS environment, not counted for the KaaS certificate: 0 points (it would score \
         2 points towards IaaS)"
    );
    let eligible = condition(&assessment, ELIGIBLE);
    assert_eq!(eligible.status, ConditionStatus::False);
    assert_eq!(eligible.reason, "InsufficientScore");

    // The same reference towards an IaaS application: 2 points, Bronze.
    let iaas = IntegratorApplication {
        layer: Layer::IaaS,
        ..app
    };
    let assessment = assess(&iaas, &facts, "2027-06-15T12:00:00Z");
    assert_eq!((assessment.score, assessment.tier), (2, Some(Tier::Bronze)));
}

/// 5.5 ex. 7: a KaaS environment brought live 7 months ago and managed since, plus a public
/// KaaS for 6 months.
fn example_7(policy: ScoringPolicy) -> IntegratorApplication {
    IntegratorApplication {
        scoring_policy: policy,
        ..application(
            Layer::KaaS,
            vec![
                go_live("customer-kaas", ago(7)),
                managed("customer-kaas", ago(7)),
                public("own-kaas", ago(6), None, None),
            ],
        )
    }
}

#[test]
fn example_7_ambiguity_under_both_policies() {
    struct Case {
        name: &'static str,
        policy: ScoringPolicy,
        score: u32,
        tier: Option<Tier>,
        other: u32,
        other_tier: Option<Tier>,
        counted: [u32; 3],
    }
    let cases = [
        Case {
            name: "5.5 ex. 7 CountOnce: go-live (2) + public KaaS (1) = 3, Bronze; CountBoth 4",
            policy: ScoringPolicy::CountOnce,
            score: 3,
            tier: Some(Tier::Bronze),
            other: 4,
            other_tier: Some(Tier::Silver),
            counted: [2, 0, 1],
        },
        Case {
            name: "5.5 ex. 7 CountBoth: go-live (2) + managed (1) + public KaaS (1) = 4, Silver",
            policy: ScoringPolicy::CountBoth,
            score: 4,
            tier: Some(Tier::Silver),
            other: 3,
            other_tier: Some(Tier::Bronze),
            counted: [2, 1, 1],
        },
    ];
    for case in cases {
        let app = example_7(case.policy);
        let assessment = assess(
            &app,
            &all_qualifying(&app, Layer::KaaS),
            "2027-06-15T12:00:00Z",
        );
        assert_eq!(assessment.score, case.score, "{}", case.name);
        assert_eq!(assessment.tier, case.tier, "{}", case.name);
        assert_eq!(assessment.score_other_policy, case.other, "{}", case.name);
        assert_eq!(
            assessment.tier_other_policy, case.other_tier,
            "{}",
            case.name
        );
        let counted: Vec<u32> = assessment
            .references
            .iter()
            .map(|r| r.counted_points)
            .collect();
        assert_eq!(counted, case.counted, "{}", case.name);
        // The status shows what the other policy would give.
        let message = &condition(&assessment, ELIGIBLE).message;
        assert!(
            message.contains(&format!("{} would give", case.policy.other())),
            "{}: {message}",
            case.name
        );
    }
    let once = assess(
        &example_7(ScoringPolicy::CountOnce),
        &all_qualifying(&example_7(ScoringPolicy::CountOnce), Layer::KaaS),
        "2027-06-15T12:00:00Z",
    );
    assert!(
        once.references[1]
            .explanation
            .ends_with("same environment as 'customer-kaas' (brought into production), which scores it (CountOnce): counts 0"),
        "{}",
        once.references[1].explanation
    );
}

#[test]
fn example_7_same_environment_by_cloud_certification_under_different_names() {
    let app = application(
        Layer::KaaS,
        vec![
            with_certification(go_live("go-live of kaas-prod", ago(7)), "kaas-prod"),
            with_certification(managed("kaas-prod operations", ago(7)), "kaas-prod"),
            public("own-kaas", ago(6), None, None),
        ],
    );
    assert_eq!(score_on(&app, date(TODAY)), (3, Some(Tier::Bronze)));
    // Different CloudCertifications and names: different environments, both count.
    let distinct = application(
        Layer::KaaS,
        vec![
            with_certification(go_live("kaas-a", ago(7)), "kaas-a"),
            with_certification(managed("kaas-b", ago(7)), "kaas-b"),
        ],
    );
    assert_eq!(score_on(&distinct, date(TODAY)), (3, Some(Tier::Bronze)));
}

#[test]
fn same_kind_listed_twice_counts_once_under_both_policies() {
    for policy in [ScoringPolicy::CountOnce, ScoringPolicy::CountBoth] {
        let app = IntegratorApplication {
            scoring_policy: policy,
            ..application(
                Layer::IaaS,
                vec![managed("Customer", ago(13)), managed(" customer ", ago(13))],
            )
        };
        assert_eq!(
            score_on(&app, date(TODAY)),
            (2, Some(Tier::Bronze)),
            "{policy}"
        );
    }
}

#[test]
fn example_7_count_once_switches_to_management_when_the_go_live_expires() {
    // 12 months after the go-live the go-live stops counting and 12 months of management
    // start counting on the same day, so CountOnce keeps 2 points without a gap.
    let app = application(
        Layer::KaaS,
        vec![
            go_live("customer", date("2026-06-15")),
            managed("customer", date("2026-06-15")),
        ],
    );
    assert_eq!(score_on(&app, date("2027-06-14")).0, 2);
    assert_eq!(score_on(&app, date("2027-06-15")).0, 2);
}

#[test]
fn example_8_v1_versus_v2() {
    let on = date(TODAY);
    let one = application(Layer::IaaS, vec![go_live("customer", ago(4))]);
    let v1 = evaluate_v1(
        &one.references,
        &all_qualifying(&one, Layer::IaaS),
        Layer::IaaS,
        on,
        None,
    )
    .expect("in range");
    assert_eq!(
        v1.verdict,
        V1Verdict::NotMet,
        "5.5 ex. 8: one go-live meets no v1 criterion"
    );
    assert_eq!(
        score_on(&one, on),
        (2, Some(Tier::Bronze)),
        "5.5 ex. 8: v2 Bronze"
    );

    let two = application(
        Layer::IaaS,
        vec![
            go_live("customer-a", ago(4)),
            go_live("customer-b", ago(10)),
        ],
    );
    let v1 = evaluate_v1(
        &two.references,
        &all_qualifying(&two, Layer::IaaS),
        Layer::IaaS,
        on,
        None,
    )
    .expect("in range");
    assert_eq!(
        v1.verdict,
        V1Verdict::Criterion(Criterion::A),
        "5.5 ex. 8: criterion a"
    );
    assert_eq!(
        score_on(&two, on),
        (4, Some(Tier::Silver)),
        "5.5 ex. 8: v2 Silver"
    );
}

#[test]
fn example_8_v1_without_criteria_needs_the_vote() {
    let mut app = application(Layer::IaaS, vec![go_live("customer", ago(4))]);
    app.rules = Rules::V1;
    let facts = all_qualifying(&app, Layer::IaaS);
    let without_vote = assess(&app, &facts, "2027-06-15T12:00:00Z");
    assert_eq!(condition(&without_vote, ELIGIBLE).reason, "NoCriterionMet");

    app.v1_vote = Some(vote(12, 9, 7, 0, 2, false));
    let with_vote = assess(&app, &facts, "2027-06-15T12:00:00Z");
    let eligible = condition(&with_vote, ELIGIBLE);
    assert_eq!(
        (eligible.status, eligible.reason.as_str()),
        (ConditionStatus::True, "ExceptionVote")
    );
}

// ---------------------------------------------------------------- v1 criteria

#[test]
fn v1_criteria_a_b_c() {
    struct Case {
        name: &'static str,
        layer: Layer,
        references: Vec<Reference>,
        verdict: V1Verdict,
    }
    let cases = vec![
        Case {
            name: "a: two go-lives in the last 12 months",
            layer: Layer::KaaS,
            references: vec![go_live("a", ago(2)), go_live("b", ago(11))],
            verdict: V1Verdict::Criterion(Criterion::A),
        },
        Case {
            name: "a fails: one go-live is 12 months old",
            layer: Layer::KaaS,
            references: vec![go_live("a", ago(2)), go_live("b", ago(12))],
            verdict: V1Verdict::NotMet,
        },
        Case {
            name: "a fails: the same environment listed twice",
            layer: Layer::KaaS,
            references: vec![go_live("a", ago(2)), go_live("a", ago(3))],
            verdict: V1Verdict::NotMet,
        },
        Case {
            name: "b: two managed for exactly one year",
            layer: Layer::IaaS,
            references: vec![managed("a", ago(12)), managed("b", ago(20))],
            verdict: V1Verdict::Criterion(Criterion::B),
        },
        Case {
            name: "b fails: one managed for 11 months",
            layer: Layer::IaaS,
            references: vec![managed("a", ago(11)), managed("b", ago(20))],
            verdict: V1Verdict::NotMet,
        },
        Case {
            name: "c: public IaaS with 2 regions for 13 months",
            layer: Layer::IaaS,
            references: vec![public("own", ago(13), Some(2), Some(1))],
            verdict: V1Verdict::Criterion(Criterion::C),
        },
        Case {
            name: "c fails: exactly one year is not more than one year",
            layer: Layer::IaaS,
            references: vec![public("own", ago(12), Some(2), Some(1))],
            verdict: V1Verdict::NotMet,
        },
        Case {
            name: "c fails: 1 region, 2 AZs",
            layer: Layer::IaaS,
            references: vec![public("own", ago(30), Some(1), Some(2))],
            verdict: V1Verdict::NotMet,
        },
    ];
    for case in cases {
        let facts: Vec<_> = case
            .references
            .iter()
            .map(|_| qualifying(case.layer))
            .collect();
        let outcome =
            evaluate_v1(&case.references, &facts, case.layer, date(TODAY), None).expect("in range");
        assert_eq!(outcome.verdict, case.verdict, "{}", case.name);
    }
}

#[test]
fn v1_criterion_c_does_not_apply_to_kaas() {
    let references = vec![public("own", ago(30), Some(3), Some(9))];
    let facts = vec![qualifying(Layer::IaaS)];
    let outcome =
        evaluate_v1(&references, &facts, Layer::KaaS, date(TODAY), None).expect("in range");
    assert_eq!(outcome.verdict, V1Verdict::NotMet);
    assert!(
        outcome.checks[2]
            .explanation
            .starts_with("c) not applicable")
    );
}

// ---------------------------------------------------------------- DOMAIN 5.1 votes

fn vote(
    eligible: u32,
    present: u32,
    yes: u32,
    no: u32,
    abstentions: u32,
    member: bool,
) -> VoteCount {
    VoteCount {
        eligible,
        present,
        yes,
        no,
        abstentions,
        beneficiary_is_member: member,
    }
}

#[test]
fn vote_examples_of_domain_5_1() {
    use BeneficiaryQuorumRule::{CountAsPresent, ExcludeFromBase};
    struct Case {
        name: &'static str,
        vote: VoteCount,
        rule: BeneficiaryQuorumRule,
        passes: bool,
        quorum: u32,
    }
    let cases = [
        Case {
            name: "5.1: 12 eligible, 9 present, 7 yes, 2 abstain: passes (quorum 8, no 'no')",
            vote: vote(12, 9, 7, 0, 2, false),
            rule: ExcludeFromBase,
            passes: true,
            quorum: 8,
        },
        Case {
            name: "5.1: 12 eligible, 9 present, 8 yes, 1 no: fails (not unanimous)",
            vote: vote(12, 9, 8, 1, 0, false),
            rule: ExcludeFromBase,
            passes: false,
            quorum: 8,
        },
        Case {
            name: "5.1: 12 eligible, 7 present, all yes: fails (7 < ceil(2/3 * 12) = 8)",
            vote: vote(12, 7, 7, 0, 0, false),
            rule: ExcludeFromBase,
            passes: false,
            quorum: 8,
        },
        Case {
            name: "5.1: non-member beneficiary, the setting does not matter",
            vote: vote(12, 7, 7, 0, 0, false),
            rule: CountAsPresent,
            passes: false,
            quorum: 8,
        },
        Case {
            name: "5.1 member, excluded from base: 7 others of 11 < ceil(2/3 * 11) = 8, fails",
            vote: vote(12, 7, 7, 0, 0, true),
            rule: ExcludeFromBase,
            passes: false,
            quorum: 8,
        },
        Case {
            name: "5.1 member, counted as present: 7 others + beneficiary = 8 of 12, passes",
            vote: vote(12, 7, 7, 0, 0, true),
            rule: CountAsPresent,
            passes: true,
            quorum: 8,
        },
        Case {
            name: "5.1 member, excluded from base: 8 others of 11 meet quorum 8, passes",
            vote: vote(12, 8, 8, 0, 0, true),
            rule: ExcludeFromBase,
            passes: true,
            quorum: 8,
        },
        Case {
            name: "5.1 member, counted as present: 8 others + beneficiary, passes",
            vote: vote(12, 8, 8, 0, 0, true),
            rule: CountAsPresent,
            passes: true,
            quorum: 8,
        },
        Case {
            name: "decision: everybody abstaining is no unanimous approval",
            vote: vote(12, 9, 0, 0, 9, false),
            rule: ExcludeFromBase,
            passes: false,
            quorum: 8,
        },
    ];
    for case in cases {
        let outcome = evaluate_vote(&case.vote, case.rule).expect("consistent vote");
        assert_eq!(
            outcome.passes, case.passes,
            "{}: {}",
            case.name, outcome.explanation
        );
        assert_eq!(outcome.quorum, case.quorum, "{}", case.name);
    }
}

#[test]
fn vote_default_setting_excludes_the_beneficiary_from_the_base() {
    assert_eq!(
        BeneficiaryQuorumRule::default(),
        BeneficiaryQuorumRule::ExcludeFromBase
    );
}

#[test]
fn vote_explanations_name_the_failure() {
    let quorum = evaluate_vote(
        &vote(12, 7, 7, 0, 0, false),
        BeneficiaryQuorumRule::default(),
    )
    .expect("consistent vote");
    assert_eq!(
        quorum.explanation,
        "fails: 7 present, quorum 8 of 12 not met"
    );
    let against = evaluate_vote(
        &vote(12, 9, 8, 1, 0, false),
        BeneficiaryQuorumRule::default(),
    )
    .expect("consistent vote");
    assert_eq!(against.explanation, "fails: not unanimous (1 against)");
}

#[test]
fn inconsistent_votes_are_rejected() {
    let rule = BeneficiaryQuorumRule::default();
    assert_eq!(
        evaluate_vote(&vote(12, 12, 12, 0, 0, true), rule),
        Err(VoteError::TooManyPresent {
            present: 12,
            possible: 11
        })
    );
    assert_eq!(
        evaluate_vote(&vote(12, 9, 8, 1, 1, false), rule),
        Err(VoteError::TooManyVotes {
            cast: 10,
            present: 9
        })
    );
    assert_eq!(
        evaluate_vote(&vote(0, 0, 0, 0, 0, false), rule),
        Err(VoteError::NoEligibleVoters)
    );
}

// ---------------------------------------------------------------- months and boundaries

#[test]
fn month_arithmetic_clamps_to_the_end_of_the_month() {
    let cases = [
        ("2026-08-31", 6, "2027-02-28"),
        ("2027-08-29", 6, "2028-02-29"),
        ("2027-08-31", 6, "2028-02-29"),
        ("2028-02-29", 12, "2029-02-28"),
        ("2026-01-31", 1, "2026-02-28"),
        ("2026-03-15", 12, "2027-03-15"),
        ("2027-06-15", -5, "2027-01-15"),
    ];
    for (since, months, expected) in cases {
        assert_eq!(
            add_months(date(since), months),
            Ok(date(expected)),
            "{since} + {months}"
        );
    }
}

#[test]
fn whole_months_agree_with_add_months() {
    let cases = [
        ("2026-01-31", "2026-02-27", 0),
        ("2026-01-31", "2026-02-28", 1),
        ("2026-03-15", "2027-03-14", 11),
        ("2026-03-15", "2027-03-15", 12),
        ("2026-03-15", "2026-03-01", 0),
    ];
    for (since, on, expected) in cases {
        assert_eq!(
            whole_months(date(since), date(on)),
            Ok(expected),
            "{since} .. {on}"
        );
    }
}

#[test]
fn points_at_month_boundaries() {
    struct Case {
        name: &'static str,
        reference: Reference,
        on: &'static str,
        points: u32,
    }
    let cases = [
        Case {
            name: "managed: the day before 6 months",
            reference: managed("m", date("2026-03-15")),
            on: "2026-09-14",
            points: 0,
        },
        Case {
            name: "managed: exactly 6 months",
            reference: managed("m", date("2026-03-15")),
            on: "2026-09-15",
            points: 1,
        },
        Case {
            name: "managed: the day before 12 months",
            reference: managed("m", date("2026-03-15")),
            on: "2027-03-14",
            points: 1,
        },
        Case {
            name: "managed: exactly 12 months",
            reference: managed("m", date("2026-03-15")),
            on: "2027-03-15",
            points: 2,
        },
        Case {
            name: "managed since Aug 31: 6 months reached on Feb 28",
            reference: managed("m", date("2026-08-31")),
            on: "2027-02-28",
            points: 1,
        },
        Case {
            name: "managed since Aug 31: not yet on Feb 27",
            reference: managed("m", date("2026-08-31")),
            on: "2027-02-27",
            points: 0,
        },
        Case {
            name: "go-live: counts on its own day",
            reference: go_live("g", date("2026-03-01")),
            on: "2026-03-01",
            points: 2,
        },
        Case {
            name: "go-live: still counts the day before its anniversary",
            reference: go_live("g", date("2026-03-01")),
            on: "2027-02-28",
            points: 2,
        },
        Case {
            name: "go-live: stops counting on its 12-month anniversary",
            reference: go_live("g", date("2026-03-01")),
            on: "2027-03-01",
            points: 0,
        },
        Case {
            name: "go-live in the future: nothing yet",
            reference: go_live("g", date("2027-07-01")),
            on: "2027-06-15",
            points: 0,
        },
        Case {
            name: "leap-day go-live: counts until 2029-02-27",
            reference: go_live("g", date("2028-02-29")),
            on: "2029-02-27",
            points: 2,
        },
        Case {
            name: "leap-day go-live: anniversary 2029-02-28 ends it",
            reference: go_live("g", date("2028-02-29")),
            on: "2029-02-28",
            points: 0,
        },
        Case {
            name: "leap-day management: 12 months on 2029-02-28",
            reference: managed("m", date("2028-02-29")),
            on: "2029-02-28",
            points: 2,
        },
        Case {
            name: "public IaaS, 3 AZs in 1 region: big enough",
            reference: public("p", date("2026-03-15"), Some(1), Some(3)),
            on: "2026-09-15",
            points: 1,
        },
        Case {
            name: "public IaaS, regions and AZs not stated: 0",
            reference: public("p", date("2025-03-15"), None, None),
            on: "2027-06-15",
            points: 0,
        },
    ];
    for case in cases {
        let scored = score_reference(
            &case.reference,
            &qualifying(Layer::IaaS),
            Layer::IaaS,
            date(case.on),
        )
        .expect("in range");
        assert_eq!(
            scored.points, case.points,
            "{}: {}",
            case.name, scored.explanation
        );
    }
}

#[test]
fn explanations_say_when_points_change() {
    let cases = [
        (
            managed("m", date("2026-11-15")),
            "managed for 7 months since 2026-11-15: 1 point (2 points from 12 months, on 2027-11-15)",
            Some(PointsChange {
                on: date("2027-11-15"),
                points: 2,
            }),
        ),
        (
            managed("m", date("2027-08-01")),
            "managed from 2027-08-01 (not started yet): 0 points (1 point from 6 months, on 2028-02-01)",
            Some(PointsChange {
                on: date("2028-02-01"),
                points: 1,
            }),
        ),
        (
            go_live("g", date("2027-03-01")),
            "brought into production on 2027-03-01, 3 months ago: 2 points (counts until 2028-02-29)",
            Some(PointsChange {
                on: date("2028-03-01"),
                points: 0,
            }),
        ),
        (
            go_live("g", date("2025-01-10")),
            "brought into production on 2025-01-10, more than 12 months ago: 0 points, counts only within 12 months (until 2026-01-09)",
            None,
        ),
        (
            public("k", date("2026-10-15"), None, None),
            "public KaaS cloud operated for 8 months since 2026-10-15: 1 point (2 points from 12 months, on 2027-10-15)",
            Some(PointsChange {
                on: date("2027-10-15"),
                points: 2,
            }),
        ),
    ];
    for (reference, explanation, next_change) in cases {
        let layer = if reference.kind == ReferenceKind::PublicCloud {
            Layer::KaaS
        } else {
            Layer::IaaS
        };
        let scored =
            score_reference(&reference, &qualifying(layer), layer, date(TODAY)).expect("in range");
        assert_eq!(scored.explanation, explanation);
        assert_eq!(scored.next_change, next_change, "{explanation}");
    }
}

#[test]
fn non_qualifying_and_joint_references_are_explained() {
    let failing = ReferenceFacts::failing(
        Some(Layer::IaaS),
        "CloudCertification partners/acme is not compliant",
    );
    let scored = score_reference(
        &managed("acme", ago(20)),
        &failing,
        Layer::IaaS,
        date(TODAY),
    )
    .expect("in range");
    assert_eq!(scored.points, 0);
    assert_eq!(
        scored.explanation,
        "compliance proof does not hold: CloudCertification partners/acme is not compliant: 0 points"
    );

    let joint = Reference {
        joint: true,
        share: Some("operations of the control plane".to_owned()),
        ..managed("shared", ago(20))
    };
    let scored = score_reference(&joint, &qualifying(Layer::IaaS), Layer::IaaS, date(TODAY))
        .expect("in range");
    assert_eq!(scored.points, 2);
    assert!(scored.explanation.ends_with(
        "; joint environment, stated share: operations of the control plane (for the attestation body to judge)"
    ));
}

// ---------------------------------------------------------------- next tier hint

#[test]
fn next_tier_hints() {
    // 5.5 ex. 5 today: Bronze is reached by ageing one month later.
    let app = application(Layer::IaaS, three_managed_since(ago(5)));
    let assessment = assess(
        &app,
        &all_qualifying(&app, Layer::IaaS),
        "2027-06-15T08:00:00Z",
    );
    let hint = assessment.next_tier.expect("hint below Silver");
    assert_eq!((hint.tier, hint.missing_points), (Tier::Bronze, 2));
    assert_eq!(hint.reached_on, Some(date("2027-07-15")));
    assert_eq!(
        hint.message,
        "2 more points for Bronze: reached on 2027-07-15 as 'customer-a', 'customer-b' and \
         'customer-c' gain points by age, if the references keep qualifying"
    );

    // A go-live (2) and 7 months of management (1): Silver when the management turns 12 months.
    let app = application(
        Layer::IaaS,
        vec![go_live("g", ago(1)), managed("m", ago(7))],
    );
    let hint = assess(
        &app,
        &all_qualifying(&app, Layer::IaaS),
        "2027-06-15T08:00:00Z",
    )
    .next_tier
    .expect("hint below Silver");
    assert_eq!((hint.tier, hint.missing_points), (Tier::Silver, 1));
    assert_eq!(
        hint.message,
        "1 more point for Silver: reached on 2027-11-15 as 'm' gains points by age, if the \
         references keep qualifying"
    );

    // Nothing left to age: new references are needed.
    let app = application(Layer::IaaS, vec![managed("m", ago(14))]);
    let hint = assess(
        &app,
        &all_qualifying(&app, Layer::IaaS),
        "2027-06-15T08:00:00Z",
    )
    .next_tier
    .expect("hint below Silver");
    assert_eq!(hint.reached_on, None);
    assert_eq!(
        hint.message,
        "2 more points for Silver: one more reference worth 2 points (brought into production \
         within the last 12 months, or managed or operated as a public cloud for 12 months) \
         would do"
    );

    // Silver: no hint.
    let app = application(
        Layer::IaaS,
        vec![managed("a", ago(14)), managed("b", ago(14))],
    );
    assert_eq!(
        assess(
            &app,
            &all_qualifying(&app, Layer::IaaS),
            "2027-06-15T08:00:00Z"
        )
        .next_tier,
        None
    );
}

#[test]
fn hint_reports_a_rise_that_does_not_reach_the_tier() {
    // A go-live expiring before the management matures: ageing alone never reaches Silver.
    let app = application(
        Layer::IaaS,
        vec![go_live("g", ago(11)), managed("m", ago(3))],
    );
    let hint = assess(
        &app,
        &all_qualifying(&app, Layer::IaaS),
        "2027-06-15T08:00:00Z",
    )
    .next_tier
    .expect("hint below Silver");
    assert_eq!(
        (hint.tier, hint.missing_points, hint.reached_on),
        (Tier::Silver, 2, None)
    );
    assert!(hint.message.ends_with(
        "would do; by ageing alone: 0 points on 2027-07-15, 1 point on 2027-09-15, 2 points on \
         2028-03-15"
    ));
    // The go-live expires on 2027-07-15 (score 0), management reaches 6 months on 2027-09-15.
    assert_eq!(
        hint.next_rise.map(|r| (r.on, r.score)),
        Some((date("2027-09-15"), 1))
    );
}

// ---------------------------------------------------------------- certificate

#[test]
fn validity_is_one_calendar_year_with_the_leap_day_clamped() {
    let cases = [
        ("2026-09-01T12:00:00Z", "2027-09-01T12:00:00Z"),
        ("2028-02-29T10:00:00Z", "2029-02-28T10:00:00Z"),
        ("2027-02-28T23:59:59Z", "2028-02-28T23:59:59Z"),
        ("2027-12-31T00:00:00Z", "2028-12-31T00:00:00Z"),
    ];
    for (attested, until) in cases {
        let validity = validity_window(ts(attested)).expect("in range");
        assert_eq!(validity.not_before, ts(attested));
        assert_eq!(validity.not_after, ts(until), "{attested}");
    }
    let validity = validity_window(ts("2028-02-29T10:00:00Z")).expect("in range");
    assert!(validity.contains(ts("2029-02-28T09:59:59Z")));
    assert!(!validity.contains(ts("2029-02-28T10:00:00Z")));
    assert!(!validity.contains(ts("2028-02-29T09:59:59Z")));
}

/// 5.5 ex. 1 (two go-lives) with an attestation on 2027-06-15.
fn example_1_attested(decision: Decision, tier_requested: Option<Tier>) -> IntegratorApplication {
    IntegratorApplication {
        tier_requested,
        attestation: Some(Attestation {
            decision,
            ..granted_at("2027-06-15T10:00:00Z")
        }),
        ..application(
            Layer::IaaS,
            vec![go_live("customer-a", ago(3)), go_live("customer-b", ago(9))],
        )
    }
}

#[test]
fn certificate_states_over_time() {
    let app = example_1_attested(Decision::Granted, Some(Tier::Silver));
    let facts = all_qualifying(&app, Layer::IaaS);
    let cases = [
        (
            "before the attestation",
            "2027-06-15T09:00:00Z",
            "NotYetValid",
            ConditionStatus::False,
        ),
        (
            "at the attestation",
            "2027-06-15T10:00:00Z",
            "Granted",
            ConditionStatus::True,
        ),
        (
            "a day before the end",
            "2028-06-14T10:00:00Z",
            "Granted",
            ConditionStatus::True,
        ),
        (
            "at the end",
            "2028-06-15T10:00:00Z",
            "Expired",
            ConditionStatus::False,
        ),
    ];
    for (name, now, reason, status) in cases {
        let assessment = assess(&app, &facts, now);
        let certified = condition(&assessment, CERTIFIED);
        assert_eq!(
            (certified.reason.as_str(), certified.status),
            (reason, status),
            "{name}"
        );
    }
    let expired = assess(&app, &facts, "2028-06-15T10:00:00Z");
    assert_eq!(
        condition(&expired, CERTIFIED).message,
        "Silver IaaS integrator certificate expired at 2028-06-15T10:00:00Z"
    );
}

#[test]
fn certificate_requires_a_granted_decision() {
    let facts = vec![qualifying(Layer::IaaS); 2];
    let rejected = assess(
        &example_1_attested(Decision::Rejected, Some(Tier::Silver)),
        &facts,
        "2027-06-20T00:00:00Z",
    );
    assert!(matches!(
        rejected.certificate,
        CertificateState::Rejected { .. }
    ));
    assert_eq!(condition(&rejected, READY).reason, "Rejected");

    let mut pending = example_1_attested(Decision::Granted, Some(Tier::Silver));
    pending.attestation = None;
    let pending = assess(&pending, &facts, "2027-06-20T00:00:00Z");
    assert_eq!(pending.certificate, CertificateState::NotRequested);
    let ready = condition(&pending, READY);
    assert_eq!(
        (ready.status, ready.reason.as_str()),
        (ConditionStatus::False, "AwaitingAttestation")
    );
    assert_eq!(
        ready.message,
        "4 points: Silver (IaaS); Silver requested; no attestation yet"
    );
}

#[test]
fn tier_requested_higher_than_supported_is_not_certified() {
    // 5.5 ex. 2 (2 points, Bronze) granted as Silver.
    let app = IntegratorApplication {
        tier_requested: Some(Tier::Silver),
        attestation: Some(granted_at("2027-06-15T10:00:00Z")),
        ..application(
            Layer::IaaS,
            vec![
                managed("customer", ago(14)),
                public("own", ago(24), Some(1), Some(2)),
            ],
        )
    };
    let assessment = assess(
        &app,
        &all_qualifying(&app, Layer::IaaS),
        "2027-06-20T00:00:00Z",
    );
    assert_eq!(
        assessment.certificate,
        CertificateState::TierNotSupported {
            requested: Some(Tier::Silver),
            supported: Some(Tier::Bronze),
            basis: "score 2 on 2027-06-15".to_owned(),
        }
    );
    let certified = condition(&assessment, CERTIFIED);
    assert_eq!(
        (certified.status, certified.reason.as_str()),
        (ConditionStatus::False, "TierNotSupported")
    );
    let eligible = condition(&assessment, ELIGIBLE);
    assert_eq!(
        (eligible.status, eligible.reason.as_str()),
        (ConditionStatus::False, "BelowRequestedTier")
    );

    // Bronze requested: supported, certified.
    let bronze = IntegratorApplication {
        tier_requested: Some(Tier::Bronze),
        ..app.clone()
    };
    let assessment = assess(
        &bronze,
        &all_qualifying(&bronze, Layer::IaaS),
        "2027-06-20T00:00:00Z",
    );
    assert!(matches!(
        assessment.certificate,
        CertificateState::Granted {
            tier: Tier::Bronze,
            ..
        }
    ));

    // No tier requested: the tier reached at grant time.
    let reached = IntegratorApplication {
        tier_requested: None,
        ..app.clone()
    };
    let assessment = assess(
        &reached,
        &all_qualifying(&reached, Layer::IaaS),
        "2027-06-20T00:00:00Z",
    );
    assert!(matches!(
        assessment.certificate,
        CertificateState::Granted {
            tier: Tier::Bronze,
            ..
        }
    ));

    // A recorded score at grant time wins over the recomputation.
    let mut recorded = app;
    if let Some(attestation) = recorded.attestation.as_mut() {
        attestation.score_at_grant = Some(4);
    }
    let assessment = assess(
        &recorded,
        &all_qualifying(&recorded, Layer::IaaS),
        "2027-06-20T00:00:00Z",
    );
    assert!(matches!(
        assessment.certificate,
        CertificateState::Granted {
            tier: Tier::Silver,
            ..
        }
    ));
}

#[test]
fn v1_certificate_needs_a_criterion_or_the_vote_at_attestation() {
    let mut app = example_1_attested(Decision::Granted, None);
    app.rules = Rules::V1;
    let facts = all_qualifying(&app, Layer::IaaS);
    let assessment = assess(&app, &facts, "2027-07-01T00:00:00Z");
    assert!(matches!(
        assessment.certificate,
        CertificateState::Granted {
            tier: Tier::Silver,
            ..
        }
    ));
    assert_eq!(condition(&assessment, ELIGIBLE).reason, "CriterionA");
    assert_eq!(
        condition(&assessment, CONTINUATION_AT_RISK).reason,
        "NotApplicable"
    );

    app.references.truncate(1);
    let facts = all_qualifying(&app, Layer::IaaS);
    let assessment = assess(&app, &facts, "2027-07-01T00:00:00Z");
    assert!(matches!(
        assessment.certificate,
        CertificateState::TierNotSupported {
            supported: None,
            ..
        }
    ));

    app.v1_vote = Some(vote(12, 8, 8, 0, 0, true));
    let assessment = assess(&app, &facts, "2027-07-01T00:00:00Z");
    assert!(matches!(
        assessment.certificate,
        CertificateState::Granted {
            tier: Tier::Silver,
            ..
        }
    ));
}

// ---------------------------------------------------------------- continuation

#[test]
fn continuation_at_risk_when_a_reference_stops_qualifying() {
    let app = example_1_attested(Decision::Granted, Some(Tier::Silver));
    let facts = vec![
        qualifying(Layer::IaaS),
        ReferenceFacts::failing(
            Some(Layer::IaaS),
            "CloudCertification partners/customer-b is not compliant",
        ),
    ];
    let assessment = assess(&app, &facts, "2027-07-01T00:00:00Z");
    assert!(
        assessment.certificate.is_certified(),
        "not silently dropped"
    );
    let risk = assessment.continuation_at_risk.clone().expect("at risk");
    assert_eq!(
        (risk.granted, risk.score, risk.needed),
        (Tier::Silver, 2, 4)
    );
    assert_eq!(
        risk.reasons,
        vec![
            "'customer-b': 2 points at grant, now 0 points: compliance proof does not hold: \
             CloudCertification partners/customer-b is not compliant: 0 points"
                .to_owned()
        ]
    );
    let at_risk = condition(&assessment, CONTINUATION_AT_RISK);
    assert_eq!(
        (at_risk.status, at_risk.reason.as_str()),
        (ConditionStatus::True, "ScoreBelowGrantedTier")
    );
    let ready = condition(&assessment, READY);
    assert_eq!(
        (ready.status, ready.reason.as_str()),
        (ConditionStatus::True, CONTINUATION_AT_RISK)
    );
    assert_eq!(
        condition(&assessment, CERTIFIED).status,
        ConditionStatus::True
    );

    // All references in place: no risk.
    let fine = assess(
        &app,
        &all_qualifying(&app, Layer::IaaS),
        "2027-07-01T00:00:00Z",
    );
    assert_eq!(fine.continuation_at_risk, None);
    assert_eq!(
        condition(&fine, CONTINUATION_AT_RISK).reason,
        "ReferencesInPlace"
    );
    assert_eq!(condition(&fine, READY).reason, "Certified");
}

#[test]
fn continuation_basis_decides_whether_an_ageing_go_live_is_a_risk() {
    // 5.5 ex. 1: the go-live 9 months before the grant stops counting 3 months later.
    let app = example_1_attested(Decision::Granted, Some(Tier::Silver));
    let facts = all_qualifying(&app, Layer::IaaS);
    let later = ts("2027-10-01T00:00:00Z");

    let current =
        assess_integrator(&app, &facts, later, &AssessmentSettings::default()).expect("assessable");
    let risk = current
        .continuation_at_risk
        .expect("at risk under CurrentScore");
    assert_eq!(risk.score, 2);
    assert!(risk.reasons[0].starts_with("'customer-b': 2 points at grant, now 0 points: brought into production on 2026-09-15, more than 12 months ago"));

    let frozen = AssessmentSettings {
        continuation_basis: ContinuationBasis::AgeAtGrant,
        ..AssessmentSettings::default()
    };
    let assessment = assess_integrator(&app, &facts, later, &frozen).expect("assessable");
    assert_eq!(assessment.continuation_at_risk, None);
}

#[test]
fn no_continuation_check_after_expiry() {
    let app = example_1_attested(Decision::Granted, Some(Tier::Silver));
    let facts = vec![
        qualifying(Layer::IaaS),
        ReferenceFacts::failing(Some(Layer::IaaS), "gone"),
    ];
    let assessment = assess(&app, &facts, "2028-07-01T00:00:00Z");
    assert!(matches!(
        assessment.certificate,
        CertificateState::Expired { .. }
    ));
    assert_eq!(assessment.continuation_at_risk, None);
    assert_eq!(
        condition(&assessment, CONTINUATION_AT_RISK).reason,
        "NotCertified"
    );
}

// ---------------------------------------------------------------- entry point

#[test]
fn conditions_come_in_a_fixed_order() {
    let app = example_1_attested(Decision::Granted, Some(Tier::Silver));
    let assessment = assess(
        &app,
        &all_qualifying(&app, Layer::IaaS),
        "2027-07-01T00:00:00Z",
    );
    let types: Vec<&str> = assessment
        .conditions
        .iter()
        .map(|c| c.type_.as_str())
        .collect();
    assert_eq!(types, [ELIGIBLE, CERTIFIED, CONTINUATION_AT_RISK, READY]);
    assert_eq!(
        condition(&assessment, READY).message,
        "Silver IaaS integrator certificate valid until 2028-06-15T10:00:00Z"
    );
}

#[test]
fn next_review_is_the_next_change_by_time() {
    let app = example_1_attested(Decision::Granted, Some(Tier::Silver));
    let assessment = assess(
        &app,
        &all_qualifying(&app, Layer::IaaS),
        "2027-07-01T00:00:00Z",
    );
    // customer-b (since 2026-09-15) stops counting on 2027-09-15.
    assert_eq!(assessment.next_review_at, Some(ts("2027-09-15T00:00:00Z")));
}

#[test]
fn facts_must_match_references() {
    let app = application(Layer::IaaS, vec![managed("m", ago(14))]);
    assert_eq!(
        assess_integrator(
            &app,
            &[],
            ts("2027-06-15T00:00:00Z"),
            &AssessmentSettings::default()
        ),
        Err(AssessError::FactsMismatch {
            references: 1,
            facts: 0
        })
    );
}

#[test]
fn invalid_v1_vote_is_an_error() {
    let mut app = application(Layer::IaaS, vec![]);
    app.rules = Rules::V1;
    app.v1_vote = Some(vote(12, 9, 8, 1, 1, false));
    let result = assess_integrator(
        &app,
        &[],
        ts("2027-06-15T00:00:00Z"),
        &AssessmentSettings::default(),
    );
    assert!(matches!(
        result,
        Err(AssessError::Vote(VoteError::TooManyVotes { .. }))
    ));
}

#[test]
fn reads_the_crd_spec() {
    use crate::api::integrator::IntegratorCertificationSpec;
    let spec: IntegratorCertificationSpec = serde_json::from_value(serde_json::json!({
        "organization": "Example GmbH",
        "layer": "KaaS",
        "rules": "scs-0007-v1",
        "tierRequested": "Bronze",
        "scoringPolicy": "CountBoth",
        "references": [
            {"name": "kaas-prod", "kind": "Managed", "since": "2026-11-15",
             "cloudCertificationRef": {"name": "kaas-prod"}},
            {"name": "own", "kind": "PublicCloud", "since": "2026-01-01",
             "regions": 2, "availabilityZones": 4,
             "evidence": {"reports": ["uuid-1"], "attested": true}}
        ],
        "v1Vote": {"eligible": 12, "present": 9, "yes": 7, "no": 0, "abstentions": 2,
                   "applicantIsForumMember": true},
        "attestation": {"attestedBy": "Forum", "attestedAt": "2027-06-15T10:00:00Z",
                        "decision": "Granted"}
    }))
    .expect("valid spec");
    let app = IntegratorApplication::from_spec(&spec, "partners").expect("convertible");
    assert_eq!(
        (app.layer, app.rules, app.tier_requested),
        (Layer::KaaS, Rules::V1, Some(Tier::Bronze))
    );
    assert_eq!(app.scoring_policy, ScoringPolicy::CountBoth);
    assert_eq!(
        app.references[0].proof,
        EnvironmentProof::CloudCertification {
            namespace: "partners".to_owned(),
            name: "kaas-prod".to_owned()
        }
    );
    assert_eq!(
        app.references[1].proof,
        EnvironmentProof::Evidence { attested: true }
    );
    assert_eq!(
        (
            app.references[1].regions,
            app.references[1].availability_zones
        ),
        (Some(2), Some(4))
    );
    assert_eq!(app.v1_vote, Some(vote(12, 9, 7, 0, 2, true)));
    let attestation = app.attestation.expect("attested");
    assert_eq!(
        (attestation.decision, attestation.score_at_grant),
        (Decision::Granted, None)
    );

    let mut negative = spec.clone();
    negative.references[1].regions = Some(-1);
    assert_eq!(
        IntegratorApplication::from_spec(&negative, "partners"),
        Err(InputError::NegativeCount {
            field: "references[1].regions".to_owned(),
            value: -1
        })
    );
}
