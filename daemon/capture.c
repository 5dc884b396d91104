/* capture.c — libpcap open (live or file), the packet loop, capture counters,
 * and replay progress on a terminal.  Files c2watchd reads itself (classic
 * pcap mapped, pcapng mapped or streamed) bypass libpcap but for its filter. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "capture.h"
#include "gzstream.h"
#include "log.h"
#include "pcapfile.h"
#include "pcapng.h"

#define LIVE_TIMEOUT_MS 100      /* the ring hands over packets at least this often */
#define LIVE_BATCH 512           /* packets per pcap_dispatch: bounded work per turn */
#define FILTER_LINKTYPES 32      /* link types a pcapng replay keeps a filter program for */
#define INTERFACES_LOGGED 16     /* pcapng interfaces not decoded named in a warning */
#define DOWN_WAIT_MAX_MS 1000    /* a down interface is polled at most this seldom */
#define STOP_DRAIN_MS 200        /* at a stop, the ring is read at most this long */

/* A compressed file, a pipe or standard input (gzstream.c: gunzipped when
 * gzip, handed on as it arrives).  Its first bytes, read to tell pcapng
 * from what libpcap reads, are handed back before the rest. */
struct stream_src {
	struct gzstream *gz;
	uint8_t head[4];
	size_t nhead, at;
	const atomic_int *stop;      /* a signal that interrupts a read ends the input */
};

struct capture {
	pcap_t *pcap;
	bool live;
	int dlt;
	FILE *file;                  /* replay input given to libpcap */
	struct gzstream *gz;         /* a stream, not a mapped file */
	struct stream_src src;       /* the stream under gz */
	struct pcapfile *pf;         /* classic pcap read through memory maps */
	struct bpf_program prog;     /* the filter, for pf */
	bool has_prog;
	struct pcapng *ng;           /* pcapng, mapped or streamed */
	char *name;                  /* of ng's input, for messages */
	char *bpf;                   /* the filter, compiled per link type for ng */
	struct { int dlt; struct bpf_program prog; } progs[FILTER_LINKTYPES];
	unsigned nprogs;
	struct stats stats;          /* counts of the reading thread (pcapng) */
	bool cut;                    /* the file ended inside a record */
	uint64_t total_bytes;        /* size of the input file, 0 if unknown */
	_Atomic uint64_t received, dropped, if_dropped;
	char *ifname;                /* live: the interface, to follow its state */
	int ifindex;                 /* its index at open; 0: not followed ("any") */
	bool reports_link;           /* this capture logs and counts the link's state */
	bool down;                   /* the interface was last seen down */
	uint64_t down_ns;            /* since when (monotonic) */
};

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t wall_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static ssize_t stream_read(void *ctx, uint8_t *buf, size_t size)
{
	struct stream_src *s = ctx;
	if (s->at < s->nhead) {
		size_t n = s->nhead - s->at < size ? s->nhead - s->at : size;
		memcpy(buf, s->head + s->at, n);
		s->at += n;
		return (ssize_t)n;
	}
	for (;;) {
		ssize_t n = gzstream_read(s->gz, buf, size);
		if (n >= 0 || errno != EINTR)
			return n;
		/* SIGHUP and the like: read on; a stop request ends the input */
		if (s->stop && atomic_load(s->stop))
			return 0;
	}
}

/* A stdio stream over it, so that libpcap reads compressed captures (and
 * standard input, compressed or not) as a stream. */
static ssize_t gz_cookie_read(void *cookie, char *buf, size_t size)
{
	return stream_read(cookie, (uint8_t *)buf, size);
}

static int gz_cookie_close(void *cookie)
{
	gzstream_close(((struct stream_src *)cookie)->gz);
	return 0;
}

