/* SPDX-License-Identifier: MIT */
/*
 * sr_dtls.c: one DTLS-SRTP session as a state machine over OpenSSL. OpenSSL talks to a
 * small BIO of ours: reads return the one datagram being fed, writes are queued as
 * datagrams for sr_dtls_take. OpenSSL's DTLS code packs a flight's records into
 * datagrams of at most the link MTU and writes each datagram once, so a queued write
 * is exactly one datagram on the wire. Time is OpenSSL's own clock; the caller only
 * decides when to call back (sr_dtls_timeout_us / sr_dtls_on_timeout).
 *
 * Not for: certificates and the SSL_CTX (sr_dtls_cert.c), sockets, ICE, SRTP itself.
 */
#include <openssl/err.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

#include "sr_alloc.h"
#include "sr_dtls_internal.h"
#include "sr_error.h"

/* Retransmission timer (RFC 6347 4.2.4.1): quicker than the RFC's 1 s start, as WebRTC
 * stacks are, since a lost flight otherwise stalls media for seconds; doubled per
 * timeout. OpenSSL gives up after 12 timeouts. */
#define SR_DTLS_RTO_INITIAL_US 250000u
#define SR_DTLS_RTO_MAX_US 8000000u
/* Bound on queued outgoing bytes if the caller stops taking (a flight is a few KiB). */
#define SR_DTLS_QUEUE_MAX (64 * 1024)
/* Each queued datagram is a 2-byte length and its bytes. */
#define SR_DTLS_QUEUE_HDR 2

typedef enum {
    SR_DTLS_HANDSHAKING,
    SR_DTLS_CONNECTED,
    SR_DTLS_CLOSED,
    SR_DTLS_FAILED,
} sr_dtls_state_t;

struct sr_dtls {
    SSL *ssl;
    sr_dtls_role_t role;
    sr_dtls_state_t state;
    int profile; /* SR_SRTP_PROFILE_*, once connected */
    /* the peer's a=fingerprint */
    const EVP_MD *remote_md;
    const char *remote_alg;
    uint8_t remote_fp[EVP_MAX_MD_SIZE];
    unsigned int remote_fp_len;
    /* set when the peer's certificate is refused, with what was wrong */
    bool is_fingerprint_bad;
    char fingerprint_problem[SR_DTLS__FINGERPRINT_MAX + 64];
    /* the datagram being fed, until OpenSSL reads it */
    const uint8_t *in;
    size_t in_len;
    /* queued datagrams, from q_head to q_len */
    uint8_t *q;
    size_t q_head;
    size_t q_len;
    size_t q_cap;
};

/* RFC 8122 5 hash names. */
static const struct {
    const char *name;
    const EVP_MD *(*md)(void);
} sr_dtls_hashes[] = {
    {"sha-1", EVP_sha1},     {"sha-224", EVP_sha224}, {"sha-256", EVP_sha256},
    {"sha-384", EVP_sha384}, {"sha-512", EVP_sha512},
};

/* ---- the BIO between OpenSSL and the caller ---- */

static bool sr_dtls_queue_push(sr_dtls_t *d, const void *data, size_t len)
{
    size_t need = SR_DTLS_QUEUE_HDR + len;
    if (d->q_head > 0) { /* reclaim what take has consumed */
        memmove(d->q, d->q + d->q_head, d->q_len - d->q_head);
        d->q_len -= d->q_head;
        d->q_head = 0;
    }
    if (d->q_len + need > SR_DTLS_QUEUE_MAX) {
        return false;
    }
    if (d->q_len + need > d->q_cap) {
        d->q_cap = SR_MIN(SR_DTLS_QUEUE_MAX, SR_MAX(2 * d->q_cap, d->q_len + need + SR_DTLS_MTU));
        d->q = sr_realloc(d->q, d->q_cap);
    }
    d->q[d->q_len] = (uint8_t)(len >> 8);
    d->q[d->q_len + 1] = (uint8_t)len;
    memcpy(d->q + d->q_len + SR_DTLS_QUEUE_HDR, data, len);
    d->q_len += need;
    return true;
}

