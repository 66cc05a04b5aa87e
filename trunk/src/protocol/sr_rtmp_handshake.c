/* SPDX-License-Identifier: MIT */
/*
 * sr_rtmp_handshake.c: the RTMP handshake, server and client side, over sr_io_t.
 *
 * The simple handshake is RTMP spec 5.2: C1/S1 = time | zero | random, C2/S2 echo
 * the peer's C1/S1. The complex one is the "FP9" handshake every Flash-era client
 * and most encoders send: the version field of C1 is non-zero and C1/S1 carry an
 * HMAC-SHA256 digest at a position derived from the block itself; the layout and
 * keys are documented in sr_rtmp_handshake_internal.h. The server answers complex
 * only when the client's digest validates, otherwise simple, so both kinds of client
 * connect. Encrypted RTMPE is not implemented.
 *
 * Not here: timeouts (the io's), chunking, and anything after C2.
 */
#include "sr_rtmp_handshake.h"

#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "sr_bytes.h"
#include "sr_error.h"
#include "sr_io.h"
#include "sr_rtmp_handshake_internal.h"
#include "sr_time.h"

#define SR_RTMP_HANDSHAKE_BLOCK_SIZE 764 /* key and digest blocks */
#define SR_RTMP_HANDSHAKE_DIGEST_MOD 728 /* 764 - 4 offset bytes - 32 digest bytes */
#define SR_RTMP_HANDSHAKE_KEY_MOD 632    /* 764 - 4 offset bytes - 128 key bytes */

/* The 32 bytes both keys end with. Each array holds one more byte, the literal's NUL,
 * which is not part of the key. */
#define SR_RTMP_HANDSHAKE_KEY_TAIL                                                                                     \
    "\xF0\xEE\xC2\x4A\x80\x68\xBE\xE8\x2E\x00\xD0\xD1\x02\x9E\x7E\x57"                                                 \
    "\x6E\xEC\x5D\x2D\x29\x80\x6F\xAB\x93\xB8\xE6\x36\xCF\xEB\x31\xAE"

const uint8_t sr_rtmp_handshake__fp_key[SR_RTMP_HANDSHAKE_FP_KEY_SIZE + 1] =
    "Genuine Adobe Flash Player 001" SR_RTMP_HANDSHAKE_KEY_TAIL;

const uint8_t sr_rtmp_handshake__fms_key[SR_RTMP_HANDSHAKE_FMS_KEY_SIZE + 1] =
    "Genuine Adobe Flash Media Server 001" SR_RTMP_HANDSHAKE_KEY_TAIL;

/* Version fields we advertise in a complex C1/S1. A non-zero first byte (>= 3) is what
 * clients such as FFmpeg look at before they check the S1 digest. */
static const uint8_t sr_rtmp_handshake_server_version[4] = {4, 5, 0, 1};
static const uint8_t sr_rtmp_handshake_client_version[4] = {9, 0, 124, 2};

/* ---- pure digest helpers ---- */

static uint32_t sr_rtmp_handshake_sum4(const uint8_t *p)
{
    return (uint32_t)p[0] + p[1] + p[2] + p[3];
}

size_t sr_rtmp_handshake__digest_pos(const uint8_t *block, int schema)
{
    /* the digest block is the first block in schema 1, the second in schema 0 */
    size_t base = schema == SR_RTMP_HANDSHAKE_SCHEMA1 ? 8 : 8 + SR_RTMP_HANDSHAKE_BLOCK_SIZE;
    return base + 4 + sr_rtmp_handshake_sum4(block + base) % SR_RTMP_HANDSHAKE_DIGEST_MOD;
}

size_t sr_rtmp_handshake__key_pos(const uint8_t *block, int schema)
{
    /* the key block's offset is its last 4 bytes */
    size_t base = schema == SR_RTMP_HANDSHAKE_SCHEMA0 ? 8 : 8 + SR_RTMP_HANDSHAKE_BLOCK_SIZE;
    size_t off = base + SR_RTMP_HANDSHAKE_BLOCK_SIZE - 4;
    return base + sr_rtmp_handshake_sum4(block + off) % SR_RTMP_HANDSHAKE_KEY_MOD;
}

void sr_rtmp_handshake__hmac(const uint8_t *key, size_t key_size, const uint8_t *data, size_t size,
                             uint8_t out[SR_RTMP_HANDSHAKE_DIGEST_SIZE])
{
    unsigned int len = 0;
    /* HMAC() fails only when OpenSSL cannot allocate or has no SHA-256 provider: like
     * out of memory, nothing sensible can continue (STYLE 4), so die loudly. */
    if (!HMAC(EVP_sha256(), key, (int)key_size, data, size, out, &len) || len != SR_RTMP_HANDSHAKE_DIGEST_SIZE) {
        abort();
    }
}

