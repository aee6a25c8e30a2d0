/* gitsrc.c - libgit2 behind gitsrc.h: revisions, tags, history, blobs,
 * and exporting a tree without a checkout or the git binary.
 *
 * Every libgit2 failure becomes an ap_error naming the repository and the
 * revision or path involved, with libgit2's own message appended.
 */
#include "gitsrc.h"

#include "buf.h"
#include "path.h"
#include "source.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

struct ap_git {
	git_repository *repo;
	char *path;
};

static const char *git_msg(void)
{
	const git_error *e = git_error_last();

	return e && e->message ? e->message : "unknown libgit2 error";
}

int ap_git_open(ap_git **out, const char *path, ap_error *err)
{
	ap_git *g;

	*out = NULL;
	if (git_libgit2_init() < 0)
		return ap_error_set(err, "cannot initialize libgit2: %s", git_msg());
	g = calloc(1, sizeof *g);
	if (!g || !(g->path = ap_strdup(path))) {
		free(g);
		git_libgit2_shutdown();
		return ap_error_set(err, "out of memory");
	}
	int rc = git_repository_open_ext(&g->repo, path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL);
	if (rc < 0) {
		struct stat st;
		const char *msg = git_msg();
		/* "not a git repository" only when it is not; a repository of
		 * another user, or an unreadable config, says what it is */
		/* older libgit2 reports the owner check as a failed safe.directory lookup */
		if ((rc == GIT_EOWNER || strstr(msg, "safe.directory")) && stat(path, &st) == 0 &&
		    st.st_uid != geteuid())
			ap_error_set(err, "%s: the repository belongs to uid %u, not to you (uid %u), "
				     "and git refuses it as unsafe; if you trust it, allow it with: "
				     "git config --global --add safe.directory %s", path,
				     (unsigned)st.st_uid, (unsigned)geteuid(), path);
		else if (strstr(msg, ".gitconfig") || strstr(msg, "config"))
			ap_error_set(err, "%s: cannot open the repository: reading git's configuration "
				     "failed: %s (is $HOME another user's? HOME=%s)", path, msg,
				     getenv("HOME") ? getenv("HOME") : "(unset)");
		else
			ap_error_set(err, "%s: not a git repository: %s", path, msg);
		free(g->path);
		free(g);
		git_libgit2_shutdown();
		return -1;
	}
	*out = g;
	return 0;
}

void ap_git_free(ap_git *g)
{
	if (!g)
		return;
	git_repository_free(g->repo);
	free(g->path);
	free(g);
	git_libgit2_shutdown();
}

const char *ap_git_path(const ap_git *g)
{
	return g->path;
}

/* The commit refs/PREFIX/NAME leads to, or 0 when there is none. */
static int ref_commit(ap_git *g, const char *prefix, const char *name, git_oid *id)
{
	char *ref = ap_printf("refs/%s/%s", prefix, name);
	git_object *obj = NULL, *c = NULL;
	int found = 0;

	if (ref && git_revparse_single(&obj, g->repo, ref) == 0 &&
	    git_object_peel(&c, obj, GIT_OBJECT_COMMIT) == 0) {
		git_oid_cpy(id, git_object_id(c));
		found = 1;
	}
	git_object_free(c);
	git_object_free(obj);
	free(ref);
	return found;
}

/* A name that is a tag and a branch leading to different commits: git
 * takes the tag with a warning; here it is refused, so that nobody builds
 * the one while meaning the other. */
static int ambiguous(ap_git *g, const char *rev, ap_error *err)
{
	git_oid t, h;

	if (strncmp(rev, "refs/", 5) == 0 || strpbrk(rev, "^~:@{}") ||
	    !ref_commit(g, "tags", rev, &t) || !ref_commit(g, "heads", rev, &h) ||
	    git_oid_equal(&t, &h))
		return 0;
	return ap_error_set(err, "%s: '%s' is both a tag and a branch, at different commits: "
			    "say refs/tags/%s or refs/heads/%s", g->path, rev, rev, rev);
}

