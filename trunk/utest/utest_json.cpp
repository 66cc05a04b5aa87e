// SPDX-License-Identifier: MIT
// utest_json.cpp: the JSON writer (byte-exact output, escaping, numbers, misuse) and
// parser (hook answers, escapes, every malformed case, depth limit), and round trips.
#include <cmath>
#include <functional>
#include <string>

#include "sr_json.h"
#include "sr_utest.h"

namespace
{

// Run fn on a fresh writer; return the output. *rc gets sr_json_writer_finish.
std::string write_json(const std::function<void(sr_json_writer_t *)> &fn, int *rc = nullptr)
{
    sr_buf_t b;
    sr_buf_init(&b);
    sr_json_writer_t w;
    sr_json_writer_init(&w, &b);
    fn(&w);
    int finish = sr_json_writer_finish(&w);
    if (rc) {
        *rc = finish;
    } else {
        EXPECT_SR_OK(finish);
    }
    std::string s(reinterpret_cast<const char *>(b.data), b.len);
    sr_buf_deinit(&b);
    return s;
}

std::string write_string(const std::string &in)
{
    return write_json([&](sr_json_writer_t *w) { sr_json_writer_stringn(w, in.data(), in.size()); });
}

std::string write_double(double v)
{
    return write_json([&](sr_json_writer_t *w) { sr_json_writer_double(w, v); });
}

int parse(const std::string &text, sr_json_t **out)
{
    return sr_json_parse(text.data(), text.size(), out);
}

// The code sr_json_parse returns for text; checks that a failure yields NULL.
int parse_rc(const std::string &text)
{
    sr_json_t *v = reinterpret_cast<sr_json_t *>(1);
    int rc = parse(text, &v);
    if (rc) {
        EXPECT_EQ(nullptr, v) << text;
    }
    sr_json_free(v);
    return rc;
}

std::string parsed_string(const std::string &text)
{
    sr_json_t *v = nullptr;
    EXPECT_SR_OK(parse(text, &v));
    size_t len = 0;
    const char *s = sr_json_string(v, &len);
    std::string out = s ? std::string(s, len) : std::string("<not a string>");
    sr_json_free(v);
    return out;
}

} // namespace

// ---- writer ----

TEST(JsonWriter, WritesNestedObjectsAndArraysByteExact)
{
    std::string s = write_json([](sr_json_writer_t *w) {
        sr_json_writer_object_start(w);
        sr_json_writer_kv_int(w, "code", 0);
        sr_json_writer_kv_string(w, "server", "strand");
        sr_json_writer_key(w, "streams");
        sr_json_writer_array_start(w);
        sr_json_writer_object_start(w);
        sr_json_writer_kv_uint(w, "id", 18446744073709551615ull);
        sr_json_writer_kv_bool(w, "publish", true);
        sr_json_writer_kv_bool(w, "active", false);
        sr_json_writer_kv_double(w, "kbps", 12.5);
        sr_json_writer_kv_string(w, "tcUrl", nullptr);
        sr_json_writer_object_end(w);
        sr_json_writer_array_start(w);
        sr_json_writer_array_end(w);
        sr_json_writer_object_start(w);
        sr_json_writer_object_end(w);
        sr_json_writer_int(w, INT64_MIN);
        sr_json_writer_null(w);
        sr_json_writer_string(w, "x");
        sr_json_writer_array_end(w);
        sr_json_writer_object_end(w);
    });
    EXPECT_EQ("{\"code\":0,\"server\":\"strand\",\"streams\":[{\"id\":18446744073709551615,\"publish\":true,"
              "\"active\":false,\"kbps\":12.5,\"tcUrl\":null},[],{},-9223372036854775808,null,\"x\"]}",
              s);
}

TEST(JsonWriter, WritesEveryScalarAtTopLevel)
{
    EXPECT_EQ("true", write_json([](sr_json_writer_t *w) { sr_json_writer_bool(w, true); }));
    EXPECT_EQ("null", write_json([](sr_json_writer_t *w) { sr_json_writer_null(w); }));
    EXPECT_EQ("null", write_json([](sr_json_writer_t *w) { sr_json_writer_string(w, nullptr); }));
    EXPECT_EQ("-42", write_json([](sr_json_writer_t *w) { sr_json_writer_int(w, -42); }));
    EXPECT_EQ("\"\"", write_json([](sr_json_writer_t *w) { sr_json_writer_string(w, ""); }));
}