static int set_filter(pcap_t *p, const char *bpf, char err[CAPTURE_ERR_MAX])
{
	struct bpf_program prog;
	if (!bpf || !*bpf)
		return 0;
	if (pcap_compile(p, &prog, bpf, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		snprintf(err, CAPTURE_ERR_MAX, "capture filter \"%s\": %s", bpf, pcap_geterr(p));
		return -1;
	}
	int r = pcap_setfilter(p, &prog);
	pcap_freecode(&prog);
	if (r < 0) {
		snprintf(err, CAPTURE_ERR_MAX, "capture filter \"%s\": %s", bpf, pcap_geterr(p));
		return -1;
	}
	return 0;
}

/* The LINKTYPE_ values of a file are the DLT_ values of libpcap on Linux,
 * but for raw IP. */
static int dlt_of_linktype(uint32_t lt)
{
	return lt == 101 ? DLT_RAW : (int)lt;
}

static struct capture *open_classic(struct capture *cap, const char *path, int fd,
				    const char *bpf, char err[CAPTURE_ERR_MAX])
{
	char perr[PCAPFILE_ERR_MAX];
	cap->pf = pcapfile_open(fd, cap->total_bytes, perr);
	if (!cap->pf) {
		snprintf(err, CAPTURE_ERR_MAX, "%s: not a capture file c2watchd can read: %s", path, perr);
		free(cap);
		return NULL;
	}
	cap->dlt = dlt_of_linktype(pcapfile_linktype(cap->pf));
	if (bpf && *bpf) {
		pcap_t *dead = pcap_open_dead(cap->dlt, (int)(pcapfile_snaplen(cap->pf) ? pcapfile_snaplen(cap->pf) : 262144));
		if (!dead || pcap_compile(dead, &cap->prog, bpf, 1, PCAP_NETMASK_UNKNOWN) < 0) {
			snprintf(err, CAPTURE_ERR_MAX, "capture filter \"%s\": %s", bpf,
				 dead ? pcap_geterr(dead) : "out of memory");
			if (dead)
				pcap_close(dead);
			capture_close(cap);
			return NULL;
		}
		pcap_close(dead);
		cap->has_prog = true;
	}
	return cap;
}

/* The filter program for frames of link type dlt: compiled the first time
 * an interface of that type is seen.  NULL for a link type c2watchd does not
 * decode: its frames are counted as such, not filtered. */
static const struct bpf_program *filter_prog(struct capture *cap, int dlt)
{
	for (unsigned i = 0; i < cap->nprogs; i++)
		if (cap->progs[i].dlt == dlt)
			return &cap->progs[i].prog;
	return NULL;
}

static int compile_for(struct capture *cap, int dlt, uint32_t snaplen, char err[CAPTURE_ERR_MAX])
{
	if (!cap->bpf || !decode_linktype_supported(dlt) || filter_prog(cap, dlt))
		return 0;
	if (cap->nprogs == FILTER_LINKTYPES) {
		snprintf(err, CAPTURE_ERR_MAX, "capture filter: more than %u link types to filter",
			 FILTER_LINKTYPES);
		return -1;
	}
	pcap_t *dead = pcap_open_dead(dlt, (int)(snaplen && snaplen <= 262144 ? snaplen : 262144));
	if (!dead || pcap_compile(dead, &cap->progs[cap->nprogs].prog, cap->bpf, 1,
				  PCAP_NETMASK_UNKNOWN) < 0) {
		snprintf(err, CAPTURE_ERR_MAX, "capture filter \"%s\" on link type %s: %s", cap->bpf,
			 decode_linktype_name(dlt), dead ? pcap_geterr(dead) : "out of memory");
		if (dead)
			pcap_close(dead);
		return -1;
	}
	pcap_close(dead);
	cap->progs[cap->nprogs++].dlt = dlt;
	return 0;
}

/* A pcapng interface description: one not decoded is named (the first few)
 * and counted; its packets are still handed over, to be counted as such. */
static int interface_seen(struct capture *cap, const struct pcapng_rec *rec,
			  char err[CAPTURE_ERR_MAX])
{
	int dlt = dlt_of_linktype(rec->linktype);
	if (decode_linktype_supported(dlt))
		return compile_for(cap, dlt, rec->caplen, err);
	stat_inc(&cap->stats, ST_pcapng_unsupported_interface);
	uint64_t n = stat_get(&cap->stats, ST_pcapng_unsupported_interface);
	char section[32] = "";
	if (rec->section)
		snprintf(section, sizeof section, " of section %u", rec->section + 1);
	if (n <= INTERFACES_LOGGED)
		log_warn("pcapng interface %u%s: link type %s (%u) is not decoded: its packets are "
			 "counted, not inspected", rec->interface, section, decode_linktype_name(dlt),
			 rec->linktype);
	else if (n == INTERFACES_LOGGED + 1)
		log_warn("pcapng interface %u%s and further ones not decoded are counted, not named",
			 rec->interface, section);
	return 0;
}

/* Read up to the first interface (a pcapng file has one before any packet),
 * for the link type capture_datalink() reports. */
static struct capture *open_pcapng(struct capture *cap, const char *name, const char *bpf,
				   char err[CAPTURE_ERR_MAX])
{
	struct pcapng_rec rec;
	const uint8_t *data;
	enum pcapng_next r;
	if (!(cap->name = strdup(name)) || (bpf && *bpf && !(cap->bpf = strdup(bpf)))) {
		snprintf(err, CAPTURE_ERR_MAX, "out of memory");
		capture_close(cap);
		return NULL;
	}
	while ((r = pcapng_next(cap->ng, &rec, &data)) == PCAPNG_AGAIN)
		;
	if (r == PCAPNG_INTERFACE) {
		cap->dlt = dlt_of_linktype(rec.linktype);
		if (interface_seen(cap, &rec, err) == 0)
			return cap;
	} else if (r == PCAPNG_BAD) {
		snprintf(err, CAPTURE_ERR_MAX, "%s: %s", name, pcapng_error(cap->ng));
	} else {
		snprintf(err, CAPTURE_ERR_MAX, "%s: a pcapng file with no interface description%s",
			 name, r == PCAPNG_CUT ? " (cut short)" : "");
	}
	capture_close(cap);
	return NULL;
}

struct capture *capture_open_file(const char *path, const char *bpf, char err[CAPTURE_ERR_MAX])
{
	char perr[PCAP_ERRBUF_SIZE] = "";
	char nerr[PCAPNG_ERR_MAX];
	struct capture *cap = calloc(1, sizeof *cap);
	if (!cap) {
		snprintf(err, CAPTURE_ERR_MAX, "out of memory");
		return NULL;
	}
	bool from_stdin = strcmp(path, "-") == 0;
	const char *name = from_stdin ? "standard input" : path;
	int fd = from_stdin ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, CAPTURE_ERR_MAX, "%s: %s", name, strerror(errno));
		free(cap);
		return NULL;
	}
	struct stat sb;
	uint8_t magic[4];
	if (!from_stdin && fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode)) {
		cap->total_bytes = (uint64_t)sb.st_size;
		bool whole = cap->total_bytes && pread(fd, magic, 4, 0) == 4;
		/* Regular files c2watchd reads itself are memory-mapped: no copy
		 * through read(2). */
		if (whole && pcapfile_is_classic(magic, 4))
			return open_classic(cap, path, fd, bpf, err);
		if (whole && pcapng_is_pcapng(magic, 4)) {
			cap->ng = pcapng_open_map(fd, cap->total_bytes, &cap->stats, nerr);
			if (!cap->ng) {
				snprintf(err, CAPTURE_ERR_MAX, "%s: %s", path, nerr);
				free(cap);
				return NULL;
			}
			return open_pcapng(cap, path, bpf, err);
		}
		if (!whole || magic[0] != 0x1f || magic[1] != 0x8b) {
			/* Neither gzip nor a format of ours: libpcap's. */
			cap->file = fdopen(fd, "rb");
			if (!cap->file) {
				snprintf(err, CAPTURE_ERR_MAX, "%s: %s", path, strerror(errno));
				close(fd);
				free(cap);
				return NULL;
			}
			/* Large reads: one read(2) per MiB instead of per 4 KiB. */
			setvbuf(cap->file, NULL, _IOFBF, 1 << 20);
		}
	}
	if (!cap->file) {
		/* gzip, a pipe, standard input: a stream. */
		cap->gz = cap->src.gz = gzstream_open(fd);
		if (!cap->gz) {
			snprintf(err, CAPTURE_ERR_MAX, "%s: out of memory", name);
			free(cap);
			return NULL;
		}
		ssize_t n;
		while (cap->src.nhead < sizeof cap->src.head &&
		       ((n = gzstream_read(cap->gz, cap->src.head + cap->src.nhead,
					   sizeof cap->src.head - cap->src.nhead)) > 0 ||
			(n < 0 && errno == EINTR)))
			if (n > 0)
				cap->src.nhead += (size_t)n;
		if (pcapng_is_pcapng(cap->src.head, cap->src.nhead)) {
			cap->ng = pcapng_open_stream(stream_read, &cap->src, &cap->stats, nerr);
			if (!cap->ng) {
				snprintf(err, CAPTURE_ERR_MAX, "%s: %s", name, nerr);
				capture_close(cap);
				return NULL;
			}
			return open_pcapng(cap, name, bpf, err);
		}
		cookie_io_functions_t io = { .read = gz_cookie_read, .close = gz_cookie_close };
		cap->file = fopencookie(&cap->src, "rb", io);
		if (!cap->file) {
			snprintf(err, CAPTURE_ERR_MAX, "%s: %s", name, strerror(errno));
			capture_close(cap);
			return NULL;
		}
	}
	cap->pcap = pcap_fopen_offline_with_tstamp_precision(cap->file, PCAP_TSTAMP_PRECISION_NANO, perr);
	if (!cap->pcap) {
		snprintf(err, CAPTURE_ERR_MAX, "%s: not a capture file libpcap can read: %s", name, perr);
		fclose(cap->file);
		free(cap);
		return NULL;
	}
	cap->dlt = pcap_datalink(cap->pcap);
	if (set_filter(cap->pcap, bpf, err) < 0) {
		capture_close(cap);
		return NULL;
	}
	return cap;
}

