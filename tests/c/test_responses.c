/* Responses and scores through the C door (issue 6): answers by survey link and receipt
 * link, the NPS, the review redirect, validation, e-receipt feedback, deletion with its
 * audit record, the review reminder a week later, and the calling contract of each new
 * function. Each scenario starts from golden steps 1-3 (tests/golden/README.md), claims at
 * 10:00 in Paris and acks every message: c1 (fr) and c5 (ko) hold one survey link each. */
/* hk_engine_nps and hk_engine_ratings are deprecated (hk_engine_scores reads the rollups)
 * but must keep working: this file still calls them. */
#define HK_NO_DEPRECATION_WARNINGS
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"

#define DAY_MS INT64_C(86400000)
#define REVIEW_LINK "https://g.page/r/paris/review"
#define MAX_INVITED 8





/* Golden steps 1-3 on a fresh file database, then the 10:00 claim with every message
 * acked; fills `out` with each invited customer and token. Returns the engine (or NULL). */
static hk_engine *delivered_engine(const char *db_name, struct invited *out, size_t *count) {
    *count = 0;
    hk_engine *engine = open_golden_engine(db_name);
    if (engine == NULL) {
        return NULL;
    }
    char *batch = read_golden("night1.batch.json");
    char *report = NULL;
    CHECK_OK(hk_engine_sync(engine, batch, NOW_NIGHT1, &report), engine);
    hk_string_free(report);
    free(batch);

    char *json = NULL;
    hk_message_batch *messages = NULL;
    if (!CHECK_OK(hk_engine_claim(engine, 10, NOW_DUE, &json), engine) ||
        !CHECK_OK(hk_message_batch_parse(json, &messages, NULL), NULL)) {
        hk_string_free(json);
        hk_engine_free(&engine);
        return NULL;
    }
    hk_string_free(json);
    for (uint32_t i = 0; i < hk_message_batch_count(messages) && *count < MAX_INVITED; i++) {
        CHECK_OK(hk_engine_ack(engine, hk_message_batch_message_id(messages, i), NOW_DUE),
                 engine);
        struct invited *inv = &out[(*count)++];
        snprintf(inv->customer, sizeof inv->customer, "%s",
                 hk_message_batch_customer(messages, i));
        snprintf(inv->token, sizeof inv->token, "%s",
                 token_of(hk_message_batch_survey_link(messages, i)));
    }
    hk_message_batch_free(&messages);
    CHECK(*count == 2);
    return engine;
}


/* The answers JSON of one NPS answer to the default survey's "recommend" question. */
static const char *nps_answer(int score) {
    static char json[96];
    snprintf(json, sizeof json, "{\"answers\":[{\"question\":\"recommend\",\"score\":%d}]}",
             score);
    return json;
}

/* Records an NPS answer and returns the outcome JSON (caller frees), or NULL. */
static char *answer(hk_engine *engine, const char *token, int score) {
    char *outcome = NULL;
    if (!CHECK_OK(hk_engine_record_response(engine, token, nps_answer(score), NOW_DUE, &outcome),
                  engine)) {
        return NULL;
    }
    return outcome;
}

/* Mints a receipt link at Paris and returns its token (malloc'd), or NULL. */
static char *receipt_token(hk_engine *engine, const char *transaction) {
    char *json = NULL;
    if (!CHECK_OK(hk_engine_mint_receipt_link(engine, "paris", transaction, NOW_DUE, &json),
                  engine)) {
        return NULL;
    }
    char *url = json_string(json, "url");
    hk_string_free(json);
    char *token = NULL;
    if (CHECK(url != NULL)) {
        const char *t = token_of(url);
        token = malloc(strlen(t) + 1);
        if (token == NULL) {
            exit(2);
        }
        strcpy(token, t);
    }
    free(url);
    return token;
}

/* The detail JSON of the last error names `field` (and `kind`). */
static void check_detail(hk_engine *engine, const char *kind, const char *field) {
    char *detail = hk_engine_last_error(engine);
    char want[96];
    snprintf(want, sizeof want, "\"kind\":\"%s\"", kind);
    CHECK_CONTAINS(detail, want);
    if (field != NULL) {
        snprintf(want, sizeof want, "\"field\":\"%s\"", field);
        CHECK_CONTAINS(detail, want);
    }
    hk_string_free(detail);
}

