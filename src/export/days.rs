//! The by-date sheet's rows: responses bucketed by each location's local date (N2).

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate};

use super::ScoredResponse;
use crate::rules::score::NpsCounts;
use crate::rules::time;

/// The scores of one local day.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct DayScores {
    /// The local date.
    pub date: Option<NaiveDate>,
    /// Responses recorded that day.
    pub responses: u64,
    /// Their NPS answers (N1).
    pub nps: NpsCounts,
    /// Star ratings on base 10: how many, and their sum.
    pub ratings: u64,
    /// Sum of the base-10 ratings.
    pub rating_sum: f64,
}

impl DayScores {
    /// The base-10 rating average (N6), if the day has ratings.
    pub fn rating_average(&self) -> Option<f64> {
        (self.ratings > 0).then(|| self.rating_sum / self.ratings as f64)
    }
}

/// One row per local date from the first to the last response, days without responses
/// included (no NPS on those, N1), so a chart of the sheet has no holes.
pub(crate) fn days(responses: impl IntoIterator<Item = ScoredResponse>) -> Vec<DayScores> {
    let mut by_day: BTreeMap<NaiveDate, DayScores> = BTreeMap::new();
    for r in responses {
        let at = DateTime::from_timestamp_millis(r.at_ms).unwrap_or_default();
        // A location's zone was validated when it was stored; UTC if it ever is not.
        let date = time::parse_tz(&r.time_zone)
            .map(|tz| time::local_date(tz, at))
            .unwrap_or_else(|| at.date_naive());
        let day = by_day.entry(date).or_default();
        day.responses += 1;
        if let Some(score) = r.nps {
            day.nps.add(score);
        }
        if let Some(rating) = r.rating_base10 {
            day.ratings += 1;
            day.rating_sum += rating;
        }
    }
    let (Some(&first), Some(&last)) = (by_day.keys().next(), by_day.keys().next_back()) else {
        return Vec::new();
    };
    first
        .iter_days()
        .take_while(|d| *d <= last)
        .map(|d| DayScores {
            date: Some(d),
            ..by_day.remove(&d).unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(tz: &str, at: &str, nps: Option<u8>, rating: Option<f64>) -> ScoredResponse {
        ScoredResponse {
            time_zone: tz.into(),
            at_ms: at
                .parse::<DateTime<chrono::Utc>>()
                .unwrap()
                .timestamp_millis(),
            nps,
            rating_base10: rating,
        }
    }

    #[test]
    fn n2_days_are_local_dates_and_gaps_are_empty_days() {
        let d = days([
            // 00:30 on the 21st in Paris; 01:00 on the 21st in Seoul.
            resp("Europe/Paris", "2026-11-20T23:30:00Z", Some(10), None),
            resp("Asia/Seoul", "2026-11-20T16:00:00Z", Some(3), Some(8.0)),
            resp("Europe/Paris", "2026-11-23T10:00:00Z", None, Some(6.0)),
        ]);
        let dates: Vec<String> = d.iter().map(|x| x.date.unwrap().to_string()).collect();
        assert_eq!(dates, ["2026-11-21", "2026-11-22", "2026-11-23"]);
        assert_eq!(d[0].responses, 2);
        assert_eq!((d[0].nps.promoters, d[0].nps.detractors), (1, 1));
        assert_eq!(d[0].nps.nps(), Some(0.0));
        assert_eq!(d[0].rating_average(), Some(8.0));
        assert_eq!((d[1].responses, d[1].nps.nps()), (0, None));
        assert_eq!(d[2].rating_average(), Some(6.0));
        assert!(days([]).is_empty());
    }
}
