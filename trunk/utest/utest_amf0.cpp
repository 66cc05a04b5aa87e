// SPDX-License-Identifier: MIT
// utest_amf0.cpp: the AMF0 codec against byte vectors written by hand from the AMF0
// spec, round trips, and hostile input (truncation, nesting, counts, bad markers).
#include <string>
#include <vector>

#include "sr_amf0.h"
#include "sr_utest.h"

typedef std::vector<uint8_t> Bytes;

static Bytes encode(const sr_amf0_t *v)
{
    sr_buf_t b;
    sr_buf_init(&b);
    sr_amf0_encode(v, &b);
    Bytes out(b.data, b.data + b.len);
    sr_buf_deinit(&b);
    return out;
}

// Decode exactly one value that must use every byte.
static sr_amf0_t *decode_whole(const Bytes &in)
{
    sr_reader_t r;
    sr_reader_init(&r, in.data(), in.size());
    sr_amf0_t *v = nullptr;
    int rc = sr_amf0_decode(&r, &v);
    EXPECT_EQ(SR_OK, rc) << sr_err_name(rc);
    EXPECT_EQ(0u, sr_reader_left(&r));
    return v;
}

static int decode_rc(const Bytes &in)
{
    sr_reader_t r;
    sr_reader_init(&r, in.data(), in.size());
    sr_amf0_t *v = nullptr;
    int rc = sr_amf0_decode(&r, &v);
    if (rc != SR_OK) {
        EXPECT_EQ(nullptr, v);
        EXPECT_EQ(0u, r.pos);
    }
    sr_amf0_free(v);
    return rc;
}

// Decode, check the type, re-encode, and expect the same bytes.
static void expect_round_trip(const Bytes &in, sr_amf0_type_t type)
{
    sr_amf0_t *v = decode_whole(in);
    ASSERT_NE(nullptr, v);
    EXPECT_EQ(type, sr_amf0_type(v));
    EXPECT_EQ(in, encode(v));
    sr_amf0_free(v);
}

static Bytes cat(std::initializer_list<Bytes> parts)
{
    Bytes out;
    for (const Bytes &p : parts) {
        out.insert(out.end(), p.begin(), p.end());
    }
    return out;
}

static const Bytes kOne = {0x00, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0}; // number 1.0
static const Bytes kEnd = {0x00, 0x00, 0x09};

// An object exercising every value type, nested: the truncation and round-trip subject.
static Bytes complex_object()
{
    return cat({{0x03},
                {0x00, 0x03, 'n', 'u', 'm'},
                kOne,
                {0x00, 0x01, 'b', 0x01, 0x01},
                {0x00, 0x01, 's', 0x02, 0x00, 0x02, 'h', 'i'},
                {0x00, 0x01, 'z', 0x05},
                {0x00, 0x01, 'u', 0x06},
                {0x00, 0x01, 'e', 0x08, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 'k', 0x02, 0x00, 0x01, 'v'},
                kEnd,
                {0x00, 0x01, 'a', 0x0a, 0x00, 0x00, 0x00, 0x02},
                kOne,
                {0x03, 0x00, 0x01, 'x', 0x05},
                kEnd,
                {0x00, 0x01, 'd', 0x0b, 0x42, 0x77, 0x48, 0x76, 0xe8, 0x00, 0x00, 0x00, 0xff, 0xc4},
                kEnd});
}

TEST(Amf0, NumberMatchesSpecBytes)
{
    sr_amf0_t *v = sr_amf0_number_new(1.0);
    EXPECT_EQ(kOne, encode(v));
    sr_amf0_free(v);
    expect_round_trip({0x00, 0xc0, 0x5e, 0xdc, 0, 0, 0, 0, 0}, SR_AMF0_NUMBER); // -123.4375
    v = decode_whole({0x00, 0xc0, 0x5e, 0xdc, 0, 0, 0, 0, 0});
    EXPECT_EQ(-123.4375, sr_amf0_number(v));
    sr_amf0_free(v);
}

