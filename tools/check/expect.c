/* expect.c - the expectations file, the checks, and verify's report.
 *
 * Parsing is strict (an unknown check name or setting is an error naming
 * the line), because a typo in an expectation would otherwise pass
 * silently. See expect.h for the format and verify(1) for the details.
 */
#include "expect.h"
#include "attribute.h"
#include "json.h"
#include "series.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum meas_kind { MEAS_WORDS, MEAS_BYTES };

static const struct {
	const char *name;
	enum meas_kind kind;
	int commit;     /* the noise allowance applies */
} checks[] = {
	{ "pool.mmap.flags", MEAS_WORDS, 0 },
	{ "pool.mmap.size", MEAS_BYTES, 0 },
	{ "pool.vmflags", MEAS_WORDS, 0 },
	{ "pool.commit", MEAS_BYTES, 1 },
	{ "pool.default", MEAS_BYTES, 0 },
	{ "fork.commit", MEAS_BYTES, 1 },
	{ "pool.winstate", MEAS_WORDS, 0 },
	{ "libgap.fork.commit", MEAS_BYTES, 1 },
	{ "gmp.fresh_bags", MEAS_WORDS, 0 },
};
#define NCHECKS (sizeof(checks) / sizeof(checks[0]))

const char *const ap_check_names[] = {
	"pool.mmap.flags", "pool.mmap.size", "pool.vmflags", "pool.commit",
	"pool.default", "fork.commit", "pool.winstate", "libgap.fork.commit", "gmp.fresh_bags",
	NULL,
};

