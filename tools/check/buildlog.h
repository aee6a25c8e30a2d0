/* buildlog.h - the commands of a `make V=1` build log.
 *
 * The emulation replays the native build's own compile and link lines:
 * this module reads them out of the log (shell words, make's directory
 * changes, libtool's echoes) and answers questions about them.
 *
 *   ap_shell_split            one shell command line into words
 *   ap_buildlog_parse         compile and link commands of a log
 *   ap_buildlog_compile_of    the command compiling a source
 *   ap_buildlog_link_of       the command linking an executable
 *   ap_logcmd_output          a command's -o argument
 *   ap_logcmd_has             whether a command has a word
 *   ap_logcmd_source          the .c file a compile command compiles
 *   ap_logcmd_include_dirs    its -I directories
 *   ap_logcmd_dep_flag        whether a word is a -M dependency flag
 *   ap_buildlog_join          dir/name, with "./" and "a/../" squeezed
 *   ap_buildlog_undot         a path without leading "./"
 */
#ifndef AP_BUILDLOG_H
#define AP_BUILDLOG_H

#include "error.h"

#include <stddef.h>

/* A command line from a build log, split as the shell would (quotes,
 * backslashes; redirections dropped), with the directory it ran in. */
typedef struct ap_logcmd {
	char *cwd;
	char **argv;
	size_t argc;
	size_t lineno;
} ap_logcmd;

typedef struct ap_buildlog {
	ap_logcmd *cmds;
	size_t n, cap;
} ap_buildlog;

/* Reads compile and link commands out of `make V=1` output: a line that
 * runs a C compiler (libtool's "libtool: compile:" and "libtool: link:"
 * lines are taken, its --mode=... wrapper lines are not); directories
 * follow make's "Entering directory" lines, starting at top. */
int ap_buildlog_parse(ap_buildlog *bl, const char *text, size_t len, const char *top,
		      ap_error *err);
void ap_buildlog_free(ap_buildlog *bl);
/* The command compiling src (path as the command names it, relative to
 * its cwd, e.g. "src/sysmem.c"), preferring the one whose object is on
 * link's command line; NULL if none. */
const ap_logcmd *ap_buildlog_compile_of(const ap_buildlog *bl, const char *src,
				      const ap_logcmd *link);
/* The last command linking an executable named name ("gap"). */
const ap_logcmd *ap_buildlog_link_of(const ap_buildlog *bl, const char *name);
/* The argument after -o, or NULL. */
const char *ap_logcmd_output(const ap_logcmd *c);

/* Splits one shell command line into words. */
int ap_shell_split(const char *line, size_t len, char ***argv, size_t *argc, ap_error *err);
void ap_argv_free(char **argv, size_t argc);

int ap_logcmd_has(const ap_logcmd *c, const char *w);
/* The .c file a compile command compiles, relative to tree (static
 * storage, overwritten by the next call), or NULL. */
const char *ap_logcmd_source(const ap_logcmd *c, const char *tree);
/* Appends the relative -I directories of c, as tree-relative paths. */
void ap_logcmd_include_dirs(const ap_logcmd *c, const char *tree, char ***out, size_t *n);
/* -MD, -MF FILE and their kin: *skip_next is set when the next word is
 * the flag's argument. */
int ap_logcmd_dep_flag(const char *w, int *skip_next);
char *ap_buildlog_join(const char *dir, const char *name);
const char *ap_buildlog_undot(const char *p);

#endif
