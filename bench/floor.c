/* floor.c - the least work any tool must do to turn the pristine bench tree
 * into the expected one the way applypatch is required to: read each file
 * it changes, write the new bytes to a temp file beside it, make them
 * durable with one syncfs, then rename each into place and unlink deleted
 * files. (Syncing before the renames is also the fast order on ext4, whose
 * rename over an existing file otherwise starts writing the new one out.)
 *
 * No parsing, no placement, no backups: the new bytes are read from the
 * expected tree. Timing this next to the other tools bounds the ratio any
 * conforming tool can reach on the machine at hand (bench/run, row "floor").
 *
 * usage: floor [--no-sync] LIST TREE EXPECTED
 *   LIST lines are "M path", "A path" or "D path" (changed, added, deleted),
 *   paths relative to TREE and EXPECTED.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *buf;
static size_t cap;

static void die(const char *what, const char *path)
{
	fprintf(stderr, "floor: %s %s: %s\n", what, path, strerror(errno));
	exit(2);
}

/* Reads dir/path into the one reused buffer: fresh memory per file would
 * add page faults no tool is obliged to pay. */
static size_t slurp(int dir, const char *path, mode_t *mode)
{
	struct stat st;
	size_t got = 0;
	int fd = openat(dir, path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0)
		die("cannot read", path);
	if ((size_t)st.st_size + 1 > cap) {
		cap = (size_t)st.st_size * 2 + 1;
		buf = realloc(buf, cap);
		if (!buf)
			die("out of memory for", path);
	}
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			die("cannot read", path);
		got += (size_t)r;
	}
	close(fd);
	if (mode)
		*mode = st.st_mode & 07777;
	return got;
}

static void make_parents(int tree, const char *path)
{
	char *p = strdup(path);

	if (!p)
		die("out of memory for", path);
	for (char *s = strchr(p, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdirat(tree, p, 0755) < 0 && errno != EEXIST)
			die("cannot create directory", p);
		*s = '/';
	}
	free(p);
}

/* Writes path's new bytes to its temp file, whose name goes to tmp. */
static void write_temp(int tree, int expected, const char *path, int added, char *tmp,
		       size_t tmpsize)
{
	mode_t mode;
	size_t len, done = 0;
	const char *slash = strrchr(path, '/');
	int fd;

	if (added)
		make_parents(tree, path);
	else
		slurp(tree, path, NULL);	/* a patch tool must read the original */
	len = slurp(expected, path, &mode);
	if ((size_t)snprintf(tmp, tmpsize, "%.*s.%s.floor-tmp", slash ? (int)(slash - path + 1) : 0,
			     path, slash ? slash + 1 : path) >= tmpsize)
		die("name too long:", path);
	fd = openat(tree, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0)
		die("cannot create", tmp);
	while (done < len) {
		ssize_t w = write(fd, buf + done, len - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			die("cannot write", tmp);
		done += (size_t)w;
	}
	if (fchmod(fd, mode) < 0 || close(fd) < 0)
		die("cannot finish", tmp);
}

int main(int argc, char **argv)
{
	char line[4096];
	int sync = 1, tree, expected;
	FILE *list;
	struct change { char op, *path, *tmp; } *v = NULL;
	size_t n = 0, vcap = 0;

	if (argc > 1 && strcmp(argv[1], "--no-sync") == 0) {
		sync = 0;
		argv++;
		argc--;
	}
	if (argc != 4) {
		fprintf(stderr, "usage: floor [--no-sync] LIST TREE EXPECTED\n");
		return 2;
	}
	list = fopen(argv[1], "r");
	if (!list)
		die("cannot open", argv[1]);
	tree = open(argv[2], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (tree < 0)
		die("cannot open", argv[2]);
	expected = open(argv[3], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (expected < 0)
		die("cannot open", argv[3]);
	while (fgets(line, sizeof line, list)) {
		char tmp[sizeof line + 32] = "";

		line[strcspn(line, "\n")] = '\0';
		if (strlen(line) < 3 || line[1] != ' ' || !strchr("MAD", line[0])) {
			fprintf(stderr, "floor: %s: bad line: %s\n", argv[1], line);
			return 2;
		}
		if (line[0] != 'D')
			write_temp(tree, expected, line + 2, line[0] == 'A', tmp, sizeof tmp);
		if (n == vcap) {
			vcap = vcap ? 2 * vcap : 1024;
			v = realloc(v, vcap * sizeof *v);
			if (!v)
				die("out of memory for", argv[1]);
		}
		v[n].op = line[0];
		v[n].path = strdup(line + 2);
		v[n].tmp = strdup(tmp);
		if (!v[n].path || !v[n].tmp)
			die("out of memory for", argv[1]);
		n++;
	}
	fclose(list);
	if (sync && syncfs(tree) < 0)
		die("cannot sync", argv[2]);
	for (size_t i = 0; i < n; i++) {
		if (v[i].op == 'D' ? unlinkat(tree, v[i].path, 0) < 0
				   : renameat(tree, v[i].tmp, tree, v[i].path) < 0)
			die(v[i].op == 'D' ? "cannot delete" : "cannot rename onto", v[i].path);
		free(v[i].path);
		free(v[i].tmp);
	}
	if (sync && n && syncfs(tree) < 0)
		die("cannot sync", argv[2]);
	free(v);
	free(buf);
	return 0;
}
