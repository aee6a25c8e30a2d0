/* jsonread.h - reading JSON (RFC 8259) into a tree, for the reports the
 * tools read back (drift --verify-report reads verify's JSON).
 *
 *   ap_json_parse   text -> tree; errors name the line and column
 *   ap_jv_get       an object's member by key (NULL: absent or not an object)
 *   ap_jv_str       a string value, or NULL
 *   ap_jv_free
 */
#ifndef AP_JSONREAD_H
#define AP_JSONREAD_H

#include "error.h"

#include <stddef.h>

typedef enum ap_jv_kind { AP_JV_NULL, AP_JV_BOOL, AP_JV_NUMBER, AP_JV_STRING, AP_JV_ARRAY,
			  AP_JV_OBJECT } ap_jv_kind;

typedef struct ap_jv {
	ap_jv_kind kind;
	int boolean;
	double number;
	char *str;                 /* STRING: NUL-terminated UTF-8 (may hold NUL: see len) */
	size_t len;
	struct ap_jv *items;       /* ARRAY, OBJECT: the values */
	char **keys;               /* OBJECT: the keys, parallel to items */
	size_t n;
} ap_jv;

/* Nesting deeper than this is refused. */
#define AP_JSON_MAX_DEPTH 64

int ap_json_parse(const char *text, size_t len, ap_jv *out, ap_error *err);
const ap_jv *ap_jv_get(const ap_jv *obj, const char *key);
const char *ap_jv_str(const ap_jv *v);
void ap_jv_free(ap_jv *v);

#endif
