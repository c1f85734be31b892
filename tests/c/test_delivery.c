/* Delivery through the C door (issue 5): claim, ack, fail, resend, unsubscribe links,
 * templates, delivery settings, suppressions shared between stores, and the typed reader
 * of claimed messages. Each case starts from golden steps 1-3 (tests/golden/README.md). */
#include "harness.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"

#define LEASE_MS INT64_C(300000)          /* default lease_seconds: 300 */
#define DAY_MS INT64_C(86400000)
#define NOT_FOUND_INDEX UINT32_MAX

/* Golden steps 1-3 on a fresh file database: c1 (fr-FR) and c5 (ko) are invited. */
static hk_engine *synced_engine(const char *db_name) {
    hk_engine *engine = open_golden_engine(db_name);
    if (engine == NULL) {
        return NULL;
    }
    char *batch = read_golden("night1.batch.json");
    char *report = NULL;
    CHECK_OK(hk_engine_sync(engine, batch, NOW_NIGHT1, &report), engine);
    hk_string_free(report);
    free(batch);
    return engine;
}

/* Claims and reads the messages through the typed reader; NULL (and a failed check) if not. */
static hk_message_batch *claim(hk_engine *engine, uint32_t limit, int64_t now) {
    char *json = NULL;
    if (!CHECK_OK(hk_engine_claim(engine, limit, now, &json), engine)) {
        return NULL;
    }
    hk_message_batch *batch = NULL;
    char *error = NULL;
    if (!CHECK_OK(hk_message_batch_parse(json, &batch, &error), NULL)) {
        fprintf(stderr, "      parse error: %s\n", error ? error : "(none)");
        hk_string_free(error);
    }
    hk_string_free(json);
    return batch;
}

/* Index of the message for `customer`, or NOT_FOUND_INDEX. */
static uint32_t find_message(const hk_message_batch *batch, const char *customer) {
    for (uint32_t i = 0; i < hk_message_batch_count(batch); i++) {
        if (strcmp(hk_message_batch_customer(batch, i), customer) == 0) {
            return i;
        }
    }
    return NOT_FOUND_INDEX;
}

/* A malloc'd copy, to keep an id after its batch is freed. */
static char *copy(const char *s) {
    if (s == NULL) {
        return NULL;
    }
    char *out = malloc(strlen(s) + 1);
    if (out == NULL) {
        exit(2);
    }
    strcpy(out, s);
    return out;
}

static void check_counts(hk_engine *engine, uint64_t pending, uint64_t in_flight,
                         uint64_t acked, uint64_t failed, uint64_t cancelled) {
    uint64_t p = 99, i = 99, a = 99, f = 99, c = 99;
    CHECK_OK(hk_engine_outbox_counts(engine, &p, &i, &a, &f, &c), engine);
    CHECK(p == pending);
    CHECK(i == in_flight);
    CHECK(a == acked);
    CHECK(f == failed);
    CHECK(c == cancelled);
}

static void each_customer_gets_their_language(void) {
    hk_engine *engine = synced_engine("delivery_language.db");
    if (engine == NULL) {
        return;
    }
    /* S1: nothing is due before 10:00 in Paris the next morning. */
    char *json = NULL;
    CHECK_OK(hk_engine_claim(engine, 10, NOW_DUE - 1, &json), engine);
    CHECK_STR(json, "[]");
    hk_string_free(json);
    check_counts(engine, 2, 0, 0, 0, 0);

    /* The JSON array itself carries the rendered texts. */
    CHECK_OK(hk_engine_claim(engine, 1, NOW_DUE, &json), engine);
    CHECK(json != NULL && json[0] == '[');
    CHECK_CONTAINS(json, "\"customer\":\"c1\"");
    CHECK_CONTAINS(json, "Bonjour Amélie");
    CHECK_CONTAINS(json, "\"language\":\"fr\"");
    CHECK_CONTAINS(json, "\"channel\":\"email\"");
    hk_string_free(json);

    hk_message_batch *batch = claim(engine, 10, NOW_DUE);
    CHECK(hk_message_batch_count(batch) == 1); /* c1's message is leased */
    uint32_t ko = find_message(batch, "c5");
    if (CHECK(ko != NOT_FOUND_INDEX)) {
        CHECK_STR(hk_message_batch_language(batch, ko), "ko");
        CHECK_STR(hk_message_batch_recipient(batch, ko), "minjun@example.kr");
        const char *body = hk_message_batch_body(batch, ko);
        CHECK(body != NULL && strncmp(body, "김민준님, 안녕하세요.", strlen("김민준님, 안녕하세요.")) == 0);
        CHECK_CONTAINS(body, "추천할 가능성");
        CHECK_CONTAINS(body, hk_message_batch_survey_link(batch, ko));
        CHECK_CONTAINS(body, hk_message_batch_unsubscribe_link(batch, ko));
        CHECK_STR(hk_message_batch_location(batch, ko), "paris");
        CHECK(hk_message_batch_invitation_id(batch, ko) == 2);
        CHECK(hk_message_batch_kind(batch, ko) == HK_MESSAGE_KIND_SURVEY_INVITATION);
        CHECK(hk_message_batch_channel(batch, ko) == HK_CHANNEL_EMAIL);
        CHECK(hk_message_batch_attempt(batch, ko) == 1);
        CHECK(hk_message_batch_lease_until(batch, ko) == NOW_DUE + LEASE_MS);
        /* F6: the survey link works for 60 days. */
        CHECK(hk_message_batch_survey_link_expires_at(batch, ko) == NOW_DUE + 60 * DAY_MS);
        const char *link = hk_message_batch_survey_link(batch, ko);
        const char *base = "https://feedback.example.com/s/";
        CHECK(link != NULL && strncmp(link, base, strlen(base)) == 0);
        CHECK(hk_message_batch_message_id(batch, ko) != NULL);
    }
    /* Past the end: NULL and 0. */
    CHECK(hk_message_batch_message_id(batch, 1) == NULL);
    CHECK(hk_message_batch_survey_link(batch, 1) == NULL);
    CHECK(hk_message_batch_attempt(batch, 1) == 0);
    CHECK(hk_message_batch_channel(batch, 1) == 0);
    hk_message_batch_free(&batch);
    CHECK(batch == NULL);
    hk_message_batch_free(&batch);
    check_counts(engine, 0, 2, 0, 0, 0);

    /* After c1's lease: the same message again, second attempt, French, fresh links. */
    batch = claim(engine, 10, NOW_DUE + LEASE_MS);
    CHECK(hk_message_batch_count(batch) == 2);
    uint32_t fr = find_message(batch, "c1");
    if (CHECK(fr != NOT_FOUND_INDEX)) {
        CHECK_STR(hk_message_batch_language(batch, fr), "fr");
        CHECK_STR(hk_message_batch_recipient(batch, fr), "amelie@example.fr");
        CHECK_STR(hk_message_batch_subject(batch, fr),
                  "Comment s'est passée votre visite chez Boutique Paris ?");
        const char *body = hk_message_batch_body(batch, fr);
        CHECK(body != NULL && strncmp(body, "Bonjour Amélie,", strlen("Bonjour Amélie,")) == 0);
        CHECK(hk_message_batch_invitation_id(batch, fr) == 1);
        CHECK(hk_message_batch_attempt(batch, fr) == 2);
    }
    hk_message_batch_free(&batch);
    hk_engine_free(&engine);
}

