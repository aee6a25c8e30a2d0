/* workload.c - one GAP run on a piece of input (see workload.h).
 *
 * Input, output and the model's report go through files in a private
 * temporary directory, so no pipe can fill and stall GAP.
 */
#include "workload.h"
#include "buf.h"
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WORKLOAD_OUTPUT_MAX ((size_t)64 << 20)

static int write_all(const char *path, const char *s, ap_error *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	size_t len = strlen(s), off = 0;
	if (fd < 0)
		return ap_error_sys(err, "%s: cannot create", path);
	while (off < len) {
		ssize_t n = write(fd, s + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			close(fd);
			return ap_error_sys(err, "%s: cannot write", path);
		}
		off += (size_t)n;
	}
	return close(fd) < 0 ? ap_error_sys(err, "%s: cannot write", path) : 0;
}

/* The child: GAP with stdin, stdout, stderr from the files. */
static void child(const ap_workload_opts *o, char **argv, const char *in, const char *out,
		  const char *report)
{
	int i = open(in, O_RDONLY), f = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	int n = open("/dev/null", O_WRONLY);
	if (i < 0 || f < 0 || n < 0 || dup2(i, 0) < 0 || dup2(f, 1) < 0 || dup2(n, 2) < 0)
		_exit(127);
	if (o->preload) {
		setenv("LD_PRELOAD", o->preload, 1);
		setenv("AP_CYGWIN_RESERVE_REPORT", report, 1);
	}
	execv(o->binary, argv);
	_exit(127);
}

/* Waits for pid, killing it after the timeout; the status as the shell's. */
static int wait_for(pid_t pid, double timeout_s, int *timed_out)
{
	struct timespec t0, now, nap = { 0, 20 * 1000 * 1000 };
	int st;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	*timed_out = 0;
	for (;;) {
		pid_t w = waitpid(pid, &st, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			return -1;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (!*timed_out && (double)(now.tv_sec - t0.tv_sec) > timeout_s) {
			kill(pid, SIGKILL);
			*timed_out = 1;
		}
		nanosleep(&nap, NULL);
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* argv: BINARY -q [-l ROOT] ARGS...; the words of args are in *copy. */
static char **make_argv(const ap_workload_opts *o, char **copy, ap_buf *shown)
{
	size_t n = 0;
	char **argv = calloc(64, sizeof *argv);
	*copy = ap_strdup(o->args ? o->args : "");
	if (!argv || !*copy) {
		free(argv);
		return NULL;
	}
	argv[n++] = (char *)o->binary;
	argv[n++] = (char *)"-q";
	if (o->root) {
		argv[n++] = (char *)"-l";
		argv[n++] = (char *)o->root;
	}
	char *save = NULL;
	for (char *w = strtok_r(*copy, " \t", &save); w && n < 62; w = strtok_r(NULL, " \t", &save))
		argv[n++] = w;
	argv[n] = NULL;
	if (o->preload)
		ap_buf_printf(shown, "LD_PRELOAD=%s ", o->preload);
	for (size_t i = 0; i < n; i++)
		ap_buf_printf(shown, "%s%s", i ? " " : "", argv[i]);
	ap_buf_printf(shown, " <<< '%s'", o->input ? o->input : "");
	return argv;
}

/* The model's report line "gmp PC OBJ+OFF SYM ADDR", as a phrase. */
static char *fault_phrase(const char *report)
{
	char *data = NULL;
	size_t len = 0;
	ap_error ig = AP_ERROR_INIT;
	char pc[64], obj[512], sym[256], addr[64];
	char *r = NULL;
	if (ap_file_read(report, 1 << 16, &data, &len, &ig) < 0 || !data)
		return NULL;
	if (sscanf(data, "gmp %63s %511s %255s %63s", pc, obj, sym, addr) == 4)
		r = ap_printf("%s (%s, %s) touching the reserved page at %s", pc, obj, sym, addr);
	free(data);
	return r;
}

int ap_workload_run(const ap_workload_opts *o, ap_workload_result *r, ap_error *err)
{
	char dir[] = "/tmp/gap-patchkit-workload.XXXXXX";
	ap_buf shown = AP_BUF_INIT;
	char *copy = NULL, *in = NULL, *out = NULL, *report = NULL;
	char **argv = NULL;
	int rc = -1, timed_out = 0;

	memset(r, 0, sizeof *r);
	if (!mkdtemp(dir))
		return ap_error_sys(err, "cannot create a temporary directory");
	in = ap_printf("%s/input", dir);
	out = ap_printf("%s/output", dir);
	report = ap_printf("%s/report", dir);
	argv = make_argv(o, &copy, &shown);
	char *input = ap_printf("%s\n", o->input ? o->input : "");
	if (!in || !out || !report || !argv || !input || !shown.data) {
		ap_error_set(err, "out of memory");
		goto done;
	}
	r->command = ap_buf_detach(&shown, NULL);
	if (write_all(in, input, err) < 0)
		goto done;
	pid_t pid = fork();
	if (pid < 0) {
		ap_error_sys(err, "fork");
		goto done;
	}
	if (pid == 0)
		child(o, argv, in, out, report);
	r->status = wait_for(pid, o->timeout_s > 0 ? o->timeout_s : 600, &timed_out);
	if (r->status < 0) {
		ap_error_sys(err, "waitpid");
		goto done;
	}
	if (ap_file_read(out, WORKLOAD_OUTPUT_MAX, &r->output, &r->output_len, err) < 0)
		goto done;
	r->gmp_fault = o->preload ? fault_phrase(report) : NULL;
	if (timed_out)
		r->why = ap_printf("killed after %.0f s", o->timeout_s > 0 ? o->timeout_s : 600);
	else if (r->status != 0)
		r->why = ap_printf("exit status %d", r->status);
	else if (!r->output_len)
		r->why = ap_strdup("exit status 0 and nothing printed");
	r->finished = !r->gmp_fault && !r->why;
	rc = 0;
done:
	if (in)
		unlink(in);
	if (out)
		unlink(out);
	if (report)
		unlink(report);
	rmdir(dir);
	ap_buf_free(&shown);
	free(input);
	free(copy);
	free(argv);
	free(in);
	free(out);
	free(report);
	return rc;
}

void ap_workload_result_free(ap_workload_result *r)
{
	free(r->command);
	free(r->output);
	free(r->gmp_fault);
	free(r->why);
	memset(r, 0, sizeof *r);
}
