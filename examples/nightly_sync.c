/*
 * nightly_sync.c: the nightly-sync demo of examples/nightly_sync.rs, through the C door.
 *
 * Two stores in different time zones (Paris and Seoul) sync at 23:00 local time. Each
 * night the host asks hearken which business dates to send, sends the sales of those dates
 * as one JSON batch, and prints who gets a survey, who does not and why. Some nights a
 * store's server is off: the next sync catches one missed night up, and an older gap is
 * closed by a backfill file. Staff ask why a customer got only one survey. Next morning
 * the POS mailer drains the outbox: each message comes rendered in the customer's language
 * (French for Amélie, Korean for the Seoul customers), is "sent" by a fake mailer that
 * prints it, and is acked so it is never offered again. During the day the answers come
 * in through the host's survey page: a promoter (shown the store's review link), a passive,
 * a detractor, a walk-in answering from the link on a receipt, and a thumbs-down on an
 * e-receipt; then the NPS, and a week later the one review reminder to the promoter.
 *
 * Build (see docs/c-api.md):
 *   cargo build --release --lib
 *   gcc -Wall -Wextra -std=c11 -Iinclude examples/nightly_sync.c \
 *       target/release/libhearken.a -lpthread -ldl -lm -o nightly_sync
 *   ./nightly_sync [DB_PATH]     (default: a private in-memory database)
 *
 * Run it twice on one file: the second run creates no invitation and sends nothing.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hearken.h"

struct store {
    const char *id, *name, *time_zone, *utc_offset, *currency, *review_link;
};

static const struct store STORES[] = {
    {"paris", "Boutique Paris", "Europe/Paris", "+01:00", "EUR",
     "https://g.page/r/boutique-paris/review"},
    {"seoul", "서울 매장", "Asia/Seoul", "+09:00", "KRW", NULL},
};

struct customer {
    const char *id, *name, *email, *language;
    int include_in_communications;
};

static const struct customer CUSTOMERS[] = {
    {"amelie", "Amélie Dupont", "amelie@example.fr", "fr-FR", 1},
    {"bob", "Bob O'Neil", "bob(at)example", "en", 1},
    {"chloe", "Chloé Martin", "chloe@example.fr", "fr", 0},
    {"dana", "Dana Smith", "Dana@Example.com ", "en", 1},
    {"kim", "김민준", "minjun@example.kr", "ko", 1},
    {"lee", "이서연", "seoyeon@example.kr", "ko", 1},
    {"park", "박지호", "jiho@example.kr", "ko", 1},
};
#define N_CUSTOMERS (sizeof CUSTOMERS / sizeof CUSTOMERS[0])

/* Which nights each store's server ran its sync (indexes into STORES, -1 ends a list). */
static const struct {
    const char *date;
    int stores[3];
} NIGHTS[] = {
    {"2026-11-20", {0, 1, -1}},
    {"2026-11-21", {0, -1}},    /* Seoul's server was off: one missed night */
    {"2026-11-22", {1, -1}},    /* Paris misses two nights in a row... */
    {"2026-11-24", {0, 1, -1}}, /* ...and Seoul misses the 23rd */
};

/* The customers who bought at a store on a day (the same fixed story as the Rust demo). */
static const char *const *buyers(const char *store, const char *date) {
    static const char *const paris20[] = {"amelie", "bob", "chloe", "dana", NULL};
    static const char *const paris21[] = {"amelie", "kim", NULL};
    static const char *const paris22[] = {"park", NULL};
    static const char *const paris_other[] = {"lee", NULL};
    static const char *const seoul20[] = {"kim", "kim", "lee", NULL};
    static const char *const seoul21[] = {"park", NULL};
    static const char *const seoul_other[] = {"kim", NULL};
    const char *day = date + 8;
    if (strcmp(store, "paris") == 0) {
        return strcmp(day, "20") == 0   ? paris20
               : strcmp(day, "21") == 0 ? paris21
               : strcmp(day, "22") == 0 ? paris22
                                        : paris_other;
    }
    return strcmp(day, "20") == 0 ? seoul20 : strcmp(day, "21") == 0 ? seoul21 : seoul_other;
}

/* A growing string. */
struct text {
    char *s;
    size_t len, cap;
};

