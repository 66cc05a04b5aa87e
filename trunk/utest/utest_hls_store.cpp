// SPDX-License-Identifier: MIT
// utest_hls_store.cpp: the in-memory cache of live HLS files (sr_hls_store.h):
// references, replacement under readers, expiry after the window's grace, the byte cap.
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include <string>

#include "sr_error.h"
#include "sr_hls_store.h"
#include "sr_utest.h"

namespace
{

sr_payload_t *Body(const std::string &s)
{
    return sr_payload_new_copy(s.data(), s.size());
}

std::string Text(const sr_payload_t *p)
{
    return std::string((const char *)p->data, p->size);
}

} // namespace

TEST(HlsStore, GetReturnsOwnReferenceThatOutlivesTheStore)
{
    sr_hls_store_t *s = sr_hls_store_new(1024);
    sr_hls_store_meta_t meta = {1764901885, -1, 0, 0};
    EXPECT_SR_OK(sr_hls_store_put_take(s, "/h/live/a-0.ts", Body("seg0"), &meta, 0));
    EXPECT_EQ(1u, sr_hls_store_count(s));
    EXPECT_EQ(4u, sr_hls_store_bytes(s));
    sr_hls_store_meta_t got = {};
    sr_payload_t *p = sr_hls_store_get(s, "/h/live/a-0.ts", 0, &got);
    EXPECT_EQ(1764901885, got.mtime_ns); // the file's: answers from memory carry the disk's validators
    ASSERT_NE(nullptr, p);
    EXPECT_EQ(2, p->refs);
    EXPECT_EQ(nullptr, sr_hls_store_get(s, "/h/live/a-1.ts", 0, NULL));
    EXPECT_EQ(nullptr, sr_hls_store_get(s, "/h/live/a-0.t", 0, NULL));
    sr_hls_store_free(s);
    EXPECT_EQ(1, p->refs);
    EXPECT_EQ("seg0", Text(p));
    sr_payload_unref(p);
}

// Whether fd is an open descriptor of this process.
bool IsOpen(int fd)
{
    return fcntl(fd, F_GETFD) >= 0;
}

TEST(HlsStore, HeldFilesCloseWhenTheirEntryStartsToLeave)
{
    sr_hls_store_t *s = sr_hls_store_new(1024);
    ASSERT_SR_OK(sr_hls_store_put_take(s, "/h/live/a-0.ts", Body("seg0"), NULL, 0));
    int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    sr_hls_store_attach_fd(s, "/h/live/a-0.ts", fd);
    int dup = sr_hls_store_dup_fd(s, "/h/live/a-0.ts", 0);
    ASSERT_GE(dup, 0); // the caller's own descriptor
    close(dup);
    // past the window: still answered from memory, but the file is closed at once (the
    // next put, which would sweep it, may never come when the streams have stopped)
    sr_hls_store_expire(s, "/h/live/a-0.ts", 0, 5 * SR_UTIME_S);
    EXPECT_FALSE(IsOpen(fd));
    EXPECT_EQ(-1, sr_hls_store_dup_fd(s, "/h/live/a-0.ts", 0));
    sr_payload_t *p = sr_hls_store_get(s, "/h/live/a-0.ts", 0, NULL);
    ASSERT_NE(nullptr, p);
    sr_payload_unref(p);
    // a file for a key without an entry, or an expiring one, is closed at once
    fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    sr_hls_store_attach_fd(s, "/h/live/a-0.ts", fd);
    EXPECT_FALSE(IsOpen(fd));
    fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    sr_hls_store_attach_fd(s, "/h/live/none.ts", fd);
    EXPECT_FALSE(IsOpen(fd));
    // and the store closes what it holds when the entry leaves
    ASSERT_SR_OK(sr_hls_store_put_take(s, "/h/live/a-1.ts", Body("seg1"), NULL, 0));
    fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    sr_hls_store_attach_fd(s, "/h/live/a-1.ts", fd);
    EXPECT_TRUE(IsOpen(fd));
    sr_hls_store_free(s);
    EXPECT_FALSE(IsOpen(fd));
}