static int lookup_commit(ap_git *g, const char *rev, git_commit **out, ap_error *err)
{
	git_object *obj = NULL, *peeled = NULL;

	*out = NULL;
	if (strstr(rev, "..")) {
		return ap_error_set(err, "%s: '%s' is a range; a single revision is needed here",
				    g->path, rev);
	}
	if (ambiguous(g, rev, err) < 0)
		return -1;
	if (git_revparse_single(&obj, g->repo, rev) < 0)
		return ap_error_set(err, "%s: no revision '%s' (tag, branch or commit): %s", g->path,
				    rev, git_msg());
	if (git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) < 0) {
		/* libgit2's own text names the wrong type for a blob */
		git_object *target = NULL;
		git_object_t type = git_object_type(obj);
		if (type == GIT_OBJECT_TAG && git_tag_peel(&target, (git_tag *)obj) == 0)
			type = git_object_type(target);
		ap_error_set(err, "%s: '%s' names a %s, not a commit", g->path, rev,
			     git_object_type2string(type));
		git_object_free(target);
		git_object_free(obj);
		return -1;
	}
	git_object_free(obj);
	*out = (git_commit *)peeled;
	return 0;
}

int ap_git_resolve(ap_git *g, const char *rev, char oid[AP_OID_HEX], ap_error *err)
{
	git_commit *c;

	if (lookup_commit(g, rev, &c, err) < 0)
		return -1;
	git_oid_tostr(oid, AP_OID_HEX, git_commit_id(c));
	git_commit_free(c);
	return 0;
}

int ap_git_commit_time(ap_git *g, const char *commit, long long *when, ap_error *err)
{
	git_commit *c;

	if (lookup_commit(g, commit, &c, err) < 0)
		return -1;
	*when = (long long)git_commit_time(c);
	git_commit_free(c);
	return 0;
}

int ap_git_contains(ap_git *g, const char *commit, const char *ancestor, ap_error *err)
{
	git_oid a, b;
	int r;

	if (git_oid_fromstr(&a, commit) < 0 || git_oid_fromstr(&b, ancestor) < 0)
		return ap_error_set(err, "%s or %s is not a full commit id", commit, ancestor);
	if (git_oid_equal(&a, &b))
		return 1;
	r = git_graph_descendant_of(g->repo, &a, &b);
	if (r < 0)
		return ap_error_set(err, "%s: cannot tell whether %.12s contains %.12s: %s", g->path,
				    commit, ancestor, git_msg());
	return r;
}

static int add_oid(ap_strlist *out, const git_oid *id, ap_error *err)
{
	char hex[AP_OID_HEX];

	git_oid_tostr(hex, sizeof hex, id);
	if (ap_strlist_add(out, hex) < 0)
		return ap_error_set(err, "out of memory");
	return 0;
}

int ap_git_rev_list(ap_git *g, const char *spec, ap_strlist *out, ap_error *err)
{
	git_revwalk *walk = NULL;
	const char *dots = strstr(spec, "..");
	char *from = NULL;
	git_commit *a = NULL, *b = NULL;
	git_oid id;
	int rc = -1, r;

	if (!dots) {
		char hex[AP_OID_HEX];

		if (ap_git_resolve(g, spec, hex, err) < 0)
			return -1;
		if (ap_strlist_add(out, hex) < 0)
			return ap_error_set(err, "out of memory");
		return 0;
	}
	if (dots == spec || !dots[2] || dots[2] == '.' || strstr(dots + 2, ".."))
		return ap_error_set(err, "%s: '%s': only A..B ranges with both ends given are "
				    "supported", g->path, spec);
	/* each end resolved here rather than by git_revwalk_push_range, which
	 * leaks in libgit2 1.5 when one end does not resolve */
	from = ap_strndup(spec, (size_t)(dots - spec));
	if (!from)
		return ap_error_set(err, "out of memory");
	if (lookup_commit(g, from, &a, err) < 0 || lookup_commit(g, dots + 2, &b, err) < 0) {
		ap_error_wrap(err, "range '%s'", spec);
		goto out;
	}
	if (git_revwalk_new(&walk, g->repo) < 0) {
		ap_error_set(err, "%s: %s", g->path, git_msg());
		goto out;
	}
	git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME | GIT_SORT_REVERSE);
	if (git_revwalk_push(walk, git_commit_id(b)) < 0 ||
	    git_revwalk_hide(walk, git_commit_id(a)) < 0) {
		ap_error_set(err, "%s: range '%s': %s", g->path, spec, git_msg());
		goto out;
	}
	while ((r = git_revwalk_next(&id, walk)) == 0)
		if (add_oid(out, &id, err) < 0)
			goto out;
	if (r != GIT_ITEROVER) {
		ap_error_set(err, "%s: walking '%s': %s", g->path, spec, git_msg());
		goto out;
	}
	rc = 0;