static void the_golden_night_answers_10_7_3_9_give_an_nps_of_25(void) {
    struct invited invited[MAX_INVITED];
    size_t n;
    hk_engine *engine = delivered_engine("responses_nps.db", invited, &n);
    if (engine == NULL) {
        return;
    }
    char *json = NULL;
    /* N1: no responses, no NPS. */
    CHECK_OK(hk_engine_nps(engine, NULL, &json), engine);
    CHECK_STR(json, "{\"promoters\":0,\"passives\":0,\"detractors\":0,\"nps\":null}");
    hk_string_free(json);

    /* Two survey links (c1 answers 9, c5 answers 7) and two receipt links (10 and 3). */
    char *nine = answer(engine, token_for(invited, n, "c1"), 9);
    CHECK_STR(nine, "{\"response_id\":1,\"nps_category\":\"promoter\",\"score_base10\":9.0,"
                    "\"unhappy\":false,\"review_link\":\"" REVIEW_LINK "\",\"alert_id\":null}");
    char *seven = answer(engine, token_for(invited, n, "c5"), 7);
    CHECK_CONTAINS(seven, "\"nps_category\":\"passive\"");
    CHECK_CONTAINS(seven, "\"review_link\":null");
    char *walk_in = receipt_token(engine, NULL);
    char *other = receipt_token(engine, "t2");
    char *ten = walk_in ? answer(engine, walk_in, 10) : NULL;
    CHECK_CONTAINS(ten, "\"review_link\":\"" REVIEW_LINK "\"");
    char *three = other ? answer(engine, other, 3) : NULL;
    CHECK_CONTAINS(three, "\"nps_category\":\"detractor\"");
    CHECK_CONTAINS(three, "\"unhappy\":true");
    CHECK_CONTAINS(three, "\"review_link\":null");

    CHECK_OK(hk_engine_nps(engine, NULL, &json), engine);
    CHECK_STR(json, "{\"promoters\":2,\"passives\":1,\"detractors\":1,\"nps\":25.0}");
    hk_string_free(json);
    CHECK_OK(hk_engine_nps(engine, "{\"location\":\"paris\"}", &json), engine);
    CHECK_CONTAINS(json, "\"nps\":25.0");
    hk_string_free(json);
    CHECK_OK(hk_engine_nps(engine, "{\"location\":\"seoul\"}", &json), engine);
    CHECK_CONTAINS(json, "\"nps\":null");
    hk_string_free(json);
    CHECK_OK(hk_engine_nps(engine, "{\"from\":\"2026-11-21T10:00:00Z\"}", &json), engine);
    CHECK_CONTAINS(json, "\"nps\":null");
    hk_string_free(json);
    CHECK_OK(hk_engine_nps(engine, "{\"from\":\"2026-11-21T09:00:00Z\","
                                   "\"to\":\"2026-11-21T09:00:00.001Z\"}",
                           &json),
             engine);
    CHECK_CONTAINS(json, "\"nps\":25.0");
    hk_string_free(json);
    /* N5: no ratings in the default survey; both delivered invitations were answered. */
    CHECK_OK(hk_engine_ratings(engine, NULL, &json), engine);
    CHECK_STR(json, "{\"responses\":0,\"average_base10\":null,\"delivered\":2,\"answered\":2,"
                    "\"response_rate\":1.0}");
    hk_string_free(json);

    /* N3: an 8 is a passive, shown no review link. */
    char *third = receipt_token(engine, NULL);
    char *eight = third ? answer(engine, third, 8) : NULL;
    CHECK_CONTAINS(eight, "\"nps_category\":\"passive\"");
    CHECK_CONTAINS(eight, "\"review_link\":null");

    /* F6: one response per invitation and per receipt link; a second one is a conflict. */
    char *out = (char *)"sentinel";
    CHECK_RC(hk_engine_record_response(engine, token_for(invited, n, "c1"), nps_answer(10),
                                       NOW_DUE, &out),
             HK_RESULT_CONFLICT, engine);
    check_detail(engine, "conflict", NULL);
    if (walk_in != NULL) {
        CHECK_RC(hk_engine_record_response(engine, walk_in, nps_answer(1), NOW_DUE, &out),
                 HK_RESULT_CONFLICT, engine);
        CHECK_RC(hk_engine_survey_page(engine, walk_in, NULL, NOW_DUE, &out),
                 HK_RESULT_CONFLICT, engine);
    }
    CHECK_STR(out, "sentinel");
    CHECK_OK(hk_engine_nps(engine, NULL, &json), engine);
    CHECK_STR(json, "{\"promoters\":2,\"passives\":2,\"detractors\":1,\"nps\":20.0}");
    hk_string_free(json);

    /* N3: the respondent clicked the review link, then posted a review. */
    int64_t id = json_int(nine, "response_id");
    CHECK(id == 1);
    CHECK_OK(hk_engine_review_clicked(engine, id, NOW_DUE + 60000), engine);
    CHECK_OK(hk_engine_review_confirmed(engine, id, NOW_DUE + 3600000), engine);
    CHECK_RC(hk_engine_review_clicked(engine, 999, NOW_DUE), HK_RESULT_NOT_FOUND, engine);
    CHECK_RC(hk_engine_review_confirmed(engine, 999, NOW_DUE), HK_RESULT_NOT_FOUND, engine);

    hk_string_free(nine);
    hk_string_free(seven);
    hk_string_free(ten);
    hk_string_free(three);
    hk_string_free(eight);
    free(walk_in);
    free(other);
    free(third);
    hk_engine_free(&engine);
}

