/*
 * nightly_sync.c: a POS server's nightly sync through hearken's C interface.
 *
 * Two stores in different time zones (Paris and Seoul) each sync at 23:00 local time. The
 * host asks hearken which business dates to send, sends the day's customers and sales as
 * one JSON batch, and prints who gets a survey, who does not and why, and finally explains
 * one customer's decisions in words.
 *
 * Build (see docs/c-api.md):
 *   cargo build --release --lib
 *   gcc -Wall -Wextra -std=c11 -Iinclude examples/nightly_sync.c \
 *       target/release/libhearken.a -lpthread -ldl -lm -o nightly_sync
 *   ./nightly_sync [DATABASE]      (default: a private in-memory database)
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "hearken.h"

/* Prints the detail of the last failure on the handle and returns 1. */
static int fail(hk_engine *engine, const char *what, hk_result rc) {
    char *detail = hk_engine_last_error(engine);
    fprintf(stderr, "%s failed: %s\n  %s\n", what, hk_result_name(rc),
            detail ? detail : "(no detail)");
    hk_string_free(detail);
    return 1;
}

static const char *LOCATIONS[] = {
    "{\"id\":\"paris\",\"name\":\"Boutique Paris\",\"time_zone\":\"Europe/Paris\","
    "\"review_link\":\"https://g.page/r/paris/review\"}",
    "{\"id\":\"seoul\",\"name\":\"서울 매장\",\"time_zone\":\"Asia/Seoul\"}",
};

/* Friday 20 November 2026 in Paris: five sales. */
static const char *PARIS_BATCH =
    "{\"format\":1,\"location\":\"paris\",\"business_dates\":[\"2026-11-20\"],"
    "\"customers\":["
    "{\"id\":\"c1\",\"name\":\"Amélie Dupont\",\"email\":\"amelie@example.fr\","
    "\"language\":\"fr-FR\",\"include_in_communications\":true},"
    "{\"id\":\"c2\",\"name\":\"Bob O'Neil\",\"email\":\"bob(at)example\","
    "\"include_in_communications\":true},"
    "{\"id\":\"c3\",\"name\":\"Chloé Martin\",\"email\":\"chloe@example.fr\","
    "\"include_in_communications\":false},"
    "{\"id\":\"c4\",\"name\":\"Dana Smith\",\"email\":\"dana@example.com\","
    "\"include_in_communications\":true}],"
    "\"employees\":[{\"id\":\"e1\",\"name\":\"Lucas\",\"role\":\"salesperson\"}],"
    "\"transactions\":["
    "{\"id\":\"t1\",\"customer\":\"c1\",\"employees\":[\"e1\"],\"kind\":\"sale\","
    "\"amount_minor\":12900,\"currency\":\"EUR\",\"finalized_at\":\"2026-11-20T10:15:00+01:00\"},"
    "{\"id\":\"t2\",\"customer\":\"c2\",\"kind\":\"sale\",\"amount_minor\":4500,"
    "\"currency\":\"EUR\",\"finalized_at\":\"2026-11-20T11:00:00+01:00\"},"
    "{\"id\":\"t3\",\"customer\":\"c3\",\"kind\":\"sale\",\"amount_minor\":990,"
    "\"currency\":\"EUR\",\"finalized_at\":\"2026-11-20T11:30:00+01:00\"},"
    "{\"id\":\"t4\",\"customer\":\"c4\",\"kind\":\"sale\",\"amount_minor\":2000,"
    "\"currency\":\"EUR\",\"finalized_at\":\"2026-11-20T12:00:00+01:00\"},"
    "{\"id\":\"t5\",\"kind\":\"sale\",\"amount_minor\":350,\"currency\":\"EUR\","
    "\"finalized_at\":\"2026-11-20T12:30:00+01:00\"}]}";

/* Friday 20 November 2026 in Seoul: one customer buys twice. */
static const char *SEOUL_BATCH =
    "{\"format\":1,\"location\":\"seoul\",\"business_dates\":[\"2026-11-20\"],"
    "\"customers\":[{\"id\":\"c5\",\"name\":\"김민준\",\"email\":\"minjun@example.kr\","
    "\"language\":\"ko\",\"include_in_communications\":true}],"
    "\"employees\":[{\"id\":\"e2\",\"name\":\"Sophie\",\"role\":\"technician\"}],"
    "\"transactions\":["
    "{\"id\":\"t6\",\"customer\":\"c5\",\"kind\":\"sale\",\"amount_minor\":50000,"
    "\"currency\":\"KRW\",\"finalized_at\":\"2026-11-20T14:00:00+09:00\"},"
    "{\"id\":\"t7\",\"customer\":\"c5\",\"employees\":[\"e2\"],\"kind\":\"service\","
    "\"amount_minor\":80000,\"currency\":\"KRW\",\"finalized_at\":\"2026-11-20T16:30:00+09:00\"}]}";

