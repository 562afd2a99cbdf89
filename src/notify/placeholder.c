/* seccomp notifications: see issue 5. */
typedef int cell_notify_placeholder;
