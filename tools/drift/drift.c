/* drift.c - the patch x version matrix, and the upstreamed rules. */
#include "drift.h"

#include "buf.h"
#include "gitsrc.h"
#include "loaded_series.h"
#include "vtree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *ap_drift_status_name(ap_drift_status s)
{
	switch (s) {
	case AP_DRIFT_APPLIES: return "applies";
	case AP_DRIFT_DRIFTED: return "drifted";
	case AP_DRIFT_NEEDS_FUZZ: return "needs-fuzz";
	case AP_DRIFT_UPSTREAMED: return "upstreamed";
	case AP_DRIFT_PARTLY: return "partly-upstreamed";
	case AP_DRIFT_CONFLICT: return "conflict";
	case AP_DRIFT_SKIPPED: return "skipped";
	case AP_DRIFT_ERROR: return "error";
	}
	return "?";
}

int ap_drift_add_column(ap_drift *d, const char *label, const char *platform,
			const ap_upstream *u, const char *commit, ap_error *err)
{
	ap_drift_column *c;
	void *p = realloc(d->cols, (d->ncols + 1) * sizeof *d->cols);

	if (!p)
		return ap_error_set(err, "out of memory");
	d->cols = p;
	c = &d->cols[d->ncols];
	memset(c, 0, sizeof *c);
	c->label = ap_strdup(label);
	c->platform = ap_strdup(platform);
	c->upstream.kind = u->kind;
	c->upstream.location = u->location ? ap_strdup(u->location) : NULL;
	c->upstream.rev = u->rev ? ap_strdup(u->rev) : NULL;
	c->commit = commit ? ap_strdup(commit) : NULL;
	d->ncols++;
	if (!c->label || !c->platform)
		return ap_error_set(err, "out of memory");
	return 0;
}

/* --- rule 2: added lines present, white space and comments aside --------- */

/* Appends text without white space and C comments; *in_comment carries a
 * block comment from one call to the next. */
static void normalize(ap_buf *out, const char *s, size_t len, int *in_comment)
{
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (*in_comment) {
			if (c == '*' && i + 1 < len && s[i + 1] == '/') {
				*in_comment = 0;
				i++;
			}
			continue;
		}
		if (c == '/' && i + 1 < len && s[i + 1] == '*') {
			*in_comment = 1;
			i++;
			continue;
		}
		if (c == '/' && i + 1 < len && s[i + 1] == '/') {
			while (i < len && s[i] != '\n')
				i++;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v')
			continue;
		ap_buf_putc(out, c);
	}
}

int ap_drift_lines_present(const ap_file_diff *fd, const char *text, size_t len)
{
	ap_buf file = AP_BUF_INIT;
	int in_comment = 0, significant = 0, all = 1;

	normalize(&file, text ? text : "", text ? len : 0, &in_comment);
	for (size_t h = 0; h < fd->nhunks && all; h++) {
		in_comment = 0;
		for (size_t i = 0; i < fd->hunks[h].nlines && all; i++) {
			const ap_line *l = &fd->hunks[h].lines[i];
			ap_buf one = AP_BUF_INIT;

			if (l->kind != '+')
				continue;
			normalize(&one, l->text, l->len, &in_comment);
			/* "}" or "#endif" is everywhere: it proves nothing */
			if (one.len >= 8)
				significant = 1;
			if (one.len && (!file.data || !memmem(file.data, file.len, one.data, one.len)))
				all = 0;
			ap_buf_free(&one);
		}
	}
	ap_buf_free(&file);
	return all && significant;
}

/* Rule 2 over a whole patch, on the files as the vtree holds them now. */
static int patch_lines_present(ap_vtree *v, const ap_patch *p)
{
	int any = 0;

	for (size_t i = 0; i < p->nfiles; i++) {
		const ap_file_diff *fd = &p->files[i];
		ap_error e = AP_ERROR_INIT;
		ap_vfile *f;

		if (fd->op == AP_OP_DELETE) {
			f = ap_vtree_get(v, fd->old_path, &e);
			if (!f || f->exists)
				return 0;
			continue;
		}
		f = ap_vtree_get(v, ap_file_diff_target(fd), &e);
		if (!f || !f->exists)
			return 0;
		if (!ap_drift_lines_present(fd, f->data, f->len))
			return 0;
		any = 1;
	}
	return any;
}

/* --- one column ------------------------------------------------------------ */

