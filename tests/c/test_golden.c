/* The golden scenario of tests/golden/README.md through the C door, byte for byte. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"

/* Steps 1-6 on a fresh file database. */
static void golden_scenario_matches_the_rust_door(void) {
    hk_engine *engine = open_golden_engine("golden.db"); /* steps 1 and 2 */
    if (engine == NULL) {
        return;
    }

    /* 3. The nightly sync. */
    char *batch = read_golden("night1.batch.json");
    char *report = NULL;
    CHECK_OK(hk_engine_sync(engine, batch, NOW_NIGHT1, &report), engine);
    CHECK_GOLDEN(report, "night1.report.json");
    hk_string_free(report);
    free(batch);

    /* 4. A rejected batch: the error detail is golden, the output untouched, nothing written. */
    char *pending_before = NULL;
    CHECK_OK(hk_engine_pending_invitations(engine, &pending_before), engine);
    char *bad = read_golden("bad.batch.json");
    char *untouched = (char *)"sentinel";
    CHECK_RC(hk_engine_sync(engine, bad, NOW_NIGHT1, &untouched), HK_RESULT_INVALID_INPUT, engine);
    CHECK_STR(untouched, "sentinel");
    char *detail = hk_engine_last_error(engine);
    CHECK_GOLDEN(detail, "bad.error.json");
    hk_string_free(detail);
    free(bad);
    char *pending_after = NULL;
    CHECK_OK(hk_engine_pending_invitations(engine, &pending_after), engine);
    CHECK_STR(pending_after, pending_before);
    char *ignored = NULL;
    CHECK_RC(hk_engine_explain(engine, "c7", NOW_NIGHT1, &ignored), HK_RESULT_NOT_FOUND, engine);
    CHECK(ignored == NULL);
    hk_string_free(pending_before);
    hk_string_free(pending_after);

    /* 5. Why c5 got one survey for two purchases. */
    char *explanation = NULL;
    CHECK_OK(hk_engine_explain(engine, "c5", NOW_NIGHT1, &explanation), engine);
    CHECK_GOLDEN(explanation, "explain_c5.json");
    hk_string_free(explanation);

    /* 6. Two missed nights later: 22 November is caught up, 21 needs a backfill. */
    char *window = NULL;
    CHECK_OK(hk_engine_sync_window(engine, "paris", NOW_WINDOW, &window), engine);
    CHECK_GOLDEN(window, "window_paris.json");
    hk_string_free(window);

    hk_engine_free(&engine);
    CHECK(engine == NULL);
}

