/* Every engine call through the C door: settings, locations, schedule, customers, backfill,
 * and several threads on one handle. */
#include "harness.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"

static void settings_round_trip_as_json(void) {
    hk_engine *engine = NULL;
    CHECK_OK(hk_engine_open_in_memory(&engine, NULL), NULL);
    if (engine == NULL) {
        return;
    }
    char *settings = NULL;
    CHECK_OK(hk_engine_get_settings(engine, &settings), engine);
    CHECK_CONTAINS(settings, "\"cooldown_months\":3");
    CHECK_CONTAINS(settings, "\"channel\":\"email\"");
    hk_string_free(settings);

    CHECK_OK(hk_engine_set_settings(engine, "{\"cooldown_months\":6,\"channel\":\"sms\"}"), engine);
    CHECK_OK(hk_engine_get_settings(engine, &settings), engine);
    CHECK_CONTAINS(settings, "\"cooldown_months\":6");
    CHECK_CONTAINS(settings, "\"channel\":\"sms\"");
    CHECK_CONTAINS(settings, "\"max_age_days\":14"); /* absent fields take their defaults */
    hk_string_free(settings);

    CHECK_RC(hk_engine_set_settings(engine, "{\"channel\":\"pigeon\"}"), HK_RESULT_INVALID_INPUT,
             engine);
    char *detail = hk_engine_last_error(engine);
    CHECK_CONTAINS(detail, "\"field\":\"channel\"");
    CHECK(detail != NULL && strstr(detail, "pigeon") == NULL); /* never echoes the value */
    hk_string_free(detail);
    CHECK_RC(hk_engine_set_settings(engine, "not json"), HK_RESULT_INVALID_INPUT, engine);
    hk_engine_free(&engine);
}

static void locations_upsert_read_and_keep_one_enabled(void) {
    hk_engine *engine = open_golden_engine("locations.db");
    if (engine == NULL) {
        return;
    }
    char *json = NULL;
    CHECK_OK(hk_engine_get_location(engine, "seoul", &json), engine);
    CHECK_CONTAINS(json, "\"time_zone\":\"Asia/Seoul\"");
    CHECK_CONTAINS(json, "\"enabled\":true");
    CHECK_CONTAINS(json, "서울 매장");
    hk_string_free(json);
    CHECK_OK(hk_engine_list_locations(engine, &json), engine);
    CHECK_CONTAINS(json, "\"id\":\"paris\"");
    CHECK_CONTAINS(json, "\"id\":\"seoul\"");
    hk_string_free(json);

    json = (char *)"sentinel";
    CHECK_RC(hk_engine_get_location(engine, "lyon", &json), HK_RESULT_NOT_FOUND, engine);
    CHECK_STR(json, "sentinel");

    CHECK_OK(hk_engine_set_location_enabled(engine, "seoul", 0), engine);
    CHECK_RC(hk_engine_set_location_enabled(engine, "paris", 0), HK_RESULT_CONFLICT, engine);
    char *detail = hk_engine_last_error(engine);
    CHECK_CONTAINS(detail, "\"kind\":\"conflict\"");
    hk_string_free(detail);
    CHECK_OK(hk_engine_set_location_enabled(engine, "seoul", 1), engine);
    CHECK_OK(hk_engine_set_location_enabled(engine, "paris", 0), engine);
    CHECK_OK(hk_engine_get_location(engine, "paris", &json), engine);
    CHECK_CONTAINS(json, "\"enabled\":false");
    hk_string_free(json);
    CHECK_RC(hk_engine_set_location_enabled(engine, "lyon", 1), HK_RESULT_NOT_FOUND, engine);

    CHECK_RC(hk_engine_upsert_location(engine, "{\"id\":\"x\",\"name\":\"X\"}"),
             HK_RESULT_INVALID_INPUT, engine);
    detail = hk_engine_last_error(engine);
    CHECK_CONTAINS(detail, "time_zone");
    hk_string_free(detail);
    hk_engine_free(&engine);
}

