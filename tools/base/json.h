/* json.h - writing JSON into a buffer.
 *
 * Written by hand: emitting is a few dozen lines (escaping and commas),
 * not worth a dependency; tests read the output with a real parser.
 *
 *   ap_json_init                         a writer over a buf
 *   ap_json_begin_* / _end_*             objects and arrays
 *   ap_json_string (_n) / _int / _bool / _null   values
 */
#ifndef AP_JSON_H
#define AP_JSON_H

#include "buf.h"
#include "textsafe.h"   /* ap_xml_escape, for the writers that include only this */

#include <stddef.h>

typedef struct ap_json {
	ap_buf *out;
	int depth;
	int need_comma[64];
} ap_json;

void ap_json_init(ap_json *j, ap_buf *out);
void ap_json_begin_object(ap_json *j, const char *key);  /* key NULL inside arrays */
void ap_json_end_object(ap_json *j);
void ap_json_begin_array(ap_json *j, const char *key);
void ap_json_end_array(ap_json *j);
void ap_json_string(ap_json *j, const char *key, const char *value);  /* NULL -> null */
void ap_json_string_n(ap_json *j, const char *key, const char *value, size_t len);
void ap_json_int(ap_json *j, const char *key, long long value);
void ap_json_bool(ap_json *j, const char *key, int value);
void ap_json_null(ap_json *j, const char *key);

#endif
