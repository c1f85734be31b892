/* Trust through the C door: export files written under a fresh temporary name and renamed
 * into place (T4: a link at the target is replaced, never followed; a 255-byte name works;
 * nothing left behind), formula text in the CSV quoted (T9), an unsubscribe through a
 * contact that a new e-mail does not undo (E3), explain's cooldown read on the
 * location's local date (E4), and a batch synced twice changing nothing (E8, T12). */
#include "harness.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests.h"

#define NIGHT_19 INT64_C(1795125600000)       /* 2026-11-19T22:00:00Z */
#define UNSUBSCRIBED_AT INT64_C(1795161600000) /* 2026-11-20T08:00:00Z */
#define SEOUL_22 INT64_C(1795356000000)       /* 2026-11-22T14:00:00Z */
#define TORONTO_NIGHT INT64_C(1795233600000)  /* 2026-11-21T04:00:00Z: 23:00 in Toronto */
#define TORONTO_19H INT64_C(1803081600000)    /* 2027-02-20T00:00:00Z: 19:00 on the 19th */
#define TORONTO_MIDNIGHT INT64_C(1803099600000) /* 2027-02-20T05:00:00Z */
#define FEEDBACK_AT INT64_C(1795251600000)    /* 2026-11-21T09:00:00Z */

#define LOCATION(id, name, tz)                                                               \
    "{\"id\":\"" id "\",\"name\":\"" name "\",\"time_zone\":\"" tz "\"}"
#define C1_BATCH(location, date, email, t, finalized)                                        \
    "{\"format\":1,\"location\":\"" location "\",\"business_dates\":[\"" date "\"],"         \
    "\"customers\":[{\"id\":\"c1\",\"email\":\"" email "\","                                 \
    "\"include_in_communications\":true}],"                                                  \
    "\"transactions\":[{\"id\":\"" t "\",\"customer\":\"c1\",\"kind\":\"sale\","            \
    "\"amount_minor\":1000,\"currency\":\"EUR\",\"finalized_at\":\"" finalized "\"}]}"

/* An in-memory engine with the given location. */
static hk_engine *engine_with(const char *location_json) {
    hk_engine *engine = NULL;
    if (!CHECK_OK(hk_engine_open_in_memory(&engine, NULL), NULL)) {
        return NULL;
    }
    CHECK_OK(hk_engine_upsert_location(engine, location_json), engine);
    return engine;
}

/* Syncs `batch` and returns the report JSON (malloc'd by hearken). */
static char *sync(hk_engine *engine, const char *batch, int64_t now) {
    char *report = NULL;
    CHECK_OK(hk_engine_sync(engine, batch, now, &report), engine);
    return report;
}

/* Entries of `dir` whose name starts with ".hearken-". */
static int temporaries(const char *dir) {
    int n = 0;
    DIR *d = opendir(dir);
    if (d == NULL) {
        return -1;
    }
    for (struct dirent *e = readdir(d); e != NULL; e = readdir(d)) {
        if (strncmp(e->d_name, ".hearken-", 9) == 0) {
            n++;
        }
    }
    closedir(d);
    return n;
}

static void t4_export_files_replace_a_link_never_follow_it_and_take_255_byte_names(void) {
    hk_engine *engine = engine_with(LOCATION("paris", "Boutique Paris", "Europe/Paris"));
    int64_t id = 0;
    CHECK_OK(hk_engine_record_feedback(
                 engine,
                 "{\"location\":\"paris\",\"sentiment\":\"positive\",\"comment\":\"Très bien\"}",
                 FEEDBACK_AT, &id),
             engine);
    char *dir = scratch_path("t4");
    CHECK(mkdir(dir, 0700) == 0);
    char victim[4200], target[4200], longname[4400];
    snprintf(victim, sizeof victim, "%s/victim.txt", dir);
    snprintf(target, sizeof target, "%s/feedback.csv", dir);
    FILE *f = fopen(victim, "w");
    if (CHECK(f != NULL)) {
        fputs("precious", f);
        fclose(f);
    }
    CHECK(symlink(victim, target) == 0);
    uint64_t rows = 0;
    CHECK_OK(hk_engine_export_csv_file(engine, target, NULL, &rows), engine);
    CHECK(rows == 1);
    char *kept = read_text(victim);
    CHECK_STR(kept, "precious");
    free(kept);
    struct stat st;
    CHECK(lstat(target, &st) == 0 && S_ISREG(st.st_mode));
    char *csv = read_text(target);
    CHECK_CONTAINS(csv, "Très bien");
    free(csv);

    /* 251 characters + ".csv" = 255 bytes, the longest name a Linux file system takes. */
    char name[256];
    memset(name, 'a', 251);
    memcpy(name + 251, ".csv", 5);
    snprintf(longname, sizeof longname, "%s/%s", dir, name);
    CHECK_OK(hk_engine_export_csv_file(engine, longname, NULL, &rows), engine);
    CHECK(access(longname, F_OK) == 0);
    char *summary = NULL;
    memcpy(name + 250, ".xlsx", 6);
    snprintf(longname, sizeof longname, "%s/%s", dir, name);
    CHECK_OK(hk_engine_export_xlsx_file(engine, longname, NULL, &summary), engine);
    hk_string_free(summary);
    summary = NULL;
    /* A failed export leaves no temporary and the earlier file. */
    CHECK_RC(hk_engine_export_xlsx_file(engine, longname, "{\"location\":\"lyon\"}", &summary),
             HK_RESULT_NOT_FOUND, engine);
    CHECK(summary == NULL);
    CHECK(access(longname, F_OK) == 0);
    CHECK(temporaries(dir) == 0);
    free(dir);
    hk_engine_free(&engine);
}

