//! A parsed sync report with typed readers, for hosts without a JSON parser, and the
//! names of the skip reasons.

use std::ffi::{CString, c_char};
use std::sync::OnceLock;

use super::boundary::{Out, guarded, owned_c_string, text, without_engine};
use super::result::{Failure, HK_OK, HK_RESULT_NOT_FOUND, HK_RESULT_NULL_ARGUMENT, hk_result};
use crate::error::{Error, Problem};
use crate::model::{SkipReason, SyncReport};

/// Skip reason E1: the transaction is not finalized yet.
pub const HK_SKIP_NOT_FINALIZED: u32 = 1;
/// Skip reason E2: the host excluded this transaction.
pub const HK_SKIP_EXCLUDED: u32 = 2;
/// Skip reason E7: the location is disabled.
pub const HK_SKIP_LOCATION_DISABLED: u32 = 3;
/// Skip reason E6: the sale has no customer.
pub const HK_SKIP_ANONYMOUS: u32 = 4;
/// Skip reason S3: finalized too long before the batch's business date.
pub const HK_SKIP_TOO_OLD: u32 = 5;
/// Skip reason E2: the customer's "include in communications" is off.
pub const HK_SKIP_COMMUNICATIONS_OFF: u32 = 6;
/// Skip reason E3: the customer is unsubscribed.
pub const HK_SKIP_UNSUBSCRIBED: u32 = 7;
/// Skip reason E6: no usable e-mail or phone for the channel.
pub const HK_SKIP_NO_USABLE_CONTACT: u32 = 8;
/// Skip reason E8: the transaction already has an invitation.
pub const HK_SKIP_ALREADY_INVITED: u32 = 9;
/// Skip reason E4: the customer had an invitation within the cooldown.
pub const HK_SKIP_COOLDOWN: u32 = 10;
/// Skip reason E5: another transaction of the customer in the batch got the invitation.
pub const HK_SKIP_ONE_PER_BATCH: u32 = 11;

struct ReasonText {
    code: u32,
    name: CString,
    description: CString,
}

fn reason_texts() -> &'static [ReasonText] {
    static TEXTS: OnceLock<Vec<ReasonText>> = OnceLock::new();
    TEXTS.get_or_init(|| {
        SkipReason::ALL
            .into_iter()
            .map(|r| ReasonText {
                code: r.code(),
                name: owned_c_string(r.as_str().to_owned()),
                description: owned_c_string(r.describe().to_owned()),
            })
            .collect()
    })
}

fn reason_text(code: u32) -> Option<&'static ReasonText> {
    reason_texts().iter().find(|t| t.code == code)
}

/// The stable name of a skip reason code ("anonymous", "cooldown", ...), or NULL if unknown.
/// Static; do not free.
#[unsafe(no_mangle)]
pub extern "C" fn hk_skip_reason_name(reason: u32) -> *const c_char {
    guarded(std::ptr::null(), || {
        reason_text(reason).map_or(std::ptr::null(), |t| t.name.as_ptr())
    })
}

/// A short English sentence for a skip reason code, or NULL if unknown. Static; do not free.
#[unsafe(no_mangle)]
pub extern "C" fn hk_skip_reason_describe(reason: u32) -> *const c_char {
    guarded(std::ptr::null(), || {
        reason_text(reason).map_or(std::ptr::null(), |t| t.description.as_ptr())
    })
}

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

fn c(s: impl ToString) -> CString {
    owned_c_string(s.to_string())
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
    let body = || {
        // SAFETY: NULL or NUL-terminated (contract above).
        let json = unsafe { text(report_json, "report_json") }?;
        let out = Out::new(report_out, "report_out")?;
        let report: SyncReport = serde_json::from_str(json).map_err(|e| {
            Failure::Engine(Error::invalid(Problem::top(
                "report",
                "",
                format!(
                    "not a sync report (line {} column {})",
                    e.line(),
                    e.column()
                ),
            )))
        })?;
        out.set(Box::into_raw(Box::new(hk_sync_report::new(report))));
        Ok(())
    };
    // SAFETY: `error_out` is NULL or writable (contract above).
    unsafe { without_engine(error_out, body) }
}

/// Frees a report handle and sets `*report` to NULL; NULL or `*report` NULL is fine.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_sync_report_free(report: *mut *mut hk_sync_report) {
    guarded((), || {
        // SAFETY: NULL or a readable, writable slot (contract above).
        let Some(slot) = (unsafe { report.as_mut() }) else {
            return;
        };
        let handle = std::mem::replace(slot, std::ptr::null_mut());
        if !handle.is_null() {
            // SAFETY: made by `Box::into_raw` in `hk_sync_report_parse`, released once.
            drop(unsafe { Box::from_raw(handle) });
        }
    })
}

