// SPDX-License-Identifier: MIT
// utest_rtmp_handshake.cpp: the RTMP handshake, server and client side. Digests are
// checked with OpenSSL and offset math written out here from the well-known C1 layout,
// independently of the module's helpers, and against a known-answer vector computed
// with Python's hmac module.
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "sr_context.h"
#include "sr_error.h"
#include "sr_io.h"
#include "sr_rtmp_handshake.h"
#include "sr_rtmp_handshake_internal.h"
#include "sr_utest.h"

// ---- independent reference math and drivers ----
namespace
{

typedef std::vector<uint8_t> bytes_t;
typedef std::array<uint8_t, 32> digest_t;

const size_t HS = 1536;

// The 32 bytes after the text of both keys.
const uint8_t key_tail[32] = {0xF0, 0xEE, 0xC2, 0x4A, 0x80, 0x68, 0xBE, 0xE8, 0x2E, 0x00, 0xD0,
                              0xD1, 0x02, 0x9E, 0x7E, 0x57, 0x6E, 0xEC, 0x5D, 0x2D, 0x29, 0x80,
                              0x6F, 0xAB, 0x93, 0xB8, 0xE6, 0x36, 0xCF, 0xEB, 0x31, 0xAE};
const std::string fp_text = "Genuine Adobe Flash Player 001";
const std::string fms_text = "Genuine Adobe Flash Media Server 001";

bytes_t full_key(const std::string &text)
{
    bytes_t k(text.begin(), text.end());
    k.insert(k.end(), key_tail, key_tail + sizeof(key_tail));
    return k;
}

digest_t hmac(const bytes_t &key, const uint8_t *data, size_t size)
{
    digest_t out{};
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.data(), (int)key.size(), data, size, out.data(), &len);
    EXPECT_EQ(32u, len);
    return out;
}

// Schema 1: digest block at 8, offset bytes 8..11. Schema 0: digest block at 772, offset bytes 772..775.
size_t digest_pos(const uint8_t *c1, int schema)
{
    size_t base = schema == 1 ? 8 : 772;
    return base + 4 + (c1[base] + c1[base + 1] + c1[base + 2] + c1[base + 3]) % 728;
}

digest_t block_digest(const uint8_t *c1, int schema, const bytes_t &key)
{
    size_t pos = digest_pos(c1, schema);
    bytes_t joined(c1, c1 + pos);
    joined.insert(joined.end(), c1 + pos + 32, c1 + HS);
    EXPECT_EQ(1504u, joined.size());
    return hmac(key, joined.data(), joined.size());
}

bool block_digest_ok(const uint8_t *c1, int schema, const bytes_t &key)
{
    digest_t d = block_digest(c1, schema, key);
    return memcmp(d.data(), c1 + digest_pos(c1, schema), 32) == 0;
}

// C2/S2: last 32 bytes = HMAC(HMAC(full key, peer digest), first 1504 bytes).
bool response_ok(const uint8_t *block, const uint8_t *peer_digest, const bytes_t &full)
{
    digest_t temp = hmac(full, peer_digest, 32);
    digest_t want = hmac(bytes_t(temp.begin(), temp.end()), block, 1504);
    return memcmp(want.data(), block + 1504, 32) == 0;
}

bytes_t fp30()
{
    return bytes_t(fp_text.begin(), fp_text.end());
}

bytes_t fms36()
{
    return bytes_t(fms_text.begin(), fms_text.end());
}

// Deterministic filler, different per seed.
bytes_t pattern(size_t size, uint32_t seed)
{
    bytes_t b(size);
    uint32_t x = seed * 2654435761u + 1;
    for (auto &v : b) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        v = (uint8_t)x;
    }
    return b;
}

// A complex C0C1 built by the test alone: version 9.0.124.2, digest imprinted with test math.
bytes_t test_c0c1(int schema, uint32_t seed)
{
    bytes_t c = pattern(1 + HS, seed);
    c[0] = 3;
    uint8_t *c1 = &c[1];
    const uint8_t ver[4] = {9, 0, 124, 2};
    memcpy(c1 + 4, ver, 4);
    digest_t d = block_digest(c1, schema, fp30());
    memcpy(c1 + digest_pos(c1, schema), d.data(), 32);
    return c;
}

