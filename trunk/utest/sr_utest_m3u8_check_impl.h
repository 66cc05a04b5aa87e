// SPDX-License-Identifier: MIT
// sr_utest_m3u8_check_impl.h: the rules behind sr_utest_m3u8_check.h (include that
// one). Four passes: the text's lines (RFC 8216 4.1), the playlist's once-only tags,
// its segments in order, and what the whole playlist must hold (versions, required
// tags). "8216bis" cites draft-pantos-hls-rfc8216bis, the second edition.
#ifndef SR_UTEST_M3U8_CHECK_IMPL_H
#define SR_UTEST_M3U8_CHECK_IMPL_H

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "sr_utest_m3u8_attr.h"

struct SrM3u8Line {
    int no;
    bool is_tag;       // starts with #EXT (other '#' lines are comments, dropped)
    std::string name;  // tag: without the '#', e.g. "EXT-X-PART"
    bool has_value;    // tag: a ':' follows the name
    std::string value; // tag: after the ':'; URI line: the line
};

// ---- pass 1: lines (RFC 8216 4.1) ----

// Bytes of one UTF-8 sequence at s[i] (C0/C1 controls and overlongs refused), 0 if bad.
inline size_t SrM3u8Utf8Len(const std::string &s, size_t i)
{
    unsigned char c = (unsigned char)s[i];
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size() || (n == 2 && c < 0xc2)) {
        return 0;
    }
    for (size_t k = 1; k < n; k++) {
        if (((unsigned char)s[i + k] >> 6) != 2) {
            return 0;
        }
    }
    if (n == 2 && c == 0xc2 && (unsigned char)s[i + 1] < 0xa0) {
        return 0; // U+0080..U+009F: C1 controls
    }
    return n;
}

inline void SrM3u8CheckChars(const std::string &s, int no)
{
    bool in_quote = false;
    for (size_t i = 0; i < s.size();) {
        unsigned char c = (unsigned char)s[i];
        in_quote ^= c == '"';
        // a tab may only separate the IDs of RECENTLY-REMOVED-DATERANGES (8216bis 4.4.5.2)
        if ((c < 0x20 && !(c == '\t' && in_quote)) || c == 0x7f) {
            SrM3u8Throw(no, "control character 0x%02x (RFC 8216 4.1)", c);
        }
        size_t n = SrM3u8Utf8Len(s, i);
        if (n == 0) {
            SrM3u8Throw(no, "not UTF-8, or a C1 control character, at byte %zu (RFC 8216 4.1)", i + 1);
        }
        i += n;
    }
    if (!s.empty() && (s[0] == ' ' || s[0] == '\t' || s.back() == ' ' || s.back() == '\t')) {
        SrM3u8Throw(no, "leading or trailing white space (RFC 8216 4.1)");
    }
}

// The tags and URI lines of text; *end_line is the line after the last.
inline std::vector<SrM3u8Line> SrM3u8Lex(const char *text, size_t len, int *end_line)
{
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        SrM3u8Throw(1, "byte order mark (RFC 8216 4.1)");
    }
    std::vector<SrM3u8Line> out;
    int no = 1;
    for (size_t pos = 0; pos < len; no++) {
        const char *nl = (const char *)memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        size_t e = end > pos && text[end - 1] == '\r' ? end - 1 : end; // CRLF ends a line too
        std::string s(text + pos, e - pos);
        pos = end + 1;
        SrM3u8CheckChars(s, no);
        if (s.empty() || (s[0] == '#' && s.compare(0, 4, "#EXT") != 0)) {
            continue; // blank lines and comments are ignored
        }
        SrM3u8Line l = {no, s[0] == '#', "", false, s};
        if (l.is_tag) {
            size_t colon = s.find(':');
            l.name = s.substr(1, colon == std::string::npos ? std::string::npos : colon - 1);
            l.has_value = colon != std::string::npos;
            l.value = l.has_value ? s.substr(colon + 1) : "";
        }
        out.push_back(l);
    }
    *end_line = no;
    return out;
}

// ---- passes 2-4 ----

class SrM3u8Checker
{
  public:
    explicit SrM3u8Checker(const SrM3u8Opts &o) : o_(o)
    {
    }

    void Run(const char *text, size_t len)
    {
        lines_ = SrM3u8Lex(text, len, &end_line_);
        if (lines_.empty() || lines_[0].no != 1 || lines_[0].name != "EXTM3U" || lines_[0].has_value) {
            SrM3u8Throw(1, "the first line is not #EXTM3U (RFC 8216 4.3.1.1)");
        }
        ScanPlaylistTags();
        for (size_t i = 1; i < lines_.size(); i++) {
            const SrM3u8Line &l = lines_[i];
            if (l.is_tag) {
                OnTag(l);
            } else {
                OnUri(l);
            }
        }
        AtEnd();
    }