static void bad_answers_are_refused_naming_each_field(void) {
    struct invited invited[MAX_INVITED];
    size_t n;
    hk_engine *engine = delivered_engine("responses_bad.db", invited, &n);
    if (engine == NULL) {
        return;
    }
    const char *token = token_for(invited, n, "c1");
    char *out = (char *)"sentinel";
    const hk_result BAD = HK_RESULT_INVALID_INPUT;
    /* An out-of-range score and a question the survey does not have: both named. */
    CHECK_RC(hk_engine_record_response(engine, token,
                                       "{\"answers\":[{\"question\":\"recommend\",\"score\":11},"
                                       "{\"question\":\"colour\",\"text\":\"red\"}]}",
                                       NOW_DUE, &out),
             BAD, engine);
    char *detail = hk_engine_last_error(engine);
    CHECK_CONTAINS(detail, "{\"record\":\"answers\",\"index\":0,\"host_id\":\"recommend\","
                           "\"field\":\"score\"");
    CHECK_CONTAINS(detail, "{\"record\":\"answers\",\"index\":1,\"host_id\":\"colour\","
                           "\"field\":\"question\"");
    CHECK(detail != NULL && strstr(detail, "red") == NULL); /* never the value */
    hk_string_free(detail);
    /* The wrong kind of answer, the same question twice. */
    CHECK_RC(hk_engine_record_response(engine, token,
                                       "{\"answers\":[{\"question\":\"recommend\","
                                       "\"choice\":\"yes\"}]}",
                                       NOW_DUE, &out),
             BAD, engine);
    check_detail(engine, "invalid_input", "score");
    CHECK_RC(hk_engine_record_response(engine, token,
                                       "{\"answers\":[{\"question\":\"recommend\",\"score\":1},"
                                       "{\"question\":\"recommend\",\"score\":2}]}",
                                       NOW_DUE, &out),
             BAD, engine);
    check_detail(engine, "invalid_input", "question");
    /* JSON that is not answers at all. */
    CHECK_RC(hk_engine_record_response(engine, token, "{\"answers\":[", NOW_DUE, &out), BAD,
             engine);
    check_detail(engine, "invalid_input", NULL);
    CHECK_RC(hk_engine_record_response(engine, token, "{\"answers\":[],\"rating\":5}", NOW_DUE,
                                       &out),
             BAD, engine);
    detail = hk_engine_last_error(engine);
    CHECK_CONTAINS(detail, "\"reason\":\"unknown field\"");
    hk_string_free(detail);
    CHECK_RC(hk_engine_record_response(engine, token,
                                       "{\"answers\":[{\"question\":\"recommend\","
                                       "\"score\":-1}]}",
                                       NOW_DUE, &out),
             BAD, engine);
    check_detail(engine, "invalid_input", "score");
    /* Tokens: malformed is invalid input, unknown is not found. */
    CHECK_RC(hk_engine_record_response(engine, "not-a-token", nps_answer(9), NOW_DUE, &out), BAD,
             engine);
    check_detail(engine, "invalid_input", "token");
    CHECK_RC(hk_engine_record_response(engine, "abababababababababababababababab", nps_answer(9),
                                       NOW_DUE, &out),
             HK_RESULT_NOT_FOUND, engine);
    CHECK_RC(hk_engine_survey_page(engine, "abababababababababababababababab", NULL, NOW_DUE,
                                   &out),
             HK_RESULT_NOT_FOUND, engine);
    CHECK_STR(out, "sentinel");

    /* Nothing was stored, and the link still takes its one response. */
    char *json = NULL;
    CHECK_OK(hk_engine_nps(engine, NULL, &json), engine);
    CHECK_CONTAINS(json, "\"nps\":null");
    hk_string_free(json);
    char *outcome = answer(engine, token, 10);
    CHECK_CONTAINS(outcome, "\"nps_category\":\"promoter\"");
    hk_string_free(outcome);
    /* A bad score query names its field. */
    out = (char *)"sentinel";
    CHECK_RC(hk_engine_nps(engine, "{\"from\":\"yesterday\"}", &out), BAD, engine);
    check_detail(engine, "invalid_input", "from");
    CHECK_RC(hk_engine_ratings(engine, "{\"shop\":\"paris\"}", &out), BAD, engine);
    check_detail(engine, "invalid_input", NULL);
    CHECK_STR(out, "sentinel");
    hk_engine_free(&engine);
}

static void the_survey_page_speaks_the_invitation_language(void) {
    struct invited invited[MAX_INVITED];
    size_t n;
    hk_engine *engine = delivered_engine("responses_page.db", invited, &n);
    if (engine == NULL) {
        return;
    }
    char *page = NULL;
    CHECK_OK(hk_engine_survey_page(engine, token_for(invited, n, "c1"), NULL, NOW_DUE, &page),
             engine);
    /* c1 speaks fr-FR: the French texts ("language" is the tag asked for, lower-cased). */
    CHECK_CONTAINS(page, "\"location\":\"paris\",\"location_name\":\"Boutique Paris\","
                         "\"language\":\"fr");
    CHECK_CONTAINS(page, "{\"id\":\"recommend\",\"kind\":\"nps\",\"text\":\"Quelle est la "
                         "probabilité que vous recommandiez Boutique Paris ?\"");
    hk_string_free(page);
    CHECK_OK(hk_engine_survey_page(engine, token_for(invited, n, "c5"), NULL, NOW_DUE, &page),
             engine);
    CHECK_CONTAINS(page, "\"language\":\"ko\"");
    CHECK_CONTAINS(page, "Boutique Paris를 추천할 가능성");
    hk_string_free(page);
    CHECK_OK(hk_engine_survey_page(engine, token_for(invited, n, "c5"), "en-GB", NOW_DUE, &page),
             engine);
    CHECK_CONTAINS(page, "How likely are you to recommend Boutique Paris?");
    hk_string_free(page);
    /* Reading the page does not use the link up. */
    char *outcome = answer(engine, token_for(invited, n, "c5"), 9);
    CHECK(outcome != NULL);
    hk_string_free(outcome);
    hk_engine_free(&engine);
}

static void a_receipt_link_takes_one_response_and_expires(void) {
    struct invited invited[MAX_INVITED];
    size_t n;
    hk_engine *engine = delivered_engine("responses_receipt.db", invited, &n);
    if (engine == NULL) {
        return;
    }
    char *json = NULL;
    CHECK_OK(hk_engine_mint_receipt_link(engine, "paris", "t1", NOW_DUE, &json), engine);
    CHECK_CONTAINS(json, "{\"url\":\"https://feedback.example.com/r/");
    CHECK_CONTAINS(json, "\"expires_at\":\"2027-01-20T09:00:00Z\"}"); /* 60 days */
    char *url = json_string(json, "url");
    hk_string_free(json);
    const char *token = token_of(url);
    CHECK(strlen(token) == 44);

    /* Anonymous: the page is in the store's default language. */
    char *page = NULL;
    CHECK_OK(hk_engine_survey_page(engine, token, NULL, NOW_DUE, &page), engine);
    CHECK_CONTAINS(page, "\"language\":\"en\"");
    hk_string_free(page);
    char *out = (char *)"sentinel";
    /* F6: expired after 60 days. */
    CHECK_RC(hk_engine_record_response(engine, token, nps_answer(9), NOW_DUE + 61 * DAY_MS, &out),
             HK_RESULT_CONFLICT, engine);
    char *outcome = NULL;
    CHECK_OK(hk_engine_record_response(engine, token, nps_answer(9), NOW_DUE, &outcome), engine);
    CHECK_CONTAINS(outcome, "\"review_link\":\"" REVIEW_LINK "\"");
    hk_string_free(outcome);
    CHECK_RC(hk_engine_record_response(engine, token, nps_answer(9), NOW_DUE, &out),
             HK_RESULT_CONFLICT, engine);
    free(url);

    /* Unknown location or transaction. */
    CHECK_RC(hk_engine_mint_receipt_link(engine, "lyon", NULL, NOW_DUE, &out),
             HK_RESULT_NOT_FOUND, engine);
    CHECK_RC(hk_engine_mint_receipt_link(engine, "paris", "t99", NOW_DUE, &out),
             HK_RESULT_NOT_FOUND, engine);
    CHECK_STR(out, "sentinel");

    /* Each receipt link has its own token. */
    char *a = receipt_token(engine, NULL);
    char *b = receipt_token(engine, NULL);
    CHECK(a != NULL && b != NULL && strcmp(a, b) != 0);
    free(a);
    free(b);

    /* The anonymous response counts in the NPS, not in the response rate. */
    CHECK_OK(hk_engine_nps(engine, NULL, &json), engine);
    CHECK_STR(json, "{\"promoters\":1,\"passives\":0,\"detractors\":0,\"nps\":100.0}");
    hk_string_free(json);
    CHECK_OK(hk_engine_ratings(engine, NULL, &json), engine);
    CHECK_CONTAINS(json, "\"delivered\":2,\"answered\":0,\"response_rate\":0.0");
    hk_string_free(json);
    hk_engine_free(&engine);
}

