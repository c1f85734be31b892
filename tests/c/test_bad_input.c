/* The bad-input matrix (issue 9), C column: one test per input class, each asserting the
 * exact result code, the field the error detail names, that the detail never echoes what
 * was sent ("SECRET"), and that the stored data is unchanged: each bad call runs on a copy
 * of one prepared database file (rollback journal), and after hk_engine_free the file is
 * compared byte for byte with the prepared one. The Rust column is tests/bad_input.rs; the
 * table is docs/bad-input.md. */
/* hk_engine_nps and hk_engine_ratings are deprecated (hk_engine_scores reads the rollups)
 * but must keep working: this file still calls them. */
#define HK_NO_DEPRECATION_WARNINGS
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"

/* The prepared night: Paris, customer a, sale t1 on 2026-11-20, invitation delivered. */
#define SETUP_BATCH                                                                          \
    "{\"format\":1,\"location\":\"paris\",\"business_dates\":[\"2026-11-20\"],"             \
    "\"customers\":[{\"id\":\"a\",\"email\":\"a@example.com\","                             \
    "\"include_in_communications\":true}],"                                                 \
    "\"transactions\":[{\"id\":\"t1\",\"customer\":\"a\",\"kind\":\"sale\","                \
    "\"amount_minor\":1000,\"currency\":\"EUR\",\"finalized_at\":\"2026-11-20T10:00:00+01:00\"}]}"
#define NIGHT2_MS INT64_C(1795298400000) /* 2026-11-21T22:00:00Z: 23:00 in Paris */
#define NIGHT2_CUSTOMER                                                                      \
    "{\"id\":\"b\",\"email\":\"b@example.com\",\"include_in_communications\":true}"
#define NIGHT2_SALE                                                                          \
    "{\"id\":\"t2\",\"customer\":\"b\",\"kind\":\"sale\",\"amount_minor\":1000,"           \
    "\"currency\":\"EUR\",\"finalized_at\":\"2026-11-21T10:00:00+01:00\"}"
/* A second night's batch with the given customers and transactions arrays' contents. */
#define NIGHT2(customers, transactions)                                                      \
    "{\"format\":1,\"location\":\"paris\",\"business_dates\":[\"2026-11-21\"],"             \
    "\"customers\":[" customers "],\"transactions\":[" transactions "]}"

/* The prepared file, its bytes, and the survey token of customer a. */
static char *prepared_path;
static unsigned char *prepared_bytes;
static size_t prepared_len;
static char prepared_token[64];
static int cell_number;

static unsigned char *read_bytes(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    unsigned char *buf = malloc(cap);
    size_t got;
    while (buf != NULL && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
    }
    fclose(f);
    *len = n;
    return buf;
}

static int write_bytes(const char *path, const unsigned char *bytes, size_t len) {
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        return 0;
    }
    int ok = fwrite(bytes, 1, len, f) == len;
    return fclose(f) == 0 && ok;
}

/* Prepares the database once: location, the first night, the invitation claimed and acked. */
static int prepare(void) {
    if (prepared_bytes != NULL) {
        return 1;
    }
    prepared_path = scratch_path("bad_input_prepared.db");
    hk_engine *engine = NULL;
    if (!CHECK_OK(hk_engine_open(prepared_path, HK_JOURNAL_ROLLBACK, 0, &engine, NULL), NULL)) {
        return 0;
    }
    CHECK_OK(hk_engine_upsert_location(
                 engine, "{\"id\":\"paris\",\"name\":\"Boutique Paris\",\"time_zone\":\"Europe/Paris\"}"),
             engine);
    char *report = NULL;
    CHECK_OK(hk_engine_sync(engine, SETUP_BATCH, NOW_NIGHT1, &report), engine);
    hk_string_free(report);
    char *json = NULL;
    hk_message_batch *messages = NULL;
    if (CHECK_OK(hk_engine_claim(engine, 1, NOW_DUE, &json), engine) &&
        CHECK_OK(hk_message_batch_parse(json, &messages, NULL), NULL) &&
        CHECK(hk_message_batch_count(messages) == 1)) {
        CHECK_OK(hk_engine_ack(engine, hk_message_batch_message_id(messages, 0), NOW_DUE), engine);
        const char *link = hk_message_batch_survey_link(messages, 0);
        const char *slash = link ? strrchr(link, '/') : NULL;
        snprintf(prepared_token, sizeof prepared_token, "%s", slash ? slash + 1 : "");
    }
    hk_message_batch_free(&messages);
    hk_string_free(json);
    hk_engine_free(&engine);
    prepared_bytes = read_bytes(prepared_path, &prepared_len);
    return CHECK(prepared_bytes != NULL && prepared_len > 0 && prepared_token[0] != '\0');
}

