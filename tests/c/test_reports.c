/* Reports, exports and erasure through the C door (issues 8 and 9): the numbers of
 * tests/reports.rs (N2 NPS by employee credited per role, X4 employee performance, series by
 * day), the comparison bundle exported by one engine and imported by another, response rate
 * (N5), the customer history and the unsubscribe report (F4), the X1 CSV and X2 xlsx files,
 * and erasure (the customer's name and e-mail gone from the CSV, the NPS unchanged). */
/* hk_engine_nps and hk_engine_ratings are deprecated (hk_engine_scores reads the rollups)
 * but must keep working: this file still calls them. */
#define HK_NO_DEPRECATION_WARNINGS
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"

#define ANSWERED_AT INT64_C(1795262400000) /* 2026-11-21T12:00:00Z */
#define REPORT_NOW INT64_C(1797336000000)  /* 2026-12-15T12:00:00Z */
#define PARIS "{\"id\":\"paris\",\"name\":\"Boutique Paris\",\"time_zone\":\"Europe/Paris\"}"
#define STAFF_BATCH                                                                          \
    "{\"format\":1,\"location\":\"paris\",\"business_dates\":[\"2026-11-20\"],"             \
    "\"employees\":[{\"id\":\"sal\",\"name\":\"Name of sal\",\"role\":\"salesperson\"},"    \
    "{\"id\":\"tech\",\"name\":\"Name of tech\",\"role\":\"technician\"},"                  \
    "{\"id\":\"drv\",\"name\":\"Name of drv\",\"role\":\"driver\"}],"                       \
    "\"transactions\":[{\"id\":\"t1\",\"kind\":\"sale\",\"amount_minor\":1000,"             \
    "\"currency\":\"EUR\",\"finalized_at\":\"2026-11-20T10:00:00+01:00\","                  \
    "\"employees\":[\"sal\",\"tech\",\"drv\"]},"                                            \
    "{\"id\":\"t2\",\"kind\":\"sale\",\"amount_minor\":1000,\"currency\":\"EUR\","          \
    "\"finalized_at\":\"2026-11-20T11:00:00+01:00\",\"employees\":[\"sal\"]}]}"
#define NPS(score) "{\"answers\":[{\"question\":\"recommend\",\"score\":" #score "}]}"

/* An in-memory engine with Paris and the staff night synced. */
static hk_engine *staff_engine(void) {
    hk_engine *engine = NULL;
    if (!CHECK_OK(hk_engine_open_in_memory(&engine, NULL), NULL)) {
        return NULL;
    }
    CHECK_OK(hk_engine_upsert_location(engine, PARIS), engine);
    char *report = NULL;
    CHECK_OK(hk_engine_sync(engine, STAFF_BATCH, NOW_NIGHT1, &report), engine);
    hk_string_free(report);
    return engine;
}

/* Answers `answers` through a new receipt link for `transaction` at ANSWERED_AT. */
static void receipt(hk_engine *engine, const char *transaction, const char *answers) {
    char *link = NULL;
    if (!CHECK_OK(hk_engine_mint_receipt_link(engine, "paris", transaction, ANSWERED_AT, &link),
                  engine)) {
        return;
    }
    const char *url = strstr(link, "\"url\":\"");
    char token[128] = "";
    if (CHECK(url != NULL)) {
        const char *end = strchr(url + 7, '"');
        const char *slash = url + 7;
        for (const char *p = url + 7; p < end; p++) {
            if (*p == '/') {
                slash = p + 1;
            }
        }
        snprintf(token, sizeof token, "%.*s", (int)(end - slash), slash);
    }
    hk_string_free(link);
    char *outcome = NULL;
    CHECK_OK(hk_engine_record_response(engine, token, answers, ANSWERED_AT, &outcome), engine);
    hk_string_free(outcome);
}

/* Runs a report and checks that its JSON contains each of `wants` (NULL-terminated). */
static void check_json(hk_result rc, hk_engine *engine, char **slot, const char *const *wants) {
    char *json = *slot; /* read after the call: the result is an argument */
    *slot = NULL;
    if (CHECK_OK(rc, engine)) {
        for (; *wants != NULL; wants++) {
            if (!CHECK_CONTAINS(json, *wants)) {
                fprintf(stderr, "      json: %s\n      want: %s\n", json, *wants);
            }
        }
    }
    hk_string_free(json);
}