  private:
    struct Part {
        int line;
        double duration;
        bool is_independent, is_gap;
    };
    // The tags since the last URI line: what the next media segment gets.
    struct Group {
        int extinf_line = 0;
        double extinf = 0;
        int first_tag_line = 0; // first media segment tag other than EXTINF
        bool is_discontinuity = false;
        int pdt_line = 0;
        double pdt = 0;
        int byterange_line = 0;
        bool byterange_has_offset = false;
        std::vector<Part> parts;
    };

    const SrM3u8Opts &o_;
    std::vector<SrM3u8Line> lines_;
    int end_line_ = 0;
    std::map<std::string, int> once_; // line of each once-only tag
    int version_ = 1, need_version_ = 1, need_line_ = 0;
    std::string need_what_;
    long long target_ = -1;
    double part_target_ = -1;
    SrM3u8Attrs server_control_;
    bool is_iframes_ = false, has_endlist_ = false;

    Group g_;
    bool is_segment_started_ = false, seen_discontinuity_ = false, has_map_ = false, has_pdt_ = false;
    std::string key_method_ = "NONE";
    bool key_has_iv_ = false;
    bool is_pdt_known_ = false;
    double next_pdt_ = 0;
    int parent_with_parts_line_ = 0, first_part_line_ = 0, daterange_line_ = 0, hint_line_ = 0;
    std::string prev_uri_;
    bool prev_had_byterange_ = false;
    std::map<std::string, int> hints_; // preload hints per TYPE

    SrM3u8Attrs Attrs(const SrM3u8Line &l, const std::vector<SrM3u8AttrRule> &rules, const char *section)
    {
        try {
            SrM3u8Attrs a = SrM3u8ParseAttrs(l.value, l.name.c_str());
            SrM3u8CheckAttrs(a, rules, l.name.c_str(), section);
            return a;
        } catch (SrM3u8Fail &f) {
            f.line = l.no;
            throw;
        }
    }

    static double Float(const SrM3u8Attrs &a, const char *name, double dflt)
    {
        auto it = a.find(name);
        return it == a.end() ? dflt : strtod(it->second.value.c_str(), nullptr);
    }

    // A feature that needs a protocol version (RFC 8216 7, 8216bis 8).
    void Need(int v, int line, const char *what)
    {
        if (v > need_version_) {
            need_version_ = v;
            need_line_ = line;
            need_what_ = what;
        }
    }

    // ---- pass 2: the tags that describe the whole playlist ----

