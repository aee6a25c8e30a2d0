/* upstream - fetch, unpack, prepare and read GAP's upstream sources.
 *
 * The command line only: options in (cli/upstream_args.c), library calls
 * (source.h, gitsrc.h), messages out (cli/upstream_show.c), exit status
 * chosen here (0 ok, 1 the operation failed, 2 usage error).
 */
#include "buf.h"
#include "gitsrc.h"
#include "interrupt.h"
#include "source.h"
#include "upstream_cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The upstream the SOURCE options name; the pinned tarball by default. */
static int pick_upstream(const upstream_cli *c, ap_upstream *u)
{
	int forms = !!c->tarball + !!c->dir + !!c->git;

	memset(u, 0, sizeof *u);
	if (forms > 1)
		return upstream_usage_error("%s", "give one of --tarball, --dir and --git");
	if (c->rev && !c->git)
		return upstream_usage_error("%s", "--rev goes with --git REPO");
	if (c->tarball) {
		u->kind = AP_UPSTREAM_TARBALL;
		u->location = c->tarball;
	} else if (c->dir) {
		u->kind = AP_UPSTREAM_DIR;
		u->location = c->dir;
	} else if (c->git) {
		if (!c->rev)
			return upstream_usage_error("%s", "--git REPO needs --rev REV (a tag, branch or commit)");
		u->kind = AP_UPSTREAM_GIT;
		u->location = c->git;
		u->rev = c->rev;
	} else {
		u->kind = AP_UPSTREAM_PINNED;
		u->location = c->pkgdir;
	}
	return 0;
}

static int cmd_fetch(const upstream_cli *c)
{
	ap_error err = AP_ERROR_INIT;
	ap_fetch_opts fo = AP_FETCH_OPTS_INIT;
	ap_fetch_result res;
	char *updir = NULL, *dest = NULL, *named = NULL;
	const char *url;
	ap_pin pin;
	int rc = 1;

	if (c->nargs)
		return upstream_usage_error("fetch takes no arguments (got '%s')", c->args[0]);
	if (ap_pin_find(&pin, c->pkgdir, &err) < 0)
		return upstream_fail(&err);
	updir = ap_printf("%s/upstream", c->pkgdir);
	dest = c->output ? ap_strdup(c->output) : ap_printf("%s/%s", updir, pin.tarball);
	named = ap_pin_sums_named(&pin);
	url = c->url ? c->url : pin.url;
	if (!c->no_progress && !c->quiet && isatty(2))
		fo.progress = upstream_draw_bar;
	fo.timeout_s = c->timeout;
	fo.retries = (int)c->retries;
	if (!dest || !updir || !named) {
		fprintf(stderr, "upstream: out of memory\n");
		goto out;
	}
	if (!url && access(dest, F_OK) < 0) {
		fprintf(stderr, "upstream: %s has no upstream_url; give one with --url\n", pin.ini);
		upstream_offline_hint(dest, &pin);
		goto out;
	}
	if (!c->output && mkdir(updir, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "upstream: cannot create %s: %s\n", updir, strerror(errno));
		goto out;
	}
	if (!c->quiet && access(dest, F_OK) < 0)
		printf("downloading %s\n       into %s\n", url, dest);
	if (ap_fetch_pin(&pin, url, dest, &fo, &res, &err) < 0) {
		upstream_fail(&err);
		upstream_offline_hint(dest, &pin);
		goto out;
	}
	if (!c->quiet) {
		if (res.reused)
			printf("%s: already there, %s ok\n", dest, named);
		else if (res.resumed_from > 0 && !res.restarted)
			printf("%s: resumed after %lld bytes, %lld more received, %s ok\n", dest,
			       res.resumed_from, res.bytes, named);
		else
			printf("%s: %lld bytes received%s, %s ok\n", dest, res.bytes,
			       res.restarted ? " (the partial file was started over)" : "", named);
	}
	rc = 0;
out:
	ap_pin_free(&pin);
	free(updir);
	free(dest);
	free(named);
	return rc;
}

static int cmd_unpack(const upstream_cli *c)
{
	ap_error err = AP_ERROR_INIT;
	ap_unpack_opts uo = { 0, 0, NULL, 0, 0, 0, 0 };

	if (c->nargs != 2)
		return upstream_usage_error("%s", "usage: upstream unpack TARBALL DEST [--full] [--keep-top]");
	uo.full = c->full;
	uo.strip_top = c->keep_top ? 0 : AP_UNPACK_STRIP_AUTO;
	uo.max_bytes = c->max_size;
	uo.max_entries = c->max_entries;
	if (ap_unpack(c->args[0], c->args[1], &uo, &err) < 0)
		return upstream_fail(&err);
	if (!c->quiet)
		printf("unpacked %s into %s\n", c->args[0], c->args[1]);
	upstream_report_skipped(c, &uo);
	ap_unpack_opts_free(&uo);
	return 0;
}

