// SPDX-License-Identifier: MIT
// utest_msg_queue.cpp: a consumer queue stays within queue_length by dropping whole GOPs,
// never delivers video frames whose keyframe was dropped, never drops sequence headers or
// metadata, counts what it drops, and hands payload references over on pop.
#include <stdint.h>

#include <vector>

#include "sr_msg_queue.h"
#include "sr_packet.h"
#include "sr_payload.h"
#include "sr_utest.h"

namespace
{

enum Kind { KEY, INTER, VSEQ, AAC, ASEQ, META };

// Real FLV tag bodies. Video bodies carry (gop, index) after the AVC header so the player
// model below can tell whether a frame's predecessors were delivered.
sr_packet_t make(Kind k, int64_t dts, uint16_t gop = 0, uint16_t idx = 0)
{
    uint8_t b[16] = {0};
    size_t n = 0;
    sr_packet_type_t type = SR_PACKET_VIDEO;
    switch (k) {
    case KEY:
    case INTER: {
        const uint8_t v[] = {(uint8_t)(k == KEY ? 0x17 : 0x27), 0x01, 0, 0, 0}; // AVC NALU, cts 0
        memcpy(b, v, sizeof(v));
        b[5] = (uint8_t)(gop >> 8);
        b[6] = (uint8_t)gop;
        b[7] = (uint8_t)(idx >> 8);
        b[8] = (uint8_t)idx;
        n = 9;
        break;
    }
    case VSEQ: {
        const uint8_t v[] = {0x17, 0x00, 0, 0, 0, 0x01, 0x64, 0x00, 0x1f, 0xff};
        memcpy(b, v, n = sizeof(v));
        break;
    }
    case AAC: {
        const uint8_t a[] = {0xaf, 0x01, 0x21, 0x10, 0x04};
        memcpy(b, a, n = sizeof(a));
        type = SR_PACKET_AUDIO;
        break;
    }
    case ASEQ: {
        const uint8_t a[] = {0xaf, 0x00, 0x12, 0x10};
        memcpy(b, a, n = sizeof(a));
        type = SR_PACKET_AUDIO;
        break;
    }
    case META: {
        const uint8_t m[] = {0x02, 0x00, 0x0a, 'o', 'n', 'M', 'e', 't', 'a', 'D', 'a', 't', 'a'};
        memcpy(b, m, n = sizeof(m));
        type = SR_PACKET_DATA;
        break;
    }
    }
    sr_packet_t p;
    sr_packet_init_take(&p, type, dts, sr_payload_new_copy(b, n));
    return p;
}

void push(sr_msg_queue_t *q, Kind k, int64_t dts, uint16_t gop = 0, uint16_t idx = 0)
{
    sr_packet_t p = make(k, dts, gop, idx);
    sr_msg_queue_push(q, &p);
    sr_packet_deinit(&p);
}

bool is_seq(const sr_packet_t &p)
{
    return (p.flags & SR_PACKET_IS_SEQUENCE_HEADER) != 0;
}

// What was popped, as plain facts; the packets themselves are released at once.
struct Out {
    uint8_t type;
    uint8_t flags;
    int64_t dts;
    uint16_t gop;
    uint16_t idx;
};

std::vector<Out> pop_all(sr_msg_queue_t *q, size_t batch = 7)
{
    std::vector<Out> v;
    sr_packet_t buf[16];
    size_t n;
    while ((n = sr_msg_queue_pop_many(q, buf, batch)) > 0) {
        for (size_t i = 0; i < n; i++) {
            Out o = {buf[i].type, buf[i].flags, buf[i].dts, 0, 0};
            const uint8_t *d = buf[i].payload->data;
            if (buf[i].type == SR_PACKET_VIDEO && !is_seq(buf[i])) {
                o.gop = (uint16_t)(d[5] << 8 | d[6]);
                o.idx = (uint16_t)(d[7] << 8 | d[8]);
            }
            v.push_back(o);
            sr_packet_deinit(&buf[i]);
        }
    }
    return v;
}

// A decoder's view: every inter frame must directly follow its predecessor in the same GOP.
struct Player {
    bool has_ref = false;
    uint16_t gop = 0, idx = 0;
    size_t seq_headers = 0, video = 0;
    void feed(const std::vector<Out> &v)
    {
        for (const Out &o : v) {
            if (o.type != SR_PACKET_VIDEO) {
                continue;
            }
            if (o.flags & SR_PACKET_IS_SEQUENCE_HEADER) {
                seq_headers++;
                continue;
            }
            video++;
            if (o.flags & SR_PACKET_IS_KEYFRAME) {
                EXPECT_EQ(0, o.idx);
            } else {
                ASSERT_TRUE(has_ref) << "inter frame before any keyframe, dts " << o.dts;
                ASSERT_EQ(gop, o.gop) << "inter frame of a dropped GOP, dts " << o.dts;
                ASSERT_EQ(idx + 1, o.idx) << "gap inside a GOP, dts " << o.dts;
            }
            has_ref = true;
            gop = o.gop;
            idx = o.idx;
        }
    }
};

// 25 fps video with a keyframe every gop_frames, AAC every 23 ms, from t0 to t1.
void push_av(sr_msg_queue_t *q, int64_t t0, int64_t t1, int gop_frames, uint16_t *gop, int *frame)
{
    int64_t next_audio = t0;
    for (int64_t t = t0; t < t1; t += 40) {
        while (next_audio < t) {
            push(q, AAC, next_audio);
            next_audio += 23;
        }
        if (*frame % gop_frames == 0) {
            ++*gop;
            push(q, KEY, t, *gop, 0);
        } else {
            push(q, INTER, t, *gop, (uint16_t)(*frame % gop_frames));
        }
        ++*frame;
        ASSERT_LE(sr_msg_queue_duration_ms(q), 3000) << "at " << t;
    }
}

} // namespace

