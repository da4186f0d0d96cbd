#ifndef PUBLISH_EXCHANGE_H
#define PUBLISH_EXCHANGE_H

/// Atomically exchanges two paths (Linux renameat2 with RENAME_EXCHANGE).
/// Returns 0 on success, -1 with errno set otherwise (ENOSYS or EINVAL where unsupported).
int publish_exchange_paths(const char *first, const char *second);

#endif