void sr_rtmp_handshake__compute_digest(const uint8_t *block, int schema, const uint8_t *key, size_t key_size,
                                       uint8_t out[SR_RTMP_HANDSHAKE_DIGEST_SIZE])
{
    uint8_t joined[SR_RTMP_HANDSHAKE_SIGNED_SIZE];
    size_t pos = sr_rtmp_handshake__digest_pos(block, schema);
    size_t after = pos + SR_RTMP_HANDSHAKE_DIGEST_SIZE;

    /* the HMAC covers everything but the digest itself */
    memcpy(joined, block, pos);
    memcpy(joined + pos, block + after, SR_RTMP_HANDSHAKE_SIZE - after);
    sr_rtmp_handshake__hmac(key, key_size, joined, sizeof(joined), out);
}

bool sr_rtmp_handshake__validate_digest(const uint8_t *block, int schema, const uint8_t *key, size_t key_size)
{
    uint8_t want[SR_RTMP_HANDSHAKE_DIGEST_SIZE];
    sr_rtmp_handshake__compute_digest(block, schema, key, key_size, want);
    size_t pos = sr_rtmp_handshake__digest_pos(block, schema);
    return CRYPTO_memcmp(want, block + pos, sizeof(want)) == 0;
}

int sr_rtmp_handshake__find_digest(const uint8_t *block, const uint8_t *key, size_t key_size)
{
    /* schema 1 first: FFmpeg, librtmp and Flash Player all send it */
    if (sr_rtmp_handshake__validate_digest(block, SR_RTMP_HANDSHAKE_SCHEMA1, key, key_size)) {
        return SR_RTMP_HANDSHAKE_SCHEMA1;
    }
    if (sr_rtmp_handshake__validate_digest(block, SR_RTMP_HANDSHAKE_SCHEMA0, key, key_size)) {
        return SR_RTMP_HANDSHAKE_SCHEMA0;
    }
    return SR_RTMP_HANDSHAKE_SCHEMA_NONE;
}

void sr_rtmp_handshake__imprint_digest(uint8_t *block, int schema, const uint8_t *key, size_t key_size)
{
    uint8_t digest[SR_RTMP_HANDSHAKE_DIGEST_SIZE];
    sr_rtmp_handshake__compute_digest(block, schema, key, key_size, digest);
    memcpy(block + sr_rtmp_handshake__digest_pos(block, schema), digest, sizeof(digest));
}

void sr_rtmp_handshake__sign_response(uint8_t *block, const uint8_t *peer_digest, const uint8_t *full_key,
                                      size_t full_key_size)
{
    uint8_t temp_key[SR_RTMP_HANDSHAKE_DIGEST_SIZE];
    sr_rtmp_handshake__hmac(full_key, full_key_size, peer_digest, SR_RTMP_HANDSHAKE_DIGEST_SIZE, temp_key);
    sr_rtmp_handshake__hmac(temp_key, sizeof(temp_key), block, SR_RTMP_HANDSHAKE_SIGNED_SIZE,
                            block + SR_RTMP_HANDSHAKE_SIGNED_SIZE);
}

/* ---- building blocks ---- */

static int sr_rtmp_handshake_random(uint8_t *p, size_t size)
{
    if (RAND_bytes(p, (int)size) != 1) {
        return sr_err_new(SR_EINTERNAL, "RAND_bytes %zu bytes", size);
    }
    return SR_OK;
}

/* time | version | random: the start of every C1/S1. version NULL means zeros (simple). */
static int sr_rtmp_handshake_fill(uint8_t *block, const uint8_t *version)
{
    sr_put_be32(block, (uint32_t)(sr_time_mono_us() / SR_UTIME_MS));
    if (version) {
        memcpy(block + 4, version, 4);
    } else {
        memset(block + 4, 0, 4);
    }
    return sr_rtmp_handshake_random(block + 8, SR_RTMP_HANDSHAKE_SIZE - 8);
}

