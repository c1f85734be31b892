/* A small test harness for the C door: checks, test cases, golden files. */
#ifndef HK_TEST_HARNESS_H
#define HK_TEST_HARNESS_H

#define _POSIX_C_SOURCE 200809L

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "hearken.h"

/* Golden scenario instants (tests/golden/README.md), Unix milliseconds. */
#define NOW_UNSUBSCRIBE INT64_C(1795089600000) /* 2026-11-19T12:00:00Z */
#define NOW_NIGHT1 INT64_C(1795212000000)      /* 2026-11-20T22:00:00Z */
#define NOW_WINDOW INT64_C(1795471200000)      /* 2026-11-23T22:00:00Z */
#define NOW_DUE INT64_C(1795251600000)         /* 2026-11-21T09:00:00Z: 10:00 in Paris */

/* Directory of tests/golden and a scratch directory private to this run. */
extern const char *golden_dir;
extern const char *scratch_dir;

/* Records one check; prints the failing expression. Returns cond. */
int check_at(int cond, const char *expr, const char *file, int line);
#define CHECK(cond) check_at((cond) ? 1 : 0, #cond, __FILE__, __LINE__)

/* Checks a call's hk_result, printing both names and the engine's last error on mismatch. */
int check_rc_at(hk_result got, hk_result want, const hk_engine *engine, const char *expr,
                const char *file, int line);
#define CHECK_RC(expr, want, engine) check_rc_at((expr), (want), (engine), #expr, __FILE__, __LINE__)
#define CHECK_OK(expr, engine) CHECK_RC(expr, HK_OK, engine)

/* Checks two strings for equality (NULL equals only NULL). */
int check_str_at(const char *got, const char *want, const char *expr, const char *file, int line);
#define CHECK_STR(got, want) check_str_at((got), (want), #got, __FILE__, __LINE__)

/* Checks that `haystack` contains `needle`. */
#define CHECK_CONTAINS(haystack, needle)                                                      \
    check_at((haystack) != NULL && strstr((haystack), (needle)) != NULL,                     \
             #haystack " contains " #needle, __FILE__, __LINE__)

/* Runs one test case, counting it as passed when none of its checks failed. */
void run_case(const char *name, void (*fn)(void));

/* Prints the summary line and returns the process exit status. */
int finish(void);

/* The whole file as a NUL-terminated string (malloc'd; exits on error). */
char *read_text(const char *path);

/* Reads tests/golden/<name>. */
char *read_golden(const char *name);

/* Compares json + "\n" with tests/golden/<name> byte for byte, showing the first difference. */
int check_golden_at(const char *json, const char *name, const char *file, int line);
#define CHECK_GOLDEN(json, name) check_golden_at((json), (name), __FILE__, __LINE__)

/* Writes `text` to <scratch>/<name>; returns the malloc'd path. */
char *write_scratch(const char *name, const char *text);

/* <scratch>/<name> as a malloc'd path. */
char *scratch_path(const char *name);

/* Splits a JSON array of objects into malloc'd object texts; returns the count. */
size_t split_json_objects(const char *array, char **objects, size_t max);

/* Whether the run is on PostgreSQL (HEARKEN_TEST_STORE=postgres, a hosted build). */
int on_postgres(void);

/* On PostgreSQL: the text id of the store open_golden_engine made last. */
extern char last_store_id[256];

/* Steps 1 and 2 of the golden scenario on a fresh store: a file in the scratch folder,
 * or on PostgreSQL a new store of the test cluster opened by URL. */
hk_engine *open_golden_engine(const char *db_name);

/* A delivered invitation: its customer and its survey link's token. */
struct invited {
    char customer[32];
    char token[64];
};

/* A malloc'd copy of the string value of "key" in a compact JSON object, or NULL. The
 * values read here (addresses, links, times, ids) carry no escapes. */
char *json_string(const char *json, const char *key);

/* The integer value of "key" in a compact JSON object: 0 for null, -1 if absent. */
int64_t json_int(const char *json, const char *key);

/* The last path segment of a link: its token. */
const char *token_of(const char *link);

/* The survey token of `customer`, or "" (and a failed check). */
const char *token_for(const struct invited *invited, size_t count, const char *customer);

#endif