TEST(Amf0, BooleanMatchesSpecBytes)
{
    expect_round_trip({0x01, 0x01}, SR_AMF0_BOOLEAN);
    expect_round_trip({0x01, 0x00}, SR_AMF0_BOOLEAN);
    sr_amf0_t *v = decode_whole({0x01, 0x05}); // any non-zero byte is true
    EXPECT_TRUE(sr_amf0_boolean(v));
    EXPECT_EQ((Bytes{0x01, 0x01}), encode(v));
    sr_amf0_free(v);
}

TEST(Amf0, StringMatchesSpecBytes)
{
    sr_amf0_t *v = sr_amf0_string_new("abc");
    EXPECT_EQ((Bytes{0x02, 0x00, 0x03, 'a', 'b', 'c'}), encode(v));
    sr_amf0_free(v);
    expect_round_trip({0x02, 0x00, 0x00}, SR_AMF0_STRING);
    v = decode_whole({0x02, 0x00, 0x03, 'a', 0x00, 'b'});
    size_t len = 0;
    const char *s = sr_amf0_string(v, &len);
    ASSERT_NE(nullptr, s);
    EXPECT_EQ(3u, len);
    EXPECT_EQ(0, memcmp(s, "a\0b", 4)); // embedded NUL kept, still NUL-terminated
    sr_amf0_free(v);
}

TEST(Amf0, LongStringOnlyWhenNeeded)
{
    std::string big(70000, 'x');
    sr_amf0_t *v = sr_amf0_string_newn(big.data(), big.size());
    Bytes b = encode(v);
    ASSERT_EQ(5 + big.size(), b.size());
    EXPECT_EQ((Bytes{0x0c, 0x00, 0x01, 0x11, 0x70}), Bytes(b.begin(), b.begin() + 5));
    sr_amf0_free(v);
    v = decode_whole(b);
    EXPECT_EQ(SR_AMF0_STRING, sr_amf0_type(v));
    size_t len = 0;
    const char *s = sr_amf0_string(v, &len);
    ASSERT_EQ(big.size(), len);
    EXPECT_TRUE(big == std::string(s, len)); // not EXPECT_EQ: a failure would print 70000 bytes
    sr_amf0_free(v);
    // a short long-string decodes as a string and re-encodes in the short form
    v = decode_whole({0x0c, 0x00, 0x00, 0x00, 0x02, 'h', 'i'});
    EXPECT_STREQ("hi", sr_amf0_string(v, nullptr));
    EXPECT_EQ((Bytes{0x02, 0x00, 0x02, 'h', 'i'}), encode(v));
    sr_amf0_free(v);
    // exactly 65535 bytes still fits a short string
    std::string edge(65535, 'y');
    sr_buf_t buf;
    sr_buf_init(&buf);
    sr_amf0_write_string(&buf, edge.c_str());
    EXPECT_EQ(3 + edge.size(), buf.len);
    EXPECT_EQ(0x02, buf.data[0]);
    sr_buf_deinit(&buf);
}

TEST(Amf0, NullUndefinedMatchSpecBytes)
{
    expect_round_trip({0x05}, SR_AMF0_NULL);
    expect_round_trip({0x06}, SR_AMF0_UNDEFINED);
}

TEST(Amf0, ObjectMatchesSpecBytes)
{
    sr_amf0_t *o = sr_amf0_object_new();
    sr_amf0_object_set_take(o, "a", sr_amf0_number_new(1.0));
    EXPECT_EQ(cat({{0x03, 0x00, 0x01, 'a'}, kOne, kEnd}), encode(o));
    sr_amf0_free(o);
    expect_round_trip(cat({{0x03}, kEnd}), SR_AMF0_OBJECT);
    // an empty key that is not followed by the end marker is an ordinary property
    o = decode_whole(cat({{0x03, 0x00, 0x00, 0x05}, kEnd}));
    EXPECT_EQ(1u, sr_amf0_object_count(o));
    EXPECT_EQ(SR_AMF0_NULL, sr_amf0_type(sr_amf0_object_get(o, "")));
    sr_amf0_free(o);
}

