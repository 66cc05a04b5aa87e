// SPDX-License-Identifier: MIT
// utest_st.cpp: the state-threads glue (protocol/sr_st) with real coroutines and real
// loopback TCP: coroutines run and are joined, sr_co_stop interrupts every kind of
// blocked call (cond wait, sleep, socket read) with -SR_EINTERRUPTED, timeouts give
// -SR_ETIMEOUT, a closed peer gives -SR_EPEER_CLOSED, writev keeps byte order, and child
// coroutines inherit or renew the context id. The test body runs on the primordial
// thread; coroutine state lives in test-owned structs that outlive the join.
#include <signal.h>
#include <string.h>

#include <string>
#include <vector>

#include "sr_context.h"
#include "sr_error.h"
#include "sr_io.h"
#include "sr_st.h"
#include "sr_utest.h"
#include "sr_utest_st.h"

namespace
{

const sr_utime_t kLong = 60 * SR_UTIME_S; // a wait that only a stop can end
const sr_utime_t kQuick = 5 * SR_UTIME_S; // "returned at once" bound for interrupted waits

// What a blocking coroutine did: entered its wait, came back, with which code.
struct Blocker {
    sr_cond_t *cond = nullptr;
    sr_sock_t *sock = nullptr;
    bool is_entered = false;
    bool is_done = false;
    int rc = 1;
    int pull_before = 1;
    int pull_after = 1;
};

void sr_utest_st_cond_waiter(void *arg)
{
    Blocker *b = static_cast<Blocker *>(arg);
    b->pull_before = sr_co_pull();
    b->is_entered = true;
    b->rc = sr_cond_timedwait(b->cond, SR_UTIME_NO_TIMEOUT);
    b->pull_after = sr_co_pull();
    b->is_done = true;
}

void sr_utest_st_sleeper(void *arg)
{
    Blocker *b = static_cast<Blocker *>(arg);
    b->is_entered = true;
    b->rc = sr_usleep(kLong);
    b->is_done = true;
}

void sr_utest_st_reader(void *arg)
{
    Blocker *b = static_cast<Blocker *>(arg);
    char buf[64];
    size_t n = 0;
    b->is_entered = true;
    b->rc = sr_io_read(sr_sock_io(b->sock), buf, sizeof(buf), &n);
    b->is_done = true;
}

// Start fn on b, let it block, stop it, and return how long the stop took.
void sr_utest_st_udp_reader(void *arg)
{
    Blocker *b = static_cast<Blocker *>(arg);
    b->is_entered = true;
    char buf[64];
    size_t n = 0;
    b->rc = sr_udp_recvfrom(b->sock, buf, sizeof(buf), &n, nullptr, 10 * SR_UTIME_S);
    b->is_done = true;
}

sr_utime_t sr_utest_st_stop_blocked(sr_co_fn fn, Blocker *b)
{
    sr_co_t *co = sr_co_start(fn, b, nullptr);
    EXPECT_TRUE(sr_utest_st_wait_until([&] { return b->is_entered; }));
    sr_usleep(5 * SR_UTIME_MS); // it runs straight into its wait; give ST a few turns anyway
    EXPECT_FALSE(b->is_done) << "the wait returned without a stop";
    sr_utime_t t0 = sr_time_mono_us();
    sr_co_stop(co);
    EXPECT_TRUE(b->is_done);
    return sr_time_mono_us() - t0;
}

// ---- loopback TCP ----

struct Connector {
    int port = 0;
    sr_sock_t *sock = nullptr;
    int rc = 1;
    bool is_done = false;
};

void sr_utest_st_connect(void *arg)
{
    Connector *c = static_cast<Connector *>(arg);
    c->rc = sr_sock_connect_tcp("127.0.0.1", c->port, kQuick, &c->sock);
    c->is_done = true;
}

// A connected loopback pair: client from a coroutine's sr_sock_connect_tcp, server from accept.
struct TcpPair {
    sr_sock_t *listener = nullptr;
    sr_sock_t *server = nullptr;
    sr_sock_t *client = nullptr;
    int port = 0;
    ~TcpPair()
    {
        sr_sock_close(client);
        sr_sock_close(server);
        sr_sock_close(listener);
    }
};

void sr_utest_st_open_pair(TcpPair *p)
{
    ASSERT_SR_OK(sr_sock_listen_tcp("127.0.0.1", 0, 16, &p->listener));
    p->port = sr_sock_local_port(p->listener);
    ASSERT_GT(p->port, 0);
    Connector conn;
    conn.port = p->port;
    sr_co_t *co = sr_co_start(sr_utest_st_connect, &conn, nullptr);
    int rc = sr_sock_accept(p->listener, kQuick, &p->server);
    // join only once connect has returned: a stop would interrupt it
    EXPECT_TRUE(sr_utest_st_wait_until([&] { return conn.is_done; }));
    sr_co_stop(co);
    p->client = conn.sock;
    ASSERT_SR_OK(rc);
    ASSERT_SR_OK(conn.rc);
    ASSERT_NE(nullptr, p->client);
}

struct Writer {
    sr_sock_t *sock = nullptr;
    std::vector<std::string> parts;
    int rc = 1;
};

void sr_utest_st_writer(void *arg)
{
    Writer *w = static_cast<Writer *>(arg);
    std::vector<struct iovec> iov;
    for (std::string &s : w->parts) {
        iov.push_back({&s[0], s.size()});
    }
    w->rc = sr_io_writev(sr_sock_io(w->sock), iov.data(), (int)iov.size());
}

// ---- context ids ----

struct CidProbe {
    std::string cid;
    bool is_self_ok = false;
    bool is_done = false;
};

void sr_utest_st_cid_probe(void *arg)
{
    CidProbe *p = static_cast<CidProbe *>(arg);
    p->cid = sr_co_cid();
    p->is_self_ok = sr_co_self() != nullptr && sr_co_cid_of(sr_co_self()) == std::string(p->cid);
    p->is_done = true;
}

struct CidParent {
    CidProbe inherit;
    CidProbe fresh;
    CidProbe given;
    std::string cid;
};

// Starts three children from inside a coroutine: cid NULL, "" and an explicit one.
void sr_utest_st_cid_parent(void *arg)
{
    CidParent *p = static_cast<CidParent *>(arg);
    p->cid = sr_co_cid();
    sr_co_t *a = sr_co_start(sr_utest_st_cid_probe, &p->inherit, nullptr);
    sr_co_t *b = sr_co_start(sr_utest_st_cid_probe, &p->fresh, "");
    sr_co_t *c = sr_co_start(sr_utest_st_cid_probe, &p->given, "given123");
    sr_utest_st_wait_until([&] { return p->inherit.is_done && p->fresh.is_done && p->given.is_done; });
    sr_co_stop(a);
    sr_co_stop(b);
    sr_co_stop(c);
}

struct TrailProbe {
    int rc = 0;
    std::string trail;
};

void sr_utest_st_trail_probe(void *arg)
{
    TrailProbe *t = static_cast<TrailProbe *>(arg);
    t->rc = sr_err_new(SR_EINVAL, "only in the child");
    t->trail = sr_err_trail();
}

struct Counter {
    int iterations = 0;
    int rc = 1;
    bool is_done = false;
};

// A service loop in the STYLE 6 shape: pull once per iteration, sleep, repeat.
void sr_utest_st_loop(void *arg)
{
    Counter *c = static_cast<Counter *>(arg);
    int rc = SR_OK;
    while ((rc = sr_co_pull()) == SR_OK) {
        c->iterations++;
        if ((rc = sr_usleep(SR_UTIME_MS)) != SR_OK) {
            break;
        }
    }
    c->rc = rc;
    c->is_done = true;
}

void sr_utest_st_detached(void *arg)
{
    *static_cast<bool *>(arg) = true;
}

// After a stop, a coroutine that ignores the first -SR_EINTERRUPTED and waits again
// (cleanup code) must not block: the stop request is sticky.
struct Stubborn {
    sr_cond_t *cond = nullptr;
    int first = 1;
    int second = 1;
    int third = 1;
    bool is_entered = false;
};

void sr_utest_st_stubborn(void *arg)
{
    Stubborn *s = static_cast<Stubborn *>(arg);
    s->is_entered = true;
    s->first = sr_cond_timedwait(s->cond, SR_UTIME_NO_TIMEOUT);
    s->second = sr_cond_timedwait(s->cond, 10 * SR_UTIME_S); // longer than kQuick: a block would show
    s->third = sr_usleep(kLong);
}

} // namespace

