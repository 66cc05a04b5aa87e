/* SPDX-License-Identifier: MIT */
/*
 * sr_tls.c: TLS sessions over an sr_io_t, and the contexts they are made from.
 *
 * OpenSSL reads and writes through a BIO of ours backed by two plain buffers: `in`
 * holds ciphertext read from the lower io and not yet consumed by OpenSSL, `out` the
 * ciphertext OpenSSL produced and we have not sent. Every operation is the same loop:
 * call OpenSSL (never yields), send what it wrote, and when it wants more of the
 * peer's bytes, read the lower io once (may yield, with the lower io's timeout) and
 * call again. So a reader coroutine and a writer coroutine may share a session: each
 * OpenSSL call runs to completion between their yields. `out` is two buffers: while
 * one is being sent (a yield), OpenSSL appends to the other.
 *
 * Writes: SSL_write makes one record per call, so small iovecs (FLV and RTMP headers)
 * are gathered into a staging buffer and sent as one record with what follows; a large
 * iovec is encrypted straight from the caller's memory in records of 16 KiB.
 *
 * Not for: sockets (sr_st), DTLS (sr_dtls), which port or certificate (app config).
 */
#include "sr_tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sr_alloc.h"
#include "sr_bytes.h"
#include "sr_dtls_internal.h" /* OpenSSL error text and certificate fingerprints */
#include "sr_error.h"

/* Ciphertext read from the lower io at once: one full record and its header. */
#define SR_TLS_IN_BYTES (16 * 1024 + 512)
/* Plaintext per SSL_write: a full record (RFC 8446 5.1). */
#define SR_TLS_RECORD_BYTES (16 * 1024)
/* Small iovecs are gathered up to this much before they become a record; an iovec at
 * least this large is encrypted in place. */
#define SR_TLS_STAGE_BYTES 4096
/* Send the ciphertext once this much is waiting, so a large write does not hold it all. */
#define SR_TLS_FLUSH_BYTES (32 * 1024)
/* An output buffer that grew past this (a burst) is given back after it is sent. */
#define SR_TLS_OUT_KEEP_BYTES (64 * 1024)
/* sr_tls_step: call OpenSSL again. */
#define SR_TLS_AGAIN 1
/* ECDHE key exchange only for TLS 1.2, AEAD first; TLS 1.3 suites are OpenSSL's. */
#define SR_TLS_CIPHERS "ECDHE+AESGCM:ECDHE+CHACHA20:ECDHE+AES:!aNULL:!eNULL:!MD5:!DSS:!RC4:!3DES"

struct sr_tls_ctx {
    int refs;
    SSL_CTX *ssl_ctx;
    uint8_t alpn[32]; /* the server's one protocol in ALPN wire form (length, name) */
    size_t alpn_len;
    char fingerprint[SR_DTLS__FINGERPRINT_MAX];
    char summary[384];
};

struct sr_tls {
    sr_io_t io; /* the plaintext stream, what sr_tls_io returns */
    sr_tls_ctx_t *ctx;
    SSL *ssl;
    sr_io_t *lower;
    uint8_t *in; /* SR_TLS_IN_BYTES, made on first read */
    size_t in_pos, in_len;
    sr_buf_t out[2];
    int out_cur; /* the buffer OpenSSL writes into */
    bool is_flushing;
    sr_utime_t deadline_us; /* while the handshake runs; 0 otherwise */
    uint8_t stage[SR_TLS_STAGE_BYTES];
};

/* ==== contexts ==== */

/* Encrypted keys would make OpenSSL prompt on the terminal: refuse instead. */
static int sr_tls_no_password(char *buf, int size, int rwflag, void *u)
{
    return 0;
}

static int sr_tls_alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen, const unsigned char *in,
                              unsigned int inlen, void *arg)
{
    const sr_tls_ctx_t *c = arg;
    unsigned char *selected = NULL;
    if (SSL_select_next_proto(&selected, outlen, c->alpn, (unsigned int)c->alpn_len, in, inlen) !=
        OPENSSL_NPN_NEGOTIATED) {
        return SSL_TLSEXT_ERR_NOACK; /* go on without ALPN rather than fail the handshake */
    }
    *out = selected;
    return SSL_TLSEXT_ERR_OK;
}

