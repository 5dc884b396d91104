/* privs.h — least privilege: once the capture, the sockets and the files are
 * open, become an unprivileged user, keep no capability, and confine the
 * syscalls to those the running daemon makes (seccomp). */
#ifndef C2W_PRIVS_H
#define C2W_PRIVS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "config.h"

#define PRIVS_ERR_MAX 512

enum privs_seccomp { PRIVS_SECCOMP_OFF, PRIVS_SECCOMP_ON, PRIVS_SECCOMP_LOG };

struct privs {
	bool root;                  /* started as root */
	bool drop;                  /* root with a user to become */
	uid_t uid;
	gid_t gid;
	char user[64];
	char chroot[256];
	enum privs_seccomp seccomp;
	bool seccomp_selftest;      /* --seccomp-selftest: make a forbidden call once filtered */
};

/* At start, before any thread: find the user and group, and refuse root
 * without one unless allow-root.  Drops every capability from the bounding
 * set (threads started later inherit it) but keeps those the main thread
 * still needs until privs_drop(): the kernel clears them at setuid().
 * -1 with err set. */
int privs_prepare(struct privs *p, const struct config *c, char err[PRIVS_ERR_MAX]);

/* Once everything privileged is done: the output files in own[] given to
 * the user, chroot, groups, gid, uid (in every thread: glibc applies set*id
 * process-wide), no capability, no new privileges, then the seccomp filter
 * on every thread.  -1 with err set. */
int privs_drop(const struct privs *p, const char *const *own, size_t nown, char err[PRIVS_ERR_MAX]);

#endif
