/* The calling contract: versions, codes, NULL and non-UTF-8 arguments, ownership, frees. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"

static void versions_agree_with_the_header(void) {
    CHECK_STR(hk_version(), HK_VERSION);
    CHECK(hk_abi_version() == HK_ABI_VERSION);
    char parts[32];
    snprintf(parts, sizeof parts, "%d.%d.%d", HK_VERSION_MAJOR, HK_VERSION_MINOR,
             HK_VERSION_PATCH);
    CHECK_STR(hk_version(), parts);
}

static void result_codes_are_stable(void) {
    CHECK(HK_OK == 0);
    CHECK(HK_RESULT_INVALID_INPUT == 1);
    CHECK(HK_RESULT_NOT_FOUND == 2);
    CHECK(HK_RESULT_CONFLICT == 3);
    CHECK(HK_RESULT_STORAGE == 4);
    CHECK(HK_RESULT_NEWER_SCHEMA == 5);
    CHECK(HK_RESULT_INTERNAL == 6);
    CHECK(HK_RESULT_NULL_ARGUMENT == 100);
    CHECK(HK_RESULT_INVALID_UTF8 == 101);
    CHECK(HK_RESULT_PANIC == 102);
    CHECK_STR(hk_result_name(HK_OK), "ok");
    CHECK_STR(hk_result_name(HK_RESULT_INVALID_INPUT), "invalid_input");
    CHECK_STR(hk_result_name(HK_RESULT_NEWER_SCHEMA), "newer_schema");
    CHECK_STR(hk_result_name(HK_RESULT_PANIC), "panic");
    CHECK_STR(hk_result_name(7), "closed");
    /* issue 26: the kind for calls a kind of store cannot serve. */
    CHECK(HK_RESULT_UNSUPPORTED == 11);
    CHECK_STR(hk_result_name(HK_RESULT_UNSUPPORTED), "unsupported");
    CHECK_STR(hk_result_name(99), "unknown");
    CHECK_STR(hk_skip_reason_name(HK_SKIP_COOLDOWN), "cooldown");
    CHECK_STR(hk_skip_reason_name(HK_SKIP_ONE_PER_BATCH), "one_per_batch");
    CHECK(hk_skip_reason_name(0) == NULL);
    CHECK(hk_skip_reason_name(17) == NULL);
}

/* The detail JSON of the last error names the argument. */
static void check_detail_field(hk_engine *engine, const char *field) {
    char *detail = hk_engine_last_error(engine);
    char want[96];
    snprintf(want, sizeof want, "\"field\":\"%s\"", field);
    CHECK_CONTAINS(detail, want);
    CHECK_CONTAINS(detail, "\"kind\":\"invalid_input\"");
    hk_string_free(detail);
}