static void e_receipt_feedback_and_turning_it_off(void) {
    struct invited invited[MAX_INVITED];
    size_t n;
    hk_engine *engine = delivered_engine("responses_feedback.db", invited, &n);
    if (engine == NULL) {
        return;
    }
    int64_t id = -7, other = -7;
    CHECK_OK(hk_engine_record_feedback(engine,
                                       "{\"location\":\"paris\",\"transaction\":\"t1\","
                                       "\"customer\":\"c1\",\"sentiment\":\"negative\","
                                       "\"facets\":[\"staff\",\"wait_time\"],"
                                       "\"comment\":\"Très bon accueil, mais l'attente…\","
                                       "\"consent_to_reply\":true}",
                                       NOW_DUE, &id),
             engine);
    CHECK(id > 0);
    CHECK_OK(hk_engine_record_feedback(engine, "{\"location\":\"paris\",\"sentiment\":\"positive\"}",
                                       NOW_DUE, &other),
             engine);
    CHECK(other > id);

    /* Bad feedback names each field. */
    int64_t untouched = 42;
    const hk_result BAD = HK_RESULT_INVALID_INPUT;
    CHECK_RC(hk_engine_record_feedback(engine,
                                       "{\"location\":\"paris\",\"sentiment\":\"positive\","
                                       "\"facets\":[\"parking\"]}",
                                       NOW_DUE, &untouched),
             BAD, engine);
    check_detail(engine, "invalid_input", "facets");
    CHECK_RC(hk_engine_record_feedback(engine, "{\"location\":\"paris\",\"sentiment\":\"unknown\"}",
                                       NOW_DUE, &untouched),
             BAD, engine);
    check_detail(engine, "invalid_input", "sentiment");
    CHECK_RC(hk_engine_record_feedback(engine, "{\"location\":\"paris\",\"sentiment\":\"meh\"}",
                                       NOW_DUE, &untouched),
             BAD, engine);
    check_detail(engine, "invalid_input", "sentiment");
    CHECK_RC(hk_engine_record_feedback(engine, "{\"location\":\"paris\"}", NOW_DUE, &untouched),
             BAD, engine);
    char *detail = hk_engine_last_error(engine);
    CHECK_CONTAINS(detail, "missing field `sentiment`");
    hk_string_free(detail);
    CHECK_RC(hk_engine_record_feedback(engine, "{\"location\":\"lyon\",\"sentiment\":\"positive\"}",
                                       NOW_DUE, &untouched),
             HK_RESULT_NOT_FOUND, engine);

    /* F1: turned off per location, it is a conflict; old feedback stays. */
    CHECK_RC(hk_engine_set_feedback_enabled(engine, "paris", 2), BAD, engine);
    check_detail(engine, "invalid_input", "enabled");
    CHECK_RC(hk_engine_set_feedback_enabled(engine, "lyon", 0), HK_RESULT_NOT_FOUND, engine);
    CHECK_OK(hk_engine_set_feedback_enabled(engine, "paris", 0), engine);
    CHECK_RC(hk_engine_record_feedback(engine, "{\"location\":\"paris\",\"sentiment\":\"positive\"}",
                                       NOW_DUE, &untouched),
             HK_RESULT_CONFLICT, engine);
    check_detail(engine, "conflict", NULL);
    CHECK(untouched == 42);
    /* Seoul's is still on. */
    CHECK_OK(hk_engine_record_feedback(engine, "{\"location\":\"seoul\",\"sentiment\":\"positive\"}",
                                       NOW_DUE, &untouched),
             engine);
    CHECK_OK(hk_engine_delete_response(engine, id, "admin@store", NOW_DUE), engine);
    char *json = NULL;
    CHECK_OK(hk_engine_response_deletions(engine, &json), engine);
    char want[64];
    snprintf(want, sizeof want, "[{\"response_id\":%lld,\"customer\":\"c1\"", (long long)id);
    CHECK_CONTAINS(json, want);
    hk_string_free(json);
    CHECK_OK(hk_engine_set_feedback_enabled(engine, "paris", 1), engine);
    CHECK_OK(hk_engine_record_feedback(engine, "{\"location\":\"paris\",\"sentiment\":\"positive\"}",
                                       NOW_DUE, &untouched),
             engine);
    hk_engine_free(&engine);
}

