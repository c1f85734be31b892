/* Alerts and follow-up through the C door (issue 7): the scenarios of tests/alerts.rs, rule
 * by rule (A1-A5, F2, S2), and the calling contract of every new function (NULL pointers,
 * invalid UTF-8, bad codes and times: the right code, nothing written, nothing changed).
 * Each scenario starts from golden steps 1-3 (tests/golden/README.md), claims at 10:00 in
 * Paris and acks every message: c1 (amelie@example.fr, fr) and c5 (ko) hold one survey
 * link each. Three users work the alerts: amelie (manager), minjun (staff), owner. */
/* hk_engine_nps and hk_engine_ratings are deprecated (hk_engine_scores reads the rollups)
 * but must keep working: this file still calls them. */
#define HK_NO_DEPRECATION_WARNINGS
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"

#define HOUR_MS INT64_C(3600000)
#define DAY_MS INT64_C(86400000)
#define MAX_INVITED 8

#define USER_AMELIE                                                                          \
    "{\"id\":\"amelie\",\"name\":\"Amélie d'Orléans\",\"email\":\"amelie@store.example\","  \
    "\"role\":\"manager\"}"
#define USER_MINJUN                                                                          \
    "{\"id\":\"minjun\",\"name\":\"김민준\",\"email\":\"minjun@store.example\","              \
    "\"role\":\"staff\"}"
#define USER_OWNER                                                                           \
    "{\"id\":\"owner\",\"name\":\"Claire Owner\",\"email\":\"owner@store.example\","         \
    "\"role\":\"owner\"}"
#define PHONE_CALL(user)                                                                     \
    "{\"method\":\"phone\",\"note\":\"Called back, offered a free repair\",\"user\":\"" user \
    "\"}"




