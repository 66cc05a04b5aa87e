// SPDX-License-Identifier: MIT
// utest_packet_ring.cpp: the shared packet ring (app/sr_packet_ring): one reference per
// stored packet whatever the number of readers, seqs that survive growing, wrapping and
// shrinking, trims that release exactly what is before the given seq.
#include "sr_packet.h"
#include "sr_packet_ring.h"
#include "sr_payload.h"
#include "sr_utest.h"

namespace
{

sr_packet_t frame(uint8_t tag, int64_t dts)
{
    const uint8_t body[] = {0x27, 0x01, 0, 0, 0, tag};
    sr_packet_t p;
    sr_packet_init_take(&p, SR_PACKET_VIDEO, dts, sr_payload_new_copy(body, sizeof(body)));
    return p;
}

// Push a new frame (borrowed, as the source does) and return its seq.
uint64_t push(sr_packet_ring_t *r, uint8_t tag, int64_t t, uint32_t marks = 0)
{
    sr_packet_t p = frame(tag, t);
    uint64_t seq = sr_packet_ring_push(r, &p, t, marks);
    sr_packet_deinit(&p);
    return seq;
}

} // namespace

TEST(PacketRing, SeqsSurviveGrowingAndTrimming)
{
    sr_packet_ring_t r = {};
    EXPECT_TRUE(sr_packet_ring_is_full(&r)); // no storage yet
    for (int i = 0; i < 300; i++) {
        ASSERT_EQ((uint64_t)i, push(&r, (uint8_t)i, 40 * i, i == 7 ? SR_RING_NEW_PUBLISH : 0));
    }
    EXPECT_EQ(0u, r.tail);
    EXPECT_EQ(300u, r.head);
    EXPECT_GE(r.mask + 1, 300u);
    for (uint64_t seq = 0; seq < 300; seq++) {
        const sr_ring_slot_t *s = sr_packet_ring_at(&r, seq);
        ASSERT_EQ((uint8_t)seq, s->pkt.payload->data[5]) << seq;
        EXPECT_EQ((int64_t)seq * 40, s->t_ms);
        EXPECT_EQ(1, s->pkt.payload->refs); // the ring's own, ours was released
        EXPECT_EQ(seq == 7 ? (uint32_t)SR_RING_NEW_PUBLISH : 0u, s->marks);
    }
    EXPECT_EQ(300u, sr_payload_live_count());
    sr_packet_ring_trim(&r, 290);
    EXPECT_EQ(290u, r.tail);
    EXPECT_EQ(10u, sr_payload_live_count());
    EXPECT_LT(r.mask + 1, 300u) << "a ring that holds little gives memory back";
    for (uint64_t seq = 290; seq < 300; seq++) {
        EXPECT_EQ((uint8_t)seq, sr_packet_ring_at(&r, seq)->pkt.payload->data[5]) << "moved with the shrink";
    }
    sr_packet_ring_trim(&r, 100); // already released: nothing happens
    EXPECT_EQ(290u, r.tail);
    sr_packet_ring_trim(&r, 1000); // clamped to head
    EXPECT_EQ(300u, r.tail);
    EXPECT_EQ(0u, sr_payload_live_count());
    sr_packet_ring_deinit(&r);
    EXPECT_EQ(300u, push(&r, 1, 0)) << "seqs go on after deinit";
    sr_packet_ring_deinit(&r);
}

// The steady state of a live stream: a GOP in, a GOP out, forever, in the same memory.
TEST(PacketRing, SteadyStreamWrapsWithoutGrowing)
{
    sr_packet_ring_t r = {};
    for (int i = 0; i < 10000; i++) {
        push(&r, (uint8_t)i, i);
        if (r.head - r.tail > 40) {
            sr_packet_ring_trim(&r, r.head - 20);
        }
        ASSERT_EQ((uint8_t)i, sr_packet_ring_at(&r, r.head - 1)->pkt.payload->data[5]);
    }
    EXPECT_EQ(63u, r.mask);
    sr_packet_ring_deinit(&r);
    EXPECT_EQ(0u, sr_payload_live_count());
}