TEST(Amf0, EcmaArrayMatchesSpecBytes)
{
    Bytes ecma = cat({{0x08, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 'k', 0x02, 0x00, 0x01, 'v'}, kEnd});
    sr_amf0_t *o = sr_amf0_ecma_array_new();
    sr_amf0_object_set_take(o, "k", sr_amf0_string_new("v"));
    EXPECT_EQ(ecma, encode(o));
    sr_amf0_free(o);
    expect_round_trip(ecma, SR_AMF0_ECMA_ARRAY);
}

TEST(Amf0, EcmaArrayCountIsOnlyAHint)
{
    // count 0xffffffff with one property: no allocation from the count, read to the end marker
    sr_amf0_t *o = decode_whole(cat({{0x08, 0xff, 0xff, 0xff, 0xff, 0x00, 0x01, 'k', 0x05}, kEnd}));
    EXPECT_EQ(1u, sr_amf0_object_count(o));
    sr_amf0_free(o);
    o = decode_whole(cat({{0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 'k', 0x05, 0x00, 0x01, 'j', 0x06}, kEnd}));
    EXPECT_EQ(2u, sr_amf0_object_count(o));
    sr_amf0_free(o);
}

TEST(Amf0, EcmaArrayWithoutEndMarker)
{
    sr_amf0_t *o = decode_whole({0x08, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 'k', 0x02, 0x00, 0x01, 'v'});
    EXPECT_EQ(SR_AMF0_ECMA_ARRAY, sr_amf0_type(o));
    EXPECT_STREQ("v", sr_amf0_object_get_string(o, "k"));
    sr_amf0_free(o);
    // cut after the empty name of the end marker
    o = decode_whole({0x08, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 'k', 0x05, 0x00, 0x00});
    EXPECT_EQ(1u, sr_amf0_object_count(o));
    sr_amf0_free(o);
    // an object (unlike an ECMA array) must be ended
    EXPECT_SR_ERR(SR_ERTMP_AMF0, decode_rc({0x03, 0x00, 0x01, 'k', 0x05}));
}

TEST(Amf0, StrictArrayMatchesSpecBytes)
{
    Bytes arr = cat({{0x0a, 0x00, 0x00, 0x00, 0x02}, kOne, {0x01, 0x01}});
    sr_amf0_t *a = sr_amf0_strict_array_new();
    sr_amf0_array_push_take(a, sr_amf0_number_new(1.0));
    sr_amf0_array_push_take(a, sr_amf0_boolean_new(true));
    EXPECT_EQ(arr, encode(a));
    EXPECT_EQ(2u, sr_amf0_array_count(a));
    EXPECT_TRUE(sr_amf0_boolean(sr_amf0_array_at(a, 1)));
    EXPECT_EQ(nullptr, sr_amf0_array_at(a, 2));
    sr_amf0_free(a);
    expect_round_trip(arr, SR_AMF0_STRICT_ARRAY);
    expect_round_trip({0x0a, 0x00, 0x00, 0x00, 0x00}, SR_AMF0_STRICT_ARRAY);
}

TEST(Amf0, DateMatchesSpecBytes)
{
    // 1600000000000 ms = 0x42774876e8000000, timezone -60 = 0xffc4
    Bytes date = {0x0b, 0x42, 0x77, 0x48, 0x76, 0xe8, 0x00, 0x00, 0x00, 0xff, 0xc4};
    sr_amf0_t *d = sr_amf0_date_new(1600000000000.0, -60);
    EXPECT_EQ(date, encode(d));
    sr_amf0_free(d);
    d = decode_whole(date);
    EXPECT_EQ(SR_AMF0_DATE, sr_amf0_type(d));
    EXPECT_EQ(1600000000000.0, sr_amf0_date_ms(d));
    EXPECT_EQ(-60, sr_amf0_date_tz(d));
    sr_amf0_free(d);
}