/* The typed report readers agree with the golden report JSON. */
static void report_readers_give_the_skipped_customers_and_reasons(void) {
    char *json = read_golden("night1.report.json");
    json[strlen(json) - 1] = '\0'; /* the trailing newline */
    hk_sync_report *report = NULL;
    char *error = NULL;
    if (!CHECK_OK(hk_sync_report_parse(json, &report, &error), NULL)) {
        hk_string_free(error);
        free(json);
        return;
    }
    CHECK_STR(hk_sync_report_location(report), "paris");
    CHECK_STR(hk_sync_report_business_date(report), "2026-11-20");
    CHECK(hk_sync_report_customers_created(report) == 6);
    CHECK(hk_sync_report_customers_updated(report) == 0);
    CHECK(hk_sync_report_employees_upserted(report) == 2);
    CHECK(hk_sync_report_transactions_created(report) == 10);
    CHECK(hk_sync_report_transactions_updated(report) == 0);
    CHECK(hk_sync_report_caught_up_date_count(report) == 0);
    CHECK(hk_sync_report_missing_date_count(report) == 0);
    CHECK(hk_sync_report_missing_date(report, 0) == NULL);

    CHECK(hk_sync_report_invitation_count(report) == 2);
    int64_t id = 0;
    const char *customer = NULL, *transaction = NULL;
    CHECK_OK(hk_sync_report_invitation(report, 1, &id, &customer, &transaction), NULL);
    CHECK(id == 2);
    CHECK_STR(customer, "c5");
    CHECK_STR(transaction, "t7");
    CHECK_RC(hk_sync_report_invitation(report, 2, &id, &customer, &transaction),
             HK_RESULT_NOT_FOUND, NULL);

    /* Every skipped transaction of the JSON, in order, with its reason code and name. */
    const char *expected[][3] = {
        {"t2", "c2", "no_usable_contact"}, {"t3", "c3", "communications_off"},
        {"t4", "c4", "unsubscribed"},      {"t5", NULL, "anonymous"},
        {"t6", "c5", "one_per_batch"},     {"t8", "c1", "not_finalized"},
        {"t9", "c6", "too_old"},           {"t10", "c6", "excluded"},
    };
    uint32_t count = hk_sync_report_skipped_count(report);
    CHECK(count == 8);
    for (uint32_t i = 0; i < count && i < 8; i++) {
        uint32_t reason = 0;
        CHECK_OK(hk_sync_report_skipped(report, i, &transaction, &customer, &reason), NULL);
        CHECK_STR(transaction, expected[i][0]);
        CHECK_STR(customer, expected[i][1]);
        CHECK_STR(hk_skip_reason_name(reason), expected[i][2]);
        CHECK(hk_skip_reason_describe(reason) != NULL);
    }
    uint32_t reason = 0;
    CHECK_OK(hk_sync_report_skipped(report, 3, &transaction, &customer, &reason), NULL);
    CHECK(reason == HK_SKIP_ANONYMOUS);
    CHECK(customer == NULL);

    hk_sync_report_free(&report);
    CHECK(report == NULL);
    hk_sync_report_free(&report);
    free(json);
}

/* The typed window readers agree with the golden window JSON. */
static void window_readers_give_the_dates_to_send_and_to_backfill(void) {
    char *json = read_golden("window_paris.json");
    json[strlen(json) - 1] = '\0';
    hk_sync_window *window = NULL;
    if (!CHECK_OK(hk_sync_window_parse(json, &window, NULL), NULL)) {
        free(json);
        return;
    }
    CHECK_STR(hk_sync_window_location(window), "paris");
    CHECK_STR(hk_sync_window_today(window), "2026-11-23");
    CHECK_STR(hk_sync_window_last_synced(window), "2026-11-20");
    CHECK(hk_sync_window_date_count(window) == 2);
    CHECK_STR(hk_sync_window_date(window, 0), "2026-11-22");
    CHECK_STR(hk_sync_window_date(window, 1), "2026-11-23");
    CHECK(hk_sync_window_date(window, 2) == NULL);
    CHECK(hk_sync_window_missing_count(window) == 1);
    CHECK_STR(hk_sync_window_missing_date(window, 0), "2026-11-21");
    CHECK(hk_sync_window_missing_date(window, 1) == NULL);
    CHECK(hk_sync_window_next_sync_at(window) == INT64_C(1795557600000));
    hk_sync_window_free(&window);
    CHECK(window == NULL);
    hk_sync_window_free(&window);

    /* A fresh location has never synced. */
    CHECK_OK(hk_sync_window_parse("{\"location\":\"x\",\"today\":\"2026-11-23\","
                                  "\"last_synced\":null,\"dates\":[\"2026-11-23\"],"
                                  "\"missing\":[],\"next_sync_at\":\"2026-11-23T22:00:00Z\"}",
                                  &window, NULL),
             NULL);
    CHECK(hk_sync_window_last_synced(window) == NULL);
    hk_sync_window_free(&window);

    /* Not a window: invalid input, detail through error_out, nothing written. */
    char *error = NULL;
    CHECK_RC(hk_sync_window_parse("{\"location\":1}", &window, &error),
             HK_RESULT_INVALID_INPUT, NULL);
    CHECK(window == NULL);
    CHECK_CONTAINS(error, "\"kind\":\"invalid_input\"");
    hk_string_free(error);
    free(json);
}