static void append(struct text *t, const char *format, ...) {
    for (;;) {
        va_list args;
        va_start(args, format);
        int n = vsnprintf(t->s ? t->s + t->len : NULL, t->s ? t->cap - t->len : 0, format, args);
        va_end(args);
        if (n < 0) {
            abort();
        }
        if (t->s != NULL && t->len + (size_t)n < t->cap) {
            t->len += (size_t)n;
            return;
        }
        size_t cap = (t->cap + (size_t)n + 1) * 2;
        char *bigger = realloc(t->s, cap);
        if (bigger == NULL) {
            abort();
        }
        t->s = bigger;
        t->cap = cap;
    }
}

/* The batch of one store for the given business dates, as JSON (docs/batch-format.md). */
static char *sales_batch(const struct store *store, const char *const *dates, size_t n_dates) {
    struct text t = {NULL, 0, 0};
    append(&t, "{\"format\":1,\"location\":\"%s\",\"business_dates\":[", store->id);
    for (size_t d = 0; d < n_dates; d++) {
        append(&t, "%s\"%s\"", d ? "," : "", dates[d]);
    }
    append(&t, "],\"customers\":[");
    for (size_t c = 0; c < N_CUSTOMERS; c++) {
        append(&t,
               "%s{\"id\":\"%s\",\"name\":\"%s\",\"email\":\"%s\",\"language\":\"%s\","
               "\"include_in_communications\":%s}",
               c ? "," : "", CUSTOMERS[c].id, CUSTOMERS[c].name, CUSTOMERS[c].email,
               CUSTOMERS[c].language, CUSTOMERS[c].include_in_communications ? "true" : "false");
    }
    append(&t, "],\"employees\":[{\"id\":\"e-lucas\",\"name\":\"Lucas\",\"role\":\"salesperson\"},"
               "{\"id\":\"e-sophie\",\"name\":\"Sophie\",\"role\":\"technician\"}],"
               "\"transactions\":[");
    int first = 1;
    for (size_t d = 0; d < n_dates; d++) {
        const char *date = dates[d];
        const char *const *who = buyers(store->id, date);
        for (int n = 0; who[n] != NULL; n++) {
            append(&t,
                   "%s{\"id\":\"%s-%.2s%.2s-%d\",\"customer\":\"%s\",\"employees\":[\"e-lucas\"],"
                   "\"kind\":\"%s\",\"amount_minor\":4990,\"currency\":\"%s\","
                   "\"finalized_at\":\"%sT%02d:00:00%s\"}",
                   first ? "" : ",", store->id, date + 5, date + 8, n, who[n],
                   n % 2 == 0 ? "sale" : "service", store->currency, date, 11 + n,
                   store->utc_offset);
            first = 0;
        }
        append(&t,
               "%s{\"id\":\"%s-%.2s%.2s-walkin\",\"employees\":[\"e-lucas\"],\"kind\":\"sale\","
               "\"amount_minor\":4990,\"currency\":\"%s\",\"finalized_at\":\"%sT17:00:00%s\"}",
               first ? "" : ",", store->id, date + 5, date + 8, store->currency, date,
               store->utc_offset);
        first = 0;
    }
    append(&t, "]}");
    return t.s;
}

/* Unix ms of midnight UTC at the start of a YYYY-MM-DD date (days from civil). */
static int64_t midnight_utc_ms(const char *date) {
    int y = atoi(date), m = atoi(date + 5), d = atoi(date + 8);
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = (int64_t)era * 146097 + doe - 719468;
    return days * 86400000;
}

static const char *utc_clock(int64_t ms) {
    static char out[32];
    time_t seconds = (time_t)(ms / 1000);
    strftime(out, sizeof out, "%a %d %b %H:%M UTC", gmtime(&seconds));
    return out;
}

static const char *name_of(const char *id) {
    if (id == NULL) {
        return "(anonymous sale)";
    }
    for (size_t c = 0; c < N_CUSTOMERS; c++) {
        if (strcmp(CUSTOMERS[c].id, id) == 0) {
            return CUSTOMERS[c].name;
        }
    }
    return id;
}