out:
	git_revwalk_free(walk);
	git_commit_free(a);
	git_commit_free(b);
	free(from);
	return rc;
}

/* Compares digit runs as numbers, everything else byte by byte; where one
 * name ends and the other goes on with '-' or '~', the other is a
 * pre-release and comes first. */
int ap_version_cmp(const char *a, const char *b)
{
	while (*a && *b) {
		if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			size_t na, nb;
			int c;

			while (*a == '0' && isdigit((unsigned char)a[1]))
				a++;
			while (*b == '0' && isdigit((unsigned char)b[1]))
				b++;
			na = strspn(a, "0123456789");
			nb = strspn(b, "0123456789");
			if (na != nb)
				return na < nb ? -1 : 1;
			c = strncmp(a, b, na);
			if (c)
				return c;
			a += na;
			b += nb;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		a++;
		b++;
	}
	if (!*a && !*b)
		return 0;
	if (!*a)
		return (*b == '-' || *b == '~') ? 1 : -1;
	return (*a == '-' || *a == '~') ? -1 : 1;
}

static int cmp_version_ptr(const void *x, const void *y)
{
	return ap_version_cmp(*(char *const *)x, *(char *const *)y);
}

int ap_git_tags(ap_git *g, const char *glob, ap_strlist *out, ap_error *err)
{
	git_strarray names = { NULL, 0 };
	size_t first = out->n;

	if (git_tag_list_match(&names, glob ? glob : "*", g->repo) < 0)
		return ap_error_set(err, "%s: cannot list tags: %s", g->path, git_msg());
	for (size_t i = 0; i < names.count; i++) {
		if (ap_strlist_add(out, names.strings[i]) < 0) {
			git_strarray_dispose(&names);
			return ap_error_set(err, "out of memory");
		}
	}
	git_strarray_dispose(&names);
	if (out->n - first > 1)
		qsort(out->v + first, out->n - first, sizeof *out->v, cmp_version_ptr);
	return 0;
}

int ap_git_first_parents(ap_git *g, const char *rev, ap_strlist *out, ap_error *err)
{
	git_commit *c;
	size_t first = out->n;

	if (lookup_commit(g, rev, &c, err) < 0)
		return -1;
	for (;;) {
		git_commit *parent = NULL;

		if (add_oid(out, git_commit_id(c), err) < 0) {
			git_commit_free(c);
			return -1;
		}
		if (git_commit_parentcount(c) == 0)
			break;
		if (git_commit_parent(&parent, c, 0) < 0) {
			/* the edge of a shallow clone: history ends here */
			if (git_error_last() && git_repository_is_shallow(g->repo) == 1)
				break;
			ap_error_set(err, "%s: parent of %s: %s", g->path, out->v[out->n - 1],
				     git_msg());
			git_commit_free(c);
			return -1;
		}
		git_commit_free(c);
		c = parent;
	}
	git_commit_free(c);
	/* collected newest first */
	for (size_t i = first, j = out->n - 1; i < j; i++, j--) {
		char *t = out->v[i];

		out->v[i] = out->v[j];
		out->v[j] = t;
	}
	return 0;
}

static int commit_tree(ap_git *g, const char *commit, git_tree **tree, ap_error *err)
{
	git_commit *c;
	int rc;

	if (lookup_commit(g, commit, &c, err) < 0)
		return -1;
	rc = git_commit_tree(tree, c);
	git_commit_free(c);
	if (rc < 0)
		return ap_error_set(err, "%s: tree of %s: %s", g->path, commit, git_msg());
	return 0;
}

/* The tree entry at path, or *entry NULL when there is none. */
static int entry_at(ap_git *g, const char *commit, const char *path, git_tree_entry **entry,
		    ap_error *err)
{
	git_tree *tree;
	int rc;

	*entry = NULL;
	if (!*path || path[0] == '/')
		return ap_error_set(err, "%s: '%s' is not a path relative to the tree", g->path,
				    path);
	if (commit_tree(g, commit, &tree, err) < 0)
		return -1;
	rc = git_tree_entry_bypath(entry, tree, path);
	git_tree_free(tree);
	if (rc == GIT_ENOTFOUND) {
		*entry = NULL;
		return 0;
	}
	if (rc < 0)
		return ap_error_set(err, "%s: %s at %s: %s", g->path, path, commit, git_msg());
	return 0;
}