/* Re-running the same batch changes nothing and reports the stored decisions. */
static void rerunning_the_night_changes_nothing(void) {
    hk_engine *engine = open_golden_engine("rerun.db");
    if (engine == NULL) {
        return;
    }
    char *batch = read_golden("night1.batch.json");
    char *first = NULL, *second = NULL, *pending1 = NULL, *pending2 = NULL;
    CHECK_OK(hk_engine_sync(engine, batch, NOW_NIGHT1, &first), engine);
    CHECK_OK(hk_engine_pending_invitations(engine, &pending1), engine);
    CHECK_OK(hk_engine_sync(engine, batch, NOW_NIGHT1, &second), engine);
    CHECK_OK(hk_engine_pending_invitations(engine, &pending2), engine);
    CHECK_STR(pending2, pending1);

    hk_sync_report *report = NULL;
    CHECK_OK(hk_sync_report_parse(second, &report, NULL), NULL);
    CHECK(hk_sync_report_invitation_count(report) == 0);
    CHECK(hk_sync_report_customers_created(report) == 0);
    CHECK(hk_sync_report_transactions_created(report) == 0);
    hk_sync_report_free(&report);

    hk_string_free(first);
    hk_string_free(second);
    hk_string_free(pending1);
    hk_string_free(pending2);
    free(batch);
    hk_engine_free(&engine);
}

/* hk_engine_sync_counts: the full report's counts, its lists empty. */
static void counts_only_sync_gives_the_full_reports_counts(void) {
    hk_engine *full = open_golden_engine("counts-full.db");
    hk_engine *counted = open_golden_engine("counts-only.db");
    if (full == NULL || counted == NULL) {
        hk_engine_free(&full);
        hk_engine_free(&counted);
        return;
    }
    char *batch = read_golden("night1.batch.json");
    char *full_json = NULL, *counts_json = NULL;
    CHECK_OK(hk_engine_sync(full, batch, NOW_NIGHT1, &full_json), full);
    CHECK_OK(hk_engine_sync_counts(counted, batch, NOW_NIGHT1, &counts_json), counted);

    hk_sync_report *report = NULL;
    CHECK_OK(hk_sync_report_parse(full_json, &report, NULL), NULL);
    unsigned invitations = hk_sync_report_invitation_count(report);
    unsigned skipped = hk_sync_report_skipped_count(report);
    unsigned created = hk_sync_report_customers_created(report);
    hk_sync_report_free(&report);
    CHECK(invitations > 0 && skipped > 0);
    char want[200];
    snprintf(want, sizeof want,
             "\"counts\":{\"invitations\":%u,\"skipped\":%u,\"relationship_invitations\":0,"
             "\"cancelled_by_refund\":0}",
             invitations, skipped);
    CHECK_CONTAINS(counts_json, want);
    CHECK_CONTAINS(counts_json, "\"invitations\":[]");
    CHECK_CONTAINS(counts_json, "\"skipped\":[]");
    CHECK(full_json != NULL && strstr(full_json, "\"counts\"") == NULL);

    /* The typed reader reads it too: the same counts, no entries. */
    CHECK_OK(hk_sync_report_parse(counts_json, &report, NULL), NULL);
    CHECK(hk_sync_report_invitation_count(report) == 0);
    CHECK(hk_sync_report_skipped_count(report) == 0);
    CHECK(hk_sync_report_customers_created(report) == created);
    hk_sync_report_free(&report);

    /* NULL arguments and bad UTF-8 are refused, the output untouched. */
    char *out = NULL;
    CHECK(hk_engine_sync_counts(NULL, batch, NOW_NIGHT1, &out) == HK_RESULT_NULL_ARGUMENT);
    CHECK_RC(hk_engine_sync_counts(counted, NULL, NOW_NIGHT1, &out), HK_RESULT_NULL_ARGUMENT,
             counted);
    CHECK_RC(hk_engine_sync_counts(counted, batch, NOW_NIGHT1, NULL), HK_RESULT_NULL_ARGUMENT,
             counted);
    CHECK_RC(hk_engine_sync_counts(counted, "{\"x\":\"\xff\"}", NOW_NIGHT1, &out),
             HK_RESULT_INVALID_UTF8, counted);
    CHECK(out == NULL);

    hk_string_free(full_json);
    hk_string_free(counts_json);
    free(batch);
    hk_engine_free(&full);
    hk_engine_free(&counted);
}