/* Prints the detail of the last failure on the handle and returns 1. */
static int fail(hk_engine *engine, const char *what, hk_result rc) {
    char *detail = hk_engine_last_error(engine);
    fprintf(stderr, "%s failed: %s\n  %s\n", what, hk_result_name(rc),
            detail ? detail : "(no detail)");
    hk_string_free(detail);
    return 1;
}

/* Prints a sync report through the typed readers. */
static void print_report(const char *report_json) {
    hk_sync_report *r = NULL;
    if (hk_sync_report_parse(report_json, &r, NULL) != HK_OK) {
        printf("  (unreadable report)\n");
        return;
    }
    if (hk_sync_report_customers_created(r) + hk_sync_report_customers_updated(r) +
            hk_sync_report_transactions_created(r) > 0) {
        uint32_t customers = hk_sync_report_customers_created(r);
        uint32_t transactions = hk_sync_report_transactions_created(r);
        /* Counts agree in number (M3): "1 new customer", "2 new customers". */
        printf("  received %u new customer%s, %u updated, %u new transaction%s\n", customers,
               customers == 1 ? "" : "s", hk_sync_report_customers_updated(r), transactions,
               transactions == 1 ? "" : "s");
    }
    if (hk_sync_report_invitation_count(r) == 0) {
        printf("  no new survey invitations\n");
    }
    for (uint32_t i = 0; i < hk_sync_report_invitation_count(r); i++) {
        int64_t id;
        const char *customer, *transaction;
        if (hk_sync_report_invitation(r, i, &id, &customer, &transaction) == HK_OK) {
            printf("  survey #%" PRId64 " to %s for %s\n", id, name_of(customer), transaction);
        }
    }
    for (uint32_t i = 0; i < hk_sync_report_skipped_count(r); i++) {
        const char *transaction, *customer;
        uint32_t reason;
        if (hk_sync_report_skipped(r, i, &transaction, &customer, &reason) == HK_OK) {
            printf("  no survey to %s (%s): %s [%s]\n", name_of(customer), transaction,
                   hk_skip_reason_describe(reason), hk_skip_reason_name(reason));
        }
    }
    hk_sync_report_free(&r);
}

static void on_backfill_progress(void *user, uint64_t done, uint64_t total) {
    printf("  backfill of %s: batch %" PRIu64 " of %" PRIu64 " committed\n", (const char *)user,
           done, total);
}

/* Closes the missing dates of a window with a backfill file (JSON lines of batches). */
static int backfill(hk_engine *engine, const struct store *store, hk_sync_window *window,
                    int64_t now, const char *file) {
    FILE *f = fopen(file, "w");
    if (f == NULL) {
        perror(file);
        return 1;
    }
    for (uint32_t i = 0; i < hk_sync_window_missing_count(window); i++) {
        const char *date = hk_sync_window_missing_date(window, i);
        char *batch = sales_batch(store, &date, 1);
        fprintf(f, "%s\n", batch);
        free(batch);
    }
    fclose(f);
    char *reports = NULL;
    hk_result rc = hk_engine_backfill_file(engine, file, now, on_backfill_progress,
                                           (void *)store->name, &reports);
    remove(file);
    if (rc != HK_OK) {
        return fail(engine, "backfill", rc);
    }
    hk_string_free(reports); /* {"batches":[report, ...]}: one sync report per line */

    char *json = NULL;
    hk_sync_window *after = NULL;
    rc = hk_engine_sync_window(engine, store->id, now, &json);
    if (rc != HK_OK) {
        return fail(engine, "sync window", rc);
    }
    hk_sync_window_parse(json, &after, NULL);
    hk_string_free(json);
    printf("  missing dates after the backfill: %u\n", hk_sync_window_missing_count(after));
    hk_sync_window_free(&after);
    return 0;
}