static void cell_from_result(ap_drift_cell *cell)
{
	size_t counts[5];

	ap_patch_result_count(&cell->result, counts);
	cell->max_offset = 0;
	for (size_t f = 0; f < cell->result.nfiles; f++)
		for (size_t h = 0; h < cell->result.files[f].nhunks; h++) {
			long off = labs(cell->result.files[f].hunks[h].pl.offset);

			if (cell->result.files[f].hunks[h].pl.outcome == AP_HUNK_OFFSET &&
			    off > cell->max_offset)
				cell->max_offset = off;
		}
	(void)counts;
}

int ap_drift_classify(ap_vtree *v, const ap_patch *p, const ap_drift_opts *o, int keep,
		      ap_drift_cell *cell, ap_error *err)
{
	ap_apply_opts exact = { 0, !keep };
	size_t counts[5];

	if (ap_apply_patch(v, p, &exact, &cell->result, err) < 0)
		return -1;
	cell_from_result(cell);
	ap_patch_result_count(&cell->result, counts);
	switch (cell->result.status) {
	case AP_PATCH_APPLIED:
		cell->status = counts[AP_HUNK_OFFSET] ? AP_DRIFT_DRIFTED : AP_DRIFT_APPLIES;
		return 0;
	case AP_PATCH_ALREADY:
		cell->status = AP_DRIFT_UPSTREAMED;
		cell->rule = AP_DRIFT_RULE_HUNKS;
		return 0;
	default:
		break;
	}
	if (patch_lines_present(v, p)) {
		cell->status = AP_DRIFT_UPSTREAMED;
		cell->rule = AP_DRIFT_RULE_LINES;
		return 0;
	}
	if (counts[AP_HUNK_ALREADY]) {
		cell->status = AP_DRIFT_PARTLY;
		return 0;
	}
	cell->status = AP_DRIFT_CONFLICT;
	if (o->max_fuzz > 0 && counts[AP_HUNK_FAILED]) {
		ap_apply_opts fuzzy = { o->max_fuzz, 1 };
		ap_patch_result fr;

		memset(&fr, 0, sizeof fr);
		if (ap_apply_patch(v, p, &fuzzy, &fr, err) < 0)
			return -1;
		if (fr.status == AP_PATCH_APPLIED) {
			cell->status = AP_DRIFT_NEEDS_FUZZ;
			for (size_t f = 0; f < fr.nfiles; f++)
				for (size_t h = 0; h < fr.files[f].nhunks; h++)
					if (fr.files[f].hunks[h].pl.fuzz > cell->fuzz)
						cell->fuzz = fr.files[f].hunks[h].pl.fuzz;
			/* report where the fuzzy placement went */
			fr.name = cell->result.name;
			fr.why = cell->result.why;
			fr.reason = cell->result.reason;
			cell->result.name = cell->result.why = cell->result.reason = NULL;
			ap_patch_result_free(&cell->result);
			cell->result = fr;
			return 0;
		}
		ap_patch_result_free(&fr);
	}
	return 0;
}

typedef struct git_at {
	ap_git *git;
	const char *commit;
} git_at;

static int read_at(void *ctx, const char *path, ap_file_state *st, char **data, size_t *len,
		   ap_error *err)
{
	git_at *at = ctx;
	int rc = ap_git_read(at->git, at->commit, path, st, data, len, err);

	if (rc == 0 && st->exists && st->dir) {
		free(*data);
		*data = NULL;
		return ap_error_set(err, "%s is a directory at %.12s", path, at->commit);
	}
	return rc < 0 || rc == AP_GIT_MISSING ? -1 : 0;
}

typedef struct platform_series {
	char *platform;
	ap_loaded_series ls;
	int loaded;
} platform_series;