static void an_acked_message_is_never_offered_again(void) {
    hk_engine *engine = synced_engine("delivery_ack.db");
    if (engine == NULL) {
        return;
    }
    hk_message_batch *batch = claim(engine, 10, NOW_DUE);
    CHECK(hk_message_batch_count(batch) == 2);
    uint32_t fr = find_message(batch, "c1"), ko = find_message(batch, "c5");
    if (!CHECK(fr != NOT_FOUND_INDEX && ko != NOT_FOUND_INDEX)) {
        hk_message_batch_free(&batch);
        hk_engine_free(&engine);
        return;
    }
    char *acked = copy(hk_message_batch_message_id(batch, fr));
    char *unacked = copy(hk_message_batch_message_id(batch, ko));
    hk_message_batch_free(&batch);

    CHECK_OK(hk_engine_ack(engine, acked, NOW_DUE), engine);
    CHECK_OK(hk_engine_ack(engine, acked, NOW_DUE), engine); /* at least once: twice is fine */
    CHECK_RC(hk_engine_ack(engine, "no-such-message", NOW_DUE), HK_RESULT_NOT_FOUND, engine);
    check_counts(engine, 0, 1, 1, 0, 0);

    /* Claimed again at once: nothing (c5's is leased). After the lease: only c5's. */
    char *json = NULL;
    CHECK_OK(hk_engine_claim(engine, 10, NOW_DUE, &json), engine);
    CHECK_STR(json, "[]");
    hk_string_free(json);
    batch = claim(engine, 10, NOW_DUE + LEASE_MS);
    CHECK(hk_message_batch_count(batch) == 1);
    CHECK_STR(hk_message_batch_message_id(batch, 0), unacked);
    CHECK(hk_message_batch_attempt(batch, 0) == 2);
    hk_message_batch_free(&batch);

    /* Not even after a reopen of the database, a month later. */
    hk_engine_free(&engine);
    char *path = scratch_path("delivery_ack.db");
    CHECK_OK(hk_engine_open(path, HK_JOURNAL_WAL, 0, &engine, NULL), NULL);
    free(path);
    if (engine != NULL) {
        batch = claim(engine, 10, NOW_DUE + 30 * DAY_MS);
        CHECK(hk_message_batch_count(batch) == 1);
        CHECK_STR(hk_message_batch_message_id(batch, 0), unacked);
        hk_message_batch_free(&batch);
        CHECK_OK(hk_engine_ack(engine, unacked, NOW_DUE + 30 * DAY_MS), engine);
        CHECK_OK(hk_engine_claim(engine, 10, NOW_DUE + 60 * DAY_MS, &json), engine);
        CHECK_STR(json, "[]");
        hk_string_free(json);
        CHECK_OK(hk_engine_pending_invitations(engine, &json), engine);
        CHECK_STR(json, "[]"); /* delivered, no longer pending */
        hk_string_free(json);
        check_counts(engine, 0, 0, 2, 0, 0);
    }
    free(acked);
    free(unacked);
    hk_engine_free(&engine);
}

