//! Scores (N1, N4, N6): NPS from counts, categories, base-10 normalisation, the
//! satisfaction filter. Pure arithmetic over plain values.

use serde::{Deserialize, Serialize};

/// Where an NPS answer (0–10) falls (N1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum NpsCategory {
    /// 9–10.
    Promoter,
    /// 7–8.
    Passive,
    /// 0–6.
    Detractor,
}

/// The category of an NPS answer, or `None` outside 0–10.
pub fn nps_category(score: u8) -> Option<NpsCategory> {
    match score {
        9..=10 => Some(NpsCategory::Promoter),
        7..=8 => Some(NpsCategory::Passive),
        0..=6 => Some(NpsCategory::Detractor),
        _ => None,
    }
}

/// Answered NPS questions of a scope, by category (N1). Groups add up by their counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NpsCounts {
    /// Answers 9–10.
    pub promoters: u64,
    /// Answers 7–8.
    pub passives: u64,
    /// Answers 0–6.
    pub detractors: u64,
}

impl NpsCounts {
    /// Counts of a list of answers; scores outside 0–10 are not answers and are ignored.
    pub fn from_scores(scores: impl IntoIterator<Item = u8>) -> Self {
        let mut c = NpsCounts::default();
        for s in scores {
            c.add(s);
        }
        c
    }

    /// Counts one answer.
    pub fn add(&mut self, score: u8) {
        match nps_category(score) {
            Some(NpsCategory::Promoter) => self.promoters += 1,
            Some(NpsCategory::Passive) => self.passives += 1,
            Some(NpsCategory::Detractor) => self.detractors += 1,
            None => {}
        }
    }

    /// Answers counted.
    pub fn total(&self) -> u64 {
        self.promoters + self.passives + self.detractors
    }

    /// The counts of two groups together: the NPS of a group is computed from these,
    /// never as an average of sub-NPS (N1).
    pub fn merge(self, other: NpsCounts) -> NpsCounts {
        NpsCounts {
            promoters: self.promoters + other.promoters,
            passives: self.passives + other.passives,
            detractors: self.detractors + other.detractors,
        }
    }

    /// % promoters − % detractors, exact; `None` with no answers (not 0).
    pub fn nps(&self) -> Option<f64> {
        let total = self.total();
        if total == 0 {
            return None;
        }
        let diff = self.promoters as f64 - self.detractors as f64;
        Some(diff * 100.0 / total as f64)
    }
}

/// A score on a 1..=`scale` scale expressed on base 10: `s × 10 / N` (N6).
pub fn to_base10(score: u32, scale: u32) -> Option<f64> {
    (scale > 0 && score <= scale).then(|| f64::from(score) * 10.0 / f64::from(scale))
}

/// Default star-rating threshold: 2 of 5 or less is unhappy (N4).
pub const DEFAULT_UNHAPPY_STARS: u32 = 2;

/// One answer as the satisfaction filter sees it (N4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// An NPS answer 0–10.
    Nps(u8),
    /// A star rating `stars` of `scale`, unhappy at or below `unhappy_at`.
    Rating {
        /// Stars given.
        stars: u32,
        /// Stars possible.
        scale: u32,
        /// Highest unhappy number of stars.
        unhappy_at: u32,
    },
    /// A choice on a filtered question: was the chosen option marked satisfied?
    Choice {
        /// The option is marked satisfied.
        satisfied: bool,
    },
}

