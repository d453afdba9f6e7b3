/* The machine's topology and thread pinning, through hwloc: loaded once per
 * process and read-only afterwards (hwloc allows concurrent read-only use). */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <hwloc.h>

#include "topo.h"

struct sb_topo {
  hwloc_topology_t hw; /* the loaded topology; never modified after load */
  int cores;           /* HWLOC_OBJ_CORE count (at least 1) */
  int pus;             /* HWLOC_OBJ_PU count (at least 1) */
};

static sb_topo the_topo; /* the process-wide topology */
static int the_topo_err; /* 0, or -errno from loading it */
static pthread_once_t the_topo_once = PTHREAD_ONCE_INIT;

static void topo_load(void) {
  if (hwloc_topology_init(&the_topo.hw) != 0) {
    the_topo_err = errno ? -errno : -ENOMEM;
    return;
  }
  if (hwloc_topology_load(the_topo.hw) != 0) {
    the_topo_err = errno ? -errno : -EIO;
    hwloc_topology_destroy(the_topo.hw);
    return;
  }
  int cores = hwloc_get_nbobjs_by_type(the_topo.hw, HWLOC_OBJ_CORE);
  int pus = hwloc_get_nbobjs_by_type(the_topo.hw, HWLOC_OBJ_PU);
  the_topo.pus = pus > 0 ? pus : 1;
  /* Some VMs expose PUs without cores: count each PU as a core then. */
  the_topo.cores = cores > 0 ? cores : the_topo.pus;
}

int sb_topo_get(sb_topo **out) {
  pthread_once(&the_topo_once, topo_load);
  if (the_topo_err != 0)
    return the_topo_err;
  *out = &the_topo;
  return 0;
}

int sb_topo_cores(const sb_topo *t) {
  return t->cores;
}

int sb_topo_pus(const sb_topo *t) {
  return t->pus;
}

/* Formats a byte count as "32 MiB" / "512 KiB". */
static void format_size(char *buf, size_t len, uint64_t bytes) {
  if (bytes >= (1u << 20) && bytes % (1u << 20) == 0)
    snprintf(buf, len, "%llu MiB", (unsigned long long)(bytes >> 20));
  else
    snprintf(buf, len, "%llu KiB", (unsigned long long)(bytes >> 10));
}

void sb_topo_summary(const sb_topo *t, char *buf, size_t len) {
  int packages = hwloc_get_nbobjs_by_type(t->hw, HWLOC_OBJ_PACKAGE);
  if (packages < 1)
    packages = 1;
  /* The last-level cache: the deepest level that exists, L3 first. */
  static const hwloc_obj_type_t levels[] = {HWLOC_OBJ_L3CACHE,
                                            HWLOC_OBJ_L2CACHE};
  static const char *const level_names[] = {"L3", "L2"};
  char cache[48] = "";
  for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++) {
    hwloc_obj_t c = hwloc_get_obj_by_type(t->hw, levels[i], 0);
    if (c != NULL && c->attr != NULL && c->attr->cache.size > 0) {
      char size[24];
      format_size(size, sizeof size, c->attr->cache.size);
      snprintf(cache, sizeof cache, ", %s %s", level_names[i], size);
      break;
    }
  }
  snprintf(buf, len, "%d package%s, %d core%s, %d PU%s%s", packages,
           packages == 1 ? "" : "s", t->cores, t->cores == 1 ? "" : "s", t->pus,
           t->pus == 1 ? "" : "s", cache);
}

void sb_topo_cpu_model(const sb_topo *t, char *buf, size_t len) {
  hwloc_obj_t pkg = hwloc_get_obj_by_type(t->hw, HWLOC_OBJ_PACKAGE, 0);
  const char *model =
      pkg != NULL ? hwloc_obj_get_info_by_name(pkg, "CPUModel") : NULL;
  if (model != NULL) {
    snprintf(buf, len, "%s", model);
    return;
  }
  sb__topo_cpuinfo_model(buf, len);
}

/* Binds the calling thread to one PU of set (singlified copy). */
static int bind_to(sb_topo *t, hwloc_const_cpuset_t set) {
  int rc = 0;
  hwloc_bitmap_t one = hwloc_bitmap_dup(set);
  if (one == NULL)
    return -ENOMEM;
  hwloc_bitmap_singlify(one);
  if (hwloc_set_cpubind(t->hw, one, HWLOC_CPUBIND_THREAD) != 0)
    rc = errno ? -errno : -EINVAL;
  hwloc_bitmap_free(one);
  return rc;
}

int sb_topo_pin_pu(sb_topo *t, int pu) {
  hwloc_obj_t obj = hwloc_get_obj_by_type(t->hw, HWLOC_OBJ_PU, (unsigned)pu);
  if (pu < 0 || obj == NULL)
    return -EINVAL;
  return bind_to(t, obj->cpuset);
}