// Run our client over an io with no input: it writes C0C1, then fails to read S0.
bytes_t client_c0c1(bool complex)
{
    sr_mem_io_t m;
    sr_mem_io_init(&m, nullptr, 0, 0);
    EXPECT_SR_ERR(SR_EPEER_CLOSED, sr_rtmp_handshake_client(&m.io, complex));
    bytes_t out(m.out.data, m.out.data + m.out.len);
    sr_mem_io_deinit(&m);
    EXPECT_EQ(1 + HS, out.size());
    return out;
}

struct server_run {
    int rc;
    sr_rtmp_handshake_info_t info;
    bytes_t out;
    size_t consumed;
};

server_run run_server(const bytes_t &in, size_t max_read = 0)
{
    server_run r;
    sr_mem_io_t m;
    sr_mem_io_init(&m, in.data(), in.size(), max_read);
    r.rc = sr_rtmp_handshake_server(&m.io, &r.info);
    r.out.assign(m.out.data, m.out.data + m.out.len);
    r.consumed = m.in_pos;
    sr_mem_io_deinit(&m);
    return r;
}

bytes_t with_c2(bytes_t c0c1)
{
    bytes_t c2 = pattern(HS, 99); // garbage C2: must be accepted
    c0c1.insert(c0c1.end(), c2.begin(), c2.end());
    return c0c1;
}

// Check a complex S0S1S2 answering c1 in schema.
void expect_complex_reply(const bytes_t &out, const uint8_t *c1, int schema)
{
    ASSERT_EQ(1 + 2 * HS, out.size());
    EXPECT_EQ(3, out[0]);
    const uint8_t *s1 = &out[1];
    const uint8_t *s2 = &out[1 + HS];
    EXPECT_GE(s1[4], 3) << "clients check the S1 digest only for a non-zero server version";
    EXPECT_TRUE(block_digest_ok(s1, schema, fms36())) << "schema " << schema;
    EXPECT_TRUE(response_ok(s2, c1 + digest_pos(c1, schema), full_key(fms_text)));
}

} // namespace

// ---- pure digest helpers ----

TEST(RtmpHandshake, KnownAnswerDigest)
{
    // C1 = bytes (i * 13 + 7) & 0xff; expected digests from Python hmac/hashlib.
    bytes_t c1(HS);
    for (size_t i = 0; i < HS; i++) {
        c1[i] = (uint8_t)(i * 13 + 7);
    }
    const char *want_hex[2] = {"659c0226e5c5c12425c036de6bf0b573dcfb58e4d0c22b38d391fd9435044551",
                               "afa9c7cb5188c3fc0ad95bcff166a5ba0b49068c1957821ccfa960f66ee975cf"};
    const size_t want_pos[2] = {1090, 534};
    for (int schema = 0; schema < 2; schema++) {
        EXPECT_EQ(want_pos[schema], digest_pos(c1.data(), schema));
        EXPECT_EQ(want_pos[schema], sr_rtmp_handshake__digest_pos(c1.data(), schema));
        uint8_t got[32];
        sr_rtmp_handshake__compute_digest(c1.data(), schema, sr_rtmp_handshake__fp_key, 30, got);
        char hex[65];
        for (int i = 0; i < 32; i++) {
            snprintf(hex + 2 * i, 3, "%02x", got[i]);
        }
        EXPECT_STREQ(want_hex[schema], hex) << "schema " << schema;
        digest_t mine = block_digest(c1.data(), schema, fp30());
        EXPECT_EQ(0, memcmp(mine.data(), got, 32));
    }
}

TEST(RtmpHandshake, KeysAndKeyOffsets)
{
    EXPECT_EQ(full_key(fp_text), bytes_t(sr_rtmp_handshake__fp_key, sr_rtmp_handshake__fp_key + 62));
    EXPECT_EQ(full_key(fms_text), bytes_t(sr_rtmp_handshake__fms_key, sr_rtmp_handshake__fms_key + 68));
    for (uint32_t seed = 1; seed < 50; seed++) {
        bytes_t b = pattern(HS, seed);
        const uint8_t *p = b.data();
        // key block offset = its last 4 bytes: 768..771 (schema 0), 1532..1535 (schema 1)
        EXPECT_EQ(8 + (p[768] + p[769] + p[770] + p[771]) % 632u, sr_rtmp_handshake__key_pos(p, 0));
        EXPECT_EQ(772 + (p[1532] + p[1533] + p[1534] + p[1535]) % 632u, sr_rtmp_handshake__key_pos(p, 1));
        EXPECT_EQ(digest_pos(p, 0), sr_rtmp_handshake__digest_pos(p, 0));
        EXPECT_EQ(digest_pos(p, 1), sr_rtmp_handshake__digest_pos(p, 1));
    }
}

