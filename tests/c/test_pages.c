/* What the customer sees through the C door (issue 16): the e-mail's HTML part with its
 * eleven score links (M1), a click recording the score once, the survey, thank-you and
 * unsubscribe pages as hk_strings (M2), the posted form read into answers, escaping (M4),
 * and the calling contract of each new function. Starts from golden steps 1-3, claims at
 * 10:00 in Paris: c1 (fr) and c5 (ko) are invited by e-mail. */
/* hk_engine_nps is deprecated but reads the NPS in one call; kept working by this file. */
#define HK_NO_DEPRECATION_WARNINGS
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"

/* The claimed messages of golden steps 1-3 at 10:00, acked; NULL on failure. */
static hk_message_batch *claimed(hk_engine *engine) {
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
        return NULL;
    }
    hk_string_free(json);
    for (uint32_t i = 0; i < hk_message_batch_count(messages); i++) {
        CHECK_OK(hk_engine_ack(engine, hk_message_batch_message_id(messages, i), NOW_DUE),
                 engine);
    }
    return messages;
}

/* The index of `customer`'s message. */
static uint32_t message_of(const hk_message_batch *messages, const char *customer) {
    for (uint32_t i = 0; i < hk_message_batch_count(messages); i++) {
        const char *c = hk_message_batch_customer(messages, i);
        if (c != NULL && strcmp(c, customer) == 0) {
            return i;
        }
    }
    CHECK(!"no message for the customer");
    return 0;
}

static void m1_the_email_has_eleven_score_links_and_a_click_records_once(void) {
    hk_engine *engine = open_golden_engine("pages_click.db");
    if (engine == NULL) {
        return;
    }
    hk_message_batch *messages = claimed(engine);
    if (messages == NULL) {
        hk_engine_free(&engine);
        return;
    }
    uint32_t i = message_of(messages, "c1");
    const char *html = hk_message_batch_html_body(messages, i);
    const char *link = hk_message_batch_survey_link(messages, i);
    CHECK(html != NULL && link != NULL);
    if (html != NULL && link != NULL) {
        char want[256];
        for (int score = 0; score <= 10; score++) {
            snprintf(want, sizeof want, "href=\"%s?score=%d\"", link, score);
            CHECK_CONTAINS(html, want);
        }
        CHECK_CONTAINS(html, "aria-label=\"9 sur 10\"");
        CHECK_CONTAINS(html, "<html lang=\"fr\"");
        CHECK(strstr(hk_message_batch_body(messages, i), "score=") == NULL);
    }
    CHECK(hk_message_batch_html_body(messages, 99) == NULL);
    CHECK(hk_message_batch_html_body(NULL, 0) == NULL);
    char token[64];
    snprintf(token, sizeof token, "%s", token_of(link));

    char *click = NULL;
    CHECK_OK(hk_engine_record_score_click(engine, token, 9, NOW_DUE, &click), engine);
    CHECK_CONTAINS(click, "\"score\":9,\"recorded\":true,\"completed\":false");
    hk_string_free(click);
    /* A second click on another score records nothing and shows the same page. */
    char *page = NULL;
    uint32_t kind = 0, status = 0;
    CHECK_OK(hk_engine_survey_link_page(engine, token, 2, NULL, NOW_DUE, &page, &kind, &status),
             engine);
    CHECK(kind == HK_PAGE_KIND_SURVEY && status == 200);
    CHECK_CONTAINS(page, "Vous nous avez donné 9 sur 10");
    hk_string_free(page);
    char *nps = NULL;
    CHECK_OK(hk_engine_nps(engine, NULL, &nps), engine);
    CHECK_CONTAINS(nps, "\"promoters\":1,\"passives\":0,\"detractors\":0");
    hk_string_free(nps);

    /* The page completes the response: the thanks offer the review link (N3). */
    CHECK_OK(hk_engine_submit_survey_form(engine, token,
                                          "q.comment=Tr%c3%a8s+bien%2c+l%27accueil+%ec%a2%8b%ec%95%84%ec%9a%94",
                                          NOW_DUE, &page, &kind, NULL),
             engine);
    CHECK(kind == HK_PAGE_KIND_THANK_YOU);
    CHECK_GOLDEN(page, "thanks_c1.html");
    hk_string_free(page);
    /* Complete: a click changes nothing and lands on the thanks again. */
    CHECK_OK(hk_engine_record_score_click(engine, token, 0, NOW_DUE, &click), engine);
    CHECK_CONTAINS(click, "\"score\":9,\"recorded\":false,\"completed\":true");
    hk_string_free(click);
    CHECK_OK(hk_engine_survey_link_page(engine, token, HK_NO_SCORE, NULL, NOW_DUE, &page, NULL,
                                        NULL),
             engine);
    CHECK_CONTAINS(page, "https://g.page/r/paris/review");
    hk_string_free(page);
    CHECK_OK(hk_engine_nps(engine, NULL, &nps), engine);
    CHECK_CONTAINS(nps, "\"promoters\":1,\"passives\":0,\"detractors\":0");
    hk_string_free(nps);

    /* Unsubscribe page in the customer's language (c5: Korean). */
    uint32_t k5 = message_of(messages, "c5");
    CHECK_OK(hk_engine_unsubscribe_page(engine,
                                        token_of(hk_message_batch_unsubscribe_link(messages, k5)),
                                        NOW_DUE, &page),
             engine);
    CHECK_CONTAINS(page, "<html lang=\"ko\"");
    CHECK_CONTAINS(page, "수신 거부가 완료되었습니다");
    hk_string_free(page);
    hk_message_batch_free(&messages);
    hk_engine_free(&engine);
}

