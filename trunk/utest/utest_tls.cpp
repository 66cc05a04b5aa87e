// SPDX-License-Identifier: MIT
// utest_tls.cpp: TLS sessions (protocol/sr_tls) between our client and our server over a
// socketpair, in real coroutines: the handshake, bytes both ways, close_notify, many
// small iovecs gathered into few records, reads that poll, the host check of a
// verifying client; and what the server does with plain HTTP, a peer that leaves or
// stalls mid-handshake. Certificates are made with the openssl command line; a key
// of another certificate, a missing file and a file that is not PEM are refused.
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "sr_error.h"
#include "sr_io.h"
#include "sr_st.h"
#include "sr_tls.h"
#include "sr_utest.h"
#include "sr_utest_st.h"

namespace
{

const sr_utime_t kIoTimeout = 3 * SR_UTIME_S;

// Two self-signed certificates (for localhost and 127.0.0.1) made once for the suite.
struct Certs {
    std::string dir;
    Certs()
    {
        char tmpl[] = "/tmp/utest_tls_XXXXXX";
        dir = mkdtemp(tmpl);
        for (const char *name : {"a", "b"}) {
            std::string cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 "
                              "-subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout '" +
                              key(name) + "' -out '" + cert(name) + "' 2>/dev/null";
            ok = ok && system(cmd.c_str()) == 0;
        }
        FILE *f = fopen(path("garbage.pem").c_str(), "w");
        if (f) {
            fputs("this is not a certificate\n", f);
            fclose(f);
        }
    }
    ~Certs()
    {
        std::string cmd = "rm -rf '" + dir + "'";
        if (system(cmd.c_str()) != 0) {
            fprintf(stderr, "cannot remove %s\n", dir.c_str());
        }
    }
    std::string path(const std::string &name) const
    {
        return dir + "/" + name;
    }
    std::string cert(const std::string &name) const
    {
        return path(name + ".crt");
    }
    std::string key(const std::string &name) const
    {
        return path(name + ".key");
    }
    bool ok = true;
};

const Certs &certs()
{
    static Certs c;
    return c;
}

// One end of a socketpair, optionally under TLS.
struct End {
    sr_sock_t *sock = nullptr;
    sr_tls_t *tls = nullptr;
    ~End()
    {
        sr_tls_free(tls);
        sr_sock_close(sock);
    }
    sr_io_t *io()
    {
        return tls ? sr_tls_io(tls) : sr_sock_io(sock);
    }
};

struct Pair {
    End server, client;
    sr_tls_ctx_t *server_ctx = nullptr;
    sr_tls_ctx_t *client_ctx = nullptr;
    Pair()
    {
        int sv[2];
        EXPECT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
        EXPECT_SR_OK(sr_sock_from_fd(sv[0], &server.sock));
        EXPECT_SR_OK(sr_sock_from_fd(sv[1], &client.sock));
        sr_sock_set_timeouts(server.sock, kIoTimeout, kIoTimeout);
        sr_sock_set_timeouts(client.sock, kIoTimeout, kIoTimeout);
    }
    ~Pair()
    {
        sr_tls_ctx_unref(server_ctx);
        sr_tls_ctx_unref(client_ctx);
    }
    // A server session with certificate a; the client stays plain unless client_tls.
    void tls(const char *host = "localhost", bool is_verify = true, const char *ca = "a")
    {
        const Certs &c = certs();
        ASSERT_SR_OK(sr_tls_ctx_new_server(c.cert("a").c_str(), c.key("a").c_str(), "http/1.1", &server_ctx));
        ASSERT_SR_OK(sr_tls_new_server(server_ctx, sr_sock_io(server.sock), &server.tls));
        ASSERT_SR_OK(sr_tls_ctx_new_client(c.cert(ca).c_str(), is_verify, &client_ctx));
        ASSERT_SR_OK(sr_tls_new_client(client_ctx, sr_sock_io(client.sock), host, &client.tls));
    }
};

// What the server coroutine does and saw.
struct Server {
    Pair *pair = nullptr;
    sr_utime_t deadline_us = 0;
    int handshake_rc = 1;
    std::string handshake_trail;
    int read_rc = 1;
    std::string got;
    std::string reply; // written after the first read
    size_t want = 0;   // bytes to read before replying (0: read until an error)
    bool is_done = false;
};

void sr_utest_tls_server(void *arg)
{
    Server *s = static_cast<Server *>(arg);
    s->handshake_rc = sr_tls_handshake(s->pair->server.tls, s->deadline_us);
    s->handshake_trail = sr_err_trail();
    if (s->handshake_rc == SR_OK) {
        char buf[8192];
        for (;;) {
            size_t n = 0;
            s->read_rc = sr_io_read(s->pair->server.io(), buf, sizeof(buf), &n);
            if (s->read_rc != SR_OK) {
                break;
            }
            s->got.append(buf, n);
            if (s->want && s->got.size() >= s->want) {
                if (!s->reply.empty()) {
                    s->read_rc = sr_io_write(s->pair->server.io(), s->reply.data(), s->reply.size());
                }
                break;
            }
        }
    }
    s->is_done = true;
}

std::string read_n(sr_io_t *io, size_t n)
{
    std::string out(n, '\0');
    int rc = sr_io_read_fully(io, &out[0], n);
    EXPECT_SR_OK(rc);
    return rc == SR_OK ? out : std::string();
}

// The first flight of a real client (its ClientHello), captured through an in-memory io.
std::string client_hello()
{
    sr_tls_ctx_t *ctx = nullptr;
    EXPECT_SR_OK(sr_tls_ctx_new_client(nullptr, false, &ctx));
    sr_mem_io_t m;
    sr_mem_io_init(&m, "", 0, 0);
    sr_tls_t *t = nullptr;
    EXPECT_SR_OK(sr_tls_new_client(ctx, &m.io, "localhost", &t));
    EXPECT_SR_ERR(SR_EPEER_CLOSED, sr_tls_handshake(t, 0)); // sent the hello, then no answer
    std::string hello(reinterpret_cast<const char *>(m.out.data), m.out.len);
    sr_tls_free(t);
    sr_tls_ctx_unref(ctx);
    sr_mem_io_deinit(&m);
    return hello;
}

} // namespace

