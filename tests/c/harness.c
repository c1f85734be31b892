/* The test harness: counters, checks, files and the golden database set-up. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const char *golden_dir = "tests/golden";
const char *scratch_dir = ".";

static int cases_passed;
static int cases_failed;
static int current_failed;

int check_at(int cond, const char *expr, const char *file, int line) {
    if (!cond) {
        fprintf(stderr, "    FAILED %s:%d: %s\n", file, line, expr);
        current_failed = 1;
    }
    return cond;
}

int check_rc_at(hk_result got, hk_result want, const hk_engine *engine, const char *expr,
                const char *file, int line) {
    if (got == want) {
        return 1;
    }
    fprintf(stderr, "    FAILED %s:%d: %s returned %s (%u), expected %s (%u)\n", file, line,
            expr, hk_result_name(got), (unsigned)got, hk_result_name(want), (unsigned)want);
    char *detail = hk_engine_last_error(engine);
    if (detail != NULL) {
        fprintf(stderr, "      last error: %s\n", detail);
        hk_string_free(detail);
    }
    current_failed = 1;
    return 0;
}

int check_str_at(const char *got, const char *want, const char *expr, const char *file,
                 int line) {
    int same = (got == NULL || want == NULL) ? got == want : strcmp(got, want) == 0;
    if (!same) {
        fprintf(stderr, "    FAILED %s:%d: %s is \"%s\", expected \"%s\"\n", file, line, expr,
                got ? got : "(null)", want ? want : "(null)");
        current_failed = 1;
    }
    return same;
}

void run_case(const char *name, void (*fn)(void)) {
    current_failed = 0;
    fn();
    if (current_failed) {
        cases_failed++;
        printf("not ok - %s\n", name);
    } else {
        cases_passed++;
        printf("ok - %s\n", name);
    }
    fflush(stdout);
}

int finish(void) {
    printf("tests: %d passed, %d failed\n", cases_passed, cases_failed);
    return cases_failed == 0 ? 0 : 1;
}

char *read_text(const char *path) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(2);
    }
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    size_t n;
    while (buf != NULL && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len - 1 == 0) {
            cap *= 2;
            char *bigger = realloc(buf, cap);
            if (bigger == NULL) {
                free(buf);
            }
            buf = bigger;
        }
    }
    fclose(f);
    if (buf == NULL) {
        fprintf(stderr, "out of memory reading %s\n", path);
        exit(2);
    }
    buf[len] = '\0';
    return buf;
}

static char *join_path(const char *dir, const char *name) {
    size_t len = strlen(dir) + 1 + strlen(name) + 1;
    char *path = malloc(len);
    if (path == NULL) {
        exit(2);
    }
    snprintf(path, len, "%s/%s", dir, name);
    return path;
}

char *read_golden(const char *name) {
    char *path = join_path(golden_dir, name);
    char *text = read_text(path);
    free(path);
    return text;
}

int check_golden_at(const char *json, const char *name, const char *file, int line) {
    if (json == NULL) {
        return check_at(0, "golden output is not NULL", file, line);
    }
    char *expected = read_golden(name);
    size_t len = strlen(json);
    int same = strlen(expected) == len + 1 && memcmp(expected, json, len) == 0 &&
               expected[len] == '\n';
    if (!same) {
        size_t i = 0;
        while (json[i] != '\0' && json[i] == expected[i]) {
            i++;
        }
        size_t from = i > 40 ? i - 40 : 0;
        fprintf(stderr, "    FAILED %s:%d: output differs from %s at byte %zu\n", file, line,
                name, i);
        fprintf(stderr, "      got:      ...%.80s\n      expected: ...%.80s\n", json + from,
                expected + from);
        current_failed = 1;
    }
    free(expected);
    return same;
}

char *scratch_path(const char *name) {
    return join_path(scratch_dir, name);
}

char *write_scratch(const char *name, const char *text) {
    char *path = scratch_path(name);
    FILE *f = fopen(path, "wb");
    if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(2);
    }
    return path;
}

size_t split_json_objects(const char *array, char **objects, size_t max) {
    size_t count = 0;
    int depth = 0, in_string = 0, escaped = 0;
    const char *start = NULL;
    for (const char *p = array; *p != '\0'; p++) {
        if (in_string) {
            if (escaped) {
                escaped = 0;
            } else if (*p == '\\') {
                escaped = 1;
            } else if (*p == '"') {
                in_string = 0;
            }
            continue;
        }
        if (*p == '"') {
            in_string = 1;
        } else if (*p == '{') {
            if (depth++ == 0) {
                start = p;
            }
        } else if (*p == '}') {
            if (--depth == 0 && start != NULL && count < max) {
                size_t len = (size_t)(p - start) + 1;
                objects[count] = malloc(len + 1);
                if (objects[count] == NULL) {
                    exit(2);
                }
                memcpy(objects[count], start, len);
                objects[count][len] = '\0';
                count++;
            }
        }
    }
    return count;
}

char last_store_id[256];

int on_postgres(void) {
    const char *store = getenv("HEARKEN_TEST_STORE");
    return store != NULL && strcmp(store, "postgres") == 0;
}

/* On PostgreSQL (HEARKEN_TEST_STORE=postgres, a library built with the `hosted` feature):
 * a new store of the test cluster, created with the admin door, opened by URL (H1). */