static int check_index(const char *name)
{
	for (size_t i = 0; i < NCHECKS; i++)
		if (strcmp(checks[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* --- sizes --------------------------------------------------------------- */

static long long unit_value(const char *u, size_t n)
{
	static const struct {
		const char *name;
		int shift;
	} units[] = {
		{ "B", 0 },   { "K", 10 },  { "KB", 10 }, { "kB", 10 }, { "KiB", 10 },
		{ "M", 20 },  { "MB", 20 }, { "MiB", 20 }, { "G", 30 }, { "GB", 30 },
		{ "GiB", 30 }, { "T", 40 }, { "TB", 40 }, { "TiB", 40 },
	};
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strlen(units[i].name) == n && memcmp(units[i].name, u, n) == 0)
			return 1LL << units[i].shift;
	/* GAP's own spelling: 1g, 512m, 64k */
	if (n == 1 && strchr("kmgt", u[0]))
		return 1LL << (u[0] == 'k' ? 10 : u[0] == 'm' ? 20 : u[0] == 'g' ? 30 : 40);
	return -1;
}

long long ap_size_parse(const char *s)
{
	char *end;
	errno = 0;
	unsigned long long n = strtoull(s, &end, 10);
	if (end == s || errno || s[0] == '-')
		return -1;
	long long unit = 1;
	if (*end) {
		unit = unit_value(end, strlen(end));
		if (unit < 0)
			return -1;
	}
	if (n > (unsigned long long)(LLONG_MAX / unit))
		return -1;
	return (long long)n * unit;
}

void ap_size_format(long long bytes, ap_buf *out)
{
	const long long MiB = 1LL << 20, KiB = 1LL << 10;
	/* 0 - (unsigned)bytes: LLONG_MIN has no negation as a long long */
	unsigned long long a = bytes < 0 ? 0ULL - (unsigned long long)bytes
					 : (unsigned long long)bytes;
	const char *sign = bytes < 0 ? "-" : "";
	if (a < (unsigned long long)MiB) {
		if (a % KiB == 0 && a)
			ap_buf_printf(out, "%s%llu KiB", sign, a / KiB);
		else
			ap_buf_printf(out, "%s%llu B", sign, a);
	} else if (a % MiB == 0) {
		ap_buf_printf(out, "%s%llu MiB", sign, a / MiB);
	} else if (a % KiB == 0 && a % MiB <= 64 * (unsigned long long)KiB) {
		/* a pool plus its alignment page: "2048 MiB + 4 KiB" */
		ap_buf_printf(out, "%s%llu MiB + %llu KiB", sign, a / MiB, (a % MiB) / KiB);
	} else {
		ap_buf_printf(out, "%s%.1f MiB", sign, (double)a / (double)MiB);
	}
}

/* --- parsing --------------------------------------------------------------- */

static void cond_free(ap_cond *c)
{
	for (size_t i = 0; i < c->nwords; i++)
		free(c->words[i]);
	free(c->words);
	free(c->text);
}

void ap_expect_free(ap_expect *e)
{
	for (size_t i = 0; i < e->n; i++) {
		ap_expect_line *l = &e->lines[i];
		for (size_t j = 0; j < l->nconds; j++)
			cond_free(&l->conds[j]);
		free(l->conds);
		free(l->platform);
		free(l->mode);
		free(l->check);
	}
	free(e->lines);
	for (size_t i = 0; i < e->nsets; i++) {
		free(e->sets[i].platform);
		free(e->sets[i].mode);
		free(e->sets[i].key);
		free(e->sets[i].value);
	}
	free(e->sets);
	free(e->path);
	memset(e, 0, sizeof(*e));
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

/* VALUE := TERM ('*' TERM)* [UNIT];  TERM := number | pool | s | forks */
/* The largest size a condition or setting may name: far above any memory,
 * far below where a long long (or a double's exact integers) give out. */
#define SIZE_LIMIT 0x1p60   /* 1 EiB */

static int too_large(double d)
{
	return !(d <= SIZE_LIMIT);   /* NaN and infinity too */
}

static int parse_value(char *v, ap_cond *c, const char *where, size_t lineno, ap_error *err)
{
	c->number = 1;
	while (*v == ' ')
		v++;
	char *p = v;
	int terms = 0;
	for (;;) {
		while (*p == ' ')
			p++;
		if (isdigit((unsigned char)*p) || *p == '.') {
			char *q;
			double d = strtod(p, &q);
			c->number *= d;
			p = q;
			if (too_large(c->number))
				return ap_error_set(err, "%s:%zu: '%s' is too large (the limit is "
						    "1 EiB)", where, lineno, v);
		} else if (strncmp(p, "pool", 4) == 0 && !isalnum((unsigned char)p[4])) {
			c->pool_pow++;
			p += 4;
		} else if (strncmp(p, "forks", 5) == 0 && !isalnum((unsigned char)p[5])) {
			c->forks_pow++;
			p += 5;
		} else if (p[0] == 's' && !isalnum((unsigned char)p[1])) {
			c->s_pow++;
			p += 1;
		} else {
			return ap_error_set(err, "%s:%zu: '%s' is not a size (a number, pool, s or "
					    "forks, joined by '*', with a unit such as MiB)",
					    where, lineno, v);
		}
		terms++;
		while (*p == ' ')
			p++;
		if (*p == '*') {
			p++;
			continue;
		}
		break;
	}
	if (*p) {
		char *u = p;
		while (*p && *p != ' ')
			p++;
		long long unit = unit_value(u, (size_t)(p - u));
		while (*p == ' ')
			p++;
		if (unit < 0 || *p)
			return ap_error_set(err, "%s:%zu: unknown unit '%s' (use B, KiB, MiB, GiB, "
					    "TiB; all powers of 1024)", where, lineno, u);
		c->number *= (double)unit;
		if (too_large(c->number))
			return ap_error_set(err, "%s:%zu: '%s' is too large (the limit is 1 EiB)",
					    where, lineno, v);
	}
	if (c->pool_pow > 1 || c->s_pow > 1 || (c->pool_pow && c->s_pow) || !terms)
		return ap_error_set(err, "%s:%zu: '%s': at most one of pool or s", where, lineno, v);
	if (c->forks_pow > 1)
		return ap_error_set(err, "%s:%zu: '%s': forks at most once", where, lineno, v);
	return 0;
}

static int parse_cond(char *text, ap_cond *c, int kind_words, const char *check,
		      const char *where, size_t lineno, ap_error *err)
{
	char *t = trim(text);
	memset(c, 0, sizeof(*c));
	c->text = ap_strdup(t);
	if (!c->text)
		return ap_error_set(err, "out of memory");
	if (strcmp(t, "report") == 0) {
		c->kind = AP_COND_REPORT;
		return 0;
	}
	size_t w0 = strcspn(t, " \t");
	if ((w0 == 3 && strncmp(t, "has", 3) == 0) || (w0 == 5 && strncmp(t, "lacks", 5) == 0)) {
		if (!kind_words)
			return ap_error_set(err, "%s:%zu: %s is a size: compare it with <, <=, >, "
					    ">=, == or !=", where, lineno, check);
		c->kind = t[0] == 'h' ? AP_COND_HAS : AP_COND_LACKS;
		char *p = t + w0;
		char *save = NULL;
		for (char *w = strtok_r(p, " \t,", &save); w; w = strtok_r(NULL, " \t,", &save)) {
			char **nv = realloc(c->words, (c->nwords + 1) * sizeof(*nv));
			if (!nv)
				return ap_error_set(err, "out of memory");
			c->words = nv;
			c->words[c->nwords] = ap_strdup(w);
			if (!c->words[c->nwords])
				return ap_error_set(err, "out of memory");
			c->nwords++;
		}
		if (!c->nwords)
			return ap_error_set(err, "%s:%zu: '%s' names nothing", where, lineno, t);
		return 0;
	}
	static const struct {
		const char *s;
		enum ap_cmp_op op;
	} ops[] = { { "<=", AP_OP_LE }, { ">=", AP_OP_GE }, { "==", AP_OP_EQ },
		    { "!=", AP_OP_NE }, { "<", AP_OP_LT },  { ">", AP_OP_GT } };
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t n = strlen(ops[i].s);
		if (strncmp(t, ops[i].s, n) == 0) {
			if (kind_words)
				return ap_error_set(err, "%s:%zu: %s is a set of flags: use 'has' or "
						    "'lacks'", where, lineno, check);
			c->kind = AP_COND_CMP;
			c->op = ops[i].op;
			return parse_value(t + n, c, where, lineno, err);
		}
	}
	return ap_error_set(err, "%s:%zu: '%s': expected 'has WORD...', 'lacks WORD...', a "
			    "comparison (< <= > >= == !=) or 'report'", where, lineno, t);
}

static int add_setting(ap_expect *e, const char *platform, const char *mode, char *key,
		       char *value, const char *where, size_t lineno, ap_error *err)
{
	if (strcmp(key, "probe.pool") == 0) {
		if (ap_size_parse(value) <= 0)
			return ap_error_set(err, "%s:%zu: probe.pool: '%s' is not a size GAP's -s "
					    "takes (e.g. 1g, 512m)", where, lineno, value);
	} else if (strcmp(key, "probe.forks") == 0) {
		char *q;
		long n = strtol(value, &q, 10);
		if (*q || n < 0 || n > 64)
			return ap_error_set(err, "%s:%zu: probe.forks: '%s' is not a number from "
					    "0 to 64", where, lineno, value);
	} else if (strcmp(key, "probe.fork_at") == 0) {
		if (strcmp(value, "pool") != 0 && strcmp(value, "library") != 0)
			return ap_error_set(err, "%s:%zu: probe.fork_at: '%s': use 'pool' (right "
					    "after the pool mmap) or 'library' (once GAP reads "
					    "its library)", where, lineno, value);
	} else if (strcmp(key, "commit.noise") == 0) {
		ap_cond c;
		memset(&c, 0, sizeof(c));
		if (parse_value(value, &c, where, lineno, err) < 0)
			return -1;
		if (c.pool_pow || c.s_pow || c.forks_pow)
			return ap_error_set(err, "%s:%zu: commit.noise must be a plain size",
					    where, lineno);
	} else if (strcmp(key, "gmp.workload") != 0 && strcmp(key, "gmp.args") != 0) {
		return ap_error_set(err, "%s:%zu: unknown setting '%s' (known: probe.pool, "
				    "probe.forks, probe.fork_at, commit.noise, gmp.workload, "
				    "gmp.args)", where, lineno, key);
	}
	if (ap_array_grow((void **)&e->sets, &e->scap, e->nsets + 1, sizeof(*e->sets)) < 0)
		return ap_error_set(err, "out of memory");
	struct ap_expect_scope *s = &e->sets[e->nsets++];
	memset(s, 0, sizeof(*s));
	s->platform = platform ? ap_strdup(platform) : NULL;
	s->mode = mode ? ap_strdup(mode) : NULL;
	s->key = ap_strdup(key);
	s->value = ap_strdup(value);
	s->lineno = lineno;
	if (!s->key || !s->value || (platform && !s->platform) || (mode && !s->mode))
		return ap_error_set(err, "out of memory");
	return 0;
}

int ap_expect_parse(ap_expect *e, const char *text, size_t len, const char *where,
		    ap_error *err)
{
	char *copy = ap_strndup(text, len);
	char platform[64] = "", mode[16] = "";
	size_t lineno = 0;
	int rc = 0;
	if (!copy)
		return ap_error_set(err, "out of memory");
	if (memchr(text, '\0', len)) {
		free(copy);
		return ap_error_set(err, "%s: holds a NUL byte: not a text file", where);
	}
	for (char *p = copy, *nl; p && rc == 0; p = nl) {
		nl = strchr(p, '\n');
		if (nl)
			*nl++ = '\0';
		lineno++;
		char *hash = strchr(p, '#');
		if (hash)
			*hash = '\0';
		char *l = trim(p);
		if (!*l)
			continue;
		if (*l == '[') {
			char *close = strchr(l, ']');
			if (!close || trim(close + 1)[0]) {
				rc = ap_error_set(err, "%s:%zu: a section header is '[platform]' or "
						  "'[platform native|emulated]'", where, lineno);
				break;
			}
			*close = '\0';
			char *save = NULL;
			char *w1 = strtok_r(l + 1, " \t", &save);
			char *w2 = strtok_r(NULL, " \t", &save);
			char *w3 = strtok_r(NULL, " \t", &save);
			if (!w1 || w3 || strlen(w1) >= sizeof(platform)) {
				rc = ap_error_set(err, "%s:%zu: a section header is '[platform]' or "
						  "'[platform native|emulated]'", where, lineno);
				break;
			}
			if (!ap_platform_known(w1)) {
				rc = ap_error_set(err, "%s:%zu: unknown platform '%s'", where, lineno, w1);
				break;
			}
			if (w2 && strcmp(w2, "native") != 0 && strcmp(w2, "emulated") != 0) {
				rc = ap_error_set(err, "%s:%zu: unknown mode '%s' (native or emulated)",
						  where, lineno, w2);
				break;
			}
			snprintf(platform, sizeof(platform), "%s", w1);
			snprintf(mode, sizeof(mode), "%s", w2 ? w2 : "");
			continue;
		}
		char *eq = strchr(l, '=');
		char *sp = l + strcspn(l, " \t");
		if (eq && eq < sp + strspn(sp, " \t") + 1 && eq[1] != '=' && eq > l &&
		    eq[-1] != '<' && eq[-1] != '>' && eq[-1] != '!' && eq[-1] != '=') {
			*eq = '\0';
			rc = add_setting(e, platform[0] ? platform : NULL, mode[0] ? mode : NULL,
					 trim(l), trim(eq + 1), where, lineno, err);
			continue;
		}
		if (!platform[0]) {
			rc = ap_error_set(err, "%s:%zu: a check before any [platform] section",
					  where, lineno);
			break;
		}
		/* the name ends at a blank or where a comparison starts */
		char name[64];
		size_t nl_ = strspn(l, "abcdefghijklmnopqrstuvwxyz_.");
		if (nl_ == 0 || nl_ >= sizeof(name) || (l[nl_] && !strchr(" \t<>=!", l[nl_])))
			nl_ = (size_t)(sp - l) < sizeof(name) ? (size_t)(sp - l) : sizeof(name) - 1;
		memcpy(name, l, nl_);
		name[nl_] = '\0';
		char *rest = l + nl_;
		int ci = check_index(name);
		if (ci < 0) {
			ap_buf known = AP_BUF_INIT;
			for (size_t i = 0; i < NCHECKS; i++)
				ap_buf_printf(&known, "%s%s", i ? ", " : "", checks[i].name);
			rc = ap_error_set(err, "%s:%zu: unknown check '%s' (known: %s)", where, lineno,
					  name, known.data);
			ap_buf_free(&known);
			break;
		}
		rest = trim(rest);
		if (!*rest) {
			rc = ap_error_set(err, "%s:%zu: %s: no condition (write 'report' to only "
					  "show the measurement)", where, lineno, name);
			break;
		}
		if (ap_array_grow((void **)&e->lines, &e->cap, e->n + 1, sizeof(*e->lines)) < 0) {
			rc = ap_error_set(err, "out of memory");
			break;
		}
		ap_expect_line *el = &e->lines[e->n++];
		memset(el, 0, sizeof(*el));
		el->platform = ap_strdup(platform);
		el->mode = mode[0] ? ap_strdup(mode) : NULL;
		el->check = ap_strdup(name);
		el->lineno = lineno;
		char *save = NULL;
		for (char *c = strtok_r(rest, ";", &save); c && rc == 0; c = strtok_r(NULL, ";", &save)) {
			ap_cond *nv = realloc(el->conds, (el->nconds + 1) * sizeof(*nv));
			if (!nv) {
				rc = ap_error_set(err, "out of memory");
				break;
			}
			el->conds = nv;
			rc = parse_cond(c, &el->conds[el->nconds], checks[ci].kind == MEAS_WORDS,
					name, where, lineno, err);
			el->nconds++;
		}
	}
	free(copy);
	return rc;
}

int ap_expect_load(ap_expect *e, const char *path, ap_error *err)
{
	ap_buf b = AP_BUF_INIT;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	memset(e, 0, sizeof(*e));
	if (fd < 0)
		return ap_error_sys(err, "%s: cannot open the expectations file", path);
	for (;;) {
		if (ap_buf_grow(&b, 4096) < 0) {
			close(fd);
			ap_buf_free(&b);
			return ap_error_set(err, "out of memory");
		}
		ssize_t n = read(fd, b.data + b.len, b.cap - b.len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int er = errno;
			close(fd);
			ap_buf_free(&b);
			errno = er;
			return ap_error_sys(err, "%s: cannot read", path);
		}
		if (n == 0)
			break;
		b.len += (size_t)n;
		if (b.len > (1 << 20)) {
			close(fd);
			ap_buf_free(&b);
			return ap_error_set(err, "%s: larger than 1 MiB: not an expectations file",
					    path);
		}
	}
	close(fd);
	e->path = ap_strdup(path);
	int rc = ap_expect_parse(e, b.data ? b.data : "", b.len, path, err);
	ap_buf_free(&b);
	if (rc < 0)
		ap_expect_free(e);
	return rc;
}

int ap_expect_has_platform(const ap_expect *e, const char *platform)
{
	for (size_t i = 0; i < e->n; i++)
		if (strcmp(e->lines[i].platform, platform) == 0)
			return 1;
	return 0;
}

static int scope_applies(const char *sp, const char *sm, const char *platform, const char *mode);

int ap_expect_wants(const ap_expect *e, const char *platform, const char *mode,
		    const char *prefix)
{
	for (size_t i = 0; i < e->n; i++)
		if (scope_applies(e->lines[i].platform, e->lines[i].mode, platform, mode) &&
		    strncmp(e->lines[i].check, prefix, strlen(prefix)) == 0)
			return 1;
	return 0;
}

static int scope_applies(const char *sp, const char *sm, const char *platform, const char *mode)
{
	if (sp && strcmp(sp, platform) != 0)
		return 0;
	if (sm && (!mode || strcmp(sm, mode) != 0))
		return 0;
	return 1;
}

int ap_expect_settings_for(const ap_expect *e, const char *platform, const char *mode,
			   ap_expect_settings *s, ap_error *err)
{
	const char *pool = "1g", *workload = "Bernoulli(1742);", *wargs = "-A -m 64m";
	memset(s, 0, sizeof(*s));
	s->forks = 4;
	s->noise_bytes = 32LL << 20;
	/* three passes: global, platform, platform+mode; later ones win */
	for (int pass = 0; pass < 3; pass++) {
		for (size_t i = 0; i < e->nsets; i++) {
			const struct ap_expect_scope *sc = &e->sets[i];
			int level = !sc->platform ? 0 : !sc->mode ? 1 : 2;
			if (level != pass || !scope_applies(sc->platform, sc->mode, platform, mode))
				continue;
			if (strcmp(sc->key, "probe.pool") == 0) {
				pool = sc->value;
			} else if (strcmp(sc->key, "probe.forks") == 0) {
				s->forks = atoi(sc->value);
			} else if (strcmp(sc->key, "probe.fork_at") == 0) {
				s->fork_at_library = strcmp(sc->value, "library") == 0;
			} else if (strcmp(sc->key, "gmp.workload") == 0) {
				workload = sc->value;
			} else if (strcmp(sc->key, "gmp.args") == 0) {
				wargs = sc->value;
			} else if (strcmp(sc->key, "commit.noise") == 0) {
				ap_cond c;
				memset(&c, 0, sizeof(c));
				ap_error ig = AP_ERROR_INIT;
				char *v = ap_strdup(sc->value);
				if (v && parse_value(v, &c, "", 0, &ig) == 0)
					s->noise_bytes = (long long)c.number;
				free(v);
			}
		}
	}
	s->pool = ap_strdup(pool);
	s->workload = ap_strdup(workload);
	s->workload_args = ap_strdup(wargs);
	if (!s->pool || !s->workload || !s->workload_args) {
		ap_expect_settings_free(s);
		return ap_error_set(err, "out of memory");
	}
	return 0;
}

void ap_expect_settings_free(ap_expect_settings *s)
{
	free(s->pool);
	free(s->workload);
	free(s->workload_args);
	s->pool = s->workload = s->workload_args = NULL;
}

/* --- measurements ------------------------------------------------------------ */

typedef struct measure {
	int known;
	char **words;
	size_t nwords;
	long long value;
	ap_buf text;
} measure;

static void measure_free(measure *m)
{
	for (size_t i = 0; i < m->nwords; i++)
		free(m->words[i]);
	free(m->words);
	ap_buf_free(&m->text);
}

static void split_words(measure *m, const char *s, const char *seps)
{
	char *copy = ap_strdup(s ? s : "");
	char *save = NULL;
	if (!copy)
		return;
	for (char *w = strtok_r(copy, seps, &save); w; w = strtok_r(NULL, seps, &save)) {
		char **nv = realloc(m->words, (m->nwords + 1) * sizeof(*nv));
		if (!nv)
			break;
		m->words = nv;
		m->words[m->nwords] = ap_strdup(w);
		if (m->words[m->nwords])
			m->nwords++;
	}
	free(copy);
}

static void commit_text(ap_buf *out, long long before_kb, long long after_kb)
{
	long long d = after_kb - before_kb;
	ap_buf_printf(out, "%+lld kB (", d);
	ap_size_format(d * 1024, out);
	ap_buf_printf(out, "): Committed_AS %lld -> %lld kB", before_kb, after_kb);
}

static void why_no_pool(ap_buf *out, const ap_probe_result *r)
{
	ap_buf_printf(out, "no pool mmap seen (%s; %s)",
		      r->stopped ? r->stopped : "tracing ended", r->command ? r->command : "");
}

/* gmp.fresh_bags: words "finished right", "finished wrong" or "ended". */
static void workload_measure(const ap_workload_result *w, measure *m)
{
	if (!w) {
		ap_buf_puts(&m->text, "not measured: the workload was not run for this target");
		return;
	}
	m->known = 1;
	if (w->gmp_fault) {
		split_words(m, "ended", " ");
		ap_buf_printf(&m->text, "ended in GMP at %s (%s)", w->gmp_fault, w->command);
		return;
	}
	if (!w->finished) {
		split_words(m, "ended", " ");
		ap_buf_printf(&m->text, "ended without finishing: %s (%s)",
			      w->why ? w->why : "no result", w->command);
		return;
	}
	split_words(m, w->right ? "finished right" : "finished wrong", " ");
	ap_buf_printf(&m->text, "finished %s (%s)",
		      w->right ? "with the right result" : "with a wrong result", w->command);
}

static void measure_get(const char *name, const ap_measures *ms, measure *m)
{
	const ap_probe_result *r = ms->pool_run;
	memset(m, 0, sizeof(*m));
	if (strcmp(name, "pool.default") == 0) {
		const ap_probe_result *d = ms->default_run;
		if (!d) {
			ap_buf_puts(&m->text, "not measured: the run without -s did not complete");
			return;
		}
		m->known = 1;
		if (d->pool_found) {
			m->value = (long long)d->pool.len;
			ap_size_format(m->value, &m->text);
		} else {
			m->value = 0;
			ap_buf_puts(&m->text, "0: no pool mapped before GAP read its library or "
					      "exited");
		}
		ap_buf_printf(&m->text, " (%s)", d->command ? d->command : "");
		return;
	}
	if (strcmp(name, "gmp.fresh_bags") == 0) {
		workload_measure(ms->workload, m);
		return;
	}
	if (strcmp(name, "libgap.fork.commit") == 0) {
		if (!ms->libgap_run) {
			ap_buf_puts(&m->text, "not measured: no libgap driver was built and run "
					      "for this target");
			return;
		}
		r = ms->libgap_run;
		name = "fork.commit";
	}
	if (!r) {
		ap_buf_puts(&m->text, "not measured: the pool run did not complete");
		return;
	}
	if (strcmp(name, "pool.winstate") == 0) {
		if (!r->win_found) {
			ap_buf_puts(&m->text, "not measured: VirtualQuery is read on a native "
					      "Cygwin host only");
			return;
		}
		m->known = 1;
		if (r->win_reserved)
			split_words(m, "reserved", " ");
		if (r->win_committed)
			split_words(m, "committed", " ");
		ap_size_format((long long)r->win_committed, &m->text);
		ap_buf_puts(&m->text, " committed, ");
		ap_size_format((long long)r->win_reserved, &m->text);
		ap_buf_printf(&m->text, " reserved of the allocation at 0x%llx (%s)", r->win_base,
			      r->command ? r->command : "");
		return;
	}
	if (strcmp(name, "fork.commit") == 0) {
		if (r->forks_wanted == 0) {
			ap_buf_puts(&m->text, "not measured: probe.forks is 0");
			return;
		}
		if (r->fork_error || r->forks_made < r->forks_wanted) {
			ap_buf_printf(&m->text, "not measured: %s",
				      r->fork_error ? r->fork_error : "fewer children than wanted");
			return;
		}
		m->known = 1;
		m->value = (r->fork_after_kb - r->fork_before_kb) * 1024;
		commit_text(&m->text, r->fork_before_kb, r->fork_after_kb);
		ap_buf_printf(&m->text, " for %d children (", r->forks_made);
		ap_size_format(m->value / r->forks_made, &m->text);
		ap_buf_puts(&m->text, " each)");
		if (r == ms->libgap_run)
			ap_buf_printf(&m->text, " of a process that initialized GAP through "
					       "libgap (%s)", r->command ? r->command : "");
		return;
	}
	if (!r->pool_found) {
		why_no_pool(&m->text, r);
		return;
	}
	if (strcmp(name, "pool.mmap.flags") == 0) {
		ap_buf f = AP_BUF_INIT, p = AP_BUF_INIT;
		ap_mmap_flags_format(r->pool.flags, &f);
		ap_mmap_prot_format(r->pool.prot, &p);
		m->known = 1;
		split_words(m, f.data, "|");
		ap_buf_printf(&m->text, "%s, %s, ", f.data, p.data);
		ap_size_format((long long)r->pool.len, &m->text);
		ap_buf_printf(&m->text, " at 0x%llx (%s)", r->pool.addr, r->command);
		ap_buf_free(&f);
		ap_buf_free(&p);
	} else if (strcmp(name, "pool.mmap.size") == 0) {
		m->known = 1;
		m->value = (long long)r->pool.len;
		ap_size_format(m->value, &m->text);
		ap_buf_printf(&m->text, " (%llu bytes; %s)", r->pool.len, r->command);
	} else if (strcmp(name, "pool.vmflags") == 0) {
		if (!r->vma_found) {
			ap_buf_puts(&m->text, "not measured: the pool mapping was not found in "
					      "/proc/PID/smaps");
			return;
		}
		m->known = 1;
		split_words(m, r->vma.vmflags, " ");
		ap_buf_printf(&m->text, "%s (0x%llx-0x%llx)", r->vma.vmflags, r->vma.start,
			      r->vma.end);
	} else if (strcmp(name, "pool.commit") == 0) {
		if (r->commit_before_kb <= 0 || r->commit_after_kb <= 0) {
			ap_buf_puts(&m->text, "not measured: /proc/meminfo unreadable");
			return;
		}
		m->known = 1;
		m->value = (r->commit_after_kb - r->commit_before_kb) * 1024;
		commit_text(&m->text, r->commit_before_kb, r->commit_after_kb);
	}
}

/* --- evaluation ------------------------------------------------------------------- */

static int has_word(const measure *m, const char *w)
{
	for (size_t i = 0; i < m->nwords; i++)
		if (strcmp(m->words[i], w) == 0)
			return 1;
	return 0;
}

/* Returns the bound in bytes, or 0 with *ok = 0 when it names a pool that
 * was not measured. */
static double cond_bound(const ap_cond *c, const ap_measures *ms, int *ok)
{
	double v = c->number;
	*ok = 1;
	if (c->pool_pow) {
		if (!ms->pool_run || !ms->pool_run->pool_found) {
			*ok = 0;
			return 0;
		}
		v *= (double)ms->pool_run->pool.len;
	}
	if (c->s_pow)
		v *= (double)ms->s_bytes;
	if (c->forks_pow)
		for (int i = 0; i < c->forks_pow; i++)
			v *= ms->pool_run ? (double)ms->pool_run->forks_wanted : 0;
	return v;
}

static double absd(double x)
{
	return x < 0 ? -x : x;
}

static int compare(enum ap_cmp_op op, double m, double b, double tol)
{
	switch (op) {
	case AP_OP_LT: return m < b + tol;
	case AP_OP_LE: return m <= b + tol;
	case AP_OP_GT: return m > b - tol;
	case AP_OP_GE: return m >= b - tol;
	case AP_OP_EQ: return absd(m - b) <= tol;
	case AP_OP_NE: return absd(m - b) > tol;
	}
	return 0;
}

static int eval_line(const ap_expect_line *l, const ap_measures *ms, ap_check_result *res)
{
	int ci = check_index(l->check);
	int commit = ci >= 0 && checks[ci].commit;
	measure m;
	ap_buf exp = AP_BUF_INIT;
	int pass = 1, report_only = 1;

	measure_get(l->check, ms, &m);
	for (size_t i = 0; i < l->nconds; i++) {
		const ap_cond *c = &l->conds[i];
		if (i)
			ap_buf_puts(&exp, "; ");
		ap_buf_puts(&exp, c->text);
		if (c->kind == AP_COND_REPORT)
			continue;
		report_only = 0;
		if (!m.known) {
			pass = 0;
			continue;
		}
		if (c->kind == AP_COND_HAS || c->kind == AP_COND_LACKS) {
			for (size_t w = 0; w < c->nwords; w++)
				if (has_word(&m, c->words[w]) != (c->kind == AP_COND_HAS))
					pass = 0;
			continue;
		}
		int ok;
		double b = cond_bound(c, ms, &ok);
		if (!ok) {
			ap_buf_puts(&exp, " (pool: not measured)");
			pass = 0;
			continue;
		}
		if (c->pool_pow || c->s_pow || c->forks_pow) {
			ap_buf_puts(&exp, " = ");
			/* 1 EiB times a pool and forks may pass a long long: never cast that */
			if (b > -0x1p62 && b < 0x1p62)
				ap_size_format((long long)(b < 0 ? b - 0.5 : b + 0.5), &exp);
			else
				ap_buf_printf(&exp, "%.3g B", b);
		}
		double tol = commit ? (double)ms->noise_bytes : 0;
		if (!compare(c->op, (double)m.value, b, tol))
			pass = 0;
	}
	if (commit && !report_only) {
		ap_buf_puts(&exp, " (noise allowance ");
		ap_size_format(ms->noise_bytes, &exp);
		ap_buf_putc(&exp, ')');
	}
	if (report_only && !m.known)
		pass = 1;   /* nothing was asked of it */
	res->name = ap_strdup(l->check);
	res->expected = ap_buf_detach(&exp, NULL);
	res->measured = m.text.data ? ap_strdup(m.text.data) : ap_strdup("");
	res->pass = pass;
	res->lineno = l->lineno;
	measure_free(&m);
	return res->name && res->expected && res->measured ? 0 : -1;
}

int ap_expect_evaluate(const ap_expect *e, const char *platform, const char *mode,
		       const ap_measures *m, ap_check_result **out, size_t *n, ap_error *err)
{
	size_t cap = *n;
	for (size_t i = 0; i < e->n; i++) {
		const ap_expect_line *l = &e->lines[i];
		if (!scope_applies(l->platform, l->mode, platform, mode))
			continue;
		if (ap_array_grow((void **)out, &cap, *n + 1, sizeof(**out)) < 0)
			return ap_error_set(err, "out of memory");
		ap_check_result *r = &(*out)[*n];
		memset(r, 0, sizeof(*r));
		(*n)++;
		if (eval_line(l, m, r) < 0)
			return ap_error_set(err, "out of memory");
	}
	return 0;
}

void ap_check_results_free(ap_check_result *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].expected);
		free(v[i].measured);
	}
	free(v);
}

