// SPDX-License-Identifier: MIT
// sr_utest_m3u8_attr.h: the value syntax of HLS playlists (RFC 8216 4.2 and
// draft-pantos-hls-rfc8216bis 4.2): attribute lists, decimal integers and floats,
// enumerated and quoted strings, and the ISO 8601 date-time of
// EXT-X-PROGRAM-DATE-TIME. The pieces sr_utest_m3u8_check.h validates playlists with;
// test code only, strict on purpose (a writer we test should never rely on a lenient
// reader). A syntax error throws SrM3u8Fail with its reason; the checker adds the line.
#ifndef SR_UTEST_M3U8_ATTR_H
#define SR_UTEST_M3U8_ATTR_H

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <map>
#include <string>
#include <vector>

// The first rule a playlist breaks: line is 1-based (the line after the last one for a
// rule about the whole playlist), why names the rule's section.
struct SrM3u8Fail {
    int line;
    std::string why;
};

[[noreturn]] inline void SrM3u8Throw(int line, const char *fmt, ...)
{
    char b[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b, sizeof(b), fmt, ap);
    va_end(ap);
    throw SrM3u8Fail{line, b};
}

// One attribute's value: quoted strings without their quotes.
struct SrM3u8Attr {
    bool is_quoted;
    std::string value;
};
typedef std::map<std::string, SrM3u8Attr> SrM3u8Attrs;

// RFC 8216 4.2: decimal-integer, 1 to 20 digits, no sign, within 0..2^64-1.
inline bool SrM3u8IsInteger(const std::string &s, unsigned long long *out = nullptr)
{
    if (s.empty() || s.size() > 20 || s.find_first_not_of("0123456789") != std::string::npos) {
        return false;
    }
    if (s.size() == 20 && s > "18446744073709551615") {
        return false;
    }
    if (out) {
        *out = strtoull(s.c_str(), nullptr, 10);
    }
    return true;
}

// RFC 8216 4.2: decimal-floating-point is digits and at most one '.' (no sign, no
// exponent); signed-decimal-floating-point may start with '-'.
inline bool SrM3u8IsFloat(const std::string &s, double *out = nullptr, bool is_signed = false)
{
    size_t i = is_signed && !s.empty() && s[0] == '-' ? 1 : 0;
    std::string body = s.substr(i);
    if (body.empty() || body.find_first_not_of("0123456789.") != std::string::npos ||
        body.find('.') != body.rfind('.') || body == ".") {
        return false;
    }
    if (out) {
        *out = strtod(s.c_str(), nullptr);
    }
    return true;
}

// Parse an attribute-list (RFC 8216 4.2): NAME=VALUE pairs separated by commas, names
// of [A-Z0-9-], values quoted (no CR, LF or '"' inside) or unquoted (no '"', ',' or
// white space), no name twice, no empty value, no trailing comma.
inline SrM3u8Attrs SrM3u8ParseAttrs(const std::string &s, const char *tag)
{
    SrM3u8Attrs out;
    size_t i = 0;
    if (s.empty()) {
        SrM3u8Throw(0, "%s has an empty attribute-list (RFC 8216 4.2)", tag);
    }
    while (i < s.size()) {
        size_t eq = s.find('=', i);
        std::string name = s.substr(i, eq == std::string::npos ? std::string::npos : eq - i);
        if (eq == std::string::npos || name.empty() ||
            name.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") != std::string::npos) {
            SrM3u8Throw(0, "%s: bad AttributeName \"%s\" (RFC 8216 4.2)", tag, name.c_str());
        }
        SrM3u8Attr a = {false, ""};
        i = eq + 1;
        if (i < s.size() && s[i] == '"') {
            size_t close = s.find('"', i + 1);
            if (close == std::string::npos) {
                SrM3u8Throw(0, "%s: %s has an unterminated quoted-string (RFC 8216 4.2)", tag, name.c_str());
            }
            a = {true, s.substr(i + 1, close - i - 1)};
            i = close + 1;
        } else {
            size_t end = s.find(',', i);
            a.value = s.substr(i, end == std::string::npos ? std::string::npos : end - i);
            i = end == std::string::npos ? s.size() : end;
            if (a.value.empty() || a.value.find_first_of("\" \t") != std::string::npos) {
                SrM3u8Throw(0, "%s: %s has an empty or malformed value (RFC 8216 4.2)", tag, name.c_str());
            }
        }
        if (out.count(name)) {
            SrM3u8Throw(0, "%s: attribute %s appears twice (RFC 8216 4.2)", tag, name.c_str());
        }
        out[name] = a;
        if (i < s.size()) {
            if (s[i] != ',' || i + 1 == s.size()) {
                SrM3u8Throw(0, "%s: expected ',' between attributes, or a trailing ',' (RFC 8216 4.2)", tag);
            }
            i++;
        }
    }
    return out;
}

// The value types an attribute may have (RFC 8216 4.2).
enum SrM3u8Type { SR_M3U8_INT, SR_M3U8_FLOAT, SR_M3U8_SFLOAT, SR_M3U8_HEX, SR_M3U8_QUOTED, SR_M3U8_ENUM };

