/* One line of /proc/PID/mountinfo, cut in place (proc(5)). */
#include "util/mountinfo.h"
#include "util/strv.h"

#include <stdlib.h>
#include <string.h>

/* Undo the octal escapes of mountinfo (\040 for a space) in place. */
static void unescape(char *s)
{
  char *d = s;
  for (; *s; s++) {
    if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
        s[3] >= '0' && s[3] <= '7') {
      *d++ = (char) ((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
      s += 3;
    } else {
      *d++ = *s;
    }
  }
  *d = '\0';
}

bool cell_mountinfo_line(char *line, cell_mi_entry *e)
{
  *e = (cell_mi_entry) { 0 };
  char *f[6] = { 0 }, *cur = line, *tok;
  int i = 0;
  /* id parent maj:min root point opts [optional...] - fstype source super */
  while ((tok = cell_field(&cur))) {
    i++;
    if (i == 1)
      e->id = strtoull(tok, NULL, 10);
    else if (i == 4)
      e->root = tok;
    else if (i == 5)
      e->point = tok;
    else if (i == 7)
      e->opt_fields = tok;
    if (i >= 7 && tok[0] == '-' && !tok[1]) {
      f[0] = cell_field(&cur);
      f[1] = cell_field(&cur);
      f[2] = cell_field(&cur);
      break;
    }
  }
  if (!e->point || !f[0])
    return false;
  if (e->opt_fields && strcmp(e->opt_fields, "-") == 0)
    e->opt_fields = NULL;
  e->fstype = f[0];
  e->source = f[1];
  e->super = f[2] ? f[2] : (char *) "";
  unescape(e->root);
  unescape(e->point);
  return true;
}