/* A fresh copy of the prepared database, opened; its path goes to *path (malloc'd). */
static hk_engine *open_copy(char **path) {
    char name[64];
    snprintf(name, sizeof name, "bad_input_%d.db", ++cell_number);
    *path = scratch_path(name);
    hk_engine *engine = NULL;
    if (!CHECK(write_bytes(*path, prepared_bytes, prepared_len)) ||
        !CHECK_OK(hk_engine_open(*path, HK_JOURNAL_ROLLBACK, 0, &engine, NULL), NULL)) {
        return NULL;
    }
    return engine;
}

/* Checks the last error: its kind, that it names `field` (if not NULL) and carries no
 * SECRET. */
static void check_detail(const hk_engine *engine, const char *kind, const char *field) {
    char *detail = hk_engine_last_error(engine);
    char want_kind[64];
    snprintf(want_kind, sizeof want_kind, "{\"kind\":\"%s\"", kind);
    if (!CHECK(detail != NULL && strncmp(detail, want_kind, strlen(want_kind)) == 0)) {
        fprintf(stderr, "      detail: %s (want kind %s)\n", detail ? detail : "(null)", kind);
    }
    if (field != NULL) {
        /* Like the Rust cells: the problem's record or field names it. */
        char want_field[96], want_record[96];
        snprintf(want_field, sizeof want_field, "\"field\":\"%s\"", field);
        snprintf(want_record, sizeof want_record, "\"record\":\"%s\"", field);
        if (!CHECK(detail != NULL &&
                   (strstr(detail, want_field) != NULL || strstr(detail, want_record) != NULL))) {
            fprintf(stderr, "      detail: %s (want %s)\n", detail ? detail : "(null)", want_field);
        }
    }
    if (!CHECK(detail == NULL || strstr(detail, "SECRET") == NULL)) {
        fprintf(stderr, "      detail: %s\n", detail);
    }
    hk_string_free(detail);
}

/* Frees the engine and checks that its file is byte for byte the prepared one. */
static void check_unchanged(hk_engine **engine, char *path, const char *name) {
    hk_engine_free(engine);
    size_t len = 0;
    unsigned char *after = read_bytes(path, &len);
    if (!CHECK(after != NULL && len == prepared_len && memcmp(after, prepared_bytes, len) == 0)) {
        fprintf(stderr, "      %s: the stored data changed\n", name);
    }
    free(after);
    free(path);
}

/* One cell whose bad call is a sync of `batch` at `now_ms`. */
static void sync_cell(const char *name, const char *batch, int64_t now_ms, hk_result want,
                      const char *field) {
    char *path = NULL;
    hk_engine *engine = open_copy(&path);
    if (engine == NULL) {
        free(path);
        return;
    }
    char *report = (char *)"untouched";
    if (!CHECK_RC(hk_engine_sync(engine, batch, now_ms, &report), want, engine)) {
        fprintf(stderr, "      cell: %s\n", name);
    }
    CHECK_STR(report, "untouched");
    check_detail(engine, "invalid_input", field);
    check_unchanged(&engine, path, name);
}

/* One cell whose bad call is an answer `answers` to `token`. */
static void answer_cell(const char *name, const char *token, const char *answers, hk_result want,
                        const char *kind, const char *field) {
    char *path = NULL;
    hk_engine *engine = open_copy(&path);
    if (engine == NULL) {
        free(path);
        return;
    }
    char *outcome = (char *)"untouched";
    if (!CHECK_RC(hk_engine_record_response(engine, token, answers, NOW_DUE, &outcome), want,
                  engine)) {
        fprintf(stderr, "      cell: %s\n", name);
    }
    CHECK_STR(outcome, "untouched");
    check_detail(engine, kind, field);
    check_unchanged(&engine, path, name);
}

#define NPS(score) "{\"answers\":[{\"question\":\"recommend\",\"score\":" #score "}]}"