static void m2_the_posted_form_becomes_the_answers(void) {
    hk_engine *engine = open_golden_engine("pages_form.db");
    if (engine == NULL) {
        return;
    }
    char *answers = NULL;
    CHECK_OK(hk_engine_survey_form_answers(engine, "q.recommend=10&consent=1", &answers),
             engine);
    CHECK_CONTAINS(answers, "\"question\":\"recommend\",\"score\":10");
    CHECK_CONTAINS(answers, "\"consent_to_reply\":true");
    hk_string_free(answers);
    CHECK_RC(hk_engine_survey_form_answers(engine, "q.recommend=secret", &answers),
             HK_RESULT_INVALID_INPUT, engine);
    char *detail = hk_engine_last_error(engine);
    CHECK_CONTAINS(detail, "\"field\":\"q.recommend\"");
    CHECK(strstr(detail, "secret") == NULL);
    hk_string_free(detail);
    hk_engine_free(&engine);
}

static void pages_refuse_null_arguments_and_bad_input(void) {
    char *out = (char *)"sentinel";
    const hk_result NUL = HK_RESULT_NULL_ARGUMENT;
    const char *token = "abababababababababababababababab";
    CHECK_RC(hk_engine_record_score_click(NULL, token, 9, NOW_DUE, &out), NUL, NULL);
    CHECK_RC(hk_engine_survey_link_page(NULL, token, 9, NULL, NOW_DUE, &out, NULL, NULL), NUL,
             NULL);
    CHECK_RC(hk_engine_submit_survey_form(NULL, token, "", NOW_DUE, &out, NULL, NULL), NUL,
             NULL);
    CHECK_RC(hk_engine_survey_form_answers(NULL, "", &out), NUL, NULL);
    CHECK_RC(hk_engine_unsubscribe_page(NULL, token, NOW_DUE, &out), NUL, NULL);
    hk_engine *engine = open_golden_engine("pages_nulls.db");
    if (engine == NULL) {
        return;
    }
    CHECK_RC(hk_engine_record_score_click(engine, NULL, 9, NOW_DUE, &out), NUL, engine);
    CHECK_RC(hk_engine_record_score_click(engine, token, 9, NOW_DUE, NULL), NUL, engine);
    CHECK_RC(hk_engine_survey_link_page(engine, token, 9, NULL, NOW_DUE, NULL, NULL, NULL), NUL,
             engine);
    CHECK_RC(hk_engine_submit_survey_form(engine, token, NULL, NOW_DUE, &out, NULL, NULL), NUL,
             engine);
    CHECK_RC(hk_engine_survey_form_answers(engine, NULL, &out), NUL, engine);
    CHECK_RC(hk_engine_unsubscribe_page(engine, token, NOW_DUE, NULL), NUL, engine);
    /* Bad UTF-8, scores out of range, an unknown token: typed errors, nothing written. */
    CHECK_RC(hk_engine_survey_link_page(engine, "ab\xff", 9, NULL, NOW_DUE, &out, NULL, NULL),
             HK_RESULT_INVALID_UTF8, engine);
    CHECK_RC(hk_engine_survey_form_answers(engine, "q.comment=\xc3(", &out),
             HK_RESULT_INVALID_UTF8, engine);
    CHECK_RC(hk_engine_survey_link_page(engine, token, -7, NULL, NOW_DUE, &out, NULL, NULL),
             HK_RESULT_INVALID_INPUT, engine);
    CHECK_RC(hk_engine_record_score_click(engine, token, 11, NOW_DUE, &out),
             HK_RESULT_INVALID_INPUT, engine);
    CHECK_RC(hk_engine_survey_link_page(engine, token, 9, NULL, NOW_DUE, &out, NULL, NULL),
             HK_RESULT_NOT_FOUND, engine);
    CHECK(strcmp(out, "sentinel") == 0);
    hk_engine_free(&engine);
}

