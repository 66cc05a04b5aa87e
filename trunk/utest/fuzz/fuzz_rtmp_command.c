// SPDX-License-Identifier: MIT
// fuzz_rtmp_command.c: libFuzzer harness for RTMP command and data message bodies
// (protocol/sr_rtmp_command.h): command parse, data parse and the metadata slice, each
// as an AMF0 (type 20/18) and as an "AMF3" (type 17/15) message.
// Invariants: a failed parse leaves the struct empty; a parsed command re-encodes to a
// body that parses to the same name, transaction id and argument count; a metadata body
// lies inside the input, starts with the "onMetaData" string and is its own body.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sr_error.h"
#include "sr_rtmp_command.h"

#include "fuzz.h"

static bool same_double(double a, double b)
{
    return memcmp(&a, &b, sizeof(a)) == 0 || (isnan(a) && isnan(b));
}

static void check_command(const uint8_t *data, size_t size, bool amf3)
{
    sr_rtmp_command_t cmd;
    int rc = sr_rtmp_command_parse(data, size, amf3, &cmd);
    if (rc != SR_OK) {
        FUZZ_CHECK(rc == -SR_ERTMP_AMF0 || rc == -SR_ERTMP_COMMAND);
        FUZZ_CHECK(cmd.nargs == 0 && cmd.command_object == NULL && cmd.name[0] == '\0');
        sr_rtmp_command_deinit(&cmd); // documented as safe
        return;
    }
    size_t name_len = strnlen(cmd.name, SR_RTMP_COMMAND_NAME_MAX);
    FUZZ_CHECK(name_len < SR_RTMP_COMMAND_NAME_MAX);
    FUZZ_CHECK(cmd.nargs <= SR_RTMP_COMMAND_MAX_ARGS);
    for (size_t i = 0; i < cmd.nargs; i++) {
        FUZZ_CHECK(cmd.args[i] != NULL);
    }
    (void)sr_rtmp_command_arg_string(&cmd, 0);
    (void)sr_rtmp_command_arg_number(&cmd, 1, 0);
    FUZZ_CHECK(sr_rtmp_command_arg_string(&cmd, SR_RTMP_COMMAND_MAX_ARGS) == NULL);

    if (cmd.command_object != NULL) {
        sr_buf_t out;
        sr_buf_init(&out);
        sr_amf0_write_stringn(&out, cmd.name, name_len);
        sr_amf0_write_number(&out, cmd.transaction_id);
        sr_amf0_encode(cmd.command_object, &out);
        for (size_t i = 0; i < cmd.nargs; i++) {
            sr_amf0_encode(cmd.args[i], &out);
        }
        sr_rtmp_command_t again;
        rc = sr_rtmp_command_parse(out.data, out.len, false, &again);
        FUZZ_CHECK(rc == SR_OK);
        FUZZ_CHECK(strcmp(again.name, cmd.name) == 0);
        FUZZ_CHECK(same_double(again.transaction_id, cmd.transaction_id));
        FUZZ_CHECK(again.command_object != NULL);
        FUZZ_CHECK(sr_amf0_type(again.command_object) == sr_amf0_type(cmd.command_object));
        FUZZ_CHECK(again.nargs == cmd.nargs);
        sr_rtmp_command_deinit(&again);
        sr_buf_deinit(&out);
    }
    sr_rtmp_command_deinit(&cmd);
    FUZZ_CHECK(cmd.nargs == 0 && cmd.command_object == NULL);
}

static void check_data(const uint8_t *data, size_t size, bool amf3)
{
    sr_rtmp_data_t d;
    int rc = sr_rtmp_data_parse(data, size, amf3, &d);
    if (rc != SR_OK) {
        FUZZ_CHECK(rc == -SR_ERTMP_AMF0 || rc == -SR_ERTMP_COMMAND);
        FUZZ_CHECK(d.count == 0 && d.name[0] == '\0');
        return;
    }
    FUZZ_CHECK(strnlen(d.name, SR_RTMP_COMMAND_NAME_MAX) < SR_RTMP_COMMAND_NAME_MAX);
    FUZZ_CHECK(d.count <= SR_RTMP_COMMAND_MAX_ARGS);
    sr_buf_t out;
    sr_buf_init(&out);
    sr_amf0_write_string(&out, d.name);
    for (size_t i = 0; i < d.count; i++) {
        FUZZ_CHECK(d.values[i] != NULL);
        sr_amf0_encode(d.values[i], &out);
    }
    sr_rtmp_data_t again;
    rc = sr_rtmp_data_parse(out.data, out.len, false, &again);
    FUZZ_CHECK(rc == SR_OK);
    FUZZ_CHECK(strcmp(again.name, d.name) == 0 && again.count == d.count);
    sr_rtmp_data_deinit(&again);
    sr_buf_deinit(&out);
    sr_rtmp_data_deinit(&d);
}

static void check_metadata(const uint8_t *data, size_t size, bool amf3)
{
    const uint8_t *body = NULL;
    size_t body_size = 0;
    int rc = sr_rtmp_metadata_slice(data, size, amf3, &body, &body_size);
    if (rc != SR_OK) {
        FUZZ_CHECK(rc == -SR_ERTMP_AMF0 || rc == -SR_ENOT_FOUND);
        FUZZ_CHECK(body == NULL && body_size == 0);
        return;
    }
    FUZZ_CHECK(body != NULL && body >= data && body_size > 0 && body + body_size == data + size);
    // The body starts with the onMetaData name and is its own body.
    sr_reader_t r;
    sr_reader_init(&r, body, body_size);
    sr_amf0_t *name = NULL;
    FUZZ_CHECK(sr_amf0_decode(&r, &name) == SR_OK);
    const char *s = sr_amf0_string(name, NULL);
    FUZZ_CHECK(s != NULL && strcmp(s, SR_RTMP_DATA_ON_METADATA) == 0);
    sr_amf0_free(name);
    const uint8_t *body2 = NULL;
    size_t body2_size = 0;
    FUZZ_CHECK(sr_rtmp_metadata_slice(body, body_size, false, &body2, &body2_size) == SR_OK);
    FUZZ_CHECK(body2 == body && body2_size == body_size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (int amf3 = 0; amf3 <= 1; amf3++) {
        check_command(data, size, amf3);
        check_data(data, size, amf3);
        check_metadata(data, size, amf3);
    }
    sr_err_clear();
    return 0;
}
