/* identity.c - what a patch changes, as one SHA-256 (identity.h). */
#include "identity.h"

#include <stdlib.h>
#include <string.h>

/* The mode apply gives the file, as a class: 0644 and 0664 give the same
 * result, and a modify that leaves the mode (git's `index ... 100644`, or
 * no mode at all) is one thing (version 2). */
static unsigned mode_class(const ap_file_diff *f)
{
	unsigned m = f->new_mode;

	if (f->op == AP_OP_DELETE)
		return 0;
	if (f->op == AP_OP_MODIFY && m == f->old_mode)
		return 0;
	if (f->op == AP_OP_CREATE && m == 0)
		m = 0100644;
	return m == 0100664 ? 0100644 : m;
}

static unsigned mode_norm(unsigned m)
{
	return m == 0100664 ? 0100644 : m;
}

/* Version 3: the kind of file the patch works on (a symlink, 120000, or a
 * regular file, which is what a patch without modes means), then the mode
 * it gives and, when it changes the mode, the mode it takes: "120000
 * kept" is not "100644 kept", and 100755 -> 100644 is not 100644 ->
 * 100664 (the last is no change: apply writes 0644 for both). A kept or
 * deleted regular file's exec bit is left out, as v2 left it: diff -u
 * does not say it. */
static void mode_class_v3(const ap_file_diff *f, unsigned out[3])
{
	unsigned o = mode_norm(f->old_mode), n = mode_norm(f->new_mode);
	unsigned side = f->op == AP_OP_CREATE ? n : o ? o : n;

	out[0] = (side & 0170000) == 0120000 ? 0120000 : 0100000;
	out[1] = out[2] = 0;
	if (f->op == AP_OP_CREATE)
		out[1] = n ? n : 0100644;
	else if (f->op != AP_OP_DELETE && o && n && o != n) {
		out[1] = n;
		out[2] = o;
	}
}

/* The digest fed in big chunks: the many small pieces (a line's kind,
 * end and length, then its bytes) are gathered here first. */
typedef struct feed {
	ap_digest d;
	int bad;
	int version;                  /* of the rule: 1, 2 or 3 */
	const ap_line **pre, **post;  /* version 2: one hunk's two sides */
	size_t cap;
	size_t n;
	char buf[1 << 16];
} feed;

static void flush(feed *f)
{
	if (f->n && ap_digest_add(&f->d, f->buf, f->n) < 0)
		f->bad = 1;
	f->n = 0;
}

static void put(feed *f, const void *data, size_t len)
{
	if (len > sizeof f->buf - f->n) {
		flush(f);
		if (len >= sizeof f->buf) {
			if (ap_digest_add(&f->d, data, len) < 0)
				f->bad = 1;
			return;
		}
	}
	memcpy(f->buf + f->n, data, len);
	f->n += len;
}

static void put_c(feed *f, char c)
{
	if (f->n == sizeof f->buf)
		flush(f);
	f->buf[f->n++] = c;
}

/* An unsigned number in base 8 or 10, as printf's %o, %zu and %lu. */
static void put_num(feed *f, unsigned long long v, unsigned base)
{
	char t[24];
	size_t i = sizeof t;

	do {
		t[--i] = (char)('0' + v % base);
		v /= base;
	} while (v);
	put(f, t + i, sizeof t - i);
}

/* A signed number, as %ld and %d. */
static void put_long(feed *f, long v)
{
	if (v < 0) {
		put_c(f, '-');
		put_num(f, -(unsigned long long)v, 10);
	} else {
		put_num(f, (unsigned long long)v, 10);
	}
}

static void put_str(feed *f, const char *s)
{
	size_t n;

	if (!s) {
		put(f, "-\n", 2);
		return;
	}
	n = strlen(s);
	put_num(f, n, 10);
	put_c(f, ':');
	put(f, s, n);
}

/* A file's header, as every version hashes it (version 1 with the count
 * of hunks, later ones without; version 3 with its modes' classes). */
static void add_head(feed *d, const ap_file_diff *f, int with_hunks)
{
	int named_source = f->op == AP_OP_RENAME || f->op == AP_OP_COPY;

	put(d, "file ", 5);
	put_long(d, (long)f->op);
	put_c(d, ' ');
	if (d->version >= 3) {
		unsigned m[3];

		mode_class_v3(f, m);
		for (int i = 0; i < 3; i++) {
			put_num(d, m[i], 8);
			put_c(d, i < 2 ? ' ' : '\n');
		}
		put_str(d, named_source ? f->old_path : NULL);
		put_str(d, ap_file_diff_target(f));
		return;
	}
	put_num(d, mode_class(f), 8);
	if (with_hunks) {
		put_c(d, ' ');
		put_num(d, f->nhunks, 10);
	}
	put_c(d, '\n');
	put_str(d, named_source ? f->old_path : NULL);
	put_str(d, ap_file_diff_target(f));
}

static void put_line(feed *d, const ap_line *l)
{
	put_long(d, (long)l->eol);
	put_c(d, ' ');
	put_num(d, l->len, 10);
	put_c(d, ':');
	put(d, l->text, l->len);
}

