#include "unit.h"
#include "util/json-loc.h"

TEST(json_locate_nested)
{
  const char *t = "{\n  \"a\": 1,\n  \"process\": {\n    \"args\": [\"x\",\n      7]\n  }\n}\n";
  cell_json_pathel p[] = { { "process", 0 }, { "args", 0 }, { NULL, 1 } };
  int line, col;
  CHECK_INT(cell_json_locate(t, strlen(t), p, 3, &line, &col), 0);
  CHECK_INT(line, 5);
  CHECK_INT(col, 7);
  CHECK_INT(cell_json_locate(t, strlen(t), p, 2, &line, &col), 0);
  CHECK_INT(line, 4);
  CHECK_INT(col, 13);
}

TEST(json_locate_missing_gives_parent)
{
  const char *t = "{\"root\": {\"path\": \"r\"}}";
  cell_json_pathel p[] = { { "root", 0 }, { "readonly", 0 } };
  int line, col;
  CHECK_INT(cell_json_locate(t, strlen(t), p, 2, &line, &col), 1);
  CHECK_INT(col, 10);
}