TEST(RtmpHandshake, ImprintedDigestIsFoundInItsSchema)
{
    for (int schema = 0; schema < 2; schema++) {
        bytes_t b = pattern(HS, 7 + schema);
        EXPECT_EQ(SR_RTMP_HANDSHAKE_SCHEMA_NONE,
                  sr_rtmp_handshake__find_digest(b.data(), sr_rtmp_handshake__fms_key, 36));
        sr_rtmp_handshake__imprint_digest(b.data(), schema, sr_rtmp_handshake__fms_key, 36);
        EXPECT_TRUE(block_digest_ok(b.data(), schema, fms36()));
        EXPECT_EQ(schema, sr_rtmp_handshake__find_digest(b.data(), sr_rtmp_handshake__fms_key, 36));
        // the wrong key does not validate
        EXPECT_EQ(SR_RTMP_HANDSHAKE_SCHEMA_NONE,
                  sr_rtmp_handshake__find_digest(b.data(), sr_rtmp_handshake__fp_key, 30));
    }
}

// ---- server side ----

TEST(RtmpHandshake, ServerDetectsOurComplexClient)
{
    bytes_t c0c1 = client_c0c1(true);
    const uint8_t *c1 = &c0c1[1];
    EXPECT_EQ(3, c0c1[0]);
    EXPECT_TRUE(block_digest_ok(c1, 1, fp30())) << "our client sends schema 1";

    server_run r = run_server(with_c2(c0c1));
    ASSERT_SR_OK(r.rc);
    EXPECT_TRUE(r.info.is_complex);
    EXPECT_EQ(SR_RTMP_HANDSHAKE_SCHEMA1, r.info.schema);
    EXPECT_EQ(((uint32_t)c1[0] << 24) | ((uint32_t)c1[1] << 16) | ((uint32_t)c1[2] << 8) | c1[3], r.info.client_time);
    EXPECT_EQ(0, memcmp(c1 + 4, r.info.client_version, 4));
    EXPECT_EQ(1 + 2 * HS, r.consumed) << "C2 read";
    expect_complex_reply(r.out, c1, 1);
}

TEST(RtmpHandshake, ServerDetectsSchema0AndSchema1)
{
    for (int schema = 0; schema < 2; schema++) {
        for (uint32_t seed = 1; seed <= 8; seed++) {
            bytes_t c0c1 = test_c0c1(schema, seed);
            server_run r = run_server(with_c2(c0c1), seed == 1 ? 5 : 0); // seed 1: tiny reads
            ASSERT_SR_OK(r.rc);
            EXPECT_TRUE(r.info.is_complex);
            EXPECT_EQ(schema, r.info.schema);
            expect_complex_reply(r.out, &c0c1[1], schema);
        }
    }
}

TEST(RtmpHandshake, ServerAnswersSimpleC1WithEcho)
{
    bytes_t c0c1 = pattern(1 + HS, 42);
    c0c1[0] = 3;
    memset(&c0c1[5], 0, 4); // zero version field
    server_run r = run_server(with_c2(c0c1), 7);
    ASSERT_SR_OK(r.rc);
    EXPECT_FALSE(r.info.is_complex);
    EXPECT_EQ(SR_RTMP_HANDSHAKE_SCHEMA_NONE, r.info.schema);
    ASSERT_EQ(1 + 2 * HS, r.out.size());
    EXPECT_EQ(3, r.out[0]);
    const uint8_t zero[4] = {0};
    EXPECT_EQ(0, memcmp(&r.out[1 + 4], zero, 4)) << "simple S1 = time | zero | random";
    EXPECT_EQ(0, memcmp(&r.out[1 + HS], &c0c1[1], HS)) << "S2 echoes C1";
    EXPECT_EQ(1 + 2 * HS, r.consumed);
}

TEST(RtmpHandshake, ServerAnswersBadDigestSimply)
{
    // a non-zero version but a digest that does not validate: still a client we can serve
    bytes_t c0c1 = test_c0c1(1, 3);
    c0c1[1 + digest_pos(&c0c1[1], 1)] ^= 1;
    server_run r = run_server(with_c2(c0c1));
    ASSERT_SR_OK(r.rc);
    EXPECT_FALSE(r.info.is_complex);
    EXPECT_EQ(0, memcmp(&r.out[1 + HS], &c0c1[1], HS));
}