/* On PostgreSQL (H3): a mailer leases the store once its invitations are due, another
 * mailer does not get it while the lease holds, and releasing gives it back. */
static void a_mailer_leases_the_store_with_due_work(void) {
    hk_engine *engine = open_golden_engine("lease.db");
    if (engine == NULL) {
        return;
    }
    char store[256];
    snprintf(store, sizeof store, "%s", last_store_id);
    char *batch = read_golden("night1.batch.json");
    char *report = NULL;
    CHECK_OK(hk_engine_sync(engine, batch, NOW_NIGHT1, &report), engine);
    hk_string_free(report);
    free(batch);
    const char *url = getenv("HEARKEN_TEST_PG_ENGINE_URL");
    char *leases = NULL;
    char *error = NULL;
    /* Other tests' stores may be due too: a large limit leases them all. */
    CHECK_RC(hk_lease_stores(url, "c-mailer-a", NOW_DUE, 10000, 300, &leases, &error),
             HK_OK, NULL);
    char needle[300];
    snprintf(needle, sizeof needle, "\"store\":\"%s\"", store);
    CHECK(leases != NULL && strstr(leases, needle) != NULL);
    char *others = NULL;
    CHECK_RC(hk_lease_stores(url, "c-mailer-b", NOW_DUE, 10000, 300, &others, &error), HK_OK,
             NULL);
    CHECK(others != NULL && strstr(others, needle) == NULL);
    /* Give every lease back: each object of the arrays. */
    char *arrays[2] = {leases, others};
    for (int a = 0; a < 2; a++) {
        char *objects[4096];
        size_t n = arrays[a] ? split_json_objects(arrays[a], objects, 4096) : 0;
        for (size_t i = 0; i < n; i++) {
            uint32_t released = 0;
            CHECK_RC(hk_lease_release(url, objects[i], &released, &error), HK_OK, NULL);
            CHECK(released == 1);
            free(objects[i]);
        }
        hk_string_free(arrays[a]);
    }
    hk_string_free(error);
    hk_engine_free(&engine);
}

/* On PostgreSQL (H7): the golden store exported to a file answers as the store did; the
 * file imported into a new store too; that store is then deleted with all its rows. */
static void a_store_moves_to_a_file_and_back_and_is_deleted(void) {
    hk_engine *engine = open_golden_engine("move.db");
    if (engine == NULL) {
        return;
    }
    char store[256];
    snprintf(store, sizeof store, "%s", last_store_id);
    char *batch = read_golden("night1.batch.json");
    char *report = NULL;
    CHECK_OK(hk_engine_sync(engine, batch, NOW_NIGHT1, &report), engine);
    hk_string_free(report);
    free(batch);
    hk_engine_free(&engine);
    const char *admin = getenv("HEARKEN_TEST_PG_URL");
    char *file = scratch_path("moved.db");
    uint64_t exported = 0, imported = 0, deleted = 0;
    char *error = NULL;
    CHECK_RC(hk_admin_export_sqlite(admin, store, file, &exported, &error), HK_OK, NULL);
    CHECK(exported > 0);
    hk_engine *moved = NULL;
    CHECK_OK(hk_engine_open(file, HK_JOURNAL_WAL, 0, &moved, &error), NULL);
    char *explanation = NULL;
    CHECK_OK(hk_engine_explain(moved, "c5", NOW_NIGHT1, &explanation), moved);
    CHECK_GOLDEN(explanation, "explain_c5.json");
    hk_string_free(explanation);
    hk_engine_free(&moved);
    char back[300];
    snprintf(back, sizeof back, "%s-back", store);
    CHECK_RC(hk_admin_import_sqlite(admin, file, back, &imported, &error), HK_OK, NULL);
    CHECK(imported == exported);
    CHECK_RC(hk_admin_import_sqlite(admin, file, back, &imported, &error), HK_RESULT_CONFLICT,
             NULL);
    hk_string_free(error);
    error = NULL;
    char *ids = NULL;
    char needle[320];
    snprintf(needle, sizeof needle, "\"%s\"", back);
    CHECK_OK(hk_admin_list_stores(admin, &ids, &error), NULL);
    CHECK(ids != NULL && strstr(ids, needle) != NULL);
    hk_string_free(ids);
    CHECK_RC(hk_admin_delete_store(admin, back, &deleted, &error), HK_OK, NULL);
    CHECK(deleted >= imported);
    CHECK_RC(hk_admin_delete_store(admin, back, &deleted, &error), HK_RESULT_NOT_FOUND, NULL);
    hk_string_free(error);
    free(file);
}

