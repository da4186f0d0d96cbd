// libxml2 built with ICU pulls <unicode/ucnv.h> into its headers, and the system ICU's enums then
// clash with Foundation's own copy of ICU in the same Swift module ("... is not present in definition
// of enum UErrorCode"). Nothing here uses libxml2's ICU encoders, so its ICU part is left out.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>

// xmlFree is a global function-pointer variable, which Swift 6 refuses to touch
// from concurrent code; a function around it is safe to call.
static inline void cxml_free(void *p) { xmlFree(p); }