static void t9_csv_cells_starting_like_a_formula_get_a_leading_quote(void) {
    hk_engine *engine = engine_with(LOCATION("paris", "+Paris", "Europe/Paris"));
    CHECK_OK(hk_engine_upsert_location(engine, LOCATION("lyon", "@Lyon", "Europe/Paris")),
             engine);
    int64_t id = 0;
    CHECK_OK(hk_engine_record_feedback(engine,
                                       "{\"location\":\"paris\",\"sentiment\":\"negative\","
                                       "\"comment\":\"=HYPERLINK(1)\"}",
                                       FEEDBACK_AT, &id),
             engine);
    CHECK_OK(hk_engine_record_feedback(engine,
                                       "{\"location\":\"lyon\",\"sentiment\":\"negative\","
                                       "\"comment\":\"-1+1\\tx\"}",
                                       FEEDBACK_AT, &id),
             engine);
    char *path = scratch_path("t9.csv");
    uint64_t rows = 0;
    CHECK_OK(hk_engine_export_csv_file(engine, path, NULL, &rows), engine);
    char *csv = read_text(path);
    CHECK_CONTAINS(csv, ",'+Paris,");
    CHECK_CONTAINS(csv, ",'@Lyon,");
    CHECK_CONTAINS(csv, ",'=HYPERLINK(1)\r\n");
    CHECK_CONTAINS(csv, ",'-1+1\tx\r\n");
    CHECK(strstr(csv, ",=HYPERLINK") == NULL);
    free(csv);
    free(path);
    hk_engine_free(&engine);
}

static void e3_unsubscribe_by_contact_holds_after_the_customer_changes_email(void) {
    hk_engine *engine = engine_with(LOCATION("paris", "Boutique Paris", "Europe/Paris"));
    CHECK_OK(hk_engine_upsert_location(engine, LOCATION("seoul", "Seoul", "Asia/Seoul")), engine);
    hk_string_free(sync(engine,
                        C1_BATCH("paris", "2026-11-19", "old@example.com", "t0",
                                 "2026-11-19T10:00:00+01:00"),
                        NIGHT_19));
    CHECK_OK(hk_engine_unsubscribe_contact(engine, " OLD@example.com", UNSUBSCRIBED_AT), engine);
    char *report = sync(engine,
                        C1_BATCH("seoul", "2026-11-22", "new@example.com", "t1",
                                 "2026-11-22T15:00:00+09:00"),
                        SEOUL_22);
    CHECK_CONTAINS(report, "\"reason\":\"unsubscribed\"");
    CHECK_CONTAINS(report, "\"invitations\":[]");
    hk_string_free(report);
    char *x = NULL;
    CHECK_OK(hk_engine_explain(engine, "c1", SEOUL_22, &x), engine);
    CHECK_CONTAINS(x, "\"unsubscribed\":true");
    hk_string_free(x);
    hk_engine_free(&engine);
}

static void e4_explain_reads_the_cooldown_on_the_locations_date(void) {
    hk_engine *engine = engine_with(LOCATION("toronto", "Toronto", "America/Toronto"));
    char *report = sync(engine,
                        C1_BATCH("toronto", "2026-11-20", "c1@example.com", "t1",
                                 "2026-11-20T12:00:00-05:00"),
                        TORONTO_NIGHT);
    CHECK_CONTAINS(report, "\"transaction\":\"t1\"");
    hk_string_free(report);
    /* 19:00 in Toronto on Feb 19 is Feb 20 in UTC: still the last day of the cooldown. */
    char *x = NULL;
    CHECK_OK(hk_engine_explain(engine, "c1", TORONTO_19H, &x), engine);
    CHECK_CONTAINS(x, "\"eligible_again_on\":\"2027-02-20\"");
    hk_string_free(x);
    x = NULL;
    CHECK_OK(hk_engine_explain(engine, "c1", TORONTO_MIDNIGHT, &x), engine);
    CHECK_CONTAINS(x, "\"eligible_again_on\":null");
    hk_string_free(x);
    hk_engine_free(&engine);
}

