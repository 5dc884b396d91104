/* fuzz_common.c — the helpers of fuzz.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alert.h"
#include "config.h"
#include "rules.h"
#include "worker.h"

#include "fuzz.h"

static char dir[256];

static void remove_dir(void)
{
	char cmd[300];
	if (dir[0] && strncmp(dir, "/", 1) == 0) {
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "fuzz: could not remove %s\n", dir);
	}
}

const char *fuzz_file(const char *name, const uint8_t *data, size_t size)
{
	static char path[512];
	if (!dir[0]) {
		const char *tmp = getenv("TMPDIR");
		snprintf(dir, sizeof dir, "%s/c2w-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(dir)) {
			perror("fuzz: mkdtemp");
			abort();
		}
		atexit(remove_dir);
	}
	snprintf(path, sizeof path, "%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		perror(path);
		abort();
	}
	for (size_t off = 0; off < size;) {
		ssize_t n = write(fd, data + off, size - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			perror(path);
			abort();
		}
		off += (size_t)n;
	}
	close(fd);
	return path;
}

/* Names of the harness's own rule: an exact name, a suffix under it, and
 * one of each kind of Triangulation domain is in the embedded rules. */
static const char fuzz_list[] =
	"# names the seeds and the dictionaries use\n"
	"example.com\n"
	"evil.test\n"
	"0.0.0.0 c2.fuzz.example\n"
	"xn--bcher-kva.example\n";

static struct config cfg;
static struct ruleset *rules;
static struct sink sink;
static struct worker worker;
static int worker_up;

static void setup(void)
{
	char err[RULES_ERR_MAX];
	config_defaults(&cfg);
	cfg.flow_max = 64;
	cfg.stream_buffers = 16;
	cfg.stream_depth = 16384;
	cfg.frag_max = 16;
	cfg.frag_bytes = 1u << 18;
	cfg.timeout_tcp = 30;
	cfg.timeout_udp = 10;
	cfg.timeout_other = 5;
	cfg.frag_timeout = 5;
	cfg.dns_mdns = true;
	cfg.dns_llmnr = true;

	char *rule_path = strdup(fuzz_file("embedded.yaml", (const uint8_t *)embedded_rules_yaml,
					   embedded_rules_yaml_len));
	char *list_path = strdup(fuzz_file("fuzz.list", (const uint8_t *)fuzz_list,
					   sizeof fuzz_list - 1));
	rules = rules_load(&rule_path, 1, &list_path, 1, err);
	free(rule_path);
	free(list_path);
	if (!rules) {
		fprintf(stderr, "fuzz: rules: %s\n", err);
		abort();
	}
	pthread_mutex_init(&sink.lock, NULL);
	sink.alerts = fopen("/dev/null", "w");
	sink.names = fopen("/dev/null", "w");
	if (!sink.alerts || !sink.names) {
		perror("fuzz: /dev/null");
		abort();
	}
	sink.alerts_on = sink.names_on = true;
}

void fuzz_worker_begin(void)
{
	if (!rules)
		setup();
	/* a fresh store too: alert ids and dedup windows start over */
	if (!(sink.store = alert_store_new(64)) || alert_store_set_dedup(sink.store, 60, 64) < 0) {
		fprintf(stderr, "fuzz: alert store\n");
		abort();
	}
	if (worker_init(&worker, &cfg, rules, &sink, 0, 1) < 0) {
		fprintf(stderr, "fuzz: worker_init\n");
		abort();
	}
	worker_up = 1;
}

void fuzz_worker_frame(int dlt, uint64_t ts_ns, const uint8_t *frame, uint32_t len)
{
	worker_packet(&worker, dlt, ts_ns, frame, len, len);
}

void fuzz_worker_frames(int dlt, const struct frame *f, size_t n)
{
	worker_packets(&worker, dlt, f, n);
}

void fuzz_worker_end(void)
{
	if (!worker_up)
		return;
	worker_finish(&worker);
	alert_store_dedup_tick(sink.store, 0, true);
	worker_free(&worker);
	alert_store_free(sink.store);
	sink.store = NULL;
	worker_up = 0;
}