TEST(MsgQueue, KeepsFifoOrderAndHandsOverRefs)
{
    sr_msg_queue_t *q = sr_msg_queue_new(SR_MSG_QUEUE_DEFAULT_MAX_DURATION_MS);
    sr_packet_t in[5] = {make(META, 0), make(VSEQ, 0), make(KEY, 0), make(AAC, 10), make(INTER, 40, 0, 1)};
    size_t bytes = 0;
    for (sr_packet_t &p : in) {
        sr_msg_queue_push(q, &p);
        bytes += p.payload->size;
        EXPECT_EQ(2, p.payload->refs);
    }
    EXPECT_EQ(5u, sr_msg_queue_count(q));
    EXPECT_EQ(bytes, sr_msg_queue_bytes(q));
    EXPECT_EQ(40, sr_msg_queue_duration_ms(q));
    sr_packet_t out[8];
    EXPECT_EQ(0u, sr_msg_queue_pop_many(q, out, 0));
    ASSERT_EQ(3u, sr_msg_queue_pop_many(q, out, 3));
    ASSERT_EQ(2u, sr_msg_queue_pop_many(q, out + 3, 8));
    EXPECT_EQ(0u, sr_msg_queue_pop_many(q, out, 8));
    EXPECT_EQ(0u, sr_msg_queue_count(q));
    EXPECT_EQ(0u, sr_msg_queue_bytes(q));
    EXPECT_EQ(0, sr_msg_queue_duration_ms(q));
    for (int i = 0; i < 5; i++) {
        EXPECT_EQ(in[i].payload, out[i].payload); // zero-copy, same order
        EXPECT_EQ(2, in[i].payload->refs);        // the popped ref now belongs to us
        sr_packet_deinit(&out[i]);
        sr_packet_deinit(&in[i]);
    }
    EXPECT_EQ(0u, sr_msg_queue_dropped(q));
    EXPECT_EQ(0u, sr_msg_queue_shrinks(q));
    sr_msg_queue_free(q);
    sr_msg_queue_free(NULL);
}

