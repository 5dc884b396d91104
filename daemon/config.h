/* config.h — the daemon's configuration: built-in defaults, a YAML file (-c),
 * then command-line flags.  Errors read "file:line:col: what is wrong". */
#ifndef C2W_CONFIG_H
#define C2W_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONFIG_MAX_PATHS 64
#define CONFIG_ERR_MAX 1024

struct config {
	/* capture */
	char *interface;            /* live device; default "any" */
	char *read_file;            /* replay instead of live (-r) */
	uint32_t snaplen;           /* bytes kept per packet */
	uint32_t buffer_size;       /* kernel capture buffer, bytes */
	bool promiscuous;
	char *bpf;                  /* capture filter, "" for none */
	uint32_t workers;           /* worker threads; 0: one per core live, one in replay */

	/* flows and streams */
	uint32_t flow_max;          /* flow table entries (hard cap) */
	uint32_t timeout_tcp;       /* idle seconds */
	uint32_t timeout_udp;
	uint32_t timeout_other;
	uint32_t stream_depth;      /* bytes buffered per stream direction */
	uint32_t stream_buffers;    /* pooled stream buffers */

	/* IP fragment reassembly, per worker */
	uint32_t frag_max;          /* datagrams being reassembled at once */
	uint32_t frag_bytes;        /* fragment bytes held (the page pool) */
	uint32_t frag_timeout;      /* seconds from a datagram's first fragment */

	/* rules */
	char *rule_paths[CONFIG_MAX_PATHS];
	size_t nrule_paths;
	char *list_paths[CONFIG_MAX_PATHS];
	size_t nlist_paths;
	/* "file:line:col" where the config file names each path (NULL for the
	 * command line), so that a missing file is reported where it is named. */
	char *rule_where[CONFIG_MAX_PATHS];
	char *list_where[CONFIG_MAX_PATHS];

	/* dns */
	bool dns_mdns;              /* parse mDNS (UDP 5353) */
	bool dns_llmnr;             /* parse LLMNR (UDP 5355) */

	/* output */
	char *alerts_path;          /* JSON lines; "-" stdout, "" none */
	char *names_path;           /* passive DNS/SNI log; "" none */
	uint32_t alert_ring;        /* alerts kept in memory for the API */
	char *alert_log_path;       /* alerts.log.path: the durable alert log; "" none */
	uint32_t alert_log_fsync;   /* enum alert_fsync (alertlog.h) */
	uint32_t alert_log_fsync_interval;  /* seconds */
	uint32_t alert_log_rotate_size;     /* bytes, 0 off */
	uint32_t alert_log_rotate_age;      /* seconds, 0 off */
	uint32_t alert_log_keep;    /* rotated files kept */
	uint32_t alert_dedup_window;        /* seconds, 0 off */
	uint32_t alert_dedup_table; /* (rule, source, name) windows open at once */

	/* http */
	bool http_enabled;
	char *http_listen;          /* "ADDR:PORT" */
	bool serve_after_replay;    /* --serve */
	char *http_tokens;          /* bearer token file; "" none */
	bool http_insecure_remote;  /* listen off loopback without tokens */
	char *http_tls_cert;        /* PEM files: HTTPS when both are set */
	char *http_tls_key;
	char *http_cors_origin;     /* Access-Control-Allow-Origin; "" none */
	uint32_t http_max_conns;    /* connections at once (one thread each) */
	uint32_t http_max_per_ip;
	uint32_t http_timeout;      /* idle seconds before a connection is closed */
	uint32_t http_max_streams;  /* event-stream clients at once */
	uint32_t http_names_window; /* recent name sightings kept for the API */

	/* cpu-affinity: Linux cpulists ("0-3,8"), "" for anywhere */
	char *worker_cpus;          /* worker i on the i-th CPU listed, wrapping */
	char *management_cpus;      /* every other thread: HTTP, alert log, loading */

	/* privileges: dropped once the capture, sockets and files are open (privs.c) */
	char *priv_user;            /* run as this user; default "c2watch" */
	char *priv_group;           /* "" for the user's primary group */
	char *priv_chroot;          /* absolute directory, "" for none */
	bool priv_allow_root;       /* run the parsers as root when the user is absent */
	uint32_t priv_seccomp;      /* enum privs_seccomp (privs.h): off, on, log */
};

/* Fill every field with its built-in default. */
void config_defaults(struct config *c);

/* Read a YAML config file over what c holds.  Returns 0, or -1 with err set. */
int config_load(struct config *c, const char *path, char err[CONFIG_ERR_MAX]);

/* Check values that depend on each other; -1 with err set when wrong. */
int config_check(const struct config *c, char err[CONFIG_ERR_MAX]);

void config_free(struct config *c);

#endif
