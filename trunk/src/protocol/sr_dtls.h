/* SPDX-License-Identifier: MIT */
/*
 * sr_dtls.h: DTLS 1.2 for DTLS-SRTP (RFC 5763, RFC 5764) over OpenSSL, as a pure state
 * machine: no sockets, no timers, no coroutines. The caller (app/rtc) feeds the
 * peer's datagrams in, takes the datagrams to send out, and runs the retransmission
 * timer; when the handshake is done it takes the SRTP keys (sr_srtp).
 *
 * Trust comes from signalling, not from a CA: each side's certificate is self-signed
 * and the peer's must match the a=fingerprint of its SDP (RFC 8122), which the caller
 * passes in before the handshake. No cookie exchange (ICE has already checked the
 * peer's address), no session resumption, no renegotiation, no application data
 * (data channels are not supported: their records are read and dropped).
 *
 * Errors: -SR_EDTLS with OpenSSL's reasons in the trail; -SR_EDTLS_FINGERPRINT when
 * the peer's certificate does not match; -SR_EPEER_CLOSED on close_notify.
 */
#ifndef SR_DTLS_H
#define SR_DTLS_H

#include "sr_core.h"
#include "sr_srtp.h"
#include "sr_time.h"

SR_BEGIN_DECLS

/* Largest datagram the session produces (handshake flights are split to fit), below
 * the path MTU with IPv6 + UDP headers and TURN framing. */
#define SR_DTLS_MTU 1200
/* sr_dtls_timeout_us when no retransmission timer runs (UINT64_MAX). */
#define SR_DTLS_NO_TIMER ((sr_utime_t)-1)

/* ---- certificates ---- */

typedef struct sr_dtls_cert sr_dtls_cert_t;

/* Make a self-signed ECDSA P-256 certificate (CN "strand", random serial, valid from a
 * day ago for one year) and the DTLS context that uses it. *out is owned by the caller.
 * -SR_EDTLS with OpenSSL's reason if a step fails. */
int sr_dtls_cert_generate(sr_dtls_cert_t **out);
/* Load a PEM certificate (a chain: the leaf first) and its PEM private key (not
 * encrypted: there is no one to type a password). -SR_EDTLS naming the file and
 * OpenSSL's reason when a file cannot be read or parsed, or the key does not belong to
 * the certificate. */
int sr_dtls_cert_load(const char *cert_path, const char *key_path, sr_dtls_cert_t **out);
/* Free the certificate. Sessions made from it keep their own reference and may
 * outlive it. NULL is a no-op. */
void sr_dtls_cert_free(sr_dtls_cert_t *c);
/* "sha-256 AB:CD:..." (RFC 8122 5) of the leaf certificate, for the SDP a=fingerprint
 * line. Owned by c. */
const char *sr_dtls_cert_fingerprint(const sr_dtls_cert_t *c);

/* ---- sessions ---- */

typedef struct sr_dtls sr_dtls_t;

/* SDP a=setup (RFC 5763 5): passive answers as the DTLS server (our default, like SRS
 * dtls_role passive), active starts the handshake as the client. */
typedef enum { SR_DTLS_ROLE_SERVER, SR_DTLS_ROLE_CLIENT } sr_dtls_role_t;

/* A session using cert (which may be freed first). *out is owned by the caller.
 * -SR_EDTLS if OpenSSL cannot make the session. */
int sr_dtls_new(const sr_dtls_cert_t *cert, sr_dtls_role_t role, sr_dtls_t **out);
/* Free the session without sending anything (sr_dtls_close first for close_notify).
 * NULL is a no-op. */
void sr_dtls_free(sr_dtls_t *d);

/* The peer's fingerprint from its SDP, "sha-256 AB:CD:..." (hash names of RFC 8122 5:
 * sha-1, sha-224, sha-256, sha-384, sha-512; hex in either case). Call before the
 * handshake; a later call replaces it. The handshake fails with -SR_EDTLS_FINGERPRINT
 * unless the peer's certificate matches; without a fingerprint it always fails.
 * -SR_EINVAL for an unsupported hash, -SR_EFORMAT for malformed hex or a length that
 * does not fit the hash. */
int sr_dtls_set_remote_fingerprint(sr_dtls_t *d, const char *alg_and_hex);

/* Client: send the ClientHello (take it with sr_dtls_take) and start the timer.
 * Server: nothing to do, the peer's ClientHello starts it. Errors as sr_dtls_feed. */
int sr_dtls_start(sr_dtls_t *d);
/* One datagram from the peer. Drives the handshake; afterwards answers the peer's
 * retransmissions, ends the session on close_notify and drops application data.
 * Records that fail to parse or authenticate are dropped silently (RFC 6347 4.1.2.7)
 * and the session goes on; datagrams after the session closed or failed are ignored.
 * -SR_EFORMAT (session unchanged, no trail) for a datagram that is not DTLS by RFC 7983
 * (first byte 20..63, at least one record header), -SR_EDTLS or -SR_EDTLS_FINGERPRINT when
 * the handshake fails or a fatal alert arrives, -SR_EPEER_CLOSED on close_notify.
 * After an error, take and send what is queued: it may be our alert. */
int sr_dtls_feed(sr_dtls_t *d, const uint8_t *data, size_t size);
/* Move the next datagram to send into out (cap must be at least SR_DTLS_MTU). True
 * with *len set, false when nothing is queued. */
bool sr_dtls_take(sr_dtls_t *d, uint8_t *out, size_t cap, size_t *len);

/* Time until the handshake retransmission timer fires, 0 if it is due,
 * SR_DTLS_NO_TIMER when none runs. The timer starts at 250 ms and doubles to 8 s. */
sr_utime_t sr_dtls_timeout_us(sr_dtls_t *d);
/* Call when that time has passed: queues the retransmitted flight (nothing if the timer
 * is not due yet). -SR_EDTLS when OpenSSL gives up after too many retransmissions. */
int sr_dtls_on_timeout(sr_dtls_t *d);

/* Handshake done, peer verified, SRTP profile agreed, and not closed. */
bool sr_dtls_is_connected(const sr_dtls_t *d);
/* Closed (close_notify either way) or failed (handshake failure, fatal alert). */
bool sr_dtls_is_closed(const sr_dtls_t *d);

/* The SRTP profile and keys of a connected session (RFC 5764 4.2: exporter label
 * "EXTRACTOR-dtls_srtp"), split by role into local (what we send) and remote keys.
 * -SR_EINVAL when not connected, -SR_EDTLS if the exporter fails. */
int sr_dtls_srtp_keys(const sr_dtls_t *d, sr_srtp_keys_t *out);

/* Queue close_notify (once connected) and mark the session closed. */
void sr_dtls_close(sr_dtls_t *d);

SR_END_DECLS

#endif
