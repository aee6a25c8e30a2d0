/* test_txn.c - changing many files of a tree as one step (txn.h).
 *
 * On scratch trees: a commit writes every file and the state record and
 * leaves no temporary file behind; freeing an uncommitted transaction
 * leaves the tree byte-identical (snapshots of every path, mode and byte,
 * state directory included); a run killed before its commit point is
 * rolled back by ap_txn_recover, one stopped after it is rolled forward.
 * A kill is a real SIGKILL of a forked child in the middle of the work.
 */
#include "testutil.h"

#include "path.h"
#include "tree.h"
#include "txn.h"

#include <signal.h>

static const char STATE[] = "applypatch-state 1\nplatform\tlinux\n";

static int setup(void **state)
{
	char *dir = tu_mkdtemp();

	tu_write(dir, "src/a.c", "old a\n");
	tu_write(dir, "src/keep.c", "keep\n");
	tu_write(dir, "del.c", "bye\n");
	tu_write_mode(dir, "run.sh", "#!/bin/sh\n", 10, 0755);
	*state = dir;
	return 0;
}

static int teardown(void **state)
{
	tu_rmrf(*state);
	return 0;
}

static ap_tree *open_locked(const char *dir)
{
	ap_tree *t;
	ap_error err = AP_ERROR_INIT;

	if (ap_tree_open(&t, dir, &err) < 0 || ap_tree_lock(t, &err) < 0) {
		print_error("%s\n", err.msg);
		fail();
	}
	return t;
}

/* The changes most tests make: modify, create in new directories, delete,
 * and a symlink. */
static void changes(ap_change ch[4])
{
	memset(ch, 0, 4 * sizeof *ch);
	ch[0].kind = AP_CHANGE_WRITE;
	ch[0].path = "src/a.c";
	ch[0].data = "new a\n";
	ch[0].len = 6;
	ch[0].mode = 0644;
	ch[0].backup = "1";
	ch[1].kind = AP_CHANGE_WRITE;
	ch[1].path = "new/dir/b.sh";
	ch[1].data = "b\n";
	ch[1].len = 2;
	ch[1].mode = 0755;
	ch[2].kind = AP_CHANGE_DELETE;
	ch[2].path = "del.c";
	ch[2].backup = "2";
	ch[3].kind = AP_CHANGE_SYMLINK;
	ch[3].path = "src/link.c";
	ch[3].data = "a.c";
	ch[3].len = 3;
}

/* No temporary file anywhere in the tree (outside the state directory). */
static void assert_no_temp_files(const char *dir)
{
	char *snap = tu_snapshot(dir);

	if (strstr(snap, ".aptmp")) {
		print_error("temporary files left:\n%s", snap);
		free(snap);
		fail();
	}
	free(snap);
}

static void commit_writes_everything(void **state)
{
	const char *dir = *state;
	ap_tree *t = open_locked(dir);
	ap_txn *x;
	ap_change ch[4];
	ap_error err = AP_ERROR_INIT;
	const ap_strlist *made;
	char *data;
	size_t len;

	changes(ch);
	assert_int_equal(ap_txn_begin(&x, t, &err), 0);
	assert_int_equal(ap_txn_prepare(x, ch, 4, &err), 0);
	made = ap_txn_created_dirs(x);
	assert_int_equal(made->n, 2);
	assert_string_equal(made->v[0], "new");
	assert_string_equal(made->v[1], "new/dir");
	/* prepared, not yet visible */
	assert_tree_file(dir, "src/a.c", "old a\n");
	assert_false(tu_exists(dir, "new/dir/b.sh"));
	assert_true(tu_exists(dir, ".applypatch/pending"));
	/* the new file's state is known before the rename */
	assert_true(ch[0].result.exists);
	assert_int_equal(ch[0].result.size, 6);
	assert_int_equal(ch[0].result.mode, 0644);
	assert_int_equal(ch[1].result.mode, 0755);
	assert_true(ch[3].result.symlink);

	assert_int_equal(ap_txn_commit(x, STATE, strlen(STATE), &err), 0);
	ap_txn_free(x);

	assert_tree_file(dir, "src/a.c", "new a\n");
	assert_tree_file(dir, "new/dir/b.sh", "b\n");
	assert_int_equal(tu_mode(dir, "new/dir/b.sh"), 0755);
	assert_false(tu_exists(dir, "del.c"));
	{
		char *p = ap_printf("%s/src/link.c", dir);
		char target[64];
		ssize_t n = readlink(p, target, sizeof target);

		assert_int_equal(n, 3);
		assert_memory_equal(target, "a.c", 3);
		free(p);
	}
	/* the state, and the originals for unapply */
	assert_tree_file(dir, ".applypatch/state", STATE);
	assert_tree_file(dir, ".applypatch/orig/1", "old a\n");
	assert_tree_file(dir, ".applypatch/orig/2", "bye\n");
	/* and no work in progress left */
	assert_false(tu_exists(dir, ".applypatch/pending"));
	assert_false(tu_exists(dir, ".applypatch/journal"));
	assert_false(tu_exists(dir, ".applypatch/state.new"));
	assert_no_temp_files(dir);
	/* the state is readable through the tree */
	assert_int_equal(ap_state_file_read(t, "state", &data, &len, &err), 0);
	assert_bytes(data, len, STATE);
	free(data);
	assert_int_equal(ap_state_file_read(t, "nothing", &data, &len, &err), 0);
	assert_null(data);
	ap_tree_close(t);
}

