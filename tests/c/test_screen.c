/* The POS customer screen and the data subject through the C door (issue 28): D7 contact
 * state and cancelling a customer's pending messages, D6 access and erasure by contact.
 * Each case starts from golden steps 1-3 (tests/golden/README.md): c1 and c5 invited. */
#include "harness.h"

#include <stdlib.h>
#include <string.h>

#include "tests.h"

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

/* D7: the screen shows the pending invitation and the cooldown; cancelling it releases
 * the cooldown and empties the queue. */
static void d7_contact_state_and_cancel_pending(void) {
    hk_engine *engine = synced_engine("screen_d7.db");
    if (engine == NULL) {
        return;
    }
    char *state = NULL;
    CHECK_OK(hk_engine_contact_state(engine, "c1", NOW_DUE, &state), engine);
    CHECK_CONTAINS(state, "\"customer\":\"c1\"");
    CHECK_CONTAINS(state, "\"kind\":\"survey_invitation\"");
    CHECK_CONTAINS(state, "\"reason\":\"cooldown\"");
    CHECK_CONTAINS(state, "\"eligible_on\":\"2027-02-20\"");
    hk_string_free(state);

    char *report = NULL;
    CHECK_OK(hk_engine_cancel_pending(engine, "c1", NOW_DUE, &report), engine);
    CHECK_CONTAINS(report, "\"cancelled\":1");
    CHECK_CONTAINS(report, "\"in_flight\":[]");
    hk_string_free(report);

    state = NULL;
    CHECK_OK(hk_engine_contact_state(engine, "c1", NOW_DUE, &state), engine);
    CHECK_CONTAINS(state, "\"pending\":[]");
    CHECK_CONTAINS(state, "\"status\":\"cancelled\"");
    CHECK(state != NULL && strstr(state, "\"cooldown\"") == NULL);
    hk_string_free(state);

    /* An unknown customer is not found; NULL and bad UTF-8 are typed errors. */
    char *out = NULL;
    CHECK_RC(hk_engine_contact_state(engine, "nobody", NOW_DUE, &out), HK_RESULT_NOT_FOUND,
             engine);
    CHECK_RC(hk_engine_cancel_pending(engine, "nobody", NOW_DUE, &out), HK_RESULT_NOT_FOUND,
             engine);
    const char bad[] = {'c', (char)0xff, 0};
    CHECK_RC(hk_engine_contact_state(engine, bad, NOW_DUE, &out), HK_RESULT_INVALID_UTF8,
             engine);
    CHECK_RC(hk_engine_cancel_pending(engine, bad, NOW_DUE, &out), HK_RESULT_INVALID_UTF8,
             engine);
    CHECK_RC(hk_engine_contact_state(NULL, "c1", NOW_DUE, &out), HK_RESULT_NULL_ARGUMENT,
             NULL);
    CHECK_RC(hk_engine_contact_state(engine, NULL, NOW_DUE, &out), HK_RESULT_NULL_ARGUMENT,
             engine);
    CHECK_RC(hk_engine_contact_state(engine, "c1", NOW_DUE, NULL), HK_RESULT_NULL_ARGUMENT,
             engine);
    CHECK_RC(hk_engine_cancel_pending(NULL, "c1", NOW_DUE, &out), HK_RESULT_NULL_ARGUMENT,
             NULL);
    CHECK_RC(hk_engine_cancel_pending(engine, NULL, NOW_DUE, &out), HK_RESULT_NULL_ARGUMENT,
             engine);
    CHECK_RC(hk_engine_cancel_pending(engine, "c1", NOW_DUE, NULL), HK_RESULT_NULL_ARGUMENT,
             engine);
    CHECK_RC(hk_engine_contact_state(engine, "c1", INT64_MIN, &out), HK_RESULT_INVALID_INPUT,
             engine);
    CHECK(out == NULL);
    hk_engine_free(&engine);
}

