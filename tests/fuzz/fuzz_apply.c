/* fuzz_apply.c - libFuzzer target for a whole apply and unapply on disk.
 *
 * Input: byte 0 holds options (bits 0-2: the platform; bits 3-4: --fuzz
 * 0..3; bit 5: the patches directory inside the tree, as TREE/patches,
 * rather than beside it; bit 6: a --dry-run first). The rest is sections separated by NUL bytes;
 * a section's first line says what it is, the rest is its body:
 *   P[N]       a patch (applied with -pN, default 1), in series order
 *   S          the series file itself (else one is written: p01.patch ...)
 *   F PATH     a tree file 0644 holding the body;  X PATH  the same, 0755
 *   L PATH     a symlink in the tree to the body's first line (anything:
 *              hostile trees hold symlinks out of the tree)
 *   D PATH     an empty directory in the tree
 * Each input gets, on tmpfs, RUN/tree, RUN/patches and RUN/canary (a file
 * and a directory beside the tree), then ap_worktree_apply. Invariants:
 *   - a failed or refused apply leaves the tree byte-identical (nothing
 *     written, nothing left in .applypatch);
 *   - a dry run writes nothing and fails exactly when the real run does;
 *   - a successful one: every symlink it created resolves inside the tree,
 *     and no file it wrote is writable by others unless it was before;
 *     a second apply is a no-op that writes nothing; status finds no drift;
 *     unapply succeeds and the tree is then byte-identical to the start;
 *   - whatever happens, the canary, the patches and RUN itself are
 *     untouched: nothing is created, changed or removed outside the tree.
 * Tree paths are created only when they are plain relative names (the
 * harness must not write outside its scratch directory), and never under
 * .applypatch: a tree that ships its own state directory is a hostile case
 * of its own, in tests/hostile.
 */
#include "worktree.h"

#include "fuzz_util.h"

#include <limits.h>
#include <stdint.h>

#define MAX_SECTIONS 24

static char run_dir[600], tree_dir[700], canary_dir[700], patches_out[700], tree_real[PATH_MAX];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	snprintf(run_dir, sizeof run_dir, "%s/run", fz_scratch_base("fuzz_apply"));
	snprintf(tree_dir, sizeof tree_dir, "%s/tree", run_dir);
	snprintf(canary_dir, sizeof canary_dir, "%s/canary", run_dir);
	snprintf(patches_out, sizeof patches_out, "%s/patches", run_dir);
	return 0;
}

typedef struct section {
	char kind;
	int strip;
	char path[256];
	const char *body;
	size_t blen;
} section;

static size_t split_sections(const char *data, size_t len, section *sec)
{
	size_t n = 0, pos = 0;

	while (pos <= len && n < MAX_SECTIONS) {
		const char *s = data + pos, *end = memchr(s, '\0', len - pos);
		size_t sl = end ? (size_t)(end - s) : len - pos;
		const char *nl = memchr(s, '\n', sl);
		size_t hl = nl ? (size_t)(nl - s) : sl;
		section *c = &sec[n];

		pos += sl + 1;
		memset(c, 0, sizeof *c);
		if (hl == 0)
			continue;
		c->kind = s[0];
		c->body = nl ? nl + 1 : s + sl;
		c->blen = nl ? sl - hl - 1 : 0;
		switch (c->kind) {
		case 'P':
			c->strip = hl > 1 && s[1] >= '0' && s[1] <= '3' ? s[1] - '0' : 1;
			break;
		case 'S':
			break;
		case 'F': case 'X': case 'L': case 'D':
			if (hl < 3 || s[1] != ' ' || hl - 2 >= sizeof c->path ||
			    !fz_safe_rel(s + 2, hl - 2))
				continue;
			memcpy(c->path, s + 2, hl - 2);
			c->path[hl - 2] = '\0';
			if (strncmp(c->path, ".applypatch", 11) == 0)
				continue;
			break;
		default:
			continue;
		}
		n++;
	}
	return n;
}

/* Resolves path the way the kernel would (symlinks followed, ".." after a
 * symlink taken from its target), continuing lexically past a missing
 * component. Returns 0 and fills out, or -1 on a loop. */
