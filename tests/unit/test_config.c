/* test_config.c — defaults, a full config file, relative paths, every kind of
 * error with its "file:line:col", and the cross-field checks.  Run from the
 * repository root: fixtures are in tests/data/config/. */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "affinity.h"
#include "check.h"
#include "config.h"

#define D "tests/data/config/"

static void expect_err(const char *file, const char *want)
{
	char err[CONFIG_ERR_MAX];
	struct config c;

	config_defaults(&c);
	CHECK_EQ(config_load(&c, file, err), -1);
	if (strncmp(err, want, strlen(want)) == 0) {
		check_passed++;
	} else {
		check_failed++;
		fprintf(stderr, "%s: error\n  want \"%s...\"\n  got  \"%s\"\n", file, want, err);
	}
	/* a failed load leaves the config as it was */
	CHECK_STR(c.interface, "any");
	CHECK_EQ(c.snaplen, 65535);
	config_free(&c);
}

static void test_defaults(void)
{
	char err[CONFIG_ERR_MAX];
	struct config c;

	config_defaults(&c);
	CHECK_STR(c.interface, "any");
	CHECK(c.read_file == NULL);
	CHECK_EQ(c.snaplen, 65535);
	CHECK_EQ(c.buffer_size, 32u << 20);
	CHECK(c.promiscuous);
	CHECK_STR(c.bpf, "");
	CHECK_EQ(c.flow_max, 262144);
	CHECK_EQ(c.timeout_tcp, 300);
	CHECK_EQ(c.timeout_udp, 60);
	CHECK_EQ(c.timeout_other, 30);
	CHECK_EQ(c.stream_depth, 16384);
	CHECK_EQ(c.stream_buffers, 4096);
	CHECK_EQ(c.frag_max, 1024);
	CHECK_EQ(c.frag_bytes, 4u << 20);
	CHECK_EQ(c.frag_timeout, 30);
	CHECK_EQ(c.nrule_paths, 0);
	CHECK_EQ(c.nlist_paths, 0);
	CHECK_STR(c.alerts_path, "-");
	CHECK_STR(c.names_path, "");
	CHECK_EQ(c.alert_ring, 8192);
	CHECK(c.http_enabled);
	CHECK_STR(c.http_listen, "127.0.0.1:8653");
	CHECK(!c.serve_after_replay);
	CHECK(!c.dns_mdns);
	CHECK(!c.dns_llmnr);
	CHECK_EQ(config_check(&c, err), 0);
	CHECK_STR(err, "");

	/* an empty file changes nothing */
	CHECK_EQ(config_load(&c, D "empty.yaml", err), 0);
	CHECK_STR(c.interface, "any");
	CHECK_EQ(c.snaplen, 65535);
	config_free(&c);
	config_free(&c);	/* twice is harmless */
}

