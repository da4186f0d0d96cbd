#include <sqlite3.h>

// sqlite3_config is variadic, which Swift cannot call. Memory statistics off: with them on, every
// allocation SQLite makes takes a process-wide mutex and updates counters nobody here reads.
// Only has an effect before SQLite initializes (the first connection opened).
static inline int csqlite_disable_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