/// Reads a field of a report handle, or returns `fallback` for a NULL handle.
///
/// # Safety
/// `report` is NULL or a live report handle.
unsafe fn read<T: Copy>(
    report: *const hk_sync_report,
    fallback: T,
    f: impl FnOnce(&hk_sync_report) -> T,
) -> T {
    // SAFETY: NULL or a live handle (contract above).
    match unsafe { report.as_ref() } {
        Some(r) => guarded(fallback, || f(r)),
        None => fallback,
    }
}

fn count<T>(items: &[T]) -> u32 {
    u32::try_from(items.len()).unwrap_or(u32::MAX)
}

fn at<T>(items: &[T], index: u32) -> Option<&T> {
    items.get(usize::try_from(index).ok()?)
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
            at(&r.caught_up_dates, index).map_or(std::ptr::null(), |d| d.as_ptr())
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
            at(&r.missing_dates, index).map_or(std::ptr::null(), |d| d.as_ptr())
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
    let body = || -> Result<(), hk_result> {
        // SAFETY: NULL or a live handle (contract above).
        let r = unsafe { report.as_ref() }.ok_or(HK_RESULT_NULL_ARGUMENT)?;
        let id_out = Out::new(invitation_id_out, "").map_err(|f| f.code())?;
        let customer_out = Out::new(customer_id_out, "").map_err(|f| f.code())?;
        let transaction_out = Out::new(transaction_id_out, "").map_err(|f| f.code())?;
        let inv = at(&r.invitations, index).ok_or(HK_RESULT_NOT_FOUND)?;
        id_out.set(inv.id);
        customer_out.set(inv.customer.as_ptr());
        transaction_out.set(inv.transaction.as_ptr());
        Ok(())
    };
    guarded(super::result::HK_RESULT_PANIC, || {
        body().err().unwrap_or(HK_OK)
    })
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
    let body = || -> Result<(), hk_result> {
        // SAFETY: NULL or a live handle (contract above).
        let r = unsafe { report.as_ref() }.ok_or(HK_RESULT_NULL_ARGUMENT)?;
        let transaction_out = Out::new(transaction_id_out, "").map_err(|f| f.code())?;
        let customer_out = Out::new(customer_id_out, "").map_err(|f| f.code())?;
        let reason_out = Out::new(reason_out, "").map_err(|f| f.code())?;
        let s = at(&r.skipped, index).ok_or(HK_RESULT_NOT_FOUND)?;
        transaction_out.set(s.transaction.as_ptr());
        customer_out.set(s.customer.as_ref().map_or(std::ptr::null(), |c| c.as_ptr()));
        reason_out.set(s.reason);
        Ok(())
    };
    guarded(super::result::HK_RESULT_PANIC, || {
        body().err().unwrap_or(HK_OK)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skip_constants_match_the_model_codes() {
        let pairs = [
            (HK_SKIP_NOT_FINALIZED, SkipReason::NotFinalized),
            (HK_SKIP_EXCLUDED, SkipReason::Excluded),
            (HK_SKIP_LOCATION_DISABLED, SkipReason::LocationDisabled),
            (HK_SKIP_ANONYMOUS, SkipReason::Anonymous),
            (HK_SKIP_TOO_OLD, SkipReason::TooOld),
            (HK_SKIP_COMMUNICATIONS_OFF, SkipReason::CommunicationsOff),
            (HK_SKIP_UNSUBSCRIBED, SkipReason::Unsubscribed),
            (HK_SKIP_NO_USABLE_CONTACT, SkipReason::NoUsableContact),
            (HK_SKIP_ALREADY_INVITED, SkipReason::AlreadyInvited),
            (HK_SKIP_COOLDOWN, SkipReason::Cooldown),
            (HK_SKIP_ONE_PER_BATCH, SkipReason::OnePerBatch),
        ];
        assert_eq!(pairs.len(), SkipReason::ALL.len());
        for (code, reason) in pairs {
            assert_eq!(code, reason.code());
            // SAFETY: static strings from this module.
            let name = unsafe { std::ffi::CStr::from_ptr(hk_skip_reason_name(code)) };
            assert_eq!(name.to_str(), Ok(reason.as_str()));
        }
        assert!(hk_skip_reason_name(0).is_null());
        assert!(hk_skip_reason_describe(99).is_null());
    }
}