using TlsSt = SrUtestSt;

// ---- contexts ----

TEST(Tls, ServerContextDescribesItsCertificate)
{
    ASSERT_TRUE(certs().ok);
    sr_tls_ctx_t *c = nullptr;
    ASSERT_SR_OK(sr_tls_ctx_new_server(certs().cert("a").c_str(), certs().key("a").c_str(), NULL, &c));
    EXPECT_EQ(0, std::string(sr_tls_ctx_fingerprint(c)).rfind("SHA256 ", 0)) << sr_tls_ctx_fingerprint(c);
    EXPECT_NE(std::string::npos, std::string(sr_tls_ctx_summary(c)).find("CN = localhost")) << sr_tls_ctx_summary(c);
    EXPECT_EQ(c, sr_tls_ctx_ref(c));
    sr_tls_ctx_unref(c);
    sr_tls_ctx_unref(c);
}

TEST(Tls, RefusesKeyOfAnotherCertificate)
{
    ASSERT_TRUE(certs().ok);
    sr_tls_ctx_t *c = nullptr;
    EXPECT_SR_ERR(SR_ETLS, sr_tls_ctx_new_server(certs().cert("a").c_str(), certs().key("b").c_str(), NULL, &c));
    EXPECT_EQ(nullptr, c);
    EXPECT_NE(std::string::npos, std::string(sr_err_trail()).find("does not belong")) << sr_err_trail();
}