    void ScanPlaylistTags()
    {
        static const std::map<std::string, const char *> once = {
            {"EXT-X-VERSION", "RFC 8216 4.3.1.2"},      {"EXT-X-TARGETDURATION", "RFC 8216 4.3.3"},
            {"EXT-X-MEDIA-SEQUENCE", "RFC 8216 4.3.3"}, {"EXT-X-DISCONTINUITY-SEQUENCE", "RFC 8216 4.3.3"},
            {"EXT-X-ENDLIST", "RFC 8216 4.3.3.4"},      {"EXT-X-PLAYLIST-TYPE", "RFC 8216 4.3.3"},
            {"EXT-X-I-FRAMES-ONLY", "RFC 8216 4.3.3"},  {"EXT-X-INDEPENDENT-SEGMENTS", "RFC 8216 4.3.5"},
            {"EXT-X-START", "RFC 8216 4.3.5"},          {"EXT-X-PART-INF", "8216bis 4.4.3"},
            {"EXT-X-SERVER-CONTROL", "8216bis 4.4.3"},  {"EXT-X-SKIP", "8216bis 4.4.5.2"}};
        static const std::set<std::string> master = {"EXT-X-STREAM-INF",  "EXT-X-I-FRAME-STREAM-INF",
                                                     "EXT-X-MEDIA",       "EXT-X-SESSION-DATA",
                                                     "EXT-X-SESSION-KEY", "EXT-X-CONTENT-STEERING"};
        static const std::set<std::string> bare = {"EXTM3U",    "EXT-X-DISCONTINUITY",        "EXT-X-ENDLIST",
                                                   "EXT-X-GAP", "EXT-X-INDEPENDENT-SEGMENTS", "EXT-X-I-FRAMES-ONLY"};
        // the media playlist tags of RFC 8216 and 8216bis, and their Basic Tags
        static const std::set<std::string> known = {"EXTM3U",
                                                    "EXT-X-VERSION",
                                                    "EXTINF",
                                                    "EXT-X-BYTERANGE",
                                                    "EXT-X-DISCONTINUITY",
                                                    "EXT-X-KEY",
                                                    "EXT-X-MAP",
                                                    "EXT-X-PROGRAM-DATE-TIME",
                                                    "EXT-X-DATERANGE",
                                                    "EXT-X-GAP",
                                                    "EXT-X-BITRATE",
                                                    "EXT-X-PART",
                                                    "EXT-X-TARGETDURATION",
                                                    "EXT-X-MEDIA-SEQUENCE",
                                                    "EXT-X-DISCONTINUITY-SEQUENCE",
                                                    "EXT-X-ENDLIST",
                                                    "EXT-X-PLAYLIST-TYPE",
                                                    "EXT-X-I-FRAMES-ONLY",
                                                    "EXT-X-PART-INF",
                                                    "EXT-X-SERVER-CONTROL",
                                                    "EXT-X-INDEPENDENT-SEGMENTS",
                                                    "EXT-X-START",
                                                    "EXT-X-DEFINE",
                                                    "EXT-X-SKIP",
                                                    "EXT-X-PRELOAD-HINT",
                                                    "EXT-X-RENDITION-REPORT"};
        for (const SrM3u8Line &l : lines_) {
            if (!l.is_tag) {
                continue;
            }
            if (master.count(l.name)) {
                SrM3u8Throw(l.no, "%s is a multivariant playlist tag, in a media playlist (RFC 8216 4.1, 4.3.4)",
                            l.name.c_str());
            }
            if (bare.count(l.name) && l.has_value) {
                SrM3u8Throw(l.no, "%s takes no value (RFC 8216 4.3)", l.name.c_str());
            }
            if (o_.is_unknown_tag_error && !known.count(l.name)) {
                SrM3u8Throw(l.no, "unknown tag %s: misspelt? (clients ignore it, RFC 8216 6.3.1)", l.name.c_str());
            }
            auto it = once.find(l.name);
            if (it != once.end()) {
                if (once_.count(l.name)) {
                    SrM3u8Throw(l.no, "%s appears again (first at line %d): at most once (%s)", l.name.c_str(),
                                once_[l.name], it->second);
                }
                once_[l.name] = l.no;
            }
            ScanPlaylistTag(l);
        }
        if (target_ < 0) {
            SrM3u8Throw(end_line_, "no EXT-X-TARGETDURATION: it is REQUIRED (RFC 8216 4.3.3.1)");
        }
        if (once_.count("EXT-X-SERVER-CONTROL")) {
            CheckServerControl(once_["EXT-X-SERVER-CONTROL"]);
        }
    }

    void ScanPlaylistTag(const SrM3u8Line &l)
    {
        unsigned long long v;
        if (l.name == "EXT-X-VERSION") {
            if (!SrM3u8IsInteger(l.value, &v) || v < 1) {
                SrM3u8Throw(l.no, "EXT-X-VERSION:%s is not a decimal-integer >= 1 (RFC 8216 4.3.1.2)", l.value.c_str());
            }
            version_ = (int)std::min(v, 1000ULL);
        } else if (l.name == "EXT-X-TARGETDURATION") {
            if (!SrM3u8IsInteger(l.value, &v)) {
                SrM3u8Throw(l.no, "EXT-X-TARGETDURATION:%s is not a decimal-integer (RFC 8216 4.3.3.1)",
                            l.value.c_str());
            }
            target_ = (long long)std::min(v, 1000000000ULL);
        } else if (l.name == "EXT-X-MEDIA-SEQUENCE" || l.name == "EXT-X-DISCONTINUITY-SEQUENCE") {
            if (!SrM3u8IsInteger(l.value)) {
                SrM3u8Throw(l.no, "%s:%s is not a decimal-integer (RFC 8216 4.3.3.%c)", l.name.c_str(), l.value.c_str(),
                            l.name == "EXT-X-MEDIA-SEQUENCE" ? '2' : '3');
            }
        } else if (l.name == "EXT-X-PLAYLIST-TYPE") {
            if (l.value != "EVENT" && l.value != "VOD") {
                SrM3u8Throw(l.no, "EXT-X-PLAYLIST-TYPE:%s is not EVENT or VOD (RFC 8216 4.3.3.5)", l.value.c_str());
            }
        } else if (l.name == "EXT-X-I-FRAMES-ONLY") {
            is_iframes_ = true;
            Need(4, l.no, "EXT-X-I-FRAMES-ONLY");
        } else if (l.name == "EXT-X-ENDLIST") {
            has_endlist_ = true;
        } else if (l.name == "EXT-X-START") {
            Attrs(l, {{"TIME-OFFSET", SR_M3U8_SFLOAT, true, nullptr}, {"PRECISE", SR_M3U8_ENUM, false, "YES|NO"}},
                  "RFC 8216 4.3.5.2");
        } else if (l.name == "EXT-X-PART-INF") {
            SrM3u8Attrs a = Attrs(l, {{"PART-TARGET", SR_M3U8_FLOAT, true, nullptr}}, "8216bis 4.4.3.7");
            part_target_ = Float(a, "PART-TARGET", -1);
        } else if (l.name == "EXT-X-SERVER-CONTROL") {
            server_control_ = Attrs(l,
                                    {{"CAN-SKIP-UNTIL", SR_M3U8_FLOAT, false, nullptr},
                                     {"CAN-SKIP-DATERANGES", SR_M3U8_ENUM, false, "YES"},
                                     {"HOLD-BACK", SR_M3U8_FLOAT, false, nullptr},
                                     {"PART-HOLD-BACK", SR_M3U8_FLOAT, false, nullptr},
                                     {"CAN-BLOCK-RELOAD", SR_M3U8_ENUM, false, "YES"}},
                                    "8216bis 4.4.3.8");
        }
    }

