/* test_reload.c — the reloader without a daemon: a swap seen by workers
 * between packets, the old set retired only once every worker moved on (or
 * stopped), 409 meanwhile, a broken file changing nothing, restart-only
 * settings reported.  Workers here are bare: only their rule fields. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "reload.h"
#include "rules.h"
#include "worker.h"

static char tmp[] = "/tmp/c2w-reload-XXXXXX";
static char list[256];
static uint32_t next_flow_max = 65536;    /* what the "file" says */
static const char *next_user = "c2watch";
static atomic_int retired;

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	CHECK(f != NULL);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static int load(void *ctx, struct config *c, char err[CONFIG_ERR_MAX])
{
	(void)ctx;
	(void)err;
	config_defaults(c);
	c->list_paths[0] = strdup(list);
	c->nlist_paths = 1;
	c->flow_max = next_flow_max;
	free(c->priv_user);
	c->priv_user = strdup(next_user);
	return 0;
}

static void retire(void *ctx, const struct ruleset *old, const struct ruleset *next)
{
	(void)ctx;
	CHECK(old != next);
	atomic_fetch_add(&retired, 1);
}

static void pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

static bool wait_retired(int n)
{
	for (int i = 0; i < 200 && atomic_load(&retired) < n; i++)
		pause_ms(10);
	return atomic_load(&retired) == n;
}

int main(void)
{
	char err[RULES_ERR_MAX];
	struct reload_result res;
	struct reload_status st;

	CHECK(mkdtemp(tmp) != NULL);
	snprintf(list, sizeof list, "%s/c2.list", tmp);
	write_file(list, "a.example\n");

	struct config running;
	load(NULL, &running, err);
	struct ruleset *rs0 = rules_load(running.list_paths, 0, running.list_paths, 1, err);
	CHECK(rs0 != NULL);
	struct worker *w = calloc(2, sizeof *w);
	CHECK(w != NULL);
	for (int i = 0; i < 2; i++) {
		w[i].rules = rs0;
		atomic_init(&w[i].rules_in_use, rs0);
	}
	struct reload_hooks hooks = { load, NULL, retire, NULL };
	struct reloader *r = reload_start(&running, rs0, 1, w, 2, &hooks);
	CHECK(r != NULL);

	/* A good reload: in force at once for readers, workers take it up
	 * at their next packet. */
	write_file(list, "b.example\nc.example\n");
	reload_run(r, "test", &res);
	CHECK_EQ(res.status, 200);
	CHECK_EQ(res.rules, 1);
	CHECK_EQ(res.domains, 2);
	CHECK_STR(res.restart, "");
	uint64_t at;
	const struct ruleset *rs1 = reload_hold(r, &at);
	reload_put(r);
	CHECK(rs1 != rs0 && at > 1);
	CHECK(w[0].rules == rs0);
	worker_rules_sync(&w[0]);
	CHECK(w[0].rules == rs1 && atomic_load(&w[0].rules_in_use) == rs1);

	/* The old set is still in use by worker 1: not retired; another
	 * reload waits 2 s for it, then is refused. */
	pause_ms(50);
	CHECK_EQ(atomic_load(&retired), 0);
	reload_run(r, "test", &res);
	CHECK_EQ(res.status, 409);
	CHECK(strstr(res.error, "still in use") != NULL);
	worker_rules_sync(&w[1]);
	CHECK(wait_retired(1));

	/* A broken list changes nothing, and says where. */
	write_file(list, "d.example\nbad..example\n");
	reload_run(r, "test", &res);
	CHECK_EQ(res.status, 422);
	CHECK(strstr(res.error, "c2.list:2:") != NULL);
	CHECK(reload_hold(r, NULL) == rs1);
	reload_put(r);
	reload_status(r, &st);
	CHECK_EQ(st.reloads, 1);
	CHECK_EQ(st.failures, 1);
	CHECK(!st.last_ok && strstr(st.last_error, "c2.list:2:") != NULL);

	/* A restart-only setting is reported, not applied; a stopped worker
	 * (NULL) does not hold up the retirement. */
	write_file(list, "e.example\n");
	next_flow_max = 1024;
	reload_run(r, "test", &res);
	CHECK_EQ(res.status, 200);
	CHECK_STR(res.restart, "flow.max");
	CHECK_EQ(running.flow_max, 65536);
	atomic_store(&w[1].rules_in_use, NULL);
	worker_rules_sync(&w[0]);
	CHECK(wait_retired(2));

	/* privileges are taken at start only: a change is reported too */
	next_user = "c2w-other";
	reload_run(r, "test", &res);
	CHECK_EQ(res.status, 200);
	CHECK(strstr(res.restart, "privileges.user") != NULL);
	next_user = "c2watch";
	worker_rules_sync(&w[0]);
	CHECK(wait_retired(3));

	/* Stopping with a set not yet retired frees both (LeakSanitizer). */
	reload_run(r, "test", &res);
	CHECK_EQ(res.status, 200);
	reload_stop(r);
	free(w);
	config_free(&running);
	unlink(list);
	rmdir(tmp);
	return check_report("reload");
}