/* D6: a customer's export holds their rows; a contact alone can be read and erased. */
static void d6_exports_and_erase_by_contact(void) {
    hk_engine *engine = synced_engine("screen_d6.db");
    if (engine == NULL) {
        return;
    }
    char *json = NULL;
    CHECK_OK(hk_engine_customer_export(engine, "c1", &json), engine);
    CHECK_CONTAINS(json, "\"format\":1");
    CHECK_CONTAINS(json, "\"customer\":\"c1\"");
    CHECK_CONTAINS(json, "\"host_id\":\"t1\"");
    CHECK_CONTAINS(json, "amelie@example.fr");
    CHECK(json != NULL && strstr(json, "\"c5\"") == NULL);
    hk_string_free(json);

    json = NULL;
    CHECK_OK(hk_engine_contact_export(engine, "AMELIE@example.fr", &json), engine);
    CHECK_CONTAINS(json, "\"customers\":[\"c1\"]");
    hk_string_free(json);

    json = NULL;
    CHECK_OK(hk_engine_erase_contact(engine, "amelie@example.fr", NOW_DUE, &json), engine);
    CHECK_CONTAINS(json, "\"kind\":\"email\"");
    CHECK_CONTAINS(json, "\"customer\":\"c1\"");
    hk_string_free(json);

    json = NULL;
    CHECK_OK(hk_engine_customer_export(engine, "c1", &json), engine);
    CHECK_CONTAINS(json, "\"erased\":true");
    CHECK(json != NULL && strstr(json, "amelie@example.fr") == NULL);
    hk_string_free(json);

    char *out = NULL;
    CHECK_RC(hk_engine_customer_export(engine, "nobody", &out), HK_RESULT_NOT_FOUND, engine);
    CHECK_RC(hk_engine_contact_export(engine, "not a contact", &out), HK_RESULT_INVALID_INPUT,
             engine);
    char *detail = hk_engine_last_error(engine);
    CHECK_CONTAINS(detail, "\"field\":\"contact\"");
    hk_string_free(detail);
    CHECK_RC(hk_engine_erase_contact(engine, "not a contact", NOW_DUE, &out),
             HK_RESULT_INVALID_INPUT, engine);
    const char bad[] = {'c', (char)0xff, 0};
    CHECK_RC(hk_engine_customer_export(engine, bad, &out), HK_RESULT_INVALID_UTF8, engine);
    CHECK_RC(hk_engine_contact_export(engine, bad, &out), HK_RESULT_INVALID_UTF8, engine);
    CHECK_RC(hk_engine_erase_contact(engine, bad, NOW_DUE, &out), HK_RESULT_INVALID_UTF8,
             engine);
    CHECK_RC(hk_engine_customer_export(NULL, "c1", &out), HK_RESULT_NULL_ARGUMENT, NULL);
    CHECK_RC(hk_engine_customer_export(engine, NULL, &out), HK_RESULT_NULL_ARGUMENT, engine);
    CHECK_RC(hk_engine_customer_export(engine, "c1", NULL), HK_RESULT_NULL_ARGUMENT, engine);
    CHECK_RC(hk_engine_contact_export(NULL, "a@b.example", &out), HK_RESULT_NULL_ARGUMENT,
             NULL);
    CHECK_RC(hk_engine_contact_export(engine, NULL, &out), HK_RESULT_NULL_ARGUMENT, engine);
    CHECK_RC(hk_engine_contact_export(engine, "a@b.example", NULL), HK_RESULT_NULL_ARGUMENT,
             engine);
    CHECK_RC(hk_engine_erase_contact(NULL, "a@b.example", NOW_DUE, &out),
             HK_RESULT_NULL_ARGUMENT, NULL);
    CHECK_RC(hk_engine_erase_contact(engine, NULL, NOW_DUE, &out), HK_RESULT_NULL_ARGUMENT,
             engine);
    CHECK_RC(hk_engine_erase_contact(engine, "a@b.example", NOW_DUE, NULL),
             HK_RESULT_NULL_ARGUMENT, engine);
    CHECK_RC(hk_engine_erase_contact(engine, "a@b.example", INT64_MIN, &out),
             HK_RESULT_INVALID_INPUT, engine);
    CHECK(out == NULL);
    hk_engine_free(&engine);
}

/* D4: inbound SMS through the C door, JSON in and out: a STOP from an unknown phone is
 * confirmed once, claimable at once; a reply is kept; bad input is typed and named. */