/* --- targets -------------------------------------------------------------------------- */

int ap_target_note(ap_target *t, const char *fmt, ...)
{
	va_list ap;
	ap_buf b = AP_BUF_INIT;
	va_start(ap, fmt);
	int rc = ap_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	char **nv = realloc(t->notes, (t->nnotes + 1) * sizeof(*nv));
	if (rc < 0 || !nv) {
		ap_buf_free(&b);
		free(nv == t->notes ? NULL : nv);
		return -1;
	}
	t->notes = nv;
	t->notes[t->nnotes++] = ap_buf_detach(&b, NULL);
	return 0;
}

void ap_target_settle(ap_target *t)
{
	if (t->status)
		return;
	int pass = t->nchecks > 0;
	for (size_t i = 0; i < t->nchecks; i++)
		if (!t->checks[i].pass)
			pass = 0;
	t->status = ap_strdup(pass ? "pass" : "fail");
}

void ap_target_free(ap_target *t)
{
	free(t->platform);
	free(t->binary);
	free(t->status);
	free(t->error);
	free(t->log);
	for (size_t i = 0; i < t->nnotes; i++)
		free(t->notes[i]);
	free(t->notes);
	free(t->pool_command);
	free(t->default_command);
	ap_check_results_free(t->checks, t->nchecks);
	memset(t, 0, sizeof(*t));
}