static void test_null_arguments(void) {
    if (!prepare()) {
        return;
    }
    /* No handle: nothing to keep the detail on. */
    char *out = (char *)"untouched";
    CHECK(hk_engine_sync(NULL, SETUP_BATCH, NOW_NIGHT1, &out) == HK_RESULT_NULL_ARGUMENT);
    CHECK(hk_engine_scores(NULL, NULL, NOW_DUE, &out) == HK_RESULT_NULL_ARGUMENT);
    CHECK(hk_engine_erase_customer(NULL, "a", NOW_DUE, &out) == HK_RESULT_NULL_ARGUMENT);
    CHECK_STR(out, "untouched");
    CHECK(hk_engine_last_error(NULL) == NULL);

    char *path = NULL;
    hk_engine *engine = open_copy(&path);
    if (engine == NULL) {
        free(path);
        return;
    }
    uint64_t rows = 77;
    int64_t id = 77;
    /* A NULL string argument, then a NULL out-parameter: each named. */
    CHECK_RC(hk_engine_sync(engine, NULL, NOW_NIGHT1, &out), HK_RESULT_NULL_ARGUMENT, engine);
    check_detail(engine, "invalid_input", "batch_json");
    CHECK_RC(hk_engine_sync(engine, SETUP_BATCH, NOW_NIGHT1, NULL), HK_RESULT_NULL_ARGUMENT, engine);
    check_detail(engine, "invalid_input", "report_json_out");
    CHECK_RC(hk_engine_record_response(engine, NULL, NPS(9), NOW_DUE, &out),
             HK_RESULT_NULL_ARGUMENT, engine);
    check_detail(engine, "invalid_input", "token");
    CHECK_RC(hk_engine_record_response(engine, prepared_token, NPS(9), NOW_DUE, NULL),
             HK_RESULT_NULL_ARGUMENT, engine);
    check_detail(engine, "invalid_input", "outcome_json_out");
    CHECK_RC(hk_engine_record_feedback(engine, NULL, NOW_DUE, &id), HK_RESULT_NULL_ARGUMENT, engine);
    check_detail(engine, "invalid_input", "feedback_json");
    CHECK_RC(hk_engine_erase_customer(engine, NULL, NOW_DUE, &out), HK_RESULT_NULL_ARGUMENT, engine);
    check_detail(engine, "invalid_input", "customer_id");
    CHECK_RC(hk_engine_erase_customer(engine, "a", NOW_DUE, NULL), HK_RESULT_NULL_ARGUMENT, engine);
    check_detail(engine, "invalid_input", "erasure_json_out");
    CHECK_RC(hk_engine_import_aggregates(engine, NULL, NOW_DUE, &rows), HK_RESULT_NULL_ARGUMENT,
             engine);
    check_detail(engine, "invalid_input", "bundle_json");
    CHECK_RC(hk_engine_export_csv_file(engine, NULL, NULL, &rows), HK_RESULT_NULL_ARGUMENT, engine);
    check_detail(engine, "invalid_input", "path");
    CHECK_RC(hk_engine_scores(engine, NULL, NOW_DUE, NULL), HK_RESULT_NULL_ARGUMENT, engine);
    check_detail(engine, "invalid_input", "scores_json_out");
    CHECK_RC(hk_engine_rebuild_rollups(engine, NULL), HK_RESULT_NULL_ARGUMENT, engine);
    check_detail(engine, "invalid_input", "responses_out");
    CHECK_STR(out, "untouched");
    CHECK(rows == 77 && id == 77);
    check_unchanged(&engine, path, "null arguments");
}

static void test_invalid_utf8(void) {
    if (!prepare()) {
        return;
    }
    char *path = NULL;
    hk_engine *engine = open_copy(&path);
    if (engine == NULL) {
        free(path);
        return;
    }
    char *out = (char *)"untouched";
    CHECK_RC(hk_engine_sync(engine, "{\"format\":1,\"location\":\"SECRET\xff\"}", NOW_NIGHT1, &out),
             HK_RESULT_INVALID_UTF8, engine);
    check_detail(engine, "invalid_input", "batch_json");
    CHECK_CONTAINS(hk_result_name(HK_RESULT_INVALID_UTF8), "invalid_utf8");
    CHECK_RC(hk_engine_record_response(engine, "SECRET\xc3", NPS(9), NOW_DUE, &out),
             HK_RESULT_INVALID_UTF8, engine);
    check_detail(engine, "invalid_input", "token");
    CHECK_RC(hk_engine_record_response(engine, prepared_token,
                                       "{\"answers\":[{\"question\":\"comment\",\"text\":\"SECRET\x80\"}]}",
                                       NOW_DUE, &out),
             HK_RESULT_INVALID_UTF8, engine);
    check_detail(engine, "invalid_input", "answers_json");
    CHECK_RC(hk_engine_erase_customer(engine, "\xfe" "a", NOW_DUE, &out), HK_RESULT_INVALID_UTF8,
             engine);
    check_detail(engine, "invalid_input", "customer_id");
    CHECK_RC(hk_engine_scores(engine, "{\"location\":\"\xff\"}", NOW_DUE, &out),
             HK_RESULT_INVALID_UTF8, engine);
    check_detail(engine, "invalid_input", "query_json");
    CHECK_STR(out, "untouched");
    check_unchanged(&engine, path, "invalid utf-8");
}

