/* drift_report.h - the drift matrix for people (a terminal table), for
 * pull requests (markdown) and for CI (JSON, JUnit, GitHub annotations).
 *
 *   ap_drift_report          the matrix in a format
 *   ap_drift_mark            one cell's short mark
 *   ap_drift_partial_phrase  how much of a patch upstream already has
 */
#ifndef AP_DRIFT_REPORT_H
#define AP_DRIFT_REPORT_H

#include "buf.h"
#include "drift.h"
#include "report.h"

int ap_drift_report(ap_buf *out, const ap_drift *d, ap_format format, int color);

/* The short mark for a cell in the tables: "ok", "+12", "fuzz2", "UP", ... */
void ap_drift_mark(ap_buf *out, const ap_drift_cell *cell);

/* "upstreamed (N of M hunks present from COMMIT, first released in TAG;
 * the rest conflict)" for a merge with npresent > 0. */
void ap_drift_partial_phrase(ap_buf *out, const ap_drift_merge *m);

#endif