static int resolve(const char *path, char *out, size_t outsz)
{
	char work[8192], link[4096];
	int hops = 0;

	snprintf(work, sizeof work, "%s", path);
	out[0] = '\0';
	for (;;) {
		char *p = work;
		int restarted = 0;

		out[0] = '\0';
		while (*p && !restarted) {
			char comp[4096];
			size_t cl;
			struct stat st;

			while (*p == '/')
				p++;
			cl = strcspn(p, "/");
			if (cl == 0)
				break;
			snprintf(comp, sizeof comp, "%.*s", (int)cl, p);
			p += cl;
			if (strcmp(comp, ".") == 0)
				continue;
			if (strcmp(comp, "..") == 0) {
				char *slash = strrchr(out, '/');

				if (slash)
					*slash = '\0';
				continue;
			}
			if (strlen(out) + 1 + cl + 1 > outsz)
				return -1;
			strcat(out, "/");
			strcat(out, comp);
			if (lstat(out, &st) == 0 && S_ISLNK(st.st_mode)) {
				ssize_t r = readlink(out, link, sizeof link - 1);
				char rest[8192];

				if (r < 0 || ++hops > 40)
					return -1;
				link[r] = '\0';
				snprintf(rest, sizeof rest, "%s", p);
				if (link[0] == '/') {
					snprintf(work, sizeof work, "%s%s", link, rest);
				} else {
					char *slash = strrchr(out, '/');

					*slash = '\0';
					snprintf(work, sizeof work, "%s/%s%s", out, link, rest);
				}
				restarted = 1;
			}
		}
		if (!restarted)
			return 0;
	}
}

/* Every symlink in the tree that was not there before must stay inside. */
static void check_new_symlinks(const fz_snap *before, const fz_snap *after)
{
	size_t rl = strlen(tree_real);

	for (size_t i = 0; i < after->n; i++) {
		const char *e = after->v[i].s, *tab = strchr(e, '\t');
		char rel[4096], full[8192], where[8192];
		int existed = 0;

		if (!tab || tab[1] != 'l')
			continue;
		for (size_t j = 0; j < before->n && !existed; j++)
			existed = before->v[j].len == after->v[i].len &&
				  memcmp(before->v[j].s, e, after->v[i].len) == 0;
		if (existed)
			continue;
		snprintf(rel, sizeof rel, "%.*s", (int)(tab - e), e);
		snprintf(full, sizeof full, "%s/%s", tree_real, rel);
		if (resolve(full, where, sizeof where) < 0)
			continue;  /* a loop: it points nowhere */
		if (strncmp(where, tree_real, rl) == 0 && (where[rl] == '/' || where[rl] == '\0'))
			continue;
		finding("apply created the symlink %s, which resolves to %s, outside the tree %s",
			rel, where, tree_real);
	}
}

/* A file apply wrote may not be writable by everyone unless it was so
 * before (a symlink turned into a regular file kept the link's 0777). */
static void check_modes(const fz_snap *before, const fz_snap *after)
{
	for (size_t i = 0; i < after->n; i++) {
		const char *e = after->v[i].s, *tab = strchr(e, '\t');
		unsigned mode = 0;
		int was = 0;

		if (!tab || tab[1] != 'f' || sscanf(tab + 3, "%o", &mode) != 1 || !(mode & 0002))
			continue;
		for (size_t j = 0; j < before->n && !was; j++)
			was = strncmp(before->v[j].s, e, (size_t)(tab - e) + 1) == 0 &&
			      strncmp(before->v[j].s + (tab - e), tab, 3) == 0;
		if (was)
			continue;
		finding("apply wrote %.*s with mode %o, writable by everyone", (int)(tab - e), e, mode);
	}
}

typedef struct outside {
	fz_snap canary, patches, run;
} outside;

static void outside_take(outside *o, int patches_inside)
{
	fz_snap_take(&o->canary, canary_dir);
	if (!patches_inside)
		fz_snap_take(&o->patches, patches_out);
	else
		memset(&o->patches, 0, sizeof o->patches);
	/* RUN's own entries (not their contents): nothing appears beside the tree */
	{
		DIR *d = opendir(run_dir);
		struct dirent *e;

		memset(&o->run, 0, sizeof o->run);
		if (!d)
			harness_die("opendir %s", run_dir);
		while ((e = readdir(d))) {
			char *s = strdup(e->d_name);

			if (!s)
				harness_die("out of memory");
			fz_snap_add(&o->run, s, strlen(s));
		}
		closedir(d);
		qsort(o->run.v, o->run.n, sizeof *o->run.v, fz_snap_cmp);
	}
}

