/* quiltpc.c - reading quilt's .pc/ (see quiltpc.h). */
#include "quiltpc.h"

#include "buf.h"
#include "path.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int ap_quiltpc_read(ap_tree *t, ap_quiltpc *pc, ap_error *err)
{
	ap_file_state st;
	char *text, *save = NULL;
	size_t len;

	memset(pc, 0, sizeof *pc);
	if (ap_tree_read(t, AP_QUILTPC_DIR "/applied-patches", &st, &text, &len, err) < 0)
		return -1;
	if (!text)
		return 0;
	pc->found = 1;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t n = strlen(line);

		if (n && line[n - 1] == '\r')
			line[--n] = '\0';
		if (!n)
			continue;
		if (ap_path_unsafe(line, n)) {
			ap_error_set(err, "%s/%s/applied-patches: '%s' is not a patch name quilt would "
				     "write", ap_tree_root(t), AP_QUILTPC_DIR, line);
			free(text);
			ap_quiltpc_free(pc);
			return -1;
		}
		if (ap_strlist_add(&pc->applied, line) < 0) {
			free(text);
			ap_quiltpc_free(pc);
			return ap_error_set(err, "out of memory");
		}
	}
	free(text);
	return 0;
}

void ap_quiltpc_free(ap_quiltpc *pc)
{
	ap_strlist_free(&pc->applied);
	memset(pc, 0, sizeof *pc);
}

int ap_quiltpc_has(const ap_quiltpc *pc, const char *patch)
{
	for (size_t i = 0; i < pc->applied.n; i++)
		if (strcmp(pc->applied.v[i], patch) == 0)
			return 1;
	return 0;
}

char *ap_quiltpc_backup_path(const char *patch, const char *file)
{
	return ap_printf("%s/%s/%s", AP_QUILTPC_DIR, patch, file);
}

/* Walks the directory fd (which it closes), adding PREFIX/NAME for each
 * regular file and symbolic link. */
static int walk(int fd, const char *prefix, ap_strlist *files, const char *shown, ap_error *err)
{
	DIR *d = fdopendir(fd);
	struct dirent *e;
	int rc = 0;

	if (!d) {
		close(fd);
		return ap_error_sys(err, "cannot read %s", shown);
	}
	while (rc == 0 && (e = readdir(d))) {
		struct stat sb;
		char *rel;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
		    (!*prefix && strcmp(e->d_name, ".timestamp") == 0))
			continue;
		rel = *prefix ? ap_printf("%s/%s", prefix, e->d_name) : ap_strdup(e->d_name);
		if (!rel) {
			rc = ap_error_set(err, "out of memory");
			break;
		}
		if (fstatat(dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0) {
			rc = ap_error_sys(err, "cannot stat %s/%s", shown, rel);
		} else if (S_ISDIR(sb.st_mode)) {
			int sub = openat(dirfd(d), e->d_name,
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			rc = sub < 0 ? ap_error_sys(err, "cannot open %s/%s", shown, rel)
				     : walk(sub, rel, files, shown, err);
		} else if (!S_ISREG(sb.st_mode) && !S_ISLNK(sb.st_mode)) {
			/* quilt keeps a symbolic link a patch changes as a link */
			rc = ap_error_set(err, "%s/%s is not a regular file or a symbolic link: "
					  "quilt keeps only those there", shown, rel);
		} else if (ap_path_unsafe(rel, strlen(rel)) || ap_strlist_add(files, rel) < 0) {
			rc = ap_error_set(err, "%s/%s: not a file applypatch would restore", shown, rel);
		}
		free(rel);
	}
	closedir(d);
	return rc;
}

int ap_quiltpc_backups(ap_tree *t, const char *patch, ap_strlist *files, ap_error *err)
{
	char *probe = ap_quiltpc_backup_path(patch, ".timestamp");
	char *shown = ap_printf("%s/%s/%s", ap_tree_root(t), AP_QUILTPC_DIR, patch);
	const char *base;
	int dfd, fd, rc;

	if (!probe || !shown) {
		free(probe);
		free(shown);
		return ap_error_set(err, "out of memory");
	}
	dfd = ap_tree_parent(t, probe, NULL, &base, err);
	free(probe);
	if (dfd == -1) {
		free(shown);
		return 0;  /* no backup folder: nothing kept */
	}
	if (dfd < 0) {
		free(shown);
		return -1;
	}
	fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		rc = ap_error_sys(err, "cannot open %s", shown);
		free(shown);
		return rc;
	}
	rc = walk(fd, "", files, shown, err);
	free(shown);
	return rc;
}