TEST(MsgQueue, DropsWholeGopsAndStartsOnKeyframe)
{
    sr_msg_queue_t *q = sr_msg_queue_new(3000);
    push(q, META, 0);
    push(q, VSEQ, 0);
    push(q, ASEQ, 0);
    uint16_t gop = 0;
    int frame = 0;
    push_av(q, 0, 10000, 25, &gop, &frame); // 10 s, 1 s GOPs, nobody popping
    EXPECT_GT(sr_msg_queue_shrinks(q), 0u);
    EXPECT_GT(sr_msg_queue_dropped(q), 0u);
    EXPECT_FALSE(sr_msg_queue_is_waiting_keyframe(q));
    size_t left = sr_msg_queue_count(q);
    std::vector<Out> v = pop_all(q);
    ASSERT_EQ(left, v.size());
    // headers first, in order, then the queue starts on a keyframe
    ASSERT_GE(v.size(), 4u);
    EXPECT_EQ(SR_PACKET_DATA, v[0].type);
    EXPECT_TRUE(v[1].type == SR_PACKET_VIDEO && (v[1].flags & SR_PACKET_IS_SEQUENCE_HEADER));
    EXPECT_TRUE(v[2].type == SR_PACKET_AUDIO && (v[2].flags & SR_PACKET_IS_SEQUENCE_HEADER));
    EXPECT_EQ(SR_PACKET_VIDEO, v[3].type);
    EXPECT_TRUE(v[3].flags & SR_PACKET_IS_KEYFRAME);
    // every A/V packet pushed was either delivered or counted as dropped
    size_t media = 0;
    for (const Out &o : v) {
        media += o.type != SR_PACKET_DATA && !(o.flags & SR_PACKET_IS_SEQUENCE_HEADER);
    }
    size_t audio_pushed = (9960 + 22) / 23; // audio at 0, 23, ... below the last frame at 9960
    EXPECT_EQ(250 + audio_pushed, media + sr_msg_queue_dropped(q));
    Player pl;
    pl.feed(v);
    EXPECT_EQ(1u, pl.seq_headers);
    sr_msg_queue_free(q);
}

TEST(MsgQueue, GopLongerThanQueueDropsAllAndWaitsForKeyframe)
{
    sr_msg_queue_t *q = sr_msg_queue_new(1000);
    push(q, VSEQ, 0);
    push(q, ASEQ, 0);
    push(q, KEY, 0, 1, 0);
    uint16_t i = 1;
    for (int64_t t = 40; t < 1000; t += 40, i++) {
        push(q, INTER, t, 1, i);
        push(q, AAC, t + 3);
    }
    push(q, INTER, 1000, 1, i++);
    EXPECT_EQ(1000, sr_msg_queue_duration_ms(q));
    EXPECT_EQ(0u, sr_msg_queue_shrinks(q)); // exactly queue_length is allowed
    push(q, INTER, 1040, 1, i++);           // 1040 > 1000: no later keyframe to cut at
    EXPECT_EQ(1u, sr_msg_queue_shrinks(q));
    EXPECT_TRUE(sr_msg_queue_is_waiting_keyframe(q));
    EXPECT_EQ(2u, sr_msg_queue_count(q)); // only the sequence headers remain
    uint64_t dropped = sr_msg_queue_dropped(q);
    EXPECT_EQ(1u + 24 + 24 + 2, dropped);
    push(q, INTER, 1080, 1, i++); // dropped: its keyframe is gone
    push(q, AAC, 1083);           // audio keeps flowing
    EXPECT_EQ(dropped + 1, sr_msg_queue_dropped(q));
    EXPECT_EQ(3u, sr_msg_queue_count(q));
    push(q, KEY, 1120, 2, 0);
    push(q, INTER, 1160, 2, 1);
    EXPECT_FALSE(sr_msg_queue_is_waiting_keyframe(q));
    std::vector<Out> v = pop_all(q, 2);
    ASSERT_EQ(5u, v.size());
    EXPECT_TRUE(v[0].flags & SR_PACKET_IS_SEQUENCE_HEADER);
    EXPECT_TRUE(v[1].flags & SR_PACKET_IS_SEQUENCE_HEADER);
    EXPECT_EQ(1083, v[2].dts);
    EXPECT_EQ(1120, v[3].dts);
    Player pl;
    pl.feed(v);
    sr_msg_queue_free(q);
}