TEST(Tls, RefusesMissingAndNonPemFiles)
{
    ASSERT_TRUE(certs().ok);
    sr_tls_ctx_t *c = nullptr;
    std::string missing = certs().path("missing.crt");
    EXPECT_SR_ERR(SR_ETLS, sr_tls_ctx_new_server(missing.c_str(), certs().key("a").c_str(), NULL, &c));
    EXPECT_NE(std::string::npos, std::string(sr_err_trail()).find("cannot read certificate file")) << sr_err_trail();
    std::string garbage = certs().path("garbage.pem");
    EXPECT_SR_ERR(SR_ETLS, sr_tls_ctx_new_server(garbage.c_str(), certs().key("a").c_str(), NULL, &c));
    EXPECT_NE(std::string::npos, std::string(sr_err_trail()).find("certificate file")) << sr_err_trail();
    EXPECT_SR_ERR(SR_ETLS, sr_tls_ctx_new_server(certs().cert("a").c_str(), garbage.c_str(), NULL, &c));
    EXPECT_NE(std::string::npos, std::string(sr_err_trail()).find("key file")) << sr_err_trail();
    EXPECT_SR_ERR(SR_ETLS, sr_tls_ctx_new_client(missing.c_str(), true, &c));
    EXPECT_EQ(nullptr, c);
}

// ---- sessions ----

TEST_F(TlsSt, HandshakeThenBytesBothWaysThenCloseNotify)
{
    ASSERT_TRUE(certs().ok);
    Pair p;
    ASSERT_NO_FATAL_FAILURE(p.tls());
    Server s;
    s.pair = &p;
    s.want = 5;
    s.reply = "world";
    SrUtestCo co(sr_co_start(sr_utest_tls_server, &s, nullptr));
    ASSERT_SR_OK(sr_tls_handshake(p.client.tls, 0));
    EXPECT_SR_OK(sr_io_write(p.client.io(), "hello", 5));
    EXPECT_EQ("world", read_n(p.client.io(), 5));
    ASSERT_TRUE(sr_utest_st_wait_until([&] { return s.is_done; }));
    EXPECT_SR_OK(s.handshake_rc);
    EXPECT_SR_OK(s.read_rc);
    EXPECT_EQ("hello", s.got);
    EXPECT_EQ(std::string("TLSv1.3"), sr_tls_version(p.client.tls));
    EXPECT_NE(std::string(""), sr_tls_cipher(p.server.tls));
    char alpn[32];
    EXPECT_EQ(std::string(""), sr_tls_alpn(p.server.tls, alpn, sizeof(alpn))); // our client offers none

    // the server's close_notify ends the client's stream cleanly
    EXPECT_SR_OK(sr_tls_shutdown(p.server.tls));
    char b;
    size_t n = 0;
    EXPECT_SR_ERR(SR_EPEER_CLOSED, sr_io_read(p.client.io(), &b, 1, &n));
}

TEST_F(TlsSt, SmallIovecsBecomeFewRecordsAndArriveInOrder)
{
    ASSERT_TRUE(certs().ok);
    Pair p;
    ASSERT_NO_FATAL_FAILURE(p.tls());
    std::string small(7, 'x');
    std::string big(100 * 1024, '\0');
    for (size_t i = 0; i < big.size(); i++) {
        big[i] = static_cast<char>(i * 131 + 7);
    }
    std::vector<std::string> smalls(1500, small); // stable memory for the iovecs
    std::vector<struct iovec> iov;
    std::string expected;
    for (size_t i = 0; i < smalls.size(); i++) {
        if (i == 1000) {
            iov.push_back({&big[0], big.size()});
            expected += big;
        }
        smalls[i][0] = static_cast<char>(i);
        iov.push_back({&smalls[i][0], smalls[i].size()});
        expected += smalls[i];
    }
    Server s;
    s.pair = &p;
    s.want = expected.size();
    SrUtestCo co(sr_co_start(sr_utest_tls_server, &s, nullptr));
    ASSERT_SR_OK(sr_tls_handshake(p.client.tls, 0));
    uint64_t wire_before = sr_sock_io(p.client.sock)->send_bytes;
    EXPECT_SR_OK(sr_io_writev(p.client.io(), iov.data(), static_cast<int>(iov.size())));
    uint64_t wire = sr_sock_io(p.client.sock)->send_bytes - wire_before;
    ASSERT_TRUE(sr_utest_st_wait_until([&] { return s.is_done; }));
    EXPECT_SR_OK(s.read_rc);
    EXPECT_TRUE(s.got == expected) << s.got.size() << " of " << expected.size();
    // one record per iovec would add 1500 * 22 bytes; a record per 4-16 KiB adds a few hundred
    EXPECT_LT(wire - expected.size(), 1024u) << wire;
}