static void next_sync_is_at_the_local_sync_hour(void) {
    hk_engine *engine = open_golden_engine("schedule.db");
    if (engine == NULL) {
        return;
    }
    /* The window's next_sync_at is 2026-11-24T22:00:00Z (23:00 in Paris). */
    int64_t at = 0;
    CHECK_OK(hk_engine_next_sync_at(engine, "paris", NOW_WINDOW, &at), engine);
    CHECK(at == INT64_C(1795557600000));
    /* Seoul syncs at 23:00 KST, 14:00 UTC: 2026-11-24T14:00:00Z. */
    CHECK_OK(hk_engine_next_sync_at(engine, "seoul", NOW_WINDOW, &at), engine);
    CHECK(at == INT64_C(1795528800000));
    at = 42;
    CHECK_RC(hk_engine_next_sync_at(engine, "lyon", NOW_WINDOW, &at), HK_RESULT_NOT_FOUND,
             engine);
    CHECK(at == 42);
    hk_engine_free(&engine);
}

static void unsubscribe_and_explain_in_words(void) {
    hk_engine *engine = open_golden_engine("customers.db");
    if (engine == NULL) {
        return;
    }
    char *batch = read_golden("night1.batch.json");
    char *report = NULL;
    CHECK_OK(hk_engine_sync(engine, batch, NOW_NIGHT1, &report), engine);
    hk_string_free(report);
    free(batch);

    CHECK_OK(hk_engine_unsubscribe_customer(engine, "c1", NOW_NIGHT1), engine);
    CHECK_RC(hk_engine_unsubscribe_customer(engine, "nobody", NOW_NIGHT1), HK_RESULT_NOT_FOUND,
             engine);
    char *json = NULL;
    CHECK_OK(hk_engine_explain(engine, "c1", NOW_NIGHT1, &json), engine);
    CHECK_CONTAINS(json, "\"unsubscribed\":true");
    hk_string_free(json);

    char *text = NULL;
    CHECK_OK(hk_engine_explain_text(engine, "c1", NOW_NIGHT1, &text), engine);
    CHECK_CONTAINS(text, "c1 is unsubscribed from all surveys");
    CHECK_CONTAINS(text, "t8: no survey on 2026-11-20 (paris): the sale was not finalized yet");
    hk_string_free(text);
    CHECK_OK(hk_engine_explain_text(engine, "c5", NOW_NIGHT1, &text), engine);
    CHECK_CONTAINS(text, "[one_per_batch]");
    CHECK(text != NULL && text[strlen(text) - 1] != '\n');
    hk_string_free(text);

    CHECK_OK(hk_engine_unsubscribe_contact(engine, "+33 6 12 34 56 78", NOW_NIGHT1), engine);
    CHECK_OK(hk_engine_pending_invitations(engine, &json), engine);
    CHECK(json != NULL && json[0] == '[');
    CHECK_CONTAINS(json, "\"transaction\":\"t7\"");
    hk_string_free(json);
    hk_engine_free(&engine);
}

/* What the progress callback saw, and a proof that it may call back into hearken. */
struct progress_log {
    hk_engine *engine;
    uint64_t calls;
    uint64_t last_done;
    uint64_t last_total;
    int reentrant_ok;
};

static void on_progress(void *user, uint64_t done, uint64_t total) {
    struct progress_log *log = user;
    log->calls++;
    log->last_done = done;
    log->last_total = total;
    char *json = NULL;
    /* No hearken lock is held here: a call on the same handle must not deadlock. */
    if (hk_engine_pending_invitations(log->engine, &json) == HK_OK) {
        log->reentrant_ok++;
    }
    hk_string_free(json);
}

