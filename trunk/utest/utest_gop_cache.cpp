// SPDX-License-Identifier: MIT
// utest_gop_cache.cpp: the GOP cache starts on a keyframe, restarts on the next one,
// discards GOPs beyond gop_cache_max_frames, keeps recent audio for audio-only streams,
// never holds sequence headers or metadata, and holds exactly one ref per cached packet.
#include "sr_gop_cache.h"
#include "sr_packet.h"
#include "sr_payload.h"
#include "sr_utest.h"

namespace
{

enum Kind { KEY, INTER, VSEQ, AAC, ASEQ, META };

sr_packet_t make(Kind k, int64_t dts)
{
    static const uint8_t key[] = {0x17, 0x01, 0, 0, 0, 0, 0, 0, 0x05, 0x65, 0x88};
    static const uint8_t inter[] = {0x27, 0x01, 0, 0, 0, 0, 0, 0, 0x02, 0x41, 0x9a};
    static const uint8_t vseq[] = {0x17, 0x00, 0, 0, 0, 0x01, 0x64, 0x00, 0x1f, 0xff};
    static const uint8_t aac[] = {0xaf, 0x01, 0x21, 0x10, 0x04};
    static const uint8_t aseq[] = {0xaf, 0x00, 0x12, 0x10};
    static const uint8_t meta[] = {0x02, 0x00, 0x0a, 'o', 'n', 'M', 'e', 't', 'a', 'D', 'a', 't', 'a'};
    static const struct {
        sr_packet_type_t type;
        const uint8_t *data;
        size_t size;
    } kinds[] = {
        {SR_PACKET_VIDEO, key, sizeof(key)},   {SR_PACKET_VIDEO, inter, sizeof(inter)},
        {SR_PACKET_VIDEO, vseq, sizeof(vseq)}, {SR_PACKET_AUDIO, aac, sizeof(aac)},
        {SR_PACKET_AUDIO, aseq, sizeof(aseq)}, {SR_PACKET_DATA, meta, sizeof(meta)},
    };
    sr_packet_t p;
    sr_packet_init_take(&p, kinds[k].type, dts, sr_payload_new_copy(kinds[k].data, kinds[k].size));
    return p;
}

// Offer one packet the way the source does: borrowed, released by the caller afterwards.
void add(sr_gop_cache_t *c, Kind k, int64_t dts)
{
    sr_packet_t p = make(k, dts);
    sr_gop_cache_add(c, &p);
    sr_packet_deinit(&p);
}

} // namespace

TEST(GopCache, StartsAtKeyframe)
{
    sr_gop_cache_t *c = sr_gop_cache_new(true, SR_GOP_CACHE_DEFAULT_MAX_FRAMES);
    add(c, META, 0);
    add(c, VSEQ, 0);
    add(c, ASEQ, 0);
    add(c, INTER, 0); // joined mid-GOP: nothing to decode it from
    add(c, AAC, 10);
    EXPECT_EQ(0u, sr_gop_cache_count(c));
    add(c, KEY, 40);
    add(c, AAC, 43);
    add(c, INTER, 80);
    add(c, AAC, 66);
    ASSERT_EQ(4u, sr_gop_cache_count(c));
    EXPECT_TRUE(sr_gop_cache_starts_with_keyframe(c));
    EXPECT_EQ(40, sr_gop_cache_at(c, 0)->dts);
    EXPECT_EQ(SR_PACKET_AUDIO, sr_gop_cache_at(c, 1)->type);
    EXPECT_EQ(66, sr_gop_cache_at(c, 3)->dts);
    EXPECT_EQ(NULL, sr_gop_cache_at(c, 4));
    EXPECT_EQ(26, sr_gop_cache_duration_ms(c));
    sr_gop_cache_free(c);
}

