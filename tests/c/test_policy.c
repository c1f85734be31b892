/* The contact policy (P1-P8) through the C door: the golden policy nights of
 * tests/golden/README.md byte for byte, the policy calls, and their typed errors. */
#include "harness.h"

#include <stdlib.h>
#include <string.h>

#include "tests.h"

#define NOW_POLICY_NIGHT2 INT64_C(1795298400000) /* 2026-11-21T22:00:00Z */

/* Steps P1-P5 on a fresh file database. */
static void policy_nights_match_the_rust_door(void) {
    hk_engine *engine = open_golden_engine("policy.db");
    if (engine == NULL) {
        return;
    }
    char *contact = read_golden("policy.contact.json");
    CHECK_OK(hk_engine_set_contact_policy(engine, contact), engine);
    free(contact);
    char *location = read_golden("policy.location.json");
    CHECK_OK(hk_engine_set_location_policy(engine, location), engine);
    free(location);

    const char *nights[][2] = {
        {"policy_night1.batch.json", "policy_night1.report.json"},
        {"policy_night2.batch.json", "policy_night2.report.json"},
    };
    int64_t nows[] = {NOW_NIGHT1, NOW_POLICY_NIGHT2};
    for (int i = 0; i < 2; i++) {
        char *batch = read_golden(nights[i][0]);
        char *report = NULL;
        CHECK_OK(hk_engine_sync(engine, batch, nows[i], &report), engine);
        CHECK_GOLDEN(report, nights[i][1]);
        hk_string_free(report);
        free(batch);
    }
    char *explanation = NULL;
    CHECK_OK(hk_engine_explain(engine, "g1", NOW_POLICY_NIGHT2, &explanation), engine);
    CHECK_GOLDEN(explanation, "policy_explain_g1.json");
    hk_string_free(explanation);
    hk_engine_free(&engine);
}

/* P1-P5: the policy and calendars read back; bad values are typed errors naming the
 * setting and changing nothing. */