TEST(Amf0, RefusesUnsupportedMarkers)
{
    const uint8_t markers[] = {0x04, 0x07, 0x09, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x20, 0xff};
    for (uint8_t m : markers) {
        SCOPED_TRACE(int(m));
        EXPECT_SR_ERR(SR_ERTMP_AMF0, decode_rc({m, 0x00, 0x00, 0x00, 0x00}));
    }
    EXPECT_SR_ERR(SR_ERTMP_AMF0, decode_rc({}));
}

TEST(Amf0, ObjectKeepsInsertionOrder)
{
    sr_amf0_t *o = sr_amf0_object_new();
    const char *keys[] = {"duration", "width", "height", "videocodecid", "audiocodecid"};
    for (size_t i = 0; i < 5; i++) {
        sr_amf0_object_set_take(o, keys[i], sr_amf0_number_new((double)i));
    }
    sr_amf0_object_set_take(o, "width", sr_amf0_string_new("replaced")); // keeps its slot
    ASSERT_EQ(5u, sr_amf0_object_count(o));
    EXPECT_STREQ("width", sr_amf0_object_key_at(o, 1));
    EXPECT_STREQ("replaced", sr_amf0_object_get_string(o, "width"));
    EXPECT_TRUE(sr_amf0_object_remove(o, "height"));
    EXPECT_FALSE(sr_amf0_object_remove(o, "height"));
    const char *left[] = {"duration", "width", "videocodecid", "audiocodecid"};
    ASSERT_EQ(4u, sr_amf0_object_count(o));
    for (size_t i = 0; i < 4; i++) {
        EXPECT_STREQ(left[i], sr_amf0_object_key_at(o, i));
    }
    EXPECT_EQ(3.0, sr_amf0_number(sr_amf0_object_value_at(o, 2)));
    EXPECT_EQ(nullptr, sr_amf0_object_key_at(o, 4));
    EXPECT_EQ(nullptr, sr_amf0_object_value_at(o, 4));
    EXPECT_EQ(4.0, sr_amf0_object_get_number(o, "audiocodecid", -1));
    EXPECT_EQ(-1, sr_amf0_object_get_number(o, "width", -1)); // a string, not a number
    EXPECT_EQ(-1, sr_amf0_object_get_number(o, "missing", -1));
    EXPECT_EQ(nullptr, sr_amf0_object_get_string(o, "duration"));
    sr_amf0_free(o);
}

TEST(Amf0, AccessorsGiveNeutralAnswersForWrongTypes)
{
    sr_amf0_t *n = sr_amf0_null_new();
    EXPECT_EQ(0, sr_amf0_number(n));
    EXPECT_FALSE(sr_amf0_boolean(n));
    size_t len = 99;
    EXPECT_EQ(nullptr, sr_amf0_string(n, &len));
    EXPECT_EQ(0u, len);
    EXPECT_EQ(0u, sr_amf0_object_count(n));
    EXPECT_EQ(nullptr, sr_amf0_object_get(n, "x"));
    EXPECT_EQ(0u, sr_amf0_array_count(n));
    sr_amf0_object_set_take(n, "x", sr_amf0_string_new("freed, not leaked"));
    sr_amf0_array_push_take(n, sr_amf0_number_new(1));
    EXPECT_FALSE(sr_amf0_object_remove(n, "x"));
    sr_amf0_free(n);
    EXPECT_EQ(SR_AMF0_UNDEFINED, sr_amf0_type(nullptr));
    EXPECT_EQ(nullptr, sr_amf0_object_get_string(nullptr, "x"));
    sr_amf0_free(nullptr);
}