static void null_arguments_are_refused_without_a_crash(void) {
    char *out = (char *)"sentinel";
    int64_t at = 42;
    const hk_result NUL = HK_RESULT_NULL_ARGUMENT;

    /* A NULL handle: every call refuses it. */
    CHECK_RC(hk_engine_get_settings(NULL, &out), NUL, NULL);
    CHECK_RC(hk_engine_set_settings(NULL, "{}"), NUL, NULL);
    CHECK_RC(hk_engine_upsert_location(NULL, "{}"), NUL, NULL);
    CHECK_RC(hk_engine_get_location(NULL, "paris", &out), NUL, NULL);
    CHECK_RC(hk_engine_list_locations(NULL, &out), NUL, NULL);
    CHECK_RC(hk_engine_set_location_enabled(NULL, "paris", 1), NUL, NULL);
    CHECK_RC(hk_engine_sync(NULL, "{}", NOW_NIGHT1, &out), NUL, NULL);
    CHECK_RC(hk_engine_sync_window(NULL, "paris", NOW_NIGHT1, &out), NUL, NULL);
    CHECK_RC(hk_engine_next_sync_at(NULL, "paris", NOW_NIGHT1, &at), NUL, NULL);
    CHECK_RC(hk_engine_backfill_file(NULL, "x", NOW_NIGHT1, NULL, NULL, &out), NUL, NULL);
    CHECK_RC(hk_engine_explain(NULL, "c1", NOW_NIGHT1, &out), NUL, NULL);
    CHECK_RC(hk_engine_explain_text(NULL, "c1", NOW_NIGHT1, &out), NUL, NULL);
    CHECK_RC(hk_engine_unsubscribe_customer(NULL, "c1", NOW_NIGHT1), NUL, NULL);
    CHECK_RC(hk_engine_unsubscribe_contact(NULL, "a@b.c", NOW_NIGHT1), NUL, NULL);
    CHECK_RC(hk_engine_pending_invitations(NULL, &out), NUL, NULL);
    uint64_t n = 42, n2 = 42, n3 = 42, n4 = 42, n5 = 42;
    CHECK_RC(hk_engine_claim(NULL, 10, NOW_DUE, &out), NUL, NULL);
    CHECK_RC(hk_engine_ack(NULL, "m1", NOW_DUE), NUL, NULL);
    CHECK_RC(hk_engine_fail(NULL, "m1", "x", 0, NOW_DUE, &at), NUL, NULL);
    CHECK_RC(hk_engine_resend(NULL, 1, "ko", NOW_DUE, &out), NUL, NULL);
    CHECK_RC(hk_engine_unsubscribe_by_token(NULL, "00", NOW_DUE, &out), NUL, NULL);
    CHECK_RC(hk_engine_outbox_counts(NULL, &n, &n2, &n3, &n4, &n5), NUL, NULL);
    CHECK_RC(hk_engine_set_template(NULL, "{}"), NUL, NULL);
    CHECK_RC(hk_engine_get_template(NULL, HK_MESSAGE_KIND_SURVEY_INVITATION, HK_CHANNEL_EMAIL,
                                    "fr", &out),
             NUL, NULL);
    CHECK_RC(hk_engine_get_delivery_settings(NULL, &out), NUL, NULL);
    CHECK_RC(hk_engine_set_delivery_settings(NULL, "{}"), NUL, NULL);
    CHECK_RC(hk_engine_export_suppressions(NULL, &out), NUL, NULL);
    CHECK_RC(hk_engine_import_suppressions(NULL, "{}", "s", NOW_DUE, &n), NUL, NULL);
    CHECK(hk_engine_last_error(NULL) == NULL);

    /* NULL inputs and outputs on a live handle: refused, detail names the argument. */
    hk_engine *engine = open_golden_engine("nulls.db");
    if (engine == NULL) {
        return;
    }
    CHECK(hk_engine_last_error(engine) == NULL); /* nothing failed yet */
    CHECK_RC(hk_engine_get_settings(engine, NULL), NUL, engine);
    check_detail_field(engine, "settings_json_out");
    CHECK_RC(hk_engine_set_settings(engine, NULL), NUL, engine);
    check_detail_field(engine, "settings_json");
    CHECK_RC(hk_engine_upsert_location(engine, NULL), NUL, engine);
    check_detail_field(engine, "location_json");
    CHECK_RC(hk_engine_get_location(engine, NULL, &out), NUL, engine);
    check_detail_field(engine, "location_id");
    CHECK_RC(hk_engine_get_location(engine, "paris", NULL), NUL, engine);
    check_detail_field(engine, "location_json_out");
    CHECK_RC(hk_engine_list_locations(engine, NULL), NUL, engine);
    CHECK_RC(hk_engine_set_location_enabled(engine, NULL, 1), NUL, engine);
    check_detail_field(engine, "location_id");
    CHECK_RC(hk_engine_sync(engine, NULL, NOW_NIGHT1, &out), NUL, engine);
    check_detail_field(engine, "batch_json");
    CHECK_RC(hk_engine_sync(engine, "{}", NOW_NIGHT1, NULL), NUL, engine);
    check_detail_field(engine, "report_json_out");
    CHECK_RC(hk_engine_sync_window(engine, NULL, NOW_NIGHT1, &out), NUL, engine);
    CHECK_RC(hk_engine_sync_window(engine, "paris", NOW_NIGHT1, NULL), NUL, engine);
    CHECK_RC(hk_engine_next_sync_at(engine, NULL, NOW_NIGHT1, &at), NUL, engine);
    CHECK_RC(hk_engine_next_sync_at(engine, "paris", NOW_NIGHT1, NULL), NUL, engine);
    check_detail_field(engine, "at_ms_out");
    CHECK_RC(hk_engine_backfill_file(engine, NULL, NOW_NIGHT1, NULL, NULL, &out), NUL, engine);
    check_detail_field(engine, "path");
    CHECK_RC(hk_engine_backfill_file(engine, "x", NOW_NIGHT1, NULL, NULL, NULL), NUL, engine);
    CHECK_RC(hk_engine_explain(engine, NULL, NOW_NIGHT1, &out), NUL, engine);
    check_detail_field(engine, "customer_id");
    CHECK_RC(hk_engine_explain(engine, "c1", NOW_NIGHT1, NULL), NUL, engine);
    CHECK_RC(hk_engine_explain_text(engine, "c1", NOW_NIGHT1, NULL), NUL, engine);
    check_detail_field(engine, "text_out");
    CHECK_RC(hk_engine_unsubscribe_customer(engine, NULL, NOW_NIGHT1), NUL, engine);
    CHECK_RC(hk_engine_unsubscribe_contact(engine, NULL, NOW_NIGHT1), NUL, engine);
    check_detail_field(engine, "contact");
    CHECK_RC(hk_engine_pending_invitations(engine, NULL), NUL, engine);
    check_detail_field(engine, "invitations_json_out");

    /* Delivery. */
    CHECK_RC(hk_engine_claim(engine, 10, NOW_DUE, NULL), NUL, engine);
    check_detail_field(engine, "messages_json_out");
    CHECK_RC(hk_engine_ack(engine, NULL, NOW_DUE), NUL, engine);
    check_detail_field(engine, "message_id");
    CHECK_RC(hk_engine_fail(engine, NULL, "x", 0, NOW_DUE, &at), NUL, engine);
    check_detail_field(engine, "message_id");
    CHECK_RC(hk_engine_fail(engine, "m1", NULL, 0, NOW_DUE, &at), NUL, engine);
    check_detail_field(engine, "reason");
    CHECK_RC(hk_engine_fail(engine, "m1", "x", 0, NOW_DUE, NULL), NUL, engine);
    check_detail_field(engine, "retry_at_ms_out");
    CHECK_RC(hk_engine_resend(engine, 1, "ko", NOW_DUE, NULL), NUL, engine);
    check_detail_field(engine, "message_id_out");
    CHECK_RC(hk_engine_unsubscribe_by_token(engine, NULL, NOW_DUE, &out), NUL, engine);
    check_detail_field(engine, "token");
    CHECK_RC(hk_engine_unsubscribe_by_token(engine, "00", NOW_DUE, NULL), NUL, engine);
    check_detail_field(engine, "customer_id_out");
    CHECK_RC(hk_engine_outbox_counts(engine, NULL, &n2, &n3, &n4, &n5), NUL, engine);
    check_detail_field(engine, "pending_out");
    CHECK_RC(hk_engine_outbox_counts(engine, &n, &n2, &n3, &n4, NULL), NUL, engine);
    check_detail_field(engine, "cancelled_out");
    CHECK_RC(hk_engine_set_template(engine, NULL), NUL, engine);
    check_detail_field(engine, "template_json");
    CHECK_RC(hk_engine_get_template(engine, HK_MESSAGE_KIND_SURVEY_INVITATION, HK_CHANNEL_EMAIL,
                                    NULL, &out),
             NUL, engine);
    check_detail_field(engine, "language");
    CHECK_RC(hk_engine_get_template(engine, HK_MESSAGE_KIND_SURVEY_INVITATION, HK_CHANNEL_EMAIL,
                                    "fr", NULL),
             NUL, engine);
    check_detail_field(engine, "template_json_out");
    CHECK_RC(hk_engine_get_delivery_settings(engine, NULL), NUL, engine);
    check_detail_field(engine, "settings_json_out");
    CHECK_RC(hk_engine_set_delivery_settings(engine, NULL), NUL, engine);
    check_detail_field(engine, "settings_json");
    CHECK_RC(hk_engine_export_suppressions(engine, NULL), NUL, engine);
    check_detail_field(engine, "bundle_json_out");
    CHECK_RC(hk_engine_import_suppressions(engine, NULL, "s", NOW_DUE, &n), NUL, engine);
    check_detail_field(engine, "bundle_json");
    CHECK_RC(hk_engine_import_suppressions(engine, "{}", NULL, NOW_DUE, &n), NUL, engine);
    check_detail_field(engine, "source");
    CHECK_RC(hk_engine_import_suppressions(engine, "{}", "s", NOW_DUE, NULL), NUL, engine);
    check_detail_field(engine, "added_out");

    /* Outputs were never written. */
    CHECK_STR(out, "sentinel");
    CHECK(at == 42);
    CHECK(n == 42 && n2 == 42 && n3 == 42 && n4 == 42 && n5 == 42);

    /* Opening: NULL path and NULL out-parameter; error_out is optional. */
    hk_engine *other = NULL;
    char *error = NULL;
    CHECK_RC(hk_engine_open(NULL, HK_JOURNAL_WAL, 0, &other, &error), NUL, NULL);
    CHECK(other == NULL);
    CHECK_CONTAINS(error, "\"field\":\"path\"");
    hk_string_free(error);
    CHECK_RC(hk_engine_open("x.db", HK_JOURNAL_WAL, 0, NULL, NULL), NUL, NULL);
    CHECK_RC(hk_engine_open_in_memory(NULL, NULL), NUL, NULL);

    /* Report readers. */
    hk_sync_report *report = NULL;
    CHECK_RC(hk_sync_report_parse(NULL, &report, NULL), NUL, NULL);
    CHECK_RC(hk_sync_report_parse("{}", NULL, NULL), NUL, NULL);
    CHECK(hk_sync_report_location(NULL) == NULL);
    CHECK(hk_sync_report_skipped_count(NULL) == 0);
    CHECK(hk_sync_report_missing_date(NULL, 0) == NULL);
    const char *s = NULL;
    uint32_t reason = 0;
    int64_t id = 0;
    CHECK_RC(hk_sync_report_skipped(NULL, 0, &s, &s, &reason), NUL, NULL);
    CHECK_RC(hk_sync_report_invitation(NULL, 0, &id, &s, &s), NUL, NULL);

    hk_message_batch *batch = NULL;
    CHECK_RC(hk_message_batch_parse(NULL, &batch, NULL), NUL, NULL);
    CHECK_RC(hk_message_batch_parse("[]", NULL, NULL), NUL, NULL);
    CHECK(batch == NULL);
    CHECK(hk_message_batch_count(NULL) == 0);
    CHECK(hk_message_batch_message_id(NULL, 0) == NULL);
    CHECK(hk_message_batch_kind(NULL, 0) == 0);
    CHECK(hk_message_batch_channel(NULL, 0) == 0);
    CHECK(hk_message_batch_recipient(NULL, 0) == NULL);
    CHECK(hk_message_batch_language(NULL, 0) == NULL);
    CHECK(hk_message_batch_subject(NULL, 0) == NULL);
    CHECK(hk_message_batch_body(NULL, 0) == NULL);
    CHECK(hk_message_batch_survey_link(NULL, 0) == NULL);
    CHECK(hk_message_batch_survey_link_expires_at(NULL, 0) == 0);
    CHECK(hk_message_batch_unsubscribe_link(NULL, 0) == NULL);
    CHECK(hk_message_batch_customer(NULL, 0) == NULL);
    CHECK(hk_message_batch_location(NULL, 0) == NULL);
    CHECK(hk_message_batch_invitation_id(NULL, 0) == 0);
    CHECK(hk_message_batch_attempt(NULL, 0) == 0);
    CHECK(hk_message_batch_lease_until(NULL, 0) == 0);

    hk_sync_window *window = NULL;
    CHECK_RC(hk_sync_window_parse(NULL, &window, NULL), NUL, NULL);
    CHECK_RC(hk_sync_window_parse("{}", NULL, NULL), NUL, NULL);
    CHECK(window == NULL);
    CHECK(hk_sync_window_today(NULL) == NULL);
    CHECK(hk_sync_window_last_synced(NULL) == NULL);
    CHECK(hk_sync_window_date_count(NULL) == 0);
    CHECK(hk_sync_window_date(NULL, 0) == NULL);
    CHECK(hk_sync_window_next_sync_at(NULL) == 0);

    /* Frees accept NULL. */
    hk_string_free(NULL);
    hk_engine_free(NULL);
    hk_sync_report_free(NULL);
    hk_sync_window_free(NULL);
    hk_message_batch_free(NULL);
    hk_message_batch_free(&batch);
    hk_engine_free(&engine);
}

