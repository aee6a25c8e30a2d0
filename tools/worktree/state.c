/* state.c - reading and writing TREE/.applypatch/state. */
#include "state.h"

#include "path.h"
#include "txn.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *field(char **cursor)
{
	char *s = *cursor, *tab;

	if (!s)
		return NULL;
	tab = strchr(s, '\t');
	if (tab) {
		*tab = '\0';
		*cursor = tab + 1;
	} else {
		*cursor = NULL;
	}
	return s;
}

ap_state_file *ap_state_file_find(ap_state *s, const char *path)
{
	/* indexed: a long series touches thousands of files */
	size_t pos = (size_t)ap_strmap_get(&s->index, path);

	return pos ? &s->files[pos - 1] : NULL;
}

ap_state_file *ap_state_file_add(ap_state *s, const char *path)
{
	ap_state_file *f;

	if (ap_array_grow((void **)&s->files, &s->fcap, s->nfiles + 1, sizeof *s->files) < 0)
		return NULL;
	f = &s->files[s->nfiles];
	memset(f, 0, sizeof *f);
	f->path = ap_strdup(path);
	if (!f->path || ap_strmap_put(&s->index, path, (void *)(s->nfiles + 1)) < 0) {
		free(f->path);
		f->path = NULL;
		return NULL;
	}
	s->nfiles++;
	return f;
}

const ap_state_dir *ap_state_gone_dir_find(const ap_state *s, const char *path)
{
	size_t pos = (size_t)ap_strmap_get(&s->gone_index, path);

	return pos ? &s->gone[pos - 1] : NULL;
}

int ap_state_gone_dir_add(ap_state *s, const char *path, mode_t mode, uid_t uid, gid_t gid)
{
	ap_state_dir *d;

	if (ap_state_gone_dir_find(s, path))
		return 0;
	if (ap_array_grow((void **)&s->gone, &s->gcap, s->ngone + 1, sizeof *s->gone) < 0)
		return -1;
	d = &s->gone[s->ngone];
	d->path = ap_strdup(path);
	if (!d->path || ap_strmap_put(&s->gone_index, path, (void *)(s->ngone + 1)) < 0) {
		free(d->path);
		return -1;
	}
	d->mode = mode;
	d->uid = uid;
	d->gid = gid;
	s->ngone++;
	return 0;
}

int ap_state_patch_add(ap_state *s, const char *name, const char *status, const char *sha,
		       int strip)
{
	ap_state_patch *p;

	if (ap_array_grow((void **)&s->patches, &s->pcap, s->npatches + 1, sizeof *s->patches) < 0)
		return -1;
	p = &s->patches[s->npatches];
	memset(p, 0, sizeof *p);
	p->name = ap_strdup(name);
	p->status = ap_strdup(status);
	snprintf(p->sha256, sizeof p->sha256, "%s", sha);
	p->strip = strip;
	if (!p->name || !p->status) {
		free(p->name);
		free(p->status);
		return -1;
	}
	s->npatches++;
	return 0;
}

/* A file line: v1 has NOW-SIZE NOW-INO NOW-MTIME where v2 has NOW-SHA256. */
static int parse_file_line(ap_state *s, char *cur, const char *where, size_t lineno,
			   ap_error *err)
{
	char *blob = field(&cur), *omode = field(&cur), *nkind = field(&cur);
	char *nmode = field(&cur), *nsha = NULL, *nsize = NULL, *nino = NULL, *nmtime = NULL;
	ap_state_file *f;

	if (s->version == 1) {
		nsize = field(&cur);
		nino = field(&cur);
		nmtime = field(&cur);
	} else {
		nsha = field(&cur);
	}
	if (!blob || !omode || !nkind || !nmode || !cur || (s->version == 1 && !nmtime) ||
	    (s->version != 1 && (!nsha || (strcmp(nsha, "-") != 0 && strlen(nsha) != 64))) ||
	    !(f = ap_state_file_add(s, cur)))
		return ap_error_set(err, "%s:%zu: malformed line", where, lineno);
	/* a planted state must not name paths outside the tree, nor backups
	 * outside orig/ */
	if (ap_path_unsafe(cur, strlen(cur)) ||
	    (strcmp(blob, "-") != 0 && strspn(blob, "0123456789") != strlen(blob)))
		return ap_error_set(err, "%s:%zu: a path or backup name applypatch would not write",
				    where, lineno);
	f->orig_blob = strcmp(blob, "-") == 0 ? NULL : ap_strdup(blob);
	f->orig_mode = (mode_t)strtoul(omode, NULL, 8);
	/* permission bits, and S_IFLNK for a link apply deleted or re-pointed */
	if ((f->orig_mode & S_IFMT) && !S_ISLNK(f->orig_mode))
		return ap_error_set(err, "%s:%zu: malformed line", where, lineno);
	f->now.exists = strcmp(nkind, "absent") != 0;
	f->now.symlink = strcmp(nkind, "symlink") == 0;
	f->now.mode = (mode_t)strtoul(nmode, NULL, 8);
	if (s->version == 1) {
		f->now.size = (off_t)strtoll(nsize, NULL, 10);
		f->now.ino = (ino_t)strtoull(nino, NULL, 10);
		f->now.mtime_ns = strtoll(nmtime, NULL, 10);
	} else if (strcmp(nsha, "-") != 0) {
		memcpy(f->now_sha, nsha, 64);
		f->now_sha[64] = '\0';
	}
	return 0;
}

