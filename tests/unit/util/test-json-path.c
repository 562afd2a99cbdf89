/* util/json-path.h: the path a reader walks, its text and its place. */
#include "unit.h"
#include "util/json-path.h"

TEST(json_path_place_of_each_step)
{
  const char *t = "{\n  \"a\": 1,\n  \"process\": {\n    \"args\": [\"x\",\n      7]\n  }\n}\n";
  cell_jdoc *d = NULL;
  cell_error e = CELL_ERROR_INIT;
  CHECK_INT(cell_json_parse("t.json", t, strlen(t), &d, &e), 0);
  const cell_jv *root = cell_jdoc_root(d), *proc = cell_jv_get(root, "process");
  const cell_jv *args = cell_jv_get(proc, "args");
  cell_jpath p;
  cell_jpath_init(&p, root);
  cell_jpath_push_key(&p, "process", proc);
  cell_jpath_push_key(&p, "args", args);
  cell_jpath_push_index(&p, 1, cell_jv_at(args, 1));
  CHECK_INT(cell_jpath_value(&p)->line, 5);
  CHECK_INT(cell_jpath_value(&p)->col, 7);
  cell_jpath_pop(&p);
  CHECK_INT(cell_jpath_value(&p)->line, 4);
  CHECK_INT(cell_jpath_value(&p)->col, 13);
  /* an absent member: the deepest value on the way */
  cell_jpath_push_key(&p, "env", NULL);
  CHECK_INT(cell_jpath_value(&p)->line, 4);
  CHECK_INT(cell_jpath_value(&p)->col, 13);
  cell_jpath_pop(&p);
  cell_jpath_pop(&p);
  cell_jpath_pop(&p);
  cell_jpath_pop(&p);     /* one too many: stays at the start */
  CHECK_INT(p.depth, 0);
  CHECK_INT(cell_jpath_value(&p)->col, 1);
  cell_jpath_init(&p, NULL);
  CHECK(cell_jpath_value(&p) == NULL);
  cell_jdoc_free(d);
}

TEST(json_path_text)
{
  const cell_json_pathel el[] = { { "syscalls", 0 }, { NULL, 3 }, { "args", 0 }, { NULL, 0 }, { "op", 0 } };
  char buf[64];
  CHECK_INT(cell_json_path_fmt(buf, sizeof buf, 0, el, 5), 22);
  CHECK_STR(buf, "syscalls[3].args[0].op");
  /* after a prefix: a dot before a key, none before an index */
  strcpy(buf, "linux.seccomp");
  CHECK_INT(cell_json_path_fmt(buf, sizeof buf, 13, el, 2), 25);
  CHECK_STR(buf, "linux.seccomp.syscalls[3]");
  CHECK_INT(cell_json_path_fmt(buf, sizeof buf, 13, el + 1, 1), 16);
  CHECK_STR(buf, "linux.seccomp[3]");
  /* as snprintf: truncated, terminated, the whole length returned */
  CHECK_INT(cell_json_path_fmt(buf, 10, 0, el, 5), 22);
  CHECK_STR(buf, "syscalls[");
  CHECK_INT(cell_json_path_fmt(NULL, 0, 0, el, 5), 22);
  CHECK_INT(cell_json_path_fmt(buf, sizeof buf, 0, el, 0), 0);
  CHECK_STR(buf, "");
}

TEST(json_path_deeper_than_kept)
{
  cell_jpath p;
  cell_jpath_init(&p, NULL);
  for (size_t i = 0; i < CELL_JPATH_MAX_DEPTH + 3; i++)
    cell_jpath_push_index(&p, i, NULL);
  CHECK_INT(p.depth, CELL_JPATH_MAX_DEPTH + 3);
  CHECK_INT(cell_jpath_kept(&p), CELL_JPATH_MAX_DEPTH);
  for (size_t i = 0; i < 3; i++)
    cell_jpath_pop(&p);
  CHECK_INT(cell_jpath_kept(&p), CELL_JPATH_MAX_DEPTH);
  cell_jpath_pop(&p);
  CHECK_INT(cell_jpath_kept(&p), CELL_JPATH_MAX_DEPTH - 1);
  CHECK_INT(p.el[CELL_JPATH_MAX_DEPTH - 2].index, CELL_JPATH_MAX_DEPTH - 2);
}