/* the result state describes the file that ends up in the tree */
static void result_matches_the_committed_file(void **state)
{
	const char *dir = *state;
	ap_tree *t = open_locked(dir);
	ap_txn *x;
	ap_change ch[4];
	ap_error err = AP_ERROR_INIT;
	ap_file_state now;

	changes(ch);
	ap_txn_begin(&x, t, &err);
	assert_int_equal(ap_txn_prepare(x, ch, 4, &err), 0);
	assert_int_equal(ap_txn_commit(x, STATE, strlen(STATE), &err), 0);
	ap_txn_free(x);
	assert_int_equal(ap_tree_stat(t, "src/a.c", &now, &err), 0);
	assert_int_equal(now.ino, ch[0].result.ino);
	assert_int_equal(now.size, ch[0].result.size);
	assert_int_equal(now.mtime_ns, ch[0].result.mtime_ns);
	ap_tree_close(t);
}

static void free_uncommitted_rolls_back(void **state)
{
	const char *dir = *state;
	ap_tree *t = open_locked(dir);
	ap_txn *x;
	ap_change ch[4];
	ap_error err = AP_ERROR_INIT;
	char *before = tu_snapshot(dir);

	changes(ch);
	assert_int_equal(ap_txn_begin(&x, t, &err), 0);
	assert_int_equal(ap_txn_prepare(x, ch, 4, &err), 0);
	ap_txn_free(x);
	assert_unchanged(dir, before);
	ap_tree_close(t);
}

/* Files whose bytes are not held (quilt's backups): a copy of a tree file
 * as it is before the commit replaces it, and a range of a spool file.
 * A copy, never a link: the original's inode is not shared. */
static void copies_from_the_tree_and_a_spool(void **state)
{
	const char *dir = *state;
	ap_tree *t = open_locked(dir);
	ap_txn *x;
	ap_change ch[4];
	ap_error err = AP_ERROR_INIT;
	char *spool = ap_printf("%s/spool", dir);
	int sfd = open(spool, O_RDWR | O_CREAT | O_EXCL, 0600);
	struct stat sb;
	char *p;

	assert_true(sfd >= 0);
	unlink(spool);
	free(spool);
	assert_int_equal(write(sfd, "xxhello spoolyy", 15), 15);
	changes(ch);
	ch[1].path = ".pc/p/src/a.c";
	ch[1].data = NULL;
	ch[1].len = 0;
	ch[1].mode = 0600;
	ch[1].copy_of = "src/a.c";
	ch[2].kind = AP_CHANGE_WRITE;
	ch[2].path = ".pc/p/spooled";
	ch[2].len = 11;
	ch[2].mode = 0640;
	ch[2].from_spool = 1;
	ch[2].spool_fd = sfd;
	ch[2].spool_off = 2;
	ch[2].backup = NULL;
	ch[3].kind = AP_CHANGE_WRITE;
	ch[3].path = ".pc/p/src/keep.c";
	ch[3].data = NULL;
	ch[3].len = 0;
	ch[3].mode = 0644;
	ch[3].copy_of = "src/keep.c";
	assert_int_equal(ap_txn_begin(&x, t, &err), 0);
	assert_int_equal(ap_txn_prepare(x, ch, 4, &err), 0);
	close(sfd);  /* prepare made every file: the spool may go */
	assert_int_equal(ap_txn_commit(x, STATE, strlen(STATE), &err), 0);
	ap_txn_free(x);
	assert_tree_file(dir, "src/a.c", "new a\n");
	assert_tree_file(dir, ".pc/p/src/a.c", "old a\n");
	assert_int_equal(tu_mode(dir, ".pc/p/src/a.c"), 0600);
	assert_tree_file(dir, ".pc/p/spooled", "hello spool");
	assert_int_equal(tu_mode(dir, ".pc/p/spooled"), 0640);
	assert_tree_file(dir, ".pc/p/src/keep.c", "keep\n");
	p = ap_printf("%s/.pc/p/src/keep.c", dir);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_nlink, 1);
	free(p);
	assert_tree_file(dir, ".applypatch/orig/1", "old a\n");
	assert_no_temp_files(dir);
	ap_tree_close(t);
}