static void deletion_leaves_an_audit_record(void) {
    struct invited invited[MAX_INVITED];
    size_t n;
    hk_engine *engine = delivered_engine("responses_delete.db", invited, &n);
    if (engine == NULL) {
        return;
    }
    char *json = NULL;
    CHECK_OK(hk_engine_response_deletions(engine, &json), engine);
    CHECK_STR(json, "[]");
    hk_string_free(json);
    char *outcome = answer(engine, token_for(invited, n, "c1"), 6);
    int64_t id = json_int(outcome, "response_id");
    hk_string_free(outcome);
    CHECK(id > 0);

    CHECK_RC(hk_engine_delete_response(engine, id, " ", NOW_DUE), HK_RESULT_INVALID_INPUT,
             engine);
    check_detail(engine, "invalid_input", "admin");
    CHECK_OK(hk_engine_delete_response(engine, id, "owner@boutique", NOW_DUE + DAY_MS), engine);
    CHECK_OK(hk_engine_response_deletions(engine, &json), engine);
    char want[256];
    snprintf(want, sizeof want,
             "[{\"response_id\":%lld,\"customer\":\"c1\",\"responded_at\":\"2026-11-21T09:00:00Z\","
             "\"score_base10\":6.0,\"deleted_by\":\"owner@boutique\","
             "\"deleted_at\":\"2026-11-22T09:00:00Z\"}]",
             (long long)id);
    CHECK_STR(json, want);
    hk_string_free(json);
    /* Gone from the scores; a second delete finds nothing; no editing by answering again. */
    CHECK_OK(hk_engine_nps(engine, NULL, &json), engine);
    CHECK_CONTAINS(json, "\"nps\":null");
    hk_string_free(json);
    CHECK_RC(hk_engine_delete_response(engine, id, "owner@boutique", NOW_DUE),
             HK_RESULT_NOT_FOUND, engine);
    CHECK_RC(hk_engine_delete_response(engine, -1, "owner@boutique", NOW_DUE),
             HK_RESULT_NOT_FOUND, engine);
    char *out = (char *)"sentinel";
    CHECK_RC(hk_engine_record_response(engine, token_for(invited, n, "c1"), nps_answer(10),
                                       NOW_DUE, &out),
             HK_RESULT_CONFLICT, engine);
    CHECK_STR(out, "sentinel");
    hk_engine_free(&engine);
}

static void a_week_after_the_ack_the_promoter_gets_a_review_reminder(void) {
    struct invited invited[MAX_INVITED];
    size_t n;
    hk_engine *engine = delivered_engine("responses_reminder.db", invited, &n);
    if (engine == NULL) {
        return;
    }
    /* c1 (fr) is a promoter; c5 is one too but confirms a review before the week is out. */
    char *ten = answer(engine, token_for(invited, n, "c1"), 10);
    char *nine = answer(engine, token_for(invited, n, "c5"), 9);
    CHECK_OK(hk_engine_review_confirmed(engine, json_int(nine, "response_id"), NOW_DUE + DAY_MS),
             engine);
    hk_string_free(ten);
    hk_string_free(nine);

    int64_t week = NOW_DUE + 7 * DAY_MS;
    char *json = NULL;
    CHECK_OK(hk_engine_claim(engine, 10, week - 1, &json), engine);
    CHECK_STR(json, "[]");
    hk_string_free(json);
    CHECK_OK(hk_engine_claim(engine, 10, week, &json), engine);
    hk_message_batch *batch = NULL;
    CHECK_OK(hk_message_batch_parse(json, &batch, NULL), NULL);
    hk_string_free(json);
    CHECK(hk_message_batch_count(batch) == 1);
    if (hk_message_batch_count(batch) == 1) {
        CHECK(hk_message_batch_kind(batch, 0) == HK_MESSAGE_KIND_REVIEW_REMINDER);
        CHECK_STR(hk_message_batch_customer(batch, 0), "c1");
        CHECK_STR(hk_message_batch_language(batch, 0), "fr");
        CHECK_CONTAINS(hk_message_batch_body(batch, 0), REVIEW_LINK);
        CHECK(hk_message_batch_survey_link(batch, 0) == NULL);
        CHECK(hk_message_batch_unsubscribe_link(batch, 0) != NULL);
        CHECK(hk_message_batch_invitation_id(batch, 0) == 1);
        CHECK_OK(hk_engine_ack(engine, hk_message_batch_message_id(batch, 0), week), engine);
    }
    hk_message_batch_free(&batch);
    /* R1: at most one reminder per invitation. */
    CHECK_OK(hk_engine_claim(engine, 10, week + 30 * DAY_MS, &json), engine);
    CHECK_STR(json, "[]");
    hk_string_free(json);
    /* The shipped review-reminder template, through the existing template call. */
    CHECK_OK(hk_engine_get_template(engine, HK_MESSAGE_KIND_REVIEW_REMINDER, HK_CHANNEL_EMAIL,
                                    "ko", &json),
             engine);
    CHECK_CONTAINS(json, "{review_link}");
    hk_string_free(json);
    hk_engine_free(&engine);
}

/* hk_engine_run_due queues the week-old promoter's review reminder (R1) without claiming;
 * the next claim hands it over, and running the timers again queues nothing more. */
static void run_due_queues_the_reminder_before_any_claim(void) {
    struct invited invited[MAX_INVITED];
    size_t n;
    hk_engine *engine = delivered_engine("responses_run_due.db", invited, &n);
    if (engine == NULL) {
        return;
    }
    hk_string_free(answer(engine, token_for(invited, n, "c1"), 10));
    int64_t week = NOW_DUE + 7 * DAY_MS;
    char *due = NULL;
    CHECK_OK(hk_engine_run_due(engine, week - 1, &due), engine);
    CHECK_STR(due, "{\"reminders\":0,\"escalations\":0}");
    hk_string_free(due);
    CHECK_OK(hk_engine_run_due(engine, week, &due), engine);
    CHECK_STR(due, "{\"reminders\":1,\"escalations\":0}");
    hk_string_free(due);
    CHECK_OK(hk_engine_run_due(engine, week, &due), engine);
    CHECK_STR(due, "{\"reminders\":0,\"escalations\":0}");
    hk_string_free(due);
    char *json = NULL;
    hk_message_batch *batch = NULL;
    CHECK_OK(hk_engine_claim(engine, 10, week, &json), engine);
    CHECK_OK(hk_message_batch_parse(json, &batch, NULL), NULL);
    hk_string_free(json);
    CHECK(hk_message_batch_count(batch) == 1);
    if (hk_message_batch_count(batch) == 1) {
        CHECK(hk_message_batch_kind(batch, 0) == HK_MESSAGE_KIND_REVIEW_REMINDER);
    }
    hk_message_batch_free(&batch);
    CHECK_RC(hk_engine_run_due(NULL, week, &due), HK_RESULT_NULL_ARGUMENT, NULL);
    CHECK_RC(hk_engine_run_due(engine, week, NULL), HK_RESULT_NULL_ARGUMENT, engine);
    CHECK_RC(hk_engine_run_due(engine, INT64_MAX, &due), HK_RESULT_INVALID_INPUT, engine);
    hk_engine_free(&engine);
}

