//! A parsed sync report with typed readers, for hosts without a JSON parser.

use std::ffi::{CString, c_char};

use super::handles::{at, c, count, free_handle, parse_into, read, read_item, slot, string_at};
use super::result::{HK_RESULT_NOT_FOUND, hk_result};
use crate::model::SyncReport;

struct Invitation {
    id: i64,
    customer: CString,
    transaction: CString,
}

struct Skipped {
    transaction: CString,
    customer: Option<CString>,
    reason: u32,
}

/// A sync report read from its JSON, with typed readers. Opaque; free with `hk_sync_report_free`.
#[allow(non_camel_case_types)]
pub struct hk_sync_report {
    report: SyncReport,
    location: CString,
    business_date: CString,
    caught_up_dates: Vec<CString>,
    missing_dates: Vec<CString>,
    invitations: Vec<Invitation>,
    skipped: Vec<Skipped>,
}

impl hk_sync_report {
    fn new(report: SyncReport) -> Self {
        hk_sync_report {
            location: c(&report.location),
            business_date: c(report.business_date),
            caught_up_dates: report.caught_up_dates.iter().map(c).collect(),
            missing_dates: report.missing_dates.iter().map(c).collect(),
            invitations: report
                .invitations
                .iter()
                .map(|i| Invitation {
                    id: i.invitation_id,
                    customer: c(&i.customer),
                    transaction: c(&i.transaction),
                })
                .collect(),
            skipped: report
                .skipped
                .iter()
                .map(|s| Skipped {
                    transaction: c(&s.transaction),
                    customer: s.customer.as_ref().map(c),
                    reason: s.reason.code(),
                })
                .collect(),
            report,
        }
    }
}

/// Reads a sync report (the JSON written by `hk_engine_sync`) into a handle with typed readers.
///
/// On failure nothing is written to `*report_out` and, if `error_out` is not NULL,
/// `*error_out` receives the error detail JSON (free it with `hk_string_free`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_sync_report_parse(
    report_json: *const c_char,
    report_out: *mut *mut hk_sync_report,
    error_out: *mut *mut c_char,
) -> hk_result {
    // SAFETY: forwarded contract.
    unsafe {
        parse_into(
            report_json,
            "report_json",
            "sync report",
            report_out,
            error_out,
            hk_sync_report::new,
        )
    }
}

/// Frees a report handle and sets `*report` to NULL; NULL or `*report` NULL is fine.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_sync_report_free(report: *mut *mut hk_sync_report) {
    // SAFETY: forwarded contract.
    unsafe { free_handle(report) }
}

/// Host id of the location synced; borrowed, valid until the report is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_sync_report_location(report: *const hk_sync_report) -> *const c_char {
    // SAFETY: forwarded contract.
    unsafe { read(report, std::ptr::null(), |r| r.location.as_ptr()) }
}

/// The batch's business date, `YYYY-MM-DD`; borrowed, valid until the report is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_sync_report_business_date(
    report: *const hk_sync_report,
) -> *const c_char {
    // SAFETY: forwarded contract.
    unsafe { read(report, std::ptr::null(), |r| r.business_date.as_ptr()) }
}

/// Customers seen for the first time.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_sync_report_customers_created(report: *const hk_sync_report) -> u32 {
    // SAFETY: forwarded contract.
    unsafe { read(report, 0, |r| r.report.customers_created) }
}

/// Known customers whose data changed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_sync_report_customers_updated(report: *const hk_sync_report) -> u32 {
    // SAFETY: forwarded contract.
    unsafe { read(report, 0, |r| r.report.customers_updated) }
}

/// Employees seen for the first time or changed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_sync_report_employees_upserted(report: *const hk_sync_report) -> u32 {
    // SAFETY: forwarded contract.
    unsafe { read(report, 0, |r| r.report.employees_upserted) }
}

/// Transactions seen for the first time.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_sync_report_transactions_created(report: *const hk_sync_report) -> u32 {
    // SAFETY: forwarded contract.
    unsafe { read(report, 0, |r| r.report.transactions_created) }
}