/* a copy of a file that is not there fails prepare, naming it; freeing
 * the transaction leaves the tree as it was */
static void copy_of_a_missing_file_fails(void **state)
{
	const char *dir = *state;
	ap_tree *t = open_locked(dir);
	ap_txn *x;
	ap_change ch[4];
	ap_error err = AP_ERROR_INIT;
	char *before = tu_snapshot(dir);

	changes(ch);
	ch[1].path = ".pc/p/gone.c";
	ch[1].data = NULL;
	ch[1].mode = 0644;
	ch[1].copy_of = "src/gone.c";
	assert_int_equal(ap_txn_begin(&x, t, &err), 0);
	assert_int_equal(ap_txn_prepare(x, ch, 2, &err), -1);
	assert_non_null(strstr(err.msg, "cannot read src/gone.c"));
	ap_txn_free(x);
	assert_unchanged(dir, before);
	ap_tree_close(t);
}

/* with a state directory from an earlier run, only this run's traces go */
static void rollback_keeps_earlier_state(void **state)
{
	const char *dir = *state;
	ap_tree *t;
	ap_txn *x;
	ap_change ch[4];
	ap_error err = AP_ERROR_INIT;
	char *before;

	tu_write(dir, ".applypatch/state", STATE);
	tu_write(dir, ".applypatch/orig/7", "seven\n");
	t = open_locked(dir);
	before = tu_snapshot(dir);
	changes(ch);
	ap_txn_begin(&x, t, &err);
	assert_int_equal(ap_txn_prepare(x, ch, 4, &err), 0);
	ap_txn_free(x);
	assert_unchanged(dir, before);
	ap_tree_close(t);
}

/* freeing a transaction that was begun but never prepared is harmless */
static void free_unprepared(void **state)
{
	const char *dir = *state;
	ap_tree *t = open_locked(dir);
	ap_txn *x;
	ap_error err = AP_ERROR_INIT;
	char *before = tu_snapshot(dir);

	assert_int_equal(ap_txn_begin(&x, t, &err), 0);
	ap_txn_free(x);
	ap_txn_free(NULL);
	assert_int_equal(ap_txn_begin(&x, t, &err), 0);
	assert_int_equal(ap_txn_commit(x, STATE, strlen(STATE), &err), -1);
	assert_contains(err.msg, "before prepare");
	ap_txn_free(x);
	assert_unchanged(dir, before);
	ap_tree_close(t);
}

/* nothing is written through a symlinked directory, and the failed
 * prepare leaves the tree as it was */
static void prepare_refuses_symlinked_directory(void **state)
{
	const char *dir = *state;
	char *outside = tu_mkdtemp(), *p = ap_printf("%s/ld", dir);
	ap_tree *t;
	ap_txn *x;
	ap_change ch[1];
	ap_error err = AP_ERROR_INIT;
	char *before, *out_before;

	assert_int_equal(symlink(outside, p), 0);
	free(p);
	t = open_locked(dir);
	before = tu_snapshot(dir);
	out_before = tu_snapshot(outside);
	memset(ch, 0, sizeof ch);
	ch[0].kind = AP_CHANGE_WRITE;
	ch[0].path = "ld/evil";
	ch[0].data = "x";
	ch[0].len = 1;
	ch[0].mode = 0644;
	ap_txn_begin(&x, t, &err);
	assert_int_equal(ap_txn_prepare(x, ch, 1, &err), -1);
	assert_contains(err.msg, "symbolic link");
	ap_txn_free(x);
	assert_unchanged(dir, before);
	assert_unchanged(outside, out_before);
	ap_tree_close(t);
	tu_rmrf(outside);
}