/* Version 1: every hunk line as the diff aligns it, files in patch order
 * (the bytes are those "file %d %o %zu\n", "hunk %ld %ld %zu\n" and
 * "%c%d %zu:" wrote before the digest was buffered). */
static void add_file_v1(feed *d, const ap_file_diff *f)
{
	add_head(d, f, 1);
	for (size_t h = 0; h < f->nhunks; h++) {
		const ap_hunk *hk = &f->hunks[h];

		put(d, "hunk ", 5);
		put_long(d, hk->old_count);
		put_c(d, ' ');
		put_long(d, hk->new_count);
		put_c(d, ' ');
		put_num(d, hk->nlines, 10);
		put_c(d, '\n');
		for (size_t i = 0; i < hk->nlines; i++) {
			put_c(d, hk->lines[i].kind);
			put_line(d, &hk->lines[i]);
		}
	}
}

/* One hunk of version 2: lead context, the old side's changed lines, the
 * new side's, trailing context (the kinds are implied by the counts).
 * Version 3 begins it with where the change is (add_lines_v2). */
static void put_hunk(feed *d, long at, const ap_line *const *lead, size_t nlead,
		     const ap_line *const *old, size_t nold, const ap_line *const *new,
		     size_t nnew, const ap_line *const *trail, size_t ntrail)
{
	if (d->version >= 3) {
		put(d, "at ", 3);
		put_long(d, at);
		put_c(d, '\n');
	}
	put(d, "hunk ", 5);
	put_num(d, nlead, 10);
	put_c(d, ' ');
	put_num(d, nold, 10);
	put_c(d, ' ');
	put_num(d, nnew, 10);
	put_c(d, ' ');
	put_num(d, ntrail, 10);
	put_c(d, '\n');
	for (size_t i = 0; i < nlead; i++)
		put_line(d, lead[i]);
	for (size_t i = 0; i < nold; i++)
		put_line(d, old[i]);
	for (size_t i = 0; i < nnew; i++)
		put_line(d, new[i]);
	for (size_t i = 0; i < ntrail; i++)
		put_line(d, trail[i]);
}

/* Version 2: a hunk as its two sides (context and '-' lines in order; context
 * and '+' lines in order), less the lines both sides begin and end with
 * beyond AP_IDENTITY_CONTEXT of them (identity.h says why). first is the
 * old file's line number of the piece's first old-side line: the change
 * is at first + p, the first line where the two sides differ (for lines
 * only added or only removed, the last place they could go: hi below),
 * which no tool's alignment or window moves (version 3 hashes it). */
static void add_lines_v2(feed *d, long first, const ap_line *lines, size_t nlines)
{
	size_t npre = 0, npost = 0, p = 0, s = 0, m, lead, trail;

	if (nlines > d->cap) {
		size_t cap = nlines * 2;
		const ap_line **pre = realloc(d->pre, cap * sizeof *pre);
		const ap_line **post;

		if (pre)
			d->pre = pre;
		post = pre ? realloc(d->post, cap * sizeof *post) : NULL;
		if (!post) {
			d->bad = 1;
			return;
		}
		d->post = post;
		d->cap = cap;
	}
	for (size_t i = 0; i < nlines; i++) {
		if (lines[i].kind != '+')
			d->pre[npre++] = &lines[i];
		if (lines[i].kind != '-')
			d->post[npost++] = &lines[i];
	}
	while (p < npre && p < npost && ap_line_eq(d->pre[p], d->post[p]))
		p++;
	m = npre < npost ? npre : npost;
	while (s < m && ap_line_eq(d->pre[npre - 1 - s], d->post[npost - 1 - s]))
		s++;
	if (p == m && npre == npost)
		return;   /* changes nothing */
	if (p + s < m) {
		/* both sides change: the lines between the first and the last
		 * difference, and up to AP_IDENTITY_CONTEXT on each side */
		lead = p < AP_IDENTITY_CONTEXT ? p : AP_IDENTITY_CONTEXT;
		trail = s < AP_IDENTITY_CONTEXT ? s : AP_IDENTITY_CONTEXT;
		put_hunk(d, first + (long)p, d->pre + p - lead, lead, d->pre + p, npre - p - s,
			 d->post + p, npost - p - s, d->pre + npre - s, trail);
		return;
	}
	/* Lines only added or only removed, which could go anywhere from lo
	 * to hi on the shorter side (a line added next to its twin): taken at
	 * hi, with the context every tool's window holds wherever it put them
	 * (at least AP_IDENTITY_CONTEXT lines either side of its choice). */
	{
		const ap_line **shorter = npre < npost ? d->pre : d->post;
		const ap_line **longer = npre < npost ? d->post : d->pre;
		size_t lo = m - s, hi = p, n = (npre > npost ? npre : npost) - m;
		size_t from = hi > AP_IDENTITY_CONTEXT ? hi - AP_IDENTITY_CONTEXT : 0;
		size_t to = lo + AP_IDENTITY_CONTEXT < m ? lo + AP_IDENTITY_CONTEXT : m;

		lead = to > from ? (to < hi ? to : hi) - from : 0;
		trail = to > hi ? to - hi : 0;
		put_hunk(d, first + (long)hi, shorter + from, lead,
			 npre < npost ? NULL : longer + hi, npre < npost ? 0 : n,
			 npre < npost ? longer + hi : NULL, npre < npost ? n : 0, shorter + hi,
			 trail);
	}
}