static void test_malformed_json(void) {
    if (!prepare()) {
        return;
    }
    sync_cell("malformed batch", "{\"format\":1,\"location\":\"SECRET", NIGHT2_MS,
              HK_RESULT_INVALID_INPUT, NULL);
    sync_cell("not a date",
              "{\"format\":1,\"location\":\"paris\",\"business_dates\":[\"SECRET\"]}", NIGHT2_MS,
              HK_RESULT_INVALID_INPUT, "business_dates");
    sync_cell("unknown field",
              "{\"format\":1,\"location\":\"paris\",\"business_dates\":[\"2026-11-21\"],\"bogus\":1}",
              NIGHT2_MS, HK_RESULT_INVALID_INPUT, NULL);
    answer_cell("malformed answers", prepared_token, "{\"answers\":[SECRET", HK_RESULT_INVALID_INPUT,
                "invalid_input", NULL);

    /* The report and export doors refuse malformed queries and bundles the same way. */
    char *path = NULL;
    hk_engine *engine = open_copy(&path);
    if (engine == NULL) {
        free(path);
        return;
    }
    char *out = (char *)"untouched";
    uint64_t rows = 77;
    CHECK_RC(hk_engine_scores(engine, "{\"period\":", NOW_DUE, &out), HK_RESULT_INVALID_INPUT,
             engine);
    check_detail(engine, "invalid_input", NULL);
    CHECK_RC(hk_engine_list_feedback(engine, "{\"sort\":\"SECRET\"}", NOW_DUE, &out),
             HK_RESULT_INVALID_INPUT, engine);
    check_detail(engine, "invalid_input", NULL);
    CHECK_RC(hk_engine_import_aggregates(engine, "[SECRET]", NOW_DUE, &rows),
             HK_RESULT_INVALID_INPUT, engine);
    check_detail(engine, "invalid_input", NULL);
    char *csv = scratch_path("bad_input_never.csv");
    CHECK_RC(hk_engine_export_csv_file(engine, csv, "{\"location\":", &rows),
             HK_RESULT_INVALID_INPUT, engine);
    check_detail(engine, "invalid_input", NULL);
    CHECK(read_bytes(csv, &(size_t){0}) == NULL); /* no file was written */
    free(csv);
    CHECK_STR(out, "untouched");
    CHECK(rows == 77);
    check_unchanged(&engine, path, "malformed report queries");
}

static void test_unknown_and_duplicate_ids(void) {
    if (!prepare()) {
        return;
    }
    sync_cell("unknown location",
              "{\"format\":1,\"location\":\"SECRET-nowhere\",\"business_dates\":[\"2026-11-21\"],"
              "\"customers\":[" NIGHT2_CUSTOMER "],\"transactions\":[" NIGHT2_SALE "]}",
              NIGHT2_MS, HK_RESULT_INVALID_INPUT, "location");
    sync_cell("unknown customer",
              NIGHT2("", "{\"id\":\"t2\",\"customer\":\"SECRET-ghost\",\"kind\":\"sale\","
                         "\"amount_minor\":1000,\"currency\":\"EUR\","
                         "\"finalized_at\":\"2026-11-21T10:00:00+01:00\"}"),
              NIGHT2_MS, HK_RESULT_INVALID_INPUT, "customer");
    sync_cell("duplicate customer",
              NIGHT2(NIGHT2_CUSTOMER ",{\"id\":\"b\",\"email\":\"other@example.com\","
                                     "\"include_in_communications\":true}", NIGHT2_SALE),
              NIGHT2_MS, HK_RESULT_INVALID_INPUT, "id");
    sync_cell("duplicate transaction", NIGHT2(NIGHT2_CUSTOMER, NIGHT2_SALE "," NIGHT2_SALE),
              NIGHT2_MS, HK_RESULT_INVALID_INPUT, "id");

    char *path = NULL;
    hk_engine *engine = open_copy(&path);
    if (engine == NULL) {
        free(path);
        return;
    }
    char *out = (char *)"untouched";
    CHECK_RC(hk_engine_set_alert_status(engine, 424242, HK_ALERT_STATUS_DONE, NOW_DUE),
             HK_RESULT_NOT_FOUND, engine);
    check_detail(engine, "not_found", NULL);
    CHECK_RC(hk_engine_delete_response(engine, 424242, "admin", NOW_DUE), HK_RESULT_NOT_FOUND,
             engine);
    check_detail(engine, "not_found", NULL);
    CHECK_RC(hk_engine_erase_customer(engine, "nobody", NOW_DUE, &out), HK_RESULT_NOT_FOUND,
             engine);
    check_detail(engine, "not_found", NULL);
    CHECK_RC(hk_engine_get_customer_history(engine, "nobody", NULL, &out),
             HK_RESULT_NOT_FOUND, engine);
    check_detail(engine, "not_found", NULL);
    CHECK_RC(hk_engine_scores(engine, "{\"employee\":\"nobody\"}", NOW_DUE, &out),
             HK_RESULT_NOT_FOUND, engine);
    check_detail(engine, "not_found", NULL);
    CHECK_RC(hk_engine_period_bounds(engine, "nowhere", "{\"kind\":\"last_month\"}", NOW_DUE, &out),
             HK_RESULT_NOT_FOUND, engine);
    check_detail(engine, "not_found", NULL);
    CHECK_STR(out, "untouched");
    check_unchanged(&engine, path, "unknown ids");
}

