// SPDX-License-Identifier: MIT
// fuzz_config.c: libFuzzer harness for the config parser (core/sr_config.h).
// Invariants: a failed load returns NULL with a config/file code; a loaded tree dumps to
// text that parses to an equal tree (sr_conf_equal) whose dump is the same bytes; the
// typed getters and accessors hold up on every node.
// The file system is sandboxed while parsing (linked with -Wl,--wrap=fopen,--wrap=realpath,
// see build.sh): `include` finds only two in-memory files, fuzz_inc.conf (a small block)
// and fuzz_cycle.conf (which includes itself), so no input can read /dev/stdin or a huge
// file. $SR_FUZZ_* variables give the lexer something to expand.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sr_bytes.h"
#include "sr_config.h"
#include "sr_error.h"

#include "fuzz.h"

static bool g_sandbox;

static const char *fixture(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (strcmp(base, "fuzz_inc.conf") == 0) {
        return "# an included file\nchunk_size 60000;\nvhost inc.test {\n    hls { enabled on; hls_fragment 2.5; "
               "}\n}\n";
    }
    if (strcmp(base, "fuzz_cycle.conf") == 0) {
        return "include fuzz_cycle.conf;\n";
    }
    return NULL;
}

FILE *__real_fopen(const char *path, const char *mode);
char *__real_realpath(const char *path, char *resolved);

FILE *__wrap_fopen(const char *path, const char *mode)
{
    if (!g_sandbox) {
        return __real_fopen(path, mode);
    }
    const char *text = fixture(path);
    if (!text) {
        errno = EACCES;
        return NULL;
    }
    return fmemopen((void *)text, strlen(text), "r");
}

char *__wrap_realpath(const char *path, char *resolved)
{
    if (!g_sandbox) {
        return __real_realpath(path, resolved);
    }
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (!fixture(path) || resolved != NULL) {
        errno = ENOENT;
        return NULL;
    }
    size_t n = strlen(base);
    char *r = malloc(n + 2);
    r[0] = '/';
    memcpy(r + 1, base, n + 1);
    return r;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    setenv("SR_FUZZ_WORD", "live", 1);
    setenv("SR_FUZZ_SPACES", " a; b { \"c\" } $HOME '", 1);
    setenv("SR_FUZZ_EMPTY", "", 1);
    return 0;
}

static void walk(const sr_conf_t *n, int depth)
{
    FUZZ_CHECK(depth <= SR_CONF_MAX_DEPTH + 1);
    FUZZ_CHECK(sr_conf_name(n) != NULL && sr_conf_file(n) != NULL);
    int argc = sr_conf_argc(n);
    for (int i = 0; i < argc; i++) {
        FUZZ_CHECK(sr_conf_arg(n, i) != NULL);
    }
    FUZZ_CHECK(sr_conf_arg(n, argc) == NULL);
    FUZZ_CHECK(depth == 0 || sr_conf_line(n) >= 1);
    bool b;
    long l;
    double d;
    int rc = sr_conf_bool(n, false, &b);
    FUZZ_CHECK(rc == SR_OK || rc == -SR_ECONFIG);
    rc = sr_conf_int(n, 7, -1000, 1000, &l);
    FUZZ_CHECK(rc == SR_OK || rc == -SR_ECONFIG);
    FUZZ_CHECK(l >= -1000 && l <= 1000);
    rc = sr_conf_double(n, 0.5, &d);
    FUZZ_CHECK(rc == SR_OK || rc == -SR_ECONFIG);
    (void)sr_conf_str(n, NULL);
    int kids = sr_conf_child_count(n);
    FUZZ_CHECK(kids == 0 || sr_conf_is_block(n) || depth == 0);
    for (int i = 0; i < kids; i++) {
        const sr_conf_t *c = sr_conf_child_at(n, i);
        FUZZ_CHECK(c != NULL);
        FUZZ_CHECK(sr_conf_get(n, sr_conf_name(c)) != NULL);
        walk(c, depth + 1);
    }
    FUZZ_CHECK(sr_conf_child_at(n, kids) == NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';

    sr_conf_t *root = (sr_conf_t *)text; // poison: must become NULL on failure
    g_sandbox = true;
    int rc = sr_conf_load_string(text, "fuzz.conf", &root);
    g_sandbox = false;
    if (rc != SR_OK) {
        FUZZ_CHECK(root == NULL);
        FUZZ_CHECK(rc == -SR_ECONFIG_SYNTAX || rc == -SR_ECONFIG || rc == -SR_EFILE_OPEN || rc == -SR_EFILE_READ);
    } else {
        FUZZ_CHECK(root != NULL);
        walk(root, 0);
        (void)sr_conf_get_path(root, "vhost.hls.enabled");

        sr_buf_t dump1, dump2;
        sr_buf_init(&dump1);
        sr_buf_init(&dump2);
        sr_conf_dump(root, &dump1);
        sr_buf_put_u8(&dump1, 0);
        FUZZ_CHECK(strlen((const char *)dump1.data) == dump1.len - 1); // no NUL inside
        sr_conf_t *again = NULL;
        g_sandbox = true;
        rc = sr_conf_load_string((const char *)dump1.data, "dump.conf", &again);
        g_sandbox = false;
        if (rc != SR_OK) {
            fprintf(stderr, "dump does not parse: %s\n---\n%s---\n", sr_err_trail(), (const char *)dump1.data);
        }
        FUZZ_CHECK(rc == SR_OK);
        FUZZ_CHECK(sr_conf_equal(root, again));
        FUZZ_CHECK(sr_conf_equal(again, root));
        sr_conf_dump(again, &dump2);
        sr_buf_put_u8(&dump2, 0);
        FUZZ_CHECK(dump1.len == dump2.len && memcmp(dump1.data, dump2.data, dump1.len) == 0);
        sr_conf_free(again);
        sr_buf_deinit(&dump1);
        sr_buf_deinit(&dump2);
        sr_conf_free(root);
    }
    free(text);
    sr_err_clear();
    return 0;
}
