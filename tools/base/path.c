/* path.c - lexical checks on the paths patches name. */
#include "path.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static int component_is(const char *c, size_t n, const char *word)
{
	return n == strlen(word) && strncasecmp(c, word, n) == 0;
}

/* Whether NTFS reads c[0..n) as the dot-name word (".git"): the word or
 * its 8.3 short name (the first six letters after the dot, '~', a digit:
 * "git~1", "applyp~1"), in any case, followed by nothing but dots and
 * spaces (which NTFS drops), up to the end or a ':' (an alternate data
 * stream, as in ".git::$INDEX_ALLOCATION"). git's is_ntfs_dotgit is the
 * rule for ".git"; the short names ~2 to ~4 are refused too. */
static int ntfs_same(const char *c, size_t n, const char *word)
{
	size_t wl = strlen(word), sl = wl - 1 < 6 ? wl - 1 : 6, k;

	if (n >= wl && strncasecmp(c, word, wl) == 0)
		k = wl;
	else if (n >= sl + 2 && strncasecmp(c, word + 1, sl) == 0 && c[sl] == '~' &&
		 c[sl + 1] >= '1' && c[sl + 1] <= '4')
		k = sl + 2;
	else
		return 0;
	for (; k < n && c[k] != ':'; k++)
		if (c[k] != '.' && c[k] != ' ')
			return 0;
	return 1;
}

/* The next code point of c[*i..n) in UTF-8, or -1 when malformed. */
static long utf8_next(const char *c, size_t n, size_t *i)
{
	const unsigned char *u = (const unsigned char *)c + *i;
	size_t left = n - *i, len;
	long cp;

	if (u[0] < 0x80)
		len = 1, cp = u[0];
	else if ((u[0] & 0xe0) == 0xc0)
		len = 2, cp = u[0] & 0x1f;
	else if ((u[0] & 0xf0) == 0xe0)
		len = 3, cp = u[0] & 0x0f;
	else if ((u[0] & 0xf8) == 0xf0)
		len = 4, cp = u[0] & 0x07;
	else
		return -1;
	if (len > left)
		return -1;
	for (size_t k = 1; k < len; k++) {
		if ((u[k] & 0xc0) != 0x80)
			return -1;
		cp = (cp << 6) | (u[k] & 0x3f);
	}
	/* overlong forms would let ".git" hide in other bytes: not UTF-8 */
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000))
		return -1;
	*i += len;
	return cp;
}

/* Code points HFS+ leaves out when it compares names (as git's
 * next_hfs_char lists them): zero-width joiners, direction marks, the
 * deprecated format characters and the byte order mark. */
static int hfs_ignorable(long cp)
{
	return (cp >= 0x200c && cp <= 0x200f) || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x206a && cp <= 0x206f) || cp == 0xfeff;
}

/* Whether HFS+ reads c[0..n) as the ASCII word: the same letters in any
 * case once the ignorable code points are dropped (git's is_hfs_dotgit).
 * Malformed UTF-8 is not the word. */
static int hfs_same(const char *c, size_t n, const char *word)
{
	size_t i = 0, k = 0, wl = strlen(word);

	while (i < n) {
		long cp = utf8_next(c, n, &i);

		if (cp < 0)
			return 0;
		if (hfs_ignorable(cp))
			continue;
		if (k == wl || cp >= 0x80 || tolower((int)cp) != word[k])
			return 0;
		k++;
	}
	return k == wl;
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
	if (path[0] == '\\')
		return "is absolute (on Windows, a path from the root of the current drive)";
	if (len > 1 && path[1] == ':' && isalpha((unsigned char)path[0]))
		return len == 2 || path[2] == '/' || path[2] == '\\'
		       ? "is absolute (a Windows drive path)"
		       : "starts with a drive letter: on Windows (and Cygwin) it names a file on "
			 "that drive, outside the tree";
	/* Windows (Cygwin too) reads "\\" as "/": "..\\x" would leave the tree */
	if (memchr(path, '\\', len))
		return "contains a backslash, which Windows (and Cygwin) reads as '/'";
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
		if (ntfs_same(path + i, j - i, ".git"))
			return "is inside .git: NTFS (Cygwin) reads this name as .git (a short name "
			       "GIT~1, trailing dots or spaces, or a ':' stream)";
		if (hfs_same(path + i, j - i, ".git"))
			return "is inside .git: HFS+ (macOS) reads this name as .git (it ignores the "
			       "invisible Unicode characters in it)";
		if (i == 0 && ap_path_in_state_dir(path, len))
			return "is inside applypatch's state directory " AP_STATE_DIR;
		i = j + 1;
	}
	return NULL;
}

int ap_path_in_state_dir(const char *path, size_t len)
{
	const char *slash = memchr(path, '/', len);
	size_t n = slash ? (size_t)(slash - path) : len;

	return component_is(path, n, AP_STATE_DIR) || ntfs_same(path, n, AP_STATE_DIR) ||
	       hfs_same(path, n, AP_STATE_DIR);
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

/* How many directories lie between the tree's root and the one holding
 * path; -1 when path climbs with "..". */
static long depth_of_dir(const char *path)
{
	long depth = 0;

	for (const char *p = path; *p;) {
		size_t n = strcspn(p, "/");

		if (n == 2 && p[0] == '.' && p[1] == '.')
			return -1;
		if (n > 0 && !(n == 1 && p[0] == '.') && p[n] == '/')
			depth++;
		p += n;
		while (*p == '/')
			p++;
	}
	return depth;
}

int ap_path_symlink_inside(const char *link_path, const char *target, size_t len)
{
	/* "../" only at the start, no more of them than the directories above
	 * the link, then a path leading down with no "." or "..": the link's
	 * own directory is a real one, so the climb ends at a real directory
	 * of the tree, and the rest goes down (through links made by the same
	 * rule). A ".." after a name could be fooled by another link (dot ->
	 * ., esc -> dot/../x), so none is allowed there. GAP's tree has one of
	 * the first kind: tst/mockpkg/Makefile.gappkg -> ../../etc/... */
	long depth = depth_of_dir(link_path), up = 0;

	while (len >= 3 && memcmp(target, "../", 3) == 0) {
		target += 3;
		len -= 3;
		up++;
	}
	if (depth < 0 || up > depth)
		return 0;
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