static void outside_check(const outside *before, int patches_inside, const char *when)
{
	outside now;
	const char *d;

	outside_take(&now, patches_inside);
	if ((d = fz_snap_diff(&before->canary, &now.canary)))
		finding("%s: the canary beside the tree changed: %s", when, d);
	if (!patches_inside && (d = fz_snap_diff(&before->patches, &now.patches)))
		finding("%s: the patches directory changed: %s", when, d);
	if (before->run.n != now.run.n)
		finding("%s: something appeared or vanished beside the tree", when);
	for (size_t i = 0; i < now.run.n; i++)
		if (strcmp(before->run.v[i].s, now.run.v[i].s) != 0)
			finding("%s: %s appeared beside the tree", when, now.run.v[i].s);
	fz_snap_free(&now.canary);
	fz_snap_free(&now.patches);
	fz_snap_free(&now.run);
}

static void expect_tree(const fz_snap *want, const char *when)
{
	fz_snap now;
	const char *d;

	fz_snap_take(&now, tree_dir);
	if ((d = fz_snap_diff(want, &now)))
		finding("%s: the tree is not as it was: %s", when, d);
	fz_snap_free(&now);
}

static int state_exists(void)
{
	char path[800];
	struct stat st;

	snprintf(path, sizeof path, "%s/.applypatch/state", tree_dir);
	return lstat(path, &st) == 0;
}