static void test_full(void)
{
	char err[CONFIG_ERR_MAX];
	struct config c;

	config_defaults(&c);
	CHECK_EQ(config_load(&c, D "full.yaml", err), 0);
	CHECK_STR(err, "");
	CHECK_STR(c.interface, "eth1");
	CHECK_EQ(c.snaplen, 1500);
	CHECK_EQ(c.buffer_size, 64u << 20);
	CHECK(!c.promiscuous);
	CHECK_STR(c.bpf, "not port 22");
	CHECK_EQ(c.flow_max, 100000);
	CHECK_EQ(c.timeout_tcp, 600);
	CHECK_EQ(c.timeout_udp, 45);
	CHECK_EQ(c.timeout_other, 20);
	CHECK_EQ(c.stream_depth, 32768);
	CHECK_EQ(c.stream_buffers, 1024);
	CHECK_EQ(c.frag_max, 4096);
	CHECK_EQ(c.frag_bytes, 16u << 20);
	CHECK_EQ(c.frag_timeout, 60);
	CHECK_EQ(c.nrule_paths, 3);
	CHECK_STR(c.rule_paths[0], "/etc/c2watch/rules");
	CHECK_STR(c.rule_paths[1], D "extra.yaml");
	CHECK_STR(c.rule_paths[2], D "sub/more.yaml");
	CHECK_EQ(c.nlist_paths, 2);
	CHECK_STR(c.list_paths[0], D "feeds/c2.txt");
	CHECK_STR(c.list_paths[1], "/var/lib/c2watch/feed.txt.gz");
	CHECK_STR(c.alerts_path, D "alerts.json");
	CHECK_STR(c.names_path, "-");
	CHECK_EQ(c.alert_ring, 1024);
	CHECK(!c.http_enabled);
	CHECK_STR(c.http_listen, "[::1]:9000");
	CHECK_EQ(config_check(&c, err), 0);

	/* a failed load keeps everything */
	CHECK_EQ(config_load(&c, D "err_key.yaml", err), -1);
	CHECK_STR(c.interface, "eth1");
	CHECK_EQ(c.nrule_paths, 3);
	CHECK_STR(c.rule_paths[2], D "sub/more.yaml");

	/* a second file goes over the first */
	CHECK_EQ(config_load(&c, D "sizes.yaml", err), 0);
	CHECK_EQ(c.buffer_size, 1u << 30);
	CHECK(c.promiscuous);
	CHECK_EQ(c.stream_depth, 1u << 20);
	CHECK_STR(c.alerts_path, "");
	CHECK_STR(c.names_path, "/var/log/c2watch/names.json");
	CHECK_STR(c.http_listen, "0.0.0.0:8080");
	CHECK_STR(c.interface, "eth1");
	CHECK_EQ(c.nrule_paths, 3);

	/* empty sections change nothing; an empty list clears */
	CHECK_EQ(config_load(&c, D "nulls.yaml", err), 0);
	CHECK_STR(c.interface, "eth1");
	CHECK_EQ(c.timeout_tcp, 600);
	CHECK_EQ(c.nrule_paths, 0);
	CHECK_EQ(c.nlist_paths, 2);
	config_free(&c);
}

static void test_errors(void)
{
	expect_err(D "err_top.yaml", D "err_top.yaml:1:1: expected a mapping at top level");
	expect_err(D "err_top_key.yaml", D "err_top_key.yaml:3:1: unknown key 'captur' at top level "
		   "(expected one of: capture, flow, stream, frag, rules, lists, output, alerts, http, dns, cpu-affinity, privileges)");
	expect_err(D "err_key.yaml", D "err_key.yaml:2:3: unknown key 'snaplenn' in 'capture' "
		   "(expected one of: interface, snaplen, buffer-size, promiscuous, filter, workers)");
	expect_err(D "err_snaplen.yaml", D "err_snaplen.yaml:2:12: 'snaplen' must be an integer from 64 to 262144");
	expect_err(D "err_snaplen_type.yaml", D "err_snaplen_type.yaml:2:12: 'snaplen' must be an integer from 64 to 262144");
	expect_err(D "err_size.yaml", D "err_size.yaml:2:16: 'buffer-size' must be a size from 64KiB to 1GiB");
	expect_err(D "err_size_range.yaml", D "err_size_range.yaml:2:16: 'buffer-size' must be a size from 64KiB to 1GiB");
	expect_err(D "err_depth.yaml", D "err_depth.yaml:2:10: 'depth' must be a size from 1KiB to 1MiB");
	expect_err(D "err_bool.yaml", D "err_bool.yaml:2:16: 'promiscuous' must be true or false");
	expect_err(D "err_duration.yaml", D "err_duration.yaml:2:16: 'tcp-timeout' must be a duration from 1s to 24h");
	expect_err(D "err_duration_range.yaml", D "err_duration_range.yaml:2:16: 'udp-timeout' must be a duration from 1s to 24h");
	expect_err(D "err_flow_max.yaml", D "err_flow_max.yaml:1:14: 'max' must be an integer from 1024 to 67108864");
	expect_err(D "err_frag_bytes.yaml", D "err_frag_bytes.yaml:2:14: 'max-bytes' must be a size from 64KiB to 1GiB");
	expect_err(D "err_frag_timeout.yaml", D "err_frag_timeout.yaml:3:12: 'timeout' must be a duration from 1s to 10m");
	expect_err(D "err_ring.yaml", D "err_ring.yaml:2:9: 'ring' must be an integer from 16 to 2097152");
	expect_err(D "err_dup.yaml", D "err_dup.yaml:4:3: duplicate key 'snaplen' in 'capture'");
	expect_err(D "err_dup_section.yaml", D "err_dup_section.yaml:3:1: duplicate key 'http' at top level");
	expect_err(D "err_section.yaml", D "err_section.yaml:1:10: 'capture' must be a mapping");
	expect_err(D "err_listen.yaml", D "err_listen.yaml:2:11: 'listen' must be ADDR:PORT or [IPv6]:PORT "
		   "with a port from 1 to 65535");
	expect_err(D "err_listen_port.yaml", D "err_listen_port.yaml:2:11: 'listen' must be ADDR:PORT");
	expect_err(D "err_rules_type.yaml", D "err_rules_type.yaml:1:8: expected a list of paths for 'rules'");
	expect_err(D "err_rules_item.yaml", D "err_rules_item.yaml:3:5: expected a path in 'rules'");
	expect_err(D "err_interface.yaml", D "err_interface.yaml:2:14: 'interface' must be a non-empty string");
	expect_err(D "err_syntax.yaml", D "err_syntax.yaml:4:1: did not find expected ',' or ']' "
		   "(while parsing a flow sequence at line 3)");
	expect_err(D "err_syntax2.yaml", D "err_syntax2.yaml:2:1: found character that cannot start any token "
		   "(while scanning for the next token at line 2)");
	expect_err(D "nope.yaml", "cannot open config file '" D "nope.yaml': No such file or directory");
}