/* --- rendering ----------------------------------------------------------------------------- */

static void render_text(ap_buf *out, const ap_target *ts, size_t n, int color)
{
	const char *green = color ? "\033[32m" : "", *red = color ? "\033[31m" : "";
	const char *bold = color ? "\033[1m" : "", *off = color ? "\033[0m" : "";
	for (size_t i = 0; i < n; i++) {
		const ap_target *t = &ts[i];
		int good = t->status && strcmp(t->status, "pass") == 0;
		ap_buf_printf(out, "%s%s (%s)%s: %s%s%s\n", bold, t->platform, t->mode, off,
			      good ? green : red, t->status ? t->status : "?", off);
		if (t->binary)
			ap_buf_printf(out, "  binary: %s\n", t->binary);
		if (t->error)
			ap_buf_printf(out, "  error: %s\n", t->error);
		if (t->log)
			ap_buf_printf(out, "  log: %s\n", t->log);
		for (size_t k = 0; k < t->nnotes; k++)
			ap_buf_printf(out, "  note: %s\n", t->notes[k]);
		for (size_t k = 0; k < t->nchecks; k++) {
			const ap_check_result *c = &t->checks[k];
			ap_buf_printf(out, "  %s%-4s%s %s\n", c->pass ? green : red,
				      c->pass ? "ok" : "FAIL", off, c->name);
			ap_buf_printf(out, "       expected: %s\n", c->expected);
			ap_buf_printf(out, "       measured: %s\n", c->measured);
		}
	}
}

