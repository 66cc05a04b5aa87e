// SPDX-License-Identifier: MIT
// utest_listener.cpp: the listener table (app/sr_listener) with protocols of the test's
// own: a UDP protocol is served on its bound socket (an echo here, as SRT or WebRTC
// will be), TCP protocols with one accept function share a port while others on it
// are refused, and a reload closes, keeps and opens listeners as the config says.
#include <string.h>

#include "sr_error.h"
#include "sr_listener.h"
#include "sr_server.h"
#include "sr_st.h"
#include "sr_utest.h"
#include "sr_utest_server.h"
#include "sr_utest_st.h"

namespace
{

using Listener = SrUtestSt;

// What the test's protocols ask for: set by each test before open/reload.
int udp_port_wanted = 0;
int tcp_port_a = 0, tcp_port_b = 0;
int accepted = 0;
unsigned accepted_roles = 0;

int sr_utest_listener_udp_addresses(const sr_listen_proto_t *, const sr_server_config_t *, sr_listen_addr_t *out,
                                    int max)
{
    if (udp_port_wanted < 0 || max < 1) {
        return 0;
    }
    snprintf(out->ip, sizeof(out->ip), "127.0.0.1");
    out->port = udp_port_wanted;
    return 1;
}

// Echo every datagram back to its sender until the listener is closed.
void sr_utest_listener_udp_serve(sr_server_t *, sr_sock_t *sock)
{
    char buf[256];
    for (;;) {
        size_t n = 0;
        sr_udp_peer_t from;
        int rc = sr_udp_recvfrom(sock, buf, sizeof(buf), &n, &from, SR_UTIME_S);
        if (rc == -SR_EINTERRUPTED) {
            return;
        }
        if (rc == SR_OK) {
            sr_udp_sendto(sock, buf, n, &from, SR_UTIME_S);
        }
    }
}

int sr_utest_listener_addr(int port, sr_listen_addr_t *out, int max)
{
    if (port < 0 || max < 1) {
        return 0;
    }
    snprintf(out->ip, sizeof(out->ip), "127.0.0.1");
    out->port = port;
    return 1;
}

int sr_utest_listener_a_addresses(const sr_listen_proto_t *, const sr_server_config_t *, sr_listen_addr_t *out, int max)
{
    return sr_utest_listener_addr(tcp_port_a, out, max);
}

int sr_utest_listener_b_addresses(const sr_listen_proto_t *, const sr_server_config_t *, sr_listen_addr_t *out, int max)
{
    return sr_utest_listener_addr(tcp_port_b, out, max);
}

void sr_utest_listener_accept(sr_server_t *, sr_sock_t *client, unsigned roles)
{
    accepted++;
    accepted_roles = roles;
    sr_sock_close(client);
}

void sr_utest_listener_other_accept(sr_server_t *, sr_sock_t *client, unsigned)
{
    sr_sock_close(client);
}

const sr_listen_proto_t udp_echo = {
    "echo", 1u << 8, SR_LISTEN_UDP, sr_utest_listener_udp_addresses, nullptr, sr_utest_listener_udp_serve};
const sr_listen_proto_t tcp_a = {
    "a", 1u << 9, SR_LISTEN_TCP, sr_utest_listener_a_addresses, sr_utest_listener_accept, nullptr};
const sr_listen_proto_t tcp_b = {
    "b", 1u << 10, SR_LISTEN_TCP, sr_utest_listener_b_addresses, sr_utest_listener_accept, nullptr};
const sr_listen_proto_t tcp_other = {
    "other", 1u << 11, SR_LISTEN_TCP, sr_utest_listener_b_addresses, sr_utest_listener_other_accept, nullptr};

const char *kConfig = "listen 1935;\nvhost __defaultVhost__ { }\n";

// Send one datagram to port and wait for the echo.
bool sr_utest_listener_echoes(int port)
{
    sr_sock_t *c = nullptr;
    if (sr_udp_bind("127.0.0.1", 0, &c) != SR_OK) {
        return false;
    }
    sr_udp_peer_t to;
    sr_udp_peer_make("127.0.0.1", port, &to);
    char buf[16];
    size_t n = 0;
    bool ok = sr_udp_sendto(c, "ping", 4, &to, SR_UTIME_S) == SR_OK &&
              sr_udp_recvfrom(c, buf, sizeof(buf), &n, nullptr, SR_UTIME_S) == SR_OK && n == 4 &&
              memcmp(buf, "ping", 4) == 0;
    sr_sock_close(c);
    return ok;
}

} // namespace

TEST_F(Listener, UdpProtocolServesItsBoundSocket)
{
    SrUtestServer srv(kConfig);
    ASSERT_NE(nullptr, srv.s);
    const sr_listen_proto_t *protos[] = {&udp_echo};
    sr_listeners_t *ls = sr_listeners_new(srv.s, protos, 1);
    udp_port_wanted = 0;
    ASSERT_SR_OK(sr_listeners_open(ls, sr_server_config(srv.s)));
    int port = sr_listeners_port(ls, "echo");
    ASSERT_GT(port, 0);
    EXPECT_TRUE(sr_utest_listener_echoes(port));
    EXPECT_TRUE(sr_utest_listener_echoes(port));
    sr_listeners_free(ls); // interrupts the serve function and closes the socket
}