TEST(RtmpHandshake, ServerRefusesBadVersion)
{
    struct {
        uint8_t c0;
        int code;
    } cases[] = {{0x06, SR_EUNSUPPORTED},    {0x08, SR_EUNSUPPORTED},
                 {0x00, SR_ERTMP_HANDSHAKE}, {0x47, SR_ERTMP_HANDSHAKE}, // 'G' of an HTTP GET
                 {0x16, SR_ERTMP_HANDSHAKE},                             // TLS handshake record
                 {0xff, SR_ERTMP_HANDSHAKE}};
    for (auto &c : cases) {
        bytes_t in = with_c2(test_c0c1(1, 5));
        in[0] = c.c0;
        server_run r = run_server(in);
        EXPECT_SR_ERR(c.code, r.rc);
        EXPECT_NE(std::string::npos, std::string(sr_err_trail()).find("version")) << sr_err_trail();
        EXPECT_EQ(0u, r.out.size()) << "nothing written";
        EXPECT_EQ(1u, r.consumed) << "refused on C0 alone";
    }
}

TEST(RtmpHandshake, ServerFailsOnTruncatedInput)
{
    bytes_t full = with_c2(test_c0c1(1, 6));
    const size_t lens[] = {0, 1, 2, 9, 100, 1536, 1537, 1538, 1537 + 1535};
    for (size_t len : lens) {
        bytes_t in(full.begin(), full.begin() + len);
        server_run r = run_server(in, 64);
        SCOPED_TRACE(len);
        EXPECT_SR_ERR(SR_EPEER_CLOSED, r.rc);
        const char *where = len < 1 + HS ? "server handshake" : "read c2";
        EXPECT_NE(std::string::npos, std::string(sr_err_trail()).find(where)) << sr_err_trail();
        EXPECT_EQ(len < 1 + HS ? 0u : 1 + 2 * HS, r.out.size()) << "len " << len;
    }
}

// ---- client side ----

TEST(RtmpHandshake, ClientValidatesS1AndSignsC2)
{
    // record a real server reply to one of our C0C1s, then replay it to the client
    server_run r = run_server(with_c2(client_c0c1(true)));
    ASSERT_SR_OK(r.rc);
    ASSERT_TRUE(r.info.is_complex);

    sr_mem_io_t m;
    sr_mem_io_init(&m, r.out.data(), r.out.size(), 100);
    ASSERT_SR_OK(sr_rtmp_handshake_client(&m.io, true));
    ASSERT_EQ(1 + 2 * HS, m.out.len) << "C0C1 + C2";
    const uint8_t *s1 = &r.out[1];
    const uint8_t *c2 = m.out.data + 1 + HS;
    EXPECT_TRUE(response_ok(c2, s1 + digest_pos(s1, 1), full_key(fp_text))) << "C2 signed per spec";
    EXPECT_EQ(r.out.size(), m.in_pos);
    sr_mem_io_deinit(&m);
}

TEST(RtmpHandshake, ClientRejectsTamperedS1)
{
    server_run r = run_server(with_c2(client_c0c1(true)));
    ASSERT_SR_OK(r.rc);
    size_t dpos = 1 + digest_pos(&r.out[1], r.info.schema);
    // flipped digest bytes, a byte the digest covers, a digest-offset byte (moves the digest)
    const size_t flips[] = {dpos, dpos + 31, 1 + 1400, 1 + 0, (size_t)(1 + 8 + (r.info.schema == 0 ? 764 : 0))};
    for (size_t at : flips) {
        bytes_t in = r.out;
        in[at] ^= 0x40;
        sr_mem_io_t m;
        sr_mem_io_init(&m, in.data(), in.size(), 0);
        SCOPED_TRACE(at);
        EXPECT_SR_ERR(SR_ERTMP_HANDSHAKE, sr_rtmp_handshake_client(&m.io, true));
        EXPECT_NE(std::string::npos, std::string(sr_err_trail()).find("s1 digest")) << sr_err_trail();
        EXPECT_EQ(1 + HS, m.out.len) << "no C2 sent";
        sr_mem_io_deinit(&m);
    }
}

