/* A minimal unit-test harness: TEST(name) { CHECK(...); } and tests/unit-main.c
 * runs them all, printing "ok NAME", "not ok NAME" or "skip NAME" per test;
 * tests/run-all counts those lines. */
#ifndef CELL_TESTS_UNIT_H
#define CELL_TESTS_UNIT_H
#include <stdio.h>
#include <string.h>
#include <inttypes.h>

typedef struct unit_test {
  const char *name;
  void (*fn)(int *failed, int *skipped);
  struct unit_test *next;
} unit_test;

void unit_register(unit_test *t);

#define TEST(name)                                                          \
  static void test_##name(int *unit_failed_, int *unit_skipped_ __attribute__((unused)));           \
  static unit_test unit_##name = { #name, test_##name, NULL };              \
  __attribute__((constructor)) static void unit_reg_##name(void)            \
  { unit_register(&unit_##name); }                                          \
  static void test_##name(int *unit_failed_, int *unit_skipped_ __attribute__((unused)))

#define CHECK(cond)                                                         \
  do {                                                                      \
    (void) unit_skipped_;                                                   \
    if (!(cond)) {                                                          \
      fprintf(stderr, "  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
      (*unit_failed_)++;                                                    \
    }                                                                       \
  } while (0)

#define CHECK_STR(a, b)                                                     \
  do {                                                                      \
    const char *a_ = (a), *b_ = (b);                                        \
    if (!a_ || !b_ || strcmp(a_, b_) != 0) {                                \
      fprintf(stderr, "  %s:%d: `%s` != `%s`\n", __FILE__, __LINE__,        \
              a_ ? a_ : "(null)", b_ ? b_ : "(null)");                      \
      (*unit_failed_)++;                                                    \
    }                                                                       \
  } while (0)

#define CHECK_INT(a, b)                                                     \
  do {                                                                      \
    long long a_ = (long long) (a), b_ = (long long) (b);                   \
    if (a_ != b_) {                                                         \
      fprintf(stderr, "  %s:%d: %s == %lld, expected %lld\n", __FILE__,     \
              __LINE__, #a, a_, b_);                                        \
      (*unit_failed_)++;                                                    \
    }                                                                       \
  } while (0)

#define SKIP(why)                                                           \
  do {                                                                      \
    fprintf(stderr, "  skipped: %s\n", why);                                \
    (*unit_skipped_)++;                                                     \
    return;                                                                 \
  } while (0)

#endif
