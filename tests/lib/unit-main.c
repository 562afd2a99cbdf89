#include "unit.h"
#include <stdlib.h>

static unit_test *head, **tail = &head;

void unit_register(unit_test *t)
{
  *tail = t;
  tail = &t->next;
}

int main(int argc, char **argv)
{
  int bad = 0;
  for (unit_test *t = head; t; t = t->next) {
    if (argc > 1 && !strstr(t->name, argv[1]))
      continue;
    int failed = 0, skipped = 0;
    t->fn(&failed, &skipped);
    if (failed) {
      printf("not ok %s\n", t->name);
      bad++;
    } else if (skipped)
      printf("skip %s\n", t->name);
    else
      printf("ok %s\n", t->name);
    fflush(stdout);
  }
  return bad ? 1 : 0;
}
