/* strmap.h - a map from strings to pointers, and a list of strings.
 *
 * Written by hand: libc's hsearch is a single global table; an open-
 * addressing table of (key, value) pairs is all the engine needs.
 *
 *   ap_strmap_put / _get / _free   the map
 *   ap_strlist_add / _free         the list
 */
#ifndef AP_STRMAP_H
#define AP_STRMAP_H

#include <stddef.h>

typedef struct ap_strmap_slot {
	char *key;      /* owned copy */
	void *value;
	size_t hash;
} ap_strmap_slot;

typedef struct ap_strmap {
	ap_strmap_slot *slots;
	size_t cap;     /* a power of two, or 0 */
	size_t n;
} ap_strmap;

#define AP_STRMAP_INIT { NULL, 0, 0 }

void *ap_strmap_get(const ap_strmap *m, const char *key);
/* Inserts or replaces; returns 0, or -1 when memory runs out. */
int ap_strmap_put(ap_strmap *m, const char *key, void *value);
/* Frees the keys and the table (the values are the caller's). */
void ap_strmap_free(ap_strmap *m);

/* A growable list of owned strings. */
typedef struct ap_strlist {
	char **v;
	size_t n, cap;
} ap_strlist;
int ap_strlist_add(ap_strlist *l, const char *s);
void ap_strlist_free(ap_strlist *l);

#endif