/* A hunk, cut where more than twice AP_IDENTITY_CONTEXT unchanged lines
 * separate two changes (each piece keeps AP_IDENTITY_CONTEXT of them): a
 * diff with more context (-U5) joins into one hunk changes that -U3 shows
 * as two. */
static void add_hunk_v2(feed *d, const ap_hunk *hk)
{
	size_t start = 0, run = 0;
	int changed = 0;
	/* "@@ -5,0" inserts after line 5: its old side would begin at 6 */
	long first = hk->old_count == 0 ? hk->old_start + 1 : hk->old_start;

	for (size_t i = 0; i < hk->nlines; i++) {
		if (hk->lines[i].kind == ' ') {
			run++;
			continue;
		}
		if (changed && run > 2 * AP_IDENTITY_CONTEXT) {
			size_t next = i - AP_IDENTITY_CONTEXT;

			add_lines_v2(d, first, hk->lines + start,
				     i - run + AP_IDENTITY_CONTEXT - start);
			for (size_t j = start; j < next; j++)
				first += hk->lines[j].kind != '+';
			start = next;
		}
		changed = 1;
		run = 0;
	}
	add_lines_v2(d, first, hk->lines + start, hk->nlines - start);
}

/* Files in the order of their target path, then their source path (the
 * patch's order where both are the same: one file patched twice). */
typedef struct file_ref {
	const ap_file_diff *f;
	size_t i;
} file_ref;

static int str_cmp(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int file_ref_cmp(const void *x, const void *y)
{
	const file_ref *a = x, *b = y;
	int c = str_cmp(ap_file_diff_target(a->f), ap_file_diff_target(b->f));

	if (c == 0)
		c = str_cmp(a->f->old_path, b->f->old_path);
	return c ? c : a->i < b->i ? -1 : a->i > b->i;
}

static feed *feed_begin(int version)
{
	static const char *const head[] = { "", "applypatch-identity 1\n",
					    "applypatch-identity 2\n", "applypatch-identity 3\n" };
	feed *f = malloc(sizeof *f);

	if (!f)
		return NULL;
	f->d = (ap_digest)AP_DIGEST_INIT;
	f->bad = 0;
	f->n = 0;
	f->pre = f->post = NULL;
	f->cap = 0;
	if (ap_digest_begin(&f->d, AP_DIGEST_SHA256) < 0) {
		free(f);
		return NULL;
	}
	f->version = version;
	put(f, head[version], strlen(head[version]));
	return f;
}

static int feed_end(feed *f, char out[AP_SHA256_HEX])
{
	int rc;

	flush(f);
	if (f->bad) {
		ap_digest_discard(&f->d);
		rc = -1;
	} else {
		rc = ap_digest_end(&f->d, out);
	}
	free(f->pre);
	free(f->post);
	free(f);
	return rc;
}

/* Versions 2 and 3: files in path order, hunks as their two sides. */
static int identity_sides(const ap_patch *p, int version, char out[AP_SHA256_HEX])
{
	feed *d = feed_begin(version);
	file_ref *order = calloc(p->nfiles + 1, sizeof *order);

	if (!d) {
		free(order);
		return -1;
	}
	if (!order) {
		d->bad = 1;
		return feed_end(d, out);
	}
	for (size_t i = 0; i < p->nfiles; i++)
		order[i] = (file_ref){ &p->files[i], i };
	qsort(order, p->nfiles, sizeof *order, file_ref_cmp);
	for (size_t i = 0; i < p->nfiles; i++) {
		const ap_file_diff *f = order[i].f;

		add_head(d, f, 0);
		for (size_t h = 0; h < f->nhunks; h++)
			add_hunk_v2(d, &f->hunks[h]);
		put(d, "end\n", 4);
	}
	free(order);
	return feed_end(d, out);
}

int ap_patch_identity(const ap_patch *p, char out[AP_SHA256_HEX])
{
	return identity_sides(p, 3, out);
}

int ap_patch_identity_v2(const ap_patch *p, char out[AP_SHA256_HEX])
{
	return identity_sides(p, 2, out);
}

int ap_patch_identity_v1(const ap_patch *p, char out[AP_SHA256_HEX])
{
	feed *d = feed_begin(1);

	if (!d)
		return -1;
	for (size_t i = 0; i < p->nfiles; i++)
		add_file_v1(d, &p->files[i]);
	return feed_end(d, out);
}

int ap_patch_identity_of(const char *data, size_t len, int strip, char out[AP_SHA256_HEX])
{
	ap_patch p = AP_PATCH_INIT;
	ap_error err = AP_ERROR_INIT;
	int rc;

	if (ap_patch_parse(&p, "patch", data, len, strip, &err) < 0)
		return ap_patch_id(data, len, out);
	rc = ap_patch_identity(&p, out);
	ap_patch_free(&p);
	return rc;
}