static sr_tls_ctx_t *sr_tls_ctx_alloc(SSL_CTX *ssl_ctx)
{
    sr_tls_ctx_t *c = SR_NEW(sr_tls_ctx_t);
    c->refs = 1;
    c->ssl_ctx = ssl_ctx;
    SSL_CTX_set_min_proto_version(ssl_ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ssl_ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
    /* OpenSSL frees its record buffers between records: idle viewers cost less */
    SSL_CTX_set_mode(ssl_ctx, SSL_MODE_RELEASE_BUFFERS);
    SSL_CTX_set_default_passwd_cb(ssl_ctx, sr_tls_no_password);
    return c;
}

/* A file OpenSSL would fail on with "system library" noise: say what is wrong. */
static int sr_tls_check_file(const char *what, const char *path)
{
    if (!path || !path[0]) {
        return sr_err_new(SR_ETLS, "no %s file given", what);
    }
    if (access(path, R_OK) != 0) {
        return sr_err_new(SR_ETLS, "cannot read %s file %s: %s", what, path, strerror(errno));
    }
    return SR_OK;
}

/* "subject CN = localhost, valid until Nov 10 12:00:00 2125 GMT". */
static void sr_tls_ctx_describe(sr_tls_ctx_t *c)
{
    X509 *x = SSL_CTX_get0_certificate(c->ssl_ctx);
    BIO *b = BIO_new(BIO_s_mem());
    if (!x || !b) {
        BIO_free(b);
        return;
    }
    BIO_printf(b, "subject ");
    X509_NAME_print_ex(b, X509_get_subject_name(x), 0, XN_FLAG_ONELINE);
    BIO_printf(b, ", valid until ");
    ASN1_TIME_print(b, X509_get0_notAfter(x));
    char *text = NULL;
    long n = BIO_get_mem_data(b, &text);
    snprintf(c->summary, sizeof(c->summary), "%.*s", (int)SR_MIN(n, (long)sizeof(c->summary) - 1), text);
    BIO_free(b);
    if (!sr_dtls__fingerprint(x, EVP_sha256(), "SHA256", c->fingerprint)) {
        c->fingerprint[0] = '\0';
    }
}

static int sr_tls_ctx_load(sr_tls_ctx_t *c, const char *cert_path, const char *key_path)
{
    char why[SR_DTLS__ERRORS_MAX];
    int rc = sr_tls_check_file("certificate", cert_path);
    if (rc == SR_OK) {
        rc = sr_tls_check_file("key", key_path);
    }
    if (rc != SR_OK) {
        return rc;
    }
    if (SSL_CTX_use_certificate_chain_file(c->ssl_ctx, cert_path) != 1) {
        return sr_err_new(SR_ETLS, "certificate file %s: %s", cert_path, sr_dtls__ssl_errors(why, sizeof(why)));
    }
    /* read the key on its own first, so that a key that is fine but belongs to another
     * certificate is told apart from a file that is not a key */
    EVP_PKEY *key = NULL;
    BIO *b = BIO_new_file(key_path, "r");
    if (b) {
        key = PEM_read_bio_PrivateKey(b, NULL, sr_tls_no_password, NULL);
        BIO_free(b);
    }
    if (!key) {
        return sr_err_new(SR_ETLS, "key file %s: %s", key_path, sr_dtls__ssl_errors(why, sizeof(why)));
    }
    int ok = SSL_CTX_use_PrivateKey(c->ssl_ctx, key) == 1 && SSL_CTX_check_private_key(c->ssl_ctx) == 1;
    EVP_PKEY_free(key); /* the SSL_CTX holds its own reference */
    if (!ok) {
        return sr_err_new(SR_ETLS, "key file %s does not belong to certificate %s: %s", key_path, cert_path,
                          sr_dtls__ssl_errors(why, sizeof(why)));
    }
    sr_tls_ctx_describe(c);
    return SR_OK;
}

int sr_tls_ctx_new_server(const char *cert_path, const char *key_path, const char *alpn, sr_tls_ctx_t **out)
{
    *out = NULL;
    ERR_clear_error();
    char why[SR_DTLS__ERRORS_MAX];
    size_t alpn_len = alpn ? strlen(alpn) : 0;
    if (alpn_len > 30) {
        return sr_err_new(SR_EINVAL, "alpn '%s' too long", alpn);
    }
    SSL_CTX *ssl_ctx = SSL_CTX_new(TLS_server_method());
    if (!ssl_ctx) {
        return sr_err_new(SR_ETLS, "SSL_CTX_new: %s", sr_dtls__ssl_errors(why, sizeof(why)));
    }
    sr_tls_ctx_t *c = sr_tls_ctx_alloc(ssl_ctx);
    SSL_CTX_set_options(ssl_ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
    int rc = SR_OK;
    if (SSL_CTX_set_cipher_list(ssl_ctx, SR_TLS_CIPHERS) != 1) {
        rc = sr_err_new(SR_ETLS, "cipher list: %s", sr_dtls__ssl_errors(why, sizeof(why)));
    }
    if (rc == SR_OK) {
        rc = sr_tls_ctx_load(c, cert_path, key_path);
    }
    if (rc != SR_OK) {
        sr_tls_ctx_unref(c);
        return rc;
    }
    if (alpn_len) {
        c->alpn[0] = (uint8_t)alpn_len;
        memcpy(c->alpn + 1, alpn, alpn_len);
        c->alpn_len = alpn_len + 1;
        SSL_CTX_set_alpn_select_cb(ssl_ctx, sr_tls_alpn_select, c); /* sessions hold a ref on c */
    }
    *out = c;
    return SR_OK;
}

int sr_tls_ctx_new_client(const char *ca_path, bool is_verify, sr_tls_ctx_t **out)
{
    *out = NULL;
    ERR_clear_error();
    char why[SR_DTLS__ERRORS_MAX];
    SSL_CTX *ssl_ctx = SSL_CTX_new(TLS_client_method());
    if (!ssl_ctx) {
        return sr_err_new(SR_ETLS, "SSL_CTX_new: %s", sr_dtls__ssl_errors(why, sizeof(why)));
    }
    sr_tls_ctx_t *c = sr_tls_ctx_alloc(ssl_ctx);
    int rc = SR_OK;
    if (is_verify) {
        SSL_CTX_set_verify(ssl_ctx, SSL_VERIFY_PEER, NULL);
        if (ca_path && (rc = sr_tls_check_file("CA", ca_path)) == SR_OK &&
            SSL_CTX_load_verify_locations(ssl_ctx, ca_path, NULL) != 1) {
            rc = sr_err_new(SR_ETLS, "CA file %s: %s", ca_path, sr_dtls__ssl_errors(why, sizeof(why)));
        } else if (!ca_path && SSL_CTX_set_default_verify_paths(ssl_ctx) != 1) {
            rc = sr_err_new(SR_ETLS, "system trust store: %s", sr_dtls__ssl_errors(why, sizeof(why)));
        }
    }
    if (rc != SR_OK) {
        sr_tls_ctx_unref(c);
        return rc;
    }
    *out = c;
    return SR_OK;
}

void sr_tls_ctx_no_tickets(sr_tls_ctx_t *c)
{
    SSL_CTX_set_num_tickets(c->ssl_ctx, 0);
    SSL_CTX_set_options(c->ssl_ctx, SSL_OP_NO_TICKET);
}

sr_tls_ctx_t *sr_tls_ctx_ref(sr_tls_ctx_t *c)
{
    c->refs++;
    return c;
}

void sr_tls_ctx_unref(sr_tls_ctx_t *c)
{
    if (!c || --c->refs > 0) {
        return;
    }
    SSL_CTX_free(c->ssl_ctx);
    sr_free(c);
}

const char *sr_tls_ctx_fingerprint(const sr_tls_ctx_t *c)
{
    return c->fingerprint;
}

const char *sr_tls_ctx_summary(const sr_tls_ctx_t *c)
{
    return c->summary;
}

/* ==== the BIO between OpenSSL and our buffers ==== */

static int sr_tls_bio_write(BIO *b, const char *data, int len)
{
    sr_tls_t *t = BIO_get_data(b);
    BIO_clear_retry_flags(b);
    if (len <= 0) {
        return 0;
    }
    sr_buf_put_bytes(&t->out[t->out_cur], data, (size_t)len);
    return len;
}

static int sr_tls_bio_read(BIO *b, char *buf, int cap)
{
    sr_tls_t *t = BIO_get_data(b);
    BIO_clear_retry_flags(b);
    if (t->in_pos == t->in_len || cap <= 0) {
        BIO_set_retry_read(b); /* nothing buffered: the session reads the lower io */
        return -1;
    }
    size_t n = SR_MIN(t->in_len - t->in_pos, (size_t)cap);
    memcpy(buf, t->in + t->in_pos, n);
    t->in_pos += n;
    return (int)n;
}

static long sr_tls_bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
    /* flushing is the session's job after each call; nothing else is supported */
    return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

static int sr_tls_bio_create(BIO *b)
{
    BIO_set_init(b, 1);
    return 1;
}

/* Made once and kept for the process: live BIOs point at it. */
static BIO_METHOD *sr_tls_bio_method(void)
{
    static BIO_METHOD *method;
    if (!method) {
        BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "strand tls");
        if (!m || !BIO_meth_set_write(m, sr_tls_bio_write) || !BIO_meth_set_read(m, sr_tls_bio_read) ||
            !BIO_meth_set_ctrl(m, sr_tls_bio_ctrl) || !BIO_meth_set_create(m, sr_tls_bio_create)) {
            BIO_meth_free(m);
            return NULL;
        }
        method = m;
    }
    return method;
}

/* ==== moving ciphertext ==== */

/* Send what OpenSSL wrote. A coroutine that finds another one sending leaves it the
 * bytes: that one loops until both buffers are empty, and the order stays right. */
static int sr_tls_flush(sr_tls_t *t)
{
    if (t->is_flushing) {
        return SR_OK;
    }
    t->is_flushing = true;
    int rc = SR_OK;
    while (rc == SR_OK && t->out[t->out_cur].len > 0) {
        sr_buf_t *b = &t->out[t->out_cur];
        t->out_cur ^= 1; /* OpenSSL appends to the other buffer while this one is sent */
        rc = sr_io_write(t->lower, b->data, b->len);
        sr_buf_reset(b);
        if (b->cap > SR_TLS_OUT_KEEP_BYTES) {
            sr_buf_deinit(b);
            sr_buf_init(b);
        }
    }
    t->is_flushing = false;
    return rc;
}

/* Read the lower io once into `in` (OpenSSL consumed what was there). */
static int sr_tls_fill(sr_tls_t *t)
{
    if (t->deadline_us && sr_time_mono_us() >= t->deadline_us) {
        return sr_err_new(SR_ETIMEOUT, "tls handshake not done in time");
    }
    if (!t->in) {
        t->in = sr_malloc(SR_TLS_IN_BYTES);
    }
    if (t->in_pos == t->in_len) {
        t->in_pos = t->in_len = 0;
    } else if (t->in_pos > 0) {
        memmove(t->in, t->in + t->in_pos, t->in_len - t->in_pos);
        t->in_len -= t->in_pos;
        t->in_pos = 0;
    }
    size_t n = 0;
    int rc = sr_io_read(t->lower, t->in + t->in_len, SR_TLS_IN_BYTES - t->in_len, &n);
    if (rc == SR_OK) {
        t->in_len += n;
    }
    return rc;
}

static int sr_tls_fail(sr_tls_t *t, int err, const char *what)
{
    char why[SR_DTLS__ERRORS_MAX];
    long verify = SSL_get_verify_result(t->ssl);
    if (verify != X509_V_OK) {
        ERR_clear_error();
        return sr_err_new(SR_ETLS, "tls %s: certificate refused: %s", what, X509_verify_cert_error_string(verify));
    }
    return sr_err_new(SR_ETLS, "tls %s: %s (ssl error %d)", what, sr_dtls__ssl_errors(why, sizeof(why)), err);
}

/* After an OpenSSL call that returned ret (success when positive): send what it wrote
 * (all of it, or only past SR_TLS_FLUSH_BYTES when is_lazy), and when it wants the
 * peer's bytes, read them. SR_OK when the call succeeded, SR_TLS_AGAIN to call it
 * again, else an error. */
static int sr_tls_step(sr_tls_t *t, int ret, const char *what, bool is_lazy)
{
    int err = ret > 0 ? SSL_ERROR_NONE : SSL_get_error(t->ssl, ret);
    int rc = SR_OK;
    if (!is_lazy || err != SSL_ERROR_NONE || t->out[t->out_cur].len >= SR_TLS_FLUSH_BYTES) {
        rc = sr_tls_flush(t); /* also an alert that tells the peer why we fail */
    }
    switch (err) {
    case SSL_ERROR_NONE:
        return rc;
    case SSL_ERROR_WANT_READ:
        if (rc == SR_OK) {
            rc = sr_tls_fill(t);
        }
        return rc == SR_OK ? SR_TLS_AGAIN : rc;
    case SSL_ERROR_ZERO_RETURN:
        ERR_clear_error();
        return sr_err_new(SR_EPEER_CLOSED, "tls close_notify");
    default:
        return sr_tls_fail(t, err, what);
    }
}

/* ==== the plaintext io ==== */

static int sr_tls_io_read(sr_io_t *io, void *buf, size_t size, size_t *nread)
{
    sr_tls_t *t = io->impl;
    int rc = SR_TLS_AGAIN;
    while (rc == SR_TLS_AGAIN) {
        ERR_clear_error();
        rc = sr_tls_step(t, SSL_read_ex(t->ssl, buf, size, nread), "read", false);
    }
    return rc;
}

/* One SSL_write of at most a record. */
static int sr_tls_put(sr_tls_t *t, const void *data, size_t len)
{
    int rc = SR_TLS_AGAIN;
    while (rc == SR_TLS_AGAIN) {
        ERR_clear_error();
        size_t written = 0;
        rc = sr_tls_step(t, SSL_write_ex(t->ssl, data, len, &written), "write", true);
    }
    return rc;
}

static int sr_tls_io_writev(sr_io_t *io, const struct iovec *iov, int iovcnt)
{
    sr_tls_t *t = io->impl;
    size_t staged = 0;
    int rc = SR_OK;
    for (int i = 0; rc == SR_OK && i < iovcnt; i++) {
        const uint8_t *p = iov[i].iov_base;
        size_t left = iov[i].iov_len;
        while (rc == SR_OK && left > 0) {
            size_t n;
            if (staged == 0 && left >= SR_TLS_STAGE_BYTES) { /* large: encrypt in place */
                n = SR_MIN(left, SR_TLS_RECORD_BYTES);
                rc = sr_tls_put(t, p, n);
            } else {
                n = SR_MIN(left, SR_TLS_STAGE_BYTES - staged);
                memcpy(t->stage + staged, p, n);
                staged += n;
                if (staged == SR_TLS_STAGE_BYTES) {
                    rc = sr_tls_put(t, t->stage, staged);
                    staged = 0;
                }
            }
            p += n;
            left -= n;
        }
    }
    if (rc == SR_OK && staged > 0) {
        rc = sr_tls_put(t, t->stage, staged);
    }
    return rc == SR_OK ? sr_tls_flush(t) : rc;
}

static const sr_io_ops_t sr_tls_io_ops = {sr_tls_io_read, sr_tls_io_writev};

/* ==== sessions ==== */

static int sr_tls_new(sr_tls_ctx_t *ctx, sr_io_t *lower, sr_tls_t **out)
{
    *out = NULL;
    ERR_clear_error();
    BIO_METHOD *method = sr_tls_bio_method();
    BIO *bio = method ? BIO_new(method) : NULL;
    SSL *ssl = bio ? SSL_new(ctx->ssl_ctx) : NULL;
    if (!ssl) {
        char why[SR_DTLS__ERRORS_MAX];
        BIO_free(bio);
        return sr_err_new(SR_ETLS, "new session: %s", sr_dtls__ssl_errors(why, sizeof(why)));
    }
    sr_tls_t *t = SR_NEW(sr_tls_t);
    t->io.ops = &sr_tls_io_ops;
    t->io.impl = t;
    t->ctx = sr_tls_ctx_ref(ctx);
    t->ssl = ssl;
    t->lower = lower;
    sr_buf_init(&t->out[0]);
    sr_buf_init(&t->out[1]);
    BIO_set_data(bio, t);
    SSL_set_bio(ssl, bio, bio); /* takes our one reference */
    *out = t;
    return SR_OK;
}

int sr_tls_new_server(sr_tls_ctx_t *ctx, sr_io_t *lower, sr_tls_t **out)
{
    int rc = sr_tls_new(ctx, lower, out);
    if (rc == SR_OK) {
        SSL_set_accept_state((*out)->ssl);
    }
    return rc;
}

static bool sr_tls_is_ip(const char *host)
{
    uint8_t addr[16];
    return inet_pton(AF_INET, host, addr) == 1 || inet_pton(AF_INET6, host, addr) == 1;
}

int sr_tls_new_client(sr_tls_ctx_t *ctx, sr_io_t *lower, const char *host, sr_tls_t **out)
{
    sr_tls_t *t = NULL;
    int rc = sr_tls_new(ctx, lower, &t);
    if (rc != SR_OK) {
        return rc;
    }
    SSL_set_connect_state(t->ssl);
    bool is_ip = host && sr_tls_is_ip(host);
    bool is_ok = true;
    if (host && !is_ip) {
        is_ok = SSL_set_tlsext_host_name(t->ssl, host) == 1; /* no SNI for an address (RFC 6066 3) */
    }
    if (is_ok && host && SSL_get_verify_mode(t->ssl) != SSL_VERIFY_NONE) {
        X509_VERIFY_PARAM *param = SSL_get0_param(t->ssl);
        X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        is_ok = is_ip ? X509_VERIFY_PARAM_set1_ip_asc(param, host) == 1 : SSL_set1_host(t->ssl, host) == 1;
    }
    if (!is_ok) {
        char why[SR_DTLS__ERRORS_MAX];
        rc = sr_err_new(SR_ETLS, "tls host '%s': %s", host, sr_dtls__ssl_errors(why, sizeof(why)));
        sr_tls_free(t);
        return rc;
    }
    *out = t;
    return SR_OK;
}

void sr_tls_free(sr_tls_t *t)
{
    if (!t) {
        return;
    }
    SSL_free(t->ssl); /* and the BIO */
    sr_tls_ctx_unref(t->ctx);
    sr_free(t->in);
    sr_buf_deinit(&t->out[0]);
    sr_buf_deinit(&t->out[1]);
    sr_free(t);
}

int sr_tls_handshake(sr_tls_t *t, sr_utime_t deadline_us)
{
    t->deadline_us = deadline_us;
    int rc = SR_TLS_AGAIN;
    while (rc == SR_TLS_AGAIN) {
        ERR_clear_error();
        rc = sr_tls_step(t, SSL_do_handshake(t->ssl), "handshake", false);
    }
    t->deadline_us = 0;
    return rc;
}

sr_io_t *sr_tls_io(sr_tls_t *t)
{
    return &t->io;
}

bool sr_tls_has_pending(const sr_tls_t *t)
{
    return t && (t->in_pos < t->in_len || SSL_has_pending(t->ssl));
}

int sr_tls_shutdown(sr_tls_t *t)
{
    if (!SSL_is_init_finished(t->ssl)) {
        return SR_OK;
    }
    ERR_clear_error();
    int ret = SSL_shutdown(t->ssl); /* 0: our close_notify is written, the peer's not seen */
    ERR_clear_error();
    return ret >= 0 ? sr_tls_flush(t) : SR_OK;
}

const char *sr_tls_version(const sr_tls_t *t)
{
    return SSL_get_version(t->ssl);
}

const char *sr_tls_cipher(const sr_tls_t *t)
{
    const char *name = SSL_get_cipher_name(t->ssl);
    return name ? name : "";
}

const char *sr_tls_alpn(const sr_tls_t *t, char *buf, size_t size)
{
    const unsigned char *p = NULL;
    unsigned int len = 0;
    SSL_get0_alpn_selected(t->ssl, &p, &len);
    snprintf(buf, size, "%.*s", (int)len, p ? (const char *)p : "");
    return buf;
}