static void d4_receive_sms(void) {
    hk_engine *engine = synced_engine("screen_d4.db");
    if (engine == NULL) {
        return;
    }
    char *out = NULL;
    CHECK_OK(hk_engine_receive_sms(engine,
                                   "{\"from\":\"+33699999999\",\"body\":\"Stop please\","
                                   "\"received_at\":\"2026-11-21T09:00:00Z\"}",
                                   &out),
             engine);
    CHECK_CONTAINS(out, "\"outcome\":\"opted_out\"");
    CHECK_CONTAINS(out, "\"keyword\":\"stop\"");
    CHECK(out != NULL && strstr(out, "\"confirmation_id\":null") == NULL);
    hk_string_free(out);
    out = NULL;
    CHECK_OK(hk_engine_receive_sms(engine,
                                   "{\"from\":\"+33699999999\",\"body\":\"STOP\","
                                   "\"received_at\":\"2026-11-21T09:00:01Z\"}",
                                   &out),
             engine);
    CHECK_CONTAINS(out, "\"confirmation_id\":null");
    hk_string_free(out);
    out = NULL;
    CHECK_OK(hk_engine_receive_sms(engine,
                                   "{\"from\":\"+33699999998\",\"body\":\"Merci !\","
                                   "\"received_at\":\"2026-11-21T09:00:02Z\"}",
                                   &out),
             engine);
    CHECK_CONTAINS(out, "\"outcome\":\"kept_as_reply\"");
    hk_string_free(out);
    out = NULL;
    char *claimed = NULL;
    CHECK_OK(hk_engine_claim(engine, 10, NOW_DUE + 5000, &claimed), engine);
    CHECK_CONTAINS(claimed, "\"kind\":\"sms_keyword_reply\"");
    CHECK_CONTAINS(claimed, "\"recipient\":\"+33699999999\"");
    hk_string_free(claimed);

    CHECK_RC(hk_engine_receive_sms(engine,
                                   "{\"from\":\"SECRET\",\"body\":\"STOP\","
                                   "\"received_at\":\"2026-11-21T09:00:00Z\"}",
                                   &out),
             HK_RESULT_INVALID_INPUT, engine);
    CHECK(out == NULL);
    CHECK_RC(hk_engine_receive_sms(engine, "{\"from\":\"+33699999999\"}", &out),
             HK_RESULT_INVALID_INPUT, engine);
    CHECK_RC(hk_engine_receive_sms(NULL, "{}", &out), HK_RESULT_NULL_ARGUMENT, NULL);
    CHECK_RC(hk_engine_receive_sms(engine, NULL, &out), HK_RESULT_NULL_ARGUMENT, engine);
    CHECK_RC(hk_engine_receive_sms(engine, "{}", NULL), HK_RESULT_NULL_ARGUMENT, engine);
    hk_engine_free(&engine);
}

/* D4: the opt-out confirmation is a setting per language, passed through the settings
 * JSON: a STOP is confirmed with the store's own text; a bad one is typed and named. */
static void d4_opt_out_confirmation_setting(void) {
    hk_engine *engine = synced_engine("screen_d4_confirmation.db");
    if (engine == NULL) {
        return;
    }
    CHECK_OK(hk_engine_set_settings(engine,
                                    "{\"default_language\":\"en\","
                                    "\"sms_opt_out_confirmations\":"
                                    "{\"en\":\"Done: no more texts from the shop.\"}}"),
             engine);
    char *settings = NULL;
    CHECK_OK(hk_engine_get_settings(engine, &settings), engine);
    CHECK_CONTAINS(settings, "\"sms_opt_out_confirmations\":"
                             "{\"en\":\"Done: no more texts from the shop.\"}");
    hk_string_free(settings);
    char *out = NULL;
    CHECK_OK(hk_engine_receive_sms(engine,
                                   "{\"from\":\"+33699999999\",\"body\":\"STOP\","
                                   "\"received_at\":\"2026-11-21T09:00:00Z\"}",
                                   &out),
             engine);
    CHECK_CONTAINS(out, "\"outcome\":\"opted_out\"");
    hk_string_free(out);
    char *claimed = NULL;
    CHECK_OK(hk_engine_claim(engine, 10, NOW_DUE + 5000, &claimed), engine);
    CHECK_CONTAINS(claimed, "\"kind\":\"sms_keyword_reply\"");
    CHECK_CONTAINS(claimed, "\"body\":\"Done: no more texts from the shop.\"");
    hk_string_free(claimed);
    CHECK_RC(hk_engine_set_settings(engine, "{\"sms_opt_out_confirmations\":{\"EN\":\"SECRET\"}}"),
             HK_RESULT_INVALID_INPUT, engine);
    hk_engine_free(&engine);
}

void screen_tests(void) {
    run_case("d7_contact_state_and_cancel_pending", d7_contact_state_and_cancel_pending);
    run_case("d6_exports_and_erase_by_contact", d6_exports_and_erase_by_contact);
    run_case("d4_receive_sms", d4_receive_sms);
    run_case("d4_opt_out_confirmation_setting", d4_opt_out_confirmation_setting);
}