int ap_git_entry_id(ap_git *g, const char *commit, const char *path, char oid[AP_OID_HEX],
		    int *exists, ap_error *err)
{
	git_tree_entry *e;

	*exists = 0;
	oid[0] = '\0';
	if (entry_at(g, commit, path, &e, err) < 0)
		return -1;
	if (e) {
		*exists = 1;
		git_oid_tostr(oid, AP_OID_HEX, git_tree_entry_id(e));
		git_tree_entry_free(e);
	}
	return 0;
}

/* Reads a blob into a malloc'd buffer with a NUL after it; AP_GIT_MISSING
 * when the mirror lacks it. */
static int read_blob(ap_git *g, const git_oid *id, const char *path, char **data, size_t *len,
		     ap_error *err)
{
	git_odb *odb = NULL;
	git_blob *blob = NULL;
	char hex[AP_OID_HEX];
	int there;
	size_t n;

	git_oid_tostr(hex, sizeof hex, id);
	if (git_repository_odb(&odb, g->repo) < 0)
		return ap_error_set(err, "%s: %s", g->path, git_msg());
	there = git_odb_exists(odb, id);
	git_odb_free(odb);
	if (!there) {
		ap_error_set(err, "%s: %s: blob %s is not in this repository (a shallow or partial "
			     "clone leaves large blobs out)", g->path, path, hex);
		return AP_GIT_MISSING;
	}
	if (git_blob_lookup(&blob, g->repo, id) < 0)
		return ap_error_set(err, "%s: %s: blob %s: %s", g->path, path, hex, git_msg());
	n = (size_t)git_blob_rawsize(blob);
	if (n > AP_FILE_MAX) {
		git_blob_free(blob);
		return ap_error_set(err, "%s: %s: %zu bytes, more than the %zu this tool reads",
				    g->path, path, n, (size_t)AP_FILE_MAX);
	}
	*data = malloc(n + 1);
	if (!*data) {
		git_blob_free(blob);
		return ap_error_set(err, "out of memory");
	}
	if (n)
		memcpy(*data, git_blob_rawcontent(blob), n);
	(*data)[n] = '\0';
	*len = n;
	git_blob_free(blob);
	return 0;
}

int ap_git_read(ap_git *g, const char *commit, const char *path, ap_file_state *st,
		char **data, size_t *len, ap_error *err)
{
	git_tree_entry *e;
	git_filemode_t mode;
	int rc;

	memset(st, 0, sizeof *st);
	*data = NULL;
	*len = 0;
	if (entry_at(g, commit, path, &e, err) < 0)
		return -1;
	if (!e)
		return 0;
	st->exists = 1;
	mode = git_tree_entry_filemode(e);
	if (mode == GIT_FILEMODE_TREE) {
		st->dir = 1;
		st->mode = 0755;
		git_tree_entry_free(e);
		return 0;
	}
	if (mode == GIT_FILEMODE_COMMIT) {
		git_tree_entry_free(e);
		return ap_error_set(err, "%s: %s at %s is a submodule, not a file", g->path, path,
				    commit);
	}
	st->symlink = mode == GIT_FILEMODE_LINK;
	st->mode = mode == GIT_FILEMODE_BLOB_EXECUTABLE ? 0755 : mode == GIT_FILEMODE_LINK ? 0777
													    : 0644;
	rc = read_blob(g, git_tree_entry_id(e), path, data, len, err);
	git_tree_entry_free(e);
	if (rc == 0)
		st->size = (off_t)*len;
	return rc;
}

/* --- export ---------------------------------------------------------------------- */

typedef struct export_run {
	ap_git *g;
	ap_git_keep_fn keep;
	void *ctx;
	ap_strlist *missing;
	ap_error *err;
} export_run;

static int write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t w = write(fd, data, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		data += w;
		len -= (size_t)w;
	}
	return 0;
}

/* A tree entry's name must be one plain component: libgit2 reads trees
 * from any repository, including one made to attack us. */
static int safe_name(const char *name)
{
	return *name && !strchr(name, '/') && strcmp(name, ".") != 0 && strcmp(name, "..") != 0 &&
	       strcasecmp(name, ".git") != 0;
}

