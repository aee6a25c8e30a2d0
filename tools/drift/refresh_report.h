/* refresh_report.h - what refresh did, for people (text) and for CI
 * (JSON, JUnit XML, GitHub annotations). Renders into a buffer.
 *
 *   ap_refresh_report     every patch's outcome in a format
 *   ap_refresh_item_left  whether a patch was left for a person
 */
#ifndef AP_REFRESH_REPORT_H
#define AP_REFRESH_REPORT_H

#include "buf.h"
#include "refresh.h"
#include "report.h"

/* patches_dir names the files in annotations; color is for text only. */
int ap_refresh_report(ap_buf *out, const ap_refresh_result *r, const char *patches_dir,
		      ap_format format, int color);

/* Whether an item was left for a person (what makes refresh exit 1). */
int ap_refresh_item_left(const ap_refresh_item *it);

#endif
