/* Runs every C test suite: main GOLDEN_DIR SCRATCH_DIR. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "tests.h"

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s GOLDEN_DIR SCRATCH_DIR\n", argv[0]);
        return 2;
    }
    golden_dir = argv[1];
    /* A fresh directory per run, so static, shared and valgrind runs never share a file. */
    char template[4096];
    snprintf(template, sizeof template, "%s/run.XXXXXX", argv[2]);
    scratch_dir = mkdtemp(template);
    if (scratch_dir == NULL) {
        perror("mkdtemp");
        return 2;
    }
    /* A deadlock (a lock held across a callback) fails the run instead of hanging it. */
    alarm(900);

    if (on_postgres()) {
        /* A hosted build on the test cluster (tests/c/run-hosted.sh): the golden files
         * hold on PostgreSQL too (H1); the rest is about files and runs on SQLite. */
        golden_tests();
        return finish();
    }
    contract_tests();
    golden_tests();
    engine_tests();
    delivery_tests();
    responses_tests();
    alerts_tests();
    bad_input_tests();
    reports_tests();
    store_file_tests();
    trust_tests();
    windows_tests();
    policy_tests();
    pages_tests();
    screen_tests();
    return finish();
}
