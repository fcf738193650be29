#include <sqlite3.h>

// SQLITE_TRANSIENT is a macro casting -1 to a function pointer; Swift cannot import it.
static inline sqlite3_destructor_type csqlite_transient(void) { return SQLITE_TRANSIENT; }

#include <stdio.h>

// Line-buffered stdout, so `ablate`'s progress reaches a file or pipe as it happens. In C
// because Swift 6 refuses to touch libc's global `stdout` (shared mutable state).
static inline void csqlite_line_buffer_stdout(void) { setvbuf(stdout, NULL, _IOLBF, 0); }
