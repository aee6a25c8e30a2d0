/* workload.h - run GAP on a piece of input and keep what it printed.
 *
 * For gmp.fresh_bags (gap-system/gap issue 3434): GAP runs the workload
 * once as it is (the reference result) and once with the Cygwin model
 * preloaded (tools/shim/cygwin_reserve.c), which ends the run when GMP
 * is the first to touch a reserved page and says where.
 *
 *   ap_workload_run          one run: exit status, output, the model's report
 *   ap_workload_result_free
 */
#ifndef AP_WORKLOAD_H
#define AP_WORKLOAD_H

#include "error.h"

#include <stddef.h>

typedef struct ap_workload_opts {
	const char *binary;
	const char *args;          /* GAP's options, split on blanks ("-A -m 64m") */
	const char *root;          /* -l ROOT, or NULL */
	const char *input;         /* fed on stdin */
	const char *preload;       /* the Cygwin model's shim, or NULL */
	double timeout_s;          /* 0: 600 s */
} ap_workload_opts;

typedef struct ap_workload_result {
	char *command;             /* as a person would type it */
	int finished;              /* exited 0 with output, the model did not end it */
	int status;                /* exit status, 128+N for signal N */
	char *output;              /* stdout */
	size_t output_len;
	char *gmp_fault;           /* the model ended it: "PC (OBJECT+OFF, SYMBOL) touching ADDR" */
	char *why;                 /* when not finished */
	int right;                 /* the output is the reference's (set by the caller) */
} ap_workload_result;

int ap_workload_run(const ap_workload_opts *o, ap_workload_result *r, ap_error *err);
void ap_workload_result_free(ap_workload_result *r);

#endif