static void render_json(ap_buf *out, const ap_target *ts, size_t n,
			const struct ap_attribution *attr)
{
	ap_json j;
	ap_json_init(&j, out);
	ap_json_begin_object(&j, NULL);
	ap_json_begin_array(&j, "targets");
	for (size_t i = 0; i < n; i++) {
		const ap_target *t = &ts[i];
		ap_json_begin_object(&j, NULL);
		ap_json_string(&j, "platform", t->platform);
		ap_json_string(&j, "mode", t->mode);
		ap_json_string(&j, "binary", t->binary);
		ap_json_string(&j, "status", t->status);
		ap_json_string(&j, "error", t->error);
		ap_json_string(&j, "log", t->log);
		ap_json_string(&j, "pool_command", t->pool_command);
		ap_json_string(&j, "default_command", t->default_command);
		ap_json_begin_array(&j, "notes");
		for (size_t k = 0; k < t->nnotes; k++)
			ap_json_string(&j, NULL, t->notes[k]);
		ap_json_end_array(&j);
		ap_json_begin_array(&j, "checks");
		for (size_t k = 0; k < t->nchecks; k++) {
			const ap_check_result *c = &t->checks[k];
			ap_json_begin_object(&j, NULL);
			ap_json_string(&j, "name", c->name);
			ap_json_string(&j, "expected", c->expected);
			ap_json_string(&j, "measured", c->measured);
			ap_json_bool(&j, "pass", c->pass);
			ap_json_end_object(&j);
		}
		ap_json_end_array(&j);
		ap_json_end_object(&j);
	}
	ap_json_end_array(&j);
	if (attr)
		ap_attribution_json(&j, attr);
	ap_json_end_object(&j);
	ap_buf_putc(out, '\n');
}