/* On PostgreSQL (H5): the admin's check of the golden store after its night is ok, names
 * that store, and shows no value of its rows; an unknown store is not found; a NULL store
 * checks every store. */
static void the_admin_check_of_a_store_after_its_night_is_ok(void) {
    hk_engine *engine = open_golden_engine("check.db");
    if (engine == NULL) {
        return;
    }
    char store[256];
    snprintf(store, sizeof store, "%s", last_store_id);
    char *batch = read_golden("night1.batch.json");
    char *report = NULL;
    CHECK_OK(hk_engine_sync(engine, batch, NOW_NIGHT1, &report), engine);
    hk_string_free(report);
    free(batch);
    hk_engine_free(&engine);
    const char *admin = getenv("HEARKEN_TEST_PG_URL");
    char *check = NULL;
    char *error = NULL;
    CHECK_RC(hk_admin_check(admin, store, &check, &error), HK_OK, NULL);
    CHECK_CONTAINS(check, "\"ok\":true");
    CHECK_CONTAINS(check, "\"schema_current\":true");
    CHECK_CONTAINS(check, "\"orphans\":[]");
    CHECK_CONTAINS(check, "\"references_checked\":13");
    char needle[320];
    snprintf(needle, sizeof needle, "\"store\":\"%s\"", store);
    CHECK_CONTAINS(check, needle);
    CHECK(check != NULL && strstr(check, "@example") == NULL);
    hk_string_free(check);
    check = NULL;
    char missing[300];
    snprintf(missing, sizeof missing, "%s-missing", store);
    CHECK_RC(hk_admin_check(admin, missing, &check, &error), HK_RESULT_NOT_FOUND, NULL);
    CHECK(check == NULL);
    hk_string_free(error);
    error = NULL;
    CHECK_RC(hk_admin_check(admin, NULL, &check, &error), HK_OK, NULL);
    CHECK_CONTAINS(check, "\"store\":null");
    CHECK_CONTAINS(check, "\"schema_version\":");
    hk_string_free(check);
    CHECK_RC(hk_admin_check(admin, store, NULL, NULL), HK_RESULT_NULL_ARGUMENT, NULL);
}

/* `text` with every `needle` written `mask` (malloc'd; NULL for an empty needle or when
 * out of memory). Sized by counting the needles first. */
static char *replace_all(const char *text, const char *needle, const char *mask) {
    size_t n = strlen(needle), m = strlen(mask), count = 0;
    if (n == 0) {
        return NULL;
    }
    for (const char *r = strstr(text, needle); r != NULL; r = strstr(r + n, needle)) {
        count++;
    }
    char *out = malloc(strlen(text) + count * m + 1);
    if (out == NULL) {
        return NULL;
    }
    char *w = out;
    for (const char *r = text; *r != '\0';) {
        if (strncmp(r, needle, n) == 0) {
            memcpy(w, mask, m);
            w += m;
            r += n;
        } else {
            *w++ = *r++;
        }
    }
    *w = '\0';
    return out;
}

