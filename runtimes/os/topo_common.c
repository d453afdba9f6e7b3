/* What both topologies (hwloc's topo.c, and topo_flat.c without it)
 * share: the CPU model from /proc/cpuinfo and the pinning policies'
 * names. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "topo.h"

void sb__topo_cpuinfo_model(char *buf, size_t len) {
  snprintf(buf, len, "unknown");
  FILE *f = fopen("/proc/cpuinfo", "r");
  if (f == NULL)
    return;
  char line[256];
  while (fgets(line, sizeof line, f) != NULL) {
    if (strncmp(line, "model name", 10) != 0)
      continue;
    const char *colon = strchr(line, ':');
    if (colon == NULL)
      break;
    colon++;
    while (*colon == ' ' || *colon == '\t')
      colon++;
    snprintf(buf, len, "%.*s", (int)strcspn(colon, "\n"), colon);
    break;
  }
  fclose(f);
}

const char *sb_pin_name(sb_pin p) {
  switch (p) {
  case SB_PIN_NONE:
    return "none";
  case SB_PIN_COMPACT:
    return "compact";
  case SB_PIN_SPREAD:
    return "spread";
  }
  return "unknown";
}

int sb_pin_parse(const char *s, sb_pin *out) {
  static const sb_pin all[] = {SB_PIN_NONE, SB_PIN_COMPACT, SB_PIN_SPREAD};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
    if (strcmp(s, sb_pin_name(all[i])) == 0) {
      *out = all[i];
      return 0;
    }
  }
  return -EINVAL;
}