static const char *BACKFILL =
    "{\"format\":1,\"location\":\"seoul\",\"business_dates\":[\"2026-11-18\"],"
    "\"customers\":[{\"id\":\"k1\",\"name\":\"김지우\",\"email\":\"jiwoo@example.kr\","
    "\"include_in_communications\":true}],"
    "\"transactions\":[{\"id\":\"s1\",\"customer\":\"k1\",\"kind\":\"sale\","
    "\"amount_minor\":45000,\"currency\":\"KRW\",\"finalized_at\":\"2026-11-18T15:00:00+09:00\"}]}\n"
    "\n"
    "{\"format\":1,\"location\":\"seoul\",\"business_dates\":[\"2026-11-19\"],"
    "\"transactions\":[{\"id\":\"s2\",\"customer\":\"k1\",\"kind\":\"service\","
    "\"amount_minor\":9000,\"currency\":\"KRW\",\"finalized_at\":\"2026-11-19T11:00:00+09:00\"}]}\n";

static void backfill_reports_progress_without_holding_a_lock(void) {
    hk_engine *engine = open_golden_engine("backfill.db");
    if (engine == NULL) {
        return;
    }
    char *path = write_scratch("backfill.jsonl", BACKFILL);
    struct progress_log log = {engine, 0, 0, 0, 0};
    char *report = NULL;
    CHECK_OK(hk_engine_backfill_file(engine, path, NOW_NIGHT1, on_progress, &log, &report),
             engine);
    CHECK(log.calls == 2);
    CHECK(log.last_done == 2 && log.last_total == 2);
    CHECK(log.reentrant_ok == 2);
    const char *prefix = "{\"batches\":[{\"location\":\"seoul\"";
    CHECK(report != NULL && strncmp(report, prefix, strlen(prefix)) == 0);
    hk_string_free(report);

    /* Again, without a callback: the same batches change nothing. */
    CHECK_OK(hk_engine_backfill_file(engine, path, NOW_NIGHT1, NULL, NULL, &report), engine);
    CHECK_CONTAINS(report, "\"customers_created\":0");
    hk_string_free(report);
    free(path);

    /* A bad line rejects the file whole, naming the line; a missing file is a storage error. */
    char *bad = write_scratch("bad.jsonl", "{\"format\":1,\"location\":\"seoul\"}\n{\"format\":9}\n");
    log.calls = 0;
    report = (char *)"sentinel";
    CHECK_RC(hk_engine_backfill_file(engine, bad, NOW_NIGHT1, on_progress, &log, &report),
             HK_RESULT_INVALID_INPUT, engine);
    CHECK(log.calls == 0);
    CHECK_STR(report, "sentinel");
    char *detail = hk_engine_last_error(engine);
    CHECK_CONTAINS(detail, "line 2");
    hk_string_free(detail);
    free(bad);
    char *missing = scratch_path("missing.jsonl");
    CHECK_RC(hk_engine_backfill_file(engine, missing, NOW_NIGHT1, NULL, NULL, &report),
             HK_RESULT_STORAGE, engine);
    free(missing);
    hk_engine_free(&engine);
}

/* Several threads on one handle: readers and a writer re-running the night. */
struct worker {
    hk_engine *engine;
    const char *batch;
    int failures;
};

static void *reader_thread(void *arg) {
    struct worker *w = arg;
    for (int i = 0; i < 20; i++) {
        char *out = NULL;
        w->failures += hk_engine_explain(w->engine, "c5", NOW_NIGHT1, &out) != HK_OK;
        hk_string_free(out);
        out = NULL;
        w->failures += hk_engine_sync_window(w->engine, "paris", NOW_WINDOW, &out) != HK_OK;
        hk_string_free(out);
        out = NULL;
        w->failures += hk_engine_pending_invitations(w->engine, &out) != HK_OK;
        hk_string_free(out);
    }
    return NULL;
}

static void *writer_thread(void *arg) {
    struct worker *w = arg;
    for (int i = 0; i < 5; i++) {
        char *out = NULL;
        w->failures += hk_engine_sync(w->engine, w->batch, NOW_NIGHT1, &out) != HK_OK;
        hk_string_free(out);
    }
    return NULL;
}

