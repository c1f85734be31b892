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

void screen_tests(void) {
    run_case("d7_contact_state_and_cancel_pending", d7_contact_state_and_cancel_pending);
}