TEST_F(TlsSt, PollReadTimesOutAtOnceThenSeesBufferedBytes)
{
    ASSERT_TRUE(certs().ok);
    Pair p;
    ASSERT_NO_FATAL_FAILURE(p.tls());
    Server s;
    s.pair = &p;
    s.want = 1;
    s.reply = std::string(100, 'r');
    SrUtestCo co(sr_co_start(sr_utest_tls_server, &s, nullptr));
    ASSERT_SR_OK(sr_tls_handshake(p.client.tls, 0));
    sr_sock_set_timeouts(p.client.sock, 0, kIoTimeout); // reads poll, as an RTMP player's do
    char buf[16];
    size_t n = 0;
    sr_utime_t t0 = sr_time_mono_us();
    EXPECT_SR_ERR(SR_ETIMEOUT, sr_io_read(p.client.io(), buf, sizeof(buf), &n));
    EXPECT_LT(sr_time_mono_us() - t0, 500 * SR_UTIME_MS);
    EXPECT_FALSE(sr_tls_has_pending(p.client.tls));
    EXPECT_SR_OK(sr_io_write(p.client.io(), "?", 1));
    ASSERT_TRUE(sr_utest_st_wait_until([&] { return s.is_done; }));
    ASSERT_TRUE(sr_utest_st_wait_until([&] { return sr_sock_pending_bytes(p.client.sock) > 0; }));
    ASSERT_SR_OK(sr_io_read(p.client.io(), buf, 10, &n));
    EXPECT_EQ(10u, n);
    EXPECT_TRUE(sr_tls_has_pending(p.client.tls)); // 90 more decrypted bytes wait in OpenSSL
    EXPECT_EQ(0u, sr_sock_pending_bytes(p.client.sock));
    std::string rest(90, '\0');
    EXPECT_SR_OK(sr_io_read_fully(p.client.io(), &rest[0], rest.size()));
    EXPECT_EQ(std::string(90, 'r'), rest);
    EXPECT_FALSE(sr_tls_has_pending(p.client.tls));
    EXPECT_FALSE(sr_tls_has_pending(nullptr));
}

TEST_F(TlsSt, VerifyingClientRefusesWrongHostAndUnknownIssuer)
{
    ASSERT_TRUE(certs().ok);
    for (int k = 0; k < 2; k++) {
        Pair p;
        // k 0: the right CA but another name; k 1: the right name but another CA
        ASSERT_NO_FATAL_FAILURE(p.tls(k == 0 ? "example.com" : "localhost", true, k == 0 ? "a" : "b"));
        Server s;
        s.pair = &p;
        SrUtestCo co(sr_co_start(sr_utest_tls_server, &s, nullptr));
        EXPECT_SR_ERR(SR_ETLS, sr_tls_handshake(p.client.tls, 0));
        EXPECT_NE(std::string::npos, std::string(sr_err_trail()).find("certificate refused")) << sr_err_trail();
        ASSERT_TRUE(sr_utest_st_wait_until([&] { return s.is_done; }));
        EXPECT_NE(SR_OK, s.handshake_rc); // the client's alert ends the server's handshake too
    }
}