using St = SrUtestSt;

TEST_F(St, InitRunsOnEpoll)
{
    EXPECT_STREQ("epoll", sr_st_eventsys_name());
    EXPECT_GT(sr_st_fd_limit(), 0);
    EXPECT_EQ(nullptr, sr_co_self()); // the primordial thread is not an sr_co
    EXPECT_SR_OK(sr_co_pull());
}

// Regression: a second sr_st_init failed with a misleading "no epoll backend" and left a
// provider another test had swapped out (RtmpHandshake sets its own, then NULL) in place,
// so every later coroutine shared the process context: wrong cids, one error trail.
TEST_F(St, InitAgainRestoresContextProvider)
{
    sr_context_set_provider(nullptr); // what a non-ST test leaves behind
    ASSERT_SR_OK(sr_st_init());
    EXPECT_STREQ("epoll", sr_st_eventsys_name());
    CidProbe p;
    SrUtestCo co(sr_co_start(sr_utest_st_cid_probe, &p, "again123"));
    ASSERT_TRUE(sr_utest_st_wait_until([&] { return p.is_done; }));
    co.stop();
    EXPECT_EQ("again123", p.cid);
    EXPECT_TRUE(p.is_self_ok);
}

TEST_F(St, CoroutineRunsAndStopJoinsIt)
{
    Counter c;
    SrUtestCo co(sr_co_start(sr_utest_st_loop, &c, nullptr));
    EXPECT_EQ(0, c.iterations); // starting does not switch
    ASSERT_TRUE(sr_utest_st_wait_until([&] { return c.iterations >= 3; }));
    EXPECT_FALSE(c.is_done);
    co.stop(); // returns only after the loop has seen the stop and returned
    EXPECT_TRUE(c.is_done);
    EXPECT_EQ(-SR_EINTERRUPTED, c.rc) << sr_err_name(c.rc);
    sr_co_stop(nullptr); // no-op
}