struct SrM3u8AttrRule {
    const char *name;
    SrM3u8Type type;
    bool is_required;
    const char *enums; // SR_M3U8_ENUM: allowed values, '|' separated
};

// Check attrs against rules: required ones present, each known one of its type.
// Unknown attributes are allowed: clients MUST ignore them (RFC 8216 4.2).
inline void SrM3u8CheckAttrs(const SrM3u8Attrs &attrs, const std::vector<SrM3u8AttrRule> &rules, const char *tag,
                             const char *section)
{
    for (const SrM3u8AttrRule &r : rules) {
        auto it = attrs.find(r.name);
        if (it == attrs.end()) {
            if (r.is_required) {
                SrM3u8Throw(0, "%s without its REQUIRED %s attribute (%s)", tag, r.name, section);
            }
            continue;
        }
        const SrM3u8Attr &a = it->second;
        bool ok = false;
        switch (r.type) {
        case SR_M3U8_QUOTED:
            ok = a.is_quoted;
            break;
        case SR_M3U8_INT:
            ok = !a.is_quoted && SrM3u8IsInteger(a.value);
            break;
        case SR_M3U8_FLOAT:
        case SR_M3U8_SFLOAT:
            ok = !a.is_quoted && SrM3u8IsFloat(a.value, nullptr, r.type == SR_M3U8_SFLOAT);
            break;
        case SR_M3U8_HEX:
            ok = !a.is_quoted && a.value.size() > 2 && (a.value[0] == '0') &&
                 (a.value[1] == 'x' || a.value[1] == 'X') &&
                 a.value.find_first_not_of("0123456789abcdefABCDEF", 2) == std::string::npos;
            break;
        case SR_M3U8_ENUM:
            ok = !a.is_quoted && ("|" + std::string(r.enums) + "|").find("|" + a.value + "|") != std::string::npos;
            break;
        }
        if (!ok) {
            static const char *const kind[] = {
                "a decimal-integer",      "a decimal-floating-point", "a signed-decimal-floating-point",
                "a hexadecimal-sequence", "a quoted-string",          "one of"};
            SrM3u8Throw(0, "%s: %s=%s%s%s must be %s%s%s (%s)", tag, r.name, a.is_quoted ? "\"" : "", a.value.c_str(),
                        a.is_quoted ? "\"" : "", kind[r.type], r.type == SR_M3U8_ENUM ? " " : "",
                        r.type == SR_M3U8_ENUM ? r.enums : "", section);
        }
    }
}

// "<n>[@<o>]" of EXT-X-BYTERANGE and the BYTERANGE attributes (RFC 8216 4.3.2.2).
inline bool SrM3u8IsByteRange(const std::string &s, bool *has_offset)
{
    size_t at = s.find('@');
    *has_offset = at != std::string::npos;
    return SrM3u8IsInteger(s.substr(0, at)) && (!*has_offset || SrM3u8IsInteger(s.substr(at + 1)));
}

// An ISO 8601 date-time with a time zone (RFC 8216 4.3.2.6, as RFC 3339 profiles it):
// YYYY-MM-DDThh:mm:ss[.frac](Z|+hh:mm|-hh:mm|+hhmm|+hh). Seconds since 1970 into *out.
inline bool SrM3u8ParseDateTime(const std::string &s, double *out)
{
    int y, mo, d, h, mi, sec, n = 0;
    if (sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n != 19 ||
        s.find_first_not_of("0123456789", 0) != 4) {
        return false;
    }
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) {
        return false;
    }
    size_t i = 19;
    double frac = 0;
    if (i < s.size() && s[i] == '.') {
        size_t j = s.find_first_not_of("0123456789", i + 1);
        if (j == i + 1) {
            return false;
        }
        frac = strtod(s.substr(i, (j == std::string::npos ? s.size() : j) - i).c_str(), nullptr);
        i = j == std::string::npos ? s.size() : j;
    }
    std::string tz = s.substr(i);
    int off = 0;
    if (tz == "Z" || tz == "z") {
        off = 0;
    } else if (tz.size() >= 3 && (tz[0] == '+' || tz[0] == '-')) {
        int th = 0, tm = 0, m = 0;
        bool ok = (tz.size() == 3 && sscanf(tz.c_str() + 1, "%2d%n", &th, &m) == 1 && m == 2) ||
                  (tz.size() == 5 && sscanf(tz.c_str() + 1, "%2d%2d%n", &th, &tm, &m) == 2 && m == 4) ||
                  (tz.size() == 6 && tz[3] == ':' && sscanf(tz.c_str() + 1, "%2d:%2d%n", &th, &tm, &m) == 2 && m == 5);
        if (!ok || th > 23 || tm > 59) {
            return false;
        }
        off = (tz[0] == '-' ? -1 : 1) * (th * 3600 + tm * 60);
    } else {
        return false; // no time zone: local time of an unknown place
    }
    // days since 1970-01-01 of the proleptic Gregorian date (Howard Hinnant's algorithm)
    int yy = y - (mo <= 2);
    int era = (yy >= 0 ? yy : yy - 399) / 400;
    int yoe = yy - era * 400;
    int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    double days = (double)era * 146097 + doe - 719468;
    *out = days * 86400 + h * 3600 + mi * 60 + sec + frac - off;
    return true;
}

#endif