static void test_n2_nps_by_employee_credits_every_role(void) {
    hk_engine *engine = staff_engine();
    if (engine == NULL) {
        return;
    }
    receipt(engine, "t1", NPS(10));
    receipt(engine, "t2", NPS(3));
    char *json = NULL;
    const char *one[] = {"\"responses\":1", "\"promoters\":1", "\"nps\":100.0", NULL};
    json = NULL;
    check_json(hk_engine_scores(engine, "{\"employee\":\"tech\"}", REPORT_NOW, &json), engine, &json,
               one);
    json = NULL;
    check_json(hk_engine_scores(engine, "{\"employee\":\"drv\"}", REPORT_NOW, &json), engine, &json,
               one);
    const char *sal[] = {"\"responses\":2", "\"promoters\":1", "\"detractors\":1", "\"nps\":0.0",
                         NULL};
    json = NULL;
    check_json(hk_engine_scores(engine, "{\"employee\":\"sal\"}", REPORT_NOW, &json), engine, &json,
               sal);
    const char *all[] = {"\"responses\":2", "\"nps\":0.0", NULL};
    json = NULL;
    check_json(hk_engine_scores(engine, NULL, REPORT_NOW, &json), engine, &json, all);
    /* Series by day: one bucket, the local day of the answers. */
    const char *series[] = {"[{\"label\":\"2026-11-21\"", "\"responses\":2", NULL};
    json = NULL;
    check_json(hk_engine_score_series(engine, NULL, HK_BUCKET_DAY, REPORT_NOW, &json), engine, &json,
               series);
    json = NULL;
    CHECK_RC(hk_engine_scores(engine, "{\"employee\":\"nobody\"}", REPORT_NOW, &json),
             HK_RESULT_NOT_FOUND, engine);
    hk_engine_free(&engine);
}

static void test_x4_employee_performance_and_the_comparison(void) {
    hk_engine *engine = staff_engine();
    if (engine == NULL) {
        return;
    }
    receipt(engine, "t1", NPS(10));
    receipt(engine, "t1", NPS(8));
    receipt(engine, "t2", NPS(0));
    char *json = NULL;
    const char *rows[] = {
        "[{\"employee\":\"drv\",\"name\":\"Name of drv\",\"role\":\"driver\","
        "\"scores\":{\"responses\":2",
        "{\"employee\":\"sal\",\"name\":\"Name of sal\",\"role\":\"salesperson\","
        "\"scores\":{\"responses\":3",
        "{\"employee\":\"tech\",\"name\":\"Name of tech\",\"role\":\"technician\","
        "\"scores\":{\"responses\":2",
        NULL};
    check_json(hk_engine_employee_performance(engine, NULL, HK_ROLE_ALL, REPORT_NOW, &json), engine,
               &json, rows);
    json = NULL;
    if (CHECK_OK(hk_engine_employee_performance(engine, NULL, HK_ROLE_DRIVER, REPORT_NOW, &json),
                 engine)) {
        CHECK_CONTAINS(json, "\"nps\":50.0");
        CHECK(strstr(json, "\"sal\"") == NULL);
    }
    hk_string_free(json);

    /* The bundle exported here, imported by another store, compared there. */
    char *bundle = NULL;
    if (CHECK_OK(hk_engine_export_aggregates(engine, "store A", REPORT_NOW, &bundle), engine)) {
        CHECK(strstr(bundle, "paris") == NULL); /* no host id leaves the store */
        hk_engine *other = staff_engine();
        uint64_t imported = 0;
        if (other != NULL &&
            CHECK_OK(hk_engine_import_aggregates(other, bundle, REPORT_NOW, &imported), other)) {
            CHECK(imported == 1);
            const char *cmp[] = {"\"peer_stores\":1", "\"peers\":{\"promoters\":1,\"passives\":1,"
                                                      "\"detractors\":1,\"nps\":0.0}", NULL};
            json = NULL;
            check_json(hk_engine_compare_nps(other, NULL, REPORT_NOW, &json), other, &json, cmp);
        }
        hk_engine_free(&other);
    }
    hk_string_free(bundle);
    uint64_t counted = 0;
    CHECK_OK(hk_engine_rebuild_rollups(engine, &counted), engine);
    CHECK(counted == 3);
    hk_engine_free(&engine);
}

static int file_starts_with(const char *path, const char *prefix, size_t n) {
    char buf[512] = {0};
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return 0;
    }
    size_t got = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    return got >= n && memcmp(buf, prefix, n) == 0;
}

