/* Internal to src/cgroups: file helpers and the pieces the .c files share. */
#ifndef CELL_CGROUPS_INTERNAL_H
#define CELL_CGROUPS_INTERNAL_H

#include <linux/bpf.h>
#include "cgroups/cgroups.h"

#define CG_BIT(c) (1u << (c))
/* Why a container may have no cgroup directories, for messages. */
#define CG_NO_CGROUP "(cgroup manager disabled, or rootless with no cgroup it may write)"

/* An empty record (no directories yet), NULL when out of memory. */
cell_cgroup *cg_record_new(cell_cg_mode mode, cell_cgroup_manager m);
/* A zeroed directory appended to cg->d; NULL when out of memory. */
cell_cgroup_dir *cg_record_add_dir(cell_cgroup *cg);
/* Free directory i of cg->d and close the gap. */
void cg_record_drop_dir(cell_cgroup *cg, size_t i);

/* Write value to DIR/FILE. Errors read
 * "write `VALUE` to DIR/FILE (FIELD): strerror" (FIELD may be NULL); a
 * missing file reads "... DIR/FILE does not exist (FIELD: the kernel or this
 * host does not support it)". */
int cg_write(const char *dir, const char *file, const char *value, const char *field,
             cell_error *err);
/* cg_write in two steps, for several values to one file (each write(2)
 * of an open cgroup file is parsed on its own): the O_WRONLY fd, or a
 * negative errno with cg_write's message for value; *path (malloc'ed,
 * also on failure) is for the messages of cg_write_fd. */
int cg_open_write(const char *dir, const char *file, const char *value, const char *field,
                  char **path, cell_error *err);
int cg_write_fd(int fd, const char *path, const char *value, const char *field,
                cell_error *err);
int cg_writef(const char *dir, const char *file, const char *field, cell_error *err,
              const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Read DIR/FILE (NUL-terminated, trailing newline kept). -ENOENT quietly
 * when missing (err still filled). */
int cg_read(const char *dir, const char *file, char **out, cell_error *err);
/* First number of DIR/FILE ("max" -> UINT64_MAX). */
int cg_read_u64(const char *dir, const char *file, uint64_t *out, cell_error *err);
/* "KEY VALUE" line of a flat-keyed file (memory.stat, cpu.stat, memory.events). */
int cg_keyed_u64(const char *text, const char *key, uint64_t *out);
bool cg_file_exists(const char *dir, const char *file);

/* Split "a b\nc" on white space into a strv. */
char **cg_split_words(const char *s);

/* v2: make the controllers in `need` (bit per cell_cg_ctl) available in dir,
 * writing "+ctl" into cgroup.subtree_control from the mount root down to
 * dir's parent. `created` is the topmost directory we made: at and below it
 * every available controller is enabled (best effort), above it only the
 * needed ones. */
int cg_v2_enable(const cell_cgroup_dir *d, uint32_t need, cell_error *err);

/* The controllers the set fields of r need (CG_BIT mask). */
uint32_t cg_resources_need(const oci_resources_typed *r);
/* The same, leaving out the 0 and "" that engines send for "not set"
 * (which apply does not write). */
uint32_t cg_resources_need_set(const oci_resources_typed *r);

/* Rootless (cgroups.h, cell_cgroup_config.rootless): drop from cg the
 * directories the caller may not make; an error naming the resource when
 * a set one needs a controller only they hold. Nothing is made. */
int cg_rootless_select(cell_cgroup *cg, const cell_cgroup_config *cfg, cell_error *err);

/* All of apply: resources r (may be NULL) and device rules dev (may be NULL). */
typedef struct cg_dev_rules cg_dev_rules;
int cg_apply(const cell_cgroup *cg, const oci_resources_typed *r, const cg_dev_rules *dev,
             bool update, const cell_log *log, cell_error *err);
/* Writers per controller; dir is the container's directory of the hierarchy
 * that holds it. Errors name the file, the value and the config field. */
int cg_v1_memory(const char *dir, const oci_res_memory *m, bool update, const cell_log *log,
                 cell_error *err);
int cg_v2_memory(const char *dir, const oci_res_memory *m, bool update, const cell_log *log,
                 cell_error *err);
int cg_v1_cpu(const char *dir, const oci_res_cpu *c, cell_error *err);
int cg_v2_cpu(const char *dir, const oci_res_cpu *c, cell_error *err);
int cg_cpuset(const char *dir, const oci_res_cpu *c, cell_error *err);  /* v1 and v2 */
int cg_pids(const char *dir, const oci_res_pids *p, cell_error *err);   /* v1 and v2 */
int cg_v1_blkio(const char *dir, const oci_res_blkio *b, cell_error *err);
int cg_v2_io(const char *dir, const oci_res_blkio *b, cell_error *err);
int cg_hugetlb(const char *dir, bool v2, const oci_res_hugepage *h, size_t n, cell_error *err);
int cg_v1_net_cls(const char *dir, const oci_res_network *n, cell_error *err);
int cg_v1_net_prio(const char *dir, const oci_res_network *n, cell_error *err);
int cg_rdma(const char *dir, const oci_res_rdma *r, size_t n, cell_error *err);
int cg_v2_unified(const char *dir, const oci_kv *kv, size_t n, cell_error *err);

/* Value conversions v1 -> v2 (exposed for tests). */
uint64_t cg_shares_to_weight(uint64_t shares);
uint64_t cg_blkio_weight_to_io(uint64_t w);
/* OCI memory.swap (memory+swap) -> memory.swap.max; -1 "max". -EINVAL when
 * the pair makes no sense (err names the fields). */
int cg_swap_v2(int64_t limit, bool has_limit, int64_t swap, int64_t *out, cell_error *err);

/* ---- devices ------------------------------------------------------------- */

/* A device rule list: config rules, then linux.devices, then defaults. */
struct cg_dev_rules {
  oci_device_rule *v;
  size_t n;
};

int cg_dev_rules_build(const oci_device_rule *rules, size_t n, const oci_device *devs,
                       size_t ndevs, bool defaults, cg_dev_rules *out);
void cg_dev_rules_free(cg_dev_rules *r);
/* v1: devices.deny "a" first when the rules start with deny-all, then each
 * rule in order to devices.allow / devices.deny. */
int cg_devices_v1(const char *dir, const cg_dev_rules *r, cell_error *err);

/* v2: the BPF_PROG_TYPE_CGROUP_DEVICE program for the rules (last matching
 * rule wins; no match: deny). *insns malloc'ed. */
int cg_devices_bpf_build(const cg_dev_rules *r, struct bpf_insn **insns, size_t *n);
/* Load insns and attach to the cgroup dir fd with BPF_F_ALLOW_MULTI,
 * replacing the programs we attached before (detach of older device
 * programs on that cgroup). */
int cg_devices_bpf_attach(int dirfd, const struct bpf_insn *insns, size_t n,
                          cell_error *err);
/* Run the program in a tiny interpreter (for tests): returns 1 allow, 0 deny,
 * -EINVAL for an instruction it does not know. type 'c'/'b', access bits
 * BPF_DEVCG_ACC_*. */
int cg_devices_bpf_eval(const struct bpf_insn *insns, size_t n, char type,
                        uint32_t major, uint32_t minor, uint32_t access);

/* Path helpers (cgfile.c). */
char *cg_join(const char *a, const char *b);   /* "a" + "/" + "b" without doubling */

#endif