static int sr_dtls_bio_write(BIO *b, const char *data, int len)
{
    sr_dtls_t *d = BIO_get_data(b);
    BIO_clear_retry_flags(b);
    /* never bigger than the MTU we set; refuse rather than send what the path drops */
    if (len <= 0 || len > SR_DTLS_MTU || !sr_dtls_queue_push(d, data, (size_t)len)) {
        return -1;
    }
    return len;
}

static int sr_dtls_bio_read(BIO *b, char *out, int cap)
{
    sr_dtls_t *d = BIO_get_data(b);
    BIO_clear_retry_flags(b);
    if (!d->in) {
        BIO_set_retry_read(b);
        return -1;
    }
    /* a datagram read into a smaller buffer is truncated, as recv() would */
    size_t n = SR_MIN(d->in_len, (size_t)cap);
    memcpy(out, d->in, n);
    d->in = NULL;
    d->in_len = 0;
    return (int)n;
}

static long sr_dtls_bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
    /* Flushing is a no-op: every write is already a datagram. The MTU is set on the
     * SSL, so the MTU queries and everything else get 0 (unsupported / none). */
    return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

static int sr_dtls_bio_create(BIO *b)
{
    BIO_set_init(b, 1);
    return 1;
}

/* Made once and kept for the process: live BIOs point at it. */
static BIO_METHOD *sr_dtls_bio_method(void)
{
    static BIO_METHOD *method;
    if (!method) {
        BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "strand dtls");
        if (!m || !BIO_meth_set_write(m, sr_dtls_bio_write) || !BIO_meth_set_read(m, sr_dtls_bio_read) ||
            !BIO_meth_set_ctrl(m, sr_dtls_bio_ctrl) || !BIO_meth_set_create(m, sr_dtls_bio_create)) {
            BIO_meth_free(m);
            return NULL;
        }
        method = m;
    }
    return method;
}

/* ---- fingerprints ---- */

/* Does the peer's leaf certificate match its a=fingerprint? If not, say why. */
static bool sr_dtls_matches(sr_dtls_t *d, X509 *peer)
{
    char *why = d->fingerprint_problem;
    size_t cap = sizeof(d->fingerprint_problem);
    if (!peer || !d->remote_md) {
        snprintf(why, cap, "%s", peer ? "no a=fingerprint was set for the peer" : "the peer sent no certificate");
        return false;
    }
    uint8_t digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (X509_digest(peer, d->remote_md, digest, &len) && len == d->remote_fp_len &&
        CRYPTO_memcmp(digest, d->remote_fp, len) == 0) {
        return true;
    }
    char got[SR_DTLS__FINGERPRINT_MAX];
    if (!sr_dtls__fingerprint(peer, d->remote_md, d->remote_alg, got)) {
        snprintf(got, sizeof(got), "(cannot hash)");
    }
    snprintf(why, cap, "peer certificate %s does not match its a=fingerprint", got);
    return false;
}

int sr_dtls__verify(int preverify_ok, X509_STORE_CTX *store)
{
    /* Self-signed is the norm and any chain is fine: the SDP's fingerprint of the
     * leaf is the trust (RFC 8122 5), so only depth 0 is checked. */
    if (X509_STORE_CTX_get_error_depth(store) != 0) {
        return 1;
    }
    SSL *ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
    sr_dtls_t *d = ssl ? SSL_get_app_data(ssl) : NULL;
    if (d && sr_dtls_matches(d, X509_STORE_CTX_get_current_cert(store))) {
        return 1;
    }
    if (d) {
        d->is_fingerprint_bad = true;
    }
    X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REJECTED); /* OpenSSL sends bad_certificate */
    return 0;
}

