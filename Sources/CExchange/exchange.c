// renameat2 is reached through syscall(2): glibc's wrapper is hidden behind _GNU_SOURCE and
// Swift cannot call the variadic syscall() itself.
#define _GNU_SOURCE
#include "exchange.h"
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/syscall.h>
#endif

int publish_exchange_paths(const char *first, const char *second) {
#if defined(__linux__) && defined(SYS_renameat2)
    return (int)syscall(SYS_renameat2, AT_FDCWD, first, AT_FDCWD, second, 2 /* RENAME_EXCHANGE */);
#else
    errno = ENOSYS;
    return -1;
#endif
}
