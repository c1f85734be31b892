/* What hearken promises about the data, through the C door: T1 (one file after
 * hk_engine_free, online backup), T2 (erasure scrubs the file's bytes), T5 (journal mode
 * kept, hk_convert_journal, a missing path refused), T4 (no backup or export onto the store's
 * own files), T7 (foreign files refused untouched, hk_engine_check) and T8
 * (calls after hk_engine_close). */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "tests.h"

/* Reads a whole file into a malloc'd buffer; *len gets its size. NULL if absent. */
static unsigned char *read_bytes(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    *len = 0;
    if (f == NULL) {
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc(size > 0 ? (size_t)size : 1);
    if (buf != NULL && size > 0 && fread(buf, 1, (size_t)size, f) != (size_t)size) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = buf != NULL ? (size_t)size : 0;
    return buf;
}

static void copy_file(const char *from, const char *to) {
    size_t len = 0;
    unsigned char *bytes = read_bytes(from, &len);
    CHECK(bytes != NULL);
    FILE *f = fopen(to, "wb");
    CHECK(f != NULL);
    if (f != NULL && bytes != NULL) {
        CHECK(fwrite(bytes, 1, len, f) == len);
    }
    if (f != NULL) {
        fclose(f);
    }
    free(bytes);
}

/* Whether `needle` occurs anywhere in the raw bytes of the file at `path`. */
static int file_contains(const char *path, const char *needle) {
    size_t len = 0;
    unsigned char *bytes = read_bytes(path, &len);
    size_t n = strlen(needle);
    int found = 0;
    for (size_t i = 0; bytes != NULL && i + n <= len && !found; i++) {
        found = memcmp(bytes + i, needle, n) == 0;
    }
    free(bytes);
    return found;
}

static long file_size(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* Everything the engine can tell about the golden night, as one string (malloc'd). */
static char *snapshot(hk_engine *engine) {
    char *parts[5] = {NULL, NULL, NULL, NULL, NULL};
    CHECK_OK(hk_engine_list_customers(engine, NULL, &parts[0]), engine);
    CHECK_OK(hk_engine_pending_invitations(engine, &parts[1]), engine);
    CHECK_OK(hk_engine_explain(engine, "c5", NOW_NIGHT1, &parts[2]), engine);
    CHECK_OK(hk_engine_explain(engine, "c1", NOW_NIGHT1, &parts[3]), engine);
    CHECK_OK(hk_engine_list_unsubscribes(engine, NULL, NOW_NIGHT1, &parts[4]), engine);
    size_t total = 1;
    for (int i = 0; i < 5; i++) {
        total += (parts[i] ? strlen(parts[i]) : 0) + 1;
    }
    char *all = calloc(total, 1);
    for (int i = 0; i < 5 && all != NULL; i++) {
        strcat(all, parts[i] ? parts[i] : "");
        strcat(all, "\n");
        hk_string_free(parts[i]);
    }
    return all;
}

static hk_engine *golden_night(const char *db_name) {
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

static void t1_free_without_close_leaves_the_whole_store_in_its_one_file(void) {
    hk_engine *engine = golden_night("t1.db");
    if (engine == NULL) {
        return;
    }
    char *before = snapshot(engine);
    hk_engine_free(&engine); /* no hk_engine_close */
    CHECK(engine == NULL);
    char *wal = scratch_path("t1.db-wal");
    CHECK(file_size(wal) <= 0); /* absent or empty: folded back */
    free(wal);
    /* The file alone, copied where no -wal or -shm can follow it. */
    char *from = scratch_path("t1.db");
    char *to = scratch_path("t1-copy-alone.db");
    copy_file(from, to);
    hk_engine *copy = NULL;
    CHECK_OK(hk_engine_open(to, HK_JOURNAL_WAL, 0, &copy, NULL), NULL);
    if (copy != NULL) {
        char *after = snapshot(copy);
        CHECK_STR(after, before);
        free(after);
    }
    hk_engine_free(&copy);
    free(before);
    free(from);
    free(to);
}

static void t1_backup_copies_a_live_store_and_check_reports_it_sound(void) {
    hk_engine *engine = golden_night("t1-live.db");
    if (engine == NULL) {
        return;
    }
    char *before = snapshot(engine);
    char *target = scratch_path("t1-backup.db");
    CHECK_OK(hk_engine_backup(engine, target), engine);
    CHECK_OK(hk_engine_backup(engine, target), engine); /* replaced whole */
    CHECK_RC(hk_engine_backup(engine, NULL), HK_RESULT_NULL_ARGUMENT, engine);
    char *wal = scratch_path("t1-backup.db-wal");
    CHECK(file_size(wal) < 0);
    free(wal);
    hk_engine *copy = NULL;
    CHECK_OK(hk_engine_open(target, HK_JOURNAL_WAL, 0, &copy, NULL), NULL);
    if (copy != NULL) {
        char *after = snapshot(copy);
        CHECK_STR(after, before);
        free(after);
        char *check = NULL;
        CHECK_OK(hk_engine_check(copy, &check), copy);
        CHECK_CONTAINS(check, "\"ok\":true");
        CHECK_CONTAINS(check, "\"journal\":\"rollback\""); /* a backup is one file */
        hk_string_free(check);
    }
    hk_engine_free(&copy);
    hk_engine_free(&engine);
    free(before);
    free(target);
}

/* T4: a backup or export onto the store's own -wal (or the store, -shm, -journal, in any
 * letter case) is HK_RESULT_INVALID_INPUT naming `path`; nothing is written and the store
 * still opens with its data. */
static void t4_backup_onto_the_stores_wal_is_refused_and_changes_nothing(void) {
    hk_engine *engine = golden_night("t4-live.db");
    if (engine == NULL) {
        return;
    }
    char *before = snapshot(engine);
    const char *names[] = {"t4-live.db", "t4-live.db-wal", "t4-live.db-shm",
                           "t4-live.db-journal", "T4-LIVE.DB-WAL"};
    char *journal = scratch_path("t4-live.db-journal");
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char *target = scratch_path(names[i]);
        long size_before = file_size(target);
        CHECK_RC(hk_engine_backup(engine, target), HK_RESULT_INVALID_INPUT, engine);
        char *detail = hk_engine_last_error(engine);
        CHECK_CONTAINS(detail, "\"field\":\"path\"");
        CHECK_CONTAINS(detail, "companions");
        CHECK(strstr(detail, "t4-live") == NULL); /* the path is never echoed */
        hk_string_free(detail);
        uint64_t rows = 99;
        CHECK_RC(hk_engine_export_csv_file(engine, target, "{}", &rows), HK_RESULT_INVALID_INPUT,
                 engine);
        CHECK(rows == 99);
        char *summary = NULL;
        CHECK_RC(hk_engine_export_xlsx_file(engine, target, "{}", &summary),
                 HK_RESULT_INVALID_INPUT, engine);
        CHECK(summary == NULL);
        CHECK(file_size(target) == size_before);
        free(target);
    }
    CHECK(file_size(journal) < 0); /* never created */
    free(journal);
    /* Another handle opens the store and sees the same data. */
    char *path = scratch_path("t4-live.db");
    hk_engine *other = NULL;
    CHECK_OK(hk_engine_open(path, HK_JOURNAL_WAL, 0, &other, NULL), NULL);
    if (other != NULL) {
        char *after = snapshot(other);
        CHECK_STR(after, before);
        free(after);
    }
    hk_engine_free(&other);
    hk_engine_free(&engine);
    free(path);
    free(before);
}

/* T5, item 7: converting a mistyped path is refused and creates no store. */
static void t5_convert_journal_of_a_missing_path_is_refused_and_creates_nothing(void) {
    char *path = scratch_path("t5-mistyped.db");
    uint32_t previous = 99;
    char *error = NULL;
    CHECK_RC(hk_convert_journal(path, HK_JOURNAL_ROLLBACK, &previous, &error),
             HK_RESULT_INVALID_INPUT, NULL);
    CHECK_CONTAINS(error, "\"field\":\"path\"");
    CHECK(strstr(error, "t5-mistyped") == NULL);
    hk_string_free(error);
    CHECK(previous == 99);
    CHECK(file_size(path) < 0);
    free(path);
}

static void t2_erasure_scrubs_the_customer_from_the_file_bytes(void) {
    hk_engine *engine = golden_night("t2.db");
    if (engine == NULL) {
        return;
    }
    char *db = scratch_path("t2.db");
    char *wal = scratch_path("t2.db-wal");
    CHECK(file_contains(db, "minjun@example.kr") || file_contains(wal, "minjun@example.kr"));
    char *erasure = NULL;
    CHECK_OK(hk_engine_erase_customer(engine, "c5", NOW_DUE, &erasure), engine);
    CHECK_CONTAINS(erasure, "\"scrubbed\":true");
    hk_string_free(erasure);
    const char *values[] = {"minjun@example.kr", "김민준", "1012345678"};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        CHECK(!file_contains(db, values[i]));
        CHECK(!file_contains(wal, values[i]));
    }
    CHECK(file_contains(db, "elodie@example.fr")); /* the others stay */
    hk_engine_free(&engine);
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        CHECK(!file_contains(db, values[i]));
    }
    free(db);
    free(wal);
}

/* Another process (python3's sqlite3) holding a read snapshot of `db` until its stdin
 * closes; returns once the snapshot is taken, or NULL. */
static FILE *reader_holding_a_snapshot(const char *db) {
    char *ready = scratch_path("t2close.ready");
    remove(ready);
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1], isolation_level=None);"
             " c.execute(\"BEGIN\"); c.execute(\"SELECT count(*) FROM customers\").fetchone();"
             " open(sys.argv[2], \"w\").close(); sys.stdin.read(); c.execute(\"COMMIT\"); c.close()'"
             " '%s' '%s'",
             db, ready);
    FILE *child = popen(cmd, "w");
    for (int i = 0; child != NULL && i < 200 && file_size(ready) < 0; i++) {
        struct timespec pause = {0, 50 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    CHECK(file_size(ready) == 0);
    free(ready);
    return child;
}

static void t2_close_reports_a_scrub_a_reader_still_holds_back(void) {
    hk_engine *engine = golden_night("t2close.db");
    hk_engine_free(&engine);
    char *db = scratch_path("t2close.db");
    char *wal = scratch_path("t2close.db-wal");
    /* A short busy timeout: close waits that long for the reader before giving up. */
    CHECK_OK(hk_engine_open(db, HK_JOURNAL_WAL, 300, &engine, NULL), NULL);
    FILE *reader = reader_holding_a_snapshot(db);
    char *erasure = NULL;
    CHECK_OK(hk_engine_erase_customer(engine, "c5", NOW_DUE, &erasure), engine);
    CHECK_CONTAINS(erasure, "\"scrubbed\":false");
    hk_string_free(erasure);
    CHECK_RC(hk_engine_close(engine), HK_RESULT_SCRUB_INCOMPLETE, engine);
    char *detail = hk_engine_last_error(engine);
    CHECK_CONTAINS(detail, "\"kind\":\"scrub_incomplete\"");
    hk_string_free(detail);
    CHECK_STR(hk_result_name(HK_RESULT_SCRUB_INCOMPLETE), "scrub_incomplete");
    /* Closed either way; closing again is plain success. */
    CHECK_RC(hk_engine_close(engine), HK_OK, engine);
    hk_engine_free(&engine);
    /* The reader, the last connection on the file, finishes the checkpoint. */
    if (reader != NULL) {
        CHECK(pclose(reader) == 0);
    }
    CHECK(!file_contains(db, "minjun@example.kr"));
    CHECK(!file_contains(wal, "minjun@example.kr"));
    free(db);
    free(wal);
}

static void t5_a_store_keeps_its_journal_and_converts_only_when_alone(void) {
    char *path = scratch_path("t5.db");
    hk_engine *engine = NULL;
    CHECK_OK(hk_engine_open(path, HK_JOURNAL_ROLLBACK, 0, &engine, NULL), NULL);
    hk_engine_free(&engine);
    /* Opened asking for WAL: it stays in rollback mode. */
    CHECK_OK(hk_engine_open(path, HK_JOURNAL_WAL, 0, &engine, NULL), NULL);
    uint32_t mode = 99;
    CHECK_OK(hk_engine_journal_mode(engine, &mode), engine);
    CHECK(mode == HK_JOURNAL_ROLLBACK);
    CHECK_RC(hk_engine_journal_mode(engine, NULL), HK_RESULT_NULL_ARGUMENT, engine);
    hk_engine_free(&engine);
    uint32_t previous = 99;
    CHECK_OK(hk_convert_journal(path, HK_JOURNAL_WAL, &previous, NULL), NULL);
    CHECK(previous == HK_JOURNAL_ROLLBACK);
    CHECK_OK(hk_engine_open(path, HK_JOURNAL_ROLLBACK, 0, &engine, NULL), NULL);
    CHECK_OK(hk_engine_journal_mode(engine, &mode), engine);
    CHECK(mode == HK_JOURNAL_WAL);
    /* Leaving WAL while a handle is open is a conflict, and changes nothing. */
    char *error = NULL;
    CHECK_RC(hk_convert_journal(path, HK_JOURNAL_ROLLBACK, &previous, &error),
             HK_RESULT_CONFLICT, NULL);
    CHECK_CONTAINS(error, "\"kind\":\"conflict\"");
    hk_string_free(error);
    CHECK_OK(hk_engine_journal_mode(engine, &mode), engine);
    CHECK(mode == HK_JOURNAL_WAL);
    hk_engine_free(&engine);
    CHECK_OK(hk_convert_journal(path, HK_JOURNAL_ROLLBACK, &previous, NULL), NULL);
    CHECK(previous == HK_JOURNAL_WAL);
    CHECK_RC(hk_convert_journal(path, 7, NULL, NULL), HK_RESULT_INVALID_INPUT, NULL);
    CHECK_RC(hk_convert_journal(NULL, HK_JOURNAL_WAL, NULL, NULL), HK_RESULT_NULL_ARGUMENT, NULL);
    free(path);
}

static void t7_a_foreign_file_is_refused_untouched(void) {
    char text[8192];
    memset(text, 'x', sizeof text - 1);
    text[sizeof text - 1] = '\0';
    char *path = write_scratch("t7-notes.txt", text);
    size_t len_before = 0;
    unsigned char *before = read_bytes(path, &len_before);
    hk_engine *engine = NULL;
    char *error = NULL;
    CHECK_RC(hk_engine_open(path, HK_JOURNAL_WAL, 0, &engine, &error), HK_RESULT_NOT_HEARKEN,
             NULL);
    CHECK(engine == NULL);
    CHECK_CONTAINS(error, "\"kind\":\"not_hearken\"");
    hk_string_free(error);
    size_t len_after = 0;
    unsigned char *after = read_bytes(path, &len_after);
    CHECK(len_after == len_before && memcmp(before, after, len_before) == 0);
    CHECK_STR((const char *)hk_result_name(HK_RESULT_NOT_HEARKEN), "not_hearken");
    CHECK_STR((const char *)hk_result_name(HK_RESULT_CORRUPT), "corrupt");
    free(before);
    free(after);
    free(path);
}

static void t8_every_call_after_close_is_refused_with_closed(void) {
    hk_engine *engine = golden_night("t8.db");
    if (engine == NULL) {
        return;
    }
    CHECK_OK(hk_engine_close(engine), engine);
    CHECK_OK(hk_engine_close(engine), engine); /* twice is harmless */
    char *json = (char *)"sentinel";
    CHECK_RC(hk_engine_explain(engine, "c5", NOW_NIGHT1, &json), HK_RESULT_CLOSED, engine);
    CHECK_STR(json, "sentinel");
    CHECK_RC(hk_engine_claim(engine, 10, NOW_DUE, &json), HK_RESULT_CLOSED, engine);
    CHECK_RC(hk_engine_check(engine, &json), HK_RESULT_CLOSED, engine);
    char *detail = hk_engine_last_error(engine);
    CHECK_CONTAINS(detail, "\"kind\":\"closed\"");
    hk_string_free(detail);
    CHECK_STR((const char *)hk_result_name(HK_RESULT_CLOSED), "closed");
    CHECK_RC(hk_engine_close(NULL), HK_RESULT_NULL_ARGUMENT, NULL);
    hk_engine_free(&engine);
    /* Closed by hk_engine_close: the file alone is the whole store. */
    char *wal = scratch_path("t8.db-wal");
    CHECK(file_size(wal) <= 0);
    free(wal);
}

void store_file_tests(void) {
    run_case("t1_free_without_close_leaves_the_whole_store_in_its_one_file",
             t1_free_without_close_leaves_the_whole_store_in_its_one_file);
    run_case("t1_backup_copies_a_live_store_and_check_reports_it_sound",
             t1_backup_copies_a_live_store_and_check_reports_it_sound);
    run_case("t2_erasure_scrubs_the_customer_from_the_file_bytes",
             t2_erasure_scrubs_the_customer_from_the_file_bytes);
    run_case("t2_close_reports_a_scrub_a_reader_still_holds_back",
             t2_close_reports_a_scrub_a_reader_still_holds_back);
    run_case("t5_a_store_keeps_its_journal_and_converts_only_when_alone",
             t5_a_store_keeps_its_journal_and_converts_only_when_alone);
    run_case("t4_backup_onto_the_stores_wal_is_refused_and_changes_nothing",
             t4_backup_onto_the_stores_wal_is_refused_and_changes_nothing);
    run_case("t5_convert_journal_of_a_missing_path_is_refused_and_creates_nothing",
             t5_convert_journal_of_a_missing_path_is_refused_and_creates_nothing);
    run_case("t7_a_foreign_file_is_refused_untouched", t7_a_foreign_file_is_refused_untouched);
    run_case("t8_every_call_after_close_is_refused_with_closed",
             t8_every_call_after_close_is_refused_with_closed);
}
