// SPDX-License-Identifier: MIT
// utest_udp_batch.cpp: the UDP send batch (protocol/sr_udp_batch): how queued datagrams
// group into GSO runs (pure), and real loopback sockets that receive every datagram
// of a flush with its own boundaries and bytes, in order, with GSO, without it, and
// when the kernel refuses it (SO_NO_CHECK makes Linux answer GSO with EINVAL).
#include <string.h>
#include <sys/socket.h>

#include <vector>

#include "sr_st.h"
#include "sr_udp_batch.h"
#include "sr_utest.h"
#include "sr_utest_st.h"

namespace
{

using Bytes = std::vector<uint8_t>;

size_t GsoRun(std::vector<uint16_t> sizes, size_t max_segments = 64, size_t max_bytes = 65536)
{
    return sr_udp_gso_run_length(sizes.data(), sizes.size(), max_segments, max_bytes);
}

TEST(UdpBatch, GsoRunsAreEqualSizesAndTheLastMayBeShorter)
{
    EXPECT_EQ(0u, GsoRun({}));
    EXPECT_EQ(1u, GsoRun({100}));
    EXPECT_EQ(4u, GsoRun({1200, 1200, 1200, 1200}));
    EXPECT_EQ(4u, GsoRun({1200, 1200, 1200, 900}));      // a frame's FU-A fragments
    EXPECT_EQ(3u, GsoRun({1200, 1200, 900, 900}));       // a shorter one ends the run
    EXPECT_EQ(2u, GsoRun({1200, 1200, 1300, 1200}));     // a longer one starts the next
    EXPECT_EQ(1u, GsoRun({200, 1200, 1200}));            // audio, then video
    EXPECT_EQ(3u, GsoRun({1200, 1200, 1200, 1200}, 3));  // at most max_segments
    EXPECT_EQ(2u, GsoRun({1000, 1000, 1000}, 64, 2999)); // at most max_bytes
    EXPECT_EQ(3u, GsoRun({1000, 1000, 999}, 64, 2999));  // the shorter last still fits
    EXPECT_EQ(1u, GsoRun({5000, 5000}, 64, 4000));       // one datagram always goes
}

TEST(UdpBatch, AddRefusesWhenFull)
{
    sr_udp_batch_t *b = sr_udp_batch_new(true);
    sr_udp_peer_t to;
    ASSERT_SR_OK(sr_udp_peer_make("127.0.0.1", 9, &to));
    Bytes d(1000, 7);
    EXPECT_FALSE(sr_udp_batch_add(b, d.data(), 0, &to, nullptr));
    Bytes big(SR_UDP_DATAGRAM_MAX_BYTES + 1);
    EXPECT_FALSE(sr_udp_batch_add(b, big.data(), big.size(), &to, nullptr)); // more than UDP carries
    EXPECT_EQ(0u, sr_udp_batch_count(b));
    size_t n = 0;
    while (sr_udp_batch_add(b, d.data(), d.size(), &to, nullptr)) {
        n++;
    }
    EXPECT_EQ(SR_MIN((size_t)SR_UDP_BATCH_MAX_DATAGRAMS, SR_UDP_BATCH_MAX_BYTES / d.size()), n);
    EXPECT_EQ(n, sr_udp_batch_count(b));
    sr_udp_batch_free(b); // with what it holds, unsent
    b = sr_udp_batch_new(true);
    EXPECT_TRUE(sr_udp_batch_add(b, big.data(), SR_UDP_DATAGRAM_MAX_BYTES, &to, nullptr));
    EXPECT_FALSE(sr_udp_batch_add(b, big.data(), SR_UDP_BATCH_MAX_BYTES - SR_UDP_DATAGRAM_MAX_BYTES + 1, &to, nullptr));
    sr_udp_batch_free(b);
}

// Two receivers and one sender on loopback.
class UdpBatchIo : public SrUtestSt
{
  protected:
    sr_sock_t *tx = nullptr, *rx1 = nullptr, *rx2 = nullptr;
    sr_udp_peer_t to1, to2;
    void SetUp() override
    {
        SrUtestSt::SetUp();
        ASSERT_SR_OK(sr_udp_bind("127.0.0.1", 0, &tx));
        ASSERT_SR_OK(sr_udp_bind("127.0.0.1", 0, &rx1));
        ASSERT_SR_OK(sr_udp_bind("127.0.0.1", 0, &rx2));
        ASSERT_SR_OK(sr_udp_peer_make("127.0.0.1", sr_sock_local_port(rx1), &to1));
        ASSERT_SR_OK(sr_udp_peer_make("127.0.0.1", sr_sock_local_port(rx2), &to2));
    }
    void TearDown() override
    {
        sr_sock_close(tx);
        sr_sock_close(rx1);
        sr_sock_close(rx2);
        SrUtestSt::TearDown();
    }
    // Queue datagrams of these sizes (byte i of datagram k is k + i) to `to`.
    void Add(sr_udp_batch_t *b, const std::vector<size_t> &sizes, const sr_udp_peer_t &to, uint64_t *counter,
             std::vector<Bytes> *sent)
    {
        for (size_t len : sizes) {
            Bytes d(len);
            for (size_t i = 0; i < len; i++) {
                d[i] = (uint8_t)(sent->size() * 31 + i);
            }
            ASSERT_TRUE(sr_udp_batch_add(b, d.data(), d.size(), &to, counter));
            sent->push_back(d);
        }
    }
    void ExpectReceived(sr_sock_t *rx, const std::vector<Bytes> &want)
    {
        for (const Bytes &w : want) {
            uint8_t buf[2048];
            size_t n = 0;
            ASSERT_SR_OK(sr_udp_recvfrom(rx, buf, sizeof(buf), &n, nullptr, SR_UTIME_S));
            ASSERT_EQ(w.size(), n);
            EXPECT_EQ(0, memcmp(w.data(), buf, n));
        }
        uint8_t buf[2048];
        size_t n = 0;
        EXPECT_SR_ERR(SR_ETIMEOUT, sr_udp_recvfrom(rx, buf, sizeof(buf), &n, nullptr, 20 * SR_UTIME_MS));
    }
    // A frame of four FU-A fragments and an audio packet to rx1, a frame to rx2, then
    // one more to rx1: all arrive, each with its own bytes, in order.
    void SendMixed(sr_udp_batch_t *b, sr_udp_batch_result_t *r)
    {
        std::vector<Bytes> one, two, more;
        uint64_t bytes1 = 0, bytes2 = 0;
        Add(b, {1216, 1216, 1216, 1210, 180}, to1, &bytes1, &one);
        Add(b, {1100, 1100, 900}, to2, &bytes2, &two);
        Add(b, {1216}, to1, &bytes1, &more);
        one.insert(one.end(), more.begin(), more.end());
        sr_udp_batch_flush(b, tx, r);
        EXPECT_EQ(0u, sr_udp_batch_count(b));
        EXPECT_EQ(9u, r->sent);
        EXPECT_EQ(0u, r->dropped);
        EXPECT_EQ(1216u * 4 + 1210 + 180, bytes1);
        EXPECT_EQ(1100u * 2 + 900, bytes2);
        ExpectReceived(rx1, one);
        ExpectReceived(rx2, two);
    }
};

TEST_F(UdpBatchIo, OneSyscallCarriesEveryPeersRunsWithGso)
{
    if (!sr_udp_gso_probe(tx)) {
        GTEST_SKIP() << "this kernel has no UDP GSO";
    }
    sr_udp_batch_t *b = sr_udp_batch_new(true);
    sr_udp_batch_result_t r;
    SendMixed(b, &r);
    EXPECT_EQ(1u, r.syscalls); // four messages: 4 + 1 to rx1, 3 to rx2, 1 to rx1
    EXPECT_FALSE(r.is_gso_refused);
    EXPECT_TRUE(sr_udp_batch_has_gso(b));
    sr_udp_batch_flush(b, tx, &r); // nothing left
    EXPECT_EQ(0u, r.sent + r.syscalls);
    sr_udp_batch_free(b);
}

TEST_F(UdpBatchIo, WithoutGsoEachDatagramIsItsOwnMessageOfOneSendmmsg)
{
    sr_udp_batch_t *b = sr_udp_batch_new(false);
    sr_udp_batch_result_t r;
    SendMixed(b, &r);
    EXPECT_EQ(1u, r.syscalls);
    sr_udp_batch_free(b);
}

TEST_F(UdpBatchIo, AKernelThatRefusesGsoGetsEachDatagramAloneFromThenOn)
{
    if (!sr_udp_gso_probe(tx)) {
        GTEST_SKIP() << "this kernel has no UDP GSO";
    }
    int on = 1; // no UDP checksums: Linux refuses GSO on such a socket (EINVAL)
    ASSERT_EQ(0, setsockopt(sr_sock_fd(tx), SOL_SOCKET, SO_NO_CHECK, &on, sizeof(on)));
    sr_udp_batch_t *b = sr_udp_batch_new(true);
    sr_udp_batch_result_t r;
    SendMixed(b, &r);
    EXPECT_TRUE(r.is_gso_refused);
    EXPECT_FALSE(sr_udp_batch_has_gso(b));
    SendMixed(b, &r);
    EXPECT_FALSE(r.is_gso_refused); // said once
    EXPECT_EQ(1u, r.syscalls);
    sr_udp_batch_free(b);
}

} // namespace