struct capture *capture_open_live(const struct config *c, char err[CAPTURE_ERR_MAX])
{
	char perr[PCAP_ERRBUF_SIZE] = "";
	struct capture *cap = calloc(1, sizeof *cap);
	if (!cap) {
		snprintf(err, CAPTURE_ERR_MAX, "out of memory");
		return NULL;
	}
	cap->live = true;
	cap->pcap = pcap_create(c->interface, perr);
	if (!cap->pcap) {
		snprintf(err, CAPTURE_ERR_MAX, "%s: %s", c->interface, perr);
		free(cap);
		return NULL;
	}
	pcap_set_snaplen(cap->pcap, (int)c->snaplen);
	pcap_set_promisc(cap->pcap, c->promiscuous);
	pcap_set_buffer_size(cap->pcap, (int)c->buffer_size);
	pcap_set_timeout(cap->pcap, LIVE_TIMEOUT_MS);
	pcap_set_immediate_mode(cap->pcap, 0);
	pcap_set_tstamp_precision(cap->pcap, PCAP_TSTAMP_PRECISION_NANO);
	int r = pcap_activate(cap->pcap);
	if (r < 0) {
		snprintf(err, CAPTURE_ERR_MAX, "%s: %s%s%s", c->interface, pcap_statustostr(r),
			 *pcap_geterr(cap->pcap) ? ": " : "", pcap_geterr(cap->pcap));
		capture_close(cap);
		return NULL;
	}
	if (r > 0)
		log_warn("%s: %s: %s", c->interface, pcap_statustostr(r), pcap_geterr(cap->pcap));
	/* The link type first: it is the reason a capture is of no use, even
	 * when another step (D-Bus cannot poll) would fail too. */
	cap->dlt = pcap_datalink(cap->pcap);
	if (!decode_linktype_supported(cap->dlt)) {
		const char *what = pcap_datalink_val_to_description(cap->dlt);
		snprintf(err, CAPTURE_ERR_MAX, "%s: link type %s (%d%s%s) is not decoded by c2watchd",
			 c->interface, decode_linktype_name(cap->dlt), cap->dlt,
			 what ? ", " : "", what ? what : "");
		capture_close(cap);
		return NULL;
	}
	if (pcap_setnonblock(cap->pcap, 1, perr) < 0 || pcap_get_selectable_fd(cap->pcap) < 0) {
		snprintf(err, CAPTURE_ERR_MAX, "%s: cannot poll the capture: %s", c->interface, perr);
		capture_close(cap);
		return NULL;
	}
	if (set_filter(cap->pcap, c->bpf, err) < 0) {
		capture_close(cap);
		return NULL;
	}
	/* Its index, so that a new interface of the same name is told from
	 * this one; "any" has none and is not followed. */
	struct ifreq ifr = { 0 };
	if (strlen(c->interface) < sizeof ifr.ifr_name &&
	    (cap->ifname = strdup(c->interface)) != NULL) {
		memcpy(ifr.ifr_name, c->interface, strlen(c->interface));
		if (ioctl(pcap_fileno(cap->pcap), SIOCGIFINDEX, &ifr) == 0)
			cap->ifindex = ifr.ifr_ifindex;
	}
	return cap;
}

