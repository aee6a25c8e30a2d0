/* path.c - lexical checks on the paths patches name. */
#include "path.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static int component_is(const char *c, size_t n, const char *word)
{
	return n == strlen(word) && strncasecmp(c, word, n) == 0;
}

const char *ap_path_unsafe(const char *path, size_t len)
{
	size_t i = 0;

	if (len == 0)
		return "is empty";
	if (memchr(path, '\0', len))
		return "contains a NUL byte";
	if (memchr(path, '\n', len) || memchr(path, '\r', len))
		return "contains a line break";
	for (size_t k = 0; k < len; k++)
		if ((unsigned char)path[k] < 0x20 || path[k] == 0x7f)
			return "contains a control character";
	if (path[0] == '/')
		return "is absolute";
	if (path[0] == '\\' || (len > 1 && path[1] == ':'))
		return "is absolute";
	if (len > 4095)
		return "is too long (over 4095 bytes)";
	while (i <= len) {
		size_t j = i;

		while (j < len && path[j] != '/')
			j++;
		if (j == i)
			return j == len ? "ends with '/'" : "has an empty component";
		if (j - i > 255)
			return "has a component too long for a file name (over 255 bytes)";
		if (component_is(path + i, j - i, ".."))
			return "has a '..' component";
		if (component_is(path + i, j - i, "."))
			return "has a '.' component";
		if (component_is(path + i, j - i, ".git"))
			return "is inside .git";
		if (i == 0 && component_is(path + i, j - i, AP_STATE_DIR))
			return "is inside applypatch's state directory " AP_STATE_DIR;
		i = j + 1;
	}
	return NULL;
}

const char *ap_path_bad_for_tree(const char *path)
{
	size_t len = strlen(path), i = 0;

	if (len == 0)
		return "is empty";
	if (path[0] == '/')
		return "is absolute";
	for (size_t k = 0; k < len; k++)
		if ((unsigned char)path[k] < 0x20 || path[k] == 0x7f)
			return "contains a control character";
	while (i <= len) {
		size_t j = i;

		while (j < len && path[j] != '/')
			j++;
		if (j == i)
			return "has an empty component";
		if ((j - i == 1 && path[i] == '.') || (j - i == 2 && path[i] == '.' && path[i + 1] == '.'))
			return "has a '.' or '..' component";
		i = j + 1;
	}
	return NULL;
}

const char *ap_path_strip(const char *path, int n)
{
	const char *p = path;

	while (n-- > 0) {
		const char *slash = strchr(p, '/');

		if (!slash)
			return NULL;
		p = slash;
		while (*p == '/')
			p++;
	}
	return p;
}

int ap_path_symlink_inside(const char *link_path, const char *target, size_t len)
{
	/* Only targets that go down from the link's directory: no "..", no ".",
	 * not absolute. A lexical check of ".." could be fooled by another
	 * link (dot -> ., esc -> dot/../x); with none allowed, no chain of
	 * links made this way can leave the tree. */
	(void)link_path;
	return ap_path_unsafe(target, len) == NULL;
}

void ap_path_show(const char *s, size_t len, char *out, size_t outsz)
{
	size_t o = 0;

	if (outsz == 0)
		return;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (o + 8 >= outsz) {
			if (outsz > 4)
				memcpy(out + (o < outsz - 4 ? o : outsz - 4), "...", 4);
			return;
		}
		if (c < 0x20 || c == 0x7f)
			o += (size_t)snprintf(out + o, outsz - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	out[o] = '\0';
}