/* T8 per id: one call acks the claimed ids in one transaction and reports the others. */
static void ack_many_acks_a_batch_and_reports_each_id(void) {
    hk_engine *engine = synced_engine("delivery_ack_many.db");
    if (engine == NULL) {
        return;
    }
    hk_message_batch *batch = claim(engine, 1, NOW_DUE);
    if (!CHECK(hk_message_batch_count(batch) == 1)) {
        hk_message_batch_free(&batch);
        hk_engine_free(&engine);
        return;
    }
    char *claimed = copy(hk_message_batch_message_id(batch, 0));
    hk_message_batch_free(&batch);
    char ids[256];
    snprintf(ids, sizeof ids, "[\"%s\",\"no-such-message\",\"%s\"]", claimed, claimed);
    char *out = NULL;
    CHECK_OK(hk_engine_ack_many(engine, ids, NOW_DUE, &out), engine);
    char want[512];
    snprintf(want, sizeof want,
             "[{\"message_id\":\"%s\",\"status\":\"acked\"},"
             "{\"message_id\":\"no-such-message\",\"status\":\"not_found\"},"
             "{\"message_id\":\"%s\",\"status\":\"already_acked\"}]",
             claimed, claimed);
    CHECK_STR(out, want);
    hk_string_free(out);
    check_counts(engine, 1, 0, 1, 0, 0); /* the other invitation is still to be claimed */

    /* A message never claimed is a conflict, with its reason; nothing else changes. */
    char *resent = NULL;
    CHECK_OK(hk_engine_resend(engine, 1, NULL, NOW_DUE, &resent), engine);
    if (resent != NULL) {
        snprintf(ids, sizeof ids, "[\"%s\"]", resent);
        out = NULL;
        CHECK_OK(hk_engine_ack_many(engine, ids, NOW_DUE, &out), engine);
        CHECK_CONTAINS(out, "\"status\":\"conflict\"");
        CHECK_CONTAINS(out, "never claimed");
        hk_string_free(out);
        hk_string_free(resent);
    }
    check_counts(engine, 2, 0, 1, 0, 0);

    /* An empty array acks nothing; bad arguments are typed and write nothing. */
    out = NULL;
    CHECK_OK(hk_engine_ack_many(engine, "[]", NOW_DUE, &out), engine);
    CHECK_STR(out, "[]");
    hk_string_free(out);
    out = NULL;
    CHECK_RC(hk_engine_ack_many(engine, "[\"a\",7]", NOW_DUE, &out), HK_RESULT_INVALID_INPUT,
             engine);
    CHECK(out == NULL);
    CHECK_RC(hk_engine_ack_many(engine, "{\"ids\":[]}", NOW_DUE, &out), HK_RESULT_INVALID_INPUT,
             engine);
    CHECK_RC(hk_engine_ack_many(engine, "[\"ab\xff\"]", NOW_DUE, &out), HK_RESULT_INVALID_UTF8,
             engine);
    CHECK_RC(hk_engine_ack_many(engine, NULL, NOW_DUE, &out), HK_RESULT_NULL_ARGUMENT, engine);
    CHECK_RC(hk_engine_ack_many(engine, "[]", NOW_DUE, NULL), HK_RESULT_NULL_ARGUMENT, engine);
    CHECK_RC(hk_engine_ack_many(NULL, "[]", NOW_DUE, &out), HK_RESULT_NULL_ARGUMENT, NULL);
    CHECK(out == NULL);
    check_counts(engine, 2, 0, 1, 0, 0);
    free(claimed);
    hk_engine_free(&engine);
}

static void failures_retry_with_backoff_then_stop(void) {
    hk_engine *engine = synced_engine("delivery_fail.db");
    if (engine == NULL) {
        return;
    }
    hk_message_batch *batch = claim(engine, 10, NOW_DUE);
    uint32_t ko = find_message(batch, "c5"), fr = find_message(batch, "c1");
    if (!CHECK(ko != NOT_FOUND_INDEX && fr != NOT_FOUND_INDEX)) {
        hk_message_batch_free(&batch);
        hk_engine_free(&engine);
        return;
    }
    char *id = copy(hk_message_batch_message_id(batch, ko));
    char *other = copy(hk_message_batch_message_id(batch, fr));
    hk_message_batch_free(&batch);

    /* A passing failure: retried after retry_base_seconds (300 s). */
    int64_t retry_at = 42;
    CHECK_OK(hk_engine_fail(engine, id, "mailbox full", 0, NOW_DUE, &retry_at), engine);
    CHECK(retry_at == NOW_DUE + 300000);
    check_counts(engine, 1, 1, 0, 0, 0);
    char *json = NULL;
    CHECK_OK(hk_engine_claim(engine, 10, retry_at - 1, &json), engine);
    CHECK_STR(json, "[]");
    hk_string_free(json);
    batch = claim(engine, 10, retry_at);
    ko = find_message(batch, "c5");
    CHECK(ko != NOT_FOUND_INDEX && hk_message_batch_attempt(batch, ko) == 2);
    hk_message_batch_free(&batch);

    /* A scalar out of range is refused before anything changes. */
    int64_t untouched = 42;
    CHECK_RC(hk_engine_fail(engine, id, "x", 2, retry_at, &untouched), HK_RESULT_INVALID_INPUT,
             engine);
    char *detail = hk_engine_last_error(engine);
    CHECK_CONTAINS(detail, "\"field\":\"permanent\"");
    hk_string_free(detail);
    CHECK(untouched == 42);

    /* A permanent failure: failed for good, no retry. Failing it again says the same. */
    CHECK_OK(hk_engine_fail(engine, id, "no such mailbox", 1, retry_at, &untouched), engine);
    CHECK(untouched == HK_NO_RETRY);
    CHECK(untouched == -1);
    untouched = 42;
    CHECK_OK(hk_engine_fail(engine, id, "no such mailbox", 1, retry_at, &untouched), engine);
    CHECK(untouched == HK_NO_RETRY);
    /* An acked message cannot fail. */
    CHECK_OK(hk_engine_ack(engine, other, retry_at), engine);
    CHECK_RC(hk_engine_fail(engine, other, "late", 0, retry_at, &untouched), HK_RESULT_CONFLICT,
             engine);
    CHECK_RC(hk_engine_fail(engine, "no-such-message", "x", 0, retry_at, &untouched),
             HK_RESULT_NOT_FOUND, engine);
    check_counts(engine, 0, 0, 1, 1, 0);
    CHECK_OK(hk_engine_claim(engine, 10, retry_at + 365 * DAY_MS, &json), engine);
    CHECK_STR(json, "[]");
    hk_string_free(json);
    free(id);
    free(other);
    hk_engine_free(&engine);
}

/* The last path segment of a link. */
static const char *last_segment(const char *link) {
    const char *slash = link ? strrchr(link, '/') : NULL;
    return slash ? slash + 1 : "";
}

