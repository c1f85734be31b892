/* Windows time-zone names through the C door: a location sent with "Romance Standard
 * Time" (what a Windows POS reports) is stored as Europe/Paris; an unknown name is
 * invalid input naming time_zone, and nothing is stored. */
#include "harness.h"

#include <stdlib.h>
#include <string.h>

#include "tests.h"

static void windows_zone_name_is_stored_as_its_iana_zone(void) {
    hk_engine *engine = NULL;
    if (!CHECK_OK(hk_engine_open_in_memory(&engine, NULL), NULL)) {
        return;
    }
    CHECK_OK(hk_engine_upsert_location(
                 engine, "{\"id\":\"paris\",\"name\":\"Paris\",\"time_zone\":\"Romance Standard Time\"}"),
             engine);
    char *json = NULL;
    if (CHECK_OK(hk_engine_get_location(engine, "paris", &json), engine)) {
        CHECK_CONTAINS(json, "\"time_zone\":\"Europe/Paris\"");
        CHECK(strstr(json, "Romance") == NULL);
    }
    hk_string_free(json);
    hk_engine_free(&engine);
}

static void windows_unknown_zone_name_is_invalid_and_stores_nothing(void) {
    hk_engine *engine = NULL;
    if (!CHECK_OK(hk_engine_open_in_memory(&engine, NULL), NULL)) {
        return;
    }
    CHECK_RC(hk_engine_upsert_location(
                 engine, "{\"id\":\"mars\",\"name\":\"Mars\",\"time_zone\":\"Mars Standard Time\"}"),
             HK_RESULT_INVALID_INPUT, engine);
    char *detail = hk_engine_last_error(engine);
    CHECK_CONTAINS(detail, "\"field\":\"time_zone\"");
    CHECK(detail == NULL || strstr(detail, "Mars Standard") == NULL);
    hk_string_free(detail);
    char *json = NULL;
    CHECK_RC(hk_engine_get_location(engine, "mars", &json), HK_RESULT_NOT_FOUND, engine);
    hk_string_free(json);
    hk_engine_free(&engine);
}

void windows_tests(void) {
    run_case("windows_zone_name_is_stored_as_its_iana_zone",
             windows_zone_name_is_stored_as_its_iana_zone);
    run_case("windows_unknown_zone_name_is_invalid_and_stores_nothing",
             windows_unknown_zone_name_is_invalid_and_stores_nothing);
}