TEST_F(TlsSt, VerifyingClientAcceptsAddressInCertificate)
{
    ASSERT_TRUE(certs().ok);
    Pair p;
    ASSERT_NO_FATAL_FAILURE(p.tls("127.0.0.1", true, "a"));
    Server s;
    s.pair = &p;
    s.want = 1;
    SrUtestCo co(sr_co_start(sr_utest_tls_server, &s, nullptr));
    EXPECT_SR_OK(sr_tls_handshake(p.client.tls, 0));
    EXPECT_SR_OK(sr_io_write(p.client.io(), "!", 1));
    ASSERT_TRUE(sr_utest_st_wait_until([&] { return s.is_done; }));
    EXPECT_SR_OK(s.handshake_rc);
}

TEST_F(TlsSt, PlainHttpToServerFailsTheHandshakeAtOnce)
{
    ASSERT_TRUE(certs().ok);
    Pair p;
    ASSERT_NO_FATAL_FAILURE(p.tls());
    Server s;
    s.pair = &p;
    SrUtestCo co(sr_co_start(sr_utest_tls_server, &s, nullptr));
    const char req[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    EXPECT_SR_OK(sr_io_write(sr_sock_io(p.client.sock), req, sizeof(req) - 1));
    sr_utime_t t0 = sr_time_mono_us();
    ASSERT_TRUE(sr_utest_st_wait_until([&] { return s.is_done; }));
    EXPECT_LT(sr_time_mono_us() - t0, SR_UTIME_S);
    EXPECT_EQ(-SR_ETLS, s.handshake_rc);
    // OpenSSL names the mistake, for the log line
    EXPECT_NE(std::string::npos, s.handshake_trail.find("http request")) << s.handshake_trail;
}

TEST_F(TlsSt, PeerLeavingMidHandshakeIsPeerClosed)
{
    ASSERT_TRUE(certs().ok);
    std::string hello = client_hello();
    ASSERT_GT(hello.size(), 100u);
    Pair p;
    ASSERT_NO_FATAL_FAILURE(p.tls());
    Server s;
    s.pair = &p;
    SrUtestCo co(sr_co_start(sr_utest_tls_server, &s, nullptr));
    EXPECT_SR_OK(sr_io_write(sr_sock_io(p.client.sock), hello.data(), hello.size() / 2));
    sr_sock_close(p.client.sock);
    p.client.sock = nullptr;
    sr_tls_free(p.client.tls);
    p.client.tls = nullptr;
    ASSERT_TRUE(sr_utest_st_wait_until([&] { return s.is_done; }));
    EXPECT_EQ(-SR_EPEER_CLOSED, s.handshake_rc);
}

TEST_F(TlsSt, TricklingHandshakeEndsAtTheDeadline)
{
    ASSERT_TRUE(certs().ok);
    std::string hello = client_hello();
    Pair p;
    ASSERT_NO_FATAL_FAILURE(p.tls());
    Server s;
    s.pair = &p;
    s.deadline_us = sr_time_mono_us() + 200 * SR_UTIME_MS;
    SrUtestCo co(sr_co_start(sr_utest_tls_server, &s, nullptr));
    // one byte every 20 ms: each read succeeds well within the socket's timeout
    for (size_t i = 0; i < hello.size() && !s.is_done; i++) {
        if (sr_io_write(sr_sock_io(p.client.sock), &hello[i], 1) != SR_OK) {
            break;
        }
        sr_usleep(20 * SR_UTIME_MS);
    }
    ASSERT_TRUE(sr_utest_st_wait_until([&] { return s.is_done; }));
    EXPECT_EQ(-SR_ETIMEOUT, s.handshake_rc);
    EXPECT_LT(sr_time_mono_us(), s.deadline_us + SR_UTIME_S);
}