static void invalid_utf8_is_an_error_not_a_crash(void) {
    hk_engine *engine = open_golden_engine("utf8.db");
    if (engine == NULL) {
        return;
    }
    const char *bad = "pa\xffris";
    const char *bad_json = "{\"format\":1,\"location\":\"pa\xc3(ris\"}";
    char *out = (char *)"sentinel";
    int64_t at = 42;
    const hk_result U = HK_RESULT_INVALID_UTF8;
    CHECK_RC(hk_engine_sync(engine, bad_json, NOW_NIGHT1, &out), U, engine);
    check_detail_field(engine, "batch_json");
    char *detail = hk_engine_last_error(engine);
    CHECK_CONTAINS(detail, "offset 26");
    hk_string_free(detail);
    CHECK_RC(hk_engine_set_settings(engine, bad_json), U, engine);
    CHECK_RC(hk_engine_upsert_location(engine, bad_json), U, engine);
    CHECK_RC(hk_engine_get_location(engine, bad, &out), U, engine);
    CHECK_RC(hk_engine_set_location_enabled(engine, bad, 0), U, engine);
    CHECK_RC(hk_engine_sync_window(engine, bad, NOW_NIGHT1, &out), U, engine);
    CHECK_RC(hk_engine_next_sync_at(engine, bad, NOW_NIGHT1, &at), U, engine);
    CHECK_RC(hk_engine_backfill_file(engine, bad, NOW_NIGHT1, NULL, NULL, &out), U, engine);
    CHECK_RC(hk_engine_explain(engine, bad, NOW_NIGHT1, &out), U, engine);
    CHECK_RC(hk_engine_explain_text(engine, bad, NOW_NIGHT1, &out), U, engine);
    CHECK_RC(hk_engine_unsubscribe_customer(engine, bad, NOW_NIGHT1), U, engine);
    CHECK_RC(hk_engine_unsubscribe_contact(engine, bad, NOW_NIGHT1), U, engine);
    check_detail_field(engine, "contact");
    /* The detail never echoes the bad value. */
    detail = hk_engine_last_error(engine);
    CHECK(detail != NULL && strstr(detail, "ris") == NULL);
    hk_string_free(detail);

    /* Delivery: every string argument, each naming itself. */
    uint64_t added = 42;
    CHECK_RC(hk_engine_ack(engine, bad, NOW_DUE), U, engine);
    check_detail_field(engine, "message_id");
    CHECK_RC(hk_engine_fail(engine, bad, "x", 0, NOW_DUE, &at), U, engine);
    check_detail_field(engine, "message_id");
    CHECK_RC(hk_engine_fail(engine, "m1", bad, 0, NOW_DUE, &at), U, engine);
    check_detail_field(engine, "reason");
    CHECK_RC(hk_engine_resend(engine, 1, bad, NOW_DUE, &out), U, engine);
    check_detail_field(engine, "language");
    CHECK_RC(hk_engine_unsubscribe_by_token(engine, bad, NOW_DUE, &out), U, engine);
    check_detail_field(engine, "token");
    CHECK_RC(hk_engine_set_template(engine, bad_json), U, engine);
    check_detail_field(engine, "template_json");
    CHECK_RC(hk_engine_get_template(engine, HK_MESSAGE_KIND_SURVEY_INVITATION, HK_CHANNEL_EMAIL,
                                    bad, &out),
             U, engine);
    check_detail_field(engine, "language");
    CHECK_RC(hk_engine_set_delivery_settings(engine, bad_json), U, engine);
    check_detail_field(engine, "settings_json");
    CHECK_RC(hk_engine_import_suppressions(engine, bad_json, "s", NOW_DUE, &added), U, engine);
    check_detail_field(engine, "bundle_json");
    CHECK_RC(hk_engine_import_suppressions(engine, "{\"format\":1,\"hashes\":[]}", bad,
                                           NOW_DUE, &added),
             U, engine);
    check_detail_field(engine, "source");
    hk_message_batch *batch = NULL;
    CHECK_RC(hk_message_batch_parse(bad_json, &batch, NULL), U, NULL);
    CHECK(batch == NULL);
    CHECK(added == 42);

    CHECK_STR(out, "sentinel");
    CHECK(at == 42);

    hk_engine *other = NULL;
    char *error = NULL;
    CHECK_RC(hk_engine_open(bad, HK_JOURNAL_WAL, 0, &other, &error), U, NULL);
    CHECK(other == NULL);
    CHECK_CONTAINS(error, "\"field\":\"path\"");
    hk_string_free(error);
    hk_sync_report *report = NULL;
    CHECK_RC(hk_sync_report_parse(bad, &report, NULL), U, NULL);
    CHECK(report == NULL);
    hk_engine_free(&engine);
}