static void an_unsubscribe_link_unsubscribes_everywhere(void) {
    hk_engine *engine = synced_engine("delivery_unsubscribe.db");
    if (engine == NULL) {
        return;
    }
    hk_message_batch *batch = claim(engine, 10, NOW_DUE);
    uint32_t fr = find_message(batch, "c1");
    if (!CHECK(fr != NOT_FOUND_INDEX)) {
        hk_message_batch_free(&batch);
        hk_engine_free(&engine);
        return;
    }
    const char *token = last_segment(hk_message_batch_unsubscribe_link(batch, fr));
    const char *survey_token = last_segment(hk_message_batch_survey_link(batch, fr));
    CHECK(strlen(token) == 44);

    char *customer = (char *)"sentinel";
    CHECK_RC(hk_engine_unsubscribe_by_token(engine, "../../etc", NOW_DUE, &customer),
             HK_RESULT_INVALID_INPUT, engine);
    char *detail = hk_engine_last_error(engine);
    CHECK_CONTAINS(detail, "\"field\":\"token\"");
    CHECK(detail != NULL && strstr(detail, "etc") == NULL);
    hk_string_free(detail);
    CHECK_RC(hk_engine_unsubscribe_by_token(engine, "00000000000000000000000000000000", NOW_DUE,
                                            &customer),
             HK_RESULT_NOT_FOUND, engine);
    /* A survey link's token does not unsubscribe. */
    CHECK_RC(hk_engine_unsubscribe_by_token(engine, survey_token, NOW_DUE, &customer),
             HK_RESULT_NOT_FOUND, engine);
    CHECK_STR(customer, "sentinel");

    /* Years later: unsubscribe links never expire. */
    CHECK_OK(hk_engine_unsubscribe_by_token(engine, token, NOW_DUE + 3650 * DAY_MS, &customer),
             engine);
    CHECK_STR(customer, "c1");
    hk_string_free(customer);
    hk_message_batch_free(&batch);

    char *json = NULL;
    CHECK_OK(hk_engine_explain(engine, "c1", NOW_DUE + 3650 * DAY_MS, &json), engine);
    CHECK_CONTAINS(json, "\"unsubscribed\":true");
    hk_string_free(json);
    /* At every location: Seoul sells to c1 later and sends no survey. */
    const char *seoul =
        "{\"format\":1,\"location\":\"seoul\",\"business_dates\":[\"2027-06-01\"],"
        "\"transactions\":[{\"id\":\"s1\",\"customer\":\"c1\",\"kind\":\"sale\","
        "\"amount_minor\":45000,\"currency\":\"KRW\",\"finalized_at\":\"2027-06-01T12:00:00+09:00\"}]}";
    char *report = NULL;
    CHECK_OK(hk_engine_sync(engine, seoul, INT64_C(1811858400000) /* 2027-06-01T14:00Z */,
                            &report),
             engine);
    CHECK_CONTAINS(report, "\"reason\":\"unsubscribed\"");
    hk_string_free(report);
    hk_engine_free(&engine);
}

static void a_bad_template_is_refused_when_set(void) {
    hk_engine *engine = synced_engine("delivery_template.db");
    if (engine == NULL) {
        return;
    }
    /* An unknown placeholder in the subject and a body without the unsubscribe link. */
    CHECK_RC(hk_engine_set_template(engine,
                                    "{\"kind\":\"survey_invitation\",\"channel\":\"email\","
                                    "\"language\":\"fr\",\"subject\":\"Bonjour {prenom}\","
                                    "\"body\":\"Votre avis : {survey_link}\"}"),
             HK_RESULT_INVALID_INPUT, engine);
    char *detail = hk_engine_last_error(engine);
    CHECK_CONTAINS(detail, "\"kind\":\"invalid_input\"");
    CHECK_CONTAINS(detail, "\"record\":\"template\",\"index\":null,\"host_id\":null,"
                           "\"field\":\"subject\"");
    CHECK_CONTAINS(detail, "\"field\":\"body\"");
    CHECK_CONTAINS(detail, "{unsubscribe_link}");
    hk_string_free(detail);
    /* Not a template: the field is named, the value is not echoed. */
    CHECK_RC(hk_engine_set_template(engine, "{\"kind\":\"survey_invitation\",\"channel\":"
                                            "\"pigeon\",\"language\":\"fr\",\"subject\":\"s\","
                                            "\"body\":\"b\"}"),
             HK_RESULT_INVALID_INPUT, engine);
    detail = hk_engine_last_error(engine);
    CHECK_CONTAINS(detail, "\"field\":\"channel\"");
    CHECK(detail != NULL && strstr(detail, "pigeon") == NULL);
    hk_string_free(detail);
    CHECK_RC(hk_engine_set_template(engine, "not json"), HK_RESULT_INVALID_INPUT, engine);

    /* The shipped French template, then a good override, read back through fr-CA. */
    char *json = NULL;
    CHECK_OK(hk_engine_get_template(engine, HK_MESSAGE_KIND_SURVEY_INVITATION, HK_CHANNEL_EMAIL,
                                    "fr-CA", &json),
             engine);
    CHECK_CONTAINS(json, "\"language\":\"fr\"");
    CHECK_CONTAINS(json, "{survey_link}");
    hk_string_free(json);
    CHECK_OK(hk_engine_set_template(engine, "{\"kind\":\"survey_invitation\",\"channel\":\"email\","
                                            "\"language\":\"fr\",\"subject\":\"Votre avis compte, "
                                            "{first_name}\",\"body\":\"{location} : {survey_link} "
                                            "(désinscription : {unsubscribe_link})\"}"),
             engine);
    CHECK_OK(hk_engine_get_template(engine, HK_MESSAGE_KIND_SURVEY_INVITATION, HK_CHANNEL_EMAIL,
                                    "fr-CA", &json),
             engine);
    CHECK_CONTAINS(json, "\"subject\":\"Votre avis compte, {first_name}\"");
    hk_string_free(json);
    /* A language without a template falls back to the store default, English. */
    CHECK_OK(hk_engine_get_template(engine, HK_MESSAGE_KIND_SURVEY_INVITATION, HK_CHANNEL_SMS,
                                    "de-AT", &json),
             engine);
    CHECK_CONTAINS(json, "\"language\":\"en\"");
    CHECK_CONTAINS(json, "\"channel\":\"sms\"");
    hk_string_free(json);

    /* Kind and channel codes are validated; 0 is never a code. */
    json = (char *)"sentinel";
    CHECK_RC(hk_engine_get_template(engine, HK_MESSAGE_KIND_SURVEY_INVITATION, 0, "fr", &json),
             HK_RESULT_INVALID_INPUT, engine);
    detail = hk_engine_last_error(engine);
    CHECK_CONTAINS(detail, "\"field\":\"channel\"");
    hk_string_free(detail);
    CHECK_RC(hk_engine_get_template(engine, 9, HK_CHANNEL_EMAIL, "fr", &json), /* 1 to 8 */
             HK_RESULT_INVALID_INPUT, engine);
    detail = hk_engine_last_error(engine);
    CHECK_CONTAINS(detail, "\"field\":\"kind\"");
    hk_string_free(detail);
    CHECK_STR(json, "sentinel");

    /* The override is what Amélie gets. */
    hk_message_batch *batch = claim(engine, 10, NOW_DUE);
    uint32_t fr = find_message(batch, "c1");
    if (CHECK(fr != NOT_FOUND_INDEX)) {
        CHECK_STR(hk_message_batch_subject(batch, fr), "Votre avis compte, Amélie");
        CHECK_CONTAINS(hk_message_batch_body(batch, fr), "Boutique Paris : https://");
    }
    hk_message_batch_free(&batch);
    hk_engine_free(&engine);
}