void capture_report_link(struct capture *cap) { cap->reports_link = true; }

void capture_close(struct capture *cap)
{
	if (!cap)
		return;
	if (cap->pcap)
		pcap_close(cap->pcap);      /* closes cap->file too */
	else if (cap->file)
		fclose(cap->file);          /* and the stream under it */
	else if (cap->gz)
		gzstream_close(cap->gz);
	pcapfile_close(cap->pf);
	pcapng_close(cap->ng);
	if (cap->has_prog)
		pcap_freecode(&cap->prog);
	for (unsigned i = 0; i < cap->nprogs; i++)
		pcap_freecode(&cap->progs[i].prog);
	free(cap->bpf);
	free(cap->name);
	free(cap->ifname);
	free(cap);
}

int capture_datalink(const struct capture *cap) { return cap->dlt; }
bool capture_link_per_interface(const struct capture *cap) { return cap->ng != NULL; }
const struct stats *capture_stats(const struct capture *cap) { return &cap->stats; }
bool capture_is_live(const struct capture *cap) { return cap->live; }

void capture_counters(const struct capture *cap, struct capture_counters *out)
{
	out->received = atomic_load_explicit(&cap->received, memory_order_relaxed);
	out->dropped = atomic_load_explicit(&cap->dropped, memory_order_relaxed);
	out->if_dropped = atomic_load_explicit(&cap->if_dropped, memory_order_relaxed);
}