/* Forks a child that prepares the n changes fill makes (and commits, when
 * asked) and is killed with SIGKILL right after, as a crash would. */
static void killed_run_of(const char *dir, void (*fill)(ap_change *), size_t n, int commit)
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0) {
		ap_tree *t;
		ap_txn *x;
		ap_change ch[4];
		ap_error err = AP_ERROR_INIT;

		if (ap_tree_open(&t, dir, &err) < 0 || ap_tree_lock(t, &err) < 0 ||
		    ap_txn_begin(&x, t, &err) < 0)
			_exit(3);
		fill(ch);
		if (ap_txn_prepare(x, ch, n, &err) < 0)
			_exit(4);
		if (commit && ap_txn_commit(x, STATE, strlen(STATE), &err) < 0)
			_exit(5);
		raise(SIGKILL);
		_exit(6);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFSIGNALED(status)) {
		print_error("child exited with %d\n", WEXITSTATUS(status));
		fail();
	}
}

/* The usual changes, killed after prepare (or after commit). */
static void killed_run(const char *dir, int commit)
{
	killed_run_of(dir, changes, 4, commit);
}

static void recover_rolls_back_pending(void **state)
{
	const char *dir = *state;
	ap_tree *t;
	ap_error err = AP_ERROR_INIT;
	char *before = tu_snapshot(dir), *after, *note = NULL;

	killed_run(dir, 0);
	/* the killed run left its work behind */
	assert_true(tu_exists(dir, ".applypatch/pending"));
	after = tu_snapshot(dir);
	assert_string_not_equal(before, after);
	free(after);

	t = open_locked(dir);
	assert_int_equal(ap_txn_recover(t, &note, &err), 0);
	assert_non_null(note);
	assert_contains(note, "rolled back");
	free(note);
	assert_unchanged(dir, before);
	/* recovering again finds nothing to do */
	assert_int_equal(ap_txn_recover(t, &note, &err), 0);
	assert_null(note);
	ap_tree_close(t);
}

/* a commit whose renames cannot all happen (a directory stands where the
 * last file goes): after its commit point, the steps done are undone and
 * the tree is as before, with the reason; no journal is left to retry */
static void commit_that_cannot_complete_rolls_back(void **state)
{
	const char *dir = *state;
	ap_tree *t = open_locked(dir);
	ap_txn *x;
	ap_change ch[5];
	ap_error err = AP_ERROR_INIT;
	char *before, *note = NULL;

	tu_write(dir, "blocker/inside", "i\n");
	before = tu_snapshot(dir);
	changes(ch);
	memset(&ch[4], 0, sizeof ch[4]);
	ch[4].kind = AP_CHANGE_WRITE;
	ch[4].path = "blocker";
	ch[4].data = "now a file\n";
	ch[4].len = 11;
	ch[4].mode = 0644;
	ap_txn_begin(&x, t, &err);
	assert_int_equal(ap_txn_prepare(x, ch, 5, &err), 0);
	assert_int_equal(ap_txn_commit(x, STATE, strlen(STATE), &err), -1);
	assert_contains(err.msg, "rolled back");
	assert_contains(err.msg, "cannot replace blocker");
	assert_contains(err.msg, "Is a directory");
	ap_txn_free(x);
	assert_unchanged(dir, before);
	assert_int_equal(ap_txn_recover(t, &note, &err), 0);
	assert_null(note);
	ap_tree_close(t);
}

/* The journal the usual changes' commit writes, for a run killed after
 * prepare (killed_run(dir, 0)): its temp files' names and inodes read
 * from the tree, as if it had been killed just after its commit point. */