static void test_bad_dates_and_time_zones(void) {
    if (!prepare()) {
        return;
    }
    char *path = NULL;
    hk_engine *engine = open_copy(&path);
    if (engine == NULL) {
        free(path);
        return;
    }
    char *out = (char *)"untouched";
    CHECK_RC(hk_engine_upsert_location(
                 engine, "{\"id\":\"lyon\",\"name\":\"Lyon\",\"time_zone\":\"Mars/SECRET\"}"),
             HK_RESULT_INVALID_INPUT, engine);
    check_detail(engine, "invalid_input", "time_zone");
    /* now_ms out of the range of a timestamp. */
    CHECK_RC(hk_engine_sync(engine, SETUP_BATCH, INT64_MAX, &out), HK_RESULT_INVALID_INPUT, engine);
    check_detail(engine, "invalid_input", "now_ms");
    CHECK_RC(hk_engine_scores(engine, NULL, INT64_MIN, &out), HK_RESULT_INVALID_INPUT, engine);
    check_detail(engine, "invalid_input", "now_ms");
    /* A custom period on an impossible date. */
    CHECK_RC(hk_engine_period_bounds(engine, "paris",
                                     "{\"kind\":\"custom\",\"from\":\"2026-02-30\",\"to\":\"2026-03-01\"}",
                                     NOW_DUE, &out),
             HK_RESULT_INVALID_INPUT, engine);
    check_detail(engine, "invalid_input", NULL);
    CHECK_STR(out, "untouched");
    check_unchanged(&engine, path, "bad time zone and times");

    sync_cell("future business date",
              "{\"format\":1,\"location\":\"paris\",\"business_dates\":[\"2027-01-01\"],"
              "\"customers\":[" NIGHT2_CUSTOMER "],\"transactions\":[" NIGHT2_SALE "]}",
              NIGHT2_MS, HK_RESULT_INVALID_INPUT, NULL);
    sync_cell("impossible date",
              NIGHT2("", "{\"id\":\"t9\",\"kind\":\"sale\",\"amount_minor\":1,\"currency\":\"EUR\","
                         "\"finalized_at\":\"2026-02-30T10:00:00+01:00\"}"),
              NIGHT2_MS, HK_RESULT_INVALID_INPUT, "finalized_at");
}

static void test_out_of_range_scores(void) {
    if (!prepare()) {
        return;
    }
    answer_cell("nps 11", prepared_token, NPS(11), HK_RESULT_INVALID_INPUT, "invalid_input", "score");
    answer_cell("unknown question", prepared_token,
                "{\"answers\":[{\"question\":\"bogus\",\"score\":5}]}", HK_RESULT_INVALID_INPUT,
                "invalid_input", "question");

    /* Scalar codes out of range: the bucket and the role. */
    char *path = NULL;
    hk_engine *engine = open_copy(&path);
    if (engine == NULL) {
        free(path);
        return;
    }
    char *out = (char *)"untouched";
    CHECK_RC(hk_engine_score_series(engine, NULL, 0, NOW_DUE, &out), HK_RESULT_INVALID_INPUT,
             engine);
    check_detail(engine, "invalid_input", "bucket");
    CHECK_RC(hk_engine_employee_performance(engine, NULL, 4, NOW_DUE, &out),
             HK_RESULT_INVALID_INPUT, engine);
    check_detail(engine, "invalid_input", "role");
    CHECK_STR(out, "untouched");
    /* The refused answers did not use up the link. */
    CHECK_RC(hk_engine_record_response(engine, prepared_token, NPS(11), NOW_DUE, &out),
             HK_RESULT_INVALID_INPUT, engine);
    if (CHECK_OK(hk_engine_record_response(engine, prepared_token, NPS(9), NOW_DUE, &out), engine)) {
        hk_string_free(out);
        out = NULL;
        CHECK_OK(hk_engine_nps(engine, NULL, &out), engine);
        CHECK_CONTAINS(out, "\"promoters\":1");
        hk_string_free(out);
    }
    hk_engine_free(&engine);
    free(path);
}