TEST_F(St, CountFollowsRunningCoroutines)
{
    int before = sr_co_count();
    Counter c;
    SrUtestCo co(sr_co_start(sr_utest_st_loop, &c, nullptr));
    EXPECT_EQ(before + 1, sr_co_count()); // counted from the start, before it first runs
    CidProbe p;
    sr_co_start_detached(sr_utest_st_cid_probe, &p, nullptr);
    EXPECT_EQ(before + 2, sr_co_count());
    ASSERT_TRUE(sr_utest_st_wait_until([&] { return p.is_done; }));
    EXPECT_EQ(before + 1, sr_co_count()); // the detached one returned
    co.stop();
    EXPECT_EQ(before, sr_co_count());
}

TEST_F(St, StopJoinsCoroutineThatAlreadyReturned)
{
    CidProbe p;
    SrUtestCo co(sr_co_start(sr_utest_st_cid_probe, &p, nullptr));
    ASSERT_TRUE(sr_utest_st_wait_until([&] { return p.is_done; }));
    co.stop(); // joins the finished coroutine and frees its handle (ASan checks)
    EXPECT_TRUE(p.is_done);
}

TEST_F(St, StopInterruptsCondWait)
{
    Blocker b;
    b.cond = sr_cond_new();
    sr_utime_t took = sr_utest_st_stop_blocked(sr_utest_st_cond_waiter, &b);
    EXPECT_EQ(-SR_EINTERRUPTED, b.rc) << sr_err_name(b.rc);
    EXPECT_LT(took, kQuick);
    sr_cond_free(b.cond);
}