static void resend_in_another_language(void) {
    hk_engine *engine = synced_engine("delivery_resend.db");
    if (engine == NULL) {
        return;
    }
    hk_message_batch *batch = claim(engine, 10, NOW_DUE);
    uint32_t fr = find_message(batch, "c1");
    if (!CHECK(fr != NOT_FOUND_INDEX)) {
        hk_message_batch_free(&batch);
        hk_engine_free(&engine);
        return;
    }
    int64_t invitation = hk_message_batch_invitation_id(batch, fr);
    char *first = copy(hk_message_batch_message_id(batch, fr));
    for (uint32_t i = 0; i < hk_message_batch_count(batch); i++) {
        CHECK_OK(hk_engine_ack(engine, hk_message_batch_message_id(batch, i), NOW_DUE), engine);
    }
    hk_message_batch_free(&batch);
    char *before = NULL;
    CHECK_OK(hk_engine_explain(engine, "c1", NOW_DUE, &before), engine);

    /* F5: Amélie asks for the survey in Korean two days later. */
    int64_t later = NOW_DUE + 2 * DAY_MS;
    char *id = NULL;
    CHECK_OK(hk_engine_resend(engine, invitation, "ko", later, &id), engine);
    CHECK(id != NULL && strcmp(id, first) != 0);
    batch = claim(engine, 10, later);
    CHECK(hk_message_batch_count(batch) == 1);
    CHECK_STR(hk_message_batch_message_id(batch, 0), id);
    CHECK_STR(hk_message_batch_language(batch, 0), "ko");
    CHECK_STR(hk_message_batch_customer(batch, 0), "c1");
    CHECK(hk_message_batch_invitation_id(batch, 0) == invitation);
    CHECK(hk_message_batch_attempt(batch, 0) == 1);
    CHECK_CONTAINS(hk_message_batch_body(batch, 0), "Amélie님, 안녕하세요.");
    CHECK_OK(hk_engine_ack(engine, id, later), engine);
    hk_message_batch_free(&batch);
    hk_string_free(id);

    /* NULL keeps the invitation's language. */
    CHECK_OK(hk_engine_resend(engine, invitation, NULL, later, &id), engine);
    batch = claim(engine, 10, later);
    CHECK(hk_message_batch_count(batch) == 1);
    CHECK_STR(hk_message_batch_language(batch, 0), "fr");
    hk_message_batch_free(&batch);
    hk_string_free(id);

    /* The cooldown is not restarted. */
    char *after = NULL;
    CHECK_OK(hk_engine_explain(engine, "c1", NOW_DUE, &after), engine);
    CHECK_STR(after, before);
    hk_string_free(before);
    hk_string_free(after);

    id = (char *)"sentinel";
    CHECK_RC(hk_engine_resend(engine, 999, NULL, later, &id), HK_RESULT_NOT_FOUND, engine);
    CHECK_RC(hk_engine_resend(engine, invitation, "not a language!", later, &id),
             HK_RESULT_INVALID_INPUT, engine);
    char *detail = hk_engine_last_error(engine);
    CHECK_CONTAINS(detail, "\"field\":\"language\"");
    hk_string_free(detail);
    CHECK_STR(id, "sentinel");
    free(first);
    hk_engine_free(&engine);
}