static void policy_calls_read_back_and_name_bad_values(void) {
    hk_engine *engine = open_golden_engine("policy_calls.db");
    if (engine == NULL) {
        return;
    }
    CHECK_OK(hk_engine_set_contact_policy(engine, "{\"min_gap_days\":30,\"sample_percent\":50}"),
             engine);
    char *policy = NULL;
    CHECK_OK(hk_engine_contact_policy(engine, &policy), engine);
    CHECK(strstr(policy, "\"min_gap_days\":30") != NULL);
    CHECK(strstr(policy, "\"sample_percent\":50") != NULL);
    hk_string_free(policy);

    CHECK_RC(hk_engine_set_contact_policy(engine, "{\"sample_percent\":101}"),
             HK_RESULT_INVALID_INPUT, engine);
    char *detail = hk_engine_last_error(engine);
    CHECK(strstr(detail, "\"field\":\"sample_percent\"") != NULL);
    hk_string_free(detail);

    /* P5: every weekday off is refused; a calendar with a closed date reads back. */
    CHECK_RC(hk_engine_set_calendar(engine, "{\"send_weekdays\":[]}"), HK_RESULT_INVALID_INPUT,
             engine);
    detail = hk_engine_last_error(engine);
    CHECK(strstr(detail, "\"field\":\"send_weekdays\"") != NULL);
    hk_string_free(detail);
    CHECK_OK(hk_engine_set_calendar(
                 engine, "{\"send_weekdays\":[\"monday\",\"friday\"],\"closed_dates\":[\"2026-12-25\"]}"),
             engine);
    char *calendar = NULL;
    CHECK_OK(hk_engine_calendar(engine, &calendar), engine);
    CHECK_STR(calendar, "{\"send_weekdays\":[\"monday\",\"friday\"],\"closed_dates\":"
                        "[\"2026-12-25\"],\"opening_hours\":[]}");
    hk_string_free(calendar);

    /* T10: a link lifetime longer than the stored retry after no answer is refused, and
     * the store keeps what it had; the pair inside its bound goes in either order. */
    CHECK_OK(hk_engine_set_contact_policy(engine, "{\"retry_after_no_answer_months\":3}"),
             engine);
    CHECK_RC(hk_engine_set_delivery_settings(engine, "{\"survey_link_days\":365}"),
             HK_RESULT_INVALID_INPUT, engine);
    detail = hk_engine_last_error(engine);
    CHECK_CONTAINS(detail, "\"field\":\"survey_link_days\"");
    CHECK_CONTAINS(detail, "retry_after_no_answer_months");
    hk_string_free(detail);
    char *delivery = NULL;
    CHECK_OK(hk_engine_get_delivery_settings(engine, &delivery), engine);
    CHECK_CONTAINS(delivery, "\"survey_link_days\":60");
    hk_string_free(delivery);
    CHECK_OK(hk_engine_set_delivery_settings(engine, "{\"survey_link_days\":84}"), engine);
    CHECK_OK(hk_engine_set_contact_policy(engine, "{\"retry_after_no_answer_months\":0}"),
             engine);

    /* P4: a location's own cap; an unknown location is not found. */
    CHECK_OK(hk_engine_set_location_policy(engine, "{\"location\":\"seoul\",\"daily_cap\":5}"),
             engine);
    char *own = NULL;
    CHECK_OK(hk_engine_location_policy(engine, "seoul", &own), engine);
    CHECK_STR(own, "{\"location\":\"seoul\",\"daily_cap\":5,\"sample_percent\":null,"
                   "\"monthly_response_quota\":null,\"calendar\":null}");
    hk_string_free(own);
    char *none = NULL;
    CHECK_RC(hk_engine_location_policy(engine, "lyon", &none), HK_RESULT_NOT_FOUND, engine);
    CHECK(none == NULL);
    CHECK_RC(hk_engine_location_policy(engine, NULL, &none), HK_RESULT_NULL_ARGUMENT, engine);
    CHECK_RC(hk_engine_contact_policy(engine, NULL), HK_RESULT_NULL_ARGUMENT, engine);
    hk_engine_free(&engine);
}

/* P8: the new reasons have stable codes, names and words in every language. */
static void policy_skip_reasons_have_codes_names_and_words(void) {
    CHECK_STR(hk_skip_reason_name(HK_SKIP_REFUNDED), "refunded");
    CHECK_STR(hk_skip_reason_name(HK_SKIP_CONTACT_CAP), "contact_cap");
    CHECK_STR(hk_skip_reason_name(HK_SKIP_QUOTA_REACHED), "quota_reached");
    CHECK_STR(hk_skip_reason_name(HK_SKIP_NOT_SAMPLED), "not_sampled");
    CHECK_STR(hk_skip_reason_name(HK_SKIP_DAILY_CAP), "daily_cap");
    CHECK_STR(hk_skip_reason_describe_in(HK_SKIP_DAILY_CAP, "fr-CA"),
              "la limite quotidienne d'enquêtes du magasin était atteinte");
    CHECK_STR(hk_skip_reason_describe_in(HK_SKIP_REFUNDED, "ko"), "환불되거나 취소된 거래입니다");
    CHECK_STR(hk_skip_reason_describe_in(HK_SKIP_REFUNDED, "de"),
              hk_skip_reason_describe(HK_SKIP_REFUNDED));
    CHECK(hk_skip_reason_describe_in(HK_SKIP_REFUNDED, NULL) == NULL);
    CHECK(hk_skip_reason_describe_in(99, "en") == NULL);
}

void policy_tests(void) {
    run_case("policy nights match the Rust door (P1-P8)", policy_nights_match_the_rust_door);
    run_case("policy calls read back and name bad values (P1-P5)",
             policy_calls_read_back_and_name_bad_values);
    run_case("policy skip reasons have codes, names and words (P8)",
             policy_skip_reasons_have_codes_names_and_words);
}
