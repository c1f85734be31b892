//! The rollups area of the storage seam: its trait and the rows it speaks.

use crate::analytics::Totals;
use crate::error::Result;

/// The employee id of a location's total row.
pub const TOTAL: i64 = 0;

/// The rollups a store keeps (mirrors `store/sqlite/rollups.rs`).
pub trait RollupStore {
    /// Recomputes every rollup from the responses (the V5 backfill, and a repair); returns
    /// the number of responses counted.
    fn rebuild_rollups(&mut self) -> Result<u64>;

    /// Totals of one employee (or [`TOTAL`]) over local days `[from, until)`, at one location
    /// or all of them.
    fn rollup_totals(
        &mut self,
        employee: i64,
        location: Option<i64>,
        range2: (i64, i64),
    ) -> Result<Totals>;

    /// Daily totals of one employee (or [`TOTAL`]) at one location over `[from, until)`.
    fn rollup_days(
        &mut self,
        employee: i64,
        location: i64,
        range2: (i64, i64),
    ) -> Result<Vec<(i64, Totals)>>;

    /// Totals per employee over every location and day (one pass over the employee rows).
    fn rollup_all_employees(&mut self) -> Result<Vec<(i64, Totals)>>;

    /// Totals per employee at one location over `[from, until)`.
    fn rollup_employees(&mut self, location: i64, range1: (i64, i64))
    -> Result<Vec<(i64, Totals)>>;
}