static void setup(const section *sec, size_t n, int patches_inside)
{
	const char *pdir = patches_inside ? NULL : patches_out;
	char pdir_in[800], name[32];
	ap_buf series = AP_BUF_INIT;
	int have_series = 0;
	unsigned np = 0;

	fz_rm_rf_at(AT_FDCWD, run_dir);
	if (mkdir(run_dir, 0755) < 0 || mkdir(tree_dir, 0755) < 0 || mkdir(canary_dir, 0755) < 0)
		harness_die("mkdir under %s: %s", run_dir, strerror(errno));
	if (fz_write(canary_dir, "keep", "precious\n", 9, 0644) < 0 ||
	    fz_write(canary_dir, "sub/file", "also precious\n", 14, 0644) < 0)
		harness_die("cannot write the canary");
	snprintf(pdir_in, sizeof pdir_in, "%s/patches", tree_dir);
	if (!pdir)
		pdir = pdir_in;
	if (mkdir(pdir, 0755) < 0)
		harness_die("mkdir %s: %s", pdir, strerror(errno));

	for (size_t i = 0; i < n; i++) {
		const section *c = &sec[i];

		if (c->kind == 'P') {
			snprintf(name, sizeof name, "p%02u.patch", ++np);
			if (fz_write(pdir, name, c->body, c->blen, 0644) < 0)
				harness_die("cannot write %s/%s", pdir, name);
			ap_buf_printf(&series, "%s -p%d\n", name, c->strip);
		} else if (c->kind == 'S' && !have_series) {
			have_series = 1;
			if (fz_write(pdir, "series", c->body, c->blen, 0644) < 0)
				harness_die("cannot write %s/series", pdir);
		}
	}
	if (!have_series && fz_write(pdir, "series", series.data ? series.data : "",
				     series.len, 0644) < 0)
		harness_die("cannot write %s/series", pdir);
	ap_buf_free(&series);

	for (size_t i = 0; i < n; i++) {
		const section *c = &sec[i];
		char target[4096];

		switch (c->kind) {
		case 'F':
		case 'X':
			fz_write(tree_dir, c->path, c->body, c->blen, c->kind == 'X' ? 0755 : 0644);
			break;
		case 'L': {
			const char *nl = memchr(c->body, '\n', c->blen);
			size_t tl = nl ? (size_t)(nl - c->body) : c->blen;

			if (tl == 0 || tl >= sizeof target)
				break;
			memcpy(target, c->body, tl);
			target[tl] = '\0';
			fz_symlink(tree_dir, c->path, target);
			break;
		}
		case 'D': {
			char full[1000];

			if (fz_mkparents(tree_dir, c->path) == 0) {
				snprintf(full, sizeof full, "%s/%s", tree_dir, c->path);
				mkdir(full, 0755);
			}
			break;
		}
		}
	}
	if (!realpath(tree_dir, tree_real))
		harness_die("realpath %s", tree_dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	section sec[MAX_SECTIONS];
	size_t n;
	int patches_inside;
	ap_run_opts o = AP_RUN_OPTS_INIT;
	ap_run run;
	ap_error err = AP_ERROR_INIT;
	fz_snap before, after;
	outside out;
	int rc, dry_rc = 0, dry_failed = 0;

	if (size < 1)
		return 0;
	patches_inside = (data[0] >> 5) & 1;
	o.tree = tree_dir;
	o.patches_dir = patches_inside ? NULL : patches_out;
	o.platform = ap_platform_names[data[0] & 7];
	o.max_fuzz = (data[0] >> 3) & 3;
	n = split_sections((const char *)data + 1, size - 1, sec);
	setup(sec, n, patches_inside);
	fz_snap_take(&before, tree_dir);
	outside_take(&out, patches_inside);

	if (data[0] & 0x40) {
		o.dry_run = 1;
		dry_rc = ap_worktree_apply(&o, &run, &err);
		dry_failed = run.failed;
		ap_run_free(&run);
		o.dry_run = 0;
		expect_tree(&before, "dry run");
		outside_check(&out, patches_inside, "dry run");
		memset(&err, 0, sizeof err);
	}
	rc = ap_worktree_apply(&o, &run, &err);
	if ((data[0] & 0x40) && (dry_rc < 0) != (rc < 0))
		finding("the dry run returned %d, the real apply %d: %s", dry_rc, rc, err.msg);
	if ((data[0] & 0x40) && rc == 0 && dry_rc == 0 && dry_failed != run.failed)
		finding("the dry run %s, the real apply %s", dry_failed ? "failed" : "succeeded",
			run.failed ? "failed" : "succeeded");
	if (getenv("FUZZ_VERBOSE")) {
		/* for looking at one input by hand */
		fprintf(stderr, "apply: rc %d failed %d written %zu note %s err %s\n", rc, run.failed,
			run.files_written, run.note ? run.note : "-", err.msg);
		for (size_t i = 0; i < run.n; i++)
			fprintf(stderr, "  %s: %s %s\n", run.patches[i].name,
				ap_patch_status_name(run.patches[i].status),
				run.patches[i].reason ? run.patches[i].reason : "");
	}
	outside_check(&out, patches_inside, "apply");
	if (rc < 0 || run.failed || !state_exists()) {
		if (rc < 0 && !err.msg[0])
			finding("apply failed without saying why");
		expect_tree(&before, rc < 0 ? "apply refused" : run.failed ? "apply failed"
			    : "apply with nothing recorded");
		ap_run_free(&run);
		goto out;
	}
	fz_snap_take(&after, tree_dir);
	check_new_symlinks(&before, &after);
	check_modes(&before, &after);
	ap_run_free(&run);

	if (!patches_inside) {
		ap_status st;

		/* a re-run with the same series is a no-op */
		memset(&err, 0, sizeof err);
		rc = ap_worktree_apply(&o, &run, &err);
		if (rc < 0 || run.failed || run.files_written)
			finding("a second apply is not a no-op: rc %d, failed %d, %zu files written: %s",
				rc, run.failed, run.files_written, rc < 0 ? err.msg : run.note ? run.note : "");
		ap_run_free(&run);
		expect_tree(&after, "second apply");
		outside_check(&out, patches_inside, "second apply");

		rc = ap_worktree_status(&o, &st, &err);
		if (rc < 0 || st.drift || !st.applied)
			finding("status right after apply: rc %d, drift %d, applied %d: %s", rc, st.drift,
				st.applied, rc < 0 ? err.msg : st.note ? st.note : "");
		ap_status_free(&st);
		expect_tree(&after, "status");
	}

	memset(&err, 0, sizeof err);
	rc = ap_worktree_unapply(&o, &run, &err);
	if (rc != 0)
		finding("unapply right after apply failed (rc %d): %s", rc, err.msg);
	ap_run_free(&run);
	expect_tree(&before, "apply then unapply");
	outside_check(&out, patches_inside, "unapply");
	fz_snap_free(&after);
out:
	fz_snap_free(&before);
	fz_snap_free(&out.canary);
	fz_snap_free(&out.patches);
	fz_snap_free(&out.run);
	return 0;
}