static int sr_dtls_hex(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = (char)(c | 0x20);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int sr_dtls_set_remote_fingerprint(sr_dtls_t *d, const char *alg_and_hex)
{
    const char *sp = strchr(alg_and_hex, ' ');
    size_t alg_len = sp ? (size_t)(sp - alg_and_hex) : strlen(alg_and_hex);
    const EVP_MD *md = NULL;
    const char *alg = NULL;
    for (size_t i = 0; i < SR_ARRAY_SIZE(sr_dtls_hashes); i++) {
        if (strlen(sr_dtls_hashes[i].name) == alg_len && !strncasecmp(sr_dtls_hashes[i].name, alg_and_hex, alg_len)) {
            md = sr_dtls_hashes[i].md();
            alg = sr_dtls_hashes[i].name;
        }
    }
    if (!md) {
        return sr_err_new(SR_EINVAL, "fingerprint hash '%.*s' unsupported", (int)SR_MIN(alg_len, 16), alg_and_hex);
    }
    const char *p = alg_and_hex + alg_len; /* the space, or the end when there is no hex */
    while (*p == ' ') {
        p++;
    }
    /* "AB:CD:...:EF", exactly one pair per digest byte */
    size_t want = (size_t)EVP_MD_get_size(md);
    uint8_t fp[EVP_MAX_MD_SIZE];
    size_t n = 0;
    for (; n < want; n++, p += 3) {
        int hi = sr_dtls_hex(p[0]), lo = hi < 0 ? -1 : sr_dtls_hex(p[1]);
        char sep = lo < 0 ? 0 : p[2];
        if (lo < 0 || sep != (n + 1 < want ? ':' : '\0')) {
            return sr_err_new(SR_EFORMAT, "fingerprint '%.120s' is not %zu hex pairs of %s", alg_and_hex, want, alg);
        }
        fp[n] = (uint8_t)(hi << 4 | lo);
    }
    memcpy(d->remote_fp, fp, want);
    d->remote_fp_len = (unsigned int)want;
    d->remote_md = md;
    d->remote_alg = alg;
    return SR_OK;
}

/* ---- the session ---- */

/* OpenSSL asks for the first timeout with 0, then for the next after each expiry. */
static unsigned int sr_dtls_timer(SSL *ssl, unsigned int timer_us)
{
    return timer_us == 0 ? SR_DTLS_RTO_INITIAL_US : SR_MIN(2 * timer_us, SR_DTLS_RTO_MAX_US);
}

int sr_dtls_new(const sr_dtls_cert_t *cert, sr_dtls_role_t role, sr_dtls_t **out)
{
    *out = NULL;
    ERR_clear_error();
    char why[SR_DTLS__ERRORS_MAX];
    sr_dtls_t *d = SR_NEW(sr_dtls_t);
    d->role = role;
    d->state = SR_DTLS_HANDSHAKING;
    BIO_METHOD *method = sr_dtls_bio_method();
    BIO *bio = method ? BIO_new(method) : NULL;
    d->ssl = bio ? SSL_new(cert->ctx) : NULL;
    if (!d->ssl) {
        BIO_free(bio);
        sr_free(d);
        return sr_err_new(SR_EDTLS, "new session: %s", sr_dtls__ssl_errors(why, sizeof(why)));
    }
    BIO_set_data(bio, d);
    SSL_set_bio(d->ssl, bio, bio); /* takes our one reference */
    SSL_set_app_data(d->ssl, d);
    /* the MTU is ours to set: a memory BIO has no path to query */
    SSL_set_options(d->ssl, SSL_OP_NO_QUERY_MTU);
    DTLS_set_link_mtu(d->ssl, SR_DTLS_MTU);
    DTLS_set_timer_cb(d->ssl, sr_dtls_timer);
    if (role == SR_DTLS_ROLE_CLIENT) {
        SSL_set_connect_state(d->ssl);
    } else {
        SSL_set_accept_state(d->ssl);
    }
    *out = d;
    return SR_OK;
}

void sr_dtls_free(sr_dtls_t *d)
{
    if (!d) {
        return;
    }
    SSL_free(d->ssl);
    sr_free(d->q);
    sr_free(d);
}

static int sr_dtls_fail(sr_dtls_t *d, const char *what)
{
    char why[SR_DTLS__ERRORS_MAX];
    sr_dtls__ssl_errors(why, sizeof(why));
    d->state = SR_DTLS_FAILED;
    if (d->is_fingerprint_bad) {
        return sr_err_new(SR_EDTLS_FINGERPRINT, "%s: %s", what, d->fingerprint_problem);
    }
    return sr_err_new(SR_EDTLS, "%s: %s", what, why);
}

/* The handshake finished: check what OpenSSL cannot know we require. */
static int sr_dtls_on_handshake(sr_dtls_t *d)
{
    /* the verify callback saw the leaf already; checking again costs one hash */
    if (!sr_dtls_matches(d, SSL_get0_peer_certificate(d->ssl))) {
        d->is_fingerprint_bad = true;
        return sr_dtls_fail(d, "handshake");
    }
    SRTP_PROTECTION_PROFILE *p = SSL_get_selected_srtp_profile(d->ssl);
    if (!p || sr_srtp_profile_key_len((int)p->id) == 0) {
        d->state = SR_DTLS_FAILED;
        ERR_clear_error();
        return sr_err_new(SR_EDTLS, "handshake: peer agreed no SRTP profile (use_srtp, RFC 5764 4.1.1)");
    }
    d->profile = (int)p->id;
    d->state = SR_DTLS_CONNECTED;
    return SR_OK;
}

/* After the handshake: answer retransmitted flights, see alerts, drop app data. */
static int sr_dtls_read(sr_dtls_t *d)
{
    uint8_t drop[1500];
    for (;;) {
        int r = SSL_read(d->ssl, drop, sizeof(drop));
        if (r > 0) {
            continue;
        }
        int e = SSL_get_error(d->ssl, r);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
            ERR_clear_error();
            return SR_OK;
        }
        if (e == SSL_ERROR_ZERO_RETURN) {
            /* answer with ours (RFC 5246 7.2.1) */
            SSL_shutdown(d->ssl);
            ERR_clear_error();
            d->state = SR_DTLS_CLOSED;
            return sr_err_new(SR_EPEER_CLOSED, "dtls close_notify");
        }
        return sr_dtls_fail(d, "read");
    }
}

