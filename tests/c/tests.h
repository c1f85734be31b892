/* The test suites of the C door, one per file. */
#ifndef HK_TESTS_H
#define HK_TESTS_H

void contract_tests(void);
void golden_tests(void);
void engine_tests(void);
void delivery_tests(void);
void responses_tests(void);
void alerts_tests(void);
void bad_input_tests(void);
void reports_tests(void);
void store_file_tests(void);
void trust_tests(void);
void windows_tests(void);
void policy_tests(void);
void pages_tests(void);
void screen_tests(void);

#endif
