/* Looking up a config's annotations (parse.c fills them; the runtime and
 * validate.c read them). */
#include "oci/config.h"

#include <string.h>

const char *oci_annotation(const oci_config *c, const char *key)
{
  for (size_t i = 0; i < c->n_annotations; i++)
    if (strcmp(c->annotations[i].key, key) == 0)
      return c->annotations[i].value;
  return NULL;
}