    // The hold-back and skip distances against the target durations (8216bis 4.4.3.8).
    void CheckServerControl(int line)
    {
        const SrM3u8Attrs &a = server_control_;
        double skip = Float(a, "CAN-SKIP-UNTIL", -1), hold = Float(a, "HOLD-BACK", -1);
        double part_hold = Float(a, "PART-HOLD-BACK", -1);
        if (skip >= 0 && skip < 6.0 * target_) {
            SrM3u8Throw(line, "CAN-SKIP-UNTIL=%g is under six Target Durations (%lld s) (8216bis 4.4.3.8)", skip,
                        6 * target_);
        }
        if (a.count("CAN-SKIP-DATERANGES") && skip < 0) {
            SrM3u8Throw(line, "CAN-SKIP-DATERANGES without CAN-SKIP-UNTIL (8216bis 4.4.3.8)");
        }
        if (hold >= 0 && hold < 3.0 * target_) {
            SrM3u8Throw(line, "HOLD-BACK=%g is under three Target Durations (%lld s) (8216bis 4.4.3.8)", hold,
                        3 * target_);
        }
        if (part_hold >= 0 && part_target_ > 0 && part_hold < 2.0 * part_target_ - 1e-9) {
            SrM3u8Throw(line, "PART-HOLD-BACK=%g is under twice PART-TARGET=%g (8216bis 4.4.3.8)", part_hold,
                        part_target_);
        }
    }

    // ---- pass 3: the segments, in order ----

    void OnTag(const SrM3u8Line &l)
    {
        const std::string &n = l.name;
        if (n == "EXTINF") {
            OnExtinf(l);
        } else if (n == "EXT-X-PART") {
            OnPart(l);
        } else if (n == "EXT-X-DISCONTINUITY" || n == "EXT-X-PROGRAM-DATE-TIME" || n == "EXT-X-MAP" ||
                   n == "EXT-X-KEY") {
            // they apply to the parent segment, so to its first part too (8216bis 4.4.4.9)
            if (!g_.parts.empty()) {
                SrM3u8Throw(l.no, "%s after the EXT-X-PART at line %d of the same parent segment (8216bis 4.4.4.9)",
                            n.c_str(), g_.parts[0].line);
            }
            SegmentTag(l);
            if (n == "EXT-X-DISCONTINUITY") {
                g_.is_discontinuity = seen_discontinuity_ = true;
            } else if (n == "EXT-X-PROGRAM-DATE-TIME") {
                OnProgramDateTime(l);
            } else if (n == "EXT-X-MAP") {
                OnMap(l);
            } else {
                OnKey(l);
            }
        } else if (n == "EXT-X-BYTERANGE") {
            SegmentTag(l);
            Need(4, l.no, "EXT-X-BYTERANGE");
            if (!SrM3u8IsByteRange(l.value, &g_.byterange_has_offset)) {
                SrM3u8Throw(l.no, "EXT-X-BYTERANGE:%s is not <n>[@<o>] (RFC 8216 4.3.2.2)", l.value.c_str());
            }
            g_.byterange_line = l.no;
        } else if (n == "EXT-X-GAP" || n == "EXT-X-BITRATE") {
            SegmentTag(l);
            if (n == "EXT-X-BITRATE" && !SrM3u8IsInteger(l.value)) {
                SrM3u8Throw(l.no, "EXT-X-BITRATE:%s is not a decimal-integer (8216bis 4.4.4.8)", l.value.c_str());
            }
        } else if (n == "EXT-X-MEDIA-SEQUENCE" || n == "EXT-X-DISCONTINUITY-SEQUENCE") {
            OnSequence(l);
        } else if (n == "EXT-X-DATERANGE") {
            Attrs(l,
                  {{"ID", SR_M3U8_QUOTED, true, nullptr},
                   {"CLASS", SR_M3U8_QUOTED, false, nullptr},
                   {"START-DATE", SR_M3U8_QUOTED, true, nullptr},
                   {"END-DATE", SR_M3U8_QUOTED, false, nullptr},
                   {"DURATION", SR_M3U8_FLOAT, false, nullptr},
                   {"PLANNED-DURATION", SR_M3U8_FLOAT, false, nullptr},
                   {"END-ON-NEXT", SR_M3U8_ENUM, false, "YES"}},
                  "RFC 8216 4.3.2.7");
            daterange_line_ = daterange_line_ ? daterange_line_ : l.no;
        } else if (n == "EXT-X-SKIP") {
            OnSkip(l);
        } else if (n == "EXT-X-PRELOAD-HINT") {
            OnPreloadHint(l);
        } else if (n == "EXT-X-RENDITION-REPORT") {
            // a server MAY omit even mandatory attributes here (8216bis 4.4.5.4): types only
            Attrs(l,
                  {{"URI", SR_M3U8_QUOTED, false, nullptr},
                   {"LAST-MSN", SR_M3U8_INT, false, nullptr},
                   {"LAST-PART", SR_M3U8_INT, false, nullptr}},
                  "8216bis 4.4.5.4");
        } else if (n == "EXT-X-DEFINE") {
            Need(8, l.no, "EXT-X-DEFINE");
        }
    }