/* `json` with every `"<incarnation>.` of a cursor written `"INCARNATION.` (malloc'd): the
 * incarnation is random per store, the rest of the feed is golden. */
static char *mask_incarnation(const char *json) {
    const char *marker = "\"next_cursor\":\"";
    const char *at = strstr(json, marker);
    if (at == NULL) {
        return NULL;
    }
    at += strlen(marker);
    const char *dot = strchr(at, '.');
    if (dot == NULL) {
        return NULL;
    }
    char needle[80];
    size_t n = (size_t)(dot - at);
    if (n + 3 > sizeof needle) {
        return NULL;
    }
    needle[0] = '"';
    memcpy(needle + 1, at, n);
    needle[n + 1] = '.';
    needle[n + 2] = '\0';
    return replace_all(json, needle, "\"INCARNATION.");
}

/* Step 8 (D1): after steps 1-3, claim one message and ack it; the event feed, its
 * incarnation masked, equals events_night1.json. Then bad arguments are refused by name. */
static void golden_events_of_night1_match_the_rust_door(void) {
    hk_engine *engine = open_golden_engine("events.db");
    if (engine == NULL) {
        return;
    }
    char *batch = read_golden("night1.batch.json");
    char *report = NULL;
    CHECK_OK(hk_engine_sync(engine, batch, NOW_NIGHT1, &report), engine);
    hk_string_free(report);
    free(batch);
    char *claimed = NULL;
    CHECK_OK(hk_engine_claim(engine, 1, NOW_DUE, &claimed), engine);
    hk_message_batch *messages = NULL;
    char *error = NULL;
    if (CHECK_OK(hk_message_batch_parse(claimed, &messages, &error), NULL)) {
        CHECK_OK(hk_engine_ack(engine, hk_message_batch_message_id(messages, 0), NOW_DUE), engine);
    }
    hk_string_free(error);
    hk_message_batch_free(&messages);
    hk_string_free(claimed);

    char *page = NULL;
    CHECK_OK(hk_engine_events(engine, NULL, 1000, &page), engine);
    char *masked = page ? mask_incarnation(page) : NULL;
    CHECK(masked != NULL);
    if (masked != NULL) {
        CHECK_GOLDEN(masked, "events_night1.json");
    }
    free(masked);
    hk_string_free(page);

    /* A cursor that is not one, a limit out of range: invalid input, nothing out; a NULL
     * out-parameter: a NULL argument. */
    char *untouched = NULL;
    CHECK_RC(hk_engine_events(engine, "not a cursor", 10, &untouched), HK_RESULT_INVALID_INPUT,
             engine);
    CHECK(untouched == NULL);
    CHECK_RC(hk_engine_events(engine, NULL, 0, &untouched), HK_RESULT_INVALID_INPUT, engine);
    CHECK(untouched == NULL);
    CHECK_RC(hk_engine_events(engine, NULL, 10, NULL), HK_RESULT_NULL_ARGUMENT, engine);
    hk_engine_free(&engine);
}

/* Step 9 (D2): after steps 1-2, the subscription of webhook.json (a fixed secret), night 1
 * and claim(10), all at 22:00: the two invitation.created.v1 webhooks. Each webhook-id is
 * `msg_` and the message id, each signature `v1,` and 44 base64 characters (the C tests
 * link no HMAC: the Rust, Python and Kotlin doors check the signatures themselves); with
 * ids and signatures masked, the claim equals webhook_night1.json. */
