/* strmap.c - open addressing with linear probing, FNV-1a hashes. */
#include "strmap.h"

#include "buf.h"

#include <stdlib.h>
#include <string.h>

static size_t hash_str(const char *s)
{
	size_t h = (size_t)14695981039346656037ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * (size_t)1099511628211ULL;
	return h;
}

static ap_strmap_slot *find(const ap_strmap *m, const char *key, size_t h)
{
	size_t mask = m->cap - 1;

	for (size_t i = h & mask;; i = (i + 1) & mask) {
		ap_strmap_slot *s = &m->slots[i];

		if (!s->key || (s->hash == h && strcmp(s->key, key) == 0))
			return s;
	}
}

void *ap_strmap_get(const ap_strmap *m, const char *key)
{
	ap_strmap_slot *s;

	if (!m->cap)
		return NULL;
	s = find(m, key, hash_str(key));
	return s->key ? s->value : NULL;
}

static int rehash(ap_strmap *m, size_t cap)
{
	ap_strmap_slot *old = m->slots;
	size_t oldcap = m->cap;

	m->slots = calloc(cap, sizeof *m->slots);
	if (!m->slots) {
		m->slots = old;
		return -1;
	}
	m->cap = cap;
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].key)
			*find(m, old[i].key, old[i].hash) = old[i];
	free(old);
	return 0;
}

int ap_strmap_put(ap_strmap *m, const char *key, void *value)
{
	size_t h = hash_str(key);
	ap_strmap_slot *s;

	if ((m->n + 1) * 4 > m->cap * 3 && rehash(m, m->cap ? m->cap * 2 : 64) < 0)
		return -1;
	s = find(m, key, h);
	if (!s->key) {
		s->key = ap_strdup(key);
		if (!s->key)
			return -1;
		s->hash = h;
		m->n++;
	}
	s->value = value;
	return 0;
}

void ap_strmap_free(ap_strmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->slots[i].key);
	free(m->slots);
	m->slots = NULL;
	m->cap = m->n = 0;
}

int ap_strlist_add(ap_strlist *l, const char *s)
{
	char *c = ap_strdup(s);

	if (!c || ap_array_grow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v) < 0) {
		free(c);
		return -1;
	}
	l->v[l->n++] = c;
	return 0;
}

void ap_strlist_free(ap_strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}