/* M4: a host's French override with a single-quoted attribute and a customer named
 * "Anne/onmouseover=..." : the elided apostrophe (de -> d') is text and comes out escaped,
 * so it cannot close the attribute. A placeholder in an unquoted attribute is refused,
 * naming the field and the place, never quoting the template. */
static void m4_elided_apostrophe_in_a_single_quoted_attribute_stays_text(void) {
    hk_engine *engine = open_golden_engine("pages_m4.db");
    if (engine == NULL) {
        return;
    }
    CHECK_OK(hk_engine_set_template(
                 engine, "{\"kind\":\"survey_invitation\",\"channel\":\"email\","
                         "\"language\":\"fr\",\"subject\":\"{location}\","
                         "\"body\":\"{survey_link} {unsubscribe_link}\","
                         "\"html\":\"<p title='Un mot de {first_name}'>Bonjour</p>{score_scale}"
                         "<a href=\\\"{unsubscribe_link}\\\">x</a>\"}"),
             engine);
    const char *batch =
        "{\"format\":1,\"location\":\"paris\",\"business_dates\":[\"2026-11-20\"],"
        "\"customers\":[{\"id\":\"c1\",\"name\":\"Anne/onmouseover=alert(4) Dupont\","
        "\"email\":\"anne@example.fr\",\"language\":\"fr\",\"include_in_communications\":true}],"
        "\"transactions\":[{\"id\":\"t1\",\"customer\":\"c1\",\"kind\":\"sale\","
        "\"amount_minor\":100,\"currency\":\"EUR\","
        "\"finalized_at\":\"2026-11-20T10:15:00+01:00\"}]}";
    char *report = NULL;
    CHECK_OK(hk_engine_sync(engine, batch, NOW_NIGHT1, &report), engine);
    hk_string_free(report);
    char *json = NULL;
    hk_message_batch *messages = NULL;
    if (CHECK_OK(hk_engine_claim(engine, 10, NOW_DUE, &json), engine) &&
        CHECK_OK(hk_message_batch_parse(json, &messages, NULL), NULL)) {
        const char *html = hk_message_batch_html_body(messages, message_of(messages, "c1"));
        CHECK(html != NULL);
        if (html != NULL) {
            CHECK_CONTAINS(html, "<p title='Un mot d&#39;Anne/onmouseover=alert(4)'>Bonjour</p>");
            CHECK(strstr(html, "d'Anne") == NULL);
        }
    }
    hk_message_batch_free(&messages);
    hk_string_free(json);

    CHECK_RC(hk_engine_set_template(
                 engine, "{\"kind\":\"survey_invitation\",\"channel\":\"email\","
                         "\"language\":\"fr\",\"subject\":\"{location}\","
                         "\"body\":\"{survey_link} {unsubscribe_link}\","
                         "\"html\":\"<p title={first_name}>MARK</p>{score_scale}"
                         "<a href='{unsubscribe_link}'>x</a>\"}"),
             HK_RESULT_INVALID_INPUT, engine);
    char *detail = hk_engine_last_error(engine);
    CHECK_CONTAINS(detail, "\"record\":\"template\",\"index\":null,\"host_id\":null,"
                           "\"field\":\"html\"");
    CHECK_CONTAINS(detail, "`{first_name}` is in an unquoted attribute value");
    CHECK(detail != NULL && strstr(detail, "MARK") == NULL);
    hk_string_free(detail);
    hk_engine_free(&engine);
}

void pages_tests(void) {
    run_case("M1: the e-mail has eleven score links and a click records once",
             m1_the_email_has_eleven_score_links_and_a_click_records_once);
    run_case("M2: the posted form becomes the answers", m2_the_posted_form_becomes_the_answers);
    run_case("pages: NULL arguments and bad input are refused",
             pages_refuse_null_arguments_and_bad_input);
    run_case("M4: an elided apostrophe in a single-quoted attribute stays text",
             m4_elided_apostrophe_in_a_single_quoted_attribute_stays_text);
}