/* Paths relative to a config file given without a directory, and too many. */
static void test_paths(void)
{
	char dir[] = "/tmp/c2w-config-XXXXXX", cwd[4096], path[64], err[CONFIG_ERR_MAX], want[256];
	struct config c;
	FILE *f;

	if (!mkdtemp(dir) || !getcwd(cwd, sizeof cwd)) {
		CHECK(0);
		return;
	}
	snprintf(path, sizeof path, "%s/c.yaml", dir);
	f = fopen(path, "w");
	fputs("rules: [r.yaml]\nlists: [../l.txt]\noutput: { alerts: a.json }\n", f);
	fclose(f);

	config_defaults(&c);
	CHECK_EQ(config_load(&c, path, err), 0);
	snprintf(want, sizeof want, "%s/r.yaml", dir);
	CHECK_STR(c.rule_paths[0], want);
	snprintf(want, sizeof want, "%s/../l.txt", dir);
	CHECK_STR(c.list_paths[0], want);
	CHECK_EQ(chdir(dir), 0);
	CHECK_EQ(config_load(&c, "c.yaml", err), 0);
	CHECK_STR(c.rule_paths[0], "r.yaml");
	CHECK_STR(c.alerts_path, "a.json");
	CHECK_EQ(chdir(cwd), 0);

	f = fopen(path, "w");
	fputs("capture:\n  interface: eth0\nlists:\n", f);
	for (int i = 0; i <= CONFIG_MAX_PATHS; i++)
		fprintf(f, "  - list%d.txt\n", i);
	fclose(f);
	CHECK_EQ(config_load(&c, path, err), -1);
	snprintf(want, sizeof want, "%s:4:3: too many paths in 'lists' (at most 64)", path);
	CHECK_STR(err, want);
	CHECK_STR(c.interface, "any");
	CHECK_EQ(c.nlist_paths, 1);
	config_free(&c);
	unlink(path);
	rmdir(dir);
}

