/* wifi.h — 802.11 as captured: the radiotap and PPI headers a monitor-mode
 * capture puts in front of a frame, and the 802.11 MAC header of a data frame
 * down to the EtherType of what it carries.
 *
 * Pure parsing of the bytes given, nothing counted: the caller (decode.c)
 * turns every result but WIFI_OK into its counter. */
#ifndef C2W_WIFI_H
#define C2W_WIFI_H

#include <stddef.h>
#include <stdint.h>

enum wifi_result {
	WIFI_OK,
	WIFI_TRUNCATED,        /* the bytes ran out inside a header */
	WIFI_MALFORMED,        /* a header contradicts itself (lying length, endless bitmaps) */
	WIFI_BAD_FCS,          /* the radio says the frame failed its FCS check */
	WIFI_MANAGEMENT,       /* management or extension frame: nothing carried */
	WIFI_CONTROL,          /* control frame (ACK, RTS, block ack, ...) */
	WIFI_NULL_DATA,        /* a data frame of a subtype without data (null, CF-poll) */
	WIFI_PROTECTED,        /* encrypted: bssid tells whose */
	WIFI_FRAGMENT,         /* an 802.11 fragment after the first */
	WIFI_NOT_SNAP,         /* the payload is not LLC/SNAP with an EtherType */
};

/* What a radiotap or PPI header says about the 802.11 frame that follows it,
 * and how the frame came (wifi_data's flags). */
#define WIFI_F_FCS       0x01  /* the frame ends with its 4-byte FCS */
#define WIFI_F_BAD_FCS   0x02  /* ... which the radio found wrong */
#define WIFI_F_PAD       0x04  /* padding after the MAC header to a 4-byte boundary */
#define WIFI_F_FC_SWAP   0x08  /* Frame Control may come byte-swapped (CAPWAP from Cisco APs) */

/* A decoded data frame (or the first MSDU of an A-MSDU). */
struct wifi_frame {
	uint16_t ethertype;
	size_t l3_off;         /* where the network layer starts, from the frame's start */
	size_t end;            /* where it ends: FCS and further A-MSDU subframes left out */
	unsigned amsdu_rest;   /* A-MSDU subframes after the first, not decoded */
	uint8_t bssid[6];      /* set for WIFI_PROTECTED */
};

#define WIFI_MAX_PRESENT_WORDS 32   /* radiotap it_present words walked */
#define WIFI_MAX_PPI_FIELDS 64
#define WIFI_MAX_AMSDU 64           /* A-MSDU subframes walked (to count them) */

/* Radiotap header (radiotap.org) at b: *hlen is its length, *flags gets
 * WIFI_F_FCS, WIFI_F_BAD_FCS and WIFI_F_PAD from its Flags field. */
enum wifi_result wifi_radiotap(const uint8_t *b, size_t len, size_t *hlen, unsigned *flags);

/* PPI header (CACE PPI 1.0): *hlen is its length, *dlt the link type of
 * the packet after it, *flags from an 802.11-Common field if present. */
enum wifi_result wifi_ppi(const uint8_t *b, size_t len, size_t *hlen, uint32_t *dlt,
			  unsigned *flags);

/* An 802.11 frame (IEEE 802.11-2020 §9.2-9.3) at b: WIFI_OK for a data
 * frame carrying LLC/SNAP, with f describing its network layer. */
enum wifi_result wifi_data(const uint8_t *b, size_t len, unsigned flags, struct wifi_frame *f);

#endif