TEST(Amf0, ComplexValueRoundTrips)
{
    Bytes in = complex_object();
    sr_amf0_t *o = decode_whole(in);
    ASSERT_NE(nullptr, o);
    EXPECT_EQ(8u, sr_amf0_object_count(o));
    EXPECT_EQ(1.0, sr_amf0_object_get_number(o, "num", 0));
    EXPECT_STREQ("hi", sr_amf0_object_get_string(o, "s"));
    EXPECT_STREQ("v", sr_amf0_object_get_string(sr_amf0_object_get(o, "e"), "k"));
    const sr_amf0_t *a = sr_amf0_object_get(o, "a");
    EXPECT_EQ(2u, sr_amf0_array_count(a));
    EXPECT_EQ(SR_AMF0_NULL, sr_amf0_type(sr_amf0_object_get(sr_amf0_array_at(a, 1), "x")));
    EXPECT_EQ(-60, sr_amf0_date_tz(sr_amf0_object_get(o, "d")));
    EXPECT_EQ(in, encode(o));
    sr_amf0_t *copy = sr_amf0_clone(o);
    sr_amf0_free(o);
    EXPECT_EQ(in, encode(copy));
    sr_amf0_free(copy);
}

TEST(Amf0, TruncationAtEveryOffsetFailsCleanly)
{
    Bytes in = complex_object();
    for (size_t n = 0; n < in.size(); n++) {
        Bytes cut(in.begin(), in.begin() + n);
        SCOPED_TRACE(n);
        EXPECT_SR_ERR(SR_ERTMP_AMF0, decode_rc(cut));
    }
    EXPECT_SR_OK(decode_rc(in));
}

TEST(Amf0, DecodeLeavesFollowingBytes)
{
    Bytes in = cat({kOne, {0x05}});
    sr_reader_t r;
    sr_reader_init(&r, in.data(), in.size());
    sr_amf0_t *v = nullptr;
    ASSERT_SR_OK(sr_amf0_decode(&r, &v));
    EXPECT_EQ(9u, r.pos);
    sr_amf0_free(v);
}

// n objects nested: {a: {a: ... null ...}}
static Bytes nested_objects(int n)
{
    Bytes b;
    for (int i = 0; i < n; i++) {
        b.insert(b.end(), {0x03, 0x00, 0x01, 'a'});
    }
    b.push_back(0x05);
    for (int i = 0; i < n; i++) {
        b.insert(b.end(), kEnd.begin(), kEnd.end());
    }
    return b;
}

static Bytes nested_arrays(int n)
{
    Bytes b;
    for (int i = 0; i < n; i++) {
        b.insert(b.end(), {0x0a, 0x00, 0x00, 0x00, 0x01});
    }
    b.push_back(0x05);
    return b;
}

TEST(Amf0, RefusesDeepNesting)
{
    EXPECT_SR_OK(decode_rc(nested_objects(SR_AMF0_MAX_DEPTH)));
    EXPECT_SR_ERR(SR_ERTMP_AMF0, decode_rc(nested_objects(SR_AMF0_MAX_DEPTH + 1)));
    EXPECT_SR_OK(decode_rc(nested_arrays(SR_AMF0_MAX_DEPTH)));
    EXPECT_SR_ERR(SR_ERTMP_AMF0, decode_rc(nested_arrays(SR_AMF0_MAX_DEPTH + 1)));
    EXPECT_SR_ERR(SR_ERTMP_AMF0, decode_rc(nested_arrays(100000))); // would smash a coroutine stack
    Bytes ecma;
    for (int i = 0; i < 1000; i++) {
        ecma.insert(ecma.end(), {0x08, 0, 0, 0, 1, 0x00, 0x01, 'a'});
    }
    EXPECT_SR_ERR(SR_ERTMP_AMF0, decode_rc(ecma));
}