static int eval_column(ap_drift *d, size_t c, platform_series *ps, const ap_drift_opts *o,
		       ap_git **git, ap_error *err)
{
	ap_drift_column *col = &d->cols[c];
	ap_loaded_series *ls = &ps->ls;
	ap_strlist paths = { 0 };
	ap_source *src = NULL;
	ap_vtree v;
	int rc = 0;

	for (size_t i = 0; i < ls->series.n; i++) {
		const ap_patch *p = &ls->patches[i];

		for (size_t f = 0; ls->series.v[i].selected && !ls->errors[i] && f < p->nfiles; f++) {
			const char *names[2] = { p->files[f].old_path, p->files[f].new_path };

			for (int k = 0; k < 2; k++) {
				int dup = 0;

				if (!names[k])
					continue;
				for (size_t j = 0; j < paths.n && !dup; j++)
					dup = strcmp(paths.v[j], names[k]) == 0;
				if (!dup)
					ap_strlist_add(&paths, names[k]);
			}
		}
	}
	/* NULL-terminated for ap_source_open */
	if (ap_array_grow((void **)&paths.v, &paths.cap, paths.n + 1, sizeof *paths.v) < 0) {
		ap_strlist_free(&paths);
		return ap_error_set(err, "out of memory");
	}
	paths.v[paths.n] = NULL;

	git_at at = { NULL, col->commit };

	/* git columns share one open repository (opening one costs more than
	 * reading the few blobs a column needs) */
	if (col->upstream.kind == AP_UPSTREAM_GIT && col->commit) {
		if (!*git && ap_git_open(git, col->upstream.location, err) < 0) {
			ap_strlist_free(&paths);
			return -1;
		}
		at.git = *git;
	} else if (ap_source_open(&src, &col->upstream, (const char *const *)paths.v, err) < 0) {
		/* the whole column is unreadable: every selected cell says so */
		for (size_t i = 0; i < d->npatches; i++) {
			ap_drift_cell *cell = &d->cells[i * d->ncols + c];

			cell->status = ls->series.v[i].selected ? AP_DRIFT_ERROR : AP_DRIFT_SKIPPED;
			cell->error = ap_strdup(err->msg);
		}
		ap_strlist_free(&paths);
		return 0;
	}
	if (at.git)
		ap_vtree_init(&v, read_at, &at);
	else
		ap_vtree_init(&v, ap_source_read, src);
	for (size_t i = 0; i < d->npatches && rc == 0; i++) {
		ap_drift_cell *cell = &d->cells[i * d->ncols + c];

		cell->result.name = ap_strdup(ls->series.v[i].name);
		cell->result.selected = ls->series.v[i].selected;
		memcpy(cell->result.sha256, ls->sha256[i], sizeof cell->result.sha256);
		if (!ls->series.v[i].selected) {
			cell->status = AP_DRIFT_SKIPPED;
			cell->result.status = AP_PATCH_SKIPPED;
			cell->result.reason = ap_strdup(ls->series.v[i].why);
			continue;
		}
		if (ls->errors[i]) {
			cell->status = AP_DRIFT_ERROR;
			cell->error = ap_strdup(ls->errors[i]);
			continue;
		}
		rc = ap_drift_classify(&v, &ls->patches[i], o, 1, cell, err);
	}
	ap_vtree_free(&v);
	if (src)
		ap_source_free(src);
	ap_strlist_free(&paths);
	return rc;
}

/* --- where upstream merged a patch ---------------------------------------- */

/* Whether the patch alone is upstreamed at commit, by either rule. */
static int upstreamed_at(ap_git *g, const char *commit, const ap_patch *p, ap_error *err)
{
	git_at at = { g, commit };
	ap_apply_opts trial = { 0, 1 };
	ap_patch_result r;
	ap_vtree v;
	int yes;

	memset(&r, 0, sizeof r);
	ap_vtree_init(&v, read_at, &at);
	if (ap_apply_patch(&v, p, &trial, &r, err) < 0) {
		ap_vtree_free(&v);
		return -1;
	}
	yes = r.status == AP_PATCH_ALREADY || (r.status == AP_PATCH_FAILED && patch_lines_present(&v, p));
	ap_patch_result_free(&r);
	ap_vtree_free(&v);
	return yes;
}

/* The entry ids of the files a patch touches at a commit, as one key:
 * commits with the same key need no second look. */
static char *touched_key(ap_git *g, const char *commit, const ap_patch *p, ap_error *err)
{
	ap_buf key = AP_BUF_INIT;

	for (size_t f = 0; f < p->nfiles; f++) {
		const char *names[2] = { p->files[f].old_path, p->files[f].new_path };

		for (int k = 0; k < 2; k++) {
			char oid[AP_OID_HEX];
			int exists = 0;

			if (!names[k])
				continue;
			if (ap_git_entry_id(g, commit, names[k], oid, &exists, err) < 0) {
				ap_buf_free(&key);
				return NULL;
			}
			ap_buf_puts(&key, exists ? oid : "-");
		}
	}
	if (!key.data)
		ap_buf_puts(&key, "");
	return ap_buf_detach(&key, NULL);
}

/* The first release tag (in version order) whose history has commit;
 * tags holds NAME, OID, TIME triples. A tag committed before the commit
 * cannot hold it (clock skew aside): only the later ones are walked, which
 * is most of the cost saved on a history of thousands of commits. */