/* One store's 23:00 sync on the night of `date`. */
static int sync_night(hk_engine *engine, const struct store *store, const char *date,
                      const char *backfill_file) {
    int64_t now = 0;
    hk_result rc = hk_engine_next_sync_at(engine, store->id, midnight_utc_ms(date), &now);
    if (rc != HK_OK) {
        return fail(engine, "next sync", rc);
    }
    char *json = NULL;
    rc = hk_engine_sync_window(engine, store->id, now, &json);
    if (rc != HK_OK) {
        return fail(engine, "sync window", rc);
    }
    hk_sync_window *window = NULL;
    rc = hk_sync_window_parse(json, &window, NULL);
    hk_string_free(json);
    if (rc != HK_OK) {
        return fail(engine, "window", rc);
    }
    printf("%s: sync at 23:00 local (%s)\n", store->name, utc_clock(now));

    /* Tonight's dates; on a re-run of the demo the window is empty: send the night anyway. */
    const char *dates[8];
    size_t n_dates = 0;
    for (uint32_t i = 0; i < hk_sync_window_date_count(window) && n_dates < 8; i++) {
        dates[n_dates++] = hk_sync_window_date(window, i);
    }
    if (n_dates > 1) {
        printf("  window: %s to %s (catching up a missed night)\n", dates[0], dates[n_dates - 1]);
    }
    if (n_dates == 0) {
        dates[n_dates++] = date;
    }
    for (uint32_t i = 0; i < hk_sync_window_missing_count(window); i++) {
        printf("  missed beyond catch-up: %s, needs a backfill\n",
               hk_sync_window_missing_date(window, i));
    }

    char *batch = sales_batch(store, dates, n_dates);
    char *report = NULL;
    rc = hk_engine_sync(engine, batch, now, &report);
    free(batch);
    int failed = rc != HK_OK && fail(engine, "sync", rc);
    if (!failed) {
        print_report(report);
        hk_string_free(report);
        if (hk_sync_window_missing_count(window) > 0) {
            failed = backfill(engine, store, window, now, backfill_file);
        }
    }
    hk_sync_window_free(&window);
    return failed;
}

/* A survey link the mailer delivered: who got it, and its token (the last path segment). */
struct delivered {
    char customer[32];
    char token[64];
};
#define MAX_DELIVERED 16

/* The fake mailer: prints the first message of each language in full, the others in one
 * line. Returns 0 when "sent"; a real one returns its gateway's error (see drain_outbox). */
static int send_message(const hk_message_batch *batch, uint32_t i, char *languages_shown,
                        size_t size) {
    const char *language = hk_message_batch_language(batch, i);
    char tag[24];
    snprintf(tag, sizeof tag, "[%s]", language);
    if (strstr(languages_shown, tag) != NULL) {
        printf("  ── to %s %s: %s\n", hk_message_batch_recipient(batch, i), tag,
               hk_message_batch_subject(batch, i));
        return 0;
    }
    if (strlen(languages_shown) + strlen(tag) < size) {
        strcat(languages_shown, tag);
    }
    printf("  ── to %s %s ──\n", hk_message_batch_recipient(batch, i), tag);
    printf("  Subject: %s\n", hk_message_batch_subject(batch, i));
    const char *body = hk_message_batch_body(batch, i);
    for (const char *line = body, *end; line != NULL && *line != '\0';
         line = end ? end + 1 : NULL) {
        end = strchr(line, '\n');
        printf("  | %.*s\n", end ? (int)(end - line) : (int)strlen(line), line);
    }
    return 0;
}

/* What the host's mailer does every few minutes: claim what is due, send, ack or fail.
 * Keeps each delivered survey link in `delivered` (for the demo's customers to answer). */