static hk_result open_hosted_store(const char *db_name, hk_engine **engine, char **error) {
    const char *admin_url = getenv("HEARKEN_TEST_PG_URL");
    const char *engine_url = getenv("HEARKEN_TEST_PG_ENGINE_URL");
    if (admin_url == NULL || engine_url == NULL) {
        fprintf(stderr, "      HEARKEN_TEST_STORE=postgres needs scripts/pg-cluster.sh env\n");
        return HK_RESULT_INVALID_INPUT;
    }
    static unsigned counter = 0;
    char *store_id = last_store_id;
    snprintf(store_id, sizeof last_store_id, "c-%ld-%ld-%u-%s", (long)getpid(), (long)time(NULL),
             counter++, db_name);
    hk_result rc = hk_admin_create_store(admin_url, store_id, error);
    if (rc != HK_OK) {
        return rc;
    }
    return hk_engine_open_url(engine_url, store_id, engine, error);
}

hk_engine *open_golden_engine(const char *db_name) {
    hk_engine *engine = NULL;
    char *error = NULL;
    hk_result rc;
    if (on_postgres()) {
        rc = open_hosted_store(db_name, &engine, &error);
    } else {
        char *path = scratch_path(db_name);
        rc = hk_engine_open(path, HK_JOURNAL_WAL, 0, &engine, &error);
        free(path);
    }
    if (!CHECK_OK(rc, NULL)) {
        fprintf(stderr, "      open error: %s\n", error ? error : "(none)");
        hk_string_free(error);
        return NULL;
    }
    CHECK(error == NULL);

    char *locations = read_golden("locations.json");
    char *objects[8];
    size_t n = split_json_objects(locations, objects, 8);
    CHECK(n == 2);
    for (size_t i = 0; i < n; i++) {
        CHECK_OK(hk_engine_upsert_location(engine, objects[i]), engine);
        free(objects[i]);
    }
    free(locations);

    CHECK_OK(hk_engine_unsubscribe_contact(engine, "  Dana@Example.COM ", NOW_UNSUBSCRIBE),
             engine);
    return engine;
}

/* A malloc'd copy of the string value of "key" in a compact JSON object, or NULL. The
 * values read here (addresses, links, times, ids) carry no escapes. */
char *json_string(const char *json, const char *key) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
    const char *start = json ? strstr(json, pattern) : NULL;
    if (start == NULL) {
        return NULL;
    }
    start += strlen(pattern);
    const char *end = strchr(start, '"');
    if (end == NULL) {
        return NULL;
    }
    char *out = malloc((size_t)(end - start) + 1);
    if (out == NULL) {
        exit(2);
    }
    memcpy(out, start, (size_t)(end - start));
    out[end - start] = '\0';
    return out;
}

/* The integer value of "key" in a compact JSON object: 0 for null, -1 if absent. */
int64_t json_int(const char *json, const char *key) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\":", key);
    const char *at = json ? strstr(json, pattern) : NULL;
    return at ? strtoll(at + strlen(pattern), NULL, 10) : -1;
}

/* The last path segment of a link: its token. */
const char *token_of(const char *link) {
    const char *slash = link ? strrchr(link, '/') : NULL;
    return slash ? slash + 1 : "";
}

/* The survey token of `customer`, or "" (and a failed check). */
const char *token_for(const struct invited *invited, size_t count, const char *customer) {
    for (size_t i = 0; i < count; i++) {
        if (strcmp(invited[i].customer, customer) == 0) {
            return invited[i].token;
        }
    }
    CHECK(!"an invitation for the customer");
    return "";
}