    // A media segment tag other than EXTINF and EXT-X-PART.
    void SegmentTag(const SrM3u8Line &l)
    {
        g_.first_tag_line = g_.first_tag_line ? g_.first_tag_line : l.no;
    }

    void OnExtinf(const SrM3u8Line &l)
    {
        if (g_.extinf_line) {
            SrM3u8Throw(g_.extinf_line, "EXTINF has no URI line before the next EXTINF at line %d (RFC 8216 4.3.2.1)",
                        l.no);
        }
        size_t comma = l.value.find(',');
        std::string d = l.value.substr(0, comma);
        if (comma == std::string::npos || !SrM3u8IsFloat(d, &g_.extinf)) {
            SrM3u8Throw(l.no, "EXTINF:%s is not <duration>,[<title>] (RFC 8216 4.3.2.1)", l.value.c_str());
        }
        if (d.find('.') != std::string::npos) {
            Need(3, l.no, "a decimal-floating-point EXTINF duration");
        }
        long long rounded = (long long)floor(g_.extinf + 0.5);
        if (rounded > target_) {
            SrM3u8Throw(l.no, "EXTINF %s rounds to %lld, over EXT-X-TARGETDURATION %lld (RFC 8216 4.3.3.1)", d.c_str(),
                        rounded, target_);
        }
        g_.extinf_line = l.no;
        is_segment_started_ = true;
    }

    void OnProgramDateTime(const SrM3u8Line &l)
    {
        if (!SrM3u8ParseDateTime(l.value, &g_.pdt)) {
            SrM3u8Throw(l.no,
                        "EXT-X-PROGRAM-DATE-TIME:%s is not an ISO 8601 date-time with a time zone (RFC 8216 4.3.2.6)",
                        l.value.c_str());
        }
        g_.pdt_line = l.no;
        has_pdt_ = true;
    }

    void OnMap(const SrM3u8Line &l)
    {
        SrM3u8Attrs a =
            Attrs(l, {{"URI", SR_M3U8_QUOTED, true, nullptr}, {"BYTERANGE", SR_M3U8_QUOTED, false, nullptr}},
                  "RFC 8216 4.3.2.5");
        bool has_offset;
        if (a.count("BYTERANGE") && !SrM3u8IsByteRange(a["BYTERANGE"].value, &has_offset)) {
            SrM3u8Throw(l.no, "EXT-X-MAP BYTERANGE is not \"<n>[@<o>]\" (RFC 8216 4.3.2.5)");
        }
        Need(is_iframes_ ? 5 : 6, l.no,
             is_iframes_ ? "EXT-X-MAP in an I-frame playlist" : "EXT-X-MAP in a playlist without EXT-X-I-FRAMES-ONLY");
        if (key_method_ == "AES-128" && !key_has_iv_) {
            SrM3u8Throw(l.no, "EXT-X-MAP under an AES-128 EXT-X-KEY without IV (RFC 8216 4.3.2.5)");
        }
        has_map_ = true;
    }