static void survey_and_feedback_settings_as_json(void) {
    struct invited invited[MAX_INVITED];
    size_t n;
    hk_engine *engine = delivered_engine("responses_settings.db", invited, &n);
    if (engine == NULL) {
        return;
    }
    char *json = NULL;
    CHECK_OK(hk_engine_get_survey(engine, &json), engine);
    CHECK_CONTAINS(json, "{\"questions\":[{\"id\":\"recommend\",\"kind\":\"nps\"");
    CHECK_CONTAINS(json, "{\"id\":\"comment\",\"kind\":\"comment\"");
    hk_string_free(json);
    CHECK_OK(hk_engine_get_feedback_settings(engine, &json), engine);
    CHECK_STR(json, "{\"review_mode\":\"promoters\",\"unhappy_stars\":2,"
                    "\"non_respondent_reminder_days\":0}");
    hk_string_free(json);

    /* A survey with stars and a satisfaction-filter question. */
    const char *survey =
        "{\"questions\":[{\"id\":\"stars\",\"kind\":\"rating\",\"text\":{\"en\":\"Rate "
        "{location}\",\"fr\":\"Notez {location}\"},\"scale\":5},"
        "{\"id\":\"fast\",\"kind\":\"choice\",\"text\":{\"en\":\"Was it fast?\"},\"options\":["
        "{\"id\":\"yes\",\"text\":{\"en\":\"Yes\"},\"satisfied\":true},"
        "{\"id\":\"no\",\"text\":{\"en\":\"No\"},\"satisfied\":false}]}]}";
    CHECK_OK(hk_engine_set_survey(engine, survey), engine);
    CHECK_OK(hk_engine_get_survey(engine, &json), engine);
    CHECK_CONTAINS(json, "\"id\":\"stars\",\"kind\":\"rating\"");
    CHECK(json != NULL && strstr(json, "recommend") == NULL);
    hk_string_free(json);
    CHECK_RC(hk_engine_set_survey(engine, "{\"questions\":[{\"id\":\"x\",\"kind\":\"mood\","
                                          "\"text\":{\"en\":\"?\"}}]}"),
             HK_RESULT_INVALID_INPUT, engine);
    check_detail(engine, "invalid_input", NULL);
    CHECK_RC(hk_engine_set_feedback_settings(engine, "{\"unhappy_stars\":0}"),
             HK_RESULT_INVALID_INPUT, engine);
    check_detail(engine, "invalid_input", "unhappy_stars");
    CHECK_RC(hk_engine_set_feedback_settings(engine, "{\"review_mode\":\"friends\"}"),
             HK_RESULT_INVALID_INPUT, engine);
    check_detail(engine, "invalid_input", "review_mode");

    /* N4: 2 of 5 stars is unhappy at the default threshold; an unsatisfied choice too. */
    char *outcome = NULL;
    CHECK_OK(hk_engine_record_response(engine, token_for(invited, n, "c1"),
                                       "{\"answers\":[{\"question\":\"stars\",\"score\":4},"
                                       "{\"question\":\"fast\",\"choice\":\"no\"}],"
                                       "\"consent_to_reply\":true}",
                                       NOW_DUE, &outcome),
             engine);
    CHECK_STR(outcome, "{\"response_id\":1,\"nps_category\":null,\"score_base10\":8.0,"
                       "\"unhappy\":true,\"review_link\":null,\"alert_id\":1}");
    hk_string_free(outcome);
    /* N3: the Google-policy mode offers the review link to every respondent. */
    CHECK_OK(hk_engine_set_feedback_settings(engine, "{\"review_mode\":\"everyone\"}"), engine);
    CHECK_OK(hk_engine_get_feedback_settings(engine, &json), engine);
    CHECK_CONTAINS(json, "\"review_mode\":\"everyone\",\"unhappy_stars\":2");
    hk_string_free(json);
    CHECK_OK(hk_engine_record_response(engine, token_for(invited, n, "c5"),
                                       "{\"answers\":[{\"question\":\"stars\",\"score\":2}]}",
                                       NOW_DUE, &outcome),
             engine);
    CHECK_CONTAINS(outcome, "\"score_base10\":4.0,\"unhappy\":true,"
                            "\"review_link\":\"" REVIEW_LINK "\"");
    hk_string_free(outcome);
    /* N5, N6: the average on base 10 and the response rate. */
    CHECK_OK(hk_engine_ratings(engine, "{\"location\":\"paris\"}", &json), engine);
    CHECK_STR(json, "{\"responses\":2,\"average_base10\":6.0,\"delivered\":2,\"answered\":2,"
                    "\"response_rate\":1.0}");
    hk_string_free(json);
    hk_engine_free(&engine);
}