static void test_check(void)
{
	char err[CONFIG_ERR_MAX];
	struct config c;

	config_defaults(&c);
	c.stream_depth = 1u << 20;
	c.stream_buffers = 4096;	/* exactly 4 GiB */
	CHECK_EQ(config_check(&c, err), 0);
	c.stream_buffers = 8192;
	CHECK_EQ(config_check(&c, err), -1);
	CHECK_STR(err, "stream buffers x depth is 8192 MiB, more than 4 GiB: lower one of them");
	config_free(&c);

	config_defaults(&c);
	c.snaplen = 10;		/* as a command-line flag could set it */
	CHECK_EQ(config_check(&c, err), -1);
	CHECK_STR(err, "capture.snaplen 10 is out of range (64 to 262144)");
	c.snaplen = 1500;
	c.timeout_udp = 0;
	CHECK_EQ(config_check(&c, err), -1);
	CHECK_STR(err, "flow.udp-timeout 0 is out of range (1 to 86400)");
	c.timeout_udp = 60;
	c.frag_max = 0;
	CHECK_EQ(config_check(&c, err), -1);
	CHECK_STR(err, "frag.max-datagrams 0 is out of range (16 to 1048576)");
	c.frag_max = 1024;

	free(c.http_listen);
	c.http_listen = strdup("localhost");
	CHECK_EQ(config_check(&c, err), -1);
	CHECK_STR(err, "http listen 'localhost' must be ADDR:PORT or [IPv6]:PORT with a port from 1 to 65535");
	c.http_enabled = false;
	CHECK_EQ(config_check(&c, err), 0);
	c.http_enabled = true;
	free(c.http_listen);
	c.http_listen = strdup("localhost:8653");
	CHECK_EQ(config_check(&c, err), 0);
	free(c.http_listen);
	c.http_listen = strdup("[fe80::1]:80");
	CHECK_EQ(config_check(&c, err), 0);
	free(c.http_listen);
	c.http_listen = strdup("[localhost]:80");
	CHECK_EQ(config_check(&c, err), -1);
	free(c.http_listen);
	c.http_listen = strdup("::1:80");
	CHECK_EQ(config_check(&c, err), -1);
	free(c.http_listen);
	c.http_listen = strdup("127.0.0.1:0");
	CHECK_EQ(config_check(&c, err), -1);
	free(c.http_listen);
	c.http_listen = strdup("127.0.0.1:8653x");
	CHECK_EQ(config_check(&c, err), -1);
	free(c.http_listen);
	c.http_listen = strdup("0.0.0.0:8653");

	free(c.interface);
	c.interface = strdup("");
	CHECK_EQ(config_check(&c, err), -1);
	CHECK_STR(err, "no interface to capture on");
	c.read_file = strdup("x.pcap");
	CHECK_EQ(config_check(&c, err), 0);
	config_free(&c);
}

static void test_dns(void)
{
	char err[CONFIG_ERR_MAX];
	struct config c;

	config_defaults(&c);
	CHECK_EQ(config_load(&c, D "dns.yaml", err), 0);
	CHECK_STR(err, "");
	CHECK(c.dns_mdns);
	CHECK(!c.dns_llmnr);
	config_free(&c);
	expect_err(D "err_dns.yaml", D "err_dns.yaml:3:10: 'llmnr' must be true or false");
}

/* alerts.log and alerts.dedup: mappings inside the alerts section. */
static void test_alert_store(void)
{
	char err[CONFIG_ERR_MAX];
	struct config c;

	config_defaults(&c);
	CHECK_STR(c.alert_log_path, "");
	CHECK_EQ(c.alert_log_fsync, 1);
	CHECK_EQ(c.alert_dedup_window, 0);
	CHECK_EQ(config_load(&c, D "alert_store.yaml", err), 0);
	CHECK_STR(err, "");
	CHECK_EQ(c.alert_ring, 64);
	CHECK_STR(c.alert_log_path, D "store/alerts.json");
	CHECK_EQ(c.alert_log_fsync, 2);
	CHECK_EQ(c.alert_log_fsync_interval, 5);
	CHECK_EQ(c.alert_log_rotate_size, 8192);
	CHECK_EQ(c.alert_log_rotate_age, 0);
	CHECK_EQ(c.alert_log_keep, 3);
	CHECK_EQ(c.alert_dedup_window, 120);
	CHECK_EQ(c.alert_dedup_table, 128);
	CHECK_EQ(config_check(&c, err), 0);
	c.alert_log_keep = 5000;        /* from elsewhere than the file: checked too */
	CHECK_EQ(config_check(&c, err), -1);
	CHECK_STR(err, "alerts.log.keep 5000 is out of range (0 to 1000)");
	config_free(&c);
	expect_err(D "err_fsync.yaml", D "err_fsync.yaml:3:12: 'fsync' must be never, interval or always");
	expect_err(D "err_log_key.yaml", D "err_log_key.yaml:3:5: unknown key 'paht' in 'log' "
		   "(expected one of: path, fsync, fsync-interval, rotate-size, rotate-age, keep)");
	expect_err(D "err_dedup.yaml", D "err_dedup.yaml:3:13: 'window' must be a duration from 0s to 24h");
	expect_err(D "err_log_map.yaml", D "err_log_map.yaml:2:8: 'log' must be a mapping");
}

