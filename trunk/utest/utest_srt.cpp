// SPDX-License-Identifier: MIT
// utest_srt.cpp: libsrt sockets as coroutine sockets (protocol/sr_srt) over loopback:
// a caller with a stream id reaches an accepting coroutine and its messages arrive in
// order; waits time out, stop interrupts them, a closed peer is reported; a listener
// with a passphrase refuses a caller with the wrong one and takes the right one; a
// listener's gate refuses a caller at handshake time with its reject code.
#include <string.h>

#include <atomic>
#include <string>
#include <vector>

#include "sr_error.h"
#include "sr_srt.h"
#include "sr_st.h"
#include "sr_utest.h"
#include "sr_utest_st.h"

#ifdef SR_WITH_SRT

namespace
{

class Srt : public SrUtestSt
{
  protected:
    void TearDown() override
    {
        sr_srt_cleanup(); // libsrt's threads and memory, the bridge, the poller
        SrUtestSt::TearDown();
    }
};

struct Server {
    sr_srt_sock_t *listener = nullptr;
    sr_srt_sock_t *conn = nullptr;
    std::string streamid;
    std::vector<std::string> got;
    int accept_rc = 1, recv_rc = 1;
    size_t want = 0;
};

// Accept one caller and read `want` messages, then one more read (the peer's close).
void sr_utest_srt_serve(void *arg)
{
    Server *s = static_cast<Server *>(arg);
    s->accept_rc = sr_srt_accept(s->listener, 5 * SR_UTIME_S, &s->conn);
    if (s->accept_rc != SR_OK) {
        return;
    }
    s->streamid = sr_srt_streamid(s->conn);
    for (;;) {
        char buf[1500];
        size_t n = 0;
        s->recv_rc = sr_srt_recv(s->conn, buf, sizeof(buf), &n, 5 * SR_UTIME_S);
        if (s->recv_rc != SR_OK) {
            return;
        }
        s->got.emplace_back(buf, n);
    }
}

sr_srt_opts_t opts_with(const char *streamid = "", const char *passphrase = "")
{
    sr_srt_opts_t o = {};
    o.latency_ms = 20;
    o.connect_ms = 1500;
    snprintf(o.streamid, sizeof(o.streamid), "%s", streamid);
    snprintf(o.passphrase, sizeof(o.passphrase), "%s", passphrase);
    return o;
}

} // namespace

TEST_F(Srt, CallerReachesTheListenerAndMessagesArriveInOrder)
{
    Server srv;
    sr_srt_opts_t lo = opts_with();
    ASSERT_SR_OK(sr_srt_listen("127.0.0.1", 0, &lo, 16, nullptr, nullptr, &srv.listener));
    int port = sr_srt_local_port(srv.listener);
    ASSERT_GT(port, 0);
    SrUtestCo co(sr_co_start(sr_utest_srt_serve, &srv, NULL));

    sr_srt_sock_t *c = nullptr;
    sr_srt_opts_t co_opts = opts_with("#!::r=live/livestream,m=publish");
    ASSERT_SR_OK(sr_srt_connect("127.0.0.1", port, &co_opts, 3 * SR_UTIME_S, &c));
    const char *msgs[] = {"one", "two", "three"};
    for (const char *m : msgs) {
        ASSERT_SR_OK(sr_srt_send(c, m, strlen(m), SR_UTIME_S));
    }
    EXPECT_TRUE(sr_utest_st_wait_until([&] { return srv.got.size() == 3; }));
    ASSERT_SR_OK(srv.accept_rc);
    EXPECT_EQ("#!::r=live/livestream,m=publish", srv.streamid);
    EXPECT_STREQ("127.0.0.1", sr_srt_peer_ip(srv.conn));
    ASSERT_EQ(3u, srv.got.size());
    EXPECT_EQ("one", srv.got[0]);
    EXPECT_EQ("three", srv.got[2]);

    sr_srt_stats_t st;
    ASSERT_SR_OK(sr_srt_stats(c, &st));
    EXPECT_GE(st.pkts_sent, 3);

    sr_srt_close(c); // the server's next read sees the peer gone
    EXPECT_TRUE(sr_utest_st_wait_until([&] { return srv.recv_rc != 1 && srv.recv_rc != SR_OK; }, 10 * SR_UTIME_S));
    EXPECT_SR_ERR(SR_EPEER_CLOSED, srv.recv_rc);
    // libsrt has no statistics of a broken connection: the last ones read stand in
    EXPECT_SR_OK(sr_srt_stats(srv.conn, &st));
    co.stop();
    sr_srt_close(srv.conn);
    sr_srt_close(srv.listener);
}

