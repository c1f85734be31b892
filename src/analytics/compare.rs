//! "Compare with other retailers": the PII-free aggregate bundle a store shares, and its
//! NPS against the stores it imported.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::analytics::totals::{RATING_UNITS, Totals, nps_summary};
use crate::error::Problem;
use crate::model::{AGGREGATE_FORMAT, AggregateBundle, AggregateRow, Comparison};
use crate::rules::period::DayRange;
use crate::rules::score::NpsCounts;

/// The month label of a date: `2026-05`.
pub fn month_label(d: NaiveDate) -> String {
    d.format("%Y-%m").to_string()
}

/// Daily totals of numbered locations grouped into bundle rows by local month.
pub fn bundle_rows(days: impl IntoIterator<Item = (u32, NaiveDate, Totals)>) -> Vec<AggregateRow> {
    let mut by: BTreeMap<(u32, String), Totals> = BTreeMap::new();
    for (location, day, t) in days {
        by.entry((location, month_label(day))).or_default().add(&t);
    }
    by.into_iter()
        .filter(|(_, t)| t.promoters + t.passives + t.detractors + t.rated > 0)
        .map(|((location, month), t)| AggregateRow {
            location,
            month,
            promoters: t.promoters.unsigned_abs(),
            passives: t.passives.unsigned_abs(),
            detractors: t.detractors.unsigned_abs(),
            rated: t.rated.unsigned_abs(),
            rating_sum_base10: t.rating_units as f64 / RATING_UNITS as f64,
        })
        .collect()
}

fn is_month(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 7
        && b[4] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || c.is_ascii_digit())
        && matches!(
            &s[5..],
            "01" | "02" | "03" | "04" | "05" | "06" | "07" | "08" | "09" | "10" | "11" | "12"
        )
}

/// The problems of a bundle to import; values are never echoed.
pub fn validate_bundle(b: &AggregateBundle) -> Vec<Problem> {
    let mut out = Vec::new();
    if b.format != AGGREGATE_FORMAT {
        out.push(Problem::top(
            "bundle",
            "format",
            "unsupported bundle format",
        ));
    }
    let label = b.store.trim();
    if label.is_empty() || label.chars().count() > 100 {
        out.push(Problem::top(
            "bundle",
            "store",
            "a label of 1 to 100 characters",
        ));
    }
    for (i, r) in b.rows.iter().enumerate() {
        let mut bad = |field: &str, reason: &str| {
            out.push(Problem::at("bundle.rows", i, "", field, reason));
        };
        if !is_month(&r.month) {
            bad("month", "a month as YYYY-MM");
        }
        if r.location == 0 {
            bad("location", "locations are numbered from 1");
        }
        if !r.rating_sum_base10.is_finite()
            || r.rating_sum_base10 < 0.0
            || r.rating_sum_base10 > 10.0 * r.rated as f64
        {
            bad("rating_sum_base10", "between 0 and 10 per rated response");
        }
    }
    out
}

/// The months `[first, last]` a day range touches, as labels; none is open.
pub fn month_span(r: DayRange) -> (Option<String>, Option<String>) {
    (
        r.from.map(month_label),
        r.until.and_then(|d| d.pred_opt()).map(month_label),
    )
}

/// Your counts against each imported store's counts.
pub fn compare(you: NpsCounts, stores: &[NpsCounts]) -> Comparison {
    let answered: Vec<&NpsCounts> = stores.iter().filter(|c| c.total() > 0).collect();
    let pooled = answered
        .iter()
        .fold(NpsCounts::default(), |acc, c| acc.merge(**c));
    let peer_average = (!answered.is_empty())
        .then(|| answered.iter().filter_map(|c| c.nps()).sum::<f64>() / answered.len() as f64);
    Comparison {
        you: nps_summary(you),
        peers: nps_summary(pooled),
        peer_stores: u32::try_from(answered.len()).unwrap_or(u32::MAX),
        peer_average,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peer_average_weighs_each_store_the_same() {
        let c = |p, d| NpsCounts {
            promoters: p,
            passives: 0,
            detractors: d,
        };
        let cmp = compare(c(1, 0), &[c(90, 10), c(0, 1), NpsCounts::default()]);
        assert_eq!(cmp.peer_stores, 2);
        // (80 + −100) / 2 = −10, while the pooled counts give 79 of 101.
        assert_eq!(cmp.peer_average, Some(-10.0));
        assert_eq!(cmp.peers.promoters, 90);
        assert_eq!(cmp.you.nps, Some(100.0));
        assert!(is_month("2026-05") && !is_month("2026-13") && !is_month("26-05"));
    }
}
