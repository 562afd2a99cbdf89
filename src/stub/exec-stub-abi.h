/* What cell and its exec stub agree on (runtime/exec-stub.h). */
#ifndef CELL_EXEC_STUB_ABI_H
#define CELL_EXEC_STUB_ABI_H
/* argv[0] of the stub as cell runs it: a script cannot make the kernel
 * pass this as its interpreter's argv[0]. */
#define CELL_EXEC_STUB_MAGIC "\001cell-exec-stub"
/* What the stub writes to its report fd when the exec fails, then errno. */
#define CELL_EXEC_STUB_ERRNO_PREFIX "\001cell-exec-stub errno="
#endif