TEST(JsonWriter, AppendsToExistingBuffer)
{
    sr_buf_t b;
    sr_buf_init(&b);
    sr_buf_put_str(&b, "data: ");
    sr_json_writer_t w;
    sr_json_writer_init(&w, &b);
    sr_json_writer_array_start(&w);
    sr_json_writer_int(&w, 1);
    sr_json_writer_int(&w, 2);
    sr_json_writer_array_end(&w);
    EXPECT_SR_OK(sr_json_writer_finish(&w));
    EXPECT_EQ("data: [1,2]", std::string(reinterpret_cast<const char *>(b.data), b.len));
    sr_buf_deinit(&b);
}

TEST(JsonWriter, EscapesPerRfc8259)
{
    const struct {
        std::string in;
        std::string out;
    } cases[] = {
        {"plain", "\"plain\""},
        {"a\"b", "\"a\\\"b\""},
        {"a\\b", "\"a\\\\b\""},
        {"/", "\"/\""},
        {"\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\""},
        {std::string("\x00\x01\x1f", 3), "\"\\u0000\\u0001\\u001f\""},
        {"\x0b\x7f", "\"\\u000b\x7f\""},
        {"caf\xc3\xa9 \xe4\xb8\xad \xf0\x9f\x98\x80", "\"caf\xc3\xa9 \xe4\xb8\xad \xf0\x9f\x98\x80\""}, // kept
        {"\xef\xbf\xbf\xf4\x8f\xbf\xbf", "\"\xef\xbf\xbf\xf4\x8f\xbf\xbf\""},         // U+FFFF, U+10FFFF
        {"a\xffz", "\"a\xef\xbf\xbdz\""},                                             // bad lead byte
        {"\x80", "\"\xef\xbf\xbd\""},                                                 // lone continuation
        {"\xc3", "\"\xef\xbf\xbd\""},                                                 // truncated at end
        {"\xc3(", "\"\xef\xbf\xbd(\""},                                               // bad continuation
        {"\xc0\xaf", "\"\xef\xbf\xbd\xef\xbf\xbd\""},                                 // overlong '/'
        {"\xe0\x80\xaf", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""},                 // overlong 3-byte
        {"\xed\xa0\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""},                 // UTF-8 surrogate
        {"\xf4\x90\x80\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""}, // > U+10FFFF
    };
    for (const auto &c : cases) {
        EXPECT_EQ(c.out, write_string(c.in)) << "input bytes: " << c.in.size();
    }
}

TEST(JsonWriter, EscapesKeys)
{
    EXPECT_EQ("{\"a\\\"\\n\xef\xbf\xbd\":1}", write_json([](sr_json_writer_t *w) {
                  sr_json_writer_object_start(w);
                  sr_json_writer_kv_int(w, "a\"\n\xfe", 1);
                  sr_json_writer_object_end(w);
              }));
}

TEST(JsonWriter, FormatsDoubles)
{
    EXPECT_EQ("0", write_double(0.0));
    EXPECT_EQ("0", write_double(-0.0));
    EXPECT_EQ("-0.5", write_double(-0.5));
    EXPECT_EQ("3", write_double(3.0));
    EXPECT_EQ("12.5", write_double(12.5));
    EXPECT_EQ("0.1", write_double(0.1));
    EXPECT_EQ("0.30000000000000004", write_double(0.1 + 0.2));
    EXPECT_EQ("1e+21", write_double(1e21));
    EXPECT_EQ("1000000000000000", write_double(1e15));
    EXPECT_EQ("-9007199254740991", write_double(-9007199254740991.0));
    EXPECT_EQ("1e-07", write_double(1e-7));
    EXPECT_EQ("1.7976931348623157e+308", write_double(1.7976931348623157e308));
    EXPECT_EQ("null", write_double(NAN));
    EXPECT_EQ("null", write_double(INFINITY));
    EXPECT_EQ("null", write_double(-INFINITY));
}

TEST(JsonWriter, MisuseIsStickyError)
{
    const std::function<void(sr_json_writer_t *)> bad[] = {
        [](sr_json_writer_t *w) {},                                  // nothing written
        [](sr_json_writer_t *w) { sr_json_writer_object_start(w); }, // unclosed
        [](sr_json_writer_t *w) {
            sr_json_writer_object_start(w);
            sr_json_writer_int(w, 1); // value where a key is due
            sr_json_writer_object_end(w);
        },
        [](sr_json_writer_t *w) {
            sr_json_writer_array_start(w);
            sr_json_writer_key(w, "k"); // key in an array
            sr_json_writer_array_end(w);
        },
        [](sr_json_writer_t *w) {
            sr_json_writer_object_start(w);
            sr_json_writer_key(w, "k"); // key without value
            sr_json_writer_object_end(w);
        },
        [](sr_json_writer_t *w) {
            sr_json_writer_object_start(w);
            sr_json_writer_array_end(w); // mismatched end
        },
        [](sr_json_writer_t *w) { sr_json_writer_array_end(w); }, // end with nothing open
        [](sr_json_writer_t *w) {
            sr_json_writer_int(w, 1);
            sr_json_writer_int(w, 2); // second top-level value
        },
        [](sr_json_writer_t *w) {
            for (int i = 0; i < SR_JSON_MAX_DEPTH + 1; i++) {
                sr_json_writer_array_start(w);
            }
            for (int i = 0; i < SR_JSON_MAX_DEPTH + 1; i++) {
                sr_json_writer_array_end(w);
            }
        },
        [](sr_json_writer_t *w) {
            sr_json_writer_object_start(w);
            sr_json_writer_key(w, nullptr);
            sr_json_writer_int(w, 1);
            sr_json_writer_object_end(w);
        },
    };
    for (size_t i = 0; i < SR_ARRAY_SIZE(bad); i++) {
        int rc = 0;
        write_json(bad[i], &rc);
        EXPECT_EQ(-SR_EJSON, rc) << "case " << i;
    }
    // After misuse, nothing more is written.
    int rc = 0;
    EXPECT_EQ("[", write_json(
                       [](sr_json_writer_t *w) {
                           sr_json_writer_array_start(w);
                           sr_json_writer_key(w, "k");
                           sr_json_writer_int(w, 1);
                           sr_json_writer_array_end(w);
                       },
                       &rc));
    EXPECT_EQ(-SR_EJSON, rc);
}

TEST(JsonWriter, AcceptsMaxDepth)
{
    std::string s = write_json([](sr_json_writer_t *w) {
        for (int i = 0; i < SR_JSON_MAX_DEPTH; i++) {
            sr_json_writer_array_start(w);
        }
        for (int i = 0; i < SR_JSON_MAX_DEPTH; i++) {
            sr_json_writer_array_end(w);
        }
    });
    EXPECT_EQ(std::string(SR_JSON_MAX_DEPTH, '[') + std::string(SR_JSON_MAX_DEPTH, ']'), s);
}

// ---- parser ----

TEST(JsonParse, ParsesBareNumberHookAnswer)
{
    sr_json_t *v = nullptr;
    ASSERT_SR_OK(parse("0", &v));
    EXPECT_EQ(SR_JSON_NUMBER, sr_json_type(v));
    int64_t code = -1;
    EXPECT_TRUE(sr_json_int(v, &code));
    EXPECT_EQ(0, code);
    sr_json_free(v);
    ASSERT_SR_OK(parse(" \r\n\t0 \n", &v));
    sr_json_free(v);
}

TEST(JsonParse, ParsesCodeObject)
{
    sr_json_t *v = nullptr;
    ASSERT_SR_OK(parse("{\"code\":0}", &v));
    int64_t code = -1;
    EXPECT_TRUE(sr_json_int(sr_json_get(v, "code"), &code));
    EXPECT_EQ(0, code);
    EXPECT_EQ(nullptr, sr_json_get(v, "missing"));
    EXPECT_FALSE(sr_json_int(sr_json_get(v, "missing"), &code)); // chains through NULL
    EXPECT_EQ(SR_JSON_NONE, sr_json_type(sr_json_get(v, "missing")));
    sr_json_free(v);
}

TEST(JsonParse, ParsesNestedHookAnswer)
{
    sr_json_t *v = nullptr;
    ASSERT_SR_OK(parse("{\"code\": 0, \"data\": {\"a\":[1,2,{\"b\":null}]}}", &v));
    ASSERT_EQ(SR_JSON_OBJECT, sr_json_type(v));
    EXPECT_EQ(2u, sr_json_object_count(v));
    EXPECT_STREQ("code", sr_json_object_key_at(v, 0));
    EXPECT_STREQ("data", sr_json_object_key_at(v, 1));
    EXPECT_EQ(nullptr, sr_json_object_key_at(v, 2));
    sr_json_t *a = sr_json_get(sr_json_get(v, "data"), "a");
    ASSERT_EQ(SR_JSON_ARRAY, sr_json_type(a));
    ASSERT_EQ(3u, sr_json_array_count(a));
    int64_t i = 0;
    EXPECT_TRUE(sr_json_int(sr_json_array_at(a, 1), &i));
    EXPECT_EQ(2, i);
    sr_json_t *b = sr_json_get(sr_json_array_at(a, 2), "b");
    EXPECT_EQ(SR_JSON_NULL, sr_json_type(b));
    EXPECT_EQ(sr_json_object_value_at(sr_json_array_at(a, 2), 0), b);
    EXPECT_EQ(nullptr, sr_json_array_at(a, 3));
    EXPECT_EQ(nullptr, sr_json_get(a, "b")); // not an object
    EXPECT_EQ(0u, sr_json_object_count(a));
    EXPECT_EQ(0u, sr_json_array_count(v));
    sr_json_free(v);
}

TEST(JsonParse, ParsesScalars)
{
    sr_json_t *v = nullptr;
    bool b = false;
    ASSERT_SR_OK(parse("[true,false,null,-0.5,1e3,2.0,1.5,9223372036854775807,-9223372036854775808,"
                       "9223372036854775808,1e-400]",
                       &v));
    EXPECT_TRUE(sr_json_bool(sr_json_array_at(v, 0), &b) && b);
    EXPECT_TRUE(sr_json_bool(sr_json_array_at(v, 1), &b) && !b);
    EXPECT_FALSE(sr_json_bool(sr_json_array_at(v, 2), &b));
    double d = 0;
    int64_t i = 0;
    EXPECT_TRUE(sr_json_number(sr_json_array_at(v, 3), &d));
    EXPECT_EQ(-0.5, d);
    EXPECT_FALSE(sr_json_int(sr_json_array_at(v, 3), &i));
    EXPECT_TRUE(sr_json_int(sr_json_array_at(v, 4), &i));
    EXPECT_EQ(1000, i);
    EXPECT_TRUE(sr_json_int(sr_json_array_at(v, 5), &i));
    EXPECT_EQ(2, i);
    EXPECT_FALSE(sr_json_int(sr_json_array_at(v, 6), &i));
    EXPECT_TRUE(sr_json_int(sr_json_array_at(v, 7), &i));
    EXPECT_EQ(INT64_MAX, i);
    EXPECT_TRUE(sr_json_int(sr_json_array_at(v, 8), &i));
    EXPECT_EQ(INT64_MIN, i);
    EXPECT_FALSE(sr_json_int(sr_json_array_at(v, 9), &i)); // beyond int64, still a number
    EXPECT_TRUE(sr_json_number(sr_json_array_at(v, 9), &d));
    EXPECT_TRUE(sr_json_number(sr_json_array_at(v, 10), &d)); // underflow is fine
    EXPECT_EQ(0.0, d);
    EXPECT_EQ(nullptr, sr_json_string(sr_json_array_at(v, 0), nullptr));
    EXPECT_FALSE(sr_json_number(sr_json_array_at(v, 0), &d));
    sr_json_free(v);
}

TEST(JsonParse, DecodesStringEscapes)
{
    EXPECT_EQ("a\"b\\c/d\b\f\n\r\t", parsed_string("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\""));
    EXPECT_EQ("A\xc3\xa9\xe4\xb8\xad", parsed_string("\"\\u0041\\u00E9\\u4e2d\""));
    EXPECT_EQ(std::string("x\0y", 3), parsed_string("\"x\\u0000y\""));
    EXPECT_EQ("\xf0\x9f\x98\x80", parsed_string("\"\\ud83d\\ude00\""));                           // surrogate pair
    EXPECT_EQ("\xf4\x8f\xbf\xbf", parsed_string("\"\\uDBFF\\uDFFF\""));                           // U+10FFFF
    EXPECT_EQ("caf\xc3\xa9 \xf0\x9f\x98\x80", parsed_string("\"caf\xc3\xa9 \xf0\x9f\x98\x80\"")); // raw UTF-8
    EXPECT_EQ("", parsed_string("\"\""));
}

TEST(JsonParse, KeepsDuplicateKeysAndGetsTheLast)
{
    sr_json_t *v = nullptr;
    ASSERT_SR_OK(parse("{\"a\":1,\"a\\u0000\":3,\"a\":2}", &v));
    EXPECT_EQ(3u, sr_json_object_count(v));
    int64_t i = 0;
    EXPECT_TRUE(sr_json_int(sr_json_get(v, "a"), &i));
    EXPECT_EQ(2, i);
    sr_json_free(v);
}

TEST(JsonParse, RefusesMalformedText)
{
    const std::string bad[] = {
        "",
        " ",
        "[1,]",
        "{\"a\":1,}",
        "[,1]",
        "{,}",
        "[1 2]",
        "{\"a\" 1}",
        "{\"a\":}",
        "{a:1}",
        "{\"a\"}",
        "{1:2}",
        "[",
        "]",
        "{",
        "[1",
        "{\"a\":1",
        "\"abc",
        "\"abc\\\"",
        "\"\\x\"",
        "\"\\u12\"",
        "\"\\u12g4\"",
        "\"\\'\"",
        "01",
        "-01",
        "00",
        "-",
        "+1",
        ".5",
        "1.",
        "1.e3",
        "1e",
        "1e+",
        "0x10",
        "1e400",
        "-1e400",
        "NaN",
        "Infinity",
        "tru",
        "nul",
        "True",
        "nulll",
        "\"\\ud83d\"",
        "\"\\ude00\"",
        "\"\\ud83d\\u0041\"",
        "\"\\ud83dx\"",
        "\"a\nb\"",
        std::string("\"a\0b\"", 5),
        "\"\xff\"",
        "\"\xc0\xaf\"",
        "\"\xed\xa0\x80\"",
        "\"\xc3\"",
        "0 0",
        "{} x",
        "[]]",
        "\"a\"\"b\"",
        "1/",
        "null,",
        std::string("1\0", 2),
        "\xef\xbb\xbf{}",
        "'a'",
        "[1]\x0b",
    };
    for (const auto &text : bad) {
        EXPECT_EQ(-SR_EJSON, parse_rc(text)) << "accepted: " << text;
    }
    sr_json_t *v = nullptr;
    EXPECT_SR_ERR(SR_EJSON, sr_json_parse(nullptr, 0, &v));
}

TEST(JsonParse, LimitsDepth)
{
    std::string ok = std::string(SR_JSON_MAX_DEPTH, '[') + std::string(SR_JSON_MAX_DEPTH, ']');
    EXPECT_SR_OK(parse_rc(ok));
    std::string deep = std::string(SR_JSON_MAX_DEPTH + 1, '[') + std::string(SR_JSON_MAX_DEPTH + 1, ']');
    EXPECT_EQ(-SR_EJSON, parse_rc(deep));
    std::string objs;
    for (int i = 0; i < SR_JSON_MAX_DEPTH + 1; i++) {
        objs += "{\"a\":";
    }
    objs += "1" + std::string(SR_JSON_MAX_DEPTH + 1, '}');
    EXPECT_EQ(-SR_EJSON, parse_rc(objs));
    objs = objs.substr(5, objs.size() - 6); // 32 levels
    EXPECT_SR_OK(parse_rc(objs));
}

TEST(JsonParse, RefusesHugeNestingWithoutStackOverflow)
{
    EXPECT_EQ(-SR_EJSON, parse_rc(std::string(100000, '[')));
    EXPECT_EQ(-SR_EJSON, parse_rc(std::string(100000, '[') + std::string(100000, ']')));
}

TEST(JsonParse, FreesPartialTreesOnError)
{
    // ASan reports a leak if the half-built tree is not freed.
    EXPECT_EQ(-SR_EJSON, parse_rc("{\"a\":[1,\"x\",{\"b\":[true,{}]}],\"c\":\"unterminated"));
    EXPECT_EQ(-SR_EJSON, parse_rc("[[1,2],[3,4],[5,\"\\q\"]]"));
}

TEST(JsonParse, ParsesWithoutNulTerminator)
{
    const char text[] = {'[', '1', '2', ']', '9'}; // only the first 4 bytes are the text
    sr_json_t *v = nullptr;
    ASSERT_SR_OK(sr_json_parse(text, 4, &v));
    int64_t i = 0;
    EXPECT_TRUE(sr_json_int(sr_json_array_at(v, 0), &i));
    EXPECT_EQ(12, i);
    sr_json_free(v);
    ASSERT_SR_OK(sr_json_parse("123", 2, &v)); // a number cut by len
    EXPECT_TRUE(sr_json_int(v, &i));
    EXPECT_EQ(12, i);
    sr_json_free(v);
}

// ---- round trip ----

TEST(Json, WriterOutputParsesBack)
{
    const double doubles[] = {0.1, -0.5, 12.5, 1e21, 5e-324, 1.7976931348623157e308, 123456.789, 1.0 / 3};
    std::string garbage("name\xff\x01\"\\/\xf0\x9f\x98\x80");
    std::string text = write_json([&](sr_json_writer_t *w) {
        sr_json_writer_object_start(w);
        sr_json_writer_key(w, "doubles");
        sr_json_writer_array_start(w);
        for (double d : doubles) {
            sr_json_writer_double(w, d);
        }
        sr_json_writer_array_end(w);
        sr_json_writer_kv_int(w, "min", INT64_MIN);
        sr_json_writer_kv_uint(w, "big", 1ull << 60);
        sr_json_writer_kv_bool(w, "ok", true);
        sr_json_writer_key(w, "stream");
        sr_json_writer_stringn(w, garbage.data(), garbage.size());
        sr_json_writer_kv_string(w, "none", nullptr);
        sr_json_writer_object_end(w);
    });
    sr_json_t *v = nullptr;
    ASSERT_SR_OK(parse(text, &v));
    sr_json_t *ds = sr_json_get(v, "doubles");
    ASSERT_EQ(SR_ARRAY_SIZE(doubles), sr_json_array_count(ds));
    for (size_t i = 0; i < SR_ARRAY_SIZE(doubles); i++) {
        double d = 0;
        EXPECT_TRUE(sr_json_number(sr_json_array_at(ds, i), &d));
        EXPECT_EQ(doubles[i], d) << i; // exact: the writer prints round-trip digits
    }
    int64_t i = 0;
    EXPECT_TRUE(sr_json_int(sr_json_get(v, "min"), &i));
    EXPECT_EQ(INT64_MIN, i);
    EXPECT_TRUE(sr_json_int(sr_json_get(v, "big"), &i));
    EXPECT_EQ(int64_t(1) << 60, i);
    size_t len = 0;
    const char *s = sr_json_string(sr_json_get(v, "stream"), &len);
    ASSERT_NE(nullptr, s);
    EXPECT_EQ(std::string("name\xef\xbf\xbd\x01\"\\/\xf0\x9f\x98\x80"), std::string(s, len));
    EXPECT_EQ(SR_JSON_NULL, sr_json_type(sr_json_get(v, "none")));
    sr_json_free(v);
}