TEST_F(Srt, WaitsTimeOutAndStopInterruptsThem)
{
    Server srv;
    sr_srt_opts_t lo = opts_with();
    ASSERT_SR_OK(sr_srt_listen("127.0.0.1", 0, &lo, 16, nullptr, nullptr, &srv.listener));
    sr_srt_sock_t *none = nullptr;
    sr_utime_t t0 = sr_time_mono_us();
    EXPECT_SR_ERR(SR_ETIMEOUT, sr_srt_accept(srv.listener, 50 * SR_UTIME_MS, &none));
    EXPECT_GE(sr_time_mono_us() - t0, 40 * SR_UTIME_MS);

    SrUtestCo co(sr_co_start(sr_utest_srt_serve, &srv, NULL));
    sr_usleep(20 * SR_UTIME_MS);
    co.stop(); // blocked in accept
    EXPECT_SR_ERR(SR_EINTERRUPTED, srv.accept_rc);
    sr_srt_close(srv.listener);

    sr_srt_sock_t *c = nullptr;
    sr_srt_opts_t co_opts = opts_with();
    EXPECT_NE(SR_OK, sr_srt_connect("127.0.0.1", 9, &co_opts, 3 * SR_UTIME_S, &c)); // nobody listens
}

TEST_F(Srt, PassphraseMustMatch)
{
    Server srv;
    sr_srt_opts_t lo = opts_with("", "0123456789secret");
    ASSERT_SR_OK(sr_srt_listen("127.0.0.1", 0, &lo, 16, nullptr, nullptr, &srv.listener));
    int port = sr_srt_local_port(srv.listener);
    SrUtestCo co(sr_co_start(sr_utest_srt_serve, &srv, NULL));

    sr_srt_sock_t *c = nullptr;
    sr_srt_opts_t wrong = opts_with("x", "0123456789wrong!");
    EXPECT_SR_ERR(SR_ESRT_CONNECT, sr_srt_connect("127.0.0.1", port, &wrong, 3 * SR_UTIME_S, &c));
    EXPECT_NE(nullptr, strstr(sr_err_trail(), "127.0.0.1"));
    sr_srt_opts_t right = opts_with("x", "0123456789secret");
    ASSERT_SR_OK(sr_srt_connect("127.0.0.1", port, &right, 3 * SR_UTIME_S, &c));
    ASSERT_SR_OK(sr_srt_send(c, "hi", 2, SR_UTIME_S));
    EXPECT_TRUE(sr_utest_st_wait_until([&] { return srv.got.size() == 1; }));
    sr_srt_close(c);
    co.stop();
    sr_srt_close(srv.conn);
    sr_srt_close(srv.listener);
}

namespace
{

struct Gate {
    std::atomic<int> calls{0}; // written on libsrt's thread
    std::string streamid, peer_ip;
};

// Lets in stream ids that start with "ok", refuses the others as not found.
int sr_utest_srt_gate(void *arg, const sr_srt_caller_t *caller, char *why, size_t why_size)
{
    Gate *g = static_cast<Gate *>(arg);
    g->calls++; // the test thread reads it only after the handshake is over
    g->streamid = caller->streamid;
    g->peer_ip = caller->peer_ip;
    if (strncmp(caller->streamid, "ok", 2) == 0) {
        return 0;
    }
    snprintf(why, why_size, "no stream %s", caller->streamid);
    return SR_SRT_REJECT_NOT_FOUND;
}

} // namespace

TEST_F(Srt, GateRefusesAtHandshakeWithItsCodeAndCountsIt)
{
    Server srv;
    Gate gate;
    sr_srt_opts_t lo = opts_with();
    ASSERT_SR_OK(sr_srt_listen("127.0.0.1", 0, &lo, 16, sr_utest_srt_gate, &gate, &srv.listener));
    int port = sr_srt_local_port(srv.listener);
    SrUtestCo co(sr_co_start(sr_utest_srt_serve, &srv, NULL));
    uint64_t refused = sr_srt_refused_total();

    sr_srt_sock_t *c = nullptr;
    sr_srt_opts_t bad = opts_with("live/nosuch\x01");
    sr_utime_t t0 = sr_time_mono_us();
    EXPECT_SR_ERR(SR_ESRT_CONNECT, sr_srt_connect("127.0.0.1", port, &bad, 3 * SR_UTIME_S, &c));
    EXPECT_LT(sr_time_mono_us() - t0, SR_UTIME_S); // refused, not timed out
    EXPECT_NE(nullptr, strstr(sr_err_trail(), "reject 1404")) << sr_err_trail();
    EXPECT_EQ(1, gate.calls);
    EXPECT_EQ("127.0.0.1", gate.peer_ip);
    EXPECT_EQ(1, srv.accept_rc); // nothing was accepted
    // the refusal is logged and counted on the event loop
    EXPECT_TRUE(sr_utest_st_wait_until([&] { return sr_srt_refused_total() == refused + 1; }));

    sr_srt_opts_t good = opts_with("ok/live");
    ASSERT_SR_OK(sr_srt_connect("127.0.0.1", port, &good, 3 * SR_UTIME_S, &c));
    ASSERT_SR_OK(sr_srt_send(c, "hi", 2, SR_UTIME_S));
    EXPECT_TRUE(sr_utest_st_wait_until([&] { return srv.got.size() == 1; }));
    EXPECT_EQ("ok/live", srv.streamid);
    EXPECT_EQ(2, gate.calls);
    sr_srt_close(c);
    co.stop();
    sr_srt_close(srv.conn);
    sr_srt_close(srv.listener);
}

#else

TEST(Srt, Skipped)
{
    GTEST_SKIP() << "built without SRT (./configure --without-srt)";
}

#endif