TEST_F(St, StopInterruptsSleep)
{
    Blocker b;
    sr_utime_t took = sr_utest_st_stop_blocked(sr_utest_st_sleeper, &b);
    EXPECT_EQ(-SR_EINTERRUPTED, b.rc) << sr_err_name(b.rc);
    EXPECT_LT(took, kQuick);
}

TEST_F(St, StopInterruptsSocketRead)
{
    TcpPair p;
    ASSERT_NO_FATAL_FAILURE(sr_utest_st_open_pair(&p));
    Blocker b;
    b.sock = p.server;
    sr_sock_set_timeouts(p.server, kLong, kLong);
    sr_utime_t took = sr_utest_st_stop_blocked(sr_utest_st_reader, &b);
    EXPECT_EQ(-SR_EINTERRUPTED, b.rc) << sr_err_name(b.rc);
    EXPECT_LT(took, kQuick);
}

TEST_F(St, PullReportsStop)
{
    Blocker b;
    b.cond = sr_cond_new();
    sr_utest_st_stop_blocked(sr_utest_st_cond_waiter, &b);
    EXPECT_SR_OK(b.pull_before);
    EXPECT_EQ(-SR_EINTERRUPTED, b.pull_after) << sr_err_name(b.pull_after);
    EXPECT_SR_OK(sr_co_pull()); // the caller of stop is not stopped
    sr_cond_free(b.cond);
}

TEST_F(St, WaitsAfterStopReturnAtOnce)
{
    Stubborn s;
    s.cond = sr_cond_new();
    SrUtestCo co(sr_co_start(sr_utest_st_stubborn, &s, nullptr));
    ASSERT_TRUE(sr_utest_st_wait_until([&] { return s.is_entered; }));
    sr_utime_t t0 = sr_time_mono_us();
    co.stop();
    EXPECT_LT(sr_time_mono_us() - t0, kQuick);
    EXPECT_EQ(-SR_EINTERRUPTED, s.first) << sr_err_name(s.first);
    EXPECT_EQ(-SR_EINTERRUPTED, s.second) << sr_err_name(s.second);
    EXPECT_EQ(-SR_EINTERRUPTED, s.third) << sr_err_name(s.third);
    sr_cond_free(s.cond);
}

TEST_F(St, InterruptDoesNotJoin)
{
    Blocker b;
    SrUtestCo co(sr_co_start(sr_utest_st_sleeper, &b, nullptr));
    ASSERT_TRUE(sr_utest_st_wait_until([&] { return b.is_entered; }));
    sr_co_interrupt(co.get());
    EXPECT_FALSE(b.is_done); // no switch yet: interrupt only asks
    ASSERT_TRUE(sr_utest_st_wait_until([&] { return b.is_done; }));
    EXPECT_EQ(-SR_EINTERRUPTED, b.rc) << sr_err_name(b.rc);
    co.stop(); // a second request is harmless; this joins and frees
}

TEST_F(St, CondTimedWaitTimesOut)
{
    sr_cond_t *c = sr_cond_new();
    EXPECT_SR_ERR(SR_ETIMEOUT, sr_cond_timedwait(c, 20 * SR_UTIME_MS));
    sr_cond_free(c);
}

