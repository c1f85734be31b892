//! Small conversions the PostgreSQL areas share: counts and flags as the schema stores
//! them (bigint), typed as the traits speak them.

use crate::error::Result;
use crate::hosted::Row;

use super::get;

/// Column `i` (a bigint) as a `u32`, 0 when it does not fit.
pub fn get_u32(row: &Row, i: usize) -> Result<u32> {
    Ok(u32::try_from(get::<i64>(row, i)?).unwrap_or(0))
}

/// Column `i` (a nullable bigint) as an optional `u32`.
pub fn get_opt_u32(row: &Row, i: usize) -> Result<Option<u32>> {
    Ok(get::<Option<i64>>(row, i)?.map(|v| u32::try_from(v).unwrap_or(0)))
}

/// Column `i` (a bigint 0/1 flag) as a `bool`.
pub fn get_flag(row: &Row, i: usize) -> Result<bool> {
    Ok(get::<i64>(row, i)? != 0)
}

/// A flag as the schema stores it.
pub fn flag(b: bool) -> i64 {
    i64::from(b)
}