static void write_journal(const char *dir)
{
	size_t len;
	char *pending = tu_read(dir, ".applypatch/pending", &len);
	char *p = strstr(pending, "src/.aptmp."), token[17], *journal, *path;
	unsigned long long ino[4] = { 0 };
	static const char *const tmp[4] = { "src/.aptmp.%s.0", "new/dir/.aptmp.%s.1", NULL,
					    "src/.aptmp.%s.3" };

	assert_non_null(p);
	memcpy(token, p + 11, 16);
	token[16] = '\0';
	free(pending);
	for (int i = 0; i < 4; i++) {
		struct stat sb;
		char *rel;

		if (!tmp[i])
			continue;
		rel = ap_printf(tmp[i], token);
		path = ap_printf("%s/%s", dir, rel);
		assert_int_equal(lstat(path, &sb), 0);
		ino[i] = (unsigned long long)sb.st_ino;
		free(rel);
		free(path);
	}
	journal = ap_printf("applypatch-journal 2\nstatedir\tcreated\nmkdir\tnew\nmkdir\tnew/dir\n"
			    "fresh\t1\nfresh\t2\n"
			    "rename\tsrc/.aptmp.%s.0\tsrc/a.c\tsrc/.aptmp.%s.u0\t%llu\n"
			    "rename\tnew/dir/.aptmp.%s.1\tnew/dir/b.sh\t-\t%llu\n"
			    "delete\tdel.c\t.aptmp.%s.u2\n"
			    "rename\tsrc/.aptmp.%s.3\tsrc/link.c\t-\t%llu\n"
			    "state\twrite\nend\n",
			    token, token, ino[0], token, ino[1], token, token, ino[3]);
	tu_write(dir, ".applypatch/journal", journal);
	tu_write(dir, ".applypatch/state.new", STATE);
	free(journal);
}

/* a run killed after its commit point is rolled forward by recovery */
static void recover_rolls_forward_journal(void **state)
{
	const char *dir = *state;
	ap_tree *t;
	ap_error err = AP_ERROR_INIT;
	char *note = NULL;

	killed_run(dir, 0);
	write_journal(dir);
	t = open_locked(dir);
	assert_int_equal(ap_txn_recover(t, &note, &err), 0);
	assert_non_null(note);
	assert_contains(note, "completed");
	free(note);
	assert_tree_file(dir, "src/a.c", "new a\n");
	assert_tree_file(dir, "new/dir/b.sh", "b\n");
	assert_false(tu_exists(dir, "del.c"));
	assert_tree_file(dir, ".applypatch/state", STATE);
	assert_true(tu_exists(dir, ".applypatch/orig/1"));
	assert_false(tu_exists(dir, ".applypatch/journal"));
	assert_false(tu_exists(dir, ".applypatch/pending"));
	assert_false(tu_exists(dir, ".applypatch/state.new"));
	assert_no_temp_files(dir);
	ap_tree_close(t);
}

/* the same, where one rename cannot happen when recovery runs (something
 * stands in its way that prepare did not see): recovery rolls the run
 * back, with the reason, and the tree is as it was before the run */
static void recover_rolls_back_a_journal_that_cannot_complete(void **state)
{
	const char *dir = *state;
	ap_tree *t;
	ap_error err = AP_ERROR_INIT;
	char *note = NULL, *before;

	tu_write(dir, "src/link.c/inside", "in the way\n");
	before = tu_snapshot(dir);
	killed_run(dir, 0);
	write_journal(dir);
	t = open_locked(dir);
	/* the killed run had deleted del.c; recovery replaces a.c and b.sh
	 * before it meets src/link.c, and undoes all three */
	{
		char *p = ap_printf("%s/del.c", dir);

		assert_int_equal(unlink(p), 0);
		free(p);
	}
	assert_int_equal(ap_txn_recover(t, &note, &err), 0);
	assert_non_null(note);
	assert_contains(note, "rolled it back");
	assert_contains(note, "cannot replace src/link.c");
	free(note);
	assert_unchanged(dir, before);
	ap_tree_close(t);
}

/* a run killed after its commit completed leaves nothing to recover */
static void killed_after_commit(void **state)
{
	const char *dir = *state;
	ap_tree *t;
	ap_error err = AP_ERROR_INIT;
	char *note = NULL;

	killed_run(dir, 1);
	t = open_locked(dir);
	assert_int_equal(ap_txn_recover(t, &note, &err), 0);
	assert_null(note);
	assert_tree_file(dir, "src/a.c", "new a\n");
	ap_tree_close(t);
}