TEST_F(St, CondSignalWakesWaiter)
{
    Blocker b;
    b.cond = sr_cond_new();
    SrUtestCo co(sr_co_start(sr_utest_st_cond_waiter, &b, nullptr));
    ASSERT_TRUE(sr_utest_st_wait_until([&] { return b.is_entered; }));
    EXPECT_FALSE(b.is_done);
    sr_cond_signal(b.cond);
    ASSERT_TRUE(sr_utest_st_wait_until([&] { return b.is_done; }));
    EXPECT_SR_OK(b.rc);
    EXPECT_SR_OK(b.pull_after);
    co.stop();
    sr_cond_free(b.cond);
}

TEST_F(St, CondBroadcastWakesEveryWaiter)
{
    sr_cond_t *cond = sr_cond_new();
    Blocker b[3];
    sr_co_t *co[3];
    for (int i = 0; i < 3; i++) {
        b[i].cond = cond;
        co[i] = sr_co_start(sr_utest_st_cond_waiter, &b[i], nullptr);
    }
    EXPECT_TRUE(sr_utest_st_wait_until([&] { return b[0].is_entered && b[1].is_entered && b[2].is_entered; }));
    sr_cond_broadcast(cond);
    EXPECT_TRUE(sr_utest_st_wait_until([&] { return b[0].is_done && b[1].is_done && b[2].is_done; }));
    for (int i = 0; i < 3; i++) {
        sr_co_stop(co[i]); // before the cond goes, even when the wait above failed
        EXPECT_SR_OK(b[i].rc);
    }
    sr_cond_free(cond);
}

TEST_F(St, SleepReturnsOkWhenNotStopped)
{
    sr_utime_t t0 = sr_time_mono_us();
    EXPECT_SR_OK(sr_usleep(2 * SR_UTIME_MS));
    EXPECT_LT(sr_time_mono_us() - t0, kQuick);
}

TEST_F(St, SocketReadTimesOut)
{
    TcpPair p;
    ASSERT_NO_FATAL_FAILURE(sr_utest_st_open_pair(&p));
    sr_sock_set_timeouts(p.server, 50 * SR_UTIME_MS, kQuick);
    char buf[16];
    size_t n = 0;
    sr_utime_t t0 = sr_time_mono_us();
    EXPECT_SR_ERR(SR_ETIMEOUT, sr_io_read(sr_sock_io(p.server), buf, sizeof(buf), &n));
    EXPECT_LT(sr_time_mono_us() - t0, kQuick);
    EXPECT_EQ(0u, sr_sock_io(p.server)->recv_bytes);
}

// Regression: socket errors returned a bare code, so the caller's wrap frames were
// appended to a trail an earlier, swallowed error had left, and the connection's one log
// line told a mixed-up story.
TEST_F(St, SocketErrorsStartAFreshTrail)
{
    TcpPair p;
    ASSERT_NO_FATAL_FAILURE(sr_utest_st_open_pair(&p));
    sr_sock_set_timeouts(p.server, 20 * SR_UTIME_MS, kQuick);
    char buf[16];
    size_t n = 0;
    sr_err_new(SR_EINVAL, "stale swallowed error");
    EXPECT_SR_ERR(SR_ETIMEOUT, sr_io_read(sr_sock_io(p.server), buf, sizeof(buf), &n));
    std::string trail = sr_err_trail();
    EXPECT_EQ(std::string::npos, trail.find("stale")) << trail;
    EXPECT_NE(std::string::npos, trail.find("read")) << trail;

    sr_sock_close(p.client);
    p.client = nullptr;
    sr_err_new(SR_EINVAL, "stale swallowed error");
    EXPECT_SR_ERR(SR_EPEER_CLOSED, sr_io_read(sr_sock_io(p.server), buf, sizeof(buf), &n));
    trail = sr_err_trail();
    EXPECT_EQ(std::string::npos, trail.find("stale")) << trail;
    EXPECT_NE(std::string::npos, trail.find("read")) << trail;

    sr_err_new(SR_EINVAL, "stale swallowed error");
    sr_sock_t *none = nullptr;
    EXPECT_SR_ERR(SR_ETIMEOUT, sr_sock_accept(p.listener, 10 * SR_UTIME_MS, &none));
    EXPECT_EQ(std::string::npos, std::string(sr_err_trail()).find("stale")) << sr_err_trail();
}