/* Syncs one store's night and prints the report through the typed readers. */
static int sync_store(hk_engine *engine, const char *location, const char *batch,
                      int64_t now_ms) {
    char *window = NULL;
    hk_result rc = hk_engine_sync_window(engine, location, now_ms, &window);
    if (rc != HK_OK) {
        return fail(engine, "sync window", rc);
    }
    printf("%s: dates to send tonight: %s\n", location, window);
    hk_string_free(window);

    char *json = NULL;
    rc = hk_engine_sync(engine, batch, now_ms, &json);
    if (rc != HK_OK) {
        return fail(engine, "sync", rc);
    }
    hk_sync_report *report = NULL;
    rc = hk_sync_report_parse(json, &report, NULL);
    hk_string_free(json);
    if (rc != HK_OK) {
        return fail(engine, "report", rc);
    }

    printf("%s, business date %s: %u new customers, %u new transactions\n",
           hk_sync_report_location(report), hk_sync_report_business_date(report),
           hk_sync_report_customers_created(report), hk_sync_report_transactions_created(report));
    for (uint32_t i = 0; i < hk_sync_report_invitation_count(report); i++) {
        int64_t id;
        const char *customer, *transaction;
        if (hk_sync_report_invitation(report, i, &id, &customer, &transaction) == HK_OK) {
            printf("  survey #%" PRId64 " for %s (transaction %s)\n", id, customer, transaction);
        }
    }
    for (uint32_t i = 0; i < hk_sync_report_skipped_count(report); i++) {
        const char *transaction, *customer;
        uint32_t reason;
        if (hk_sync_report_skipped(report, i, &transaction, &customer, &reason) == HK_OK) {
            printf("  skipped %s (%s): %s [%s]\n", transaction, customer ? customer : "anonymous",
                   hk_skip_reason_describe(reason), hk_skip_reason_name(reason));
        }
    }
    hk_sync_report_free(&report);

    int64_t next = 0;
    rc = hk_engine_next_sync_at(engine, location, now_ms, &next);
    if (rc != HK_OK) {
        return fail(engine, "next sync", rc);
    }
    printf("  next sync of %s at %" PRId64 " (Unix ms)\n", location, next);
    return 0;
}

int main(int argc, char **argv) {
    if (hk_abi_version() != HK_ABI_VERSION) {
        fprintf(stderr, "libhearken ABI %u, header ABI %u\n", hk_abi_version(), HK_ABI_VERSION);
        return 1;
    }
    printf("hearken %s\n", hk_version());

    hk_engine *engine = NULL;
    char *error = NULL;
    hk_result rc = argc > 1 ? hk_engine_open(argv[1], HK_JOURNAL_WAL, 0, &engine, &error)
                            : hk_engine_open_in_memory(&engine, &error);
    if (rc != HK_OK) {
        fprintf(stderr, "open failed: %s\n  %s\n", hk_result_name(rc), error ? error : "");
        hk_string_free(error);
        return 1;
    }

    int failed = 0;
    for (size_t i = 0; i < sizeof LOCATIONS / sizeof LOCATIONS[0] && !failed; i++) {
        rc = hk_engine_upsert_location(engine, LOCATIONS[i]);
        failed = rc != HK_OK && fail(engine, "location", rc);
    }
    /* Dana unsubscribed at the till on Thursday. */
    if (!failed) {
        rc = hk_engine_unsubscribe_contact(engine, "Dana@Example.com", INT64_C(1795089600000));
        failed = rc != HK_OK && fail(engine, "unsubscribe", rc);
    }
    /* 23:00 in Seoul is 14:00 UTC; 23:00 in Paris is 22:00 UTC. */
    failed = failed || sync_store(engine, "seoul", SEOUL_BATCH, INT64_C(1795176000000));
    failed = failed || sync_store(engine, "paris", PARIS_BATCH, INT64_C(1795212000000));

    /* A batch with a mistake is refused whole, and every bad record is named. */
    if (!failed) {
        char *report = NULL;
        rc = hk_engine_sync(engine,
                            "{\"format\":1,\"location\":\"paris\",\"business_dates\":[\"2026-11-20\"],"
                            "\"transactions\":[{\"id\":\"t9\",\"customer\":\"c99\",\"kind\":\"sale\","
                            "\"amount_minor\":100,\"currency\":\"EUR\"}]}",
                            INT64_C(1795212000000), &report);
        char *detail = hk_engine_last_error(engine);
        printf("a bad batch: %s\n  %s\n", hk_result_name(rc), detail ? detail : "");
        hk_string_free(detail);
        hk_string_free(report);
    }

    /* Staff ask: why did 김민준 get only one survey? */
    if (!failed) {
        char *why = NULL;
        rc = hk_engine_explain_text(engine, "c5", INT64_C(1795212000000), &why);
        if (rc == HK_OK) {
            printf("why c5:\n%s\n", why);
        } else {
            failed = fail(engine, "explain", rc);
        }
        hk_string_free(why);
    }

    hk_engine_free(&engine);
    return failed;
}
