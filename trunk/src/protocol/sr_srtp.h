/* SPDX-License-Identifier: MIT */
/*
 * sr_srtp.h: SRTP and SRTCP (RFC 3711, RFC 7714) over libsrtp2, keyed by DTLS-SRTP
 * (sr_dtls). One sr_srtp_t is one WebRTC transport: an outbound session with our key
 * protects what we send, an inbound session with the peer's key checks what it sends,
 * for any SSRC on either side. Packets are transformed in place in the caller's buffer;
 * nothing is allocated per packet and nothing is logged per packet.
 *
 * Not here: RTP parsing (kernel), sockets, demultiplexing STUN/DTLS/RTP (app/rtc).
 */
#ifndef SR_SRTP_H
#define SR_SRTP_H

#include "sr_core.h"

SR_BEGIN_DECLS

/* DTLS-SRTP protection profiles, by their IANA value (RFC 5764 4.1.2, RFC 7714 14.2). */
enum {
    SR_SRTP_PROFILE_AES128_CM_SHA1_80 = 0x0001,
    SR_SRTP_PROFILE_AEAD_AES_128_GCM = 0x0007,
};

/* Master key + master salt, the longest of the profiles above (16 + 14). */
#define SR_SRTP_MAX_MASTER_LEN 30
/* Room protect may add past the packet: the auth tag (16 for GCM) plus the SRTCP
 * E-flag and index (4). We use no MKI, so libsrtp's SRTP_MAX_TRAILER_LEN (which counts
 * a 128-byte MKI) is more than needed. */
#define SR_SRTP_MAX_TRAILER (16 + 4)

/* Keys from the DTLS handshake (sr_dtls_srtp_keys), already split by role: local_key
 * protects what we send, remote_key checks what the peer sends. Each is master key then
 * master salt, key_len bytes in all (30 for AES128_CM_SHA1_80, 28 for AEAD_AES_128_GCM). */
typedef struct sr_srtp_keys {
    int profile; /* SR_SRTP_PROFILE_* */
    uint8_t local_key[SR_SRTP_MAX_MASTER_LEN];
    uint8_t remote_key[SR_SRTP_MAX_MASTER_LEN];
    size_t key_len;
} sr_srtp_keys_t;

/* The master key + salt length of a profile, 0 if we do not support it. */
size_t sr_srtp_profile_key_len(int profile);

/* Whether this libsrtp2 build can run the profile (AEAD_AES_128_GCM needs libsrtp2
 * built with a crypto library: Debian's uses NSS). Probed once. */
bool sr_srtp_is_supported(int profile);

/* Initialise libsrtp2 (srtp_init). Call once at start; later calls do nothing.
 * sr_srtp_new calls it too. -SR_ESRTP if libsrtp's self-checks fail. */
int sr_srtp_library_init(void);

typedef struct sr_srtp sr_srtp_t;

/* Make the outbound (local key) and inbound (remote key) sessions for any SSRC, with a
 * replay window of 1024 packets. The outbound side allows a sequence number to be
 * protected again so a NACK can be answered by resending the same packet: resend only
 * identical bytes, since a changed packet under a reused index would reuse the cipher's
 * nonce. keys is copied; *out is owned by the caller (sr_srtp_free).
 * -SR_EINVAL for an unknown profile or a key_len that does not match it, -SR_ESRTP
 * with libsrtp's status when it refuses the policy. */
int sr_srtp_new(const sr_srtp_keys_t *keys, sr_srtp_t **out);
/* Free the sessions and wipe their keys. NULL is a no-op. */
void sr_srtp_free(sr_srtp_t *s);

/* Protect the RTP (or RTCP) packet of *len bytes in buf, in place; the tag (and for
 * RTCP the E-flag and index) is appended, so cap must leave SR_SRTP_MAX_TRAILER bytes
 * past it. *len is the protected length on success, unchanged on failure.
 * -SR_EOVERFLOW when cap is too small, -SR_EFORMAT for a packet too short to be RTP
 * (RTCP), -SR_ESRTP when libsrtp refuses it. Per-packet failures leave no error trail. */
int sr_srtp_protect_rtp(sr_srtp_t *s, uint8_t *buf, size_t *len, size_t cap);
int sr_srtp_protect_rtcp(sr_srtp_t *s, uint8_t *buf, size_t *len, size_t cap);

/* Check and decrypt an SRTP (SRTCP) packet of *len bytes in buf, in place; *len is the
 * plain length on success. A refused packet is dropped by the caller and counted, not
 * logged: -SR_ESRTP_AUTH when the tag does not verify (forged, damaged or wrong key),
 * -SR_ESRTP_REPLAY when its index was seen already or is older than the window,
 * -SR_EFORMAT when too short, -SR_EOVERFLOW past 2 GiB (libsrtp counts in int),
 * -SR_ESRTP for other libsrtp refusals.
 * These leave no error trail, so a flood of bad packets costs no formatting. */
int sr_srtp_unprotect_rtp(sr_srtp_t *s, uint8_t *buf, size_t *len);
int sr_srtp_unprotect_rtcp(sr_srtp_t *s, uint8_t *buf, size_t *len);

SR_END_DECLS

#endif
