/* wifi.c — radiotap, PPI and the 802.11 MAC header of data frames.
 *
 * Every read is checked against the length given; every walk (present
 * words, PPI fields, A-MSDU subframes) has a bound. */
#include <string.h>

#include "cursor.h"
#include "wifi.h"

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static size_t align_up(size_t off, size_t a) { return (off + a - 1) & ~(a - 1); }

/* Radiotap fields of the default namespace by bit number: alignment and
 * size (radiotap.org, "defined fields"; 18 is the XChannel field in wide use). */
static const struct { uint8_t align, size; } rt_field[] = {
	[0] = { 8, 8 },   /* TSFT */
	[1] = { 1, 1 },   /* Flags */
	[2] = { 1, 1 },   /* Rate */
	[3] = { 2, 4 },   /* Channel: frequency, flags */
	[4] = { 1, 2 },   /* FHSS */
	[5] = { 1, 1 },   /* antenna signal, dBm */
	[6] = { 1, 1 },   /* antenna noise, dBm */
	[7] = { 2, 2 },   /* lock quality */
	[8] = { 2, 2 },   /* TX attenuation */
	[9] = { 2, 2 },   /* TX attenuation, dB */
	[10] = { 1, 1 },  /* TX power, dBm */
	[11] = { 1, 1 },  /* antenna */
	[12] = { 1, 1 },  /* antenna signal, dB */
	[13] = { 1, 1 },  /* antenna noise, dB */
	[14] = { 2, 2 },  /* RX flags */
	[15] = { 2, 2 },  /* TX flags */
	[16] = { 1, 1 },  /* RTS retries */
	[17] = { 1, 1 },  /* data retries */
	[18] = { 4, 8 },  /* XChannel: flags, frequency, channel, max power */
	[19] = { 1, 3 },  /* MCS */
	[20] = { 4, 8 },  /* A-MPDU status */
	[21] = { 2, 12 }, /* VHT */
	[22] = { 8, 12 }, /* timestamp */
	[23] = { 2, 12 }, /* HE */
	[24] = { 2, 12 }, /* HE-MU */
	[25] = { 2, 6 },  /* HE-MU-other-user */
	[26] = { 1, 1 },  /* 0-length PSDU */
	[27] = { 2, 4 },  /* L-SIG */
};
#define RT_KNOWN (sizeof rt_field / sizeof rt_field[0])

#define RT_FLAGS 1
#define RT_BIT_RADIOTAP_NS 29
#define RT_BIT_VENDOR_NS 30
#define RT_BIT_EXT 31

/* Radiotap Flags field bits */
#define RTF_FCS 0x10
#define RTF_PAD 0x20
#define RTF_BAD_FCS 0x40

/*
 * The header: version 0, a pad byte, it_len (little-endian like every radiotap
 * field), then it_present words for as long as bit 31 says another follows.
 * The fields come after the last word, in bit order, each aligned to its size
 * from the header's start.  Bit 29 switches the words after it back to the
 * radiotap namespace (bit numbers from 0 again: per-antenna fields), bit 30
 * to a vendor namespace whose 6-byte header (OUI, sub-namespace, skip_length)
 * sits in the data where bit 30's field would; its fields, which cannot be
 * read, take skip_length bytes after it.
 *
 * Only the first Flags field is needed; the rest is walked to check that the
 * fields fit in it_len.  A field of the radiotap namespace not known here (new,
 * or TLVs, bit 28) ends the walk: its size is unknown, and it_len still says
 * where the frame starts.
 */
enum wifi_result wifi_radiotap(const uint8_t *b, size_t len, size_t *hlen, unsigned *flags)
{
	*flags = 0;
	if (len < 8)
		return WIFI_TRUNCATED;
	size_t it_len = le16(b + 2);
	if (b[0] != 0 || it_len < 8)
		return WIFI_MALFORMED;
	if (it_len > len)
		return WIFI_TRUNCATED;

	size_t nwords = 0, data = 4;
	uint32_t w;
	do {
		if (nwords == WIFI_MAX_PRESENT_WORDS || data + 4 > it_len)
			return WIFI_MALFORMED;        /* bitmaps that never end, or lie about it_len */
		w = le32(b + data);
		data += 4;
		nwords++;
	} while (w & 1u << RT_BIT_EXT);

