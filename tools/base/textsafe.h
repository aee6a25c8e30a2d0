/* textsafe.h - untrusted bytes (patch and file names, messages that quote
 * them) made safe for each place they are written.
 *
 * A name is whatever bytes the file system allows: not UTF-8, U+FFFE, ESC
 * and BEL (an OSC sequence retitles a terminal), newlines (a forged second
 * GitHub workflow command). Each writer escapes what its reader cannot
 * carry and shows it with one visible convention everywhere:
 *   \xNN     a byte that is not part of valid UTF-8, or a C0 control/DEL
 *   \uXXXX   a valid code point the output cannot carry or must not pass on
 *            raw (C1 controls U+0080..U+009F, U+FFFE, U+FFFF, the bidi
 *            controls U+200E, U+200F, U+061C, U+202A..U+202E, U+2066..U+2069
 *            that reorder what is shown)
 * A backslash already in a name is left alone: the renderings are for
 * reading, not for getting the bytes back (JSON keeps control characters
 * exactly, as \u escapes).
 *
 *   ap_name_escape, ap_xml_escape (_n), ap_gh_escape, ap_term_escape,
 *   ap_md_escape                                                       per reader
 *   ap_term_width                                                      a name's columns
 *   ap_term_needs_escape, ap_utf8_valid, ap_utf8_char, ap_bidi_control the tests behind them
 */
#ifndef AP_TEXTSAFE_H
#define AP_TEXTSAFE_H

#include "buf.h"

#include <stddef.h>

/* Length (1-4) of the valid UTF-8 sequence at s, storing its code point in
 * *cp (may be NULL); 0 when the bytes there are not valid UTF-8 (overlong
 * forms, surrogates, beyond U+10FFFF, truncated). */
size_t ap_utf8_char(const char *s, size_t left, unsigned *cp);

/* Whether cp is one of Unicode's bidi controls (U+200E, U+200F, U+061C,
 * U+202A..U+202E, U+2066..U+2069): never written raw, they reorder how a
 * line reads ("Trojan Source"). */
int ap_bidi_control(unsigned cp);

/* Whether len bytes are all valid UTF-8. */
int ap_utf8_valid(const char *s, size_t len);

/* XML 1.0 text or attribute value: & < > " ' as entities, CR as &#13;,
 * tab and LF kept; every character XML 1.0 cannot hold (C0 controls, U+FFFE,
 * U+FFFF, bytes that are not UTF-8) and the discouraged DEL and C1 controls
 * in the visible form above. The output is always well-formed UTF-8. */
void ap_xml_escape(ap_buf *out, const char *s);
void ap_xml_escape_n(ap_buf *out, const char *s, size_t len);

/* A GitHub workflow command's message (property 0) or a property value
 * (property 1): %, CR and LF as %25 %0D %0A, in properties also : and , as
 * %3A %2C; other controls and non-UTF-8 bytes visible, so an annotation is
 * always one line of UTF-8 with no raw control byte. */
void ap_gh_escape(ap_buf *out, const char *s, int property);

/* Text for a terminal, like GNU ls -b: LF and tab kept, every other
 * control (ESC, BEL, CR, C1) and every non-UTF-8 byte visible. With
 * keep_colors, the SGR colour sequences the reports themselves write
 * (ESC [ 0/1/31/32/33/36 m) pass through; nothing else that a terminal
 * acts on (OSC titles, cursor moves, hidden text) can. */
void ap_term_escape(ap_buf *out, const char *s, size_t len, int keep_colors);

/* One name on a line of its own, as ls -b shows it: like ap_term_escape
 * without colours, and LF and tab visible too (\x0a, \x09). */
void ap_name_escape(ap_buf *out, const char *name);

/* Markdown text, in a table cell or a line of its own: \ ` * _ [ ] | ~ !
 * { } backslash-escaped, < > & as entities, a leading # + - = escaped (no
 * heading or list), and line breaks, tabs and other controls visible as
 * above, so the text is one cell of one line and renders as written. */
void ap_md_escape(ap_buf *out, const char *s, size_t len);

/* The columns name takes once ap_term_escape'd: one per character (each
 * escape is that many ASCII characters; wide CJK characters count one),
 * for padding a column of names. */
size_t ap_term_width(const char *name);

/* Whether ap_term_escape would change anything (fast path for messages). */
int ap_term_needs_escape(const char *s, size_t len);

#endif