/* Complex S1 in the client's schema and S2 signed with the client's C1 digest. */
static int sr_rtmp_handshake_server_complex(const uint8_t *c1, int schema, uint8_t *s1, uint8_t *s2)
{
    int rc = sr_rtmp_handshake_fill(s1, sr_rtmp_handshake_server_version);
    if (rc == SR_OK) {
        rc = sr_rtmp_handshake_random(s2, SR_RTMP_HANDSHAKE_SIGNED_SIZE);
    }
    if (rc != SR_OK) {
        return sr_err_wrap(rc, "complex s1s2");
    }
    /* no RTMPE, so the key block's DH public key stays random */
    sr_rtmp_handshake__imprint_digest(s1, schema, sr_rtmp_handshake__fms_key, SR_RTMP_HANDSHAKE_FMS_KEY_PARTIAL);
    const uint8_t *c1_digest = c1 + sr_rtmp_handshake__digest_pos(c1, schema);
    sr_rtmp_handshake__sign_response(s2, c1_digest, sr_rtmp_handshake__fms_key, SR_RTMP_HANDSHAKE_FMS_KEY_SIZE);
    return SR_OK;
}

/* C0 and S0 carry the version: 3 is RTMP, 6 and 8 are encrypted RTMPE. */
static int sr_rtmp_handshake_check_version(uint8_t version, const char *what)
{
    if (version == SR_RTMP_HANDSHAKE_VERSION) {
        return SR_OK;
    }
    if (version == 0x06 || version == 0x08) {
        return sr_err_new(SR_EUNSUPPORTED, "%s version 0x%02x: encrypted RTMPE is not supported", what, version);
    }
    return sr_err_new(SR_ERTMP_HANDSHAKE, "%s version 0x%02x, want 0x03 (not RTMP?)", what, version);
}

/* ---- server ---- */

/* Read C0 alone first so that a non-RTMP peer (an HTTP request, a TLS hello) is refused
 * at once instead of after the handshake timeout, then C1. */
static int sr_rtmp_handshake_server_read_c0c1(sr_io_t *io, uint8_t *c1, sr_rtmp_handshake_info_t *info)
{
    uint8_t c0 = 0;
    int rc = sr_io_read_fully(io, &c0, 1);
    if (rc != SR_OK) {
        return sr_err_wrap(rc, "read c0");
    }
    if ((rc = sr_rtmp_handshake_check_version(c0, "c0")) != SR_OK) {
        return rc;
    }
    if ((rc = sr_io_read_fully(io, c1, SR_RTMP_HANDSHAKE_SIZE)) != SR_OK) {
        return sr_err_wrap(rc, "read c1");
    }
    info->client_time = sr_get_be32(c1);
    memcpy(info->client_version, c1 + 4, 4);
    return SR_OK;
}

int sr_rtmp_handshake_server(sr_io_t *io, sr_rtmp_handshake_info_t *info)
{
    uint8_t c1[SR_RTMP_HANDSHAKE_SIZE];
    uint8_t s1[SR_RTMP_HANDSHAKE_SIZE];
    uint8_t s2[SR_RTMP_HANDSHAKE_SIZE];
    uint8_t s0 = SR_RTMP_HANDSHAKE_VERSION;

    memset(info, 0, sizeof(*info));
    info->schema = SR_RTMP_HANDSHAKE_SCHEMA_NONE;
    int rc = sr_rtmp_handshake_server_read_c0c1(io, c1, info);
    if (rc != SR_OK) {
        return sr_err_wrap(rc, "server handshake");
    }

    /* complex only if the digest proves the client meant it; a random simple C1
     * validates by chance with probability 2^-255 */
    info->schema = sr_rtmp_handshake__find_digest(c1, sr_rtmp_handshake__fp_key, SR_RTMP_HANDSHAKE_FP_KEY_PARTIAL);
    info->is_complex = info->schema != SR_RTMP_HANDSHAKE_SCHEMA_NONE;
    struct iovec iov[3] = {{&s0, 1}, {s1, sizeof(s1)}, {s2, sizeof(s2)}};
    if (info->is_complex) {
        rc = sr_rtmp_handshake_server_complex(c1, info->schema, s1, s2);
    } else {
        rc = sr_rtmp_handshake_fill(s1, NULL);
        iov[2].iov_base = c1; /* S2 echoes C1 (RTMP 5.2.4) */
    }
    if (rc != SR_OK) {
        return sr_err_wrap(rc, "server handshake");
    }
    if ((rc = sr_io_writev(io, iov, 3)) != SR_OK) {
        return sr_err_wrap(rc, "write s0s1s2");
    }

    /* C2 content is not checked: many encoders send garbage there. C1 is no longer needed. */
    if ((rc = sr_io_read_fully(io, c1, SR_RTMP_HANDSHAKE_SIZE)) != SR_OK) {
        return sr_err_wrap(rc, "read c2");
    }
    return SR_OK;
}

/* ---- client ---- */