/* A sale with two employees (listed out of order), another sale and its refund. */
#define RERUN_BATCH                                                                          \
    "{\"format\":1,\"location\":\"paris\",\"business_dates\":[\"2026-11-19\"],"          \
    "\"customers\":[{\"id\":\"c1\",\"email\":\"c1@example.com\","                       \
    "\"include_in_communications\":true},{\"id\":\"c2\",\"email\":\"c2@example.com\","  \
    "\"include_in_communications\":true}],"                                                 \
    "\"employees\":[{\"id\":\"sal\",\"name\":\"Sal\",\"role\":\"salesperson\"},"         \
    "{\"id\":\"tech\",\"name\":\"Tech\",\"role\":\"technician\"}],"                      \
    "\"transactions\":[{\"id\":\"t1\",\"customer\":\"c1\",\"employees\":[\"tech\",\"sal\"]," \
    "\"kind\":\"sale\",\"amount_minor\":1000,\"currency\":\"EUR\","                       \
    "\"finalized_at\":\"2026-11-19T10:00:00+01:00\"},"                                     \
    "{\"id\":\"t2\",\"customer\":\"c2\",\"employees\":[\"sal\"],\"kind\":\"sale\","         \
    "\"amount_minor\":1000,\"currency\":\"EUR\",\"finalized_at\":\"2026-11-19T11:00:00+01:00\"}," \
    "{\"id\":\"r2\",\"customer\":\"c2\",\"kind\":\"refund\",\"refers_to\":\"t2\","         \
    "\"amount_minor\":-1000,\"currency\":\"EUR\","                                        \
    "\"finalized_at\":\"2026-11-19T12:00:00+01:00\"}]}"

/* E8, T12: the same batch synced again (an hour later) creates and updates nothing: every
 * count of the second report is zero. */
static void t12_a_batch_with_employees_and_a_refund_synced_twice_changes_nothing(void) {
    hk_engine *engine = engine_with(LOCATION("paris", "Boutique Paris", "Europe/Paris"));
    char *first_json = sync(engine, RERUN_BATCH, NIGHT_19);
    hk_sync_report *first = NULL;
    CHECK_OK(hk_sync_report_parse(first_json, &first, NULL), engine);
    CHECK(hk_sync_report_transactions_created(first) == 3);
    CHECK(hk_sync_report_employees_upserted(first) == 2);
    CHECK(hk_sync_report_invitation_count(first) == 1);
    hk_sync_report_free(&first);
    hk_string_free(first_json);

    char *again_json = sync(engine, RERUN_BATCH, NIGHT_19 + INT64_C(3600000));
    hk_sync_report *again = NULL;
    CHECK_OK(hk_sync_report_parse(again_json, &again, NULL), engine);
    CHECK(hk_sync_report_customers_created(again) == 0);
    CHECK(hk_sync_report_customers_updated(again) == 0);
    CHECK(hk_sync_report_employees_upserted(again) == 0);
    CHECK(hk_sync_report_transactions_created(again) == 0);
    CHECK(hk_sync_report_transactions_updated(again) == 0);
    CHECK(hk_sync_report_invitation_count(again) == 0);
    /* Both sales are reported as decided before (E9); the refund is never decided. */
    CHECK(hk_sync_report_skipped_count(again) == 2);
    CHECK(strstr(again_json, "cancelled_by_refund") == NULL);
    CHECK(strstr(again_json, "relationship_invitations") == NULL);
    hk_sync_report_free(&again);
    hk_string_free(again_json);
    hk_engine_free(&engine);
}

void trust_tests(void) {
    run_case("t12_a_batch_with_employees_and_a_refund_synced_twice_changes_nothing",
             t12_a_batch_with_employees_and_a_refund_synced_twice_changes_nothing);
    run_case("t4_export_files_replace_a_link_never_follow_it_and_take_255_byte_names",
             t4_export_files_replace_a_link_never_follow_it_and_take_255_byte_names);
    run_case("t9_csv_cells_starting_like_a_formula_get_a_leading_quote",
             t9_csv_cells_starting_like_a_formula_get_a_leading_quote);
    run_case("e3_unsubscribe_by_contact_holds_after_the_customer_changes_email",
             e3_unsubscribe_by_contact_holds_after_the_customer_changes_email);
    run_case("e4_explain_reads_the_cooldown_on_the_locations_date",
             e4_explain_reads_the_cooldown_on_the_locations_date);
}