TEST(Amf0, RefusesHugeCountsFast)
{
    EXPECT_SR_ERR(SR_ERTMP_AMF0, decode_rc({0x0a, 0xff, 0xff, 0xff, 0xff, 0x05, 0x05}));
    EXPECT_SR_ERR(SR_ERTMP_AMF0, decode_rc({0x0a, 0x00, 0x00, 0x00, 0x03, 0x05, 0x05}));
    EXPECT_SR_ERR(SR_ERTMP_AMF0, decode_rc({0x0c, 0xff, 0xff, 0xff, 0xff, 'a'}));
    EXPECT_SR_ERR(SR_ERTMP_AMF0, decode_rc({0x02, 0xff, 0xff, 'a'}));
}

TEST(Amf0, WritersMatchTreeEncoding)
{
    sr_amf0_t *o = sr_amf0_object_new();
    sr_amf0_object_set_take(o, "n", sr_amf0_number_new(2.5));
    sr_amf0_object_set_take(o, "b", sr_amf0_boolean_new(false));
    sr_amf0_object_set_take(o, "s", sr_amf0_string_new("str"));
    sr_amf0_object_set_take(o, "z", sr_amf0_null_new());
    sr_amf0_object_set_take(o, "u", sr_amf0_undefined_new());
    sr_amf0_t *e = sr_amf0_ecma_array_new();
    sr_amf0_object_set_take(e, "d", sr_amf0_date_new(5, 0));
    sr_amf0_object_set_take(o, "e", e);

    sr_buf_t b;
    sr_buf_init(&b);
    sr_amf0_write_object_start(&b);
    sr_amf0_write_property_name(&b, "n");
    sr_amf0_write_number(&b, 2.5);
    sr_amf0_write_property_name(&b, "b");
    sr_amf0_write_boolean(&b, false);
    sr_amf0_write_property_name(&b, "s");
    sr_amf0_write_string(&b, "str");
    sr_amf0_write_property_name(&b, "z");
    sr_amf0_write_null(&b);
    sr_amf0_write_property_name(&b, "u");
    sr_amf0_write_undefined(&b);
    sr_amf0_write_property_name(&b, "e");
    sr_amf0_write_ecma_array_start(&b, 1);
    sr_amf0_write_property_name(&b, "d");
    sr_amf0_write_date(&b, 5, 0);
    sr_amf0_write_object_end(&b);
    sr_amf0_write_object_end(&b);
    EXPECT_EQ(encode(o), Bytes(b.data, b.data + b.len));
    sr_buf_deinit(&b);
    sr_amf0_free(o);
}

TEST(Amf0, DecodeAllReadsBackToBack)
{
    Bytes in = cat({{0x02, 0x00, 0x01, 'x'}, kOne, {0x05}, cat({{0x03}, kEnd})});
    sr_amf0_t **vals = nullptr;
    size_t n = 0;
    ASSERT_SR_OK(sr_amf0_decode_all(in.data(), in.size(), &vals, &n));
    ASSERT_EQ(4u, n);
    EXPECT_STREQ("x", sr_amf0_string(vals[0], nullptr));
    EXPECT_EQ(1.0, sr_amf0_number(vals[1]));
    EXPECT_EQ(SR_AMF0_NULL, sr_amf0_type(vals[2]));
    EXPECT_EQ(SR_AMF0_OBJECT, sr_amf0_type(vals[3]));
    sr_amf0_free_all(vals, n);

    ASSERT_SR_OK(sr_amf0_decode_all(nullptr, 0, &vals, &n));
    EXPECT_EQ(0u, n);
    EXPECT_EQ(nullptr, vals);

    Bytes bad = cat({{0x02, 0x00, 0x01, 'x'}, kOne, {0x03, 0x00}});
    EXPECT_SR_ERR(SR_ERTMP_AMF0, sr_amf0_decode_all(bad.data(), bad.size(), &vals, &n));
    EXPECT_EQ(0u, n);
    EXPECT_EQ(nullptr, vals);
    sr_amf0_free_all(nullptr, 0);
}