static char *first_tag(ap_git *g, const ap_strlist *tags, const char *commit, ap_error *err)
{
	long long when = 0;

	if (ap_git_commit_time(g, commit, &when, err) < 0)
		return NULL;
	for (size_t t = 0; t + 2 < tags->n; t += 3) {
		int r;

		if (strtoll(tags->v[t + 2], NULL, 10) < when)
			continue;
		r = ap_git_contains(g, tags->v[t + 1], commit, err);

		if (r > 0)
			return ap_strdup(tags->v[t]);
	}
	return NULL;
}

/* Which hunks of p are already applied at commit: present[k] for the
 * k-th hunk counted over all file diffs. */
static int hunks_present(ap_git *g, const char *commit, const ap_patch *p, char *present,
			 ap_error *err)
{
	git_at at = { g, commit };
	ap_apply_opts trial = { 0, 1 };
	ap_patch_result r;
	ap_vtree v;
	size_t k = 0;
	int rc = 0;

	memset(&r, 0, sizeof r);
	ap_vtree_init(&v, read_at, &at);
	if (ap_apply_patch(&v, p, &trial, &r, err) < 0)
		rc = -1;
	for (size_t f = 0; rc == 0 && f < p->nfiles; f++)
		for (size_t h = 0; h < p->files[f].nhunks; h++, k++)
			present[k] = 1 + (f < r.nfiles && h < r.files[f].nhunks &&
					  r.files[f].hunks[h].pl.outcome == AP_HUNK_ALREADY);
	ap_patch_result_free(&r);
	ap_vtree_free(&v);
	return rc;
}

/* Per hunk already applied at the newest commit of history (oldest
 * first), the commit where it became so: bisected (a dozen trial applies
 * for GAP's 7000 first-parent commits, not one per commit), so a hunk
 * that came and went and came back is dated by one of its arrivals. */
static int find_hunk_merges(ap_git *g, const ap_strlist *history, const ap_strlist *tags,
			    const ap_patch *p, ap_drift_merge *m, ap_error *err)
{
	size_t n = 0, k = 0, nh = history->n;
	char **cache;   /* per commit: per hunk 1 absent, 2 present; NULL not looked at */
	int rc = 0;

	for (size_t f = 0; f < p->nfiles; f++)
		n += p->files[f].nhunks;
	if (n == 0 || nh == 0)
		return 0;
	cache = calloc(nh, sizeof *cache);
	m->hunks = calloc(n, sizeof *m->hunks);
	if (!cache || !m->hunks) {
		free(cache);
		return ap_error_set(err, "out of memory");
	}
	m->nhunks = n;
#define PRESENT(i, hk) \
	((cache[i] || ((cache[i] = calloc(n, 1)) && \
		       hunks_present(g, history->v[i], p, cache[i], err) == 0)) && cache[i][hk] == 2)
	for (size_t f = 0; f < p->nfiles && rc == 0; f++)
		for (size_t h = 0; h < p->files[f].nhunks; h++, k++) {
			ap_drift_hunk_merge *hm = &m->hunks[k];
			size_t lo = 0, hi = nh - 1;

			hm->file = ap_strdup(ap_file_diff_target(&p->files[f]));
			hm->hunk = h + 1;
			if (!PRESENT(hi, k))
				continue;
			/* invariant: present at hi; lo is the first candidate */
			while (lo < hi) {
				size_t mid = lo + (hi - lo) / 2;

				if (PRESENT(mid, k))
					hi = mid;
				else
					lo = mid + 1;
			}
			hm->commit = ap_strdup(history->v[hi]);
			m->npresent++;
			/* all present hunks are there from the latest of their commits */
			if (!m->present_commit || ap_git_contains(g, hm->commit, m->present_commit, err) > 0) {
				free(m->present_commit);
				m->present_commit = ap_strdup(hm->commit);
			}
		}
#undef PRESENT
	for (size_t i = 0; i < nh; i++)
		free(cache[i]);
	free(cache);
	/* tags last: one search per distinct commit */
	for (size_t h = 0; h < m->nhunks; h++) {
		if (!m->hunks[h].commit)
			continue;
		for (size_t j = 0; j < h && !m->hunks[h].tag; j++)
			if (m->hunks[j].commit && strcmp(m->hunks[j].commit, m->hunks[h].commit) == 0 &&
			    m->hunks[j].tag)
				m->hunks[h].tag = ap_strdup(m->hunks[j].tag);
		if (!m->hunks[h].tag)
			m->hunks[h].tag = first_tag(g, tags, m->hunks[h].commit, err);
		if (m->present_commit && strcmp(m->present_commit, m->hunks[h].commit) == 0 &&
		    m->hunks[h].tag && !m->present_tag)
			m->present_tag = ap_strdup(m->hunks[h].tag);
	}
	if (m->present_commit && !m->present_tag)
		m->present_tag = first_tag(g, tags, m->present_commit, err);
	return rc;
}