TEST(MsgQueue, SequenceHeadersAndMetadataSurviveEveryShrink)
{
    sr_msg_queue_t *q = sr_msg_queue_new(3000);
    uint16_t gop = 0;
    int frame = 0;
    // a codec change every 2 s: new metadata and sequence headers mid-stream
    for (int64_t t = 0; t < 20000; t += 2000) {
        push(q, META, t);
        push(q, VSEQ, t);
        push(q, ASEQ, t);
        push_av(q, t, t + 2000, 50, &gop, &frame);
    }
    EXPECT_GT(sr_msg_queue_shrinks(q), 2u);
    std::vector<Out> v = pop_all(q);
    size_t meta = 0, vseq = 0, aseq = 0;
    for (const Out &o : v) {
        meta += o.type == SR_PACKET_DATA;
        vseq += o.type == SR_PACKET_VIDEO && (o.flags & SR_PACKET_IS_SEQUENCE_HEADER);
        aseq += o.type == SR_PACKET_AUDIO && (o.flags & SR_PACKET_IS_SEQUENCE_HEADER);
    }
    EXPECT_EQ(10u, meta);
    EXPECT_EQ(10u, vseq);
    EXPECT_EQ(10u, aseq);
    // they kept their relative order: META, VSEQ, ASEQ repeated
    size_t k = 0;
    for (const Out &o : v) {
        if (o.type == SR_PACKET_DATA || (o.flags & SR_PACKET_IS_SEQUENCE_HEADER)) {
            EXPECT_EQ(k % 3 == 0 ? SR_PACKET_DATA : k % 3 == 1 ? SR_PACKET_VIDEO : SR_PACKET_AUDIO, o.type);
            k++;
        }
    }
    Player pl;
    pl.feed(v);
    sr_msg_queue_free(q);
}

TEST(MsgQueue, AudioOnlyStaysBounded)
{
    sr_msg_queue_t *q = sr_msg_queue_new(3000);
    push(q, ASEQ, 0);
    for (int64_t t = 0; t < 100000; t += 23) {
        push(q, AAC, t);
        ASSERT_LE(sr_msg_queue_duration_ms(q), 3000);
    }
    EXPECT_GT(sr_msg_queue_dropped(q), 0u);
    EXPECT_LE(sr_msg_queue_count(q), 3000u / 23 + 2);
    std::vector<Out> v = pop_all(q);
    ASSERT_FALSE(v.empty());
    EXPECT_TRUE(v[0].flags & SR_PACKET_IS_SEQUENCE_HEADER); // the AudioSpecificConfig survives
    sr_msg_queue_free(q);
}

TEST(MsgQueue, BackwardsTimelineCountsAsSpan)
{
    sr_msg_queue_t *q = sr_msg_queue_new(30000);
    push(q, KEY, 100000, 1, 0);
    push(q, AAC, 99997); // a few ms of reordering is a small span
    EXPECT_EQ(3, sr_msg_queue_duration_ms(q));
    push(q, INTER, 100040, 1, 1);
    EXPECT_EQ(40, sr_msg_queue_duration_ms(q));
    // a new publisher restarting at 0 with time_jitter off
    push(q, KEY, 0, 2, 0);
    EXPECT_EQ(1u, sr_msg_queue_shrinks(q));
    ASSERT_EQ(1u, sr_msg_queue_count(q));
    push(q, INTER, INT64_MIN, 2, 1); // no overflow on absurd input
    EXPECT_EQ(2u, sr_msg_queue_shrinks(q));
    EXPECT_TRUE(sr_msg_queue_is_waiting_keyframe(q));
    EXPECT_EQ(0u, sr_msg_queue_count(q));
    sr_msg_queue_free(q);
}

TEST(MsgQueue, DurationFollowsPopsPastHeaders)
{
    sr_msg_queue_t *q = sr_msg_queue_new(SR_MSG_QUEUE_DEFAULT_MAX_DURATION_MS);
    push(q, AAC, 100);
    push(q, META, 5000); // data dts never counts
    push(q, ASEQ, 7000);
    push(q, AAC, 200);
    push(q, AAC, 300);
    EXPECT_EQ(200, sr_msg_queue_duration_ms(q));
    sr_packet_t out[2];
    ASSERT_EQ(1u, sr_msg_queue_pop_many(q, out, 1));
    sr_packet_deinit(&out[0]);
    EXPECT_EQ(100, sr_msg_queue_duration_ms(q)); // oldest A/V is now the one at 200
    ASSERT_EQ(2u, sr_msg_queue_pop_many(q, out, 2));
    sr_packet_deinit(&out[0]);
    sr_packet_deinit(&out[1]);
    EXPECT_EQ(100, sr_msg_queue_duration_ms(q));
    ASSERT_EQ(1u, sr_msg_queue_pop_many(q, out, 1));
    sr_packet_deinit(&out[0]);
    EXPECT_EQ(0, sr_msg_queue_duration_ms(q)); // one A/V packet: no span
    sr_msg_queue_free(q);
}