static int drain_outbox(hk_engine *engine, int64_t now, struct delivered *delivered,
                        size_t *n_delivered) {
    printf("== Next morning: the POS mailer drains the outbox ==\n");
    char languages_shown[64] = "";
    uint32_t sent = 0;
    *n_delivered = 0;
    for (;;) {
        char *json = NULL;
        hk_result rc = hk_engine_claim(engine, 100, now, &json);
        if (rc != HK_OK) {
            return fail(engine, "claim", rc);
        }
        hk_message_batch *batch = NULL;
        rc = hk_message_batch_parse(json, &batch, NULL);
        hk_string_free(json);
        if (rc != HK_OK) {
            return fail(engine, "messages", rc);
        }
        uint32_t count = hk_message_batch_count(batch);
        for (uint32_t i = 0; i < count; i++) {
            const char *id = hk_message_batch_message_id(batch, i);
            if (send_message(batch, i, languages_shown, sizeof languages_shown) == 0) {
                rc = hk_engine_ack(engine, id, now); /* delivered: never offered again */
                sent++;
                const char *link = hk_message_batch_survey_link(batch, i);
                if (link != NULL && *n_delivered < MAX_DELIVERED) {
                    struct delivered *d = &delivered[(*n_delivered)++];
                    snprintf(d->customer, sizeof d->customer, "%s",
                             hk_message_batch_customer(batch, i));
                    snprintf(d->token, sizeof d->token, "%s", strrchr(link, '/') + 1);
                }
            } else {
                /* Not delivered: offered again later, or failed for good (HK_NO_RETRY). */
                int64_t retry_at = 0;
                rc = hk_engine_fail(engine, id, "gateway error", 0, now, &retry_at);
            }
            if (rc != HK_OK) {
                hk_message_batch_free(&batch);
                return fail(engine, "ack or fail", rc);
            }
        }
        hk_message_batch_free(&batch);
        if (count == 0) {
            break; /* nothing more is due now */
        }
    }
    if (sent == 0) {
        printf("  nothing due (every message was already delivered)\n");
    }
    uint64_t pending, in_flight, acked, failed, cancelled;
    hk_result rc = hk_engine_outbox_counts(engine, &pending, &in_flight, &acked, &failed,
                                           &cancelled);
    if (rc != HK_OK) {
        return fail(engine, "outbox counts", rc);
    }
    printf("  outbox: %" PRIu64 " delivered, %" PRIu64 " pending, %" PRIu64 " cancelled, %" PRIu64
           " failed\n",
           acked, pending, cancelled, failed);
    return 0;
}

/* The string value of "key" in a flat JSON object, copied into `out` ("" if absent or
 * null). A real host hands the JSON to its own parser; the values read here carry no
 * escapes. */
static const char *json_field(const char *json, const char *key, char *out, size_t size) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
    const char *start = json ? strstr(json, pattern) : NULL;
    out[0] = '\0';
    if (start != NULL) {
        start += strlen(pattern);
        const char *end = strchr(start, '"');
        int len = end ? (int)(end - start) : 0;
        snprintf(out, size, "%.*s", len, start);
    }
    return out;
}

/* The number value of "key" in a flat JSON object, or -1 if absent or null. */
static double json_number(const char *json, const char *key) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\":", key);
    const char *at = json ? strstr(json, pattern) : NULL;
    if (at == NULL || strncmp(at + strlen(pattern), "null", 4) == 0) {
        return -1;
    }
    return strtod(at + strlen(pattern), NULL);
}

/* The host's survey page received one NPS answer for a link token; prints what to show. */
static int answer_nps(hk_engine *engine, const char *who, const char *token, int score,
                      int64_t now) {
    char answers[128];
    snprintf(answers, sizeof answers,
             "{\"answers\":[{\"question\":\"recommend\",\"score\":%d}],"
             "\"consent_to_reply\":true}",
             score);
    char *outcome = NULL;
    hk_result rc = hk_engine_record_response(engine, token, answers, now, &outcome);
    if (rc != HK_OK) {
        return fail(engine, "record response", rc);
    }
    /* {"response_id","nps_category","score_base10","unhappy","review_link","alert_id"} */
    char category[32], review_link[256];
    printf("  %s answered %d/10: %s%s%s%s\n", who, score,
           json_field(outcome, "nps_category", category, sizeof category),
           strstr(outcome, "\"unhappy\":true") ? ", unhappy customer" : "",
           json_field(outcome, "review_link", review_link, sizeof review_link)[0]
               ? ", shown the review link "
               : "",
           review_link);
    hk_string_free(outcome);
    return 0;
}

/* During the day: a promoter, a passive and a detractor answer their invitations, a
 * walk-in answers from a receipt link, another leaves e-receipt feedback. Then the NPS,
 * and a week later the one reminder (R1). */