static void delivery_settings_round_trip_as_json(void) {
    hk_engine *engine = synced_engine("delivery_settings.db");
    if (engine == NULL) {
        return;
    }
    char *json = NULL;
    CHECK_OK(hk_engine_get_delivery_settings(engine, &json), engine);
    CHECK_CONTAINS(json, "\"link_base_url\":\"https://feedback.example.com\"");
    CHECK_CONTAINS(json, "\"survey_link_days\":60");
    CHECK_CONTAINS(json, "\"lease_seconds\":300");
    hk_string_free(json);

    CHECK_OK(hk_engine_set_delivery_settings(
                 engine, "{\"link_base_url\":\"https://avis.example.fr\",\"max_attempts\":2,"
                         "\"retry_base_seconds\":60}"),
             engine);
    CHECK_OK(hk_engine_get_delivery_settings(engine, &json), engine);
    CHECK_CONTAINS(json, "\"link_base_url\":\"https://avis.example.fr\"");
    CHECK_CONTAINS(json, "\"max_attempts\":2");
    CHECK_CONTAINS(json, "\"lease_seconds\":300"); /* absent fields take their defaults */
    hk_string_free(json);

    CHECK_RC(hk_engine_set_delivery_settings(engine, "{\"lease_seconds\":\"long\"}"),
             HK_RESULT_INVALID_INPUT, engine);
    char *detail = hk_engine_last_error(engine);
    CHECK_CONTAINS(detail, "\"field\":\"lease_seconds\"");
    CHECK(detail != NULL && strstr(detail, "long") == NULL);
    hk_string_free(detail);

    /* The links use the new base; the second failure is the last attempt. */
    hk_message_batch *batch = claim(engine, 1, NOW_DUE);
    CHECK(hk_message_batch_count(batch) == 1);
    const char *base = "https://avis.example.fr/u/";
    const char *link = hk_message_batch_unsubscribe_link(batch, 0);
    CHECK(link != NULL && strncmp(link, base, strlen(base)) == 0);
    char *id = copy(hk_message_batch_message_id(batch, 0));
    hk_message_batch_free(&batch);
    int64_t retry_at = 0;
    CHECK_OK(hk_engine_fail(engine, id, "timeout", 0, NOW_DUE, &retry_at), engine);
    CHECK(retry_at == NOW_DUE + 60000);
    batch = claim(engine, 10, retry_at); /* the other message, never claimed, and this one */
    CHECK(hk_message_batch_count(batch) == 2);
    int offered = 0;
    for (uint32_t i = 0; i < hk_message_batch_count(batch); i++) {
        if (strcmp(hk_message_batch_message_id(batch, i), id) == 0) {
            offered = 1;
            CHECK(hk_message_batch_attempt(batch, i) == 2);
        }
    }
    CHECK(offered);
    hk_message_batch_free(&batch);
    CHECK_OK(hk_engine_fail(engine, id, "timeout", 0, retry_at, &retry_at), engine);
    CHECK(retry_at == HK_NO_RETRY);
    free(id);
    hk_engine_free(&engine);
}

static const char *PEPPER_SETTINGS = "{\"suppression_pepper\":\"vendor-secret-42\"}";

static void suppressions_travel_between_stores(void) {
    /* Store A: Dana unsubscribed (golden step 2). */
    hk_engine *a = open_golden_engine("suppress_a.db");
    if (a == NULL) {
        return;
    }
    CHECK_OK(hk_engine_set_delivery_settings(a, PEPPER_SETTINGS), a);
    char *bundle = NULL;
    CHECK_OK(hk_engine_export_suppressions(a, &bundle), a);
    const char *prefix = "{\"format\":1,\"hashes\":[\"";
    CHECK(bundle != NULL && strncmp(bundle, prefix, strlen(prefix)) == 0);
    CHECK(bundle != NULL && strlen(bundle) == strlen(prefix) + 64 + 3); /* one hash */
    CHECK(bundle != NULL && strstr(bundle, "ana") == NULL && strstr(bundle, "@") == NULL);

    /* Store B, a fresh database with the same vendor pepper. */
    hk_engine *b = NULL;
    CHECK_OK(hk_engine_open_in_memory(&b, NULL), NULL);
    if (b == NULL) {
        hk_string_free(bundle);
        hk_engine_free(&a);
        return;
    }
    CHECK_OK(hk_engine_upsert_location(b, "{\"id\":\"paris\",\"name\":\"Boutique Paris\","
                                          "\"time_zone\":\"Europe/Paris\"}"),
             b);
    CHECK_OK(hk_engine_set_delivery_settings(b, PEPPER_SETTINGS), b);
    uint64_t added = 99;
    CHECK_OK(hk_engine_import_suppressions(b, bundle, "store-a", NOW_UNSUBSCRIBE, &added), b);
    CHECK(added == 1);
    CHECK_OK(hk_engine_import_suppressions(b, bundle, "store-a", NOW_UNSUBSCRIBE, &added), b);
    CHECK(added == 0); /* nothing new the second time */

    /* Dana buys at store B: no survey, she unsubscribed at store A. */
    char *batch = read_golden("night1.batch.json");
    char *report_json = NULL;
    CHECK_OK(hk_engine_sync(b, batch, NOW_NIGHT1, &report_json), b);
    free(batch);
    hk_sync_report *report = NULL;
    CHECK_OK(hk_sync_report_parse(report_json, &report, NULL), NULL);
    hk_string_free(report_json);
    int found = 0;
    for (uint32_t i = 0; i < hk_sync_report_skipped_count(report); i++) {
        const char *transaction, *customer;
        uint32_t reason;
        if (hk_sync_report_skipped(report, i, &transaction, &customer, &reason) == HK_OK &&
            strcmp(transaction, "t4") == 0) {
            found = 1;
            CHECK(reason == HK_SKIP_UNSUBSCRIBED);
        }
    }
    CHECK(found);
    hk_sync_report_free(&report);
    /* B passes on what it imported. */
    char *again = NULL;
    CHECK_OK(hk_engine_export_suppressions(b, &again), b);
    CHECK_STR(again, bundle);
    hk_string_free(again);

    /* Bad bundles and sources: refused whole, named, nothing counted. */
    added = 99;
    CHECK_RC(hk_engine_import_suppressions(b, "{\"format\":1,\"hashes\":[\"not-a-hash\"]}",
                                           "store-a", NOW_NIGHT1, &added),
             HK_RESULT_INVALID_INPUT, b);
    char *detail = hk_engine_last_error(b);
    CHECK_CONTAINS(detail, "\"record\":\"suppressions\",\"index\":0");
    CHECK_CONTAINS(detail, "\"field\":\"hashes\"");
    CHECK(detail != NULL && strstr(detail, "not-a-hash") == NULL);
    hk_string_free(detail);
    CHECK_RC(hk_engine_import_suppressions(b, "{\"format\":\"dana@example.com\",\"hashes\":[]}",
                                           "store-a", NOW_NIGHT1, &added),
             HK_RESULT_INVALID_INPUT, b);
    detail = hk_engine_last_error(b);
    CHECK_CONTAINS(detail, "\"field\":\"format\"");
    CHECK(detail != NULL && strstr(detail, "dana") == NULL);
    hk_string_free(detail);
    CHECK_RC(hk_engine_import_suppressions(b, "{\"format\":2,\"hashes\":[]}", "store-a",
                                           NOW_NIGHT1, &added),
             HK_RESULT_INVALID_INPUT, b);
    CHECK_RC(hk_engine_import_suppressions(b, "[", "store-a", NOW_NIGHT1, &added),
             HK_RESULT_INVALID_INPUT, b);
    CHECK_RC(hk_engine_import_suppressions(b, bundle, "", NOW_NIGHT1, &added),
             HK_RESULT_INVALID_INPUT, b);
    detail = hk_engine_last_error(b);
    CHECK_CONTAINS(detail, "\"field\":\"source\"");
    hk_string_free(detail);
    CHECK(added == 99);

    hk_string_free(bundle);
    hk_engine_free(&b);
    hk_engine_free(&a);
}