static void render_junit(ap_buf *out, const ap_target *ts, size_t n)
{
	size_t tests = 0, failures = 0, errors = 0;
	for (size_t i = 0; i < n; i++) {
		tests += ts[i].nchecks ? ts[i].nchecks : 1;
		for (size_t k = 0; k < ts[i].nchecks; k++)
			failures += !ts[i].checks[k].pass;
		errors += ts[i].error != NULL;
	}
	ap_buf_printf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			   "<testsuites name=\"verify\" tests=\"%zu\" failures=\"%zu\" "
			   "errors=\"%zu\">\n", tests, failures, errors);
	for (size_t i = 0; i < n; i++) {
		const ap_target *t = &ts[i];
		size_t f = 0;
		for (size_t k = 0; k < t->nchecks; k++)
			f += !t->checks[k].pass;
		ap_buf_puts(out, "  <testsuite name=\"");
		ap_xml_escape(out, t->platform);
		ap_buf_printf(out, " (%s)\" tests=\"%zu\" failures=\"%zu\" errors=\"%d\">\n", t->mode,
			      t->nchecks ? t->nchecks : 1, f, t->error != NULL);
		if (t->error || !t->nchecks) {
			ap_buf_puts(out, "    <testcase name=\"verify\" classname=\"");
			ap_xml_escape(out, t->platform);
			ap_buf_puts(out, "\">\n      <error message=\"");
			ap_xml_escape(out, t->error ? t->error : t->status ? t->status : "no checks");
			ap_buf_puts(out, "\"/>\n    </testcase>\n");
		}
		for (size_t k = 0; k < t->nchecks; k++) {
			const ap_check_result *c = &t->checks[k];
			ap_buf_puts(out, "    <testcase name=\"");
			ap_xml_escape(out, c->name);
			ap_buf_puts(out, "\" classname=\"");
			ap_xml_escape(out, t->platform);
			ap_buf_printf(out, ".%s\">\n", t->mode);
			if (!c->pass) {
				ap_buf_puts(out, "      <failure message=\"expected ");
				ap_xml_escape(out, c->expected);
				ap_buf_puts(out, "\">measured: ");
				ap_xml_escape(out, c->measured);
				ap_buf_puts(out, "</failure>\n");
			}
			ap_buf_puts(out, "      <system-out>measured: ");
			ap_xml_escape(out, c->measured);
			ap_buf_puts(out, "</system-out>\n    </testcase>\n");
		}
		ap_buf_puts(out, "  </testsuite>\n");
	}
	ap_buf_puts(out, "</testsuites>\n");
}

int ap_verify_render(ap_buf *out, const ap_target *t, size_t n, ap_format fmt, int color)
{
	return ap_verify_render_attr(out, t, n, NULL, fmt, color);
}

int ap_verify_render_attr(ap_buf *out, const ap_target *t, size_t n,
			  const struct ap_attribution *attr, ap_format fmt, int color)
{
	switch (fmt) {
	case AP_FORMAT_TEXT:
		render_text(out, t, n, color);
		if (attr)
			ap_attribution_text(out, attr);
		return 0;
	case AP_FORMAT_JSON:
		render_json(out, t, n, attr);
		return 0;
	case AP_FORMAT_JUNIT:
		render_junit(out, t, n);
		return 0;
	default:
		return -1;
	}
}
