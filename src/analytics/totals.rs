//! Totals of a scope: what rollups and raw recounts both produce, and what every score is
//! computed from (N1: the NPS of a group comes from its counts, never from sub-NPS).

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::model::{Bucket, NpsSummary, Scores, SeriesPoint};
use crate::rules::period::{bucket_label, bucket_start};
use crate::rules::score::{NpsCategory, NpsCounts, nps_category};

/// Units per base-10 point in rating sums: 2520 is divisible by every scale 2–10, so a
/// sum of ratings is an exact integer and adding then removing a response is exact.
pub const RATING_UNITS: i64 = 2520;

/// A rating of `stars` on a 1..=`scale` scale in [`RATING_UNITS`] (N6: s × 10 / N).
pub fn rating_units(stars: u32, scale: u32) -> i64 {
    if scale == 0 {
        return 0;
    }
    i64::from(stars) * 10 * RATING_UNITS / i64::from(scale)
}

/// Counts of a scope that add up across days, locations and groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Totals {
    /// Responses of every kind.
    pub responses: i64,
    /// NPS answers 9–10.
    pub promoters: i64,
    /// NPS answers 7–8.
    pub passives: i64,
    /// NPS answers 0–6.
    pub detractors: i64,
    /// Responses with a star rating.
    pub rated: i64,
    /// Their ratings on base 10, in [`RATING_UNITS`].
    pub rating_units: i64,
}

impl Totals {
    /// The totals of one response.
    pub fn of_response(nps: Option<u8>, rating: Option<(u32, u32)>) -> Totals {
        let mut t = Totals {
            responses: 1,
            ..Totals::default()
        };
        match nps.and_then(nps_category) {
            Some(NpsCategory::Promoter) => t.promoters = 1,
            Some(NpsCategory::Passive) => t.passives = 1,
            Some(NpsCategory::Detractor) => t.detractors = 1,
            None => {}
        }
        if let Some((stars, scale)) = rating {
            t.rated = 1;
            t.rating_units = rating_units(stars, scale);
        }
        t
    }

    /// Adds another group's totals.
    pub fn add(&mut self, o: &Totals) {
        self.responses += o.responses;
        self.promoters += o.promoters;
        self.passives += o.passives;
        self.detractors += o.detractors;
        self.rated += o.rated;
        self.rating_units += o.rating_units;
    }

    /// Every count multiplied by `sign` (−1 to remove a response).
    pub fn times(self, sign: i64) -> Totals {
        Totals {
            responses: self.responses * sign,
            promoters: self.promoters * sign,
            passives: self.passives * sign,
            detractors: self.detractors * sign,
            rated: self.rated * sign,
            rating_units: self.rating_units * sign,
        }
    }

    /// The NPS counts.
    pub fn counts(&self) -> NpsCounts {
        NpsCounts {
            promoters: self.promoters.unsigned_abs(),
            passives: self.passives.unsigned_abs(),
            detractors: self.detractors.unsigned_abs(),
        }
    }

    /// The scores: NPS from the counts, the base-10 rating average.
    pub fn scores(&self) -> Scores {
        Scores {
            responses: self.responses.unsigned_abs(),
            nps: nps_summary(self.counts()),
            rated: self.rated.unsigned_abs(),
            average_base10: (self.rated > 0)
                .then(|| self.rating_units as f64 / (RATING_UNITS as f64 * self.rated as f64)),
        }
    }
}

/// An NPS summary of counts (N1): none without answers.
pub fn nps_summary(c: NpsCounts) -> NpsSummary {
    NpsSummary {
        promoters: c.promoters,
        passives: c.passives,
        detractors: c.detractors,
        nps: c.nps(),
    }
}

/// Daily totals grouped into buckets (N2), oldest first; empty buckets are left out.
pub fn series(
    days: impl IntoIterator<Item = (NaiveDate, Totals)>,
    bucket: Bucket,
) -> Vec<SeriesPoint> {
    let mut by: BTreeMap<NaiveDate, Totals> = BTreeMap::new();
    for (day, t) in days {
        by.entry(bucket_start(day, bucket)).or_default().add(&t);
    }
    by.into_iter()
        .filter(|(_, t)| t.responses > 0)
        .map(|(start, t)| SeriesPoint {
            label: bucket_label(start, bucket),
            start,
            scores: t.scores(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn n6_rating_units_are_exact_for_every_scale() {
        for scale in 2..=10u32 {
            for stars in 1..=scale {
                let u = rating_units(stars, scale);
                assert_eq!(u * i64::from(scale), i64::from(stars) * 10 * RATING_UNITS);
            }
        }
        let t = Totals::of_response(None, Some((4, 5)));
        assert_eq!(t.scores().average_base10, Some(8.0));
    }

    #[test]
    fn n1_group_nps_comes_from_counts() {
        let mut a = Totals::of_response(Some(10), None);
        a.add(&Totals::of_response(Some(3), None));
        a.add(&Totals::of_response(Some(9), None));
        a.add(&Totals::of_response(Some(8), Some((3, 5))));
        let s = a.scores();
        assert_eq!(s.nps.nps, Some(25.0));
        assert_eq!((s.responses, s.rated), (4, 1));
        a.add(&Totals::of_response(Some(8), Some((3, 5))).times(-1));
        assert_eq!(a.scores().rated, 0);
        assert_eq!(a.scores().average_base10, None);
    }
}