struct loop_ctx {
	const struct capture_target *t;
	int dlt;
	uint64_t n;
};

static void deliver(struct loop_ctx *lc, uint64_t ts, const uint8_t *data, uint32_t caplen, uint32_t len)
{
	lc->n++;
	if (lc->t->dispatch)
		dispatch_packet(lc->t->dispatch, lc->dlt, ts, data, caplen, len);
	else
		worker_packet(&lc->t->workers[0], lc->dlt, ts, data, caplen, len);
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
	struct loop_ctx *lc = (struct loop_ctx *)user;
	/* Opened with nanosecond precision: tv_usec holds nanoseconds. */
	uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec;
	deliver(lc, ts, data, h->caplen, h->len);
}

bool capture_was_cut(const struct capture *cap) { return cap->cut; }

/* DEFRAG: the kernel reassembles IPv4 before hashing, so a datagram reaches
 * the worker of its flow whole.  It does not reassemble IPv6: the fragments
 * of a datagram (no ports) hash by their addresses to one worker, which
 * reassembles them itself (frag.c), though maybe not the flow's owner. */
int capture_join_fanout(struct capture *cap, uint16_t group, char err[CAPTURE_ERR_MAX])
{
	uint32_t arg = group | (uint32_t)(PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_DEFRAG) << 16;
	if (setsockopt(pcap_fileno(cap->pcap), SOL_PACKET, PACKET_FANOUT, &arg, sizeof arg) < 0) {
		snprintf(err, CAPTURE_ERR_MAX, "cannot share the capture between workers (PACKET_FANOUT): %s",
			 strerror(errno));
		return -1;
	}
	return 0;
}

static void refresh_counters(struct capture *cap)
{
	struct pcap_stat ps;
	if (pcap_stats(cap->pcap, &ps) == 0) {
		atomic_store_explicit(&cap->received, ps.ps_recv, memory_order_relaxed);
		atomic_store_explicit(&cap->dropped, ps.ps_drop, memory_order_relaxed);
		atomic_store_explicit(&cap->if_dropped, ps.ps_ifdrop, memory_order_relaxed);
	}
}

enum link_state { LINK_UP, LINK_DOWN, LINK_GONE };

/* Asked of the capture's own socket: no new socket is needed, and none could
 * be opened once privileges are dropped.  "Down" is not up or no carrier
 * (a veth whose peer is down); "gone" is deleted, or replaced by a new
 * interface of the same name, which the socket, bound to the old index,
 * would never see.  A failure other than ENODEV cannot tell: up. */
static enum link_state link_state(const struct capture *cap)
{
	struct ifreq ifr = { 0 };
	int fd = pcap_fileno(cap->pcap);
	if (!cap->ifindex)
		return LINK_UP;
	memcpy(ifr.ifr_name, cap->ifname, strlen(cap->ifname));
	if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0)
		return errno == ENODEV ? LINK_GONE : LINK_UP;
	if (ifr.ifr_ifindex != cap->ifindex)
		return LINK_GONE;
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		return errno == ENODEV ? LINK_GONE : LINK_UP;
	return (ifr.ifr_flags & IFF_UP) && (ifr.ifr_flags & IFF_RUNNING) ? LINK_UP : LINK_DOWN;
}

/* Note a change of the link's state: logged once each way and counted, by
 * the one capture that reports for the interface (the others share it). */