static int answer_surveys(hk_engine *engine, const struct delivered *delivered,
                          size_t n_delivered, int64_t now) {
    printf("\n== During the day: answers come in ==\n");
    static const struct {
        const char *customer;
        int score;
    } ANSWERS[] = {{"amelie", 10}, {"kim", 8}, {"lee", 4}};
    for (size_t a = 0; a < sizeof ANSWERS / sizeof ANSWERS[0]; a++) {
        for (size_t d = 0; d < n_delivered; d++) {
            if (strcmp(delivered[d].customer, ANSWERS[a].customer) == 0 &&
                answer_nps(engine, name_of(ANSWERS[a].customer), delivered[d].token,
                           ANSWERS[a].score, now) != 0) {
                return 1;
            }
        }
    }
    if (n_delivered > 0) {
        /* The receipt of a walk-in carries its own link: one anonymous response. */
        char *link = NULL;
        hk_result rc = hk_engine_mint_receipt_link(engine, "paris", NULL, now, &link);
        if (rc != HK_OK) {
            return fail(engine, "receipt link", rc);
        }
        char url[256];
        json_field(link, "url", url, sizeof url);
        hk_string_free(link);
        printf("  receipt link printed for a walk-in: %s\n", url);
        if (answer_nps(engine, "the walk-in (anonymous)", strrchr(url, '/') + 1, 9, now) != 0) {
            return 1;
        }
        int64_t feedback_id = 0;
        rc = hk_engine_record_feedback(engine,
                                       "{\"location\":\"paris\",\"sentiment\":\"negative\","
                                       "\"facets\":[\"wait_time\"],"
                                       "\"comment\":\"Trop d'attente à la caisse\"}",
                                       now, &feedback_id);
        if (rc != HK_OK) {
            return fail(engine, "e-receipt feedback", rc);
        }
        printf("  e-receipt feedback #%" PRId64 ": negative, facet wait_time\n", feedback_id);
    }
    char *scores = NULL;
    /* NULL query: every location, all time, from the rollups (N1). */
    hk_result rc = hk_engine_scores(engine, NULL, now, &scores);
    if (rc != HK_OK) {
        return fail(engine, "scores", rc);
    }
    /* {"responses","nps":{"promoters","passives","detractors","nps"},"rated",...} */
    const char *nps = strstr(scores, "\"nps\":{");
    nps = nps ? nps + strlen("\"nps\":") : NULL;
    double value = json_number(nps, "nps");
    char shown[32] = "none yet";
    if (nps != NULL && strstr(nps, "\"nps\":null") == NULL) {
        snprintf(shown, sizeof shown, "%.0f", value);
    }
    printf("  NPS: %s (promoters %.0f, passives %.0f, detractors %.0f)\n", shown,
           json_number(nps, "promoters"), json_number(nps, "passives"),
           json_number(nps, "detractors"));
    hk_string_free(scores);

    int64_t week = now + 7 * INT64_C(86400000);
    printf("\n== A week later: the one reminder (R1) ==\n");
    char *json = NULL;
    rc = hk_engine_claim(engine, 100, week, &json);
    if (rc != HK_OK) {
        return fail(engine, "claim", rc);
    }
    hk_message_batch *batch = NULL;
    rc = hk_message_batch_parse(json, &batch, NULL);
    hk_string_free(json);
    if (rc != HK_OK) {
        return fail(engine, "messages", rc);
    }
    uint32_t count = hk_message_batch_count(batch);
    if (count == 0) {
        printf("  none due (already sent, or nobody qualifies)\n");
    }
    for (uint32_t i = 0; i < count && rc == HK_OK; i++) {
        uint32_t kind = hk_message_batch_kind(batch, i);
        printf("  %s to %s [%s]: %s\n",
               kind == HK_MESSAGE_KIND_REVIEW_REMINDER   ? "review reminder"
               : kind == HK_MESSAGE_KIND_SURVEY_REMINDER ? "survey reminder"
                                                         : "survey",
               hk_message_batch_recipient(batch, i), hk_message_batch_language(batch, i),
               hk_message_batch_subject(batch, i));
        rc = hk_engine_ack(engine, hk_message_batch_message_id(batch, i), week);
    }
    hk_message_batch_free(&batch);
    return rc == HK_OK ? 0 : fail(engine, "ack", rc);
}

