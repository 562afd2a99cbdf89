/* seccomp compiler: being written (issue 4). */
typedef int cell_seccomp_placeholder;