static void scalar_arguments_are_validated(void) {
    hk_engine *engine = NULL;
    char *error = NULL;
    char *path = scratch_path("journal.db");
    CHECK_RC(hk_engine_open(path, 2, 0, &engine, &error), HK_RESULT_INVALID_INPUT, NULL);
    CHECK(engine == NULL);
    CHECK_CONTAINS(error, "\"field\":\"journal_mode\"");
    hk_string_free(error);
    error = NULL;
    CHECK_OK(hk_engine_open(path, HK_JOURNAL_ROLLBACK, 5000, &engine, &error), NULL);
    CHECK(error == NULL);
    free(path);
    if (engine == NULL) {
        return;
    }
    CHECK_OK(hk_engine_upsert_location(
                 engine, "{\"id\":\"paris\",\"name\":\"P\",\"time_zone\":\"Europe/Paris\"}"),
             engine);
    CHECK_RC(hk_engine_set_location_enabled(engine, "paris", 2), HK_RESULT_INVALID_INPUT,
             engine);
    check_detail_field(engine, "enabled");
    char *out = (char *)"sentinel";
    CHECK_RC(hk_engine_sync_window(engine, "paris", INT64_MAX, &out), HK_RESULT_INVALID_INPUT,
             engine);
    check_detail_field(engine, "now_ms");
    CHECK_RC(hk_engine_explain(engine, "c1", INT64_MIN, &out), HK_RESULT_INVALID_INPUT, engine);
    CHECK_RC(hk_engine_claim(engine, 10, INT64_MAX, &out), HK_RESULT_INVALID_INPUT, engine);
    check_detail_field(engine, "now_ms");
    int64_t at = 42;
    CHECK_RC(hk_engine_fail(engine, "m1", "x", 7, 0, &at), HK_RESULT_INVALID_INPUT, engine);
    check_detail_field(engine, "permanent");
    CHECK(at == 42);
    CHECK_STR(out, "sentinel");
    hk_engine_free(&engine);
}