int ap_state_parse(ap_state *s, const char *text, size_t len, const char *where, ap_error *err)
{
	char *copy = ap_strndup(text, len), *save = NULL;
	size_t lineno = 0;
	int rc = 0;

	memset(s, 0, sizeof *s);
	if (!copy)
		return ap_error_set(err, "out of memory");
	if (strncmp(copy, "applypatch-state 5\n", 19) == 0) {
		s->version = 5;
	} else if (strncmp(copy, "applypatch-state 4\n", 19) == 0) {
		s->version = 4;
	} else if (strncmp(copy, "applypatch-state 3\n", 19) == 0) {
		s->version = 3;
	} else if (strncmp(copy, "applypatch-state 2\n", 19) == 0) {
		s->version = 2;
	} else if (strncmp(copy, "applypatch-state 1\n", 19) == 0) {
		s->version = 1;
	} else {
		free(copy);
		return ap_error_set(err, "%s: not an applypatch state record (version 1 to 5)", where);
	}
	for (char *line = strtok_r(copy, "\n", &save); line && rc == 0;
	     line = strtok_r(NULL, "\n", &save)) {
		char *cur = line, *kind = field(&cur);

		lineno++;
		if (lineno == 1)
			continue;
		if (strcmp(kind, "platform") == 0 && cur) {
			free(s->platform);
			s->platform = ap_strdup(cur);
		} else if (strcmp(kind, "patch") == 0) {
			char *status = field(&cur), *sha = field(&cur), *strip = field(&cur);

			if (!status || !sha || !strip || !cur ||
			    ap_state_patch_add(s, cur, status, sha, atoi(strip)) < 0)
				rc = -1;
		} else if (strcmp(kind, "file") == 0) {
			if (parse_file_line(s, cur, where, lineno, err) < 0) {
				rc = -1;
				continue;
			}
		} else if (strcmp(kind, "owner") == 0) {
			char *uid = field(&cur), *gid = field(&cur);
			ap_state_file *f = cur ? ap_state_file_find(s, cur) : NULL;

			if (!uid || !gid || !f) {
				rc = -1;
				ap_error_set(err, "%s:%zu: an owner for no recorded file", where, lineno);
				continue;
			}
			f->orig_owned = 1;
			f->orig_uid = (uid_t)strtoul(uid, NULL, 10);
			f->orig_gid = (gid_t)strtoul(gid, NULL, 10);
		} else if (strcmp(kind, "gone-dir") == 0) {
			char *mode = field(&cur), *uid = field(&cur), *gid = field(&cur);

			if (!mode || !uid || !gid || !cur || ap_path_unsafe(cur, strlen(cur))) {
				rc = -1;
				ap_error_set(err, "%s:%zu: a directory applypatch would not remove", where,
					     lineno);
				continue;
			}
			if (ap_state_gone_dir_add(s, cur, (mode_t)strtoul(mode, NULL, 8),
						  (uid_t)strtoul(uid, NULL, 10),
						  (gid_t)strtoul(gid, NULL, 10)) < 0)
				rc = -1;
		} else if (strcmp(kind, "dir") == 0 && cur) {
			if (ap_path_unsafe(cur, strlen(cur))) {
				rc = -1;
				ap_error_set(err, "%s:%zu: a directory applypatch would not create", where,
					     lineno);
				continue;
			}
			if (ap_strlist_add(&s->dirs, cur) < 0)
				rc = -1;
		} else if (strcmp(kind, "quilt") == 0 && cur) {
			/* only quilt's folder, .pc/ */
			if (ap_path_unsafe(cur, strlen(cur)) || strncmp(cur, ".pc/", 4) != 0) {
				rc = -1;
				ap_error_set(err, "%s:%zu: a file of quilt's .pc/ applypatch would not "
					     "write", where, lineno);
				continue;
			}
			if (ap_strlist_add(&s->quilt, cur) < 0)
				rc = -1;
		} else if (strcmp(kind, "next-blob") == 0 && cur) {
			s->next_blob = strtoul(cur, NULL, 10);
		} else {
			rc = -1;
		}
		if (rc < 0)
			ap_error_set(err, "%s:%zu: malformed line", where, lineno);
	}
	free(copy);
	if (rc == 0 && !s->platform)
		rc = ap_error_set(err, "%s: no platform line", where);
	if (rc < 0)
		ap_state_free(s);
	return rc;
}