TEST_F(Listener, TcpProtocolsWithOneAcceptShareAPortOthersAreRefused)
{
    SrUtestServer srv(kConfig);
    ASSERT_NE(nullptr, srv.s);
    sr_sock_t *probe = nullptr;
    ASSERT_SR_OK(sr_sock_listen_tcp("127.0.0.1", 0, 1, &probe));
    int port = sr_sock_local_port(probe);
    sr_sock_close(probe);

    tcp_port_a = tcp_port_b = port;
    const sr_listen_proto_t *shared[] = {&tcp_a, &tcp_b};
    sr_listeners_t *ls = sr_listeners_new(srv.s, shared, 2);
    ASSERT_SR_OK(sr_listeners_open(ls, sr_server_config(srv.s)));
    EXPECT_EQ(port, sr_listeners_port(ls, "a"));
    EXPECT_EQ(0, sr_listeners_port(ls, "b")); // one listener, named for the first
    accepted = 0;
    sr_sock_t *c = nullptr;
    ASSERT_SR_OK(sr_sock_connect_tcp("127.0.0.1", port, SR_UTIME_S, &c));
    EXPECT_TRUE(sr_utest_st_wait_until([] { return accepted == 1; }));
    EXPECT_EQ(tcp_a.role | tcp_b.role, accepted_roles);
    sr_sock_close(c);
    sr_listeners_free(ls);

    const sr_listen_proto_t *conflict[] = {&tcp_a, &tcp_other};
    ls = sr_listeners_new(srv.s, conflict, 2);
    EXPECT_SR_ERR(SR_ECONFIG, sr_listeners_open(ls, sr_server_config(srv.s)));
    EXPECT_NE(nullptr, strstr(sr_err_trail(), "configured for a and other"));
    sr_listeners_free(ls);

    // the same number over UDP is another listener
    udp_port_wanted = port;
    const sr_listen_proto_t *both[] = {&tcp_a, &udp_echo};
    ls = sr_listeners_new(srv.s, both, 2);
    ASSERT_SR_OK(sr_listeners_open(ls, sr_server_config(srv.s)));
    EXPECT_EQ(port, sr_listeners_port(ls, "a"));
    EXPECT_EQ(port, sr_listeners_port(ls, "echo"));
    EXPECT_TRUE(sr_utest_listener_echoes(port));
    sr_listeners_free(ls);
}

TEST_F(Listener, ReloadClosesKeepsAndOpens)
{
    SrUtestServer srv(kConfig);
    ASSERT_NE(nullptr, srv.s);
    const sr_listen_proto_t *protos[] = {&udp_echo, &tcp_a};
    sr_sock_t *probe = nullptr;
    ASSERT_SR_OK(sr_udp_bind("127.0.0.1", 0, &probe));
    int udp_port = sr_sock_local_port(probe);
    sr_sock_close(probe);
    sr_listeners_t *ls = sr_listeners_new(srv.s, protos, 2);
    udp_port_wanted = udp_port;
    tcp_port_a = -1; // not wanted
    ASSERT_SR_OK(sr_listeners_open(ls, sr_server_config(srv.s)));
    EXPECT_EQ(udp_port, sr_listeners_port(ls, "echo"));
    EXPECT_EQ(0, sr_listeners_port(ls, "a"));

    // keep the UDP listener (same address: no close, no re-bind), open the TCP one;
    // a datagram sent before the reload is still there for the kept socket
    sr_sock_t *c = nullptr;
    ASSERT_SR_OK(sr_udp_bind("127.0.0.1", 0, &c));
    sr_udp_peer_t to;
    ASSERT_SR_OK(sr_udp_peer_make("127.0.0.1", udp_port, &to));
    ASSERT_SR_OK(sr_udp_sendto(c, "kept", 4, &to, SR_UTIME_S));
    tcp_port_a = 0;
    sr_listeners_reload(ls, sr_server_config(srv.s));
    EXPECT_EQ(udp_port, sr_listeners_port(ls, "echo"));
    EXPECT_GT(sr_listeners_port(ls, "a"), 0);
    char buf[8];
    size_t n = 0;
    EXPECT_SR_OK(sr_udp_recvfrom(c, buf, sizeof(buf), &n, nullptr, SR_UTIME_S));
    EXPECT_EQ(4u, n);
    sr_sock_close(c);

    // close the UDP one
    udp_port_wanted = -1;
    sr_listeners_reload(ls, sr_server_config(srv.s));
    EXPECT_EQ(0, sr_listeners_port(ls, "echo"));
    EXPECT_GT(sr_listeners_port(ls, "a"), 0);
    sr_listeners_free(ls);
}
