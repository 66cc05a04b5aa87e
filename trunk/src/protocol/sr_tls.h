/* SPDX-License-Identifier: MIT */
/*
 * sr_tls.h: TLS (1.2 and 1.3, OpenSSL) over any byte stream, itself a byte stream: a
 * session wraps a lower sr_io_t (an accepted or connected TCP socket's) and hands out
 * an sr_io_t that protocol code (HTTP, RTMP) reads and writes as if it were the socket.
 * OpenSSL never touches the socket: it reads and writes buffers of ours, and the session
 * moves bytes between those buffers and the lower io, so OpenSSL calls never yield and
 * the lower io's timeouts apply to every wait.
 *
 * A context (sr_tls_ctx_t) holds what sessions share: for a server the certificate and
 * key, loaded once; for a client the trust settings. It is refcounted, and a session
 * keeps its own reference to OpenSSL's SSL_CTX, so a reload can drop a context while
 * the connections made from it finish.
 */
#ifndef SR_TLS_H
#define SR_TLS_H

#include "sr_core.h"
#include "sr_io.h"
#include "sr_time.h"

SR_BEGIN_DECLS

typedef struct sr_tls_ctx sr_tls_ctx_t;
typedef struct sr_tls sr_tls_t;

/* A server context from PEM files: cert_path holds the certificate (then any chain),
 * key_path its private key (not encrypted). TLS 1.2 at least, OpenSSL's default
 * ciphers and groups above that (no RC4, 3DES or export suites), the server's cipher
 * order. alpn (e.g. "http/1.1", or NULL) is the one protocol the server selects when a
 * client offers it; a client that offers others only gets no ALPN answer.
 * -SR_ETLS with the file and OpenSSL's reason when a file cannot be read or parsed, or
 * when the key does not belong to the certificate. *out has one reference. */
int sr_tls_ctx_new_server(const char *cert_path, const char *key_path, const char *alpn, sr_tls_ctx_t **out);
/* A client context. is_verify: sessions check the server's certificate against
 * ca_path (a PEM file; NULL: the system's trust store) and the host given to
 * sr_tls_new_client, and fail the handshake otherwise. -SR_ETLS when ca_path cannot be
 * loaded. *out has one reference. */
int sr_tls_ctx_new_client(const char *ca_path, bool is_verify, sr_tls_ctx_t **out);
/* Make a server context send no session tickets (RFC 8446 4.6.1, RFC 5077), for
 * protocols whose clients do not resume sessions: librtmp over GnuTLS (rtmpdump) fails
 * its first read after the tickets OpenSSL sends once a TLS 1.3 handshake is done. */
void sr_tls_ctx_no_tickets(sr_tls_ctx_t *c);
/* Take a reference; returns c. */
sr_tls_ctx_t *sr_tls_ctx_ref(sr_tls_ctx_t *c);
/* Drop a reference (NULL is ignored); sessions made from c keep working. */
void sr_tls_ctx_unref(sr_tls_ctx_t *c);
/* "SHA256 AB:CD:..." of a server context's certificate ("" for a client context). */
const char *sr_tls_ctx_fingerprint(const sr_tls_ctx_t *c);
/* The certificate's subject and end of validity, for a log line ("" for a client context). */
const char *sr_tls_ctx_summary(const sr_tls_ctx_t *c);

/* A server session over lower (borrowed: it must outlive the session) into *out. The
 * handshake runs in sr_tls_handshake, or on the first read or write. -SR_ETLS only
 * when OpenSSL cannot make a session. */
int sr_tls_new_server(sr_tls_ctx_t *ctx, sr_io_t *lower, sr_tls_t **out);
/* A client session over lower (borrowed) to host (a name or a numeric address; NULL:
 * none): a name is sent as SNI (RFC 6066 3), and when ctx verifies, the certificate
 * must match host. -SR_ETLS if host cannot be set. */
int sr_tls_new_client(sr_tls_ctx_t *ctx, sr_io_t *lower, const char *host, sr_tls_t **out);
/* Free the session (no close_notify: see sr_tls_shutdown). NULL is ignored. */
void sr_tls_free(sr_tls_t *t);

/* Run the handshake to its end. Each wait for the peer is bounded by the lower io's
 * timeout, and no new wait starts after deadline_us (sr_time_mono_us clock; 0: no
 * deadline). Returns SR_OK, -SR_ETLS (the peer does not speak TLS, no shared version
 * or cipher, a certificate refused: the reason is in the trail), -SR_ETIMEOUT,
 * -SR_EPEER_CLOSED, or the lower io's error. May yield. */
int sr_tls_handshake(sr_tls_t *t, sr_utime_t deadline_us);
/* The plaintext byte stream (owned by the session). Reads return -SR_EPEER_CLOSED
 * after the peer's close_notify or the end of the lower stream, -SR_ETLS on a bad
 * record, else the lower io's errors (a lower read that times out, also with a poll
 * timeout of 0, leaves a partial record buffered for the next read). Writes coalesce
 * small iovecs into records of up to 16 KiB. A session may be read by one coroutine
 * while another writes. */
sr_io_t *sr_tls_io(sr_tls_t *t);
/* Whether bytes are buffered (decrypted or not) that a read would see without waiting
 * on the lower io; false for NULL. With sr_sock_pending_bytes it tells if a poll read
 * can make progress. No yield. */
bool sr_tls_has_pending(const sr_tls_t *t);
/* Send close_notify (RFC 8446 6.1) once the handshake is done; the peer's answer is
 * not awaited. The lower io's errors. May yield. */
int sr_tls_shutdown(sr_tls_t *t);
/* "TLSv1.3", the cipher suite's name, the selected ALPN protocol ("" when none); valid
 * after the handshake, for logs and tests. */
const char *sr_tls_version(const sr_tls_t *t);
const char *sr_tls_cipher(const sr_tls_t *t);
const char *sr_tls_alpn(const sr_tls_t *t, char *buf, size_t size);

SR_END_DECLS

#endif