	bool radiotap_ns = true, seen_flags = false;
	unsigned base = 0;                        /* bit number of this word's bit 0 */
	size_t vendor_end = 0;
	for (size_t k = 0; k < nwords; k++) {
		w = le32(b + 4 + 4 * k);
		for (unsigned bit = 0; radiotap_ns && bit < RT_BIT_RADIOTAP_NS; bit++) {
			if (!(w & 1u << bit))
				continue;
			unsigned field = base + bit;
			if (field >= RT_KNOWN) {
				*hlen = it_len;
				return WIFI_OK;
			}
			data = align_up(data, rt_field[field].align);
			if (data + rt_field[field].size > it_len)
				return WIFI_MALFORMED;
			if (field == RT_FLAGS && !seen_flags) {
				seen_flags = true;
				*flags = (b[data] & RTF_FCS ? WIFI_F_FCS : 0) |
					 (b[data] & RTF_BAD_FCS ? WIFI_F_BAD_FCS : 0) |
					 (b[data] & RTF_PAD ? WIFI_F_PAD : 0);
			}
			data += rt_field[field].size;
		}
		if (!(w & (1u << RT_BIT_RADIOTAP_NS | 1u << RT_BIT_VENDOR_NS))) {
			base += 32;                       /* the same namespace goes on */
			continue;
		}
		if (!radiotap_ns)
			data = vendor_end;                /* step over the vendor's fields */
		base = 0;
		radiotap_ns = !(w & 1u << RT_BIT_VENDOR_NS);
		if (!radiotap_ns) {
			data = align_up(data, 2);
			if (data + 6 > it_len)
				return WIFI_MALFORMED;
			vendor_end = data + 6 + le16(b + data + 4);
			if (vendor_end > it_len)
				return WIFI_MALFORMED;
			data += 6;
		}
	}
	*hlen = it_len;
	return WIFI_OK;
}

#define PPI_80211_COMMON 2
#define PPI_COMMON_LEN 20          /* TSF u64, flags u16, rate, frequency, channel flags, ... */
#define PPIF_ALIGN32 0x01          /* packet header flag: fields 32-bit aligned */
#define PPI_COMMON_FCS 0x0001
#define PPI_COMMON_BAD_FCS 0x0004

/* PPI (CACE "Per-Packet Information Header Specification" 1.0.x): version 0,
 * flags, the whole header's length, the DLT of the packet, then fields, each
 * a little-endian type and data length. */
enum wifi_result wifi_ppi(const uint8_t *b, size_t len, size_t *hlen, uint32_t *dlt,
			  unsigned *flags)
{
	*flags = 0;
	if (len < 8)
		return WIFI_TRUNCATED;
	size_t plen = le16(b + 2);
	if (b[0] != 0 || plen < 8)
		return WIFI_MALFORMED;
	if (plen > len)
		return WIFI_TRUNCATED;
	size_t off = 8;
	for (unsigned n = 0; off < plen; n++) {
		if (n == WIFI_MAX_PPI_FIELDS || plen - off < 4)
			return WIFI_MALFORMED;
		uint16_t type = le16(b + off), flen = le16(b + off + 2);
		off += 4;
		if (flen > plen - off)
			return WIFI_MALFORMED;
		if (type == PPI_80211_COMMON && flen >= PPI_COMMON_LEN) {
			uint16_t cf = le16(b + off + 8);
			*flags = (cf & PPI_COMMON_FCS ? WIFI_F_FCS : 0) |
				 (cf & PPI_COMMON_BAD_FCS ? WIFI_F_BAD_FCS : 0);
		}
		off += flen;
		if (b[1] & PPIF_ALIGN32)
			off = align_up(off, 4);
	}
	*hlen = plen;
	*dlt = le32(b + 4);
	return WIFI_OK;
}

/* Frame Control (IEEE 802.11-2020 §9.2.4.1), first byte: version, type, subtype */
#define FC_TYPE(fc0) ((fc0) >> 2 & 3)
#define FC_SUBTYPE(fc0) ((fc0) >> 4)
#define TYPE_MGMT 0
#define TYPE_CTRL 1
#define TYPE_DATA 2
#define SUBTYPE_NO_DATA 0x4         /* null, CF-Ack, CF-Poll, QoS null, ... */
#define SUBTYPE_QOS 0x8
/* second byte: flags */
#define FCF_TO_DS 0x01
#define FCF_FROM_DS 0x02
#define FCF_PROTECTED 0x40
#define FCF_ORDER 0x80              /* in a QoS data frame: HT Control follows QoS Control */
#define QOS_AMSDU 0x80              /* QoS Control, first byte: A-MSDU Present */

#define AMSDU_SUB_HDR 14            /* DA, SA, length */

/* LLC/SNAP (IEEE 802-2014 §10.3): AA AA 03, an OUI, an EtherType.  OUI 0 is
 * RFC 1042 encapsulation, 00-00-F8 the 802.1H bridge tunnel; other OUIs
 * carry their owner's protocols, not EtherTypes. */
static bool read_snap(struct cursor *c, uint16_t *ethertype)
{
	const uint8_t *h = cur_bytes(c, 8);
	if (!h || h[0] != 0xaa || h[1] != 0xaa || h[2] != 0x03 || h[3] != 0 || h[4] != 0 ||
	    (h[5] != 0 && h[5] != 0xf8))
		return false;
	*ethertype = (uint16_t)(h[6] << 8 | h[7]);
	return true;
}

