/* drift_verify.h - verify's verdicts folded into the drift matrix.
 *
 * A JSON report of `verify --no-patches` on a version (verify(1),
 * "Attribution") says, per patch and platform, whether that version still
 * needs the patch. Each verdict goes to the cells of the columns whose
 * label is verify's upstream name (the git revision, or the tarball's or
 * directory's name: give drift the same) and whose platform is the
 * verdict's; "not needed upstream" makes a conflict, a partly-upstreamed
 * or an upstreamed cell expected (the behaviour is present upstream), not
 * a failure. A report matching no column is a warning in the matrix.
 *
 *   ap_drift_fold_verify     verify's verdicts read into the matrix
 *   ap_drift_verify_phrase   a cell's verdict in words
 */
#ifndef AP_DRIFT_VERIFY_H
#define AP_DRIFT_VERIFY_H

#include "drift.h"
#include "error.h"

/* Returns the number of cells given a verdict, or -1 when the report
 * cannot be read or is not verify's JSON with verdicts (err names it). */
int ap_drift_fold_verify(ap_drift *d, const char *path, ap_error *err);

/* "conflict; behaviour present upstream (verify: not needed upstream)" */
void ap_drift_verify_phrase(ap_buf *out, const ap_drift_cell *cell);

#endif