static enum link_state follow_link(struct capture *cap)
{
	enum link_state s = link_state(cap);
	if (s == LINK_DOWN && !cap->down) {
		cap->down = true;
		cap->down_ns = mono_ns();
		if (!cap->reports_link)
			return s;
		stat_inc(&cap->stats, ST_link_down);
		log_warn("%s: the interface is down (not up, or no carrier): waiting for it, "
			 "capture resumes by itself", cap->ifname);
	} else if (s == LINK_UP && cap->down) {
		cap->down = false;
		if (!cap->reports_link)
			return s;
		log_info("%s: the interface is up again after %.1f s: capturing", cap->ifname,
			 (double)(mono_ns() - cap->down_ns) / 1e9);
	}
	return s;
}

/* A capture error: -1 to end the run (err set), 0 to wait and try again.
 * A deleted interface ends it; a down one is waited for, should libpcap
 * report it as an error ("went down": a link down and up in between). */
static int live_error(struct capture *cap, char err[CAPTURE_ERR_MAX])
{
	const char *why = pcap_geterr(cap->pcap);
	enum link_state s = follow_link(cap);
	if (s == LINK_GONE) {
		snprintf(err, CAPTURE_ERR_MAX, "%s: the interface was deleted (%s): exiting, "
			 "every alert written, for the service manager to start c2watchd again "
			 "when it is back", cap->ifname, why);
		return -1;
	}
	if (s == LINK_UP && !strstr(why, "went down")) {
		snprintf(err, CAPTURE_ERR_MAX, "capture: %s", why);
		return -1;
	}
	return 0;
}

static uint64_t input_position(struct capture *cap)
{
	if (cap->pf)
		return pcapfile_offset(cap->pf);
	if (cap->ng && !cap->gz)
		return pcapng_offset(cap->ng);
	if (cap->gz)
		return gzstream_offset(cap->gz);
	off_t o = ftello(cap->file);
	return o < 0 ? 0 : (uint64_t)o;
}

static void show_progress(struct capture *cap, const struct capture_target *t, uint64_t pkts,
			  uint64_t start_ns, bool last)
{
	double secs = (double)(mono_ns() - start_ns) / 1e9;
	uint64_t alerts = 0;
	for (unsigned i = 0; i < t->nworkers; i++)
		alerts += stat_get(&t->workers[i].stats, ST_alerts);
	uint64_t pos = input_position(cap);
	char where[64];
	if (cap->total_bytes)
		snprintf(where, sizeof where, "%5.1f%% of %.1f MB",
			 100.0 * (double)pos / (double)cap->total_bytes, (double)cap->total_bytes / 1e6);
	else
		snprintf(where, sizeof where, "%.1f MB read", (double)pos / 1e6);
	fprintf(stderr, "\rc2watchd: %s, %llu packets, %.2f Mpps, %llu alerts   %s",
		where, (unsigned long long)pkts, secs > 0 ? (double)pkts / secs / 1e6 : 0.0,
		(unsigned long long)alerts, last ? "\n" : "");
}

/* Between replayed packets: about once a second of wall time, progress on a
 * terminal and the caller's housekeeping (callers ask every 64k packets). */
static void replay_turn(struct capture *cap, const struct loop_ctx *lc, uint64_t start,
			uint64_t *last_tick, bool progress, capture_tick_fn tick, void *tick_ctx)
{
	if (mono_ns() - *last_tick <= 1000000000ull)
		return;
	*last_tick = mono_ns();
	if (progress)
		show_progress(cap, lc->t, lc->n, start, false);
	if (tick)
		tick(tick_ctx);
}

#define REPLAY_BATCH 64           /* frames held from one window at a time */

static void deliver_batch(struct loop_ctx *lc, int dlt, const struct frame *f, size_t n)
{
	lc->n += n;
	if (lc->t->dispatch) {
		for (size_t i = 0; i < n; i++)
			dispatch_packet(lc->t->dispatch, dlt, f[i].ts_ns, f[i].data, f[i].caplen, f[i].wirelen);
	} else {
		worker_packets(&lc->t->workers[0], dlt, f, n);
	}
}

/* Frames are taken a batch at a time from the mapped window (kept in place
 * while the batch is gathered), so a worker can overlap their lookups. */