static void golden_webhooks_of_night1_match_the_rust_door(void) {
    hk_engine *engine = open_golden_engine("golden_webhooks.db");
    if (engine == NULL) {
        return;
    }
    char *subscription = read_golden("webhook.json");
    char *added = NULL;
    CHECK_OK(hk_engine_add_webhook(engine, subscription, NOW_NIGHT1, &added), engine);
    CHECK(added != NULL && strstr(added, "\"secret\":\"whsec_AAECAwQF") != NULL);
    hk_string_free(added);
    free(subscription);
    char *batch = read_golden("night1.batch.json");
    char *report = NULL;
    CHECK_OK(hk_engine_sync(engine, batch, NOW_NIGHT1, &report), engine);
    hk_string_free(report);
    free(batch);

    char *claimed = NULL;
    CHECK_OK(hk_engine_claim(engine, 10, NOW_NIGHT1, &claimed), engine);
    hk_message_batch *messages = NULL;
    char *error = NULL;
    char *masked = NULL;
    if (claimed != NULL && CHECK_OK(hk_message_batch_parse(claimed, &messages, &error), NULL)) {
        CHECK(hk_message_batch_count(messages) == 2);
        masked = malloc(strlen(claimed) + 1);
        if (masked != NULL) {
            strcpy(masked, claimed);
        }
        for (uint32_t i = 0; masked != NULL && i < hk_message_batch_count(messages); i++) {
            CHECK(hk_message_batch_kind(messages, i) == HK_MESSAGE_KIND_WEBHOOK);
            const char *id = hk_message_batch_message_id(messages, i);
            char expected_id[160];
            snprintf(expected_id, sizeof expected_id, "\"webhook_id\":\"msg_%s\"", id);
            CHECK(strstr(masked, expected_id) != NULL);
            char *next = replace_all(masked, id, "MESSAGE_ID");
            free(masked);
            masked = next;
        }
        /* Each signature: `v1,` and the base64 of 32 bytes (44 characters), then masked. */
        const char *marker = "\"webhook_signature\":\"";
        for (char *at = masked ? strstr(masked, marker) : NULL; at != NULL;
             at = strstr(at, marker)) {
            at += strlen(marker);
            char *end = strchr(at, '"');
            CHECK(end != NULL && end - at == 47 && strncmp(at, "v1,", 3) == 0);
            if (end == NULL || end - at != 47) {
                break;
            }
            char signature[48];
            memcpy(signature, at, 47);
            signature[47] = '\0';
            size_t offset = (size_t)(at - masked);
            char *next = replace_all(masked, signature, "SIGNATURE");
            free(masked);
            masked = next;
            if (masked == NULL) {
                break;
            }
            at = masked + offset;
        }
    }
    CHECK(masked != NULL);
    if (masked != NULL) {
        CHECK_GOLDEN(masked, "webhook_night1.json");
    }
    free(masked);
    hk_string_free(error);
    hk_message_batch_free(&messages);
    hk_string_free(claimed);
    hk_engine_free(&engine);
}

void golden_tests(void) {
    run_case("golden events of night 1 match the Rust door (D1)",
             golden_events_of_night1_match_the_rust_door);
    run_case("golden webhooks of night 1 match the Rust door (D2)",
             golden_webhooks_of_night1_match_the_rust_door);
    run_case("golden scenario matches the Rust door", golden_scenario_matches_the_rust_door);
    if (on_postgres()) {
        run_case("a mailer leases the store with due work (PostgreSQL)",
                 a_mailer_leases_the_store_with_due_work);
        run_case("a store moves to a file and back and is deleted (PostgreSQL)",
                 a_store_moves_to_a_file_and_back_and_is_deleted);
        run_case("the admin check of a store after its night is ok (PostgreSQL, H5)",
                 the_admin_check_of_a_store_after_its_night_is_ok);
    }
    run_case("report readers give the skipped customers and reasons",
             report_readers_give_the_skipped_customers_and_reasons);
    run_case("window readers give the dates to send and to backfill",
             window_readers_give_the_dates_to_send_and_to_backfill);
    run_case("re-running the night changes nothing", rerunning_the_night_changes_nothing);
    run_case("counts-only sync gives the full report's counts",
             counts_only_sync_gives_the_full_reports_counts);
}