    void OnKey(const SrM3u8Line &l)
    {
        SrM3u8Attrs a = Attrs(l,
                              {{"METHOD", SR_M3U8_ENUM, true, "NONE|AES-128|SAMPLE-AES|SAMPLE-AES-CTR"},
                               {"URI", SR_M3U8_QUOTED, false, nullptr},
                               {"IV", SR_M3U8_HEX, false, nullptr},
                               {"KEYFORMAT", SR_M3U8_QUOTED, false, nullptr},
                               {"KEYFORMATVERSIONS", SR_M3U8_QUOTED, false, nullptr}},
                              "RFC 8216 4.3.2.4");
        key_method_ = a["METHOD"].value;
        key_has_iv_ = a.count("IV") != 0;
        if (key_method_ == "NONE" && a.size() > 1) {
            SrM3u8Throw(l.no, "EXT-X-KEY METHOD=NONE with other attributes (RFC 8216 4.3.2.4)");
        }
        if (key_method_ != "NONE" && !a.count("URI")) {
            SrM3u8Throw(l.no, "EXT-X-KEY METHOD=%s without URI (RFC 8216 4.3.2.4)", key_method_.c_str());
        }
        if (key_has_iv_) {
            Need(2, l.no, "the IV attribute of EXT-X-KEY");
        }
        if (a.count("KEYFORMAT") || a.count("KEYFORMATVERSIONS")) {
            Need(5, l.no, "KEYFORMAT or KEYFORMATVERSIONS of EXT-X-KEY");
        }
    }

    void OnSequence(const SrM3u8Line &l)
    {
        bool is_media = l.name == "EXT-X-MEDIA-SEQUENCE";
        if (is_segment_started_) {
            SrM3u8Throw(l.no, "%s after the first media segment (RFC 8216 4.3.3.%c)", l.name.c_str(),
                        is_media ? '2' : '3');
        }
        if (!is_media && seen_discontinuity_) {
            SrM3u8Throw(l.no, "EXT-X-DISCONTINUITY-SEQUENCE after an EXT-X-DISCONTINUITY (RFC 8216 4.3.3.3)");
        }
    }

    // Parts (8216bis 4.4.4.9): attributes, at most PART-TARGET long, before their parent's
    // EXTINF, and an EXT-X-PART-INF to say what PART-TARGET is (8216bis 4.4.3.7).
    void OnPart(const SrM3u8Line &l)
    {
        SrM3u8Attrs a = Attrs(l,
                              {{"URI", SR_M3U8_QUOTED, true, nullptr},
                               {"DURATION", SR_M3U8_FLOAT, true, nullptr},
                               {"INDEPENDENT", SR_M3U8_ENUM, false, "YES"},
                               {"BYTERANGE", SR_M3U8_QUOTED, false, nullptr},
                               {"GAP", SR_M3U8_ENUM, false, "YES"}},
                              "8216bis 4.4.4.9");
        if (part_target_ < 0) {
            SrM3u8Throw(l.no, "EXT-X-PART in a playlist without EXT-X-PART-INF (8216bis 4.4.3.7)");
        }
        if (g_.extinf_line) {
            SrM3u8Throw(l.no,
                        "EXT-X-PART between the EXTINF at line %d and its URI: parts precede their parent "
                        "segment (8216bis 3.2, 4.4.4.9)",
                        g_.extinf_line);
        }
        bool has_offset;
        if (a.count("BYTERANGE") && !SrM3u8IsByteRange(a["BYTERANGE"].value, &has_offset)) {
            SrM3u8Throw(l.no, "EXT-X-PART BYTERANGE is not \"<n>[@<o>]\" (8216bis 4.4.4.9)");
        }
        double d = Float(a, "DURATION", 0);
        if (d > part_target_ + 1e-9) {
            SrM3u8Throw(l.no, "EXT-X-PART DURATION=%s over PART-TARGET=%g (8216bis 4.4.4.9)",
                        a["DURATION"].value.c_str(), part_target_);
        }
        CheckFmp4Map(a["URI"].value, l.no);
        g_.parts.push_back({l.no, d, a.count("INDEPENDENT") != 0, a.count("GAP") != 0});
        first_part_line_ = first_part_line_ ? first_part_line_ : l.no;
        is_segment_started_ = true;
    }

    // 85% of PART-TARGET at least, except independent and gap parts, the part before a
    // gap and the last of a parent (8216bis 4.4.4.9); with no parent yet (the live edge),
    // the last listed part may be that last one.
    void CheckPartMinimum(const std::vector<Part> &parts)
    {
        for (size_t i = 0; i + 1 < parts.size(); i++) {
            const Part &p = parts[i];
            if (!p.is_independent && !p.is_gap && !parts[i + 1].is_gap && p.duration < 0.85 * part_target_ - 1e-9) {
                SrM3u8Throw(p.line, "EXT-X-PART DURATION=%g under 85%% of PART-TARGET=%g (8216bis 4.4.4.9)", p.duration,
                            part_target_);
            }
        }
    }