static void test_exports_history_unsubscribes_and_erasure(void) {
    hk_engine *engine = open_golden_engine("reports_export.db");
    if (engine == NULL) {
        return;
    }
    char *batch = read_golden("night1.batch.json");
    char *json = NULL;
    CHECK_OK(hk_engine_sync(engine, batch, NOW_NIGHT1, &json), engine);
    hk_string_free(json);
    free(batch);
    json = NULL;
    hk_message_batch *messages = NULL;
    char token[64] = "", customer[64] = "";
    if (CHECK_OK(hk_engine_claim(engine, 10, NOW_DUE, &json), engine) &&
        CHECK_OK(hk_message_batch_parse(json, &messages, NULL), NULL)) {
        for (uint32_t i = 0; i < hk_message_batch_count(messages); i++) {
            CHECK_OK(hk_engine_ack(engine, hk_message_batch_message_id(messages, i), NOW_DUE), engine);
            if (strcmp(hk_message_batch_channel(messages, i) == HK_CHANNEL_EMAIL ? "e" : "s", "e") == 0 &&
                customer[0] == '\0') {
                snprintf(customer, sizeof customer, "%s", hk_message_batch_customer(messages, i));
                const char *link = hk_message_batch_survey_link(messages, i);
                snprintf(token, sizeof token, "%s", strrchr(link, '/') + 1);
            }
        }
    }
    hk_message_batch_free(&messages);
    hk_string_free(json);
    json = NULL;
    CHECK_OK(hk_engine_record_response(
                 engine, token,
                 "{\"answers\":[{\"question\":\"recommend\",\"score\":9},"
                 "{\"question\":\"comment\",\"text\":\"Très bon accueil\"}]}",
                 NOW_DUE, &json),
             engine);
    hk_string_free(json);

    /* N5: one of the two delivered invitations answered. */
    const char *rate[] = {"\"delivered\":2", "\"answered\":1", "\"rate\":0.5", NULL};
    json = NULL;
    check_json(hk_engine_response_rate(engine, NULL, REPORT_NOW, &json), engine, &json, rate);
    const char *funnel[] = {"\"responses\":1", "\"promoters\":1", NULL};
    json = NULL;
    check_json(hk_engine_review_funnel(engine, NULL, REPORT_NOW, &json), engine, &json, funnel);
    const char *list[] = {"\"total\":1", "\"comment\":\"Très bon accueil\"", NULL};
    json = NULL;
    check_json(hk_engine_list_feedback(engine, "{\"sort\":\"lowest\"}", REPORT_NOW, &json), engine,
               &json, list);
    /* F4: the history, and Dana's unsubscribe (golden step 2). */
    const char *history[] = {"\"answered\":true", NULL};
    json = NULL;
    check_json(hk_engine_get_customer_history(engine, customer, NULL, &json), engine, &json, history);
    const char *unsubscribes[] = {"\"kind\":\"email\"", "\"contact\":\"dana@example.com\"", NULL};
    json = NULL;
    check_json(hk_engine_list_unsubscribes(engine, NULL, REPORT_NOW, &json), engine, &json,
               unsubscribes);
    const char *customers[] = {"\"total\":", NULL};
    json = NULL;
    check_json(hk_engine_list_customers(engine, "{\"subscription\":\"subscribed\"}", &json), engine,
               &json, customers);
    const char *bounds[] = {"\"first_day\":\"2026-11-01\"", "\"last_day\":\"2026-11-30\"",
                            "\"starts_at\":\"2026-10-31T23:00:00Z\"", NULL};
    json = NULL;
    check_json(hk_engine_period_bounds(engine, "paris", "{\"kind\":\"last_month\"}", REPORT_NOW,
                                       &json),
               engine, &json, bounds);

    /* X1 and X2 files. */
    char *csv = scratch_path("reports_export.csv");
    char *xlsx = scratch_path("reports_export.xlsx");
    uint64_t rows = 0;
    CHECK_OK(hk_engine_export_csv_file(engine, csv, NULL, &rows), engine);
    CHECK(rows == 1);
    const char header[] = "\xEF\xBB\xBF" "Date,Time,Conversation ID,Comment ID,Transaction ID,"
                          "Customer ID,Customer Name,Customer Reference ID,Channel,Location,"
                          "Author,Sentiment,Facet,Comment\r\n";
    if (!CHECK(file_starts_with(csv, header, strlen(header) - 2))) {
        char *text = read_text(csv);
        fprintf(stderr, "      csv: %s\n", text);
        free(text);
    }
    char *before = read_text(csv);
    CHECK_CONTAINS(before, "Très bon accueil");
    json = NULL;
    if (CHECK_OK(hk_engine_export_xlsx_file(engine, xlsx, "{\"location\":\"paris\"}", &json),
                 engine)) {
        CHECK_CONTAINS(json, "\"comments\":1");
        CHECK(file_starts_with(xlsx, "PK", 2));
    }
    hk_string_free(json);

    /* Erasure: the NPS does not move; the name, the e-mail and the comment leave the CSV. */
    char *nps_before = NULL, *nps_after = NULL;
    CHECK_OK(hk_engine_nps(engine, NULL, &nps_before), engine);
    json = NULL;
    const char *erased[] = {"\"responses_kept\":1", "\"texts_removed\":1", NULL};
    check_json(hk_engine_erase_customer(engine, customer, REPORT_NOW, &json), engine, &json, erased);
    CHECK_OK(hk_engine_nps(engine, NULL, &nps_after), engine);
    CHECK_STR(nps_after, nps_before);
    CHECK_OK(hk_engine_export_csv_file(engine, csv, NULL, &rows), engine);
    char *after = read_text(csv);
    CHECK(strstr(after, "Très bon accueil") == NULL);
    CHECK(strstr(after, "Amélie") == NULL);
    CHECK(strstr(after, "@example") == NULL);
    CHECK(strstr(before, "Amélie") != NULL || strstr(before, customer) != NULL);
    free(before);
    free(after);
    hk_string_free(nps_before);
    hk_string_free(nps_after);
    free(csv);
    free(xlsx);
    hk_engine_free(&engine);
}

void reports_tests(void) {
    run_case("reports: N2 NPS by employee credits every role, series by day",
             test_n2_nps_by_employee_credits_every_role);
    run_case("reports: X4 employee performance, compare bundle export -> import",
             test_x4_employee_performance_and_the_comparison);
    run_case("reports: N5, funnel, feedback list, F4, X3, X1/X2 files, erasure",
             test_exports_history_unsubscribes_and_erasure);
}