static void incomplete_journal_is_not_trusted(void **state)
{
	const char *dir = *state;
	ap_tree *t;
	ap_error err = AP_ERROR_INIT;
	char *note = NULL;

	tu_write(dir, ".applypatch/state", STATE);
	tu_write(dir, ".applypatch/journal", "applypatch-journal 1\ndelete\tdel.c\n");
	t = open_locked(dir);
	assert_int_equal(ap_txn_recover(t, &note, &err), -1);
	assert_null(note);
	assert_contains(err.msg, "journal is incomplete");
	assert_true(tu_exists(dir, "del.c"));
	ap_tree_close(t);
}

/* what a run killed early leaves (an empty orig/, a half-written pending)
 * goes; a file applypatch has no record of stays, and its directory too */
static void recover_removes_debris(void **state)
{
	const char *dir = *state;
	ap_tree *t;
	ap_error err = AP_ERROR_INIT;
	char *note = NULL;

	tu_write(dir, ".applypatch/pending.tmp", "applypatch-pending 1\n");
	tu_write(dir, ".applypatch/orig/x", "");
	{
		char *x = ap_printf("%s/.applypatch/orig/x", dir);

		unlink(x);  /* an empty orig/ */
		free(x);
	}
	t = open_locked(dir);
	assert_int_equal(ap_txn_recover(t, &note, &err), 0);
	assert_false(tu_exists(dir, ".applypatch"));
	free(note);
	ap_tree_close(t);

	tu_write(dir, ".applypatch/orig/1", "not recorded\n");
	tu_write(dir, ".applypatch/notes.txt", "someone's\n");
	tu_write(dir, ".applypatch/state.new", "half\n");
	t = open_locked(dir);
	assert_int_equal(ap_txn_recover(t, &note, &err), 0);
	assert_true(tu_exists(dir, ".applypatch/orig/1"));
	assert_true(tu_exists(dir, ".applypatch/notes.txt"));
	assert_false(tu_exists(dir, ".applypatch/state.new"));
	free(note);
	ap_tree_close(t);
}

/* unapply: put the originals back and remove the state directory */
static void commit_without_state_removes_it(void **state)
{
	const char *dir = *state;
	ap_tree *t = open_locked(dir);
	ap_txn *x;
	ap_change ch[4], back[4];
	ap_error err = AP_ERROR_INIT;
	char *before = tu_snapshot(dir);

	changes(ch);
	ap_txn_begin(&x, t, &err);
	assert_int_equal(ap_txn_prepare(x, ch, 4, &err), 0);
	assert_int_equal(ap_txn_commit(x, STATE, strlen(STATE), &err), 0);
	ap_txn_free(x);

	memset(back, 0, sizeof back);
	back[0].kind = AP_CHANGE_WRITE;
	back[0].path = "src/a.c";
	back[0].data = "old a\n";
	back[0].len = 6;
	back[0].mode = 0644;
	back[1].kind = AP_CHANGE_DELETE;
	back[1].path = "new/dir/b.sh";
	back[2].kind = AP_CHANGE_WRITE;
	back[2].path = "del.c";
	back[2].data = "bye\n";
	back[2].len = 4;
	back[2].mode = 0644;
	back[3].kind = AP_CHANGE_DELETE;
	back[3].path = "src/link.c";
	ap_txn_begin(&x, t, &err);
	assert_int_equal(ap_txn_drop_backup(x, "1"), 0);
	assert_int_equal(ap_txn_drop_backup(x, "2"), 0);
	assert_int_equal(ap_txn_prepare(x, back, 4, &err), 0);
	assert_int_equal(ap_txn_rmdir(x, "new"), 0);
	assert_int_equal(ap_txn_rmdir(x, "new/dir"), 0);
	assert_int_equal(ap_txn_commit(x, NULL, 0, &err), 0);
	ap_txn_free(x);
	assert_unchanged(dir, before);
	ap_tree_close(t);
}

static void lock_is_exclusive(void **state)
{
	const char *dir = *state;
	ap_tree *a = open_locked(dir), *b;
	ap_error err = AP_ERROR_INIT;

	assert_int_equal(ap_tree_open(&b, dir, &err), 0);
	assert_int_equal(ap_tree_lock(b, &err), -1);
	assert_contains(err.msg, "another applypatch run holds the lock");
	ap_tree_close(a);
	assert_int_equal(ap_tree_lock(b, &err), 0);
	ap_tree_close(b);
}