static int run_classic(struct capture *cap, struct loop_ctx *lc, atomic_int *stop,
		       bool progress, capture_tick_fn tick, void *tick_ctx, char err[CAPTURE_ERR_MAX])
{
	uint64_t start = mono_ns(), last_tick = start;
	struct pcapfile_rec rec;
	struct frame batch[REPLAY_BATCH];
	const uint8_t *data;
	enum pcapfile_next r = PCAPFILE_PACKET;

	while (!*stop && r == PCAPFILE_PACKET) {
		size_t n = 0;
		uint64_t before = lc->n;
		while (n < REPLAY_BATCH) {
			pcapfile_keep(cap->pf, n > 0);
			r = pcapfile_next(cap->pf, &rec, &data);
			if (r != PCAPFILE_PACKET)
				break;
			if (cap->has_prog) {
				struct pcap_pkthdr h = { .caplen = rec.caplen, .len = rec.len };
				if (!pcap_offline_filter(&cap->prog, &h, data))
					continue;
			}
			batch[n++] = (struct frame){ rec.ts_ns, data, rec.caplen, rec.len };
		}
		if (r == PCAPFILE_AGAIN)
			r = PCAPFILE_PACKET;     /* the batch ends at the window's edge */
		deliver_batch(lc, lc->dlt, batch, n);
		/* once-a-second work, checked as the count crosses 64k */
		if ((before ^ lc->n) >> 16)
			replay_turn(cap, lc, start, &last_tick, progress, tick, tick_ctx);
	}
	pcapfile_keep(cap->pf, false);
	if (progress)
		show_progress(cap, lc->t, lc->n, start, true);
	unsigned long long n_read = (unsigned long long)lc->n;
	if (!*stop && r == PCAPFILE_CUT) {
		cap->cut = true;
		log_warn("capture file cut short after %llu packets: the last record is incomplete", n_read);
	} else if (!*stop && r == PCAPFILE_BAD) {
		snprintf(err, CAPTURE_ERR_MAX, "bad record after %llu packets at offset %llu "
			 "(capture length beyond %u or the map failed)", n_read,
			 (unsigned long long)pcapfile_offset(cap->pf), 128u << 20);
		return -1;
	}
	return 0;
}

/* As run_classic, with a link type per frame: a batch ends where the link
 * type changes (interfaces of several types), and the filter is the
 * program compiled for that type. */
static int run_pcapng(struct capture *cap, struct loop_ctx *lc, atomic_int *stop,
		      bool progress, capture_tick_fn tick, void *tick_ctx, char err[CAPTURE_ERR_MAX])
{
	uint64_t start = mono_ns(), last_tick = start;
	struct pcapng_rec rec;
	struct frame batch[REPLAY_BATCH], held;
	const uint8_t *data;
	const struct bpf_program *prog = NULL;
	int held_dlt = 0, prog_dlt = -1;
	bool holding = false;                 /* held opens the next batch */
	enum pcapng_next r = PCAPNG_PACKET;

	while (!*stop && (r == PCAPNG_PACKET || r == PCAPNG_AGAIN)) {
		size_t n = 0;
		int dlt = 0;
		uint64_t before = lc->n;
		if (holding) {
			batch[n++] = held;
			dlt = held_dlt;
			holding = false;
		}
		while (n < REPLAY_BATCH) {
			pcapng_keep(cap->ng, n > 0);
			r = pcapng_next(cap->ng, &rec, &data);
			if (r == PCAPNG_INTERFACE) {
				if (interface_seen(cap, &rec, err) < 0) {
					pcapng_keep(cap->ng, false);
					return -1;
				}
				prog_dlt = -1;        /* the program table may have grown */
				continue;
			}
			if (r != PCAPNG_PACKET)
				break;
			int fdlt = dlt_of_linktype(rec.linktype);
			if (cap->bpf) {
				if (fdlt != prog_dlt) {
					prog = filter_prog(cap, fdlt);
					prog_dlt = fdlt;
				}
				struct pcap_pkthdr h = { .caplen = rec.caplen, .len = rec.len };
				if (prog && !pcap_offline_filter(prog, &h, data))
					continue;
			}
			struct frame f = { rec.ts_ns, data, rec.caplen, rec.len };
			if (n > 0 && fdlt != dlt) {
				held = f;
				held_dlt = fdlt;
				holding = true;
				break;
			}
			dlt = fdlt;
			batch[n++] = f;
		}
		if (r == PCAPNG_AGAIN)
			r = PCAPNG_PACKET;     /* the batch ends at the window's edge */
		deliver_batch(lc, dlt, batch, n);
		if ((before ^ lc->n) >> 16)
			replay_turn(cap, lc, start, &last_tick, progress, tick, tick_ctx);
	}
	pcapng_keep(cap->ng, false);
	if (progress)
		show_progress(cap, lc->t, lc->n, start, true);
	unsigned long long n_read = (unsigned long long)lc->n;
	if (!*stop && r == PCAPNG_CUT) {
		cap->cut = true;
		log_warn("capture file cut short after %llu packets: the last block is incomplete", n_read);
	} else if (!*stop && r == PCAPNG_BAD) {
		snprintf(err, CAPTURE_ERR_MAX, "%s: bad pcapng block after %llu packets: %s", cap->name,
			 n_read, pcapng_error(cap->ng));
		return -1;
	}
	return 0;
}