    void OnSkip(const SrM3u8Line &l)
    {
        SrM3u8Attrs a = Attrs(l,
                              {{"SKIPPED-SEGMENTS", SR_M3U8_INT, true, nullptr},
                               {"RECENTLY-REMOVED-DATERANGES", SR_M3U8_QUOTED, false, nullptr}},
                              "8216bis 4.4.5.2");
        Need(a.count("RECENTLY-REMOVED-DATERANGES") ? 10 : 9, l.no,
             a.count("RECENTLY-REMOVED-DATERANGES") ? "EXT-X-SKIP with RECENTLY-REMOVED-DATERANGES" : "EXT-X-SKIP");
        if (is_segment_started_) {
            SrM3u8Throw(l.no,
                        "EXT-X-SKIP after a media segment: it replaces the oldest ones (8216bis 4.4.5.2, 6.2.5.1)");
        }
        if (!server_control_.count("CAN-SKIP-UNTIL")) {
            SrM3u8Throw(l.no,
                        "EXT-X-SKIP in a playlist whose EXT-X-SERVER-CONTROL has no CAN-SKIP-UNTIL (8216bis 6.2.5.1)");
        }
        if (has_endlist_) {
            SrM3u8Throw(l.no, "EXT-X-SKIP in a playlist with EXT-X-ENDLIST: no delta updates then (8216bis 6.2.5.1)");
        }
        is_segment_started_ = true;
    }

    void OnPreloadHint(const SrM3u8Line &l)
    {
        SrM3u8Attrs a = Attrs(l,
                              {{"TYPE", SR_M3U8_ENUM, true, "PART|MAP"},
                               {"URI", SR_M3U8_QUOTED, true, nullptr},
                               {"BYTERANGE-START", SR_M3U8_INT, false, nullptr},
                               {"BYTERANGE-LENGTH", SR_M3U8_INT, false, nullptr}},
                              "8216bis 4.4.5.3");
        if (has_endlist_) {
            SrM3u8Throw(l.no, "EXT-X-PRELOAD-HINT in a playlist with EXT-X-ENDLIST (8216bis 4.4.5.3)");
        }
        const std::string &type = a["TYPE"].value;
        if (hints_.count(type)) {
            SrM3u8Throw(l.no, "a second EXT-X-PRELOAD-HINT TYPE=%s (first at line %d): SHOULD NOT (8216bis 6.2.6)",
                        type.c_str(), hints_[type]);
        }
        hints_[type] = l.no;
        hint_line_ = l.no;
    }

    // fMP4 segments need an EXT-X-MAP (RFC 8216 3.3); their format is told by the extension.
    void CheckFmp4Map(const std::string &uri, int line)
    {
        std::string path = uri.substr(0, uri.find_first_of("?#"));
        size_t dot = path.rfind('.');
        std::string ext = dot == std::string::npos ? "" : path.substr(dot);
        static const std::set<std::string> fmp4 = {".mp4", ".m4s", ".m4v", ".m4a", ".cmfv", ".cmfa"};
        if (fmp4.count(ext) && !has_map_) {
            SrM3u8Throw(line, "fragmented MPEG-4 %s with no EXT-X-MAP before it (RFC 8216 3.3, told by its extension)",
                        uri.c_str());
        }
    }

    void OnUri(const SrM3u8Line &l)
    {
        if (!g_.extinf_line) {
            SrM3u8Throw(l.no, "URI line with no EXTINF before it: EXTINF is REQUIRED (RFC 8216 4.3.2.1)");
        }
        if (l.value.find_first_of(" \t") != std::string::npos) {
            SrM3u8Throw(l.no, "URI with white space (RFC 8216 4.1)");
        }
        CheckFmp4Map(l.value, l.no);
        if (g_.byterange_line && !g_.byterange_has_offset && (!prev_had_byterange_ || prev_uri_ != l.value)) {
            SrM3u8Throw(g_.byterange_line,
                        "EXT-X-BYTERANGE without an offset, but the previous segment is not a range of %s "
                        "(RFC 8216 4.3.2.2)",
                        l.value.c_str());
        }
        CheckParts(l);
        CheckProgramDateTime();
        prev_uri_ = l.value;
        prev_had_byterange_ = g_.byterange_line != 0;
        g_ = Group();
    }