/// Whether a response makes an unhappy customer (N4): an NPS of 0–6, a rating at or below
/// the threshold, or any unsatisfied choice on a filtered question.
pub fn is_unhappy(answers: &[Answer]) -> bool {
    answers.iter().any(|a| match *a {
        Answer::Nps(s) => nps_category(s) == Some(NpsCategory::Detractor),
        Answer::Rating {
            stars, unhappy_at, ..
        } => stars <= unhappy_at,
        Answer::Choice { satisfied } => !satisfied,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn n1_categories() {
        assert_eq!(nps_category(10), Some(NpsCategory::Promoter));
        assert_eq!(nps_category(9), Some(NpsCategory::Promoter));
        assert_eq!(nps_category(8), Some(NpsCategory::Passive));
        assert_eq!(nps_category(7), Some(NpsCategory::Passive));
        assert_eq!(nps_category(6), Some(NpsCategory::Detractor));
        assert_eq!(nps_category(0), Some(NpsCategory::Detractor));
        assert_eq!(nps_category(11), None);
    }

    #[test]
    fn n1_nps_agrees_with_published_peer_figures() {
        assert_eq!(NpsCounts::from_scores([10, 7, 3, 9]).nps(), Some(25.0));
        let c = NpsCounts {
            promoters: 32,
            passives: 13,
            detractors: 6,
        };
        assert_eq!(c.nps().map(f64::round), Some(51.0));
        let n = NpsCounts::from_scores([10, 9, 9, 8, 7, 6]).nps().unwrap();
        assert!((n - 100.0 / 3.0).abs() < 1e-9, "{n}");
        assert_eq!(
            NpsCounts::default().nps(),
            None,
            "no responses: no NPS, not 0"
        );
    }

    #[test]
    fn n1_group_nps_comes_from_counts_not_an_average() {
        let a = NpsCounts::from_scores([10, 10, 10, 10]); // +100 over 4
        let b = NpsCounts::from_scores([0]); // −100 over 1
        assert_eq!(a.merge(b).nps(), Some(60.0));
        assert_ne!(a.merge(b).nps(), Some((100.0 + -100.0) / 2.0));
    }

    #[test]
    fn n6_scales_normalise_to_base_10() {
        assert_eq!(to_base10(4, 5), Some(8.0));
        assert_eq!(to_base10(7, 10), Some(7.0));
        assert_eq!(to_base10(6, 5), None);
        assert_eq!(to_base10(1, 0), None);
    }

    #[test]
    fn n4_satisfaction_filter() {
        let stars = |s| Answer::Rating {
            stars: s,
            scale: 5,
            unhappy_at: DEFAULT_UNHAPPY_STARS,
        };
        assert!(is_unhappy(&[Answer::Nps(6)]));
        assert!(!is_unhappy(&[Answer::Nps(7)]));
        assert!(is_unhappy(&[stars(2)]));
        assert!(!is_unhappy(&[stars(3)]));
        assert!(is_unhappy(&[
            Answer::Nps(10),
            Answer::Choice { satisfied: false }
        ]));
        assert!(!is_unhappy(&[
            Answer::Nps(10),
            Answer::Choice { satisfied: true }
        ]));
        assert!(!is_unhappy(&[]));
    }

    proptest! {
        #[test]
        fn n1_nps_stays_within_bounds(scores in proptest::collection::vec(0u8..=10, 0..200)) {
            let c = NpsCounts::from_scores(scores.iter().copied());
            match c.nps() {
                None => prop_assert!(scores.is_empty()),
                Some(n) => prop_assert!((-100.0..=100.0).contains(&n)),
            }
        }

        #[test]
        fn n1_group_nps_equals_nps_of_merged_answers(
            a in proptest::collection::vec(0u8..=10, 0..50),
            b in proptest::collection::vec(0u8..=10, 0..50),
        ) {
            let merged = NpsCounts::from_scores(a.iter().chain(&b).copied());
            let by_counts = NpsCounts::from_scores(a).merge(NpsCounts::from_scores(b));
            prop_assert_eq!(merged, by_counts);
            prop_assert_eq!(merged.nps(), by_counts.nps());
        }

        #[test]
        fn n6_normalisation_is_monotonic(scale in 1u32..=10, s in 0u32..=10, t in 0u32..=10) {
            prop_assume!(s <= scale && t <= scale);
            let (x, y) = (to_base10(s, scale).unwrap(), to_base10(t, scale).unwrap());
            prop_assert_eq!(s.cmp(&t), x.partial_cmp(&y).unwrap());
            prop_assert!((0.0..=10.0).contains(&x));
        }
    }
}