static int sr_dtls_drive(sr_dtls_t *d)
{
    ERR_clear_error();
    if (d->state == SR_DTLS_HANDSHAKING) {
        int r = SSL_do_handshake(d->ssl);
        if (r != 1) {
            int e = SSL_get_error(d->ssl, r);
            if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
                return sr_dtls_fail(d, "handshake");
            }
            ERR_clear_error(); /* leave nothing behind for the process's other OpenSSL users */
            return SR_OK;
        }
        int rc = sr_dtls_on_handshake(d);
        if (rc != SR_OK) {
            return rc;
        }
    }
    /* the rest of the datagram that finished the handshake, too */
    return d->state == SR_DTLS_CONNECTED ? sr_dtls_read(d) : SR_OK;
}

int sr_dtls_start(sr_dtls_t *d)
{
    if (d->role != SR_DTLS_ROLE_CLIENT) {
        return SR_OK;
    }
    int rc = sr_dtls_drive(d);
    return rc == SR_OK ? SR_OK : sr_err_wrap(rc, "dtls start");
}

int sr_dtls_feed(sr_dtls_t *d, const uint8_t *data, size_t size)
{
    /* RFC 7983 7: 20..63 is DTLS; 13 bytes is a DTLS 1.2 record header */
    if (size < 13 || data[0] < 20 || data[0] > 63) {
        return -SR_EFORMAT;
    }
    if (d->state == SR_DTLS_CLOSED || d->state == SR_DTLS_FAILED) {
        return SR_OK;
    }
    d->in = data;
    d->in_len = size;
    int rc = sr_dtls_drive(d);
    d->in = NULL; /* never read a caller's buffer after the call */
    d->in_len = 0;
    return rc;
}

