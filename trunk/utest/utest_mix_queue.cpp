// SPDX-License-Identifier: MIT
// utest_mix_queue.cpp: mix_correct's reorder queue (kernel/sr_mix_queue): dts order
// across tracks, arrival order on ties, single-track streams not held forever, the
// bound, and the flush. Every test ends with no live payloads (utest_main checks).
#include <cstdlib>
#include <vector>

#include "sr_mix_queue.h"
#include "sr_packet.h"
#include "sr_payload.h"
#include "sr_utest.h"

namespace
{

sr_packet_t pkt(sr_packet_type_t type, int64_t dts, uint8_t tag)
{
    const uint8_t v[] = {0x27, 0x01, 0, 0, 0, tag};
    const uint8_t a[] = {0xaf, 0x01, tag};
    sr_packet_t p;
    if (type == SR_PACKET_VIDEO) {
        sr_packet_init_take(&p, type, dts, sr_payload_new_copy(v, sizeof(v)));
    } else {
        sr_packet_init_take(&p, type, dts, sr_payload_new_copy(a, sizeof(a)));
    }
    return p;
}

void push(sr_mix_queue_t *q, sr_packet_type_t type, int64_t dts, uint8_t tag = 0)
{
    sr_packet_t p = pkt(type, dts, tag);
    sr_mix_queue_push(q, &p);
    sr_packet_deinit(&p);
}

std::vector<int64_t> pop_all(sr_mix_queue_t *q, bool flush = false)
{
    std::vector<int64_t> out;
    sr_packet_t p;
    while (flush ? sr_mix_queue_flush_one(q, &p) : sr_mix_queue_pop(q, &p)) {
        out.push_back(p.type == SR_PACKET_AUDIO ? -p.dts : p.dts); // audio negative, to see the track
        sr_packet_deinit(&p);
    }
    return out;
}

} // namespace

TEST(MixQueue, InterleavesByDtsWhenOneTrackIsLate)
{
    sr_mix_queue_t *q = sr_mix_queue_new();
    push(q, SR_PACKET_VIDEO, 0);
    push(q, SR_PACKET_VIDEO, 40);
    EXPECT_TRUE(pop_all(q).empty()) << "video waits for audio";
    push(q, SR_PACKET_AUDIO, 10);
    EXPECT_EQ((std::vector<int64_t>{0, -10}), pop_all(q)); // v40 waits: audio may still come before it
    push(q, SR_PACKET_AUDIO, 30);
    EXPECT_EQ((std::vector<int64_t>{-30}), pop_all(q));
    push(q, SR_PACKET_AUDIO, 50);
    EXPECT_EQ((std::vector<int64_t>{40}), pop_all(q));
    EXPECT_EQ((std::vector<int64_t>{-50}), pop_all(q, true));
    sr_mix_queue_free(q);
}

TEST(MixQueue, TiesKeepArrivalOrder)
{
    sr_mix_queue_t *q = sr_mix_queue_new();
    push(q, SR_PACKET_VIDEO, 100, 1);
    push(q, SR_PACKET_VIDEO, 100, 2);
    push(q, SR_PACKET_AUDIO, 100, 3);
    sr_packet_t p;
    std::vector<int> tags;
    while (sr_mix_queue_flush_one(q, &p)) {
        tags.push_back(p.payload->data[p.type == SR_PACKET_VIDEO ? 5 : 2]);
        sr_packet_deinit(&p);
    }
    EXPECT_EQ((std::vector<int>{1, 2, 3}), tags);
    sr_mix_queue_free(q);
}

TEST(MixQueue, SingleTrackStreamIsHeldOnlyBriefly)
{
    sr_mix_queue_t *q = sr_mix_queue_new();
    for (int i = 0; i < SR_MIX_QUEUE_SINGLE_TRACK - 1; i++) {
        push(q, SR_PACKET_AUDIO, 23 * i);
    }
    EXPECT_TRUE(pop_all(q).empty());
    push(q, SR_PACKET_AUDIO, 23 * SR_MIX_QUEUE_SINGLE_TRACK);
    EXPECT_EQ(1u, pop_all(q).size()); // then one out per packet in
    EXPECT_EQ((size_t)SR_MIX_QUEUE_SINGLE_TRACK - 1, sr_mix_queue_count(q));
    sr_mix_queue_free(q); // frees what it holds
}

TEST(MixQueue, FullQueueLetsTheOldestGo)
{
    sr_mix_queue_t *q = sr_mix_queue_new();
    for (int i = 0; i < SR_MIX_QUEUE_MAX; i++) {
        push(q, i % 2 ? SR_PACKET_AUDIO : SR_PACKET_VIDEO, 1000 - i); // both tracks, arriving backwards
        sr_packet_t p;
        if (sr_mix_queue_pop(q, &p)) {
            sr_packet_deinit(&p);
        }
    }
    EXPECT_LE(sr_mix_queue_count(q), (size_t)SR_MIX_QUEUE_MAX);
    sr_mix_queue_free(q);
}

// MPEG-TS ingest: ffmpeg packs up to 0.7 s of audio in one PES, so video runs ahead in
// bursts. With both tracks announced, video waits for the late audio (issue 11).
TEST(MixQueue, ExpectBothWaitsForALateTrackBeyondTheSingleTrackLimit)
{
    sr_mix_queue_t *q = sr_mix_queue_new();
    sr_mix_queue_expect_both(q, true);
    for (int i = 0; i < 3 * SR_MIX_QUEUE_SINGLE_TRACK; i++) {
        push(q, SR_PACKET_VIDEO, 40 * i);
    }
    EXPECT_TRUE(pop_all(q).empty()) << "video went out before the audio it must follow";
    push(q, SR_PACKET_AUDIO, 0);
    push(q, SR_PACKET_AUDIO, 500);
    std::vector<int64_t> out = pop_all(q); // audio negative
    ASSERT_GE(out.size(), 2u);
    EXPECT_EQ(0, out[0]); // audio 0 and video 0: ties keep arrival order (video first)
    for (size_t i = 1; i < out.size(); i++) {
        EXPECT_LE(std::llabs(out[i - 1]), std::llabs(out[i]));
        EXPECT_LE(std::llabs(out[i]), 500) << "video after the newest audio went out";
    }
    sr_mix_queue_free(q);
}