TEST_F(St, AcceptTimesOut)
{
    sr_sock_t *l = nullptr;
    ASSERT_SR_OK(sr_sock_listen_tcp("127.0.0.1", 0, 16, &l));
    sr_sock_t *s = nullptr;
    EXPECT_SR_ERR(SR_ETIMEOUT, sr_sock_accept(l, 20 * SR_UTIME_MS, &s));
    EXPECT_EQ(nullptr, s);
    sr_sock_close(l);
}

TEST_F(St, PeerCloseIsPeerClosed)
{
    TcpPair p;
    ASSERT_NO_FATAL_FAILURE(sr_utest_st_open_pair(&p));
    sr_sock_set_timeouts(p.server, kQuick, kQuick);
    ASSERT_SR_OK(sr_io_write(sr_sock_io(p.client), "bye", 3));
    sr_sock_close(p.client);
    p.client = nullptr;
    char buf[16];
    ASSERT_SR_OK(sr_io_read_fully(sr_sock_io(p.server), buf, 3)); // data sent before the close still arrives
    EXPECT_EQ(0, memcmp(buf, "bye", 3));
    size_t n = 0;
    EXPECT_SR_ERR(SR_EPEER_CLOSED, sr_io_read(sr_sock_io(p.server), buf, sizeof(buf), &n));
}

TEST_F(St, WriteToClosedPeerIsPeerClosed)
{
    TcpPair p;
    ASSERT_NO_FATAL_FAILURE(sr_utest_st_open_pair(&p));
    sr_sock_set_timeouts(p.server, kQuick, kQuick);
    sr_sock_close(p.client);
    p.client = nullptr;
    // the first write may still be accepted (the peer answers it with a reset); a later
    // one fails. The server ignores SIGPIPE (sr_main); do the same here.
    struct sigaction ign = {}, old = {};
    ign.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &ign, &old);
    int rc = SR_OK;
    for (int i = 0; i < 200 && rc == SR_OK; i++) {
        rc = sr_io_write(sr_sock_io(p.server), "x", 1);
        if (rc == SR_OK) {
            sr_usleep(SR_UTIME_MS);
        }
    }
    sigaction(SIGPIPE, &old, nullptr);
    EXPECT_EQ(-SR_EPEER_CLOSED, rc) << sr_err_name(rc);
}

TEST_F(St, WritevArrivesInOrder)
{
    TcpPair p;
    ASSERT_NO_FATAL_FAILURE(sr_utest_st_open_pair(&p));
    sr_sock_set_timeouts(p.client, kQuick, kQuick);
    sr_sock_set_timeouts(p.server, kQuick, kQuick);
    Writer w;
    w.sock = p.client;
    w.parts.push_back("header:");
    w.parts.push_back("");             // an empty iovec is skipped, not a short write
    std::string big(512 * 1024, '\0'); // larger than the socket buffers: writev must loop
    for (size_t i = 0; i < big.size(); i++) {
        big[i] = (char)(i * 7 + i / 251);
    }
    w.parts.push_back(big);
    w.parts.push_back(":trailer");
    std::string want;
    for (const std::string &s : w.parts) {
        want += s;
    }
    SrUtestCo co(sr_co_start(sr_utest_st_writer, &w, nullptr));
    std::string got(want.size(), '\0');
    EXPECT_SR_OK(sr_io_read_fully(sr_sock_io(p.server), &got[0], got.size()));
    ASSERT_TRUE(sr_utest_st_wait_until([&] { return w.rc != 1; }));
    co.stop();
    EXPECT_SR_OK(w.rc);
    EXPECT_TRUE(got == want) << "bytes differ or are out of order";
    EXPECT_EQ(want.size(), sr_sock_io(p.client)->send_bytes);
    EXPECT_EQ(want.size(), sr_sock_io(p.server)->recv_bytes);
}

