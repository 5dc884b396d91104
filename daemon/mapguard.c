/* mapguard.c — SIGBUS on a mapped replay file becomes a cut (mapguard.h). */
#include "mapguard.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

static _Atomic uintptr_t window_start;
static _Atomic size_t window_len;
static volatile sig_atomic_t cut;
static long page_size;
static struct sigaction chained;

static void on_sigbus(int sig, siginfo_t *si, void *ctx)
{
	uintptr_t a = (uintptr_t)si->si_addr, s = atomic_load(&window_start);
	size_t n = atomic_load(&window_len);
	(void)sig;
	(void)ctx;
	if (s && a >= s && a - s < n) {
		uintptr_t page = a & ~(uintptr_t)(page_size - 1);
		/* zeros from the faulting page to the window's end: the access
		 * is retried and reads them */
		if (mmap((void *)page, s + n - page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
			 -1, 0) != MAP_FAILED) {
			cut = 1;
			return;
		}
	}
	/* Not ours: the handler before (or the default action, death) takes
	 * the fault when the access is retried. */
	sigaction(SIGBUS, &chained, NULL);
}

void mapguard_arm(void)
{
	static atomic_bool installed;
	cut = 0;
	if (atomic_exchange(&installed, true))
		return;
	page_size = sysconf(_SC_PAGESIZE);
	struct sigaction sa = { .sa_sigaction = on_sigbus, .sa_flags = SA_SIGINFO };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &chained);
}

void mapguard_window(const void *start, size_t len)
{
	atomic_store(&window_len, 0);
	atomic_store(&window_start, (uintptr_t)start);
	atomic_store(&window_len, start ? len : 0);
}

void mapguard_unmap(const uint8_t **map, size_t len)
{
	if (!*map)
		return;
	mapguard_window(NULL, 0);
	munmap((void *)*map, len);
	*map = NULL;
}

bool mapguard_cut(void)
{
	return cut != 0;
}
