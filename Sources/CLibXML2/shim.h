#include <libxml/parser.h>
#include <libxml/tree.h>

// xmlFree is a global function-pointer variable, which Swift 6 refuses to touch
// from concurrent code; a function around it is safe to call.
static inline void cxml_free(void *p) { xmlFree(p); }