TEST(MsgQueue, ClearReleasesAndWaitsForKeyframe)
{
    sr_msg_queue_t *q = sr_msg_queue_new(SR_MSG_QUEUE_DEFAULT_MAX_DURATION_MS);
    sr_packet_t key = make(KEY, 0, 1, 0);
    sr_msg_queue_push(q, &key);
    push(q, INTER, 40, 1, 1);
    EXPECT_EQ(2, key.payload->refs);
    sr_msg_queue_clear(q);
    EXPECT_EQ(1, key.payload->refs);
    EXPECT_EQ(0u, sr_msg_queue_count(q));
    EXPECT_EQ(0u, sr_msg_queue_bytes(q));
    EXPECT_TRUE(sr_msg_queue_is_waiting_keyframe(q));
    push(q, INTER, 80, 1, 2);
    EXPECT_EQ(0u, sr_msg_queue_count(q));
    push(q, KEY, 120, 2, 0);
    EXPECT_EQ(1u, sr_msg_queue_count(q));
    sr_packet_deinit(&key);
    sr_msg_queue_free(q); // free releases what is queued
}

TEST(MsgQueue, NonPositiveBoundNeverDrops)
{
    sr_msg_queue_t *q = sr_msg_queue_new(0);
    uint16_t gop = 0;
    int frame = 0;
    push(q, KEY, 0, 0, 0);
    for (int64_t t = 40; t < 120000; t += 40) {
        push(q, INTER, t, 0, (uint16_t)(t / 40));
    }
    EXPECT_EQ(3000u, sr_msg_queue_count(q));
    EXPECT_EQ(0u, sr_msg_queue_dropped(q));
    sr_msg_queue_set_max_duration_ms(q, 3000); // reload applies from the next push
    push_av(q, 120000, 121000, 25, &gop, &frame);
    EXPECT_LE(sr_msg_queue_duration_ms(q), 3000);
    EXPECT_GT(sr_msg_queue_dropped(q), 0u);
    sr_msg_queue_free(q);
}

TEST(MsgQueue, SlowConsumerNeverGetsPartialGop)
{
    sr_msg_queue_t *q = sr_msg_queue_new(3000);
    Player pl;
    uint64_t seed = 42;
    uint16_t gop = 0;
    int frame = 0, gop_frames = 30;
    int64_t next_audio = 0;
    size_t headers_pushed = 0;
    std::vector<Out> got;
    for (int64_t t = 0; t < 600000; t += 40) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        uint32_t r = (uint32_t)(seed >> 33);
        if (r % 500 == 0) { // occasional metadata and codec change, GOP size change
            push(q, META, t);
            push(q, VSEQ, t);
            headers_pushed += 2;
            gop_frames = 10 + (int)(r % 200);
            frame = 0;
        }
        while (next_audio < t) {
            push(q, AAC, next_audio);
            next_audio += 23;
        }
        if (frame % gop_frames == 0) {
            push(q, KEY, t, ++gop, 0);
        } else {
            push(q, INTER, t, gop, (uint16_t)(frame % gop_frames));
        }
        frame++;
        ASSERT_LE(sr_msg_queue_duration_ms(q), 3000);
        if (r % 7 < 2) { // a consumer that drains in bursts, too slowly
            sr_packet_t out[16];
            size_t n = sr_msg_queue_pop_many(q, out, 1 + r % 16);
            for (size_t i = 0; i < n; i++) {
                Out o = {out[i].type, out[i].flags, out[i].dts, 0, 0};
                if (out[i].type == SR_PACKET_VIDEO && !is_seq(out[i])) {
                    o.gop = (uint16_t)(out[i].payload->data[5] << 8 | out[i].payload->data[6]);
                    o.idx = (uint16_t)(out[i].payload->data[7] << 8 | out[i].payload->data[8]);
                }
                got.push_back(o);
                sr_packet_deinit(&out[i]);
            }
        }
    }
    std::vector<Out> rest = pop_all(q);
    got.insert(got.end(), rest.begin(), rest.end());
    EXPECT_GT(sr_msg_queue_dropped(q), 0u);
    EXPECT_GT(sr_msg_queue_shrinks(q), 0u);
    size_t headers = 0;
    for (const Out &o : got) {
        headers += o.type == SR_PACKET_DATA || (o.flags & SR_PACKET_IS_SEQUENCE_HEADER);
    }
    EXPECT_EQ(headers_pushed, headers);
    pl.feed(got);
    EXPECT_GT(pl.video, 1000u);
    sr_msg_queue_free(q);
}