TEST_F(St, SocketAddresses)
{
    TcpPair p;
    ASSERT_NO_FATAL_FAILURE(sr_utest_st_open_pair(&p));
    EXPECT_STREQ("127.0.0.1", sr_sock_peer_ip(p.server));
    EXPECT_EQ(sr_sock_local_port(p.client), sr_sock_peer_port(p.server));
    EXPECT_STREQ("127.0.0.1", sr_sock_peer_ip(p.client));
    EXPECT_EQ(p.port, sr_sock_peer_port(p.client));
    EXPECT_EQ(p.port, sr_sock_local_port(p.server));
    EXPECT_GE(sr_sock_fd(p.server), 0);
}

TEST_F(St, ListenRefusesNonNumericAddress)
{
    sr_sock_t *l = nullptr;
    EXPECT_SR_ERR(SR_EINVAL, sr_sock_listen_tcp("localhost", 0, 16, &l));
    EXPECT_EQ(nullptr, l);
    sr_sock_t *c = nullptr;
    EXPECT_SR_ERR(SR_EINVAL, sr_sock_connect_tcp("not-an-ip", 1935, kQuick, &c));
    EXPECT_EQ(nullptr, c);
}

TEST_F(St, ChildInheritsCidOrGetsAFreshOne)
{
    CidParent p;
    SrUtestCo co(sr_co_start(sr_utest_st_cid_parent, &p, "parent01"));
    EXPECT_STREQ("parent01", sr_co_cid_of(co.get()));
    ASSERT_TRUE(sr_utest_st_wait_until([&] { return p.given.is_done; }));
    co.stop();
    EXPECT_EQ("parent01", p.cid);
    EXPECT_EQ("parent01", p.inherit.cid); // cid NULL: the parent's
    EXPECT_EQ((size_t)SR_CID_LEN, p.fresh.cid.size());
    EXPECT_NE("parent01", p.fresh.cid); // "": a new one
    EXPECT_EQ("given123", p.given.cid);
    EXPECT_TRUE(p.inherit.is_self_ok);
    EXPECT_TRUE(p.fresh.is_self_ok);
    EXPECT_TRUE(p.given.is_self_ok);
}

TEST_F(St, PrimordialChildInheritsProcessCid)
{
    std::string mine = sr_co_cid();
    CidProbe p;
    SrUtestCo co(sr_co_start(sr_utest_st_cid_probe, &p, nullptr));
    ASSERT_TRUE(sr_utest_st_wait_until([&] { return p.is_done; }));
    co.stop();
    EXPECT_EQ(mine, p.cid);
    EXPECT_EQ(mine, std::string(sr_co_cid())); // unchanged by the child
}

TEST_F(St, ErrorTrailIsPerCoroutine)
{
    sr_err_clear();
    TrailProbe t;
    SrUtestCo co(sr_co_start(sr_utest_st_trail_probe, &t, nullptr));
    sr_usleep(SR_UTIME_MS);
    co.stop();
    EXPECT_EQ(-SR_EINVAL, t.rc);
    EXPECT_NE(std::string::npos, t.trail.find("only in the child")) << t.trail;
    EXPECT_STREQ("", sr_err_trail()); // the primordial thread's trail is untouched
}

TEST_F(St, DetachedCoroutineRunsAndFreesItself)
{
    bool ran = false;
    sr_co_start_detached(sr_utest_st_detached, &ran, nullptr);
    EXPECT_FALSE(ran);
    ASSERT_TRUE(sr_utest_st_wait_until([&] { return ran; }));
    sr_usleep(SR_UTIME_MS); // let it finish and free its handle (LeakSanitizer checks at exit)
}