TEST(GopCache, ClearsOnNextKeyframe)
{
    sr_gop_cache_t *c = sr_gop_cache_new(true, SR_GOP_CACHE_DEFAULT_MAX_FRAMES);
    add(c, KEY, 0);
    for (int i = 1; i < 50; i++) {
        add(c, INTER, 40 * i);
        add(c, AAC, 40 * i + 5);
    }
    EXPECT_EQ(99u, sr_gop_cache_count(c));
    EXPECT_EQ(1965, sr_gop_cache_duration_ms(c));
    add(c, KEY, 2000);
    ASSERT_EQ(1u, sr_gop_cache_count(c));
    EXPECT_TRUE(sr_gop_cache_starts_with_keyframe(c));
    EXPECT_EQ(2000, sr_gop_cache_at(c, 0)->dts);
    EXPECT_EQ(0, sr_gop_cache_duration_ms(c));
    sr_gop_cache_free(c);
}

TEST(GopCache, NeverHoldsSequenceHeadersOrMetadata)
{
    sr_gop_cache_t *c = sr_gop_cache_new(true, SR_GOP_CACHE_DEFAULT_MAX_FRAMES);
    add(c, KEY, 0);
    add(c, VSEQ, 10);
    add(c, ASEQ, 10);
    add(c, META, 10);
    add(c, INTER, 40);
    ASSERT_EQ(2u, sr_gop_cache_count(c));
    for (size_t i = 0; i < sr_gop_cache_count(c); i++) {
        const sr_packet_t *p = sr_gop_cache_at(c, i);
        EXPECT_EQ(SR_PACKET_VIDEO, p->type);
        EXPECT_FALSE(p->flags & SR_PACKET_IS_SEQUENCE_HEADER);
    }
    sr_gop_cache_free(c);
}

TEST(GopCache, HoldsOneRefPerCachedPacket)
{
    sr_gop_cache_t *c = sr_gop_cache_new(true, SR_GOP_CACHE_DEFAULT_MAX_FRAMES);
    sr_packet_t key = make(KEY, 0);
    sr_packet_t inter = make(INTER, 40);
    sr_gop_cache_add(c, &key);
    sr_gop_cache_add(c, &inter);
    EXPECT_EQ(2, key.payload->refs);
    EXPECT_EQ(key.payload, sr_gop_cache_at(c, 0)->payload); // zero-copy: same payload
    sr_gop_cache_clear(c);
    EXPECT_EQ(1, key.payload->refs);
    EXPECT_EQ(1, inter.payload->refs);
    sr_gop_cache_add(c, &key);
    sr_gop_cache_free(c); // free releases what is cached
    EXPECT_EQ(1, key.payload->refs);
    sr_packet_deinit(&key);
    sr_packet_deinit(&inter);
}

TEST(GopCache, DiscardsGopBeyondMaxFramesUntilNextKeyframe)
{
    sr_gop_cache_t *c = sr_gop_cache_new(true, 5);
    add(c, KEY, 0);
    for (int i = 1; i <= 4; i++) {
        add(c, INTER, 40 * i);
    }
    EXPECT_EQ(5u, sr_gop_cache_count(c)); // exactly max_frames is kept
    EXPECT_EQ(0u, sr_gop_cache_overflows(c));
    add(c, AAC, 170);
    EXPECT_EQ(0u, sr_gop_cache_count(c));
    EXPECT_EQ(1u, sr_gop_cache_overflows(c));
    add(c, INTER, 200); // no partial GOP after the discard
    add(c, AAC, 210);
    EXPECT_EQ(0u, sr_gop_cache_count(c));
    add(c, KEY, 240);
    add(c, AAC, 250);
    EXPECT_EQ(2u, sr_gop_cache_count(c));
    EXPECT_TRUE(sr_gop_cache_starts_with_keyframe(c));
    EXPECT_EQ(1u, sr_gop_cache_overflows(c));
    sr_gop_cache_free(c);
}

TEST(GopCache, ZeroMaxFramesMeansUnboundedGop)
{
    sr_gop_cache_t *c = sr_gop_cache_new(true, 0);
    add(c, KEY, 0);
    for (int i = 1; i < 3000; i++) {
        add(c, INTER, 40 * i);
    }
    EXPECT_EQ(3000u, sr_gop_cache_count(c));
    EXPECT_EQ(0u, sr_gop_cache_overflows(c));
    sr_gop_cache_free(c);
}