TEST(HlsStore, ReplacementKeepsTheReadersBuffer)
{
    sr_hls_store_t *s = sr_hls_store_new(1024);
    EXPECT_SR_OK(sr_hls_store_put_take(s, "/h/live/a.m3u8", Body("#EXTM3U v1"), NULL, 0));
    sr_payload_t *old = sr_hls_store_get(s, "/h/live/a.m3u8", 0, NULL);
    EXPECT_SR_OK(sr_hls_store_put_take(s, "/h/live/a.m3u8", Body("#EXTM3U v2 longer"), NULL, 0));
    EXPECT_EQ(1u, sr_hls_store_count(s));
    EXPECT_EQ(17u, sr_hls_store_bytes(s));
    EXPECT_EQ(1, old->refs); /* only the reader holds it now */
    EXPECT_EQ("#EXTM3U v1", Text(old));
    sr_payload_t *cur = sr_hls_store_get(s, "/h/live/a.m3u8", 0, NULL);
    EXPECT_EQ("#EXTM3U v2 longer", Text(cur));
    sr_payload_unref(old);
    sr_payload_unref(cur);
    sr_hls_store_free(s);
}

TEST(HlsStore, ExpiresAfterGraceAndNowWithZero)
{
    sr_hls_store_t *s = sr_hls_store_new(1024);
    EXPECT_SR_OK(sr_hls_store_put_take(s, "/a-0.ts", Body("0"), NULL, 0));
    EXPECT_SR_OK(sr_hls_store_put_take(s, "/a-1.ts", Body("1"), NULL, 0));
    sr_hls_store_expire(s, "/a-0.ts", 100, 50);
    sr_hls_store_expire(s, "/absent.ts", 100, 50);
    sr_payload_t *p = sr_hls_store_get(s, "/a-0.ts", 149, NULL);
    ASSERT_NE(nullptr, p);
    sr_payload_unref(p);
    EXPECT_EQ(nullptr, sr_hls_store_get(s, "/a-0.ts", 150, NULL));
    EXPECT_EQ(1u, sr_hls_store_count(s));
    sr_hls_store_expire(s, "/a-1.ts", 200, 0);
    EXPECT_EQ(0u, sr_hls_store_count(s));
    EXPECT_EQ(0u, sr_hls_store_bytes(s));
    sr_hls_store_free(s);
}

TEST(HlsStore, PutSweepsExpiredEntries)
{
    sr_hls_store_t *s = sr_hls_store_new(1024);
    EXPECT_SR_OK(sr_hls_store_put_take(s, "/a-0.ts", Body("00"), NULL, 0));
    sr_hls_store_expire(s, "/a-0.ts", 0, 10);
    EXPECT_SR_OK(sr_hls_store_put_take(s, "/a-1.ts", Body("11"), NULL, 10));
    EXPECT_EQ(1u, sr_hls_store_count(s));
    EXPECT_EQ(2u, sr_hls_store_bytes(s));
    /* a replaced entry is fresh again: the new body has no expiry */
    sr_hls_store_expire(s, "/a-1.ts", 10, 5);
    EXPECT_SR_OK(sr_hls_store_put_take(s, "/a-1.ts", Body("111"), NULL, 12));
    sr_payload_t *p = sr_hls_store_get(s, "/a-1.ts", 1000, NULL);
    ASSERT_NE(nullptr, p);
    sr_payload_unref(p);
    sr_hls_store_free(s);
}

TEST(HlsStore, OverTheCapTheOldestLeaveFirst)
{
    sr_hls_store_t *s = sr_hls_store_new(10);
    EXPECT_SR_OK(sr_hls_store_put_take(s, "/a-0.ts", Body("0000"), NULL, 0));
    EXPECT_SR_OK(sr_hls_store_put_take(s, "/a-1.ts", Body("1111"), NULL, 0));
    EXPECT_SR_OK(sr_hls_store_put_take(s, "/a-0.ts", Body("0000"), NULL, 0)); /* replaced: now the newest */
    EXPECT_SR_OK(sr_hls_store_put_take(s, "/a-2.ts", Body("2222"), NULL, 0));
    EXPECT_EQ(2u, sr_hls_store_count(s));
    EXPECT_EQ(8u, sr_hls_store_bytes(s));
    EXPECT_EQ(nullptr, sr_hls_store_get(s, "/a-1.ts", 0, NULL));
    sr_payload_t *p = sr_hls_store_get(s, "/a-0.ts", 0, NULL);
    ASSERT_NE(nullptr, p);
    sr_payload_unref(p);
    /* larger than the whole store: not held, and the disk serves it */
    EXPECT_SR_OK(sr_hls_store_put_take(s, "/big.ts", Body("0123456789A"), NULL, 0));
    EXPECT_EQ(nullptr, sr_hls_store_get(s, "/big.ts", 0, NULL));
    sr_hls_store_set_cap(s, 4);
    EXPECT_EQ(1u, sr_hls_store_count(s));
    sr_hls_store_set_cap(s, 0);
    EXPECT_EQ(0u, sr_hls_store_count(s));
    sr_hls_store_free(s);
}