// ---- UDP ----

TEST_F(St, UdpDatagramsBetweenTwoSockets)
{
    sr_sock_t *a = nullptr, *b = nullptr;
    ASSERT_SR_OK(sr_udp_bind("127.0.0.1", 0, &a));
    ASSERT_SR_OK(sr_udp_bind("127.0.0.1", 0, &b));
    sr_udp_peer_t to, from;
    ASSERT_SR_OK(sr_udp_peer_make("127.0.0.1", sr_sock_local_port(b), &to));
    ASSERT_SR_OK(sr_udp_sendto(a, "hello", 5, &to, SR_UTIME_S));
    ASSERT_SR_OK(sr_udp_sendto(a, "world!", 6, &to, SR_UTIME_S));
    char buf[4];
    size_t n = 0;
    ASSERT_SR_OK(sr_udp_recvfrom(b, buf, sizeof(buf), &n, &from, SR_UTIME_S));
    EXPECT_EQ(4u, n); // cut to the buffer: one datagram per call
    EXPECT_EQ(0, memcmp(buf, "hell", 4));
    char ip[64];
    int port = 0;
    sr_udp_peer_text(&from, ip, sizeof(ip), &port);
    EXPECT_STREQ("127.0.0.1", ip);
    EXPECT_EQ(sr_sock_local_port(a), port);
    char big[64];
    ASSERT_SR_OK(sr_udp_recvfrom(b, big, sizeof(big), &n, nullptr, SR_UTIME_S));
    EXPECT_EQ(6u, n);
    // nothing more: the wait ends at its timeout
    sr_utime_t t0 = sr_time_mono_us();
    EXPECT_SR_ERR(SR_ETIMEOUT, sr_udp_recvfrom(b, big, sizeof(big), &n, nullptr, 20 * SR_UTIME_MS));
    EXPECT_GE(sr_time_mono_us() - t0, 15 * SR_UTIME_MS);
    // a reply to the sender's address
    ASSERT_SR_OK(sr_udp_sendto(b, "back", 4, &from, SR_UTIME_S));
    ASSERT_SR_OK(sr_udp_recvfrom(a, big, sizeof(big), &n, nullptr, SR_UTIME_S));
    EXPECT_EQ(4u, n);
    sr_sock_close(a);
    sr_sock_close(b);
}

TEST_F(St, UdpPeersAreNumericAndIpv6Works)
{
    sr_udp_peer_t p;
    EXPECT_SR_ERR(SR_EINVAL, sr_udp_peer_make("localhost", 1, &p));
    sr_sock_t *v6 = nullptr;
    if (sr_udp_bind("::1", 0, &v6) != SR_OK) {
        GTEST_SKIP() << "no IPv6 loopback here";
    }
    ASSERT_SR_OK(sr_udp_peer_make("::1", sr_sock_local_port(v6), &p));
    ASSERT_SR_OK(sr_udp_sendto(v6, "x", 1, &p, SR_UTIME_S));
    char buf[8], ip[64];
    size_t n = 0;
    int port = 0;
    ASSERT_SR_OK(sr_udp_recvfrom(v6, buf, sizeof(buf), &n, &p, SR_UTIME_S));
    sr_udp_peer_text(&p, ip, sizeof(ip), &port);
    EXPECT_STREQ("::1", ip);
    sr_sock_close(v6);
}

TEST_F(St, StopInterruptsUdpRecv)
{
    sr_sock_t *u = nullptr;
    ASSERT_SR_OK(sr_udp_bind("127.0.0.1", 0, &u));
    Blocker b;
    b.sock = u;
    sr_utime_t took = sr_utest_st_stop_blocked(sr_utest_st_udp_reader, &b);
    EXPECT_EQ(-SR_EINTERRUPTED, b.rc) << sr_err_name(b.rc);
    EXPECT_LT(took, kQuick);
    sr_sock_close(u);
}