static void message_batch_parse_refuses_what_is_not_a_claim(void) {
    hk_message_batch *batch = NULL;
    CHECK_OK(hk_message_batch_parse("[]", &batch, NULL), NULL);
    CHECK(batch != NULL && hk_message_batch_count(batch) == 0);
    CHECK(hk_message_batch_body(batch, 0) == NULL);
    CHECK(hk_message_batch_lease_until(batch, 0) == 0);
    hk_message_batch_free(&batch);

    char *error = NULL;
    CHECK_RC(hk_message_batch_parse("{\"message_id\":\"m1\"}", &batch, &error),
             HK_RESULT_INVALID_INPUT, NULL);
    CHECK(batch == NULL);
    CHECK_CONTAINS(error, "\"kind\":\"invalid_input\"");
    CHECK_CONTAINS(error, "\"record\":\"messages\"");
    hk_string_free(error);
    CHECK_RC(hk_message_batch_parse("not json", &batch, NULL), HK_RESULT_INVALID_INPUT, NULL);
    CHECK(batch == NULL);
}

/* Several mailer threads claiming from one handle never get the same message twice. */
struct mailer {
    hk_engine *engine;
    int claimed;
    int failures;
};

static void *mailer_thread(void *arg) {
    struct mailer *m = arg;
    for (int i = 0; i < 10; i++) {
        char *json = NULL;
        if (hk_engine_claim(m->engine, 1, NOW_DUE, &json) != HK_OK) {
            m->failures++;
            continue;
        }
        hk_message_batch *batch = NULL;
        if (hk_message_batch_parse(json, &batch, NULL) != HK_OK) {
            m->failures++;
        }
        for (uint32_t k = 0; k < hk_message_batch_count(batch); k++) {
            m->claimed++;
            m->failures +=
                hk_engine_ack(m->engine, hk_message_batch_message_id(batch, k), NOW_DUE) != HK_OK;
        }
        hk_message_batch_free(&batch);
        hk_string_free(json);
    }
    return NULL;
}

static void mailer_threads_never_share_a_message(void) {
    hk_engine *engine = synced_engine("delivery_threads.db");
    if (engine == NULL) {
        return;
    }
    enum { MAILERS = 4 };
    pthread_t threads[MAILERS];
    struct mailer mailers[MAILERS];
    for (int i = 0; i < MAILERS; i++) {
        mailers[i] = (struct mailer){engine, 0, 0};
        CHECK(pthread_create(&threads[i], NULL, mailer_thread, &mailers[i]) == 0);
    }
    int claimed = 0;
    for (int i = 0; i < MAILERS; i++) {
        pthread_join(threads[i], NULL);
        CHECK(mailers[i].failures == 0);
        claimed += mailers[i].claimed;
    }
    CHECK(claimed == 2);
    check_counts(engine, 0, 0, 2, 0, 0);
    hk_engine_free(&engine);
}

/* D3, D5: a hard bounce after the ack bounces the invitation and marks the contact; the
 * consent history of a customer unsubscribed by a complaint names the complaint. */
static void d3_delivery_feedback_and_d5_consent_history(void) {
    hk_engine *engine = synced_engine("delivery_feedback.db");
    if (engine == NULL) {
        return;
    }
    hk_message_batch *batch = claim(engine, 2, NOW_DUE);
    if (!CHECK(hk_message_batch_count(batch) == 2)) {
        hk_message_batch_free(&batch);
        hk_engine_free(&engine);
        return;
    }
    char *first = copy(hk_message_batch_message_id(batch, 0));
    char *second = copy(hk_message_batch_message_id(batch, 1));
    char *customer = copy(hk_message_batch_customer(batch, 1));
    hk_message_batch_free(&batch);
    CHECK_OK(hk_engine_ack(engine, first, NOW_DUE), engine);
    char *out = NULL;
    CHECK_OK(hk_engine_report_delivery(engine, first, "hard_bounce", NOW_DUE, &out), engine);
    CHECK_CONTAINS(out, "\"invitation_status\":\"bounced\"");
    CHECK_CONTAINS(out, "\"message_status\":\"acked\"");
    CHECK_CONTAINS(out, "\"changed\":true");
    hk_string_free(out);
    out = NULL;
    CHECK_OK(hk_engine_report_delivery(engine, first, "hard_bounce", NOW_DUE, &out), engine);
    CHECK_CONTAINS(out, "\"changed\":false");
    hk_string_free(out);
    out = NULL;
    CHECK_OK(hk_engine_report_delivery(engine, second, "complaint", NOW_DUE, &out), engine);
    CHECK_CONTAINS(out, "\"unsubscribed\":true");
    hk_string_free(out);
    out = NULL;
    CHECK_OK(hk_engine_consent_history(engine, customer, &out), engine);
    CHECK_CONTAINS(out, "\"source\":\"complaint\"");
    CHECK_CONTAINS(out, "\"granted\":false");
    hk_string_free(out);
    /* Bad arguments are typed and write nothing. */
    out = NULL;
    CHECK_RC(hk_engine_report_delivery(engine, first, "bounce", NOW_DUE, &out),
             HK_RESULT_INVALID_INPUT, engine);
    CHECK_RC(hk_engine_report_delivery(engine, "no-such-message", "soft_bounce", NOW_DUE, &out),
             HK_RESULT_NOT_FOUND, engine);
    CHECK_RC(hk_engine_report_delivery(engine, NULL, "complaint", NOW_DUE, &out),
             HK_RESULT_NULL_ARGUMENT, engine);
    CHECK_RC(hk_engine_report_delivery(engine, first, NULL, NOW_DUE, &out),
             HK_RESULT_NULL_ARGUMENT, engine);
    CHECK_RC(hk_engine_report_delivery(engine, first, "complaint", NOW_DUE, NULL),
             HK_RESULT_NULL_ARGUMENT, engine);
    CHECK_RC(hk_engine_consent_history(engine, NULL, &out), HK_RESULT_NULL_ARGUMENT, engine);
    CHECK_RC(hk_engine_consent_history(engine, customer, NULL), HK_RESULT_NULL_ARGUMENT, engine);
    CHECK(out == NULL);
    free(first);
    free(second);
    free(customer);
    hk_engine_free(&engine);
}

