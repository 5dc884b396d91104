/* test_privs.c — the seccomp filter of privs.c, each case in a child process:
 * allowed syscalls pass, others kill with SIGSYS (in every thread, those
 * started before the filter too), socket() only for AF_PACKET, x32 numbers
 * refused, log mode lets through; and the refusal to run as root without the
 * user.  Dropping to a user is tested end to end (tests/e2e/privs.sh). */
#include <pthread.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "log.h"
#include "privs.h"

enum action { ALLOWED, FORBIDDEN, SOCKET_INET, SOCKET_PACKET, X32, IN_THREAD };

static int pipefd[2];

static void *thread_main(void *arg)
{
	char c;

	(void)arg;
	/* started before the filter: waits, then makes a forbidden call */
	if (read(pipefd[0], &c, 1) == 1)
		syscall(SYS_syslog, 10, NULL, 0);
	return NULL;
}

/* The child's status after the filter is in and it did what. */
static int run(enum privs_seccomp mode, enum action what)
{
	pid_t pid = fork();
	int status = -1;

	if (pid == 0) {
		struct config c;
		struct privs p;
		char err[PRIVS_ERR_MAX];
		pthread_t t;
		const char *own[] = { "" };

		if (!freopen("/dev/null", "w", stderr))     /* the drop's log lines */
			_exit(6);
		config_defaults(&c);
		c.priv_allow_root = true;
		free(c.priv_user);
		c.priv_user = strdup("c2w-no-such-user");
		c.priv_seccomp = mode;
		if (pipe(pipefd) < 0 || pthread_create(&t, NULL, thread_main, NULL) != 0)
			_exit(3);
		if (privs_prepare(&p, &c, err) < 0 || privs_drop(&p, own, 1, err) < 0)
			_exit(2);
		switch (what) {
		case ALLOWED:
			if (getpid() <= 0 || write(STDERR_FILENO, "", 0) != 0)
				_exit(4);
			break;
		case FORBIDDEN:
			syscall(SYS_syslog, 10, NULL, 0);
			break;
		case SOCKET_INET:
			syscall(SYS_socket, AF_INET, SOCK_DGRAM, 0);
			break;
		case SOCKET_PACKET:
			/* allowed through; the kernel says EPERM without CAP_NET_RAW */
			syscall(SYS_socket, AF_PACKET, SOCK_RAW, 0);
			break;
		case X32:
#if defined(__x86_64__)
			syscall(0x40000000 | SYS_getpid);
#else
			syscall(SYS_syslog, 10, NULL, 0);
#endif
			break;
		case IN_THREAD:
			if (write(pipefd[1], "x", 1) != 1)
				_exit(5);
			pthread_join(t, NULL);
			break;
		}
		_exit(0);
	}
	if (pid > 0)
		waitpid(pid, &status, 0);
	return status;
}

static bool killed_by_sigsys(int status)
{
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS;
}

static bool exited_0(int status)
{
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int main(void)
{
	log_set_quiet(1);
	CHECK(exited_0(run(PRIVS_SECCOMP_ON, ALLOWED)));
	CHECK(killed_by_sigsys(run(PRIVS_SECCOMP_ON, FORBIDDEN)));
	CHECK(killed_by_sigsys(run(PRIVS_SECCOMP_ON, SOCKET_INET)));
	CHECK(exited_0(run(PRIVS_SECCOMP_ON, SOCKET_PACKET)));
	CHECK(killed_by_sigsys(run(PRIVS_SECCOMP_ON, X32)));
	CHECK(killed_by_sigsys(run(PRIVS_SECCOMP_ON, IN_THREAD)));
	/* log mode and off let everything through */
	CHECK(exited_0(run(PRIVS_SECCOMP_LOG, FORBIDDEN)));
	CHECK(exited_0(run(PRIVS_SECCOMP_OFF, SOCKET_INET)));

	/* as root, no such user and no allow-root: refused, saying how to fix it */
	if (geteuid() == 0) {
		struct config c;
		struct privs p;
		char err[PRIVS_ERR_MAX];

		config_defaults(&c);
		free(c.priv_user);
		c.priv_user = strdup("c2w-no-such-user");
		CHECK_EQ(privs_prepare(&p, &c, err), -1);
		CHECK(strstr(err, "user 'c2w-no-such-user' (privileges.user) does not exist") != NULL);
		CHECK(strstr(err, "useradd") != NULL);
		CHECK(strstr(err, "privileges.allow-root: true") != NULL);
		free(c.priv_user);
		c.priv_user = strdup("root");
		CHECK_EQ(privs_prepare(&p, &c, err), -1);
		CHECK(strstr(err, "is root") != NULL);
		config_free(&c);
	}
	return check_report("privs");
}
