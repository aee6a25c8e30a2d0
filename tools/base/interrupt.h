/* interrupt.h - SIGINT, SIGTERM and SIGHUP turned into a flag, so that a
 * long step (unpacking, copying a tree) stops between two entries and
 * cleans up after itself (its staging directory) instead of dying
 * half-way.
 *
 *   ap_interrupt_install   the CLI's handlers (no SA_RESTART: a blocked
 *                          read returns EINTR)
 *   ap_interrupted         the signal caught so far, or 0 (what the library
 *                          checks: it never installs handlers itself)
 *   ap_interrupt_reraise   the CLI, at the end: die of the caught signal, as
 *                          the shell expects of an interrupted command
 */
#ifndef AP_INTERRUPT_H
#define AP_INTERRUPT_H

void ap_interrupt_install(void);
int ap_interrupted(void);
void ap_interrupt_reraise(void);

#endif