static int upgrade_v1(ap_state *s, ap_tree *t, ap_error *err);

int ap_state_load(ap_state *s, ap_tree *t, int *found, ap_error *err)
{
	char *text;
	size_t len;
	char where[1024];
	int rc;

	memset(s, 0, sizeof *s);
	*found = 0;
	if (ap_state_file_read(t, "state", &text, &len, err) < 0)
		return -1;
	if (!text)
		return 0;
	snprintf(where, sizeof where, "%s/%s/state", ap_tree_root(t), ".applypatch");
	rc = ap_state_parse(s, text, len, where, err);
	free(text);
	if (rc == 0 && s->version == 1 && upgrade_v1(s, t, err) < 0) {
		ap_state_free(s);
		return -1;
	}
	if (rc == 0)
		*found = 1;
	return rc;
}

int ap_state_format(const ap_state *s, ap_buf *out)
{
	ap_buf_printf(out, "applypatch-state %d\n", AP_STATE_VERSION);
	ap_buf_printf(out, "platform\t%s\n", s->platform);
	for (size_t i = 0; i < s->npatches; i++)
		ap_buf_printf(out, "patch\t%s\t%s\t%d\t%s\n", s->patches[i].status,
			      s->patches[i].sha256, s->patches[i].strip, s->patches[i].name);
	for (size_t i = 0; i < s->nfiles; i++) {
		const ap_state_file *f = &s->files[i];

		ap_buf_printf(out, "file\t%s\t%o\t%s\t%o\t%s\t%s\n",
			      f->orig_blob ? f->orig_blob : "-", (unsigned)f->orig_mode,
			      !f->now.exists ? "absent" : f->now.symlink ? "symlink" : "file",
			      (unsigned)f->now.mode, f->now_sha[0] ? f->now_sha : "-", f->path);
		if (f->orig_owned)
			ap_buf_printf(out, "owner\t%lu\t%lu\t%s\n", (unsigned long)f->orig_uid,
				      (unsigned long)f->orig_gid, f->path);
	}
	for (size_t i = 0; i < s->dirs.n; i++)
		ap_buf_printf(out, "dir\t%s\n", s->dirs.v[i]);
	for (size_t i = 0; i < s->quilt.n; i++)
		ap_buf_printf(out, "quilt\t%s\n", s->quilt.v[i]);
	for (size_t i = 0; i < s->ngone; i++)
		ap_buf_printf(out, "gone-dir\t%o\t%lu\t%lu\t%s\n", (unsigned)s->gone[i].mode,
			      (unsigned long)s->gone[i].uid, (unsigned long)s->gone[i].gid,
			      s->gone[i].path);
	return ap_buf_printf(out, "next-blob\t%lu\n", s->next_blob);
}