static void test_oversized_strings(void) {
    if (!prepare()) {
        return;
    }
    char name[400] = "";
    for (int i = 0; i < 50; i++) {
        strcat(name, "SECRET"); /* 300 characters */
    }
    char customers[600];
    snprintf(customers, sizeof customers,
             "{\"id\":\"b\",\"name\":\"%s\",\"email\":\"b@example.com\","
             "\"include_in_communications\":true}", name);
    char batch[2048];
    snprintf(batch, sizeof batch, NIGHT2("%s", NIGHT2_SALE), customers);
    sync_cell("customer name > 256", batch, NIGHT2_MS, HK_RESULT_INVALID_INPUT, "name");

    char id[130];
    memset(id, 'x', 129);
    id[129] = '\0';
    snprintf(batch, sizeof batch,
             NIGHT2(NIGHT2_CUSTOMER, "{\"id\":\"%s\",\"customer\":\"b\",\"kind\":\"sale\","
                                     "\"amount_minor\":1000,\"currency\":\"EUR\","
                                     "\"finalized_at\":\"2026-11-21T10:00:00+01:00\"}"),
             id);
    sync_cell("id > 128 bytes", batch, NIGHT2_MS, HK_RESULT_INVALID_INPUT, "id");

    size_t words = 800; /* "SECRET " x 800: 5600 characters */
    char *answers = malloc(words * 7 + 200);
    if (answers == NULL) {
        exit(2);
    }
    strcpy(answers, "{\"answers\":[{\"question\":\"recommend\",\"score\":5},"
                    "{\"question\":\"comment\",\"text\":\"");
    for (size_t i = 0; i < words; i++) {
        strcat(answers, "SECRET ");
    }
    strcat(answers, "\"}]}");
    answer_cell("comment > 5000", prepared_token, answers, HK_RESULT_INVALID_INPUT, "invalid_input",
                NULL);
    free(answers);

    /* A JSON document over 64 MiB is refused before it is parsed. */
    size_t big_len = (size_t)64 * 1024 * 1024 + 8;
    char *big = malloc(big_len + 1);
    if (big == NULL) {
        exit(2);
    }
    memset(big, ' ', big_len);
    big[0] = '[';
    big[big_len - 1] = ']';
    big[big_len] = '\0';
    sync_cell("JSON > 64 MiB", big, NIGHT2_MS, HK_RESULT_INVALID_INPUT, NULL);
    free(big);
}

static void test_unknown_tokens(void) {
    if (!prepare()) {
        return;
    }
    answer_cell("unknown token", "0123456789abcdef0123456789abcdef", NPS(9), HK_RESULT_NOT_FOUND,
                "not_found", NULL);
    answer_cell("malformed token", "SECRET", NPS(9), HK_RESULT_INVALID_INPUT, "invalid_input",
                "token");

    char *path = NULL;
    hk_engine *engine = open_copy(&path);
    if (engine == NULL) {
        free(path);
        return;
    }
    char *out = (char *)"untouched";
    CHECK_RC(hk_engine_unsubscribe_by_token(engine, "fedcba9876543210fedcba9876543210", NOW_DUE,
                                            &out),
             HK_RESULT_NOT_FOUND, engine);
    check_detail(engine, "not_found", NULL);
    CHECK_RC(hk_engine_unsubscribe_by_token(engine, "SECRET", NOW_DUE, &out),
             HK_RESULT_INVALID_INPUT, engine);
    check_detail(engine, "invalid_input", NULL);
    CHECK_RC(hk_engine_survey_page(engine, "SECRET", NULL, NOW_DUE, &out), HK_RESULT_INVALID_INPUT,
             engine);
    check_detail(engine, "invalid_input", "token");
    CHECK_STR(out, "untouched");
    check_unchanged(&engine, path, "unknown tokens");

    /* A used link: the second answer is a conflict and changes nothing. */
    engine = open_copy(&path);
    if (engine == NULL) {
        free(path);
        return;
    }
    if (CHECK_OK(hk_engine_record_response(engine, prepared_token, NPS(9), NOW_DUE, &out), engine)) {
        hk_string_free(out);
    }
    hk_engine_free(&engine);
    size_t used_len = 0;
    unsigned char *used = read_bytes(path, &used_len);
    CHECK_OK(hk_engine_open(path, HK_JOURNAL_ROLLBACK, 0, &engine, NULL), NULL);
    out = (char *)"untouched";
    CHECK_RC(hk_engine_record_response(engine, prepared_token, NPS(3), NOW_DUE, &out),
             HK_RESULT_CONFLICT, engine);
    check_detail(engine, "conflict", NULL);
    CHECK_STR(out, "untouched");
    hk_engine_free(&engine);
    size_t after_len = 0;
    unsigned char *after = read_bytes(path, &after_len);
    CHECK(used != NULL && after != NULL && used_len == after_len &&
          memcmp(used, after, used_len) == 0);
    free(used);
    free(after);
    free(path);
}

