/* privs.c — least privilege.  c2watchd needs root (CAP_NET_RAW, CAP_NET_ADMIN)
 * only to open the capture; everything after that — parsing hostile packets,
 * serving HTTP, writing alerts — runs as an unprivileged user with no
 * capability, no new privileges, optionally chrooted, and confined to the
 * syscalls listed below by a seccomp filter.
 *
 * Threads: capabilities, the bounding set, no_new_privs and seccomp filters
 * are per thread in Linux, and the alert log and HTTP threads exist before
 * the drop.  So privs_prepare() empties the bounding set (and the inheritable
 * and ambient sets) in the main thread before any thread starts: every thread
 * inherits that.  The uid change in privs_drop() reaches every thread through
 * glibc (set*id is process-wide in POSIX, glibc signals each thread), and the
 * kernel clears a thread's permitted and effective sets when its uids all
 * leave 0 (capabilities(7), "Effect of user ID changes on capabilities").
 * SECCOMP_FILTER_FLAG_TSYNC then installs the filter, and no_new_privs with
 * it, on every thread at once; threads started later inherit all of it. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "log.h"
#include "privs.h"

#if defined(__x86_64__)
#define PRIVS_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define PRIVS_AUDIT_ARCH AUDIT_ARCH_AARCH64
#else
#error "privs.c: no seccomp architecture for this CPU (add its AUDIT_ARCH_ and syscall list)"
#endif

#if defined(__SANITIZE_ADDRESS__)
#define C2W_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define C2W_SANITIZED 1
#endif
#endif
#ifndef C2W_SANITIZED
#define C2W_SANITIZED 0
#endif

#ifndef SECCOMP_RET_KILL_PROCESS
#define SECCOMP_RET_KILL_PROCESS 0x80000000U
#endif
#ifndef SECCOMP_RET_LOG
#define SECCOMP_RET_LOG 0x7ffc0000U
#endif
#ifndef SECCOMP_FILTER_FLAG_TSYNC
#define SECCOMP_FILTER_FLAG_TSYNC 1U
#endif

/* The syscalls of the running daemon after the drop, found by running the
 * whole test suite (live capture and fanout, replay of pcap/pcapng/.gz/stdin,
 * several workers, HTTP and HTTPS, event streams, long polls, alert log
 * rotation with gzip, SIGHUP reopen) with the filter in log mode, then
 * checked with it killing.  Some exist only on x86_64 (open, stat, poll...):
 * aarch64 has only the *at and p* forms. */