static void new_functions_refuse_null_arguments(void) {
    char *out = (char *)"sentinel";
    int64_t id = 42;
    const hk_result NUL = HK_RESULT_NULL_ARGUMENT;
    const char *token = "abababababababababababababababab";
    const char *answers = "{\"answers\":[]}";

    /* A NULL handle. */
    CHECK_RC(hk_engine_get_survey(NULL, &out), NUL, NULL);
    CHECK_RC(hk_engine_set_survey(NULL, "{}"), NUL, NULL);
    CHECK_RC(hk_engine_get_feedback_settings(NULL, &out), NUL, NULL);
    CHECK_RC(hk_engine_set_feedback_settings(NULL, "{}"), NUL, NULL);
    CHECK_RC(hk_engine_survey_page(NULL, token, NULL, NOW_DUE, &out), NUL, NULL);
    CHECK_RC(hk_engine_record_response(NULL, token, answers, NOW_DUE, &out), NUL, NULL);
    CHECK_RC(hk_engine_mint_receipt_link(NULL, "paris", NULL, NOW_DUE, &out), NUL, NULL);
    CHECK_RC(hk_engine_record_feedback(NULL, "{}", NOW_DUE, &id), NUL, NULL);
    CHECK_RC(hk_engine_set_feedback_enabled(NULL, "paris", 1), NUL, NULL);
    CHECK_RC(hk_engine_delete_response(NULL, 1, "admin", NOW_DUE), NUL, NULL);
    CHECK_RC(hk_engine_response_deletions(NULL, &out), NUL, NULL);
    CHECK_RC(hk_engine_review_clicked(NULL, 1, NOW_DUE), NUL, NULL);
    CHECK_RC(hk_engine_review_confirmed(NULL, 1, NOW_DUE), NUL, NULL);
    CHECK_RC(hk_engine_nps(NULL, NULL, &out), NUL, NULL);
    CHECK_RC(hk_engine_ratings(NULL, NULL, &out), NUL, NULL);

    /* NULL inputs and outputs on a live handle: each names its argument. */
    hk_engine *engine = open_golden_engine("responses_nulls.db");
    if (engine == NULL) {
        return;
    }
    CHECK_RC(hk_engine_get_survey(engine, NULL), NUL, engine);
    check_detail(engine, "invalid_input", "survey_json_out");
    CHECK_RC(hk_engine_set_survey(engine, NULL), NUL, engine);
    check_detail(engine, "invalid_input", "survey_json");
    CHECK_RC(hk_engine_get_feedback_settings(engine, NULL), NUL, engine);
    check_detail(engine, "invalid_input", "settings_json_out");
    CHECK_RC(hk_engine_set_feedback_settings(engine, NULL), NUL, engine);
    check_detail(engine, "invalid_input", "settings_json");
    CHECK_RC(hk_engine_survey_page(engine, NULL, NULL, NOW_DUE, &out), NUL, engine);
    check_detail(engine, "invalid_input", "token");
    CHECK_RC(hk_engine_survey_page(engine, token, "fr", NOW_DUE, NULL), NUL, engine);
    check_detail(engine, "invalid_input", "page_json_out");
    CHECK_RC(hk_engine_record_response(engine, NULL, answers, NOW_DUE, &out), NUL, engine);
    check_detail(engine, "invalid_input", "token");
    CHECK_RC(hk_engine_record_response(engine, token, NULL, NOW_DUE, &out), NUL, engine);
    check_detail(engine, "invalid_input", "answers_json");
    CHECK_RC(hk_engine_record_response(engine, token, answers, NOW_DUE, NULL), NUL, engine);
    check_detail(engine, "invalid_input", "outcome_json_out");
    CHECK_RC(hk_engine_mint_receipt_link(engine, NULL, NULL, NOW_DUE, &out), NUL, engine);
    check_detail(engine, "invalid_input", "location_id");
    CHECK_RC(hk_engine_mint_receipt_link(engine, "paris", NULL, NOW_DUE, NULL), NUL, engine);
    check_detail(engine, "invalid_input", "link_json_out");
    CHECK_RC(hk_engine_record_feedback(engine, NULL, NOW_DUE, &id), NUL, engine);
    check_detail(engine, "invalid_input", "feedback_json");
    CHECK_RC(hk_engine_record_feedback(engine, "{}", NOW_DUE, NULL), NUL, engine);
    check_detail(engine, "invalid_input", "response_id_out");
    CHECK_RC(hk_engine_set_feedback_enabled(engine, NULL, 1), NUL, engine);
    check_detail(engine, "invalid_input", "location_id");
    CHECK_RC(hk_engine_delete_response(engine, 1, NULL, NOW_DUE), NUL, engine);
    check_detail(engine, "invalid_input", "admin");
    CHECK_RC(hk_engine_response_deletions(engine, NULL), NUL, engine);
    check_detail(engine, "invalid_input", "deletions_json_out");
    CHECK_RC(hk_engine_nps(engine, NULL, NULL), NUL, engine);
    check_detail(engine, "invalid_input", "nps_json_out");
    CHECK_RC(hk_engine_ratings(engine, "{}", NULL), NUL, engine);
    check_detail(engine, "invalid_input", "ratings_json_out");

    /* Nothing was written, and the rejected calls changed nothing. */
    CHECK_STR(out, "sentinel");
    CHECK(id == 42);
    char *json = NULL;
    CHECK_OK(hk_engine_get_feedback_settings(engine, &json), engine);
    CHECK_CONTAINS(json, "\"review_mode\":\"promoters\"");
    hk_string_free(json);
    CHECK_OK(hk_engine_nps(engine, NULL, &json), engine); /* NULL query: everything */
    CHECK_CONTAINS(json, "\"nps\":null");
    hk_string_free(json);
    hk_engine_free(&engine);
}