/*
 * Data frames only.  The MAC header: Frame Control, Duration, three addresses,
 * Sequence Control, a fourth address when both To DS and From DS are set
 * (§9.3.2.1, Table 9-30 gives which address is which), QoS Control in QoS
 * subtypes, and HT Control after it when the Order bit is set (§9.2.4.1.10).
 *
 * An A-MSDU (QoS Control's A-MSDU Present bit, §9.3.2.2) is subframes of DA,
 * SA, a big-endian length and an MSDU, each padded to 4 bytes.  Only the first
 * MSDU is decoded: one captured frame is one packet to the rest of c2watchd
 * (one flow, one worker in a replay over several), and subframes of one A-MSDU
 * go to one receiver, mostly as one burst of one flow.  The others are counted.
 */
enum wifi_result wifi_data(const uint8_t *b, size_t len, unsigned flags, struct wifi_frame *f)
{
	struct cursor c;

	f->amsdu_rest = 0;
	if (flags & WIFI_F_BAD_FCS)
		return WIFI_BAD_FCS;
	if (flags & WIFI_F_FCS) {
		if (len < 4)
			return WIFI_TRUNCATED;
		len -= 4;
	}
	cur_init(&c, b, len);
	uint8_t fc0 = cur_u8(&c), fc1 = cur_u8(&c);
	if (!cur_ok(&c))
		return WIFI_TRUNCATED;
	/* Cisco access points send Frame Control and Sequence Control
	 * big-endian in CAPWAP.  Protocol version 0 is the only one with this
	 * header, so a version in the first byte and none in the second means
	 * swapped.  (A swapped frame with neither To DS nor From DS set cannot
	 * be told: it is read as it comes, and mostly skipped as management.) */
	bool swapped = (flags & WIFI_F_FC_SWAP) && (fc0 & 3) && !(fc1 & 3);
	if (swapped) {
		uint8_t t = fc0;
		fc0 = fc1;
		fc1 = t;
	}
	if (fc0 & 3)
		return WIFI_MALFORMED;
	switch (FC_TYPE(fc0)) {
	case TYPE_MGMT: return WIFI_MANAGEMENT;
	case TYPE_CTRL: return WIFI_CONTROL;
	case TYPE_DATA: break;
	default: return WIFI_MANAGEMENT;          /* extension frames (DMG, S1G beacons) */
	}
	unsigned subtype = FC_SUBTYPE(fc0);
	if (subtype & SUBTYPE_NO_DATA)
		return WIFI_NULL_DATA;

	cur_skip(&c, 2);                          /* Duration/ID */
	const uint8_t *a1 = cur_bytes(&c, 6), *a2 = cur_bytes(&c, 6), *a3 = cur_bytes(&c, 6);
	const uint8_t *seq = cur_bytes(&c, 2);
	unsigned ds = fc1 & (FCF_TO_DS | FCF_FROM_DS);
	if (ds == (FCF_TO_DS | FCF_FROM_DS))
		cur_skip(&c, 6);                  /* SA */
	uint8_t qos = 0;
	if (subtype & SUBTYPE_QOS) {
		qos = cur_u8(&c);
		cur_skip(&c, 1);
		if (fc1 & FCF_ORDER)
			cur_skip(&c, 4);
	}
	if (!cur_ok(&c))
		return WIFI_TRUNCATED;

	if (fc1 & FCF_PROTECTED) {
		/* The BSSID by address order; a four-address frame (WDS, mesh)
		 * has none, and its transmitter stands for it. */
		const uint8_t *bssid = ds == 0 ? a3 : ds == FCF_FROM_DS ? a2 : ds == FCF_TO_DS ? a1 : a2;
		memcpy(f->bssid, bssid, 6);
		return WIFI_PROTECTED;
	}
	if (seq[swapped] & 0x0f)                  /* fragment number: the low bits */
		return WIFI_FRAGMENT;
	if (flags & WIFI_F_PAD)
		cur_skip(&c, align_up(c.off, 4) - c.off);

	size_t end = len;
	if (qos & QOS_AMSDU) {
		size_t start = c.off;
		cur_skip(&c, 12);
		size_t sublen = cur_be16(&c);
		if (!cur_ok(&c))
			return WIFI_TRUNCATED;
		if (sublen > cur_left(&c))
			return WIFI_TRUNCATED;        /* the first MSDU runs past the frame */
		end = c.off + sublen;
		size_t next = start + align_up(AMSDU_SUB_HDR + sublen, 4);
		while (f->amsdu_rest < WIFI_MAX_AMSDU && next < len && len - next >= AMSDU_SUB_HDR) {
			f->amsdu_rest++;
			next += align_up(AMSDU_SUB_HDR + (size_t)(b[next + 12] << 8 | b[next + 13]), 4);
		}
		c.len = end;
		/* An MSDU too short for LLC/SNAP is whole: it is not SNAP. */
		if (!read_snap(&c, &f->ethertype))
			return WIFI_NOT_SNAP;
	} else {
		if (cur_ok(&c) && cur_left(&c) == 0)
			return WIFI_NULL_DATA;        /* a data subtype with an empty body */
		if (!read_snap(&c, &f->ethertype))
			return cur_ok(&c) ? WIFI_NOT_SNAP : WIFI_TRUNCATED;
	}
	f->l3_off = c.off;
	f->end = end;
	return WIFI_OK;
}
