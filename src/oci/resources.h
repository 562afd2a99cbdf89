/* linux.resources as typed values (config-linux.md "Control groups"). This
 * file and resources.c are the only places that know its JSON field names;
 * the cgroups library (src/cgroups/) works on these structs.
 *
 * Every optional scalar comes with a has_ flag; a resource group that was
 * absent has present == false and everything in it unset. Strings and arrays
 * are heap-owned by the struct; free with oci_resources_typed_free().
 *
 * The same struct carries `runc update` requests: the CLI fills only the
 * fields the user gave (flags or -r resources.json) and the cgroups library
 * writes only what is set. */
#ifndef CELL_OCI_RESOURCES_H
#define CELL_OCI_RESOURCES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oci/config.h"
#include "util/error.h"
#include "util/log.h"
#include "util/json.h"

typedef struct oci_res_memory {
  bool present;
  bool has_limit, has_reservation, has_swap, has_kernel, has_kernel_tcp;
  int64_t limit, reservation, swap, kernel, kernel_tcp; /* bytes, -1 unlimited */
  bool has_swappiness;
  uint64_t swappiness;                                   /* 0..100 */
  bool has_disable_oom_killer, disable_oom_killer;
  bool has_use_hierarchy, use_hierarchy;
  bool has_check_before_update, check_before_update;
} oci_res_memory;

typedef struct oci_res_cpu {
  bool present;
  bool has_shares, has_quota, has_burst, has_period;
  uint64_t shares;           /* v1 shares; converted to cpu.weight on v2 */
  int64_t quota;             /* µs per period, -1 unlimited */
  uint64_t burst;            /* µs */
  uint64_t period;           /* µs */
  bool has_realtime_runtime, has_realtime_period;
  int64_t realtime_runtime;  /* µs */
  uint64_t realtime_period;  /* µs */
  char *cpus, *mems;         /* cpuset lists, NULL when unset */
  bool has_idle;
  int64_t idle;              /* 0 or 1 */
} oci_res_cpu;

typedef struct oci_res_pids {
  bool present;
  bool has_limit;
  int64_t limit;             /* > 0 a limit, <= 0 "max" (runc: 0 leaves it) */
} oci_res_pids;

typedef struct oci_res_weight_device {
  int64_t major, minor;
  bool has_weight, has_leaf_weight;
  uint16_t weight, leaf_weight;
} oci_res_weight_device;

typedef struct oci_res_throttle_device {
  int64_t major, minor;
  uint64_t rate;             /* bytes/s or io/s */
} oci_res_throttle_device;

typedef struct oci_res_throttle_list {
  oci_res_throttle_device *v;
  size_t n;
} oci_res_throttle_list;

enum {
  OCI_THROTTLE_READ_BPS, OCI_THROTTLE_WRITE_BPS,
  OCI_THROTTLE_READ_IOPS, OCI_THROTTLE_WRITE_IOPS,
  OCI_THROTTLE_KINDS
};

typedef struct oci_res_blkio {
  bool present;
  bool has_weight, has_leaf_weight;
  uint16_t weight, leaf_weight;      /* 10..1000 */
  oci_res_weight_device *weight_devices;
  size_t n_weight_devices;
  oci_res_throttle_list throttle[OCI_THROTTLE_KINDS];
} oci_res_blkio;

typedef struct oci_res_hugepage {
  char *page_size;           /* "2MB", "1GB", "64KB" as written */
  uint64_t limit;            /* bytes */
} oci_res_hugepage;

typedef struct oci_res_net_prio {
  char *name;                /* interface */
  uint32_t priority;
} oci_res_net_prio;

typedef struct oci_res_network {
  bool present;
  bool has_class_id;
  uint32_t class_id;
  oci_res_net_prio *priorities;
  size_t n_priorities;
} oci_res_network;

typedef struct oci_res_rdma {
  char *device;              /* "mlx5_1" */
  bool has_hca_handles, has_hca_objects;
  uint32_t hca_handles, hca_objects;
} oci_res_rdma;

typedef struct oci_resources_typed {
  bool present;              /* the object was given */
  oci_res_memory memory;
  oci_res_cpu cpu;
  oci_res_pids pids;
  oci_res_blkio blkio;
  oci_res_hugepage *hugepages;
  size_t n_hugepages;
  oci_res_network network;
  oci_res_rdma *rdma;
  size_t n_rdma;
  oci_kv *unified;           /* raw cgroup v2 "file": "value" pairs */
  size_t n_unified;
  oci_device_rule *devices;  /* in order; later rules win */
  size_t n_devices;
  bool has_devices;          /* the devices array was given (may be empty) */
} oci_resources_typed;

/* Where the object sits, for messages: "FILE:LINE:COL: NAME.FIELD: msg",
 * the line and column those of the value at fault (util/json.h keeps them).
 * All members may be NULL: without file, no "FILE:LINE:COL: "; name is the
 * dotted name of the object itself ("linux.resources"; "" or NULL for a
 * top-level resources.json). */
typedef struct oci_json_where {
  const char *file;
  const char *name;
  const cell_log *log;     /* warnings (unknown fields); NULL: stderr */
} oci_json_where;

/* Parse a linux.resources object (j must be a JSON object, or NULL/null for
 * "absent"; it is only read during the call). Unknown members are ignored
 * with a warning naming them, as runc accepts them (a typo'ed limit is at
 * least reported). Integers of uint64 fields are exact up to UINT64_MAX.
 * On error out is left empty and err names the field. */
int oci_resources_parse(const cell_jv *j, const oci_json_where *where,
                        oci_resources_typed *out, cell_error *err);
/* Read and parse a resources JSON file (`update -r FILE`; "-" is stdin). */
int oci_resources_load_file(const char *path, oci_resources_typed *out, cell_error *err);
void oci_resources_typed_free(oci_resources_typed *r);

/* Byte sizes as the update flags accept them: "512m", "1G", "1048576", "-1". */
int oci_parse_size(const char *s, int64_t *out);

#endif