int capture_run(struct capture *cap, const struct capture_target *t, atomic_int *stop,
		bool progress, capture_tick_fn tick, void *tick_ctx, char err[CAPTURE_ERR_MAX])
{
	struct loop_ctx lc = { t, cap->dlt, 0 };
	uint64_t start = mono_ns(), last_tick = start;

	cap->src.stop = stop;
	if (cap->pf)
		return run_classic(cap, &lc, stop, progress, tick, tick_ctx, err);
	if (cap->ng)
		return run_pcapng(cap, &lc, stop, progress, tick, tick_ctx, err);
	if (!cap->live) {
		struct pcap_pkthdr *h;
		const u_char *data;
		int r = 0;
		while (!*stop && (r = pcap_next_ex(cap->pcap, &h, &data)) == 1) {
			on_packet((u_char *)&lc, h, data);
			if ((lc.n & 0xffff) == 0)
				replay_turn(cap, &lc, start, &last_tick, progress, tick, tick_ctx);
		}
		if (progress)
			show_progress(cap, t, lc.n, start, true);
		if (!*stop && r == PCAP_ERROR) {
			const char *msg = pcap_geterr(cap->pcap);
			unsigned long long n_read = (unsigned long long)lc.n;
			if (strstr(msg, "truncated")) {
				/* A file cut short (a capture that was still being
				 * written, a partial copy): keep what was read. */
				cap->cut = true;
				log_warn("capture file cut short after %llu packets: %s", n_read, msg);
				return 0;
			}
			snprintf(err, CAPTURE_ERR_MAX, "read error after %llu packets: %s", n_read, msg);
			return -1;
		}
		return 0;
	}

	/* Wait in our own poll() with a timeout: libpcap's TPACKET_V3 wait
	 * blocks until a frame arrives and retries on EINTR, so on a quiet
	 * link neither a signal nor the once-a-second work would get a turn. */
	struct pollfd pfd = { .fd = pcap_get_selectable_fd(cap->pcap), .events = POLLIN };
	int wait_ms = LIVE_TIMEOUT_MS;
	while (!*stop) {
		int r = 0;
		if (poll(&pfd, 1, wait_ms) > 0) {
			/* POLLERR: the socket's error (ENETDOWN when the link
			 * goes down) is about to be read by libpcap: look now. */
			if ((pfd.revents & POLLERR) && cap->reports_link)
				follow_link(cap);
			r = pcap_dispatch(cap->pcap, LIVE_BATCH, on_packet, (u_char *)&lc);
		}
		if (r < 0) {
			if (r == PCAP_ERROR_BREAK)
				break;
			if (live_error(cap, err) < 0) {
				refresh_counters(cap);
				return -1;
			}
			/* wait longer each time (bounded), and try again */
			wait_ms = wait_ms * 2 > DOWN_WAIT_MAX_MS ? DOWN_WAIT_MAX_MS : wait_ms * 2;
		} else if (r > 0) {
			wait_ms = LIVE_TIMEOUT_MS;
		}
		/* a quiet link still takes up a reload's rules within the
		 * timeout, so that the old set can be freed (reload.c) */
		worker_rules_sync(&t->workers[0]);
		uint64_t now = mono_ns();
		if (now - last_tick >= 1000000000ull) {
			last_tick = now;
			if (cap->reports_link || cap->down)
				follow_link(cap);
			if (!cap->down)
				wait_ms = LIVE_TIMEOUT_MS;
			refresh_counters(cap);
			worker_tick(&t->workers[0], wall_ns());
			if (tick)
				tick(tick_ctx);
			fflush(NULL);
		}
	}
	/* Stopped: what the kernel had handed over is read rather than left in
	 * the ring; bounded in time, as a flood keeps filling it. */
	uint64_t until = mono_ns() + STOP_DRAIN_MS * 1000000ull;
	while (!cap->down && mono_ns() < until &&
	       pcap_dispatch(cap->pcap, LIVE_BATCH, on_packet, (u_char *)&lc) > 0)
		;
	refresh_counters(cap);
	return 0;
}