/* A folder a marker marks (quilt's .pc/ and its .version) and a file in
 * a folder under it whose temporary file waits at its top. */
static void marked_changes(ap_change ch[2])
{
	memset(ch, 0, 2 * sizeof *ch);
	ch[0].kind = AP_CHANGE_WRITE;
	ch[0].path = "pc/p1/sub/f.c";
	ch[0].data = "backup\n";
	ch[0].len = 7;
	ch[0].mode = 0644;
	ch[0].tmp_dir = "pc";
	ch[1].kind = AP_CHANGE_WRITE;
	ch[1].path = "pc/.version";
	ch[1].data = "2\n";
	ch[1].len = 2;
	ch[1].mode = 0644;
	ch[1].marks_dir = 1;
}

static void marked_dir_comes_with_its_marker(void **state)
{
	const char *dir = *state;
	ap_tree *t = open_locked(dir);
	ap_txn *x;
	ap_change ch[2];
	ap_error err = AP_ERROR_INIT;
	char *before = tu_snapshot(dir), *note = NULL, *snap;

	/* prepared: the marker is in place, the other file waits above */
	marked_changes(ch);
	assert_int_equal(ap_txn_begin(&x, t, &err), 0);
	assert_int_equal(ap_txn_prepare(x, ch, 2, &err), 0);
	assert_true(tu_exists(dir, "pc/.version"));
	assert_true(tu_exists(dir, "pc/p1/sub"));
	assert_false(tu_exists(dir, "pc/p1/sub/f.c"));
	/* rolled back: the folder goes with its marker */
	ap_txn_free(x);
	assert_unchanged(dir, before);
	before = tu_snapshot(dir);

	/* committed: both in place, no temporary file */
	assert_int_equal(ap_txn_begin(&x, t, &err), 0);
	assert_int_equal(ap_txn_prepare(x, ch, 2, &err), 0);
	assert_int_equal(ap_txn_commit(x, STATE, strlen(STATE), &err), 0);
	ap_txn_free(x);
	assert_tree_file(dir, "pc/.version", "2\n");
	assert_tree_file(dir, "pc/p1/sub/f.c", "backup\n");
	assert_no_temp_files(dir);
	ap_tree_close(t);
	tu_rmrf(ap_printf("%s/pc", dir));
	tu_rmrf(ap_printf("%s/.applypatch", dir));

	/* killed after prepare: the marker is there, no file below it; the
	 * recovery removes the folder with it */
	/* killed after prepare: the marked folder holds its marker, and nothing
	 * in its subfolders (quilt would take a file there for a backup) */
	killed_run_of(dir, marked_changes, 2, 0);
	assert_true(tu_exists(dir, "pc/.version"));
	snap = tu_snapshot(dir);
	/* (an entry starts a line; the pending record names pc/p1/sub too) */
	assert_null(strstr(snap, "\npc/p1/sub/"));
	assert_non_null(strstr(snap, "\npc/.aptmp."));
	free(snap);
	t = open_locked(dir);
	assert_int_equal(ap_txn_recover(t, &note, &err), 0);
	assert_non_null(note);
	free(note);
	assert_unchanged(dir, before);
	ap_tree_close(t);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(commit_writes_everything),
		T(result_matches_the_committed_file),
		T(copies_from_the_tree_and_a_spool),
		T(copy_of_a_missing_file_fails),
		T(free_uncommitted_rolls_back),
		T(rollback_keeps_earlier_state),
		T(free_unprepared),
		T(prepare_refuses_symlinked_directory),
		T(recover_rolls_back_pending),
		T(commit_that_cannot_complete_rolls_back),
		T(recover_rolls_forward_journal),
		T(recover_rolls_back_a_journal_that_cannot_complete),
		T(killed_after_commit),
		T(incomplete_journal_is_not_trusted),
		T(recover_removes_debris),
		T(commit_without_state_removes_it),
		T(lock_is_exclusive),
		T(marked_dir_comes_with_its_marker),
	};

	return cmocka_run_group_tests_name("txn", tests, NULL, NULL);
}
