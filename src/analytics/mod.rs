//! Report arithmetic (N1, N2, N5, N6, X4): totals that add up, scores from totals, date
//! series and the comparison with other stores. Pure: no I/O.

pub mod compare;
pub mod totals;

pub use totals::{RATING_UNITS, Totals, rating_units, series};
