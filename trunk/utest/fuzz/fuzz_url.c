// SPDX-License-Identifier: MIT
// fuzz_url.c: libFuzzer harness for URL and path parsing: sr_url_parse, query lookup,
// sr_url_split_query and sr_url_decode (core/sr_url.h), and sr_http_path_decode and
// sr_http_path_normalize (protocol/sr_http.h), all on the input as one string.
// Invariants: parsed fields are terminated within their arrays, the host is not empty,
// the port is 0..65535, and a URL rebuilt from the fields parses to the same fields;
// lookups and splits fit their buffers; a normalized path starts with '/', never holds a
// "//", "/./" or "/../" segment, fits out_size (also small ones) and normalizes to itself.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sr_error.h"
#include "sr_http.h"
#include "sr_url.h"

#include "fuzz.h"

#define TERMINATED(a) (memchr((a), '\0', sizeof(a)) != NULL)

static bool has_segment(const char *p, const char *seg)
{
    size_t n = strlen(seg);
    if (strstr(p, seg)) {
        return true;
    }
    size_t len = strlen(p);
    return len >= n - 1 && memcmp(p + len - (n - 1), seg, n - 1) == 0;
}

static void check_normalize(const char *path, size_t out_size)
{
    char *out = malloc(out_size);
    int rc = sr_http_path_normalize(path, out, out_size);
    if (rc == SR_OK) {
        size_t len = strnlen(out, out_size);
        FUZZ_CHECK(len < out_size);
        FUZZ_CHECK(out[0] == '/');
        FUZZ_CHECK(!has_segment(out, "/../") && !has_segment(out, "/./") && strstr(out, "//") == NULL);
        FUZZ_CHECK(len <= strlen(path) || len == 1);
        char *again = malloc(out_size);
        FUZZ_CHECK(sr_http_path_normalize(out, again, out_size) == SR_OK);
        FUZZ_CHECK(strcmp(out, again) == 0);
        free(again);
    } else {
        FUZZ_CHECK(rc == -SR_EHTTP_PARSE);
    }
    free(out);
}

static void check_url(const char *s)
{
    sr_url_t u;
    if (sr_url_parse(s, &u) != SR_OK) {
        return;
    }
    FUZZ_CHECK(TERMINATED(u.scheme) && TERMINATED(u.host) && TERMINATED(u.path) && TERMINATED(u.query));
    FUZZ_CHECK(u.scheme[0] != '\0' && u.host[0] != '\0');
    FUZZ_CHECK(u.port >= 0 && u.port <= 65535);
    if (strchr(u.host, '@') == NULL) {
        static char rebuilt[4096];
        // brackets only where the parser took them: a ':' inside, or a leading '['
        bool bracket = strchr(u.host, ':') != NULL || u.host[0] == '[';
        int n =
            snprintf(rebuilt, sizeof(rebuilt), "%s://%s%s%s", u.scheme, bracket ? "[" : "", u.host, bracket ? "]" : "");
        if (u.port) {
            n += snprintf(rebuilt + n, sizeof(rebuilt) - (size_t)n, ":%d", u.port);
        }
        n += snprintf(rebuilt + n, sizeof(rebuilt) - (size_t)n, "/%s", u.path);
        if (u.query[0]) {
            n += snprintf(rebuilt + n, sizeof(rebuilt) - (size_t)n, "?%s", u.query);
        }
        sr_url_t v;
        FUZZ_CHECK(sr_url_parse(rebuilt, &v) == SR_OK);
        FUZZ_CHECK(strcmp(u.scheme, v.scheme) == 0 && strcmp(u.host, v.host) == 0 && u.port == v.port &&
                   strcmp(u.path, v.path) == 0 && strcmp(u.query, v.query) == 0);
    }
    char val[8];
    static const char *keys[] = {"vhost", "token", "a", ""};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        if (sr_url_query_get(u.query, keys[i], val, sizeof(val))) {
            FUZZ_CHECK(strnlen(val, sizeof(val)) < sizeof(val));
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) {
        return 0;
    }
    // byte 0: out_size for the small-buffer normalize; the rest is the string
    size_t small = 2 + data[0] % 62;
    char *s = malloc(size);
    memcpy(s, data + 1, size - 1);
    s[size - 1] = '\0';
    size_t len = strlen(s);

    check_url(s);

    char val[16];
    if (sr_url_query_get(s, "key", val, sizeof(val))) {
        FUZZ_CHECK(strnlen(val, sizeof(val)) < sizeof(val));
    }
    char *name = malloc(len + 1), *query = malloc(len + 2);
    sr_url_split_query(s, name, len + 1, query, len + 2);
    FUZZ_CHECK(strlen(name) + strlen(query) == len);
    FUZZ_CHECK(query[0] == '\0' || query[0] == '?');
    char tiny[4];
    sr_url_split_query(s, tiny, sizeof(tiny), NULL, 0);
    FUZZ_CHECK(strnlen(tiny, sizeof(tiny)) < sizeof(tiny));
    free(name);
    free(query);

    char *dec = malloc(len + 1);
    if (sr_url_decode(s, dec, len + 1) == SR_OK) {
        FUZZ_CHECK(strlen(dec) <= len);
    }
    free(dec);

    // The HTTP path decoder and normalizer, as the static file server uses them.
    char *path = malloc(len + 1);
    int n = sr_http_path_decode(s, len, path, len + 1);
    if (n >= 0) {
        FUZZ_CHECK((size_t)n <= len && path[n] == '\0' && strlen(path) == (size_t)n);
        if (path[0] == '/') {
            check_normalize(path, (size_t)n + 2);
            check_normalize(path, small);
        }
    } else {
        FUZZ_CHECK(n == -SR_EHTTP_PARSE);
    }
    free(path);
    if (s[0] == '/') {
        check_normalize(s, len + 2);
    }
    free(s);
    sr_err_clear();
    return 0;
}