static const int allowed[] = {
	/* files: outputs reopened on SIGHUP, the alert log and its rotation,
	 * rule and list files re-read on reload */
	SYS_read, SYS_write, SYS_readv, SYS_writev, SYS_pread64, SYS_pwrite64, SYS_lseek,
	SYS_close, SYS_openat, SYS_newfstatat, SYS_fstat, SYS_statx, SYS_fstatfs,
	SYS_fcntl, SYS_dup, SYS_dup3, SYS_fsync, SYS_fdatasync, SYS_ftruncate,
	SYS_renameat, SYS_renameat2, SYS_unlinkat, SYS_mkdirat, SYS_getdents64, SYS_faccessat,
	SYS_readlinkat, SYS_fadvise64, SYS_sendfile, SYS_pipe2, SYS_eventfd2,
#ifdef SYS_open
	SYS_open, SYS_stat, SYS_lstat, SYS_rename, SYS_unlink, SYS_mkdir, SYS_access, SYS_readlink,
	SYS_dup2, SYS_pipe, SYS_poll, SYS_select, SYS_epoll_wait, SYS_time,
#endif
	/* memory: malloc arenas, thread stacks, libpcap's ring is already mapped */
	SYS_brk, SYS_mmap, SYS_munmap, SYS_mprotect, SYS_mremap, SYS_madvise,
	/* threads: pthreads and glibc's internals */
	SYS_futex, SYS_set_robust_list, SYS_rseq, SYS_clone, SYS_clone3, SYS_exit, SYS_exit_group,
	SYS_gettid, SYS_getpid, SYS_tgkill, SYS_sched_yield, SYS_sched_getaffinity,
	SYS_sched_setaffinity, SYS_prctl, SYS_getrandom, SYS_membarrier, SYS_restart_syscall,
	SYS_getuid, SYS_geteuid, SYS_getgid, SYS_getegid, SYS_getresuid, SYS_getresgid,
	SYS_getrlimit, SYS_prlimit64, SYS_getrusage, SYS_sysinfo, SYS_uname, SYS_getpriority, SYS_setpriority,
	/* signals: stop, SIGHUP reopen, --serve's wait */
	SYS_rt_sigaction, SYS_rt_sigprocmask, SYS_rt_sigreturn, SYS_rt_sigsuspend,
	SYS_rt_sigtimedwait, SYS_sigaltstack,
	/* time */
	SYS_clock_gettime, SYS_clock_getres, SYS_gettimeofday, SYS_nanosleep, SYS_clock_nanosleep,
	/* waiting: libpcap, libmicrohttpd, the alert log */
	SYS_ppoll, SYS_pselect6, SYS_epoll_create1, SYS_epoll_ctl, SYS_epoll_pwait,
	/* sockets already open: capture (recv, statistics, ring), HTTP (accept, send) */
	SYS_accept, SYS_accept4, SYS_recvfrom, SYS_recvmsg, SYS_recvmmsg, SYS_sendto, SYS_sendmsg,
	SYS_shutdown, SYS_getsockname, SYS_getpeername, SYS_getsockopt, SYS_setsockopt, SYS_ioctl,
	SYS_bind,
#if C2W_SANITIZED
	/* LeakSanitizer stops the world at exit from a ptrace()ing process of
	 * its own: sanitizer builds (tests only) allow it that */
	SYS_ptrace, SYS_wait4, SYS_kill, SYS_getppid,
#ifdef SYS_getdents
	SYS_getdents,
#endif
#endif
};

#define NALLOWED (sizeof allowed / sizeof allowed[0])

/* arch check, nr load, [x32 check], one jeq each, socket's four, the
 * default, allow */
#define PROG_MAX (NALLOWED + 10)

static size_t build_filter(struct sock_filter *f, enum privs_seccomp mode)
{
	size_t n = 0;

	/* seccomp_data.nr means nothing under another ABI (seccomp(2), "Caveats") */
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PRIVS_AUDIT_ARCH, 1, 0);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
#if defined(__x86_64__)
	/* x32 syscalls share the arch but carry bit 30: never ours */
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000U, (uint8_t)(NALLOWED + 3), 0);
#endif
	/* each match jumps over the rest, socket's check and the default to the allow */
	for (size_t i = 0; i < NALLOWED; i++)
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)allowed[i],
						      (uint8_t)(NALLOWED + 3 - i), 0);
	/* socket(AF_PACKET) only: a capture reopened by a daemon that kept
	 * root (allow-root); without CAP_NET_RAW it fails with EPERM */
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_socket, 0, 2);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0]));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_PACKET, 1, 0);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
					      mode == PRIVS_SECCOMP_LOG ? SECCOMP_RET_LOG : SECCOMP_RET_KILL_PROCESS);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	return n;
}

_Static_assert(NALLOWED + 3 < 256, "the filter's jumps are 8-bit: split the list");

/* capset(2) through the syscall: glibc has no wrapper and libcap would be a
 * dependency for three lines.  All three sets of this thread emptied. */
static int caps_clear(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	memset(data, 0, sizeof data);
	return (int)syscall(SYS_capset, &hdr, data);
}

/* Everything out of the bounding set, the inheritable and ambient sets
 * emptied; the permitted and effective sets kept (the capture is not open
 * yet).  Threads started after this inherit it. */
