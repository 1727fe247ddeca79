//! Contract term arithmetic: a term of `n` months starting on `start` ends the day before the
//! same day `n` months later (2026-01-15 + 12 months ends 2027-01-14). Renewals start the day
//! after the current term ends, or on the renewal date when the term already lapsed.

use chrono::{Days, Months, NaiveDate};

/// Last day of a term of `months` months starting on `start`; `None` when out of range.
pub fn term_end(start: NaiveDate, months: u32) -> Option<NaiveDate> {
    if months == 0 {
        return None;
    }
    start.checked_add_months(Months::new(months))?.pred_opt()
}

/// First day of the term a renewal on `renewed_on` starts.
pub fn renewal_start(current_end: Option<NaiveDate>, renewed_on: NaiveDate) -> NaiveDate {
    match current_end.and_then(|end| end.checked_add_days(Days::new(1))) {
        Some(next) if next > renewed_on => next,
        _ => renewed_on,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn terms_end_the_day_before_the_anniversary() {
        assert_eq!(term_end(date(2026, 1, 15), 12), Some(date(2027, 1, 14)));
        assert_eq!(term_end(date(2026, 1, 31), 1), Some(date(2026, 2, 27)));
        assert_eq!(term_end(date(2026, 1, 1), 0), None);
        assert_eq!(term_end(date(2026, 1, 1), u32::MAX), None);
    }

    #[test]
    fn renewals_continue_a_running_term_and_restart_a_lapsed_one() {
        let end = date(2026, 12, 31);
        assert_eq!(
            renewal_start(Some(end), date(2026, 11, 1)),
            date(2027, 1, 1)
        );
        assert_eq!(renewal_start(Some(end), date(2027, 3, 1)), date(2027, 3, 1));
        assert_eq!(renewal_start(None, date(2027, 3, 1)), date(2027, 3, 1));
    }
}