static void one_handle_serves_several_threads(void) {
    hk_engine *engine = open_golden_engine("threads.db");
    if (engine == NULL) {
        return;
    }
    char *batch = read_golden("night1.batch.json");
    char *report = NULL;
    CHECK_OK(hk_engine_sync(engine, batch, NOW_NIGHT1, &report), engine);
    hk_string_free(report);

    enum { READERS = 3 };
    pthread_t threads[READERS + 1];
    struct worker workers[READERS + 1];
    for (int i = 0; i <= READERS; i++) {
        workers[i] = (struct worker){engine, batch, 0};
        void *(*fn)(void *) = i == READERS ? writer_thread : reader_thread;
        CHECK(pthread_create(&threads[i], NULL, fn, &workers[i]) == 0);
    }
    for (int i = 0; i <= READERS; i++) {
        pthread_join(threads[i], NULL);
        CHECK(workers[i].failures == 0);
    }
    char *explanation = NULL;
    CHECK_OK(hk_engine_explain(engine, "c5", NOW_NIGHT1, &explanation), engine);
    CHECK_GOLDEN(explanation, "explain_c5.json");
    hk_string_free(explanation);
    free(batch);
    hk_engine_free(&engine);
}

/* hk_engine_open_url (H1): its pointers are checked by name; the default library has no
 * hosted mode and answers HK_RESULT_UNSUPPORTED, leaving the output untouched. (A library
 * built with the `hosted` feature runs the golden scenario on PostgreSQL: test_golden.c
 * with HEARKEN_TEST_STORE=postgres, tests/c/run-hosted.sh.) */