TEST(RtmpHandshake, ClientAcceptsSimpleServer)
{
    // a server that only knows the simple handshake: S1 version zero, S2 echoes C1
    for (int complex = 0; complex < 2; complex++) {
        bytes_t in = pattern(1 + 2 * HS, 11);
        in[0] = 3;
        memset(&in[1 + 4], 0, 4);
        sr_mem_io_t m;
        sr_mem_io_init(&m, in.data(), in.size(), 0);
        ASSERT_SR_OK(sr_rtmp_handshake_client(&m.io, complex));
        ASSERT_EQ(1 + 2 * HS, m.out.len);
        const uint8_t zero[4] = {0};
        EXPECT_EQ(complex ? 1 : 0, memcmp(m.out.data + 1 + 4, zero, 4) != 0) << "C1 version field";
        EXPECT_EQ(0, memcmp(m.out.data + 1 + HS, &in[1], HS)) << "C2 echoes S1";
        sr_mem_io_deinit(&m);
    }
}

TEST(RtmpHandshake, ClientRefusesBadS0AndTruncatedReply)
{
    bytes_t in = pattern(1 + 2 * HS, 12);
    in[0] = 6;
    sr_mem_io_t m;
    sr_mem_io_init(&m, in.data(), in.size(), 0);
    EXPECT_SR_ERR(SR_EUNSUPPORTED, sr_rtmp_handshake_client(&m.io, false));
    sr_mem_io_deinit(&m);
    in[0] = 3;
    for (size_t len : {1ul, 1537ul, 3072ul}) {
        sr_mem_io_init(&m, in.data(), len, 0);
        SCOPED_TRACE(len);
        EXPECT_SR_ERR(SR_EPEER_CLOSED, sr_rtmp_handshake_client(&m.io, false));
        EXPECT_EQ(1 + HS, m.out.len);
        sr_mem_io_deinit(&m);
    }
}

// ---- server against client over a socketpair, one of them on a thread ----
namespace
{

struct fd_io {
    sr_io_t io;
    int fd;
};

int fd_io_read(sr_io_t *io, void *buf, size_t size, size_t *nread)
{
    fd_io *f = (fd_io *)io->impl;
    ssize_t n;
    do {
        n = read(f->fd, buf, size);
    } while (n < 0 && errno == EINTR);
    if (n == 0) {
        return -SR_EPEER_CLOSED;
    }
    if (n < 0) {
        return -SR_ESOCKET_READ;
    }
    *nread = (size_t)n;
    return SR_OK;
}

int fd_io_writev(sr_io_t *io, const struct iovec *iov, int iovcnt)
{
    fd_io *f = (fd_io *)io->impl;
    for (int i = 0; i < iovcnt; i++) {
        const uint8_t *p = (const uint8_t *)iov[i].iov_base;
        size_t left = iov[i].iov_len;
        while (left > 0) {
            ssize_t n = write(f->fd, p, left);
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n <= 0) {
                return -SR_ESOCKET_WRITE;
            }
            p += n;
            left -= (size_t)n;
        }
    }
    return SR_OK;
}

const sr_io_ops_t fd_io_ops = {fd_io_read, fd_io_writev};

thread_local sr_context_t thread_ctx;
sr_context_t *thread_ctx_provider()
{
    return &thread_ctx;
}

} // namespace

TEST(RtmpHandshake, ClientAndServerOverSocketpair)
{
    sr_context_set_provider(thread_ctx_provider); // each thread its own error trail
    for (int complex = 0; complex < 2; complex++) {
        int sv[2];
        ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
        fd_io server = {{&fd_io_ops, nullptr, 0, 0}, sv[0]};
        fd_io client = {{&fd_io_ops, nullptr, 0, 0}, sv[1]};
        server.io.impl = &server;
        client.io.impl = &client;
        sr_rtmp_handshake_info_t info;
        int server_rc = -1;
        std::thread t([&] { server_rc = sr_rtmp_handshake_server(&server.io, &info); });
        int client_rc = sr_rtmp_handshake_client(&client.io, complex);
        t.join();
        EXPECT_SR_OK(client_rc);
        EXPECT_EQ(SR_OK, server_rc);
        EXPECT_EQ((bool)complex, info.is_complex);
        EXPECT_EQ(complex ? SR_RTMP_HANDSHAKE_SCHEMA1 : SR_RTMP_HANDSHAKE_SCHEMA_NONE, info.schema);
        EXPECT_EQ(1 + 2 * HS, server.io.recv_bytes);
        EXPECT_EQ(1 + 2 * HS, client.io.recv_bytes);
        close(sv[0]);
        close(sv[1]);
    }
    sr_context_set_provider(nullptr);
}
