/* `cell seccomp diff` and `explain` as library code: text from the exact
 * decision maps of seccomp/analyze.h, so that a profile and the BPF
 * compiled from it read the same.  Formats: docs/man/cell-seccomp.1. */
#ifndef CELL_SECCOMP_EXPLAIN_H
#define CELL_SECCOMP_EXPLAIN_H
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include "seccomp/analyze.h"
#include "util/error.h"

/* ---- families (family.c) ---------------------------------------------- */
/* "files", "io", "network", "processes", "signals", "memory", "time",
 * "ipc", "credentials", "scheduling", "system", "other"; NULL-terminated,
 * in the order explain prints them. */
extern const char *const cell_sc_families[];
const char *cell_sc_family(const char *name);
bool cell_sc_family_sorted(void);

/* ---- wording (explain.c) ------------------------------------------------ */
/* "allowed", "logged", "EPERM" (an errno by name), "ERRNO(4000)",
 * "KILL_PROCESS", "KILL_THREAD", "TRAP(n)", "TRACE(n)", "NOTIFY". */
const char *cell_sc_ret_short(uint32_t ret, char buf[48]);
/* "allows OBJ", "logs and allows OBJ", "fails OBJ with EPERM", "kills the
 * process on OBJ", "kills the thread on OBJ", "traps OBJ", "sends OBJ to
 * its tracer", "sends OBJ to the agent"; then " when WHEN" (when not NULL). */
void cell_sc_ret_phrase(FILE *f, uint32_t ret, const char *obj, const char *when);
/* The names of the syscalls numbered lo..hi on arch (index in
 * cell_sc_arches), sorted; *out heap array of *n pointers into the table. */
int cell_sc_names_in(int32_t arch, uint32_t lo, uint32_t hi, const char ***out, size_t *n);
/* A syscall number: decimal, hex from the x32 bit up. */
const char *cell_sc_nr_str(char buf[24], uint32_t nr);
/* The numbers of lo..hi that the table does not name on arch, as text
 * "463..1073741823" or "335, 400..423" (heap; NULL when there are none). */
char *cell_sc_unnamed_in(int32_t arch, uint32_t lo, uint32_t hi);

/* ---- the tools ------------------------------------------------------------ */
/* Every architecture and syscall on which progs[0] and progs[1] decide
 * differently, one line each (same lines on several architectures
 * merged), then "N differences" or "no differences".  *ndiff gets the
 * count.  Heap text in *out. */
int cell_sc_diff(const cell_sc_prog progs[2], const char *const labels[2], char **out,
                 size_t *ndiff, cell_error *err);
/* prog in words: per architecture, its default and, by family, what is
 * allowed and denied and how, with argument conditions. */
int cell_sc_explain(const cell_sc_prog *prog, char **out, cell_error *err);
#endif