/* D2: a subscription through the C door; a ping is claimed with the three headers, a 410
 * disables the subscription; bad input is named. */
static void d2_webhooks(void) {
    hk_engine *engine = synced_engine("webhooks.db");
    if (engine == NULL) {
        return;
    }
    char *out = NULL;
    CHECK_RC(hk_engine_add_webhook(engine,
                                   "{\"url\":\"http://crm.example/h\","
                                   "\"event_types\":[\"response.created.v1\"]}",
                                   NOW_DUE, &out),
             HK_RESULT_INVALID_INPUT, NULL);
    CHECK(out == NULL);
    CHECK_OK(hk_engine_add_webhook(engine,
                                   "{\"url\":\"https://crm.example/h\","
                                   "\"event_types\":[\"response.created.v1\"]}",
                                   NOW_DUE, &out),
             engine);
    CHECK_CONTAINS(out, "\"secret\":\"whsec_");
    CHECK_CONTAINS(out, "\"id\":1");
    hk_string_free(out);
    out = NULL;
    CHECK_OK(hk_engine_webhooks(engine, &out), engine);
    CHECK(out != NULL && strstr(out, "whsec_") == NULL);
    hk_string_free(out);
    out = NULL;
    char *rotated = NULL;
    CHECK_OK(hk_engine_rotate_webhook_secret(engine, 1, 3600, NOW_DUE, &rotated), engine);
    CHECK_CONTAINS(rotated, "\"previous_secret_until\"");
    hk_string_free(rotated);
    char *ping = NULL;
    CHECK_OK(hk_engine_ping_webhook(engine, 1, NOW_DUE, &ping), engine);
    /* The ping is due at once: it comes first among the morning's messages. */
    char *claimed = NULL;
    CHECK_OK(hk_engine_claim(engine, 10, NOW_DUE, &claimed), engine);
    CHECK_CONTAINS(claimed, "\"kind\":\"webhook\"");
    CHECK_CONTAINS(claimed, "\"webhook_signature\":\"v1,");
    CHECK_CONTAINS(claimed, "\"webhook_timestamp\":\"1795251600\"");
    hk_string_free(claimed);
    int64_t retry_at = 0;
    CHECK_RC(hk_engine_fail_webhook(engine, ping, 1000, "x", NOW_DUE, &retry_at),
             HK_RESULT_INVALID_INPUT, NULL);
    CHECK_OK(hk_engine_fail_webhook(engine, ping, 410, "gone", NOW_DUE, &retry_at), engine);
    CHECK(retry_at == HK_NO_RETRY);
    CHECK_OK(hk_engine_webhooks(engine, &out), engine);
    CHECK_CONTAINS(out, "\"status\":\"disabled\"");
    hk_string_free(out);
    CHECK_OK(hk_engine_remove_webhook(engine, 1, NOW_DUE), engine);
    CHECK_RC(hk_engine_remove_webhook(engine, 1, NOW_DUE), HK_RESULT_NOT_FOUND, NULL);
    hk_string_free(ping);
    hk_engine_free(&engine);
}

void delivery_tests(void) {
    run_case("each customer gets their language (claim, typed reader)",
             each_customer_gets_their_language);
    run_case("an acked message is never offered again, even after a reopen",
             an_acked_message_is_never_offered_again);
    run_case("ack_many acks a batch and reports each id (T8)",
             ack_many_acks_a_batch_and_reports_each_id);
    run_case("failures retry with backoff, then stop", failures_retry_with_backoff_then_stop);
    run_case("an unsubscribe link unsubscribes everywhere",
             an_unsubscribe_link_unsubscribes_everywhere);
    run_case("a bad template is refused when set", a_bad_template_is_refused_when_set);
    run_case("resend in another language", resend_in_another_language);
    run_case("delivery settings round-trip as JSON", delivery_settings_round_trip_as_json);
    run_case("suppressions travel between stores", suppressions_travel_between_stores);
    run_case("message batch parse refuses what is not a claim",
             message_batch_parse_refuses_what_is_not_a_claim);
    run_case("mailer threads never share a message", mailer_threads_never_share_a_message);
    run_case("delivery feedback (D3) and consent history (D5)",
             d3_delivery_feedback_and_d5_consent_history);
    run_case("webhooks: subscribe, ping, sign, 410 (D2)", d2_webhooks);
}