static int sr_rtmp_handshake_client_write_c0c1(sr_io_t *io, uint8_t *c1, bool complex)
{
    uint8_t c0 = SR_RTMP_HANDSHAKE_VERSION;
    int rc = sr_rtmp_handshake_fill(c1, complex ? sr_rtmp_handshake_client_version : NULL);
    if (rc != SR_OK) {
        return sr_err_wrap(rc, "build c1");
    }
    if (complex) {
        sr_rtmp_handshake__imprint_digest(c1, SR_RTMP_HANDSHAKE_SCHEMA1, sr_rtmp_handshake__fp_key,
                                          SR_RTMP_HANDSHAKE_FP_KEY_PARTIAL);
    }
    struct iovec iov[2] = {{&c0, 1}, {c1, SR_RTMP_HANDSHAKE_SIZE}};
    if ((rc = sr_io_writev(io, iov, 2)) != SR_OK) {
        return sr_err_wrap(rc, "write c0c1");
    }
    return SR_OK;
}

/* Read S0, S1 and S2 (S2 into s2, which is not checked). */
static int sr_rtmp_handshake_client_read_s0s1s2(sr_io_t *io, uint8_t *s1, uint8_t *s2)
{
    uint8_t s0 = 0;
    int rc = sr_io_read_fully(io, &s0, 1);
    if (rc != SR_OK) {
        return sr_err_wrap(rc, "read s0");
    }
    if ((rc = sr_rtmp_handshake_check_version(s0, "s0")) != SR_OK) {
        return rc;
    }
    if ((rc = sr_io_read_fully(io, s1, SR_RTMP_HANDSHAKE_SIZE)) != SR_OK) {
        return sr_err_wrap(rc, "read s1");
    }
    if ((rc = sr_io_read_fully(io, s2, SR_RTMP_HANDSHAKE_SIZE)) != SR_OK) {
        return sr_err_wrap(rc, "read s2");
    }
    return SR_OK;
}

/* Build C2 into c2 from S1: signed with S1's digest when the server answered complex,
 * else a copy of S1. */
static int sr_rtmp_handshake_client_build_c2(const uint8_t *s1, bool complex, uint8_t *c2)
{
    static const uint8_t zero[4] = {0};
    if (!complex || memcmp(s1 + 4, zero, 4) == 0) {
        /* simple client, or a server that only speaks the simple handshake */
        memcpy(c2, s1, SR_RTMP_HANDSHAKE_SIZE);
        return SR_OK;
    }
    int schema = sr_rtmp_handshake__find_digest(s1, sr_rtmp_handshake__fms_key, SR_RTMP_HANDSHAKE_FMS_KEY_PARTIAL);
    if (schema == SR_RTMP_HANDSHAKE_SCHEMA_NONE) {
        return sr_err_new(SR_ERTMP_HANDSHAKE, "s1 digest invalid in both schemas (server version %u.%u.%u.%u)", s1[4],
                          s1[5], s1[6], s1[7]);
    }
    int rc = sr_rtmp_handshake_random(c2, SR_RTMP_HANDSHAKE_SIGNED_SIZE);
    if (rc != SR_OK) {
        return rc;
    }
    const uint8_t *s1_digest = s1 + sr_rtmp_handshake__digest_pos(s1, schema);
    sr_rtmp_handshake__sign_response(c2, s1_digest, sr_rtmp_handshake__fp_key, SR_RTMP_HANDSHAKE_FP_KEY_SIZE);
    return SR_OK;
}

int sr_rtmp_handshake_client(sr_io_t *io, bool complex)
{
    uint8_t c1[SR_RTMP_HANDSHAKE_SIZE];
    uint8_t s1[SR_RTMP_HANDSHAKE_SIZE];
    uint8_t s2[SR_RTMP_HANDSHAKE_SIZE];

    int rc = sr_rtmp_handshake_client_write_c0c1(io, c1, complex);
    if (rc == SR_OK) {
        rc = sr_rtmp_handshake_client_read_s0s1s2(io, s1, s2);
    }
    /* C2 goes into c1: C1 is no longer needed since S2 is not checked */
    if (rc == SR_OK) {
        rc = sr_rtmp_handshake_client_build_c2(s1, complex, c1);
    }
    if (rc == SR_OK && (rc = sr_io_write(io, c1, SR_RTMP_HANDSHAKE_SIZE)) != SR_OK) {
        rc = sr_err_wrap(rc, "write c2");
    }
    if (rc != SR_OK) {
        return sr_err_wrap(rc, "client handshake complex=%d", complex);
    }
    return SR_OK;
}