static int find_merge(ap_git *g, const ap_strlist *history, const ap_strlist *tags,
		      const ap_patch *p, ap_drift_merge *m, ap_error *err)
{
	ap_strmap seen = AP_STRMAP_INIT;   /* key -> (void *)1 no, (void *)2 yes */
	int rc = 0;

	for (size_t i = 0; i < history->n && !m->commit; i++) {
		char *key = touched_key(g, history->v[i], p, err);
		void *known;
		int yes;

		if (!key) {
			rc = -1;
			break;
		}
		known = ap_strmap_get(&seen, key);
		if (known) {
			yes = known == (void *)(long)2;
		} else {
			yes = upstreamed_at(g, history->v[i], p, err);
			if (yes < 0 || ap_strmap_put(&seen, key, (void *)(long)(yes ? 2 : 1)) < 0) {
				free(key);
				rc = -1;
				break;
			}
		}
		free(key);
		if (yes)
			m->commit = ap_strdup(history->v[i]);
	}
	ap_strmap_free(&seen);
	if (rc < 0 || !m->commit)
		return rc;
	m->tag = first_tag(g, tags, m->commit, err);
	return 0;
}

static int is_release_tag(const char *t)
{
	return t[0] == 'v' && t[1] >= '0' && t[1] <= '9';
}

/* For each patch upstreamed in some git column: its first commit in the
 * first-parent history of the last git column, and the first tag. */
static int find_merges(ap_drift *d, platform_series *ps, size_t nps, ap_error *err)
{
	ssize_t newest = -1;
	ap_git *g = NULL;
	ap_strlist history = { 0 }, all_tags = { 0 }, tags = { 0 };
	int rc = -1;

	for (size_t c = 0; c < d->ncols; c++)
		if (d->cols[c].upstream.kind == AP_UPSTREAM_GIT && d->cols[c].commit)
			newest = (ssize_t)c;
	if (newest < 0)
		return 0;
	if (ap_git_open(&g, d->cols[newest].upstream.location, err) < 0)
		return -1;
	if (ap_git_first_parents(g, d->cols[newest].commit, &history, err) < 0 ||
	    ap_git_tags(g, NULL, &all_tags, err) < 0)
		goto out;
	for (size_t t = 0; t < all_tags.n; t++) {
		char oid[AP_OID_HEX], when[32];
		long long t_when = 0;

		if (!is_release_tag(all_tags.v[t]) || ap_git_resolve(g, all_tags.v[t], oid, err) < 0 ||
		    ap_git_commit_time(g, oid, &t_when, err) < 0)
			continue;
		snprintf(when, sizeof when, "%lld", t_when);
		ap_strlist_add(&tags, all_tags.v[t]);
		ap_strlist_add(&tags, oid);
		ap_strlist_add(&tags, when);
	}
	for (size_t i = 0; i < d->npatches; i++) {
		int up = 0, part = 0;
		const ap_patch *p = NULL;

		for (size_t c = 0; c < d->ncols; c++) {
			const ap_drift_cell *cell = &d->cells[i * d->ncols + c];

			if (d->cols[c].upstream.kind != AP_UPSTREAM_GIT)
				continue;
			if (cell->status == AP_DRIFT_UPSTREAMED)
				up = 1;
			else if (cell->status == AP_DRIFT_PARTLY || cell->status == AP_DRIFT_CONFLICT)
				part = 1;
			else
				continue;
			for (size_t k = 0; k < nps && !p; k++)
				if (strcmp(ps[k].platform, d->cols[c].platform) == 0)
					p = &ps[k].ls.patches[i];
		}
		if (up && p && find_merge(g, &history, &tags, p, &d->merges[i], err) < 0)
			goto out;
		/* upstream took part of it, or wrote it differently: say which
		 * hunks are there, and since when */
		if (part && p && !d->merges[i].commit &&
		    find_hunk_merges(g, &history, &tags, p, &d->merges[i], err) < 0)
			goto out;
	}
	rc = 0;
out:
	ap_strlist_free(&history);
	ap_strlist_free(&all_tags);
	ap_strlist_free(&tags);
	ap_git_free(g);
	return rc;
}

