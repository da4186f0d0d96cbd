// Snappy's C interface (snappy_compress, snappy_max_compressed_length): Parquet's SNAPPY codec is
// a raw Snappy block, with no framing.
#include <snappy-c.h>
