#include <zlib.h>

// deflateInit2 is a macro; Swift sees only the underlying function.
static inline int czlib_deflate_init_gzip(z_streamp stream, int level) {
    // windowBits 15 + 16: a gzip (RFC 1952) member, the only deflate form every Parquet reader accepts.
    return deflateInit2(stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}