/* The version an Applied-Upstream value names: "4.11.0, URL" -> "4.11.0";
 * "commit:HASH" -> "HASH" with *is_commit. */
static char *applied_rev(const char *value, int *is_commit)
{
	const char *v = value;

	*is_commit = strncasecmp(v, "commit:", 7) == 0;
	if (*is_commit)
		v += 7;
	while (*v == ' ' || *v == '\t')
		v++;
	return ap_strndup(v, strcspn(v, ", \t"));
}

/* The version in a column label ("gap-4.11.0.tar.gz", "v4.11.0" ->
 * "4.11.0"), or NULL: digits with a dot, at the start or after 'v', '-'
 * or '_' (so a commit id's digits are no version). */
static char *label_version(const char *label)
{
	for (const char *q = label; *q; q++) {
		size_t n;

		if (!(*q >= '0' && *q <= '9'))
			continue;
		if (q != label && q[-1] != 'v' && q[-1] != '-' && q[-1] != '_')
			return NULL;
		if (q - label > 1 && q[-1] == 'v' && q[-2] != '-' && q[-2] != '_')
			return NULL;
		n = strspn(q, "0123456789.");
		while (n && q[n - 1] == '.')
			n--;
		return memchr(q, '.', n) ? ap_strndup(q, n) : NULL;
	}
	return NULL;
}

/* Whether column c is at or after the revision rev (resolved in git to
 * oid when the column is a git one): 1, 0, or -1 (cannot tell). */
static int column_after(ap_drift *d, size_t c, ap_git **g, const char *rev, int is_commit,
			ap_error *err)
{
	ap_drift_column *col = &d->cols[c];
	char *lv = is_commit ? NULL : label_version(col->label);

	/* a version against a column named by a version ("v4.12.0",
	 * "gap-4.12.0.tar.gz"): by number, as GAP releases from stable
	 * branches that do not hold each other's tags */
	if (lv) {
		int r = ap_version_cmp(lv, rev) >= 0;

		free(lv);
		return r;
	}
	if (col->upstream.kind == AP_UPSTREAM_GIT && col->commit) {
		char oid[AP_OID_HEX], *vrev = ap_printf("v%s", rev);
		ap_error e = AP_ERROR_INIT;
		int r;

		if (!*g && ap_git_open(g, col->upstream.location, err) < 0) {
			free(vrev);
			return -1;
		}
		r = (!is_commit && vrev && ap_git_resolve(*g, vrev, oid, &e) == 0) ||
		    ap_git_resolve(*g, rev, oid, &e) == 0;
		free(vrev);
		if (!r)
			return -1;
		/* a commit older than the revision cannot hold it (clock skew
		 * aside): no history walk for the old tags */
		{
			long long tc = 0, tr = 0;

			if (ap_git_commit_time(*g, col->commit, &tc, err) == 0 &&
			    ap_git_commit_time(*g, oid, &tr, err) == 0 && tc < tr)
				return 0;
		}
		return ap_git_contains(*g, col->commit, oid, err);
	}
	return -1;
}

/* A patch's DEP-3 Applied-Upstream makes its columns from that version on
 * expected to find it upstream (or conflicting with upstream's own way of
 * writing it): such cells are marked expected, not failures. */
static void mark_expected(ap_drift *d, platform_series *ps, ap_error *err)
{
	ap_git *g = NULL;

	for (size_t i = 0; i < d->npatches; i++) {
		char *value, *rev;
		int is_commit, unknown = 0;

		if (ps[0].ls.errors[i])
			continue;
		value = ap_patch_header(&ps[0].ls.patches[i], "Applied-Upstream", NULL);
		if (!value)
			continue;
		d->merges[i].applied_upstream = value;
		rev = applied_rev(value, &is_commit);
		for (size_t c = 0; rev && *rev && c < d->ncols; c++) {
			ap_drift_cell *cell = &d->cells[i * d->ncols + c];
			int r;

			if (cell->status != AP_DRIFT_UPSTREAMED && cell->status != AP_DRIFT_PARTLY &&
			    cell->status != AP_DRIFT_CONFLICT)
				continue;
			r = column_after(d, c, &g, rev, is_commit, err);

			if (r < 0)
				unknown = 1;
			if (r > 0 && (cell->status == AP_DRIFT_UPSTREAMED ||
				      cell->status == AP_DRIFT_PARTLY || cell->status == AP_DRIFT_CONFLICT))
				cell->expected = 1;
		}
		if (unknown && ap_array_grow((void **)&d->warnings, &d->wcap, d->nwarnings + 1,
					     sizeof *d->warnings) == 0) {
			d->warnings[d->nwarnings].where = ap_printf("%s/%s", d->patches_dir, d->names[i]);
			d->warnings[d->nwarnings].what =
				ap_printf("Applied-Upstream: %s names no version or commit some columns "
					  "can be compared with; those columns are judged as usual", value);
			d->nwarnings++;
		}
		free(rev);
	}
	ap_git_free(g);
}

