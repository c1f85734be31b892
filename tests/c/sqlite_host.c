/* A host that links its own SQLite next to hearken: sqlite_host DB_PATH [shared|static]
 *
 * Checks that hearken works and reports which SQLite the host's own sqlite3_* calls reach.
 * With libhearken.so (or a localised libhearken.a) they reach the host's SQLite; with the
 * plain libhearken.a linked first they reach hearken's bundled copy (see docs/c-api.md). */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "hearken.h"

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s DB_PATH [own|bundled]\n", argv[0]);
        return 2;
    }
    const char *expect = argc > 2 ? argv[2] : "own";

    /* The host's own use of SQLite: an in-memory table. */
    sqlite3 *db = NULL;
    int ok = sqlite3_open(":memory:", &db) == SQLITE_OK &&
             sqlite3_exec(db, "CREATE TABLE t(x); INSERT INTO t VALUES (1);", NULL, NULL, NULL) ==
                 SQLITE_OK;
    sqlite3_close(db);

    /* hearken beside it, on its own file. */
    hk_engine *engine = NULL;
    char *json = NULL;
    ok = ok && hk_engine_open(argv[1], HK_JOURNAL_WAL, 0, &engine, NULL) == HK_OK;
    ok = ok && hk_engine_upsert_location(
                   engine, "{\"id\":\"p\",\"name\":\"P\",\"time_zone\":\"Europe/Paris\"}") == HK_OK;
    ok = ok && hk_engine_list_locations(engine, &json) == HK_OK && strstr(json, "\"p\"") != NULL;
    hk_string_free(json);
    hk_engine_free(&engine);

    int own = strcmp(sqlite3_libversion(), SQLITE_VERSION) == 0;
    printf("host compiled against SQLite %s, its calls reach SQLite %s (%s); hearken %s\n",
           SQLITE_VERSION, sqlite3_libversion(), own ? "its own" : "hearken's bundled copy",
           ok ? "works" : "FAILED");
    int as_expected = strcmp(expect, "own") == 0 ? own : !own;
    return ok && as_expected ? 0 : 1;
}