int main(int argc, char **argv) {
    if (hk_abi_version() != HK_ABI_VERSION) {
        fprintf(stderr, "libhearken ABI %u, header ABI %u\n", hk_abi_version(), HK_ABI_VERSION);
        return 1;
    }
    const char *path = argc > 1 ? argv[1] : NULL;
    printf("hearken %s nightly-sync demo (C)\n", hk_version());

    hk_engine *engine = NULL;
    char *error = NULL;
    hk_result rc = path ? hk_engine_open(path, HK_JOURNAL_WAL, 0, &engine, &error)
                        : hk_engine_open_in_memory(&engine, &error);
    if (rc != HK_OK) {
        fprintf(stderr, "open failed: %s\n  %s\n", hk_result_name(rc), error ? error : "");
        hk_string_free(error);
        return 1;
    }
    printf("database: %s\n\n", path ? path : "(in memory)");
    char backfill_file[4096];
    snprintf(backfill_file, sizeof backfill_file, "%s.backfill.jsonl",
             path ? path : "hearken-demo");

    int failed = 0;
    for (size_t s = 0; s < sizeof STORES / sizeof STORES[0] && !failed; s++) {
        char location[256];
        char review_link[128] = "";
        if (STORES[s].review_link != NULL) {
            snprintf(review_link, sizeof review_link, ",\"review_link\":\"%s\"",
                     STORES[s].review_link);
        }
        snprintf(location, sizeof location,
                 "{\"id\":\"%s\",\"name\":\"%s\",\"time_zone\":\"%s\"%s}", STORES[s].id,
                 STORES[s].name, STORES[s].time_zone, review_link);
        rc = hk_engine_upsert_location(engine, location);
        failed = rc != HK_OK && fail(engine, "location", rc);
    }
    /* A customer who unsubscribed on the shop's newsletter page before any survey. */
    if (!failed) {
        rc = hk_engine_unsubscribe_contact(engine, "dana@example.com",
                                           midnight_utc_ms("2026-11-19") + 9 * 3600000);
        failed = rc != HK_OK && fail(engine, "unsubscribe", rc);
    }

    for (size_t n = 0; n < sizeof NIGHTS / sizeof NIGHTS[0] && !failed; n++) {
        printf("== Night of %s ==\n", NIGHTS[n].date);
        for (int i = 0; NIGHTS[n].stores[i] >= 0 && !failed; i++) {
            failed = sync_night(engine, &STORES[NIGHTS[n].stores[i]], NIGHTS[n].date,
                                backfill_file);
        }
        printf("\n");
    }

    /* A batch with a mistake is refused whole, and every bad record is named. */
    if (!failed) {
        char *report = NULL;
        rc = hk_engine_sync(engine,
                            "{\"format\":1,\"location\":\"paris\",\"business_dates\":"
                            "[\"2026-11-24\"],\"transactions\":[{\"id\":\"x1\",\"customer\":"
                            "\"nobody\",\"kind\":\"sale\",\"amount_minor\":100,\"currency\":"
                            "\"EUR\"}]}",
                            midnight_utc_ms("2026-11-24") + 22 * 3600000, &report);
        char *detail = hk_engine_last_error(engine);
        printf("== A batch with a mistake: %s ==\n  %s\n\n", hk_result_name(rc),
               detail ? detail : "");
        hk_string_free(detail);
        hk_string_free(report);
    }

    if (!failed) {
        printf("== \"Why didn't Minjun get a second e-mail?\" ==\n");
        char *why = NULL;
        rc = hk_engine_explain_text(engine, "kim", midnight_utc_ms("2026-11-25") + 12 * 3600000,
                                    &why);
        if (rc == HK_OK) {
            for (char *line = why, *end; line != NULL; line = end ? end + 1 : NULL) {
                end = strchr(line, '\n');
                printf("  %.*s\n", end ? (int)(end - line) : (int)strlen(line), line);
            }
        } else {
            failed = fail(engine, "explain", rc);
        }
        hk_string_free(why);
        printf("\n");
    }

    struct delivered delivered[MAX_DELIVERED];
    size_t n_delivered = 0;
    if (!failed) {
        failed = drain_outbox(engine, midnight_utc_ms("2026-11-25") + 9 * 3600000, delivered,
                              &n_delivered);
    }
    if (!failed) {
        failed = answer_surveys(engine, delivered, n_delivered,
                                midnight_utc_ms("2026-11-25") + 12 * 3600000);
    }

    hk_engine_free(&engine);
    return failed;
}