static int cmd_prepare(const upstream_cli *c)
{
	ap_error err = AP_ERROR_INIT;
	ap_prepare_opts po;
	ap_upstream u;
	char *identity = NULL;
	int rc;

	if (c->nargs != 1)
		return upstream_usage_error("%s", "usage: upstream prepare DEST [SOURCE] [--full] [--no-autogen]");
	rc = pick_upstream(c, &u);
	if (rc)
		return rc;
	memset(&po, 0, sizeof po);
	po.unpack.full = c->full;
	po.unpack.max_bytes = c->max_size;
	po.unpack.max_entries = c->max_entries;
	po.no_autogen = c->no_autogen;
	po.autogen_log = c->autogen_log;
	if (!c->no_progress && !c->quiet && isatty(2))
		po.fetch.progress = upstream_draw_bar;
	po.fetch.timeout_s = c->timeout;
	po.fetch.retries = (int)c->retries;
	if (ap_upstream_prepare(&u, c->args[0], &po, &identity, &err) < 0) {
		upstream_fail(&err);
		if (u.kind == AP_UPSTREAM_PINNED) {
			char *tb = NULL;
			ap_error e2 = AP_ERROR_INIT;
			ap_pin pin;

			if (ap_pin_find(&pin, c->pkgdir, &e2) == 0) {
				if (ap_upstream_tarball(&u, &tb, NULL, &e2) == 0 && access(tb, F_OK) < 0)
					upstream_offline_hint(tb, &pin);
				ap_pin_free(&pin);
			}
			free(tb);
		}
		ap_prepare_opts_free(&po);
		return 1;
	}
	upstream_report_missing(&po.missing);
	if (!c->quiet)
		printf("prepared %s (%s)%s\n", c->args[0], identity,
		       po.ran_autogen ? ", configure made by ./autogen.sh" : "");
	upstream_report_skipped(c, &po.unpack);
	free(identity);
	ap_prepare_opts_free(&po);
	return 0;
}

static int cmd_export(const upstream_cli *c)
{
	upstream_cli c2 = *c;

	if (c->nargs != 3)
		return upstream_usage_error("%s", "usage: upstream export REPO REV DEST [--full]");
	c2.git = c->args[0];
	c2.rev = c->args[1];
	c2.args = c->args + 2;
	c2.nargs = 1;
	c2.no_autogen = 1;
	c2.tarball = c2.dir = NULL;
	return cmd_prepare(&c2);
}

static int cmd_cat(const upstream_cli *c)
{
	ap_error err = AP_ERROR_INIT;
	ap_upstream u;
	ap_source *s;
	const char **paths;
	int rc;

	if (c->nargs < 1)
		return upstream_usage_error("%s", "usage: upstream cat [SOURCE] PATH...");
	rc = pick_upstream(c, &u);
	if (rc)
		return rc;
	paths = calloc((size_t)c->nargs + 1, sizeof *paths);
	if (!paths)
		return upstream_fail(&err);
	for (int i = 0; i < c->nargs; i++)
		paths[i] = c->args[i];
	if (ap_source_open(&s, &u, paths, &err) < 0) {
		free(paths);
		return upstream_fail(&err);
	}
	for (int i = 0; i < c->nargs && rc == 0; i++) {
		ap_file_state st;
		char *data = NULL;
		size_t len = 0;

		if (ap_source_read(s, paths[i], &st, &data, &len, &err) < 0) {
			rc = upstream_fail(&err);
		} else if (!st.exists) {
			fprintf(stderr, "upstream: %s: no such file in %s\n", paths[i],
				ap_source_label(s));
			rc = 1;
		} else if (st.dir) {
			fprintf(stderr, "upstream: %s: is a directory in %s\n", paths[i],
				ap_source_label(s));
			rc = 1;
		} else if (st.symlink) {
			/* what a source holds for a link is its target, not a file's bytes */
			fprintf(stderr, "upstream: %s is a symbolic link in %s: cat prints only "
				"regular files\n", paths[i], ap_source_label(s));
			rc = 1;
		} else if (len && fwrite(data, 1, len, stdout) != len) {
			fprintf(stderr, "upstream: write to standard output failed\n");
			rc = 1;
		}
		free(data);
	}
	ap_source_free(s);
	free(paths);
	return rc;
}

static int cmd_tags(const upstream_cli *c)
{
	ap_error err = AP_ERROR_INIT;
	ap_strlist tags = { NULL, 0, 0 };
	ap_git *g;

	if (c->nargs < 1 || c->nargs > 2)
		return upstream_usage_error("%s", "usage: upstream tags REPO [GLOB]");
	if (ap_git_open(&g, c->args[0], &err) < 0)
		return upstream_fail(&err);
	if (ap_git_tags(g, c->nargs > 1 ? c->args[1] : NULL, &tags, &err) < 0) {
		ap_git_free(g);
		return upstream_fail(&err);
	}
	for (size_t i = 0; i < tags.n; i++)
		printf("%s\n", tags.v[i]);
	ap_strlist_free(&tags);
	ap_git_free(g);
	return 0;
}

int main(int argc, char **argv)
{
	upstream_cli c;
	const char *cmd;
	int rc = upstream_cli_parse(argc, argv, &c, &cmd);

	if (rc >= 0)
		return rc;
	/* an interrupted download, unpack or copy stops between two pieces and
	 * removes its staging directory; then we die of the signal */
	ap_interrupt_install();
	if (strcmp(cmd, "fetch") == 0)
		rc = cmd_fetch(&c);
	else if (strcmp(cmd, "unpack") == 0)
		rc = cmd_unpack(&c);
	else if (strcmp(cmd, "prepare") == 0)
		rc = cmd_prepare(&c);
	else if (strcmp(cmd, "export") == 0)
		rc = cmd_export(&c);
	if (rc >= 0) {
		ap_interrupt_reraise();
		return rc;
	}
	if (strcmp(cmd, "cat") == 0)
		return cmd_cat(&c);
	if (strcmp(cmd, "pin") == 0)
		return upstream_cmd_pin(&c);
	if (strcmp(cmd, "tags") == 0)
		return cmd_tags(&c);
	return upstream_usage_error("unknown command '%s'", cmd);
}