void ap_state_free(ap_state *s)
{
	for (size_t i = 0; i < s->npatches; i++) {
		free(s->patches[i].name);
		free(s->patches[i].status);
	}
	for (size_t i = 0; i < s->nfiles; i++) {
		free(s->files[i].path);
		free(s->files[i].orig_blob);
	}
	free(s->patches);
	free(s->files);
	free(s->platform);
	ap_strlist_free(&s->dirs);
	ap_strlist_free(&s->quilt);
	for (size_t i = 0; i < s->ngone; i++)
		free(s->gone[i].path);
	free(s->gone);
	ap_strmap_free(&s->gone_index);
	ap_strmap_free(&s->index);
	memset(s, 0, sizeof *s);
}

int ap_state_sha(const char *data, size_t len, char out[AP_SHA256_HEX])
{
	return ap_sha256_hex(data ? data : "", len, out);
}

/* A symlink's target, read without following it. */
static int read_link(ap_tree *t, const char *path, char **data, size_t *len, ap_error *err)
{
	const char *base;
	int dfd = ap_tree_parent(t, path, NULL, &base, err);
	char buf[4096];
	ssize_t n;

	*data = NULL;
	*len = 0;
	if (dfd < 0)
		return dfd == -1 ? 0 : -1;
	n = readlinkat(dfd, base, buf, sizeof buf);
	if (n < 0)
		return errno == ENOENT || errno == EINVAL ? 0 : ap_error_sys(err, "cannot read link %s",
									 path);
	*data = ap_strndup(buf, (size_t)n);
	*len = (size_t)n;
	return *data ? 0 : ap_error_set(err, "out of memory");
}

/* The bytes of a file, or a symlink's target (never followed). */
static int disk_bytes(ap_tree *t, const char *path, ap_file_state *disk, char **data,
		      size_t *len, ap_error *err)
{
	if (disk->symlink)
		return read_link(t, path, data, len, err);
	return ap_tree_read(t, path, disk, data, len, err);
}

/* A version 1 record knew files by stat: those whose stat still matches
 * are taken to hold what apply wrote and hashed now; the others stay
 * unknown, which compares as changed (as version 1 said). */
static int upgrade_v1(ap_state *s, ap_tree *t, ap_error *err)
{
	for (size_t i = 0; i < s->nfiles; i++) {
		ap_state_file *f = &s->files[i];
		ap_file_state disk;
		char *data = NULL;
		size_t len = 0;

		if (!f->now.exists)
			continue;
		if (ap_tree_stat(t, f->path, &disk, err) < 0)
			return -1;
		if (!disk.exists || disk.dir || disk.symlink != f->now.symlink ||
		    disk.size != f->now.size || disk.ino != f->now.ino ||
		    disk.mtime_ns != f->now.mtime_ns || (!disk.symlink && disk.mode != f->now.mode))
			continue;
		if (disk_bytes(t, f->path, &disk, &data, &len, err) < 0)
			return -1;
		ap_state_sha(data, len, f->now_sha);
		free(data);
	}
	return 0;
}

int ap_state_file_compare(ap_tree *t, const ap_state_file *f, ap_file_state *disk, int *same,
			  char **data, size_t *len, ap_error *err)
{
	char *bytes = NULL, sha[AP_SHA256_HEX];
	size_t n = 0;
	int eq;

	if (data)
		*data = NULL;
	if (len)
		*len = 0;
	if (same)
		*same = 0;
	if (ap_tree_stat(t, f->path, disk, err) < 0)
		return -1;
	if (!disk->exists) {
		if (same)
			*same = !f->now.exists;
		return 0;
	}
	if (disk->dir || disk->special)
		return 0;  /* changed: apply wrote a file or a link there */
	eq = f->now.exists && f->now.symlink == disk->symlink &&
	     (disk->symlink || f->now.mode == disk->mode) && f->now_sha[0];
	if (!eq && !data)
		return 0;
	if (disk_bytes(t, f->path, disk, &bytes, &n, err) < 0)
		return -1;
	if (eq) {
		if (ap_state_sha(bytes, n, sha) < 0) {
			free(bytes);
			return ap_error_set(err, "cannot compute the SHA-256 of %s", f->path);
		}
		eq = strcmp(sha, f->now_sha) == 0;
	}
	if (same)
		*same = eq;
	if (data) {
		*data = bytes;
		*len = n;
	} else {
		free(bytes);
	}
	return 0;
}