static void new_functions_refuse_invalid_utf8(void) {
    hk_engine *engine = open_golden_engine("responses_utf8.db");
    if (engine == NULL) {
        return;
    }
    const char *bad = "pa\xffris";
    const char *bad_json = "{\"location\":\"pa\xc3(ris\"}";
    const char *token = "abababababababababababababababab";
    char *out = (char *)"sentinel";
    int64_t id = 42;
    const hk_result U = HK_RESULT_INVALID_UTF8;
    CHECK_RC(hk_engine_set_survey(engine, bad_json), U, engine);
    check_detail(engine, "invalid_input", "survey_json");
    CHECK_RC(hk_engine_set_feedback_settings(engine, bad_json), U, engine);
    check_detail(engine, "invalid_input", "settings_json");
    CHECK_RC(hk_engine_survey_page(engine, bad, NULL, NOW_DUE, &out), U, engine);
    check_detail(engine, "invalid_input", "token");
    CHECK_RC(hk_engine_survey_page(engine, token, bad, NOW_DUE, &out), U, engine);
    check_detail(engine, "invalid_input", "language");
    CHECK_RC(hk_engine_record_response(engine, bad, "{\"answers\":[]}", NOW_DUE, &out), U,
             engine);
    check_detail(engine, "invalid_input", "token");
    CHECK_RC(hk_engine_record_response(engine, token, bad_json, NOW_DUE, &out), U, engine);
    check_detail(engine, "invalid_input", "answers_json");
    char *detail = hk_engine_last_error(engine);
    CHECK_CONTAINS(detail, "offset 15");
    CHECK(detail != NULL && strstr(detail, "ris") == NULL); /* never the bytes */
    hk_string_free(detail);
    CHECK_RC(hk_engine_mint_receipt_link(engine, bad, NULL, NOW_DUE, &out), U, engine);
    check_detail(engine, "invalid_input", "location_id");
    CHECK_RC(hk_engine_mint_receipt_link(engine, "paris", bad, NOW_DUE, &out), U, engine);
    check_detail(engine, "invalid_input", "transaction_id");
    CHECK_RC(hk_engine_record_feedback(engine, bad_json, NOW_DUE, &id), U, engine);
    check_detail(engine, "invalid_input", "feedback_json");
    CHECK_RC(hk_engine_set_feedback_enabled(engine, bad, 0), U, engine);
    check_detail(engine, "invalid_input", "location_id");
    CHECK_RC(hk_engine_delete_response(engine, 1, bad, NOW_DUE), U, engine);
    check_detail(engine, "invalid_input", "admin");
    CHECK_RC(hk_engine_nps(engine, bad_json, &out), U, engine);
    check_detail(engine, "invalid_input", "query_json");
    CHECK_RC(hk_engine_ratings(engine, bad_json, &out), U, engine);
    check_detail(engine, "invalid_input", "query_json");
    CHECK_STR(out, "sentinel");
    CHECK(id == 42);
    hk_engine_free(&engine);
}

static void new_functions_validate_scalars(void) {
    hk_engine *engine = open_golden_engine("responses_scalars.db");
    if (engine == NULL) {
        return;
    }
    const hk_result BAD = HK_RESULT_INVALID_INPUT;
    const char *token = "abababababababababababababababab";
    char *out = (char *)"sentinel";
    int64_t id = 42;
    CHECK_RC(hk_engine_set_feedback_enabled(engine, "paris", 7), BAD, engine);
    check_detail(engine, "invalid_input", "enabled");
    CHECK_RC(hk_engine_survey_page(engine, token, NULL, INT64_MAX, &out), BAD, engine);
    check_detail(engine, "invalid_input", "now_ms");
    CHECK_RC(hk_engine_record_response(engine, token, "{\"answers\":[]}", INT64_MIN, &out), BAD,
             engine);
    check_detail(engine, "invalid_input", "now_ms");
    CHECK_RC(hk_engine_mint_receipt_link(engine, "paris", NULL, INT64_MAX, &out), BAD, engine);
    check_detail(engine, "invalid_input", "now_ms");
    CHECK_RC(hk_engine_record_feedback(engine, "{}", INT64_MAX, &id), BAD, engine);
    check_detail(engine, "invalid_input", "now_ms");
    CHECK_RC(hk_engine_delete_response(engine, 1, "admin", INT64_MAX), BAD, engine);
    check_detail(engine, "invalid_input", "now_ms");
    CHECK_RC(hk_engine_review_clicked(engine, 1, INT64_MIN), BAD, engine);
    check_detail(engine, "invalid_input", "now_ms");
    CHECK_RC(hk_engine_review_confirmed(engine, 1, INT64_MAX), BAD, engine);
    check_detail(engine, "invalid_input", "now_ms");
    CHECK_STR(out, "sentinel");
    CHECK(id == 42);
    /* The message kind codes the reminders arrive with. */
    CHECK(HK_MESSAGE_KIND_SURVEY_INVITATION == 1);
    CHECK(HK_MESSAGE_KIND_REVIEW_REMINDER == 2);
    CHECK(HK_MESSAGE_KIND_SURVEY_REMINDER == 3);
    hk_engine_free(&engine);
}

void responses_tests(void) {
    run_case("the golden night's answers 10, 7, 3, 9 give an NPS of 25",
             the_golden_night_answers_10_7_3_9_give_an_nps_of_25);
    run_case("bad answers are refused naming each field",
             bad_answers_are_refused_naming_each_field);
    run_case("the survey page speaks the invitation's language",
             the_survey_page_speaks_the_invitation_language);
    run_case("a receipt link takes one response and expires",
             a_receipt_link_takes_one_response_and_expires);
    run_case("e-receipt feedback, and turning it off", e_receipt_feedback_and_turning_it_off);
    run_case("deletion leaves an audit record", deletion_leaves_an_audit_record);
    run_case("a week after the ack the promoter gets a review reminder",
             a_week_after_the_ack_the_promoter_gets_a_review_reminder);
    run_case("run_due queues the reminder before any claim (R1)",
             run_due_queues_the_reminder_before_any_claim);
    run_case("survey and feedback settings as JSON", survey_and_feedback_settings_as_json);
    run_case("responses: NULL arguments are refused", new_functions_refuse_null_arguments);
    run_case("responses: invalid UTF-8 is refused", new_functions_refuse_invalid_utf8);
    run_case("responses: scalar arguments are validated", new_functions_validate_scalars);
}