TEST(GopCache, AudioOnlyKeepsTheMostRecentFrames)
{
    sr_gop_cache_t *c = sr_gop_cache_new(true, 100);
    add(c, META, 0);
    add(c, ASEQ, 0);
    for (int i = 0; i < 1000; i++) { // wraps the ring many times
        add(c, AAC, 23 * i);
    }
    ASSERT_EQ(100u, sr_gop_cache_count(c));
    EXPECT_FALSE(sr_gop_cache_starts_with_keyframe(c));
    for (size_t i = 0; i < 100; i++) {
        EXPECT_EQ(23 * (900 + (int64_t)i), sr_gop_cache_at(c, i)->dts);
    }
    EXPECT_EQ(23 * 99, sr_gop_cache_duration_ms(c));
    EXPECT_EQ(0u, sr_gop_cache_overflows(c));
    sr_gop_cache_free(c);
}

TEST(GopCache, VideoAppearingDropsTheAudioOnlyCache)
{
    sr_gop_cache_t *c = sr_gop_cache_new(true, 100);
    for (int i = 0; i < 10; i++) {
        add(c, AAC, 23 * i);
    }
    EXPECT_EQ(10u, sr_gop_cache_count(c));
    add(c, VSEQ, 230); // the stream has video now: a player must start on a keyframe
    EXPECT_EQ(0u, sr_gop_cache_count(c));
    add(c, AAC, 253);
    add(c, INTER, 260);
    EXPECT_EQ(0u, sr_gop_cache_count(c));
    add(c, KEY, 300);
    add(c, AAC, 276);
    EXPECT_EQ(2u, sr_gop_cache_count(c));
    EXPECT_TRUE(sr_gop_cache_starts_with_keyframe(c));
    EXPECT_EQ(0, sr_gop_cache_duration_ms(c)); // out-of-order audio: never negative
    // a new publisher may be audio-only: clear forgets the video
    sr_gop_cache_clear(c);
    add(c, AAC, 0);
    EXPECT_EQ(1u, sr_gop_cache_count(c));
    sr_gop_cache_free(c);
}

TEST(GopCache, DisabledCachesNothing)
{
    sr_gop_cache_t *c = sr_gop_cache_new(false, SR_GOP_CACHE_DEFAULT_MAX_FRAMES);
    EXPECT_FALSE(sr_gop_cache_is_enabled(c));
    add(c, KEY, 0);
    add(c, INTER, 40);
    add(c, AAC, 50);
    EXPECT_EQ(0u, sr_gop_cache_count(c));
    sr_gop_cache_set_enabled(c, true);
    add(c, INTER, 80); // enabled mid-GOP: waits for a keyframe
    EXPECT_EQ(0u, sr_gop_cache_count(c));
    add(c, KEY, 120);
    add(c, INTER, 160);
    EXPECT_EQ(2u, sr_gop_cache_count(c));
    sr_gop_cache_set_enabled(c, false); // disabling releases the refs at once
    EXPECT_EQ(0u, sr_gop_cache_count(c));
    add(c, KEY, 200);
    EXPECT_EQ(0u, sr_gop_cache_count(c));
    sr_gop_cache_free(c);
    sr_gop_cache_free(NULL);
}

TEST(GopCache, MaxFramesChangeAppliesFromNextAdd)
{
    sr_gop_cache_t *c = sr_gop_cache_new(true, 0);
    add(c, KEY, 0);
    for (int i = 1; i < 10; i++) {
        add(c, INTER, 40 * i);
    }
    sr_gop_cache_set_max_frames(c, 8);
    EXPECT_EQ(10u, sr_gop_cache_count(c));
    add(c, INTER, 400);
    EXPECT_EQ(0u, sr_gop_cache_count(c));
    EXPECT_EQ(1u, sr_gop_cache_overflows(c));
    sr_gop_cache_free(c);
}