TEST(HlsStore, ManyKeysInOneBucketChain)
{
    sr_hls_store_t *s = sr_hls_store_new(1 << 20);
    for (int i = 0; i < 3000; i++) {
        std::string k = "/h/live/s-" + std::to_string(i) + ".ts";
        EXPECT_SR_OK(sr_hls_store_put_take(s, k.c_str(), Body(std::to_string(i)), NULL, 0));
    }
    EXPECT_EQ(3000u, sr_hls_store_count(s));
    for (int i = 0; i < 3000; i += 7) {
        std::string k = "/h/live/s-" + std::to_string(i) + ".ts";
        sr_payload_t *p = sr_hls_store_get(s, k.c_str(), 0, NULL);
        ASSERT_NE(nullptr, p);
        EXPECT_EQ(std::to_string(i), Text(p));
        sr_payload_unref(p);
        sr_hls_store_expire(s, k.c_str(), 0, 0);
    }
    EXPECT_EQ(3000u - 429u, sr_hls_store_count(s));
    sr_hls_store_free(s);
}

TEST(HlsStore, RejectsEmptyKeyAndDropsTheBody)
{
    sr_hls_store_t *s = sr_hls_store_new(1024);
    EXPECT_SR_ERR(SR_EINVAL, sr_hls_store_put_take(s, "", Body("x"), NULL, 0));
    EXPECT_EQ(0u, sr_hls_store_count(s));
    sr_hls_store_free(s);
}

TEST(HlsStore, KeyIsTheRealDirectoryAndTheFileName)
{
    char cwd[PATH_MAX], key[PATH_MAX];
    ASSERT_NE(nullptr, getcwd(cwd, sizeof(cwd)));
    EXPECT_SR_OK(sr_hls_store_key("./seg.ts", key, sizeof(key)));
    EXPECT_EQ(std::string(cwd) + "/seg.ts", key);
    EXPECT_SR_OK(sr_hls_store_key("seg.ts", key, sizeof(key)));
    EXPECT_EQ(std::string(cwd) + "/seg.ts", key);
    EXPECT_SR_OK(sr_hls_store_key("/tmp/../tmp/x.m3u8", key, sizeof(key)));
    EXPECT_STREQ("/tmp/x.m3u8", key);
    EXPECT_SR_OK(sr_hls_store_key("/x.ts", key, sizeof(key)));
    EXPECT_STREQ("/x.ts", key);
    EXPECT_SR_ERR(SR_ENOT_FOUND, sr_hls_store_key("/no/such/dir/x.ts", key, sizeof(key)));
}

TEST(HlsStore, ExpectedKeysWaitForTheirBody)
{
    sr_hls_store_t *s = sr_hls_store_new(1 << 20);
    EXPECT_SR_OK(sr_hls_store_expect(s, "/h/live/a-3.2.m4s", 100, 50));
    EXPECT_TRUE(sr_hls_store_is_expected(s, "/h/live/a-3.2.m4s", 120));
    EXPECT_EQ(nullptr, sr_hls_store_get(s, "/h/live/a-3.2.m4s", 120, NULL)); // nothing to serve yet
    EXPECT_EQ(0u, sr_hls_store_bytes(s));
    EXPECT_FALSE(sr_hls_store_is_expected(s, "/h/live/a-3.2.m4s", 150)); // the hint lapsed
    EXPECT_SR_OK(sr_hls_store_expect(s, "/h/live/a-3.3.m4s", 200, 50));
    EXPECT_SR_OK(sr_hls_store_put_take(s, "/h/live/a-3.3.m4s", Body("part"), NULL, 210));
    EXPECT_FALSE(sr_hls_store_is_expected(s, "/h/live/a-3.3.m4s", 220));
    sr_payload_t *p = sr_hls_store_get(s, "/h/live/a-3.3.m4s", 220, NULL);
    ASSERT_NE(nullptr, p);
    EXPECT_EQ("part", Text(p));
    sr_payload_unref(p);
    EXPECT_SR_OK(sr_hls_store_expect(s, "/h/live/a-3.3.m4s", 230, 50)); // a body stays
    EXPECT_FALSE(sr_hls_store_is_expected(s, "/h/live/a-3.3.m4s", 240));
    EXPECT_EQ(4u, sr_hls_store_bytes(s));
    sr_hls_store_free(s);
}