void ap_quiltpc_out_spool_open(ap_quiltpc_out *o, int dirfd)
{
	o->spool = openat(dirfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	o->spool_len = 0;
}

void ap_quiltpc_out_spool_close(ap_quiltpc_out *o)
{
	if (o->spool >= 0)
		close(o->spool);
	o->spool = -1;
}

/* A new entry for path, its bytes to be filled in; NULL when out of memory. */
static ap_quiltpc_file *out_new(ap_quiltpc_out *o, const char *path, mode_t mode)
{
	ap_quiltpc_file *f;

	if (ap_array_grow((void **)&o->v, &o->cap, o->n + 1, sizeof *o->v) < 0)
		return NULL;
	f = &o->v[o->n];
	memset(f, 0, sizeof *f);
	f->path = ap_strdup(path);
	f->mode = mode;
	return f->path ? f : NULL;
}

int ap_quiltpc_out_add(ap_quiltpc_out *o, const char *path, const char *data, size_t len,
		       mode_t mode)
{
	ap_quiltpc_file *f = out_new(o, path, mode);

	if (!f || !(f->data = malloc(len + 1))) {
		if (f)
			free(f->path);
		return -1;
	}
	if (len)
		memcpy(f->data, data, len);
	f->data[len] = '\0';
	f->len = len;
	o->n++;
	return 0;
}

int ap_quiltpc_out_add_original(ap_quiltpc_out *o, const char *path, const char *copy_of,
				mode_t mode)
{
	ap_quiltpc_file *f = out_new(o, path, mode);

	if (!f || !(f->copy_of = ap_strdup(copy_of))) {
		if (f)
			free(f->path);
		return -1;
	}
	o->n++;
	return 0;
}

/* Appends len bytes to the spool; 0, or -1 (nothing usable written). */
static int spool_write(ap_quiltpc_out *o, const char *data, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t k = pwrite(o->spool, data + done, len - done, o->spool_len + (off_t)done);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		done += (size_t)k;
	}
	return 0;
}

int ap_quiltpc_out_add_version(ap_quiltpc_out *o, const char *path, const char *data,
			       size_t len, mode_t mode)
{
	ap_quiltpc_file *f;

	if (o->spool < 0 || spool_write(o, data, len) < 0)
		return ap_quiltpc_out_add(o, path, data, len, mode);
	f = out_new(o, path, mode);
	if (!f)
		return -1;
	f->spooled = 1;
	f->off = o->spool_len;
	f->len = len;
	o->spool_len += (off_t)len;
	o->n++;
	return 0;
}

void ap_quiltpc_out_truncate(ap_quiltpc_out *o, size_t n)
{
	while (o->n > n) {
		ap_quiltpc_file *f = &o->v[--o->n];

		/* the spool's space is used again */
		if (f->spooled)
			o->spool_len = f->off;
		free(f->path);
		free(f->data);
		free(f->copy_of);
	}
}

void ap_quiltpc_out_free(ap_quiltpc_out *o)
{
	ap_quiltpc_out_truncate(o, 0);
	ap_quiltpc_out_spool_close(o);
	free(o->v);
	memset(o, 0, sizeof *o);
	o->spool = -1;
}