    // The parts of the segment that ends at URI line l.
    void CheckParts(const SrM3u8Line &l)
    {
        if (g_.parts.empty()) {
            if (parent_with_parts_line_) {
                SrM3u8Throw(l.no,
                            "segment without EXT-X-PART after one with parts (line %d): parts leave the playlist "
                            "in order (8216bis 6.2.2)",
                            parent_with_parts_line_);
            }
            return;
        }
        CheckPartMinimum(g_.parts);
        double sum = 0;
        for (const Part &p : g_.parts) {
            sum += p.duration;
        }
        // the oldest parent may have lost its first parts already: only an upper bound
        bool is_complete = parent_with_parts_line_ != 0;
        double tol = o_.part_sum_tolerance_s;
        if (tol >= 0 && (sum > g_.extinf + tol || (is_complete && sum < g_.extinf - tol))) {
            SrM3u8Throw(g_.extinf_line, "EXTINF %.5f but its EXT-X-PARTs sum to %.5f: the same samples (8216bis 3.2)",
                        g_.extinf, sum);
        }
        parent_with_parts_line_ = l.no;
    }

    // Dates advance with the durations until a discontinuity (RFC 8216 4.3.2.6, 6.3.3).
    void CheckProgramDateTime()
    {
        if (g_.is_discontinuity) {
            is_pdt_known_ = false;
        }
        if (g_.pdt_line) {
            if (is_pdt_known_ && o_.pdt_tolerance_s >= 0 && fabs(g_.pdt - next_pdt_) > o_.pdt_tolerance_s) {
                SrM3u8Throw(g_.pdt_line,
                            "EXT-X-PROGRAM-DATE-TIME is %.3f s from the previous date plus the EXTINFs since "
                            "(tolerance %.3f s) without a discontinuity (RFC 8216 4.3.2.6)",
                            g_.pdt - next_pdt_, o_.pdt_tolerance_s);
            }
            is_pdt_known_ = true;
            next_pdt_ = g_.pdt;
        }
        next_pdt_ += g_.extinf;
    }

    // ---- pass 4: the whole playlist ----

    void AtEnd()
    {
        if (g_.extinf_line) {
            SrM3u8Throw(g_.extinf_line, "EXTINF with no URI line after it (RFC 8216 4.3.2.1)");
        }
        if (g_.first_tag_line && g_.parts.empty() && hint_line_ < g_.first_tag_line) {
            SrM3u8Throw(g_.first_tag_line,
                        "media segment tag with no segment, part or preload hint after it (RFC 8216 4.3.2)");
        }
        if (!g_.parts.empty()) {
            CheckPartMinimum(g_.parts);
        }
        if (part_target_ >= 0) {
            CheckLowLatency();
        }
        if (daterange_line_ && !has_pdt_) {
            SrM3u8Throw(daterange_line_,
                        "EXT-X-DATERANGE in a playlist without EXT-X-PROGRAM-DATE-TIME (RFC 8216 4.3.2.7)");
        }
        if (need_version_ > version_) {
            SrM3u8Throw(need_line_, "%s needs EXT-X-VERSION %d or more, the playlist %s %d (RFC 8216 7, 8216bis 8)",
                        need_what_.c_str(), need_version_, once_.count("EXT-X-VERSION") ? "says" : "implies", version_);
        }
    }

    void CheckLowLatency()
    {
        int line = once_["EXT-X-PART-INF"];
        double part_hold = Float(server_control_, "PART-HOLD-BACK", -1);
        if (part_hold < 0) {
            SrM3u8Throw(line, "EXT-X-PART-INF without PART-HOLD-BACK in EXT-X-SERVER-CONTROL: it is REQUIRED then "
                              "(8216bis 4.4.3.8)");
        }
        if (!o_.is_ll_profile) {
            return;
        }
        auto cbr = server_control_.find("CAN-BLOCK-RELOAD");
        if (cbr == server_control_.end()) {
            SrM3u8Throw(line, "partial segments without CAN-BLOCK-RELOAD=YES (8216bis Appendix B.1 profile)");
        }
        // 1 ms: PART-TARGET=0.33334 with PART-HOLD-BACK=1.0 is the draft's own example
        if (part_hold < 3.0 * part_target_ - 0.001) {
            SrM3u8Throw(line, "PART-HOLD-BACK=%g under three PART-TARGET=%g: SHOULD (8216bis 4.4.3.8; B.1 profile)",
                        part_hold, part_target_);
        }
    }
};

inline int sr_utest_m3u8_check_opts(const char *text, size_t len, const SrM3u8Opts *opts, char *why, size_t why_size)
{
    SrM3u8Opts dflt;
    SrM3u8Checker c(opts ? *opts : dflt);
    try {
        c.Run(text, len);
    } catch (const SrM3u8Fail &f) {
        if (why && why_size) {
            snprintf(why, why_size, "line %d: %s", f.line, f.why.c_str());
        }
        return f.line > 0 ? f.line : 1;
    }
    if (why && why_size) {
        why[0] = '\0';
    }
    return 0;
}

#endif