static void open_url_checks_its_pointers_and_is_unsupported_without_hosted_mode(void) {
    const char *url = "postgres://eng@127.0.0.1:5432/db";
    hk_engine *engine = (hk_engine *)0x1;
    char *error = NULL;
    CHECK_RC(hk_engine_open_url(NULL, "s1", &engine, &error), HK_RESULT_NULL_ARGUMENT, NULL);
    CHECK(error != NULL && strstr(error, "\"url\"") != NULL);
    hk_string_free(error);
    error = NULL;
    CHECK_RC(hk_engine_open_url(url, NULL, &engine, &error), HK_RESULT_NULL_ARGUMENT, NULL);
    CHECK(error != NULL && strstr(error, "\"store_id\"") != NULL);
    hk_string_free(error);
    error = NULL;
    CHECK_RC(hk_engine_open_url(url, "s1", NULL, NULL), HK_RESULT_NULL_ARGUMENT, NULL);
    if (on_postgres()) {
        return; /* a hosted build: test_golden.c opens real stores */
    }
    CHECK_RC(hk_engine_open_url("postgres://eng:hunter2@127.0.0.1/db", "s1", &engine, &error),
             HK_RESULT_UNSUPPORTED, NULL);
    CHECK(engine == (hk_engine *)0x1);
    CHECK(error != NULL && strstr(error, "\"kind\":\"unsupported\"") != NULL);
    CHECK(error != NULL && strstr(error, "hunter2") == NULL);
    hk_string_free(error);

    /* The admin door (H5): pointers checked by name, unsupported without hosted mode. */
    error = NULL;
    CHECK_RC(hk_admin_create_store(NULL, "s1", &error), HK_RESULT_NULL_ARGUMENT, NULL);
    CHECK(error != NULL && strstr(error, "\"admin_url\"") != NULL);
    hk_string_free(error);
    error = NULL;
    CHECK_RC(hk_admin_create_store(url, "", &error), HK_RESULT_INVALID_INPUT, NULL);
    CHECK(error != NULL && strstr(error, "store_id") != NULL);
    hk_string_free(error);
    error = NULL;
    CHECK_RC(hk_admin_create_store(url, "s1", &error), HK_RESULT_UNSUPPORTED, NULL);
    hk_string_free(error);
    CHECK_RC(hk_admin_install(url, NULL, NULL), HK_RESULT_UNSUPPORTED, NULL);
    CHECK_RC(hk_admin_install(NULL, NULL, NULL), HK_RESULT_NULL_ARGUMENT, NULL);
    CHECK_RC(hk_admin_migrate(url, NULL), HK_RESULT_UNSUPPORTED, NULL);
    uint64_t rows = 7;
    CHECK_RC(hk_admin_delete_store(url, "s1", &rows, NULL), HK_RESULT_UNSUPPORTED, NULL);
    CHECK_RC(hk_admin_delete_store(url, "s1", NULL, NULL), HK_RESULT_NULL_ARGUMENT, NULL);
    CHECK_RC(hk_admin_import_sqlite(url, "x.db", "s1", &rows, NULL), HK_RESULT_UNSUPPORTED, NULL);
    CHECK_RC(hk_admin_export_sqlite(url, "s1", "x.db", &rows, NULL), HK_RESULT_UNSUPPORTED, NULL);
    CHECK(rows == 7);
    char *ids = NULL;
    CHECK_RC(hk_admin_list_stores(url, &ids, NULL), HK_RESULT_UNSUPPORTED, NULL);
    CHECK(ids == NULL);
    char *check = NULL;
    CHECK_RC(hk_admin_check(url, NULL, &check, NULL), HK_RESULT_UNSUPPORTED, NULL);
    CHECK_RC(hk_admin_check(url, "s1", &check, NULL), HK_RESULT_UNSUPPORTED, NULL);
    CHECK(check == NULL);
    CHECK_RC(hk_admin_check(url, NULL, NULL, NULL), HK_RESULT_NULL_ARGUMENT, NULL);
    error = NULL;
    CHECK_RC(hk_admin_check(url, "", &check, &error), HK_RESULT_INVALID_INPUT, NULL);
    CHECK(error != NULL && strstr(error, "\"store\"") != NULL);
    hk_string_free(error);

    /* The mailers' leases (H3): likewise. */
    char *leases = (char *)"sentinel";
    CHECK_RC(hk_lease_stores(url, "m1", NOW_NIGHT1, 10, 300, &leases, NULL), HK_RESULT_UNSUPPORTED,
             NULL);
    CHECK_STR(leases, "sentinel");
    CHECK_RC(hk_lease_stores(url, NULL, NOW_NIGHT1, 10, 300, &leases, NULL),
             HK_RESULT_NULL_ARGUMENT, NULL);
    const char *lease = "{\"store\":\"s1\",\"store_key\":1,\"mailer\":\"m1\","
                        "\"leased_until\":\"2026-11-21T09:05:00Z\"}";
    uint32_t released = 7;
    CHECK_RC(hk_lease_release(url, lease, &released, NULL), HK_RESULT_UNSUPPORTED, NULL);
    CHECK(released == 7);
    CHECK_RC(hk_lease_release(url, "{\"store\":1}", &released, NULL), HK_RESULT_INVALID_INPUT,
             NULL);
    char *renewed = NULL;
    CHECK_RC(hk_lease_renew(url, lease, NOW_NIGHT1, 300, &renewed, NULL), HK_RESULT_UNSUPPORTED,
             NULL);
    CHECK(renewed == NULL);
}

void engine_tests(void) {
    run_case("settings round-trip as JSON", settings_round_trip_as_json);
    run_case("locations upsert, read, and keep one enabled",
             locations_upsert_read_and_keep_one_enabled);
    run_case("next sync is at the local sync hour", next_sync_is_at_the_local_sync_hour);
    run_case("unsubscribe, and explain in words", unsubscribe_and_explain_in_words);
    run_case("backfill reports progress without holding a lock",
             backfill_reports_progress_without_holding_a_lock);
    run_case("one handle serves several threads", one_handle_serves_several_threads);
    run_case("open_url checks its pointers and is unsupported without hosted mode",
             open_url_checks_its_pointers_and_is_unsupported_without_hosted_mode);
}