static int export_tree(export_run *x, git_tree *tree, int dirfd, const char *prefix)
{
	size_t n = git_tree_entrycount(tree);

	for (size_t i = 0; i < n; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(tree, i);
		const char *name = git_tree_entry_name(e);
		git_filemode_t mode = git_tree_entry_filemode(e);
		int is_dir = mode == GIT_FILEMODE_TREE || mode == GIT_FILEMODE_COMMIT;
		char *path = *prefix ? ap_printf("%s/%s", prefix, name) : ap_strdup(name);
		int rc = -1;

		if (!path)
			return ap_error_set(x->err, "out of memory");
		if (!safe_name(name)) {
			char shown[512];

			ap_path_show(path, strlen(path), shown, sizeof shown);
			ap_error_set(x->err, "%s: tree entry '%s' is not a safe file name", x->g->path,
				     shown);
			goto next;
		}
		if (!*prefix && ap_path_in_state_dir(name, strlen(name))) {
			ap_error_set(x->err, "%s: tree entry '%s' " AP_STATE_DIR_FOREIGN, x->g->path,
				     name);
			goto next;
		}
		if (x->keep && !x->keep(path, is_dir, x->ctx)) {
			rc = 0;
			goto next;
		}
		if (is_dir) {
			int sub;

			if (mkdirat(dirfd, name, 0777) < 0) {
				ap_error_sys(x->err, "%s: mkdir failed", path);
				goto next;
			}
			if (mode == GIT_FILEMODE_COMMIT) {
				rc = 0;   /* a submodule: git leaves an empty directory too */
				goto next;
			}
			sub = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0) {
				ap_error_sys(x->err, "%s: cannot open", path);
				goto next;
			}
			{
				git_tree *subtree;

				if (git_tree_lookup(&subtree, x->g->repo, git_tree_entry_id(e)) < 0) {
					ap_error_set(x->err, "%s: tree %s: %s", x->g->path, path, git_msg());
					close(sub);
					goto next;
				}
				rc = export_tree(x, subtree, sub, path);
				git_tree_free(subtree);
			}
			close(sub);
			goto next;
		} else {
			char *data = NULL;
			size_t len = 0;
			int r = read_blob(x->g, git_tree_entry_id(e), path, &data, &len, x->err);

			if (r == AP_GIT_MISSING) {
				rc = ap_strlist_add(x->missing, path) < 0
				     ? ap_error_set(x->err, "out of memory") : 0;
				goto next;
			}
			if (r < 0)
				goto next;
			if (mode == GIT_FILEMODE_LINK) {
				/* rc stays -1 when the link is refused */
				if (ap_source_link_check(path, data, len, x->err) == 0) {
					if (symlinkat(data, dirfd, name) < 0)
						ap_error_sys(x->err, "%s: symlink failed", path);
					else
						rc = 0;
				}
			} else {
				int fd = openat(dirfd, name,
						O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
						mode == GIT_FILEMODE_BLOB_EXECUTABLE ? 0777 : 0666);

				if (fd < 0)
					ap_error_sys(x->err, "%s: cannot create", path);
				else if (write_all(fd, data, len) < 0)
					ap_error_sys(x->err, "%s: write failed", path);
				else
					rc = 0;
				if (fd >= 0 && close(fd) < 0 && rc == 0)
					rc = ap_error_sys(x->err, "%s: close failed", path);
			}
			free(data);
		}
next:
		free(path);
		if (rc < 0)
			return -1;
	}
	return 0;
}

int ap_git_export(ap_git *g, const char *rev, const char *dest, ap_git_keep_fn keep, void *ctx,
		  ap_strlist *missing, char oid[AP_OID_HEX], ap_error *err)
{
	export_run x = { g, keep, ctx, missing, err };
	git_commit *c = NULL;
	git_tree *tree = NULL;
	char *staging = NULL;
	int fd = -1, rc = -1;

	if (lookup_commit(g, rev, &c, err) < 0)
		return -1;
	git_oid_tostr(oid, AP_OID_HEX, git_commit_id(c));
	if (git_commit_tree(&tree, c) < 0) {
		ap_error_set(err, "%s: tree of %s: %s", g->path, rev, git_msg());
		goto out;
	}
	if (ap_dest_usable(dest, err) < 0)
		goto out;
	staging = ap_staging_dir(dest, err);
	if (!staging)
		goto out;
	fd = open(staging, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		ap_error_sys(err, "%s: cannot open", staging);
		goto out;
	}
	if (export_tree(&x, tree, fd, "") < 0) {
		ap_error_wrap(err, "exporting %s at %s", g->path, rev);
		goto out;
	}
	rc = ap_staging_commit(staging, dest, err);
out:
	if (fd >= 0)
		close(fd);
	if (rc < 0 && staging)
		ap_rmtree(staging);
	free(staging);
	git_tree_free(tree);
	git_commit_free(c);
	return rc;
}