int sb_topo_pu_cpu(const sb_topo *t, int pu) {
  hwloc_obj_t obj = hwloc_get_obj_by_type(t->hw, HWLOC_OBJ_PU, (unsigned)pu);
  return pu < 0 || obj == NULL ? -EINVAL : (int)obj->os_index;
}

/* The CPUs the calling thread may run on now (its affinity: a cell
 * confined with /cpus:N, or taskset), as a new bitmap, or NULL. */
static hwloc_bitmap_t allowed_now(sb_topo *t) {
  hwloc_bitmap_t set = hwloc_bitmap_alloc();
  if (set != NULL && hwloc_get_cpubind(t->hw, set, HWLOC_CPUBIND_THREAD) != 0)
    hwloc_bitmap_copy(set, hwloc_topology_get_allowed_cpuset(t->hw));
  return set;
}

/* The index-th PU (logical order, cycling) among those in allowed, as a new
 * bitmap, or NULL when allowed holds none. */
static hwloc_bitmap_t nth_allowed_pu(sb_topo *t, hwloc_const_bitmap_t allowed,
                                     int index) {
  int n = 0;
  for (int pass = 0; pass < 2; pass++) {
    int k = 0;
    for (int i = 0; i < t->pus; i++) {
      hwloc_obj_t obj = hwloc_get_obj_by_type(t->hw, HWLOC_OBJ_PU, (unsigned)i);
      if (obj == NULL || !hwloc_bitmap_isincluded(obj->cpuset, allowed))
        continue;
      if (pass == 1 && k == index % n)
        return hwloc_bitmap_dup(obj->cpuset);
      k++;
    }
    n = k;
    if (n == 0)
      return NULL;
  }
  return NULL;
}

/* The PU set worker `index` of `count` gets under policy (NONE counts as
 * COMPACT here: callers decide whether NONE binds at all), always inside
 * the CPUs the calling thread may use, so a confined process stays
 * confined; a new bitmap the caller frees, or NULL. */
static hwloc_bitmap_t worker_set(sb_topo *t, sb_pin policy, int index,
                                 int count) {
  hwloc_bitmap_t allowed = allowed_now(t), out = NULL;
  if (allowed == NULL)
    return NULL;
  if (policy == SB_PIN_SPREAD) {
    hwloc_bitmap_t *sets = calloc((size_t)count, sizeof *sets);
    hwloc_obj_t root = hwloc_get_root_obj(t->hw);
    if (sets != NULL &&
        hwloc_distrib(t->hw, &root, 1, sets, (unsigned)count, INT_MAX, 0) ==
            0 &&
        hwloc_bitmap_intersects(sets[index], allowed)) {
      out = sets[index];
      sets[index] = NULL;
      hwloc_bitmap_and(out, out, allowed);
    }
    for (int i = 0; sets != NULL && i < count; i++)
      hwloc_bitmap_free(sets[i]);
    free(sets);
  }
  /* Compact, or a spread share that fell outside the allowed CPUs: hwloc's
   * logical PU order walks one core's PUs before the next. */
  if (out == NULL)
    out = nth_allowed_pu(t, allowed, index);
  hwloc_bitmap_free(allowed);
  return out;
}

int sb_topo_pin_worker(sb_topo *t, sb_pin policy, int index, int count) {
  if (index < 0 || count < 1 || index >= count)
    return -EINVAL;
  if (policy == SB_PIN_NONE)
    return 0;
  hwloc_bitmap_t set = worker_set(t, policy, index, count);
  if (set == NULL)
    return -EINVAL;
  int rc = bind_to(t, set);
  hwloc_bitmap_free(set);
  return rc;
}

int sb_topo_cpu_list(sb_topo *t, sb_pin policy, int count, int *cpus, int cap) {
  if (count < 1 || cap < count)
    return -EINVAL;
  for (int i = 0; i < count; i++) {
    hwloc_bitmap_t set = worker_set(t, policy, i, count);
    if (set == NULL)
      return -EINVAL;
    hwloc_bitmap_singlify(set);
    cpus[i] = hwloc_bitmap_first(set); /* the OS index of that PU */
    hwloc_bitmap_free(set);
    if (cpus[i] < 0)
      return -EINVAL;
  }
  return count;
}

int sb_topo_confine(sb_topo *t, const int *cpus, int n) {
  if (n < 1)
    return -EINVAL;
  hwloc_bitmap_t set = hwloc_bitmap_alloc();
  if (set == NULL)
    return -ENOMEM;
  for (int i = 0; i < n; i++)
    hwloc_bitmap_set(set, (unsigned)cpus[i]);
  int rc = 0;
  /* CPUBIND_PROCESS: every thread of the process, present and future. */
  if (hwloc_set_cpubind(t->hw, set, HWLOC_CPUBIND_PROCESS) != 0)
    rc = errno ? -errno : -EINVAL;
  hwloc_bitmap_free(set);
  return rc;
}