/* cpu-affinity: cpulists checked against the CPUs this process may use,
 * which the test reads first (a container may not have CPU 0). */
static void test_affinity(void)
{
	char err[CONFIG_ERR_MAX], path[] = "/tmp/c2w-test-affinity-XXXXXX";
	struct cpus set;
	cpu_set_t allowed;
	int first = -1, count;

	CHECK_EQ(sched_getaffinity(0, sizeof allowed, &allowed), 0);
	count = CPU_COUNT(&allowed);
	for (int i = 0; i < CPU_SETSIZE && first < 0; i++)
		if (CPU_ISSET(i, &allowed))
			first = i;
	CHECK(first >= 0);

	char text[64];
	snprintf(text, sizeof text, " %d ", first);
	CHECK_EQ(cpus_parse(text, &set, err, sizeof err), 0);
	CHECK_EQ(set.n, 1);
	CHECK_EQ(set.cpu[0], first);
	CHECK_EQ(cpus_parse("", &set, err, sizeof err), 0);
	CHECK_EQ(set.n, 0);
	CHECK_EQ(cpus_pin_one(&set, 3), 0);       /* an empty set pins nothing */
	CHECK_EQ(cpus_parse("1023", &set, err, sizeof err), -1);
	CHECK(strstr(err, "CPU 1023 is not one this process may run on") != NULL);
	CHECK_EQ(cpus_parse("5000", &set, err, sizeof err), -1);
	CHECK_EQ(cpus_parse("3-1", &set, err, sizeof err), -1);
	CHECK_STR(err, "'3-1' is not a CPU list item: expected N or N-M, separated by commas (e.g. \"0-3,8\")");
	CHECK_EQ(cpus_parse("0,", &set, err, sizeof err), -1);
	CHECK_EQ(cpus_parse("-1", &set, err, sizeof err), -1);
	CHECK_EQ(cpus_parse("0;1", &set, err, sizeof err), -1);
	CHECK_EQ(cpus_parse("99999999999999999999", &set, err, sizeof err), -1);
	snprintf(text, sizeof text, "%d,%d", first, first);
	CHECK_EQ(cpus_parse(text, &set, err, sizeof err), -1);
	CHECK(strstr(err, "is listed twice") != NULL);

	/* Checked against the process's CPUs, not the calling thread's: a
	 * reload reads the config on a thread pinned to the management CPUs
	 * and must still accept the workers' (here: pinned to the first CPU,
	 * the last one still passes). */
	int last = first;
	for (int i = 0; i < CPU_SETSIZE; i++)
		if (CPU_ISSET(i, &allowed))
			last = i;
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(first, &one);
	CHECK_EQ(sched_setaffinity(0, sizeof one, &one), 0);
	snprintf(text, sizeof text, "%d", last);
	CHECK_EQ(cpus_parse(text, &set, err, sizeof err), 0);
	CHECK_EQ(sched_setaffinity(0, sizeof allowed, &allowed), 0);

	/* The calling thread really moves, and back. */
	snprintf(text, sizeof text, "%d", first);
	CHECK_EQ(cpus_parse(text, &set, err, sizeof err), 0);
	CHECK_EQ(cpus_pin_one(&set, 7), 0);
	cpu_set_t now;
	CHECK_EQ(sched_getaffinity(0, sizeof now, &now), 0);
	CHECK_EQ(CPU_COUNT(&now), 1);
	CHECK(CPU_ISSET(first, &now));
	CHECK_EQ(sched_setaffinity(0, sizeof allowed, &allowed), 0);

	/* In a file: a number, a list of items, and where an item is wrong. */
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	FILE *f = fdopen(fd, "w");
	fprintf(f, "cpu-affinity:\n  workers: %d\n  management: [\"%d\"]\n", first, first);
	fclose(f);
	struct config c;
	config_defaults(&c);
	CHECK_STR(c.worker_cpus, "");
	CHECK_EQ(config_load(&c, path, err), 0);
	snprintf(text, sizeof text, "%d", first);
	CHECK_STR(c.worker_cpus, text);
	CHECK_STR(c.management_cpus, text);
	config_free(&c);

	f = fopen(path, "w");
	fprintf(f, "cpu-affinity:\n  workers: [%d, 1023]\n", first);
	fclose(f);
	config_defaults(&c);
	CHECK_EQ(config_load(&c, path, err), -1);
	char want[256];
	snprintf(want, sizeof want, "%s:2:%d: 'workers': CPU 1023 is not one this process may run on "
		 "(allowed: %d CPUs)", path, first >= 10 ? 17 : 16, count);
	CHECK_STR(err, want);
	CHECK_STR(c.worker_cpus, "");           /* a failed load changes nothing */
	config_free(&c);

	f = fopen(path, "w");
	fprintf(f, "cpu-affinity:\n  management: {a: 1}\n");
	fclose(f);
	config_defaults(&c);
	CHECK_EQ(config_load(&c, path, err), -1);
	CHECK(strstr(err, ":2:15: 'management' must be a CPU list") != NULL);
	config_free(&c);
	unlink(path);
}