static void open_failure_reports_through_error_out(void) {
    hk_engine *engine = NULL;
    char *error = NULL;
    char *path = scratch_path("no/such/dir/x.db");
    CHECK_RC(hk_engine_open(path, HK_JOURNAL_WAL, 0, &engine, &error), HK_RESULT_STORAGE, NULL);
    CHECK(engine == NULL);
    CHECK_CONTAINS(error, "\"kind\":\"storage\"");
    hk_string_free(error);
    /* error_out may be NULL. */
    CHECK_RC(hk_engine_open(path, HK_JOURNAL_WAL, 0, &engine, NULL), HK_RESULT_STORAGE, NULL);
    free(path);

    char *not_a_db = write_scratch("not_a_db.db", "this is not a SQLite database, not at all.....\n"
                                                  "padding padding padding padding padding padding\n");
    CHECK(hk_engine_open(not_a_db, HK_JOURNAL_WAL, 0, &engine, NULL) != HK_OK);
    CHECK(engine == NULL);
    free(not_a_db);
}

static void freeing_twice_is_harmless(void) {
    hk_engine *engine = NULL;
    CHECK_OK(hk_engine_open_in_memory(&engine, NULL), NULL);
    CHECK(engine != NULL);
    hk_engine *copy = engine;
    hk_engine_free(&engine);
    CHECK(engine == NULL);
    hk_engine_free(&engine); /* a second close of the same variable does nothing */
    hk_engine_free(NULL);
    (void)copy; /* freeing a stale copy would be a use-after-free, as with any C API */
}

