//! Requested-date rules (001 §8.6): not in the past, completion not before start. An
//! ADMIN_MIGRATION order with evidence and `allowPastDates` gets a WARNING instead of an
//! ERROR for past dates, because legacy orders are migrated after the fact.

use super::{Rule, RuleInput};
use crate::capture::codes::RuleCode;
use crate::capture::violation::Severity;
use crate::value::ReasonCode;
use crate::vocab::CaptureMode;

fn past_dates_overridden(input: &RuleInput<'_>) -> bool {
    input.intake.capture_mode == CaptureMode::AdminMigration
        && input.intake.migration.as_ref().is_some_and(|m| {
            m.allow_past_dates
                && ReasonCode::parse(&m.reason_code).is_ok()
                && !m.evidence_ref.trim().is_empty()
        })
}

pub(crate) const REQUESTED_DATES: Rule = Rule {
    name: "requested-dates",
    codes: &[
        RuleCode::RequestedDateInPast,
        RuleCode::CompletionBeforeStart,
    ],
    check: |input, out| {
        let o = input.intake;
        let today = input.context.today;
        for (path, date) in [
            ("requestedStartDate", o.requested_start_date),
            ("requestedCompletionDate", o.requested_completion_date),
        ] {
            if let Some(date) = date.filter(|d| *d < today) {
                let mut v = RuleCode::RequestedDateInPast
                    .at(path, format!("{date} is before today ({today})"));
                if past_dates_overridden(input) {
                    v.severity = Severity::Warning;
                    v.message.push_str("; accepted on admin migration evidence");
                }
                out.push(v);
            }
        }
        if let (Some(start), Some(end)) = (o.requested_start_date, o.requested_completion_date)
            && end < start
        {
            out.push(RuleCode::CompletionBeforeStart.at(
                "requestedCompletionDate",
                format!("completion {end} is before start {start}"),
            ));
        }
    },
};