static int caps_limit(char *err)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	for (int cap = 0; cap < 64; cap++) {
		int r = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
		if (r < 0)
			break;                  /* past the kernel's last capability */
		if (r == 1 && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
			snprintf(err, PRIVS_ERR_MAX, "cannot drop capability %d from the bounding set: %s",
				 cap, strerror(errno));
			return -1;
		}
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL) {
		snprintf(err, PRIVS_ERR_MAX, "cannot clear the ambient capabilities: %s", strerror(errno));
		return -1;
	}
	if (syscall(SYS_capget, &hdr, data) < 0) {
		snprintf(err, PRIVS_ERR_MAX, "capget: %s", strerror(errno));
		return -1;
	}
	for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; i++)
		data[i].inheritable = 0;
	if (syscall(SYS_capset, &hdr, data) < 0) {
		snprintf(err, PRIVS_ERR_MAX, "cannot clear the inheritable capabilities: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int privs_prepare(struct privs *p, const struct config *c, char err[PRIVS_ERR_MAX])
{
	const struct passwd *pw;

	memset(p, 0, sizeof *p);
	p->root = geteuid() == 0;
	p->seccomp = (enum privs_seccomp)c->priv_seccomp;
	snprintf(p->user, sizeof p->user, "%s", c->priv_user);
	if (*c->priv_chroot && !p->root) {
		snprintf(err, PRIVS_ERR_MAX, "privileges chroot '%.64s' needs c2watchd started as root",
			 c->priv_chroot);
		return -1;
	}
	if (!p->root)
		return 0;
	errno = 0;
	pw = getpwnam(c->priv_user);
	if (!pw || pw->pw_uid == 0) {
		if (c->priv_allow_root)
			return 0;
		if (!pw)
			snprintf(err, PRIVS_ERR_MAX,
				 "running as root, and user '%.64s' (privileges.user) does not exist%s%s: "
				 "create it (useradd --system --user-group --no-create-home --shell /usr/sbin/nologin %.64s, "
				 "or make install), or set privileges.allow-root: true (--allow-root) to run "
				 "the packet parsers as root", c->priv_user, errno ? ": " : "",
				 errno ? strerror(errno) : "", c->priv_user);
		else
			snprintf(err, PRIVS_ERR_MAX,
				 "privileges.user '%.64s' is root: name an unprivileged user, or set "
				 "privileges.allow-root: true (--allow-root) to run the packet parsers as root",
				 c->priv_user);
		return -1;
	}
	p->uid = pw->pw_uid;
	p->gid = pw->pw_gid;
	if (*c->priv_group) {
		const struct group *gr = getgrnam(c->priv_group);
		if (!gr) {
			snprintf(err, PRIVS_ERR_MAX, "privileges.group '%.64s' does not exist", c->priv_group);
			return -1;
		}
		p->gid = gr->gr_gid;
	}
	if (strlen(c->priv_chroot) >= sizeof p->chroot) {
		snprintf(err, PRIVS_ERR_MAX, "privileges.chroot is too long");
		return -1;
	}
	snprintf(p->chroot, sizeof p->chroot, "%s", c->priv_chroot);
	p->drop = true;
	return caps_limit(err);
}

/* Output files root just created (or an earlier root run left) become the
 * user's: the alert log's rotation reads and recreates its file by name, and
 * SIGHUP reopens by name.  Only regular files root owns, never through a
 * symbolic link. */
static void hand_over(const struct privs *p, const char *const *paths, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		int fd;

		if (!paths[i] || !*paths[i] || !strcmp(paths[i], "-"))
			continue;
		fd = open(paths[i], O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == 0 &&
		    fchown(fd, p->uid, p->gid) < 0)
			log_warn("privileges: cannot give %s to %s: %s", paths[i], p->user, strerror(errno));
		close(fd);
	}
}

static int become_user(const struct privs *p, char *err)
{
	uid_t r, e, s;
	gid_t rg, eg, sg;

	if (*p->chroot && (chroot(p->chroot) < 0 || chdir("/") < 0)) {
		snprintf(err, PRIVS_ERR_MAX, "chroot %s: %s", p->chroot, strerror(errno));
		return -1;
	}
	/* groups first: setgroups and setgid need the privilege setuid ends */
	if (setgroups(0, NULL) < 0 || setresgid(p->gid, p->gid, p->gid) < 0 ||
	    setresuid(p->uid, p->uid, p->uid) < 0) {
		snprintf(err, PRIVS_ERR_MAX, "cannot become user %s (uid %u, gid %u): %s", p->user,
			 (unsigned)p->uid, (unsigned)p->gid, strerror(errno));
		return -1;
	}
	/* and check that it stuck, with no way back */
	if (getresuid(&r, &e, &s) < 0 || getresgid(&rg, &eg, &sg) < 0 || r != p->uid || e != p->uid ||
	    s != p->uid || rg != p->gid || eg != p->gid || sg != p->gid || getgroups(0, NULL) != 0 ||
	    setuid(0) == 0 || setgid(0) == 0) {
		snprintf(err, PRIVS_ERR_MAX, "the switch to user %s did not stick", p->user);
		return -1;
	}
	return 0;
}

int privs_drop(const struct privs *p, const char *const *own, size_t nown, char err[PRIVS_ERR_MAX])
{
	struct sock_filter f[PROG_MAX];
	struct sock_fprog prog;

	if (p->drop) {
		hand_over(p, own, nown);
		if (become_user(p, err) < 0)
			return -1;
		if (caps_clear() < 0) {
			snprintf(err, PRIVS_ERR_MAX, "cannot clear the capabilities: %s", strerror(errno));
			return -1;
		}
		log_info("privileges: running as %s (uid %u, gid %u), no capabilities%s%s", p->user,
			 (unsigned)p->uid, (unsigned)p->gid, *p->chroot ? ", chroot " : "", p->chroot);
	} else if (p->root) {
		log_warn("privileges: running as root (privileges.allow-root): the packet parsers keep "
			 "every privilege");
	} else {
		/* a capability given to a non-root start (file capabilities,
		 * AmbientCapabilities=) is not needed any more either */
		caps_clear();
		log_info("privileges: started as uid %u, not root: nothing to drop%s", (unsigned)getuid(),
			 p->seccomp ? " but the syscalls (seccomp)" : "");
	}
	/* needed by an unprivileged seccomp filter, and execve gains nothing */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		snprintf(err, PRIVS_ERR_MAX, "PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
		return -1;
	}
	if (p->seccomp == PRIVS_SECCOMP_OFF) {
		log_warn("privileges: seccomp off (privileges.seccomp: false)");
		return 0;
	}
	prog.len = (unsigned short)build_filter(f, p->seccomp);
	prog.filter = f;
	long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &prog);
	if (r != 0) {
		if (r > 0)
			snprintf(err, PRIVS_ERR_MAX, "seccomp: thread %ld cannot take the filter", r);
		else
			snprintf(err, PRIVS_ERR_MAX, "seccomp: %s", strerror(errno));
		return -1;
	}
	log_info("privileges: seccomp on, %zu syscalls allowed, %s", NALLOWED,
		 p->seccomp == PRIVS_SECCOMP_LOG ? "others logged (privileges.seccomp: log)" :
		 "others kill the process");
	if (p->seccomp_selftest) {
		/* syslog(2) asking the size of the kernel's ring: harmless, and
		 * nothing in c2watchd makes it */
		log_info("privileges: seccomp self-test: calling syslog(2), which the filter forbids");
		syscall(SYS_syslog, 10, NULL, 0);
		snprintf(err, PRIVS_ERR_MAX, "seccomp self-test: the forbidden syscall returned");
		return p->seccomp == PRIVS_SECCOMP_LOG ? 0 : -1;
	}
	return 0;
}