/* Number of objects in a JSON array (frees nothing it is given). */
static size_t json_count(const char *array) {
    char *objects[64];
    size_t n = array ? split_json_objects(array, objects, 64) : 0;
    for (size_t i = 0; i < n; i++) {
        free(objects[i]);
    }
    return n;
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

/* The last error's message contains `text`. */
static void check_detail_says(hk_engine *engine, const char *text) {
    char *detail = hk_engine_last_error(engine);
    CHECK_CONTAINS(detail, text);
    hk_string_free(detail);
}

/* Claims what is due at `now_ms` as a batch (caller frees), or NULL. */
static hk_message_batch *claim(hk_engine *engine, int64_t now_ms) {
    char *json = NULL;
    hk_message_batch *batch = NULL;
    if (CHECK_OK(hk_engine_claim(engine, 100, now_ms, &json), engine)) {
        CHECK_OK(hk_message_batch_parse(json, &batch, NULL), NULL);
    }
    hk_string_free(json);
    return batch;
}

/* Acks every message of a batch. */
static void ack_all(hk_engine *engine, const hk_message_batch *batch, int64_t now_ms) {
    for (uint32_t i = 0; i < hk_message_batch_count(batch); i++) {
        CHECK_OK(hk_engine_ack(engine, hk_message_batch_message_id(batch, i), now_ms), engine);
    }
}

/* Index of the message with `message_id`, or UINT32_MAX. */
static uint32_t find_message(const hk_message_batch *batch, const char *message_id) {
    for (uint32_t i = 0; i < hk_message_batch_count(batch); i++) {
        if (message_id != NULL && strcmp(hk_message_batch_message_id(batch, i), message_id) == 0) {
            return i;
        }
    }
    return UINT32_MAX;
}

/* Number of messages of `kind` in a batch (to `user` only, unless NULL). */
static int count_kind(const hk_message_batch *batch, uint32_t kind, const char *user) {
    int n = 0;
    for (uint32_t i = 0; i < hk_message_batch_count(batch); i++) {
        const char *to = hk_message_batch_user(batch, i);
        if (hk_message_batch_kind(batch, i) == kind &&
            (user == NULL || (to != NULL && strcmp(to, user) == 0))) {
            n++;
        }
    }
    return n;
}

/* Golden steps 1-3 on a fresh file database, the three users, then the 10:00 claim with
 * every message acked; fills `out` with each invited customer and token. */
static hk_engine *delivered_engine(const char *db_name, struct invited *out, size_t *count) {
    *count = 0;
    hk_engine *engine = open_golden_engine(db_name);
    if (engine == NULL) {
        return NULL;
    }
    CHECK_OK(hk_engine_upsert_user(engine, USER_AMELIE), engine);
    CHECK_OK(hk_engine_upsert_user(engine, USER_MINJUN), engine);
    CHECK_OK(hk_engine_upsert_user(engine, USER_OWNER), engine);
    char *batch = read_golden("night1.batch.json");
    char *report = NULL;
    CHECK_OK(hk_engine_sync(engine, batch, NOW_NIGHT1, &report), engine);
    hk_string_free(report);
    free(batch);

    hk_message_batch *messages = claim(engine, NOW_DUE);
    if (messages == NULL) {
        hk_engine_free(&engine);
        return NULL;
    }
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


/* Answers the NPS question (and the comment, if not NULL) through a link; returns the
 * outcome JSON (caller frees) and writes the alert it raised (0: none) to *alert_id. */
static char *answer(hk_engine *engine, const char *token, int score, const char *comment,
                    int consent, int64_t now_ms, int64_t *alert_id) {
    char json[512];
    char comment_part[256] = "";
    if (comment != NULL) {
        snprintf(comment_part, sizeof comment_part,
                 ",{\"question\":\"comment\",\"text\":\"%s\"}", comment);
    }
    snprintf(json, sizeof json,
             "{\"answers\":[{\"question\":\"recommend\",\"score\":%d}%s],"
             "\"consent_to_reply\":%s}",
             score, comment_part, consent ? "true" : "false");
    char *outcome = NULL;
    if (!CHECK_OK(hk_engine_record_response(engine, token, json, now_ms, &outcome), engine)) {
        *alert_id = -1;
        return NULL;
    }
    *alert_id = json_int(outcome, "alert_id");
    return outcome;
}

/* Like answer(), for when only the alert matters. */
static int64_t answer_alert(hk_engine *engine, const char *token, int score, const char *comment,
                            int consent) {
    int64_t alert_id = -1;
    hk_string_free(answer(engine, token, score, comment, consent, NOW_DUE, &alert_id));
    return alert_id;
}

/* The alert's JSON (caller frees), or NULL. */
static char *get_alert(hk_engine *engine, int64_t id) {
    char *json = NULL;
    CHECK_OK(hk_engine_get_alert(engine, id, &json), engine);
    return json;
}

/* The alert's JSON contains `text`. */
static void check_alert(hk_engine *engine, int64_t id, const char *text) {
    char *json = get_alert(engine, id);
    CHECK_CONTAINS(json, text);
    hk_string_free(json);
}

/* hk_engine_list_alerts(query) has `count` alerts; returns the JSON (caller frees). */
static char *alerts_expect(hk_engine *engine, const char *query, size_t count) {
    char *json = NULL;
    CHECK_OK(hk_engine_list_alerts(engine, query, &json), engine);
    if (!CHECK(json_count(json) == count)) {
        fprintf(stderr, "      alerts: %s\n", json ? json : "(null)");
    }
    return json;
}

static void a1_one_assignee_per_kind_and_location_with_a_store_wide_default(void) {
    struct invited invited[MAX_INVITED];
    size_t n;
    hk_engine *engine = delivered_engine("alerts_a1.db", invited, &n);
    if (engine == NULL) {
        return;
    }
    char *json = NULL;
    CHECK_OK(hk_engine_assignee(engine, HK_ALERT_KIND_UNHAPPY_CUSTOMER, "paris", &json), engine);
    CHECK_STR(json, "null");
    hk_string_free(json);
    /* The store-wide default covers a location without its own assignee. */
    CHECK_OK(hk_engine_assign_alerts(engine, HK_ALERT_KIND_UNHAPPY_CUSTOMER, NULL, "amelie"),
             engine);
    CHECK_OK(hk_engine_assignee(engine, HK_ALERT_KIND_UNHAPPY_CUSTOMER, "seoul", &json), engine);
    CHECK_CONTAINS(json, "{\"id\":\"amelie\",\"name\":\"Amélie d'Orléans\"");
    hk_string_free(json);
    /* Setting another user replaces, never adds. */
    CHECK_OK(hk_engine_assign_alerts(engine, HK_ALERT_KIND_UNHAPPY_CUSTOMER, "paris", "amelie"),
             engine);
    CHECK_OK(hk_engine_assign_alerts(engine, HK_ALERT_KIND_UNHAPPY_CUSTOMER, "paris", "minjun"),
             engine);
    CHECK_OK(hk_engine_list_assignments(engine, &json), engine);
    CHECK_STR(json, "[{\"kind\":\"unhappy_customer\",\"location\":null,\"user\":\"amelie\"},"
                    "{\"kind\":\"unhappy_customer\",\"location\":\"paris\",\"user\":\"minjun\"}]");
    hk_string_free(json);
    CHECK_OK(hk_engine_assignee(engine, HK_ALERT_KIND_UNHAPPY_CUSTOMER, "paris", &json), engine);
    CHECK_CONTAINS(json, "\"id\":\"minjun\"");
    hk_string_free(json);
    /* Each kind has its own assignee. */
    CHECK_OK(hk_engine_assignee(engine, HK_ALERT_KIND_SYNC_GAP, "paris", &json), engine);
    CHECK_STR(json, "null");
    hk_string_free(json);

    /* An unhappy customer raises an alert assigned to that user; a promoter none. */
    int64_t id = -1;
    char *outcome = answer(engine, token_for(invited, n, "c1"), 2, "Rude staff", 0, NOW_DUE, &id);
    CHECK_CONTAINS(outcome, "\"unhappy\":true");
    CHECK(id > 0);
    hk_string_free(outcome);
    char *alert = get_alert(engine, id);
    CHECK_CONTAINS(alert, "\"kind\":\"unhappy_customer\",\"status\":\"open\","
                          "\"location\":\"paris\",\"assignee\":\"minjun\",\"customer\":\"c1\"");
    CHECK_CONTAINS(alert, "\"comment\":\"Rude staff\"");
    CHECK(json_int(alert, "id") == id);
    hk_string_free(alert);
    int64_t none = -1;
    outcome = answer(engine, token_for(invited, n, "c5"), 10, NULL, 0, NOW_DUE, &none);
    CHECK_CONTAINS(outcome, "\"alert_id\":null");
    CHECK(none == 0);
    hk_string_free(outcome);

    /* Unknown users and locations are refused by name; nothing changes. */
    CHECK_RC(hk_engine_assign_alerts(engine, HK_ALERT_KIND_SYNC_GAP, "nowhere", "amelie"),
             HK_RESULT_NOT_FOUND, engine);
    CHECK_RC(hk_engine_assign_alerts(engine, HK_ALERT_KIND_SYNC_GAP, NULL, "nobody"),
             HK_RESULT_NOT_FOUND, engine);
    CHECK_OK(hk_engine_list_assignments(engine, &json), engine);
    CHECK(json_count(json) == 2);
    hk_string_free(json);
    /* Unassigning the location falls back to the store-wide default. */
    CHECK_OK(hk_engine_unassign_alerts(engine, HK_ALERT_KIND_UNHAPPY_CUSTOMER, "paris"), engine);
    CHECK_OK(hk_engine_assignee(engine, HK_ALERT_KIND_UNHAPPY_CUSTOMER, "paris", &json), engine);
    CHECK_CONTAINS(json, "\"id\":\"amelie\"");
    hk_string_free(json);
    hk_engine_free(&engine);
}

static void a1_a_shared_mailbox_is_a_user_and_users_take_any_unicode(void) {
    struct invited invited[MAX_INVITED];
    size_t n;
    hk_engine *engine = delivered_engine("alerts_a1_users.db", invited, &n);
    if (engine == NULL) {
        return;
    }
    CHECK_OK(hk_engine_upsert_user(engine,
                                   "{\"id\":\"care\",\"name\":\"Service client\","
                                   "\"email\":\"care@store.example\",\"role\":\"staff\","
                                   "\"locations\":[\"paris\"]}"),
             engine);
    CHECK_OK(hk_engine_assign_alerts(engine, HK_ALERT_KIND_NEGATIVE_FEEDBACK, "paris", "care"),
             engine);
    char *json = NULL;
    CHECK_OK(hk_engine_get_user(engine, "care", &json), engine);
    CHECK_CONTAINS(json, "\"locations\":[\"paris\"]");
    CHECK_CONTAINS(json, "\"notify\":\"none\""); /* the default */
    hk_string_free(json);
    CHECK_OK(hk_engine_get_user(engine, "minjun", &json), engine);
    CHECK_CONTAINS(json, "\"name\":\"김민준\"");
    hk_string_free(json);
    CHECK_OK(hk_engine_get_user(engine, "amelie", &json), engine);
    CHECK_CONTAINS(json, "\"name\":\"Amélie d'Orléans\"");
    hk_string_free(json);
    CHECK_OK(hk_engine_list_users(engine, &json), engine);
    CHECK(json_count(json) == 4);
    hk_string_free(json);

    /* A bad user names every bad field, never its value. */
    CHECK_RC(hk_engine_upsert_user(engine, "{\"id\":\"x\",\"name\":\" \","
                                           "\"email\":\"not-an-email\",\"role\":\"staff\","
                                           "\"locations\":[\"nowhere\"]}"),
             HK_RESULT_INVALID_INPUT, engine);
    char *detail = hk_engine_last_error(engine);
    CHECK_CONTAINS(detail, "\"field\":\"name\"");
    CHECK_CONTAINS(detail, "\"field\":\"email\"");
    CHECK_CONTAINS(detail, "\"field\":\"locations[0]\"");
    CHECK(detail != NULL && strstr(detail, "not-an-email") == NULL);
    hk_string_free(detail);
    CHECK_RC(hk_engine_upsert_user(engine, "{\"id\":\"x\",\"name\":\"X\",\"email\":\"x@x.example\","
                                           "\"role\":\"boss\"}"),
             HK_RESULT_INVALID_INPUT, engine);
    check_detail(engine, "invalid_input", "role");
    CHECK_RC(hk_engine_get_user(engine, "x", &json), HK_RESULT_NOT_FOUND, engine);

    /* A user holding an assignment cannot be removed until it is given to someone else. */
    CHECK_RC(hk_engine_remove_user(engine, "care"), HK_RESULT_CONFLICT, engine);
    check_detail(engine, "conflict", NULL);
    CHECK_OK(hk_engine_unassign_alerts(engine, HK_ALERT_KIND_NEGATIVE_FEEDBACK, "paris"), engine);
    CHECK_OK(hk_engine_remove_user(engine, "care"), engine);
    char *out = (char *)"sentinel";
    CHECK_RC(hk_engine_get_user(engine, "care", &out), HK_RESULT_NOT_FOUND, engine);
    CHECK_STR(out, "sentinel");
    CHECK_OK(hk_engine_list_users(engine, &json), engine);
    CHECK(json_count(json) == 3);
    hk_string_free(json);
    hk_engine_free(&engine);
}

static void a2_an_assignee_who_chose_none_still_has_the_alert_on_the_dashboard(void) {
    struct invited invited[MAX_INVITED];
    size_t n;
    hk_engine *engine = delivered_engine("alerts_a2_none.db", invited, &n);
    if (engine == NULL) {
        return;
    }
    CHECK_OK(hk_engine_assign_alerts(engine, HK_ALERT_KIND_UNHAPPY_CUSTOMER, "paris", "minjun"),
             engine);
    int64_t id = answer_alert(engine, token_for(invited, n, "c1"), 1, "Never again", 0);
    char *json = alerts_expect(engine, NULL, 1); /* NULL: the dashboard */
    CHECK(json_int(json, "id") == id);
    CHECK_CONTAINS(json, "\"assignee\":\"minjun\"");
    hk_string_free(json);
    hk_string_free(alerts_expect(engine, "{\"assignee\":\"minjun\"}", 1));
    hk_string_free(alerts_expect(engine, "{\"assignee\":\"amelie\"}", 0));
    hk_string_free(alerts_expect(engine, "{}", 1));
    /* Nobody subscribed, so nothing went to the outbox for staff. */
    hk_message_batch *batch = claim(engine, NOW_DUE);
    CHECK(count_kind(batch, HK_MESSAGE_KIND_FEEDBACK_NOTIFICATION, NULL) == 0);
    hk_message_batch_free(&batch);
    hk_engine_free(&engine);
}

static void a2_notifications_all_or_negative_for_all_locations_or_a_subset(void) {
    struct invited invited[MAX_INVITED];
    size_t n;
    hk_engine *engine = delivered_engine("alerts_a2.db", invited, &n);
    if (engine == NULL) {
        return;
    }
    CHECK_OK(hk_engine_upsert_user(engine, "{\"id\":\"amelie\",\"name\":\"Amélie d'Orléans\","
                                           "\"email\":\"amelie@store.example\","
                                           "\"role\":\"manager\",\"notify\":\"all\"}"),
             engine);
    CHECK_OK(hk_engine_upsert_user(engine, "{\"id\":\"minjun\",\"name\":\"김민준\","
                                           "\"email\":\"minjun@store.example\",\"role\":\"staff\","
                                           "\"language\":\"ko\",\"notify\":\"negative\"}"),
             engine);
    CHECK_OK(hk_engine_upsert_user(engine, "{\"id\":\"owner\",\"name\":\"Claire Owner\","
                                           "\"email\":\"owner@store.example\",\"role\":\"owner\","
                                           "\"notify\":\"all\",\"notify_locations\":[\"seoul\"]}"),
             engine);
    int64_t promoter = answer_alert(engine, token_for(invited, n, "c1"), 9, "Great", 0);
    int64_t detractor = answer_alert(engine, token_for(invited, n, "c5"), 4, "Slow", 0);
    CHECK(promoter == 0);
    CHECK(detractor > 0);

    hk_message_batch *batch = claim(engine, NOW_DUE);
    const uint32_t NOTE = HK_MESSAGE_KIND_FEEDBACK_NOTIFICATION;
    CHECK(count_kind(batch, NOTE, "amelie") == 2); /* all feedback */
    CHECK(count_kind(batch, NOTE, "minjun") == 1); /* negative only */
    CHECK(count_kind(batch, NOTE, "owner") == 0);  /* subscribed to Seoul only */
    for (uint32_t i = 0; i < hk_message_batch_count(batch); i++) {
        const char *user = hk_message_batch_user(batch, i);
        if (hk_message_batch_kind(batch, i) != NOTE || user == NULL ||
            strcmp(user, "minjun") != 0) {
            continue;
        }
        CHECK_STR(hk_message_batch_recipient(batch, i), "minjun@store.example");
        CHECK(hk_message_batch_customer(batch, i) == NULL); /* a message to staff */
        CHECK_STR(hk_message_batch_language(batch, i), "ko");
        const char *subject = hk_message_batch_subject(batch, i);
        CHECK(subject != NULL && strncmp(subject, "불만 고객", strlen("불만 고객")) == 0);
        CHECK_CONTAINS(hk_message_batch_body(batch, i), "Slow");
        CHECK_STR(hk_message_batch_location(batch, i), "paris");
        CHECK(hk_message_batch_invitation_id(batch, i) == 0);
        CHECK(hk_message_batch_survey_link(batch, i) == NULL);
        CHECK(hk_message_batch_reply_to(batch, i) == NULL);
    }
    ack_all(engine, batch, NOW_DUE);
    hk_message_batch_free(&batch);

    /* Notifications lose no feedback: both answers are counted. */
    char *json = NULL;
    CHECK_OK(hk_engine_nps(engine, NULL, &json), engine);
    CHECK_CONTAINS(json, "\"promoters\":1,\"passives\":0,\"detractors\":1");
    hk_string_free(json);
    /* Negative e-receipt feedback raises its own kind of alert. */
    int64_t feedback = 0;
    CHECK_OK(hk_engine_record_feedback(engine,
                                       "{\"location\":\"paris\",\"sentiment\":\"negative\","
                                       "\"comment\":\"Cold coffee\"}",
                                       NOW_DUE, &feedback),
             engine);
    json = alerts_expect(engine, "{\"kind\":\"negative_feedback\"}", 1);
    CHECK_CONTAINS(json, "\"comment\":\"Cold coffee\"");
    hk_string_free(json);
    hk_string_free(alerts_expect(engine, NULL, 2));
    hk_engine_free(&engine);
}

static void a3_done_requires_an_interaction_alerts_are_delegated_never_dismissed(void) {
    struct invited invited[MAX_INVITED];
    size_t n;
    hk_engine *engine = delivered_engine("alerts_a3.db", invited, &n);
    if (engine == NULL) {
        return;
    }
    CHECK_OK(hk_engine_assign_alerts(engine, HK_ALERT_KIND_UNHAPPY_CUSTOMER, NULL, "amelie"),
             engine);
    int64_t id = answer_alert(engine, token_for(invited, n, "c1"), 3, "Long wait", 1);
    CHECK(id > 0);
    CHECK_RC(hk_engine_set_alert_status(engine, id, HK_ALERT_STATUS_DONE, NOW_DUE),
             HK_RESULT_CONFLICT, engine);
    check_detail_says(engine, "interaction");
    check_alert(engine, id, "\"status\":\"open\"");

    /* Delegated to minjun, who calls the customer. */
    CHECK_OK(hk_engine_reassign_alert(engine, id, "minjun", NOW_DUE), engine);
    check_alert(engine, id, "\"assignee\":\"minjun\"");
    int64_t later = NOW_DUE + 2 * HOUR_MS;
    int64_t interaction = -1;
    CHECK_OK(hk_engine_record_interaction(engine, id, PHONE_CALL("minjun"), later, &interaction),
             engine);
    CHECK(interaction > 0);
    check_alert(engine, id, "\"status\":\"in_progress\"");
    char *json = NULL;
    CHECK_OK(hk_engine_list_interactions(engine, id, &json), engine);
    CHECK(json_count(json) == 1);
    CHECK(json_int(json, "id") == interaction);
    CHECK(json_int(json, "alert_id") == id);
    CHECK_CONTAINS(json, "\"method\":\"phone\",\"note\":\"Called back, offered a free repair\","
                         "\"author\":\"business\",\"user\":\"minjun\","
                         "\"at\":\"2026-11-21T11:00:00Z\"");
    hk_string_free(json);
    CHECK_OK(hk_engine_set_alert_status(engine, id, HK_ALERT_STATUS_DONE, later), engine);
    char *alert = get_alert(engine, id);
    CHECK_CONTAINS(alert, "\"status\":\"done\"");
    CHECK_CONTAINS(alert, "\"closed_at\":\"2026-11-21T11:00:00Z\"");
    CHECK_CONTAINS(alert, "\"interactions\":1");
    hk_string_free(alert);

    /* Done is final; it leaves the dashboard but not the history. */
    CHECK_RC(hk_engine_set_alert_status(engine, id, HK_ALERT_STATUS_IN_PROGRESS, later),
             HK_RESULT_CONFLICT, engine);
    CHECK_RC(hk_engine_reassign_alert(engine, id, "amelie", later), HK_RESULT_CONFLICT, engine);
    hk_string_free(alerts_expect(engine, NULL, 0));
    hk_string_free(alerts_expect(engine, "{\"statuses\":[\"done\"]}", 1));
    hk_string_free(alerts_expect(engine, "{\"statuses\":[\"open\",\"in_progress\",\"done\"]}", 1));

    /* An interaction needs a note and a known user; an unknown alert is not found. */
    int64_t untouched = 42;
    CHECK_RC(hk_engine_record_interaction(engine, id,
                                          "{\"method\":\"phone\",\"note\":\"  \","
                                          "\"user\":\"minjun\"}",
                                          later, &untouched),
             HK_RESULT_INVALID_INPUT, engine);
    check_detail(engine, "invalid_input", "note");
    CHECK_RC(hk_engine_record_interaction(engine, id,
                                          "{\"method\":\"pigeon\",\"note\":\"x\","
                                          "\"user\":\"minjun\"}",
                                          later, &untouched),
             HK_RESULT_INVALID_INPUT, engine);
    check_detail(engine, "invalid_input", "method");
    CHECK_RC(hk_engine_record_interaction(engine, id, PHONE_CALL("ghost"), later, &untouched),
             HK_RESULT_NOT_FOUND, engine);
    CHECK_RC(hk_engine_record_interaction(engine, 999, PHONE_CALL("minjun"), later, &untouched),
             HK_RESULT_NOT_FOUND, engine);
    CHECK_RC(hk_engine_set_alert_status(engine, 999, HK_ALERT_STATUS_DONE, later),
             HK_RESULT_NOT_FOUND, engine);
    CHECK_RC(hk_engine_reassign_alert(engine, 999, "minjun", later), HK_RESULT_NOT_FOUND, engine);
    char *out = (char *)"sentinel";
    CHECK_RC(hk_engine_get_alert(engine, 999, &out), HK_RESULT_NOT_FOUND, engine);
    CHECK_STR(out, "sentinel");
    CHECK(untouched == 42);
    CHECK_OK(hk_engine_list_interactions(engine, id, &json), engine);
    CHECK(json_count(json) == 1);
    hk_string_free(json);
    hk_engine_free(&engine);
}

static void a3_a_dashboard_email_carries_a_tracking_reply_address(void) {
    struct invited invited[MAX_INVITED];
    size_t n;
    hk_engine *engine = delivered_engine("alerts_a3_email.db", invited, &n);
    if (engine == NULL) {
        return;
    }
    char *json = NULL;
    CHECK_OK(hk_engine_get_alert_settings(engine, &json), engine);
    CHECK_STR(json, "{\"escalate_after_hours\":0,\"reply_domain\":\"reply.feedback.example.com\"}");
    hk_string_free(json);
    CHECK_OK(hk_engine_set_alert_settings(engine, "{\"reply_domain\":\"reply.boutique.example\"}"),
             engine);
    CHECK_OK(hk_engine_get_alert_settings(engine, &json), engine);
    CHECK_CONTAINS(json, "\"reply_domain\":\"reply.boutique.example\"");
    hk_string_free(json);

    int64_t id = -1;
    char *outcome = answer(engine, token_for(invited, n, "c1"), 2, "Broken zip", 0, NOW_DUE, &id);
    int64_t response = json_int(outcome, "response_id");
    hk_string_free(outcome);
    char *message_id = NULL;
    CHECK_OK(hk_engine_email_customer(engine, id,
                                      "{\"user\":\"amelie\",\"subject\":\"Votre fermeture "
                                      "éclair\",\"body\":\"Nous sommes désolés, passez en "
                                      "boutique.\"}",
                                      NOW_DUE, &message_id),
             engine);
    hk_message_batch *batch = claim(engine, NOW_DUE);
    uint32_t i = find_message(batch, message_id);
    char reply_to[256] = "";
    if (CHECK(i != UINT32_MAX)) {
        CHECK(hk_message_batch_kind(batch, i) == HK_MESSAGE_KIND_CUSTOMER_REPLY);
        CHECK_STR(hk_message_batch_recipient(batch, i), "amelie@example.fr");
        CHECK_STR(hk_message_batch_customer(batch, i), "c1");
        CHECK(hk_message_batch_user(batch, i) == NULL);
        CHECK(hk_message_batch_alert_id(batch, i) == id);
        CHECK_STR(hk_message_batch_subject(batch, i), "Votre fermeture éclair");
        CHECK_CONTAINS(hk_message_batch_body(batch, i), "passez en boutique");
        const char *address = hk_message_batch_reply_to(batch, i);
        CHECK(address != NULL && strncmp(address, "reply+", 6) == 0);
        const char *domain = "@reply.boutique.example";
        CHECK(address != NULL && strlen(address) > strlen(domain) &&
              strcmp(address + strlen(address) - strlen(domain), domain) == 0);
        snprintf(reply_to, sizeof reply_to, "%s", address ? address : "");
        CHECK_OK(hk_engine_ack(engine, message_id, NOW_DUE), engine);
    }
    hk_message_batch_free(&batch);
    hk_string_free(message_id);

    /* The customer answers; the host's mail server hands the reply to hearken. */
    char to[300];
    snprintf(to, sizeof to, "Amélie <%s>", reply_to);
    CHECK_OK(hk_engine_record_inbound_reply(engine, to, "Merci, je passe samedi.",
                                            NOW_DUE + HOUR_MS, &json),
             engine);
    CHECK(json_int(json, "alert_id") == id);
    CHECK(json_int(json, "response_id") == response);
    CHECK(json_int(json, "comment_id") > 0);
    hk_string_free(json);
    CHECK_OK(hk_engine_list_interactions(engine, id, &json), engine);
    char *objects[4] = {NULL, NULL, NULL, NULL};
    if (CHECK(json != NULL && split_json_objects(json, objects, 4) == 2)) {
        CHECK_CONTAINS(objects[0], "\"method\":\"email\"");
        CHECK_CONTAINS(objects[0], "\"author\":\"business\"");
        CHECK_CONTAINS(objects[1], "\"author\":\"customer\"");
        CHECK_CONTAINS(objects[1], "\"note\":\"Merci, je passe samedi.\"");
    }
    for (int k = 0; k < 4; k++) {
        free(objects[k]);
        objects[k] = NULL;
    }
    hk_string_free(json);
    CHECK_OK(hk_engine_get_thread(engine, response, &json), engine);
    if (CHECK(json != NULL && split_json_objects(json, objects, 4) == 3)) {
        CHECK_CONTAINS(objects[0], "\"author\":\"customer\",\"kind\":\"comment\"");
        CHECK_CONTAINS(objects[1], "\"author\":\"business\",\"kind\":\"reply\"");
        CHECK_CONTAINS(objects[2], "\"author\":\"customer\",\"kind\":\"comment\"");
    }
    for (int k = 0; k < 4; k++) {
        free(objects[k]);
    }
    hk_string_free(json);

    /* An unknown reply address is not found; a malformed one is invalid. */
    char *out = (char *)"sentinel";
    CHECK_RC(hk_engine_record_inbound_reply(engine,
                                            "reply+00000000000000000000000000000000@x.example",
                                            "hi", NOW_DUE, &out),
             HK_RESULT_NOT_FOUND, engine);
    CHECK_RC(hk_engine_record_inbound_reply(engine, "someone@example.com", "hi", NOW_DUE, &out),
             HK_RESULT_INVALID_INPUT, engine);
    CHECK_RC(hk_engine_email_customer(engine, 999, "{\"user\":\"amelie\",\"subject\":\"s\","
                                                   "\"body\":\"b\"}",
                                      NOW_DUE, &out),
             HK_RESULT_NOT_FOUND, engine);
    CHECK_RC(hk_engine_email_customer(engine, id, "{\"user\":\"amelie\",\"subject\":\"s\"}",
                                      NOW_DUE, &out),
             HK_RESULT_INVALID_INPUT, engine);
    check_detail_says(engine, "missing field `body`");
    CHECK_RC(hk_engine_set_alert_settings(engine, "{\"reply_domain\":\"\"}"),
             HK_RESULT_INVALID_INPUT, engine);
    check_detail(engine, "invalid_input", "reply_domain");
    CHECK_STR(out, "sentinel");
    CHECK_OK(hk_engine_get_alert_settings(engine, &json), engine);
    CHECK_CONTAINS(json, "\"reply_domain\":\"reply.boutique.example\"");
    hk_string_free(json);
    hk_engine_free(&engine);
}

static void a3_at_risk_customers_and_escalation_to_the_owner(void) {
    struct invited invited[MAX_INVITED];
    size_t n;
    hk_engine *engine = delivered_engine("alerts_a3_risk.db", invited, &n);
    if (engine == NULL) {
        return;
    }
    CHECK_OK(hk_engine_set_alert_settings(engine, "{\"escalate_after_hours\":24}"), engine);
    int64_t id = answer_alert(engine, token_for(invited, n, "c1"), 0, "Awful", 0);
    CHECK(answer_alert(engine, token_for(invited, n, "c5"), 8, NULL, 0) == 0);
    char *json = NULL;
    CHECK_OK(hk_engine_at_risk_customers(engine, NULL, &json), engine);
    CHECK(json_count(json) == 1);
    CHECK_CONTAINS(json, "[{\"customer\":\"c1\",\"name\":\"Amélie Dupont\","
                         "\"email\":\"amelie@example.fr\"");
    CHECK_CONTAINS(json, "\"location\":\"paris\",\"nps\":0,\"last_comment\":\"Awful\"");
    CHECK(json_int(json, "open_alert") == id);
    hk_string_free(json);
    CHECK_OK(hk_engine_at_risk_customers(engine, "paris", &json), engine);
    CHECK(json_count(json) == 1);
    hk_string_free(json);
    CHECK_OK(hk_engine_at_risk_customers(engine, "seoul", &json), engine);
    CHECK_STR(json, "[]");
    hk_string_free(json);

    /* Not yet after 23 hours; after 25, to the one owner covering Paris. */
    hk_message_batch *batch = claim(engine, NOW_DUE + 23 * HOUR_MS);
    CHECK(count_kind(batch, HK_MESSAGE_KIND_ALERT_ESCALATION, NULL) == 0);
    ack_all(engine, batch, NOW_DUE + 23 * HOUR_MS);
    hk_message_batch_free(&batch);
    check_alert(engine, id, "\"escalated_at\":null");
    batch = claim(engine, NOW_DUE + 25 * HOUR_MS);
    CHECK(count_kind(batch, HK_MESSAGE_KIND_ALERT_ESCALATION, NULL) == 1);
    CHECK(count_kind(batch, HK_MESSAGE_KIND_ALERT_ESCALATION, "owner") == 1);
    for (uint32_t i = 0; i < hk_message_batch_count(batch); i++) {
        if (hk_message_batch_kind(batch, i) == HK_MESSAGE_KIND_ALERT_ESCALATION) {
            CHECK(hk_message_batch_alert_id(batch, i) == id);
            CHECK_STR(hk_message_batch_recipient(batch, i), "owner@store.example");
            CHECK(hk_message_batch_customer(batch, i) == NULL);
        }
    }
    ack_all(engine, batch, NOW_DUE + 25 * HOUR_MS);
    hk_message_batch_free(&batch);
    char *alert = get_alert(engine, id);
    CHECK(alert != NULL && strstr(alert, "\"escalated_at\":null") == NULL);
    CHECK_CONTAINS(alert, "\"escalated_at\":\"2026-11-22T10:00:00Z\"");
    hk_string_free(alert);
    /* Once only. */
    batch = claim(engine, NOW_DUE + 50 * HOUR_MS);
    CHECK(count_kind(batch, HK_MESSAGE_KIND_ALERT_ESCALATION, NULL) == 0);
    hk_message_batch_free(&batch);
    hk_engine_free(&engine);
}

static void a4_the_post_intervention_survey_and_its_refusal_for_anonymous_answers(void) {
    struct invited invited[MAX_INVITED];
    size_t n;
    hk_engine *engine = delivered_engine("alerts_a4.db", invited, &n);
    if (engine == NULL) {
        return;
    }
    int64_t id = answer_alert(engine, token_for(invited, n, "c1"), 4, "Too slow", 0);
    char *out = (char *)"sentinel";
    CHECK_RC(hk_engine_send_follow_up(engine, id, NOW_DUE, &out), HK_RESULT_CONFLICT, engine);
    CHECK_STR(out, "sentinel"); /* only once the case is done */
    int64_t interaction = 0;
    CHECK_OK(hk_engine_record_interaction(engine, id, PHONE_CALL("amelie"), NOW_DUE, &interaction),
             engine);
    CHECK_OK(hk_engine_set_alert_status(engine, id, HK_ALERT_STATUS_DONE, NOW_DUE), engine);
    char *message_id = NULL;
    CHECK_OK(hk_engine_send_follow_up(engine, id, NOW_DUE, &message_id), engine);
    CHECK_RC(hk_engine_send_follow_up(engine, id, NOW_DUE, &out), HK_RESULT_CONFLICT, engine);
    CHECK_STR(out, "sentinel");

    hk_message_batch *batch = claim(engine, NOW_DUE);
    uint32_t i = find_message(batch, message_id);
    char token[64] = "";
    if (CHECK(i != UINT32_MAX)) {
        CHECK(hk_message_batch_kind(batch, i) == HK_MESSAGE_KIND_FOLLOW_UP_SURVEY);
        CHECK_STR(hk_message_batch_customer(batch, i), "c1");
        CHECK(hk_message_batch_alert_id(batch, i) == id);
        const char *link = hk_message_batch_survey_link(batch, i);
        CHECK(link != NULL);
        CHECK_CONTAINS(hk_message_batch_body(batch, i), link ? link : "(no link)");
        snprintf(token, sizeof token, "%s", token_of(link));
    }
    ack_all(engine, batch, NOW_DUE);
    hk_message_batch_free(&batch);
    hk_string_free(message_id);

    /* The customer answers the follow-up: kept on the alert, not in the store's NPS. */
    char *before = NULL;
    CHECK_OK(hk_engine_nps(engine, NULL, &before), engine);
    int64_t followed = -1;
    char *outcome = answer(engine, token, 9, "Thanks for calling", 0, NOW_DUE, &followed);
    CHECK(followed == id);
    hk_string_free(outcome);
    char *after = NULL;
    CHECK_OK(hk_engine_nps(engine, NULL, &after), engine);
    CHECK_STR(after, before);
    hk_string_free(before);
    hk_string_free(after);
    char *json = NULL;
    CHECK_OK(hk_engine_list_interactions(engine, id, &json), engine);
    const char *last = json ? strrchr(json, '{') : NULL;
    CHECK_CONTAINS(last, "9.0/10");
    hk_string_free(json);
    CHECK_RC(hk_engine_record_response(engine, token,
                                       "{\"answers\":[{\"question\":\"recommend\",\"score\":9}]}",
                                       NOW_DUE, &out),
             HK_RESULT_CONFLICT, engine);

    /* An anonymous receipt response: the engine says why it cannot send. */
    char *link = NULL;
    CHECK_OK(hk_engine_mint_receipt_link(engine, "paris", NULL, NOW_DUE, &link), engine);
    char *url = json_string(link, "url");
    hk_string_free(link);
    int64_t anon = answer_alert(engine, token_of(url), 2, NULL, 0);
    free(url);
    CHECK(anon > 0);
    check_alert(engine, anon, "\"customer\":null");
    CHECK_OK(hk_engine_record_interaction(engine, anon, PHONE_CALL("amelie"), NOW_DUE,
                                          &interaction),
             engine);
    CHECK_OK(hk_engine_set_alert_status(engine, anon, HK_ALERT_STATUS_DONE, NOW_DUE), engine);
    CHECK_RC(hk_engine_send_follow_up(engine, anon, NOW_DUE, &out), HK_RESULT_CONFLICT, engine);
    check_detail_says(engine, "anonymous");
    CHECK_RC(hk_engine_send_follow_up(engine, 999, NOW_DUE, &out), HK_RESULT_NOT_FOUND, engine);
    CHECK_STR(out, "sentinel");
    hk_engine_free(&engine);
}

/* An external review at Paris, posted 2026-11-20 12:00 UTC, replied at `replied` (or not). */
static const char *review(const char *id, const char *replied) {
    static char json[256];
    char replied_part[64] = "";
    if (replied != NULL) {
        snprintf(replied_part, sizeof replied_part, ",\"replied_at\":\"%s\"", replied);
    }
    snprintf(json, sizeof json,
             "{\"id\":\"%s\",\"location\":\"paris\",\"site\":\"google\",\"rating\":2,"
             "\"posted_at\":\"2026-11-20T12:00:00Z\"%s}",
             id, replied_part);
    return json;
}

static void a5_the_unanswered_reviews_alert_clears_when_every_review_has_a_reply(void) {
    struct invited invited[MAX_INVITED];
    size_t n;
    hk_engine *engine = delivered_engine("alerts_a5.db", invited, &n);
    if (engine == NULL) {
        return;
    }
    CHECK_OK(hk_engine_assign_alerts(engine, HK_ALERT_KIND_UNANSWERED_REVIEWS, "paris", "amelie"),
             engine);
    uint32_t waiting = 99;
    CHECK_OK(hk_engine_report_review(engine, review("g1", NULL), NOW_DUE, &waiting), engine);
    CHECK(waiting == 1);
    CHECK_OK(hk_engine_report_review(engine, review("g2", NULL), NOW_DUE, &waiting), engine);
    CHECK(waiting == 2);
    /* One alert per location, not per review. */
    const char *query = "{\"kind\":\"unanswered_reviews\"}";
    char *json = alerts_expect(engine, query, 1);
    CHECK_CONTAINS(json, "\"assignee\":\"amelie\"");
    char *detail = json_string(json, "detail");
    CHECK(detail != NULL && strchr(detail, '2') != NULL);
    free(detail);
    int64_t id = json_int(json, "id");
    hk_string_free(json);
    /* One reply: still open. */
    CHECK_OK(hk_engine_report_review(engine, review("g1", "2026-11-21T08:00:00Z"), NOW_DUE,
                                     &waiting),
             engine);
    CHECK(waiting == 1);
    check_alert(engine, id, "\"status\":\"open\"");
    /* Every review replied: it clears by itself, closed by the system. */
    CHECK_OK(hk_engine_report_review(engine, review("g2", "2026-11-21T08:30:00Z"), NOW_DUE,
                                     &waiting),
             engine);
    CHECK(waiting == 0);
    check_alert(engine, id, "\"status\":\"done\"");
    CHECK_OK(hk_engine_list_interactions(engine, id, &json), engine);
    CHECK_CONTAINS(json, "[{\"id\":");
    CHECK_CONTAINS(json, "\"author\":\"system\"");
    hk_string_free(json);
    hk_string_free(alerts_expect(engine, query, 0));
    /* A later unanswered review raises a new one. */
    CHECK_OK(hk_engine_report_review(engine, review("g3", NULL), NOW_DUE, &waiting), engine);
    json = alerts_expect(engine, query, 1);
    int64_t again = json_int(json, "id");
    CHECK(again > 0 && again != id);
    hk_string_free(json);
    /* A bad review names its field; nothing is counted. */
    uint32_t untouched = 42;
    CHECK_RC(hk_engine_report_review(engine,
                                     "{\"id\":\"g5\",\"location\":\"paris\",\"site\":\"google\","
                                     "\"rating\":11,\"posted_at\":\"2026-11-20T12:00:00Z\"}",
                                     NOW_DUE, &untouched),
             HK_RESULT_INVALID_INPUT, engine);
    check_detail(engine, "invalid_input", "rating");
    CHECK_RC(hk_engine_report_review(engine,
                                     "{\"id\":\"g6\",\"location\":\"paris\",\"site\":\"google\","
                                     "\"posted_at\":\"yesterday\"}",
                                     NOW_DUE, &untouched),
             HK_RESULT_INVALID_INPUT, engine);
    check_detail(engine, "invalid_input", "posted_at");
    CHECK_RC(hk_engine_report_review(engine,
                                     "{\"id\":\"g7\",\"location\":\"lyon\",\"site\":\"google\","
                                     "\"posted_at\":\"2026-11-20T12:00:00Z\"}",
                                     NOW_DUE, &untouched),
             HK_RESULT_NOT_FOUND, engine);
    CHECK(untouched == 42);
    CHECK_OK(hk_engine_report_review(engine, review("g3", NULL), NOW_DUE, &waiting), engine);
    CHECK(waiting == 1);
    hk_engine_free(&engine);
}

#define REFUND                                                                               \
    "{\"user\":\"amelie\",\"kind\":\"refund\",\"body\":\"We refunded the item.\","           \
    "\"amount_minor\":2590,\"currency\":\"EUR\"}"
#define REWARD                                                                               \
    "{\"user\":\"amelie\",\"kind\":\"reward\",\"body\":\"A coupon for your next visit.\","   \
    "\"coupon_code\":\"SORRY-10\"}"

static void f2_replies_rewards_and_refunds_only_with_consent_through_the_outbox(void) {
    struct invited invited[MAX_INVITED];
    size_t n;
    hk_engine *engine = delivered_engine("alerts_f2.db", invited, &n);
    if (engine == NULL) {
        return;
    }
    int64_t ignored;
    char *outcome = answer(engine, token_for(invited, n, "c1"), 5, "Item broke", 1, NOW_DUE,
                           &ignored);
    int64_t consented = json_int(outcome, "response_id");
    hk_string_free(outcome);
    outcome = answer(engine, token_for(invited, n, "c5"), 5, "Meh", 0, NOW_DUE, &ignored);
    int64_t silent = json_int(outcome, "response_id");
    hk_string_free(outcome);

    int64_t untouched = 42;
    CHECK_RC(hk_engine_reply(engine, silent, REFUND, NOW_DUE, &untouched), HK_RESULT_CONFLICT,
             engine);
    check_detail_says(engine, "agree");
    char *json = NULL;
    CHECK_OK(hk_engine_get_thread(engine, silent, &json), engine);
    CHECK(json_count(json) == 1);
    hk_string_free(json);

    int64_t comment = -1, reward = -1;
    CHECK_OK(hk_engine_reply(engine, consented, REFUND, NOW_DUE, &comment), engine);
    CHECK_OK(hk_engine_reply(engine, consented, REWARD, NOW_DUE, &reward), engine);
    CHECK(comment > 0 && reward > comment);
    CHECK_OK(hk_engine_get_thread(engine, consented, &json), engine);
    char *objects[8] = {NULL};
    if (CHECK(json != NULL && split_json_objects(json, objects, 8) == 3)) {
        CHECK_CONTAINS(objects[0], "\"body\":\"Item broke\"");
        CHECK(json_int(objects[1], "id") == comment);
        CHECK(json_int(objects[1], "response_id") == consented);
        CHECK_CONTAINS(objects[1], "\"kind\":\"refund\"");
        CHECK_CONTAINS(objects[1],
                       "\"amount_minor\":2590,\"currency\":\"EUR\",\"user\":\"amelie\"");
        CHECK_CONTAINS(objects[2], "\"coupon_code\":\"SORRY-10\"");
        CHECK(json_int(objects[2], "response_id") == consented);
    }
    for (int k = 0; k < 8; k++) {
        free(objects[k]);
    }
    hk_string_free(json);

    /* Both went out through the outbox with a tracking Reply-To. */
    hk_message_batch *batch = claim(engine, NOW_DUE);
    CHECK(count_kind(batch, HK_MESSAGE_KIND_CUSTOMER_REPLY, NULL) == 2);
    int refund_seen = 0, reward_seen = 0;
    char reply_to[256] = "";
    for (uint32_t i = 0; i < hk_message_batch_count(batch); i++) {
        if (hk_message_batch_kind(batch, i) != HK_MESSAGE_KIND_CUSTOMER_REPLY) {
            continue;
        }
        const char *body = hk_message_batch_body(batch, i);
        refund_seen += body != NULL && strstr(body, "25.90 EUR") != NULL;
        reward_seen += body != NULL && strstr(body, "SORRY-10") != NULL;
        CHECK_STR(hk_message_batch_customer(batch, i), "c1");
        CHECK_STR(hk_message_batch_recipient(batch, i), "amelie@example.fr");
        CHECK(hk_message_batch_reply_to(batch, i) != NULL);
        if (reply_to[0] == '\0' && hk_message_batch_reply_to(batch, i) != NULL) {
            snprintf(reply_to, sizeof reply_to, "%s", hk_message_batch_reply_to(batch, i));
        }
    }
    CHECK(refund_seen == 1 && reward_seen == 1);
    ack_all(engine, batch, NOW_DUE);
    hk_message_batch_free(&batch);
    /* The customer's answer comes back into the same thread. */
    CHECK_OK(hk_engine_record_inbound_reply(engine, reply_to, "Thank you!", NOW_DUE, &json),
             engine);
    CHECK(json_int(json, "response_id") == consented);
    hk_string_free(json);
    CHECK_OK(hk_engine_get_thread(engine, consented, &json), engine);
    CHECK(json_count(json) == 4);
    hk_string_free(json);

    /* A reward needs its coupon code; an unknown response is not found. */
    CHECK_RC(hk_engine_reply(engine, consented,
                             "{\"user\":\"amelie\",\"kind\":\"reward\",\"body\":\"A coupon.\"}",
                             NOW_DUE, &untouched),
             HK_RESULT_INVALID_INPUT, engine);
    check_detail(engine, "invalid_input", "coupon_code");
    CHECK_RC(hk_engine_reply(engine, consented,
                             "{\"user\":\"amelie\",\"kind\":\"gift\",\"body\":\"x\"}", NOW_DUE,
                             &untouched),
             HK_RESULT_INVALID_INPUT, engine);
    check_detail(engine, "invalid_input", "kind");
    CHECK_RC(hk_engine_reply(engine, 999, REWARD, NOW_DUE, &untouched), HK_RESULT_NOT_FOUND,
             engine);
    CHECK(untouched == 42);
    CHECK_OK(hk_engine_get_thread(engine, consented, &json), engine);
    CHECK(json_count(json) == 4);
    hk_string_free(json);
    hk_engine_free(&engine);
}

/* 22:00 UTC (23:00 in Paris) on 2026-11-<day>, Unix ms. */
static int64_t paris_night(int day) {
    return NOW_NIGHT1 + (int64_t)(day - 20) * DAY_MS;
}

/* An empty Paris batch for 2026-11-<day>. */
static const char *empty_batch(int day) {
    static char json[128];
    snprintf(json, sizeof json,
             "{\"format\":1,\"location\":\"paris\",\"business_dates\":[\"2026-11-%02d\"]}", day);
    return json;
}

static void s2_a_sync_gap_raises_an_alert_that_a_backfill_clears(void) {
    hk_engine *engine = open_golden_engine("alerts_s2.db");
    if (engine == NULL) {
        return;
    }
    char *report = NULL;
    CHECK_OK(hk_engine_sync(engine, empty_batch(17), paris_night(17), &report), engine);
    hk_string_free(report);
    /* Nights of the 18th to the 20th were missed; the 21st syncs. */
    CHECK_OK(hk_engine_sync(engine, empty_batch(21), paris_night(21), &report), engine);
    hk_sync_report *parsed = NULL;
    CHECK_OK(hk_sync_report_parse(report, &parsed, NULL), NULL);
    hk_string_free(report);
    uint32_t missing = hk_sync_report_missing_date_count(parsed);
    CHECK(missing > 0);
    char *json = alerts_expect(engine, "{\"kind\":\"sync_gap\"}", 1);
    char *detail = json_string(json, "detail");
    CHECK_CONTAINS(detail, "2026-11-18");
    free(detail);
    int64_t id = json_int(json, "id");
    hk_string_free(json);

    /* Backfill every missing date from a JSON-lines file. */
    char lines[2048] = "";
    for (uint32_t i = 0; i < missing; i++) {
        const char *date = hk_sync_report_missing_date(parsed, i);
        size_t used = strlen(lines);
        snprintf(lines + used, sizeof lines - used,
                 "{\"format\":1,\"location\":\"paris\",\"business_dates\":[\"%s\"]}\n",
                 date ? date : "");
    }
    hk_sync_report_free(&parsed);
    char *path = write_scratch("alerts_s2.jsonl", lines);
    CHECK_OK(hk_engine_backfill_file(engine, path, paris_night(21), NULL, NULL, &report), engine);
    hk_string_free(report);
    free(path);
    check_alert(engine, id, "\"status\":\"done\"");
    CHECK_OK(hk_engine_list_interactions(engine, id, &json), engine);
    CHECK_CONTAINS(json, "\"author\":\"system\"");
    hk_string_free(json);
    hk_engine_free(&engine);
}

static void alerts_null_arguments_are_refused(void) {
    char *out = (char *)"sentinel";
    int64_t id = 42;
    uint32_t count = 42;
    const hk_result NUL = HK_RESULT_NULL_ARGUMENT;
    const uint32_t K = HK_ALERT_KIND_UNHAPPY_CUSTOMER;
    const char *reply = "reply+00000000000000000000000000000000@x.example";

    /* A NULL handle. */
    CHECK_RC(hk_engine_get_alert_settings(NULL, &out), NUL, NULL);
    CHECK_RC(hk_engine_set_alert_settings(NULL, "{}"), NUL, NULL);
    CHECK_RC(hk_engine_upsert_user(NULL, USER_AMELIE), NUL, NULL);
    CHECK_RC(hk_engine_get_user(NULL, "amelie", &out), NUL, NULL);
    CHECK_RC(hk_engine_list_users(NULL, &out), NUL, NULL);
    CHECK_RC(hk_engine_remove_user(NULL, "amelie"), NUL, NULL);
    CHECK_RC(hk_engine_assign_alerts(NULL, K, NULL, "amelie"), NUL, NULL);
    CHECK_RC(hk_engine_unassign_alerts(NULL, K, NULL), NUL, NULL);
    CHECK_RC(hk_engine_assignee(NULL, K, "paris", &out), NUL, NULL);
    CHECK_RC(hk_engine_list_assignments(NULL, &out), NUL, NULL);
    CHECK_RC(hk_engine_list_alerts(NULL, NULL, &out), NUL, NULL);
    CHECK_RC(hk_engine_get_alert(NULL, 1, &out), NUL, NULL);
    CHECK_RC(hk_engine_list_interactions(NULL, 1, &out), NUL, NULL);
    CHECK_RC(hk_engine_record_interaction(NULL, 1, PHONE_CALL("amelie"), NOW_DUE, &id), NUL, NULL);
    CHECK_RC(hk_engine_set_alert_status(NULL, 1, HK_ALERT_STATUS_DONE, NOW_DUE), NUL, NULL);
    CHECK_RC(hk_engine_reassign_alert(NULL, 1, "amelie", NOW_DUE), NUL, NULL);
    CHECK_RC(hk_engine_email_customer(NULL, 1, "{}", NOW_DUE, &out), NUL, NULL);
    CHECK_RC(hk_engine_record_inbound_reply(NULL, reply, "hi", NOW_DUE, &out), NUL, NULL);
    CHECK_RC(hk_engine_reply(NULL, 1, REFUND, NOW_DUE, &id), NUL, NULL);
    CHECK_RC(hk_engine_get_thread(NULL, 1, &out), NUL, NULL);
    CHECK_RC(hk_engine_send_follow_up(NULL, 1, NOW_DUE, &out), NUL, NULL);
    CHECK_RC(hk_engine_report_review(NULL, review("g1", NULL), NOW_DUE, &count), NUL, NULL);
    CHECK_RC(hk_engine_at_risk_customers(NULL, NULL, &out), NUL, NULL);

    /* NULL inputs and outputs on a live handle: each names its argument. */
    hk_engine *engine = open_golden_engine("alerts_nulls.db");
    if (engine == NULL) {
        return;
    }
    CHECK_OK(hk_engine_upsert_user(engine, USER_AMELIE), engine);
    struct {
        hk_result rc;
        const char *field;
    } calls[] = {
        {hk_engine_get_alert_settings(engine, NULL), "settings_json_out"},
        {hk_engine_set_alert_settings(engine, NULL), "settings_json"},
        {hk_engine_upsert_user(engine, NULL), "user_json"},
        {hk_engine_get_user(engine, NULL, &out), "user_id"},
        {hk_engine_get_user(engine, "amelie", NULL), "user_json_out"},
        {hk_engine_list_users(engine, NULL), "users_json_out"},
        {hk_engine_remove_user(engine, NULL), "user_id"},
        {hk_engine_assign_alerts(engine, K, "paris", NULL), "user_id"},
        {hk_engine_assignee(engine, K, NULL, &out), "location_id"},
        {hk_engine_assignee(engine, K, "paris", NULL), "user_json_out"},
        {hk_engine_list_assignments(engine, NULL), "assignments_json_out"},
        {hk_engine_list_alerts(engine, NULL, NULL), "alerts_json_out"},
        {hk_engine_get_alert(engine, 1, NULL), "alert_json_out"},
        {hk_engine_list_interactions(engine, 1, NULL), "interactions_json_out"},
        {hk_engine_record_interaction(engine, 1, NULL, NOW_DUE, &id), "interaction_json"},
        {hk_engine_record_interaction(engine, 1, PHONE_CALL("amelie"), NOW_DUE, NULL),
         "interaction_id_out"},
        {hk_engine_reassign_alert(engine, 1, NULL, NOW_DUE), "user_id"},
        {hk_engine_email_customer(engine, 1, NULL, NOW_DUE, &out), "email_json"},
        {hk_engine_email_customer(engine, 1, "{}", NOW_DUE, NULL), "message_id_out"},
        {hk_engine_record_inbound_reply(engine, NULL, "hi", NOW_DUE, &out), "address"},
        {hk_engine_record_inbound_reply(engine, reply, NULL, NOW_DUE, &out), "reply_text"},
        {hk_engine_record_inbound_reply(engine, reply, "hi", NOW_DUE, NULL), "reply_json_out"},
        {hk_engine_reply(engine, 1, NULL, NOW_DUE, &id), "reply_json"},
        {hk_engine_reply(engine, 1, REFUND, NOW_DUE, NULL), "comment_id_out"},
        {hk_engine_get_thread(engine, 1, NULL), "thread_json_out"},
        {hk_engine_send_follow_up(engine, 1, NOW_DUE, NULL), "message_id_out"},
        {hk_engine_report_review(engine, NULL, NOW_DUE, &count), "review_json"},
        {hk_engine_report_review(engine, review("g1", NULL), NOW_DUE, NULL), "unanswered_out"},
        {hk_engine_at_risk_customers(engine, NULL, NULL), "customers_json_out"},
    };
    /* Each call above failed in turn; check the codes, then each detail by replaying. */
    for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++) {
        if (!CHECK(calls[i].rc == NUL)) {
            fprintf(stderr, "      call %zu (%s) returned %u\n", i, calls[i].field,
                    (unsigned)calls[i].rc);
        }
    }
    /* The detail names the argument (a sample across kinds of argument). */
    CHECK_RC(hk_engine_assign_alerts(engine, K, "paris", NULL), NUL, engine);
    check_detail(engine, "invalid_input", "user_id");
    CHECK_RC(hk_engine_record_inbound_reply(engine, reply, NULL, NOW_DUE, &out), NUL, engine);
    check_detail(engine, "invalid_input", "reply_text");
    CHECK_RC(hk_engine_report_review(engine, review("g1", NULL), NOW_DUE, NULL), NUL, engine);
    check_detail(engine, "invalid_input", "unanswered_out");
    CHECK_RC(hk_engine_list_alerts(engine, "{}", NULL), NUL, engine);
    check_detail(engine, "invalid_input", "alerts_json_out");
    CHECK_RC(hk_engine_email_customer(engine, 1, "{}", NOW_DUE, NULL), NUL, engine);
    check_detail(engine, "invalid_input", "message_id_out");

    /* Nothing was written, and the rejected calls changed nothing. */
    CHECK_STR(out, "sentinel");
    CHECK(id == 42 && count == 42);
    char *json = NULL;
    CHECK_OK(hk_engine_list_assignments(engine, &json), engine);
    CHECK_STR(json, "[]");
    hk_string_free(json);
    CHECK_OK(hk_engine_list_users(engine, &json), engine);
    CHECK(json_count(json) == 1);
    hk_string_free(json);
    CHECK_OK(hk_engine_list_alerts(engine, NULL, &json), engine); /* NULL: the dashboard */
    CHECK_STR(json, "[]");
    hk_string_free(json);
    /* NULL where NULL means "every location" or "store-wide". */
    CHECK_OK(hk_engine_at_risk_customers(engine, NULL, &json), engine);
    CHECK_STR(json, "[]");
    hk_string_free(json);
    CHECK_OK(hk_engine_assign_alerts(engine, K, NULL, "amelie"), engine);
    CHECK_OK(hk_engine_unassign_alerts(engine, K, NULL), engine);
    hk_engine_free(&engine);
}

static void alerts_invalid_utf8_is_refused(void) {
    hk_engine *engine = open_golden_engine("alerts_utf8.db");
    if (engine == NULL) {
        return;
    }
    CHECK_OK(hk_engine_upsert_user(engine, USER_AMELIE), engine);
    const char *bad = "pa\xffris";
    const char *bad_json = "{\"location\":\"pa\xc3(ris\"}";
    const char *reply = "reply+00000000000000000000000000000000@x.example";
    char *out = (char *)"sentinel";
    int64_t id = 42;
    uint32_t count = 42;
    const hk_result U = HK_RESULT_INVALID_UTF8;
    const uint32_t K = HK_ALERT_KIND_UNHAPPY_CUSTOMER;
    CHECK_RC(hk_engine_set_alert_settings(engine, bad_json), U, engine);
    check_detail(engine, "invalid_input", "settings_json");
    CHECK_RC(hk_engine_upsert_user(engine, bad_json), U, engine);
    check_detail(engine, "invalid_input", "user_json");
    CHECK_RC(hk_engine_get_user(engine, bad, &out), U, engine);
    check_detail(engine, "invalid_input", "user_id");
    CHECK_RC(hk_engine_remove_user(engine, bad), U, engine);
    check_detail(engine, "invalid_input", "user_id");
    CHECK_RC(hk_engine_assign_alerts(engine, K, bad, "amelie"), U, engine);
    check_detail(engine, "invalid_input", "location_id");
    CHECK_RC(hk_engine_assign_alerts(engine, K, "paris", bad), U, engine);
    check_detail(engine, "invalid_input", "user_id");
    CHECK_RC(hk_engine_unassign_alerts(engine, K, bad), U, engine);
    check_detail(engine, "invalid_input", "location_id");
    CHECK_RC(hk_engine_assignee(engine, K, bad, &out), U, engine);
    check_detail(engine, "invalid_input", "location_id");
    CHECK_RC(hk_engine_list_alerts(engine, bad_json, &out), U, engine);
    check_detail(engine, "invalid_input", "query_json");
    CHECK_RC(hk_engine_record_interaction(engine, 1, bad_json, NOW_DUE, &id), U, engine);
    check_detail(engine, "invalid_input", "interaction_json");
    CHECK_RC(hk_engine_reassign_alert(engine, 1, bad, NOW_DUE), U, engine);
    check_detail(engine, "invalid_input", "user_id");
    CHECK_RC(hk_engine_email_customer(engine, 1, bad_json, NOW_DUE, &out), U, engine);
    check_detail(engine, "invalid_input", "email_json");
    CHECK_RC(hk_engine_record_inbound_reply(engine, bad, "hi", NOW_DUE, &out), U, engine);
    check_detail(engine, "invalid_input", "address");
    CHECK_RC(hk_engine_record_inbound_reply(engine, reply, bad, NOW_DUE, &out), U, engine);
    check_detail(engine, "invalid_input", "reply_text");
    char *detail = hk_engine_last_error(engine);
    CHECK_CONTAINS(detail, "offset 2");
    CHECK(detail != NULL && strstr(detail, "ris") == NULL); /* never the bytes */
    hk_string_free(detail);
    CHECK_RC(hk_engine_reply(engine, 1, bad_json, NOW_DUE, &id), U, engine);
    check_detail(engine, "invalid_input", "reply_json");
    CHECK_RC(hk_engine_report_review(engine, bad_json, NOW_DUE, &count), U, engine);
    check_detail(engine, "invalid_input", "review_json");
    CHECK_RC(hk_engine_at_risk_customers(engine, bad, &out), U, engine);
    check_detail(engine, "invalid_input", "location_id");
    CHECK_STR(out, "sentinel");
    CHECK(id == 42 && count == 42);
    char *json = NULL;
    CHECK_OK(hk_engine_list_assignments(engine, &json), engine);
    CHECK_STR(json, "[]");
    hk_string_free(json);
    CHECK_OK(hk_engine_get_alert_settings(engine, &json), engine);
    CHECK_CONTAINS(json, "\"reply_domain\":\"reply.feedback.example.com\"");
    hk_string_free(json);
    hk_engine_free(&engine);
}

static void alerts_bad_codes_and_times_are_refused_and_change_nothing(void) {
    struct invited invited[MAX_INVITED];
    size_t n;
    hk_engine *engine = delivered_engine("alerts_codes.db", invited, &n);
    if (engine == NULL) {
        return;
    }
    const hk_result BAD = HK_RESULT_INVALID_INPUT;
    char *out = (char *)"sentinel";
    int64_t id = 42;
    uint32_t count = 42;
    int64_t alert = answer_alert(engine, token_for(invited, n, "c1"), 2, "Cold", 1);
    CHECK(alert > 0);

    /* Kind codes start at 1: 0 (a zeroed variable) and 5 are unknown. */
    uint32_t bad_kinds[] = {0, 5, 1000};
    for (size_t i = 0; i < sizeof bad_kinds / sizeof bad_kinds[0]; i++) {
        CHECK_RC(hk_engine_assign_alerts(engine, bad_kinds[i], NULL, "amelie"), BAD, engine);
        check_detail(engine, "invalid_input", "kind");
        CHECK_RC(hk_engine_unassign_alerts(engine, bad_kinds[i], "paris"), BAD, engine);
        check_detail(engine, "invalid_input", "kind");
        CHECK_RC(hk_engine_assignee(engine, bad_kinds[i], "paris", &out), BAD, engine);
        check_detail(engine, "invalid_input", "kind");
    }
    /* Status codes are 1 to 3. */
    uint32_t bad_statuses[] = {0, 4, UINT32_MAX};
    for (size_t i = 0; i < sizeof bad_statuses / sizeof bad_statuses[0]; i++) {
        CHECK_RC(hk_engine_set_alert_status(engine, alert, bad_statuses[i], NOW_DUE), BAD, engine);
        check_detail(engine, "invalid_input", "status");
    }
    /* Times out of range. */
    CHECK_RC(hk_engine_record_interaction(engine, alert, PHONE_CALL("amelie"), INT64_MAX, &id),
             BAD, engine);
    check_detail(engine, "invalid_input", "now_ms");
    CHECK_RC(hk_engine_set_alert_status(engine, alert, HK_ALERT_STATUS_IN_PROGRESS, INT64_MIN),
             BAD, engine);
    check_detail(engine, "invalid_input", "now_ms");
    CHECK_RC(hk_engine_reassign_alert(engine, alert, "minjun", INT64_MAX), BAD, engine);
    check_detail(engine, "invalid_input", "now_ms");
    CHECK_RC(hk_engine_email_customer(engine, alert, "{\"user\":\"amelie\",\"subject\":\"s\","
                                                     "\"body\":\"b\"}",
                                      INT64_MAX, &out),
             BAD, engine);
    check_detail(engine, "invalid_input", "now_ms");
    CHECK_RC(hk_engine_record_inbound_reply(engine, "reply+00000000000000000000000000000000@x.ex",
                                            "hi", INT64_MIN, &out),
             BAD, engine);
    check_detail(engine, "invalid_input", "now_ms");
    CHECK_RC(hk_engine_reply(engine, 1, REFUND, INT64_MAX, &id), BAD, engine);
    check_detail(engine, "invalid_input", "now_ms");
    CHECK_RC(hk_engine_send_follow_up(engine, alert, INT64_MAX, &out), BAD, engine);
    check_detail(engine, "invalid_input", "now_ms");
    CHECK_RC(hk_engine_report_review(engine, review("g1", NULL), INT64_MIN, &count), BAD, engine);
    check_detail(engine, "invalid_input", "now_ms");
    /* Malformed JSON and unknown fields. */
    CHECK_RC(hk_engine_list_alerts(engine, "{\"statuses\":[\"closed\"]}", &out), BAD, engine);
    check_detail_says(engine, "\"record\":\"statuses\",\"index\":0");
    CHECK_RC(hk_engine_list_alerts(engine, "{\"shop\":\"paris\"}", &out), BAD, engine);
    check_detail_says(engine, "\"reason\":\"unknown field\"");
    CHECK_RC(hk_engine_set_alert_settings(engine, "{\"escalate_after_hours\":-1}"), BAD, engine);
    check_detail(engine, "invalid_input", "escalate_after_hours");
    CHECK_RC(hk_engine_upsert_user(engine, "{\"id\":"), BAD, engine);
    check_detail(engine, "invalid_input", NULL);

    /* Nothing was written and nothing changed: no assignment, the alert as it was. */
    CHECK_STR(out, "sentinel");
    CHECK(id == 42 && count == 42);
    char *json = NULL;
    CHECK_OK(hk_engine_list_assignments(engine, &json), engine);
    CHECK_STR(json, "[]");
    hk_string_free(json);
    char *state = get_alert(engine, alert);
    CHECK_CONTAINS(state, "\"status\":\"open\",\"location\":\"paris\",\"assignee\":null");
    CHECK_CONTAINS(state, "\"interactions\":0");
    CHECK_CONTAINS(state, "\"follow_up_at\":null");
    int64_t response = json_int(state, "response_id");
    hk_string_free(state);
    CHECK_OK(hk_engine_get_thread(engine, response, &json), engine);
    CHECK(json_count(json) == 1); /* the customer's comment only: no reply was queued */
    hk_string_free(json);
    CHECK_OK(hk_engine_get_alert_settings(engine, &json), engine);
    CHECK_STR(json, "{\"escalate_after_hours\":0,\"reply_domain\":\"reply.feedback.example.com\"}");
    hk_string_free(json);
    hk_message_batch *batch = claim(engine, NOW_DUE + 2 * DAY_MS);
    CHECK(count_kind(batch, HK_MESSAGE_KIND_CUSTOMER_REPLY, NULL) == 0);
    hk_message_batch_free(&batch);
    /* The codes themselves. */
    CHECK(HK_ALERT_KIND_UNHAPPY_CUSTOMER == 1 && HK_ALERT_KIND_NEGATIVE_FEEDBACK == 2 &&
          HK_ALERT_KIND_UNANSWERED_REVIEWS == 3 && HK_ALERT_KIND_SYNC_GAP == 4);
    CHECK(HK_ALERT_STATUS_OPEN == 1 && HK_ALERT_STATUS_IN_PROGRESS == 2 &&
          HK_ALERT_STATUS_DONE == 3);
    CHECK(HK_MESSAGE_KIND_FEEDBACK_NOTIFICATION == 4 && HK_MESSAGE_KIND_ALERT_ESCALATION == 5 &&
          HK_MESSAGE_KIND_CUSTOMER_REPLY == 6 && HK_MESSAGE_KIND_FOLLOW_UP_SURVEY == 7);
    hk_engine_free(&engine);
}

static void the_new_message_readers_take_null_and_past_the_end(void) {
    CHECK(hk_message_batch_reply_to(NULL, 0) == NULL);
    CHECK(hk_message_batch_user(NULL, 0) == NULL);
    CHECK(hk_message_batch_alert_id(NULL, 0) == 0);
    /* A survey invitation has none of them. */
    hk_message_batch *batch = NULL;
    const char *json =
        "[{\"message_id\":\"m1\",\"kind\":\"survey_invitation\",\"channel\":\"email\","
        "\"recipient\":\"amelie@example.fr\",\"language\":\"fr\",\"subject\":\"s\","
        "\"body\":\"b\",\"survey_link\":null,\"survey_link_expires_at\":null,"
        "\"unsubscribe_link\":null,\"reply_to\":null,\"customer\":\"c1\",\"user\":null,"
        "\"location\":\"paris\",\"invitation_id\":1,\"alert_id\":null,\"attempt\":1,"
        "\"lease_until\":\"2026-11-21T09:05:00Z\"},"
        "{\"message_id\":\"m2\",\"kind\":\"alert_escalation\",\"channel\":\"email\","
        "\"recipient\":\"owner@store.example\",\"language\":\"en\",\"subject\":\"s\","
        "\"body\":\"b\",\"survey_link\":null,\"survey_link_expires_at\":null,"
        "\"unsubscribe_link\":null,\"reply_to\":\"reply+ab@x.example\",\"customer\":null,"
        "\"user\":\"owner\",\"location\":\"paris\",\"invitation_id\":null,\"alert_id\":7,"
        "\"attempt\":1,\"lease_until\":\"2026-11-21T09:05:00Z\"}]";
    if (CHECK_OK(hk_message_batch_parse(json, &batch, NULL), NULL)) {
        CHECK(hk_message_batch_count(batch) == 2);
        CHECK(hk_message_batch_reply_to(batch, 0) == NULL);
        CHECK(hk_message_batch_user(batch, 0) == NULL);
        CHECK(hk_message_batch_alert_id(batch, 0) == 0);
        CHECK_STR(hk_message_batch_customer(batch, 0), "c1");
        CHECK(hk_message_batch_kind(batch, 1) == HK_MESSAGE_KIND_ALERT_ESCALATION);
        CHECK_STR(hk_message_batch_reply_to(batch, 1), "reply+ab@x.example");
        CHECK_STR(hk_message_batch_user(batch, 1), "owner");
        CHECK(hk_message_batch_alert_id(batch, 1) == 7);
        CHECK(hk_message_batch_customer(batch, 1) == NULL);
        CHECK(hk_message_batch_invitation_id(batch, 1) == 0);
        CHECK(hk_message_batch_reply_to(batch, 2) == NULL);
        CHECK(hk_message_batch_user(batch, 2) == NULL);
        CHECK(hk_message_batch_alert_id(batch, 2) == 0);
    }
    hk_message_batch_free(&batch);
}

void alerts_tests(void) {
    run_case("A1: one assignee per kind and location, with a store-wide default",
             a1_one_assignee_per_kind_and_location_with_a_store_wide_default);
    run_case("A1: a shared mailbox is a user; users take any Unicode",
             a1_a_shared_mailbox_is_a_user_and_users_take_any_unicode);
    run_case("A2: an assignee who chose none still has the alert on the dashboard",
             a2_an_assignee_who_chose_none_still_has_the_alert_on_the_dashboard);
    run_case("A2: notifications all or negative, for all locations or a subset",
             a2_notifications_all_or_negative_for_all_locations_or_a_subset);
    run_case("A3: done requires an interaction; alerts are delegated, never dismissed",
             a3_done_requires_an_interaction_alerts_are_delegated_never_dismissed);
    run_case("A3: a dashboard e-mail carries a tracking reply address",
             a3_a_dashboard_email_carries_a_tracking_reply_address);
    run_case("A3: at-risk customers and escalation to the owner",
             a3_at_risk_customers_and_escalation_to_the_owner);
    run_case("A4: the post-intervention survey, refused for anonymous answers",
             a4_the_post_intervention_survey_and_its_refusal_for_anonymous_answers);
    run_case("A5: the unanswered-reviews alert clears when every review has a reply",
             a5_the_unanswered_reviews_alert_clears_when_every_review_has_a_reply);
    run_case("F2: replies, rewards and refunds only with consent, through the outbox",
             f2_replies_rewards_and_refunds_only_with_consent_through_the_outbox);
    run_case("S2: a sync gap raises an alert that a backfill clears",
             s2_a_sync_gap_raises_an_alert_that_a_backfill_clears);
    run_case("alerts: NULL arguments are refused", alerts_null_arguments_are_refused);
    run_case("alerts: invalid UTF-8 is refused", alerts_invalid_utf8_is_refused);
    run_case("alerts: bad codes and times are refused and change nothing",
             alerts_bad_codes_and_times_are_refused_and_change_nothing);
    run_case("alerts: the new message readers take NULL and past the end",
             the_new_message_readers_take_null_and_past_the_end);
}