int ap_drift_run(ap_drift *d, const ap_drift_opts *o, ap_error *err)
{
	platform_series *ps = calloc(d->ncols + 1, sizeof *ps);
	size_t nps = 0;
	ap_git *git = NULL;
	int rc = -1;

	if (!ps)
		return ap_error_set(err, "out of memory");
	d->patches_dir = ap_strdup(o->patches_dir);
	for (size_t c = 0; c < d->ncols; c++) {
		size_t k;

		for (k = 0; k < nps && strcmp(ps[k].platform, d->cols[c].platform) != 0; k++)
			;
		if (k == nps) {
			ps[k].platform = d->cols[c].platform;
			if (ap_loaded_series_load(&ps[k].ls, o->patches_dir, ps[k].platform, 1,
						  o->strip, err) < 0)
				goto out;
			ps[k].loaded = 1;
			nps++;
		}
	}
	if (nps == 0) {
		rc = 0;
		goto out;
	}
	d->npatches = ps[0].ls.series.n;
	d->names = calloc(d->npatches + 1, sizeof *d->names);
	d->cells = calloc(d->npatches * d->ncols + 1, sizeof *d->cells);
	d->merges = calloc(d->npatches + 1, sizeof *d->merges);
	if (!d->names || !d->cells || !d->merges) {
		ap_error_set(err, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < d->npatches; i++)
		d->names[i] = ap_strdup(ps[0].ls.series.v[i].name);
	for (size_t i = 0; i < ps[0].ls.series.nwarnings; i++) {
		if (ap_array_grow((void **)&d->warnings, &d->wcap, d->nwarnings + 1,
				  sizeof *d->warnings) < 0)
			break;
		d->warnings[d->nwarnings].where = ap_strdup(ps[0].ls.series.warnings[i].where);
		d->warnings[d->nwarnings].what = ap_strdup(ps[0].ls.series.warnings[i].what);
		d->nwarnings++;
	}
	for (size_t c = 0; c < d->ncols; c++) {
		size_t k;

		for (k = 0; strcmp(ps[k].platform, d->cols[c].platform) != 0; k++)
			;
		if (eval_column(d, c, &ps[k], o, &git, err) < 0)
			goto out;
	}
	mark_expected(d, ps, err);
	if (o->find_merges && find_merges(d, ps, nps, err) < 0)
		goto out;
	rc = 0;
out:
	ap_git_free(git);
	for (size_t k = 0; k < nps; k++)
		if (ps[k].loaded)
			ap_loaded_series_free(&ps[k].ls);
	free(ps);
	return rc;
}

int ap_drift_failed(const ap_drift *d, ap_drift_fail_on f)
{
	for (size_t i = 0; i < d->npatches * d->ncols; i++) {
		ap_drift_status s = d->cells[i].status;

		/* Applied-Upstream said so: only --fail-on any asks to hear it */
		if (d->cells[i].expected) {
			if (f == AP_FAIL_ON_ANY)
				return 1;
			continue;
		}
		if (s == AP_DRIFT_CONFLICT || s == AP_DRIFT_PARTLY || s == AP_DRIFT_ERROR)
			return 1;
		if (f >= AP_FAIL_ON_DRIFT && (s == AP_DRIFT_DRIFTED || s == AP_DRIFT_NEEDS_FUZZ))
			return 1;
		if (f == AP_FAIL_ON_ANY && s == AP_DRIFT_UPSTREAMED)
			return 1;
	}
	return 0;
}

/* Every cell's status at one commit, for every platform, as a string:
 * equal strings mean nothing changed for any patch. */
static char *signature_at(const char *commit, const char *repo, const char **platforms,
			  const ap_drift_opts *o, ap_error *err)
{
	ap_drift d = AP_DRIFT_INIT;
	ap_drift_opts one = *o;
	ap_upstream u = { AP_UPSTREAM_GIT, repo, commit };
	ap_buf sig = AP_BUF_INIT;

	one.find_merges = 0;
	for (size_t k = 0; platforms[k]; k++)
		if (ap_drift_add_column(&d, commit, platforms[k], &u, commit, err) < 0) {
			ap_drift_free(&d);
			return NULL;
		}
	if (ap_drift_run(&d, &one, err) < 0) {
		ap_drift_free(&d);
		return NULL;
	}
	for (size_t i = 0; i < d.npatches * d.ncols; i++) {
		ap_buf_printf(&sig, "%d.", (int)d.cells[i].status);
		if (d.cells[i].status == AP_DRIFT_NEEDS_FUZZ)
			ap_buf_printf(&sig, "%d", d.cells[i].fuzz);
	}
	ap_buf_putc(&sig, ';');
	ap_drift_free(&d);
	return ap_buf_detach(&sig, NULL);
}

/* Bisects commits[lo..hi] (signatures at lo and hi known) for the commits
 * where the signature changes; a change that reverts inside a stretch
 * whose ends agree is not seen (as with git bisect). */
static int bisect_changes(const ap_strlist *commits, char **sigs, size_t lo, size_t hi,
			  const char *repo, const char **platforms, const ap_drift_opts *o,
			  int *change, size_t *looked, ap_error *err)
{
	size_t mid;

	if (strcmp(sigs[lo], sigs[hi]) == 0)
		return 0;
	if (hi == lo + 1) {
		change[hi] = 1;
		return 0;
	}
	mid = lo + (hi - lo) / 2;
	if (!sigs[mid]) {
		sigs[mid] = signature_at(commits->v[mid], repo, platforms, o, err);
		if (!sigs[mid])
			return -1;
		(*looked)++;
	}
	if (bisect_changes(commits, sigs, lo, mid, repo, platforms, o, change, looked, err) < 0)
		return -1;
	return bisect_changes(commits, sigs, mid, hi, repo, platforms, o, change, looked, err);
}

int ap_drift_range_changes(const char *repo, const ap_strlist *commits, const char **platforms,
			   const ap_drift_opts *o, int *change, size_t *looked, ap_error *err)
{
	char **sigs;
	int rc = 0;

	*looked = 0;
	if (commits->n == 0)
		return 0;
	sigs = calloc(commits->n, sizeof *sigs);
	if (!sigs)
		return ap_error_set(err, "out of memory");
	change[0] = 1;
	sigs[0] = signature_at(commits->v[0], repo, platforms, o, err);
	sigs[commits->n - 1] = commits->n > 1 ? signature_at(commits->v[commits->n - 1], repo,
							    platforms, o, err) : NULL;
	*looked = commits->n > 1 ? 2 : 1;
	if (!sigs[0] || (commits->n > 1 && !sigs[commits->n - 1]))
		rc = -1;
	else if (commits->n > 1)
		rc = bisect_changes(commits, sigs, 0, commits->n - 1, repo, platforms, o, change,
				    looked, err);
	for (size_t i = 0; i < commits->n; i++)
		free(sigs[i]);
	free(sigs);
	return rc;
}

size_t ap_drift_checked(const ap_drift *d)
{
	size_t n = 0;

	for (size_t i = 0; i < d->npatches * d->ncols; i++)
		n += d->cells[i].status != AP_DRIFT_SKIPPED;
	return n;
}

void ap_drift_free(ap_drift *d)
{
	for (size_t i = 0; d->cells && i < d->npatches * d->ncols; i++) {
		ap_patch_result_free(&d->cells[i].result);
		free(d->cells[i].error);
		free(d->cells[i].verify);
	}
	for (size_t i = 0; i < d->npatches; i++) {
		free(d->names[i]);
		if (d->merges) {
			ap_drift_merge *m = &d->merges[i];

			free(m->commit);
			free(m->summary);
			free(m->tag);
			for (size_t h = 0; h < m->nhunks; h++) {
				free(m->hunks[h].file);
				free(m->hunks[h].commit);
				free(m->hunks[h].tag);
			}
			free(m->hunks);
			free(m->present_commit);
			free(m->present_tag);
			free(m->applied_upstream);
		}
	}
	for (size_t c = 0; c < d->ncols; c++) {
		free(d->cols[c].label);
		free(d->cols[c].platform);
		free((char *)d->cols[c].upstream.location);
		free((char *)d->cols[c].upstream.rev);
		free(d->cols[c].commit);
	}
	for (size_t i = 0; i < d->nwarnings; i++) {
		free(d->warnings[i].where);
		free(d->warnings[i].what);
	}
	free(d->warnings);
	free(d->cols);
	free(d->cells);
	free(d->merges);
	free(d->names);
	free(d->patches_dir);
	memset(d, 0, sizeof *d);
}