/* T3: the ends of the one range of instants (1970-01-01T00:00:00.000Z to
 * 9999-12-31T23:59:59.999Z) and one millisecond beyond them, through every kind of C call. */
#define T3_MIN INT64_C(0)
#define T3_MAX INT64_C(253402300799999)

/* Frees a string output if the call wrote one. */
static void t3_free(hk_result rc, char **out) {
    if (rc == HK_OK && *out != NULL) {
        hk_string_free(*out);
    }
    *out = NULL;
}

/* In range: no panic, no internal or storage failure. Beyond: invalid input naming now_ms. */
static void t3_check(hk_engine *engine, const char *call, hk_result rc, int inside) {
    if (inside) {
        if (!CHECK(rc != HK_RESULT_PANIC && rc != HK_RESULT_INTERNAL && rc != HK_RESULT_STORAGE)) {
            fprintf(stderr, "      %s: rc %d\n", call, (int)rc);
        }
    } else {
        if (!CHECK(rc == HK_RESULT_INVALID_INPUT)) {
            fprintf(stderr, "      %s: rc %d, want invalid input\n", call, (int)rc);
        }
        check_detail(engine, "invalid_input", "now_ms");
    }
}

static void test_t3_instant_range_ends(void) {
    if (!prepare()) {
        return;
    }
    const int64_t inside[] = {T3_MIN, T3_MIN + 1, T3_MAX - 1, T3_MAX,
                              INT64_C(1774746000000) /* Paris springs forward */};
    const int64_t outside[] = {T3_MIN - 1, T3_MAX + 1, INT64_MIN, INT64_MAX};
    for (int pass = 0; pass < 2; pass++) {
        size_t n = pass == 0 ? sizeof inside / sizeof *inside : sizeof outside / sizeof *outside;
        for (size_t i = 0; i < n; i++) {
            int64_t now = pass == 0 ? inside[i] : outside[i];
            char *path = NULL;
            hk_engine *engine = open_copy(&path);
            if (engine == NULL) {
                free(path);
                return;
            }
            char *out = NULL;
            int64_t at = 0;
            hk_result rc;
#define T3_STR(call, expr)                                                                         \
    rc = (expr);                                                                                   \
    t3_check(engine, call, rc, pass == 0);                                                         \
    t3_free(rc, &out)
            T3_STR("sync", hk_engine_sync(engine, SETUP_BATCH, now, &out));
            T3_STR("sync_window", hk_engine_sync_window(engine, "paris", now, &out));
            rc = hk_engine_next_sync_at(engine, "paris", now, &at);
            t3_check(engine, "next_sync_at", rc, pass == 0);
            T3_STR("claim", hk_engine_claim(engine, 10, now, &out));
            T3_STR("explain", hk_engine_explain(engine, "a", now, &out));
            T3_STR("survey_page", hk_engine_survey_page(engine, prepared_token, NULL, now, &out));
            T3_STR("record_response",
                   hk_engine_record_response(engine, prepared_token, NPS(3), now, &out));
            T3_STR("mint_receipt_link", hk_engine_mint_receipt_link(engine, "paris", NULL, now, &out));
            T3_STR("scores", hk_engine_scores(engine, NULL, now, &out));
            for (uint32_t b = HK_BUCKET_DAY; b <= HK_BUCKET_MONTH; b++) {
                T3_STR("score_series", hk_engine_score_series(engine, NULL, b, now, &out));
            }
            T3_STR("response_rate", hk_engine_response_rate(engine, NULL, now, &out));
            T3_STR("review_funnel", hk_engine_review_funnel(engine, NULL, now, &out));
            T3_STR("employee_performance",
                   hk_engine_employee_performance(engine, NULL, HK_ROLE_ALL, now, &out));
            T3_STR("period_bounds", hk_engine_period_bounds(engine, "paris",
                                                            "{\"kind\":\"current_month\"}", now, &out));
            T3_STR("list_feedback", hk_engine_list_feedback(engine, NULL, now, &out));
            T3_STR("export_aggregates", hk_engine_export_aggregates(engine, "s1", now, &out));
            T3_STR("compare_nps", hk_engine_compare_nps(engine, NULL, now, &out));
#undef T3_STR
            hk_engine_free(&engine);
            free(path);
        }
    }
    /* A row stored at each end of the range never makes a later report fail. */
    char *path = NULL;
    hk_engine *engine = open_copy(&path);
    if (engine == NULL) {
        free(path);
        return;
    }
    int64_t id = 0;
    const int64_t ends[] = {T3_MIN, T3_MAX};
    for (size_t i = 0; i < 2; i++) {
        CHECK_OK(hk_engine_record_feedback(engine,
                                           "{\"location\":\"paris\",\"sentiment\":\"negative\"}",
                                           ends[i], &id),
                 engine);
    }
    char *out = NULL;
    for (size_t i = 0; i < 2; i++) {
        for (uint32_t b = HK_BUCKET_DAY; b <= HK_BUCKET_MONTH; b++) {
            if (CHECK_OK(hk_engine_score_series(engine, NULL, b, ends[i], &out), engine)) {
                hk_string_free(out);
            }
        }
        if (CHECK_OK(hk_engine_scores(engine, NULL, NOW_DUE, &out), engine)) {
            hk_string_free(out);
        }
    }
    hk_engine_free(&engine);
    free(path);
}