/// Known transactions whose data changed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_sync_report_transactions_updated(report: *const hk_sync_report) -> u32 {
    // SAFETY: forwarded contract.
    unsafe { read(report, 0, |r| r.report.transactions_updated) }
}

/// Number of invitations this sync created.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_sync_report_invitation_count(report: *const hk_sync_report) -> u32 {
    // SAFETY: forwarded contract.
    unsafe { read(report, 0, |r| count(&r.invitations)) }
}

/// Number of transactions that got no invitation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_sync_report_skipped_count(report: *const hk_sync_report) -> u32 {
    // SAFETY: forwarded contract.
    unsafe { read(report, 0, |r| count(&r.skipped)) }
}

/// Number of earlier dates this sync caught up.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_sync_report_caught_up_date_count(report: *const hk_sync_report) -> u32 {
    // SAFETY: forwarded contract.
    unsafe { read(report, 0, |r| count(&r.caught_up_dates)) }
}

/// Number of dates still missing after this sync (only a backfill closes them).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_sync_report_missing_date_count(report: *const hk_sync_report) -> u32 {
    // SAFETY: forwarded contract.
    unsafe { read(report, 0, |r| count(&r.missing_dates)) }
}

/// Caught-up date `index` (`YYYY-MM-DD`), or NULL past the end; borrowed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_sync_report_caught_up_date(
    report: *const hk_sync_report,
    index: u32,
) -> *const c_char {
    // SAFETY: forwarded contract.
    unsafe {
        read(report, std::ptr::null(), |r| {
            string_at(&r.caught_up_dates, index)
        })
    }
}

/// Missing date `index` (`YYYY-MM-DD`), or NULL past the end; borrowed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_sync_report_missing_date(
    report: *const hk_sync_report,
    index: u32,
) -> *const c_char {
    // SAFETY: forwarded contract.
    unsafe {
        read(report, std::ptr::null(), |r| {
            string_at(&r.missing_dates, index)
        })
    }
}

/// Reads invitation `index` (batch order): its id, customer and transaction host ids
/// (borrowed, valid until the report is freed). `HK_RESULT_NOT_FOUND` past the end.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_sync_report_invitation(
    report: *const hk_sync_report,
    index: u32,
    invitation_id_out: *mut i64,
    customer_id_out: *mut *const c_char,
    transaction_id_out: *mut *const c_char,
) -> hk_result {
    let body = |r: &hk_sync_report| {
        let (id_out, customer_out) = (slot(invitation_id_out)?, slot(customer_id_out)?);
        let transaction_out = slot(transaction_id_out)?;
        let invitation = at(&r.invitations, index).ok_or(HK_RESULT_NOT_FOUND)?;
        id_out.set(invitation.id);
        customer_out.set(invitation.customer.as_ptr());
        transaction_out.set(invitation.transaction.as_ptr());
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { read_item(report, body) }
}

/// Reads skipped transaction `index` (batch order): its host id, its customer's host id
/// (NULL for an anonymous sale) and the `HK_SKIP_*` reason. Strings are borrowed, valid
/// until the report is freed. `HK_RESULT_NOT_FOUND` past the end.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_sync_report_skipped(
    report: *const hk_sync_report,
    index: u32,
    transaction_id_out: *mut *const c_char,
    customer_id_out: *mut *const c_char,
    reason_out: *mut u32,
) -> hk_result {
    let body = |r: &hk_sync_report| {
        let (transaction_out, customer_out) = (slot(transaction_id_out)?, slot(customer_id_out)?);
        let reason_out = slot(reason_out)?;
        let skipped = at(&r.skipped, index).ok_or(HK_RESULT_NOT_FOUND)?;
        transaction_out.set(skipped.transaction.as_ptr());
        customer_out.set(
            skipped
                .customer
                .as_ref()
                .map_or(std::ptr::null(), |c| c.as_ptr()),
        );
        reason_out.set(skipped.reason);
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { read_item(report, body) }
}