static void errors_stay_on_the_handle_until_the_next_failure(void) {
    hk_engine *engine = NULL;
    CHECK_OK(hk_engine_open_in_memory(&engine, NULL), NULL);
    if (engine == NULL) {
        return;
    }
    char *out = NULL;
    CHECK_RC(hk_engine_get_location(engine, "nowhere", &out), HK_RESULT_NOT_FOUND, engine);
    char *first = hk_engine_last_error(engine);
    CHECK_CONTAINS(first, "\"kind\":\"not_found\"");
    /* Each call returns a fresh copy owned by the caller. */
    char *again = hk_engine_last_error(engine);
    CHECK(again != first);
    CHECK_STR(again, first);
    /* A success does not clear it. */
    CHECK_OK(hk_engine_list_locations(engine, &out), engine);
    CHECK_STR(out, "[]");
    hk_string_free(out);
    char *after = hk_engine_last_error(engine);
    CHECK_STR(after, first);
    /* The next failure replaces it. */
    CHECK_RC(hk_engine_set_settings(engine, "{\"colour\":1}"), HK_RESULT_INVALID_INPUT, engine);
    char *replaced = hk_engine_last_error(engine);
    CHECK_CONTAINS(replaced, "\"kind\":\"invalid_input\"");
    CHECK_CONTAINS(replaced, "unknown field");
    hk_string_free(first);
    hk_string_free(again);
    hk_string_free(after);
    hk_string_free(replaced);
    hk_engine_free(&engine);
}

void contract_tests(void) {
    run_case("versions agree with the header", versions_agree_with_the_header);
    run_case("result codes are stable", result_codes_are_stable);
    run_case("NULL arguments are refused without a crash",
             null_arguments_are_refused_without_a_crash);
    run_case("invalid UTF-8 is an error, not a crash", invalid_utf8_is_an_error_not_a_crash);
    run_case("scalar arguments are validated", scalar_arguments_are_validated);
    run_case("open failure reports through error_out", open_failure_reports_through_error_out);
    run_case("freeing twice is harmless", freeing_twice_is_harmless);
    run_case("errors stay on the handle until the next failure",
             errors_stay_on_the_handle_until_the_next_failure);
}