/* T6: duplicate keys, padded dates, numbers out of range and unknown keys are invalid input
 * naming the field (or the record holding an unknown key), never echoing what was sent. */
static void test_t6_strict_json(void) {
    if (!prepare()) {
        return;
    }
    sync_cell("duplicate key",
              "{\"format\":1,\"location\":\"paris\",\"location\":\"SECRET\","
              "\"business_dates\":[\"2026-11-21\"]}",
              NIGHT2_MS, HK_RESULT_INVALID_INPUT, "location");
    sync_cell("duplicate nested key",
              NIGHT2(NIGHT2_CUSTOMER,
                     "{\"id\":\"t9\",\"kind\":\"sale\",\"amount_minor\":1,\"currency\":\"EUR\","
                     "\"customer\":\"b\",\"customer\":\"SECRET\"}"),
              NIGHT2_MS, HK_RESULT_INVALID_INPUT, "customer");
    sync_cell("padded date",
              "{\"format\":1,\"location\":\"paris\",\"business_dates\":[\"2026-11-21 \"]}",
              NIGHT2_MS, HK_RESULT_INVALID_INPUT, "business_dates");
    sync_cell("number out of range",
              NIGHT2(NIGHT2_CUSTOMER,
                     "{\"id\":\"t9\",\"kind\":\"sale\",\"amount_minor\":1e999,\"currency\":\"EUR\"}"),
              NIGHT2_MS, HK_RESULT_INVALID_INPUT, "amount_minor");
    sync_cell("unknown key",
              "{\"format\":1,\"location\":\"paris\",\"business_dates\":[\"2026-11-21\"],"
              "\"SECRET\":1}",
              NIGHT2_MS, HK_RESULT_INVALID_INPUT, "batch");
    /* A dotted key is dropped whole: no part of it up to a dot is echoed. */
    sync_cell("unknown key with dots",
              "{\"format\":1,\"location\":\"paris\",\"business_dates\":[\"2026-11-21\"],"
              "\"SECRET.doe@SECRET.example.com\":1}",
              NIGHT2_MS, HK_RESULT_INVALID_INPUT, "batch");
    sync_cell("unknown key with dots in a record",
              NIGHT2(NIGHT2_CUSTOMER,
                     "{\"id\":\"t9\",\"kind\":\"sale\",\"amount_minor\":1,\"currency\":\"EUR\","
                     "\"jane.SECRET@example.com\":1}"),
              NIGHT2_MS, HK_RESULT_INVALID_INPUT, "transactions");
    sync_cell("finalized_at beyond the range",
              NIGHT2(NIGHT2_CUSTOMER,
                     "{\"id\":\"t9\",\"kind\":\"sale\",\"amount_minor\":1,\"currency\":\"EUR\","
                     "\"finalized_at\":\"1969-12-31T23:59:59Z\"}"),
              NIGHT2_MS, HK_RESULT_INVALID_INPUT, "finalized_at");
}

static void finish_bad_input(void) {
    free(prepared_path);
    free(prepared_bytes);
    prepared_path = NULL;
    prepared_bytes = NULL;
}

void bad_input_tests(void) {
    run_case("bad input: NULL engine, strings and out-parameters", test_null_arguments);
    run_case("bad input: invalid UTF-8", test_invalid_utf8);
    run_case("bad input: malformed JSON", test_malformed_json);
    run_case("bad input: unknown and duplicate ids", test_unknown_and_duplicate_ids);
    run_case("bad input: bad dates, times and time zones", test_bad_dates_and_time_zones);
    run_case("bad input: out-of-range scores and codes", test_out_of_range_scores);
    run_case("bad input: oversized strings and documents", test_oversized_strings);
    run_case("bad input: unknown and malformed tokens", test_unknown_tokens);
    run_case("bad input: T3 instants at and beyond the range ends", test_t3_instant_range_ends);
    run_case("bad input: T6 duplicate keys, unknown keys, padded dates, numbers out of range",
             test_t6_strict_json);
    finish_bad_input();
}