/* privileges: defaults, every key, and its errors at file:line:col. */
static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CHECK(f != NULL);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void test_privileges(void)
{
	char path[] = "/tmp/c2w-privs-XXXXXX", err[CONFIG_ERR_MAX];
	struct config c;
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	close(fd);
	config_defaults(&c);
	CHECK_STR(c.priv_user, "c2watch");
	CHECK_STR(c.priv_group, "");
	CHECK_STR(c.priv_chroot, "");
	CHECK(!c.priv_allow_root);
	CHECK_EQ(c.priv_seccomp, 1);
	CHECK_EQ(config_check(&c, err), 0);

	write_file(path, "privileges:\n  user: sensor\n  group: adm\n  chroot: /var/empty\n"
		   "  allow-root: yes\n  seccomp: log\n");
	CHECK_EQ(config_load(&c, path, err), 0);
	CHECK_STR(c.priv_user, "sensor");
	CHECK_STR(c.priv_group, "adm");
	CHECK_STR(c.priv_chroot, "/var/empty");
	CHECK(c.priv_allow_root);
	CHECK_EQ(c.priv_seccomp, 2);
	CHECK_EQ(config_check(&c, err), 0);
	write_file(path, "privileges:\n  seccomp: off\n");
	CHECK_EQ(config_load(&c, path, err), 0);
	CHECK_EQ(c.priv_seccomp, 0);
	CHECK_STR(c.priv_user, "sensor");       /* a later file changes only what it names */
	config_free(&c);

	static const struct { const char *text, *want; } bad[] = {
		{ "privileges:\n  seccomp: maybe\n", ":2:12: 'seccomp' must be true, false or log" },
		{ "privileges:\n  seccomp: [log]\n", ":2:12: 'seccomp' must be true, false or log" },
		{ "privileges:\n  user: \"\"\n", ":2:9: 'user' must be a non-empty string" },
		{ "privileges:\n  allow-root: 2\n", ":2:15: 'allow-root' must be true or false" },
		{ "privileges:\n  chroot: {a: 1}\n", ":2:11: 'chroot' must be a string" },
		{ "privileges:\n  uid: 0\n", ":2:3: unknown key 'uid' in 'privileges'" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char want[CONFIG_ERR_MAX];

		write_file(path, bad[i].text);
		config_defaults(&c);
		CHECK_EQ(config_load(&c, path, err), -1);
		snprintf(want, sizeof want, "%s%s", path, bad[i].want);
		if (strncmp(err, want, strlen(want)) == 0) {
			check_passed++;
		} else {
			check_failed++;
			fprintf(stderr, "privileges: want \"%s...\"\n  got \"%s\"\n", want, err);
		}
		CHECK_STR(c.priv_user, "c2watch");      /* a failed load changes nothing */
		config_free(&c);
	}

	/* chroot must be absolute: a relative one would depend on the cwd */
	config_defaults(&c);
	free(c.priv_chroot);
	c.priv_chroot = strdup("var/empty");
	CHECK_EQ(config_check(&c, err), -1);
	CHECK_STR(err, "privileges chroot 'var/empty' must be an absolute directory");
	config_free(&c);
	unlink(path);
}

int main(void)
{
	test_defaults();
	test_full();
	test_errors();
	test_paths();
	test_check();
	test_dns();
	test_alert_store();
	test_affinity();
	test_privileges();
	return check_report("config");
}