bool sr_dtls_take(sr_dtls_t *d, uint8_t *out, size_t cap, size_t *len)
{
    while (d->q_head < d->q_len) {
        size_t n = (size_t)d->q[d->q_head] << 8 | d->q[d->q_head + 1];
        const uint8_t *p = d->q + d->q_head + SR_DTLS_QUEUE_HDR;
        d->q_head += SR_DTLS_QUEUE_HDR + n;
        if (n <= cap) { /* always, with cap >= SR_DTLS_MTU */
            memcpy(out, p, n);
            *len = n;
            return true;
        }
    }
    d->q_head = d->q_len = 0;
    return false;
}

sr_utime_t sr_dtls_timeout_us(sr_dtls_t *d)
{
    struct timeval tv;
    if (d->state == SR_DTLS_CLOSED || d->state == SR_DTLS_FAILED || DTLSv1_get_timeout(d->ssl, &tv) <= 0) {
        return SR_DTLS_NO_TIMER;
    }
    return (sr_utime_t)tv.tv_sec * 1000000u + (sr_utime_t)tv.tv_usec;
}

int sr_dtls_on_timeout(sr_dtls_t *d)
{
    if (d->state == SR_DTLS_CLOSED || d->state == SR_DTLS_FAILED) {
        return SR_OK;
    }
    ERR_clear_error();
    /* 0: not due yet or no timer, 1: the flight was queued again, -1: gave up */
    if (DTLSv1_handle_timeout(d->ssl) < 0) {
        return sr_dtls_fail(d, "retransmission");
    }
    ERR_clear_error();
    return SR_OK;
}

bool sr_dtls_is_connected(const sr_dtls_t *d)
{
    return d->state == SR_DTLS_CONNECTED;
}

bool sr_dtls_is_closed(const sr_dtls_t *d)
{
    return d->state == SR_DTLS_CLOSED || d->state == SR_DTLS_FAILED;
}

int sr_dtls_srtp_keys(const sr_dtls_t *d, sr_srtp_keys_t *out)
{
    memset(out, 0, sizeof(*out));
    if (d->state != SR_DTLS_CONNECTED) {
        return sr_err_new(SR_EINVAL, "srtp keys: dtls not connected");
    }
    /* RFC 5764 4.2: client key | server key | client salt | server salt */
    size_t total = sr_srtp_profile_key_len(d->profile);
    size_t key = 16, salt = total - key; /* both profiles use AES-128 */
    uint8_t m[2 * SR_SRTP_MAX_MASTER_LEN];
    ERR_clear_error();
    if (SSL_export_keying_material(d->ssl, m, 2 * total, "EXTRACTOR-dtls_srtp", 19, NULL, 0, 0) != 1) {
        char why[SR_DTLS__ERRORS_MAX];
        return sr_err_new(SR_EDTLS, "srtp keys: exporter: %s", sr_dtls__ssl_errors(why, sizeof(why)));
    }
    bool is_client = d->role == SR_DTLS_ROLE_CLIENT;
    uint8_t *local = out->local_key, *remote = out->remote_key;
    memcpy(local, m + (is_client ? 0 : key), key);
    memcpy(local + key, m + 2 * key + (is_client ? 0 : salt), salt);
    memcpy(remote, m + (is_client ? key : 0), key);
    memcpy(remote + key, m + 2 * key + (is_client ? salt : 0), salt);
    OPENSSL_cleanse(m, sizeof(m));
    out->profile = d->profile;
    out->key_len = total;
    return SR_OK;
}

void sr_dtls_close(sr_dtls_t *d)
{
    if (d->state == SR_DTLS_CONNECTED) {
        ERR_clear_error();
        SSL_shutdown(d->ssl); /* queues close_notify; we do not wait for the peer's */
        ERR_clear_error();
    }
    if (d->state != SR_DTLS_FAILED) {
        d->state = SR_DTLS_CLOSED;
    }
}
