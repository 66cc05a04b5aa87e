/* SPDX-License-Identifier: MIT */
/*
 * sr_rtmp_command.c: command and data message bodies, from the RTMP specification
 * (Adobe, 2012) 7.1.1 (command/data message types), 7.2.1 (NetConnection commands) and
 * 7.2.2 (NetStream commands), and from what Flash, FMLE, FFmpeg and OBS actually send
 * and expect. Replies are written straight into an sr_buf_t with the AMF0 direct
 * writers: no value tree is built per connection.
 */
#include "sr_rtmp_command.h"

#include <string.h>

#include "sr_error.h"

/* ============================================================================
 * Parsing
 * ========================================================================== */

/* Start a reader on a message body, skipping the format byte of AMF3 messages. */
static void sr_rtmp_command_reader_init(sr_reader_t *r, const uint8_t *data, size_t size, bool amf3)
{
    sr_reader_init(r, data, size);
    if (amf3 && size > 0 && data[0] == 0x00) {
        sr_reader_skip(r, 1);
    }
}

/* Read the name string into name[SR_RTMP_COMMAND_NAME_MAX]. */
static int sr_rtmp_command_read_name(sr_reader_t *r, char *name)
{
    if (sr_reader_left(r) == 0) {
        return -SR_ERTMP_COMMAND;
    }
    sr_amf0_t *v;
    int rc = sr_amf0_decode(r, &v);
    if (rc != SR_OK) {
        return rc;
    }
    size_t len;
    const char *s = sr_amf0_string(v, &len);
    if (s == NULL || len >= SR_RTMP_COMMAND_NAME_MAX || memchr(s, '\0', len) != NULL) {
        sr_amf0_free(v);
        return -SR_ERTMP_COMMAND;
    }
    memcpy(name, s, len + 1);
    sr_amf0_free(v);
    return SR_OK;
}

/* Decode values into list[] until input ends or max are held. */
static int sr_rtmp_command_read_values(sr_reader_t *r, sr_amf0_t **list, size_t max, size_t *count)
{
    while (sr_reader_left(r) > 0 && *count < max) {
        int rc = sr_amf0_decode(r, &list[*count]);
        if (rc != SR_OK) {
            return rc;
        }
        (*count)++;
    }
    return SR_OK;
}

static int sr_rtmp_command_read_transaction(sr_reader_t *r, double *tid)
{
    sr_amf0_t *v;
    int rc = sr_amf0_decode(r, &v);
    if (rc != SR_OK) {
        return rc;
    }
    bool ok = sr_amf0_type(v) == SR_AMF0_NUMBER;
    *tid = sr_amf0_number(v);
    sr_amf0_free(v);
    return ok ? SR_OK : -SR_ERTMP_COMMAND;
}

int sr_rtmp_command_parse(const uint8_t *data, size_t size, bool amf3, sr_rtmp_command_t *cmd)
{
    memset(cmd, 0, sizeof(*cmd));
    sr_reader_t r;
    sr_rtmp_command_reader_init(&r, data, size, amf3);
    int rc = sr_rtmp_command_read_name(&r, cmd->name);
    if (rc == SR_OK && sr_reader_left(&r) > 0) {
        rc = sr_rtmp_command_read_transaction(&r, &cmd->transaction_id);
    }
    if (rc == SR_OK && sr_reader_left(&r) > 0) {
        rc = sr_amf0_decode(&r, &cmd->command_object);
    }
    if (rc == SR_OK) {
        rc = sr_rtmp_command_read_values(&r, cmd->args, SR_RTMP_COMMAND_MAX_ARGS, &cmd->nargs);
    }
    if (rc != SR_OK) {
        rc = sr_err_new(-rc, "command \"%s\" of %zu bytes", cmd->name, size);
        sr_rtmp_command_deinit(cmd);
    }
    return rc;
}

void sr_rtmp_command_deinit(sr_rtmp_command_t *cmd)
{
    sr_amf0_free(cmd->command_object);
    for (size_t i = 0; i < cmd->nargs; i++) {
        sr_amf0_free(cmd->args[i]);
    }
    memset(cmd, 0, sizeof(*cmd));
}

const char *sr_rtmp_command_arg_string(const sr_rtmp_command_t *cmd, size_t i)
{
    return i < cmd->nargs ? sr_amf0_string(cmd->args[i], NULL) : NULL;
}

double sr_rtmp_command_arg_number(const sr_rtmp_command_t *cmd, size_t i, double dflt)
{
    if (i >= cmd->nargs || sr_amf0_type(cmd->args[i]) != SR_AMF0_NUMBER) {
        return dflt;
    }
    return sr_amf0_number(cmd->args[i]);
}

int sr_rtmp_data_parse(const uint8_t *data, size_t size, bool amf3, sr_rtmp_data_t *d)
{
    memset(d, 0, sizeof(*d));
    sr_reader_t r;
    sr_rtmp_command_reader_init(&r, data, size, amf3);
    int rc = sr_rtmp_command_read_name(&r, d->name);
    if (rc == SR_OK) {
        rc = sr_rtmp_command_read_values(&r, d->values, SR_RTMP_COMMAND_MAX_ARGS, &d->count);
    }
    if (rc != SR_OK) {
        rc = sr_err_new(-rc, "data \"%s\" of %zu bytes", d->name, size);
        sr_rtmp_data_deinit(d);
    }
    return rc;
}

void sr_rtmp_data_deinit(sr_rtmp_data_t *d)
{
    for (size_t i = 0; i < d->count; i++) {
        sr_amf0_free(d->values[i]);
    }
    memset(d, 0, sizeof(*d));
}

/* Read a name like sr_rtmp_command_read_name, but a missing or non-string name is "not found". */
static int sr_rtmp_metadata_read_name(sr_reader_t *r, char *name)
{
    int rc = sr_rtmp_command_read_name(r, name);
    return rc == -SR_ERTMP_COMMAND ? -SR_ENOT_FOUND : rc;
}

int sr_rtmp_metadata_slice(const uint8_t *data, size_t size, bool amf3, const uint8_t **body, size_t *body_size)
{
    sr_reader_t r;
    sr_rtmp_command_reader_init(&r, data, size, amf3);
    size_t start = r.pos;
    char name[SR_RTMP_COMMAND_NAME_MAX];
    int rc = sr_rtmp_metadata_read_name(&r, name);
    if (rc == SR_OK && strcmp(name, SR_RTMP_DATA_SET_DATA_FRAME) == 0) {
        /* the body starts at the "onMetaData" string that follows @setDataFrame */
        start = r.pos;
        rc = sr_rtmp_metadata_read_name(&r, name);
    }
    if (rc == -SR_ENOT_FOUND || (rc == SR_OK && strcmp(name, SR_RTMP_DATA_ON_METADATA) != 0)) {
        return -SR_ENOT_FOUND; /* an ordinary outcome: no trail */
    }
    /* the metadata itself must be well-formed before we hand it to every player */
    sr_amf0_t *meta = NULL;
    if (rc != SR_OK || sr_reader_left(&r) == 0 || sr_amf0_decode(&r, &meta) != SR_OK) {
        return sr_err_new(SR_ERTMP_AMF0, "metadata message of %zu bytes", size);
    }
    sr_amf0_free(meta);
    *body = data + start;
    *body_size = size - start;
    return SR_OK;
}

/* ============================================================================
 * Builders
 * ========================================================================== */

static void sr_rtmp_command_put_string(sr_buf_t *out, const char *key, const char *value)
{
    sr_amf0_write_property_name(out, key);
    sr_amf0_write_string(out, value);
}

static void sr_rtmp_command_put_number(sr_buf_t *out, const char *key, double value)
{
    sr_amf0_write_property_name(out, key);
    sr_amf0_write_number(out, value);
}

/* name, tid, null: the head of most commands. */
static void sr_rtmp_command_put_head(sr_buf_t *out, const char *name, double transaction_id)
{
    sr_amf0_write_string(out, name);
    sr_amf0_write_number(out, transaction_id);
    sr_amf0_write_null(out);
}

void sr_rtmp_build_connect_result(sr_buf_t *out, double transaction_id, double object_encoding)
{
    sr_amf0_write_string(out, SR_RTMP_CMD_RESULT);
    sr_amf0_write_number(out, transaction_id);

    /* properties */
    sr_amf0_write_object_start(out);
    sr_rtmp_command_put_string(out, "fmsVer", SR_RTMP_FMS_VERSION);
    sr_rtmp_command_put_number(out, "capabilities", 127);
    sr_rtmp_command_put_number(out, "mode", 1);
    sr_amf0_write_object_end(out);

    /* information */
    sr_amf0_write_object_start(out);
    sr_rtmp_command_put_string(out, "level", SR_RTMP_LEVEL_STATUS);
    sr_rtmp_command_put_string(out, "code", SR_RTMP_STATUS_CONNECT_SUCCESS);
    sr_rtmp_command_put_string(out, "description", "Connection succeeded");
    sr_rtmp_command_put_number(out, "objectEncoding", object_encoding);
    sr_amf0_write_property_name(out, "data");
    sr_amf0_write_ecma_array_start(out, 2);
    sr_rtmp_command_put_string(out, "version", "3,5,3,888");
    sr_rtmp_command_put_string(out, "server", SR_RTMP_SERVER_NAME);
    sr_amf0_write_object_end(out);
    sr_amf0_write_object_end(out);
}

void sr_rtmp_build_result_number(sr_buf_t *out, double transaction_id, double value)
{
    sr_rtmp_command_put_head(out, SR_RTMP_CMD_RESULT, transaction_id);
    sr_amf0_write_number(out, value);
}

void sr_rtmp_build_result_undefined(sr_buf_t *out, double transaction_id)
{
    sr_rtmp_command_put_head(out, SR_RTMP_CMD_RESULT, transaction_id);
    sr_amf0_write_undefined(out);
}

void sr_rtmp_build_error(sr_buf_t *out, double transaction_id, const char *code, const char *description)
{
    sr_rtmp_command_put_head(out, SR_RTMP_CMD_ERROR, transaction_id);
    sr_amf0_write_object_start(out);
    sr_rtmp_command_put_string(out, "level", SR_RTMP_LEVEL_ERROR);
    sr_rtmp_command_put_string(out, "code", code);
    sr_rtmp_command_put_string(out, "description", description ? description : "");
    sr_amf0_write_object_end(out);
}

void sr_rtmp_build_on_status(sr_buf_t *out, const sr_rtmp_status_t *st)
{
    sr_rtmp_command_put_head(out, SR_RTMP_CMD_ON_STATUS, 0);
    sr_amf0_write_object_start(out);
    sr_rtmp_command_put_string(out, "level", st->level ? st->level : SR_RTMP_LEVEL_STATUS);
    sr_rtmp_command_put_string(out, "code", st->code);
    sr_rtmp_command_put_string(out, "description", st->description ? st->description : "");
    if (st->details) {
        sr_rtmp_command_put_string(out, "details", st->details);
    }
    if (st->client_id) {
        sr_rtmp_command_put_string(out, "clientid", st->client_id);
    }
    sr_amf0_write_object_end(out);
}

void sr_rtmp_build_on_bw_done(sr_buf_t *out)
{
    sr_rtmp_command_put_head(out, SR_RTMP_CMD_ON_BW_DONE, 0);
}

static void sr_rtmp_build_on_fc(sr_buf_t *out, const char *name, const char *code, const char *description)
{
    sr_rtmp_command_put_head(out, name, 0);
    sr_amf0_write_object_start(out);
    sr_rtmp_command_put_string(out, "code", code);
    sr_rtmp_command_put_string(out, "description", description ? description : "");
    sr_amf0_write_object_end(out);
}

void sr_rtmp_build_on_fc_publish(sr_buf_t *out, const char *code, const char *description)
{
    sr_rtmp_build_on_fc(out, "onFCPublish", code, description);
}

void sr_rtmp_build_on_fc_unpublish(sr_buf_t *out, const char *code, const char *description)
{
    sr_rtmp_build_on_fc(out, "onFCUnpublish", code, description);
}

void sr_rtmp_build_sample_access(sr_buf_t *out)
{
    sr_amf0_write_string(out, "|RtmpSampleAccess");
    sr_amf0_write_boolean(out, true);
    sr_amf0_write_boolean(out, true);
}

void sr_rtmp_build_connect(sr_buf_t *out, double transaction_id, const sr_rtmp_connect_args_t *a)
{
    sr_amf0_write_string(out, SR_RTMP_CMD_CONNECT);
    sr_amf0_write_number(out, transaction_id);
    sr_amf0_write_object_start(out);
    sr_rtmp_command_put_string(out, "app", a->app);
    sr_rtmp_command_put_string(out, "type", "nonprivate");
    sr_rtmp_command_put_string(out, "flashVer", a->flash_ver ? a->flash_ver : "FMLE/3.0 (compatible; FMSc/1.0)");
    if (a->swf_url) {
        sr_rtmp_command_put_string(out, "swfUrl", a->swf_url);
    }
    sr_rtmp_command_put_string(out, "tcUrl", a->tc_url);
    if (a->page_url) {
        sr_rtmp_command_put_string(out, "pageUrl", a->page_url);
    }
    if (a->object_encoding != 0) {
        sr_rtmp_command_put_number(out, "objectEncoding", a->object_encoding);
    }
    sr_amf0_write_object_end(out);
}

void sr_rtmp_build_create_stream(sr_buf_t *out, double transaction_id)
{
    sr_rtmp_command_put_head(out, SR_RTMP_CMD_CREATE_STREAM, transaction_id);
}

void sr_rtmp_build_stream_call(sr_buf_t *out, const char *name, double transaction_id, const char *stream)
{
    sr_rtmp_command_put_head(out, name, transaction_id);
    sr_amf0_write_string(out, stream);
}

void sr_rtmp_build_publish(sr_buf_t *out, double transaction_id, const char *stream, const char *type)
{
    sr_rtmp_build_stream_call(out, SR_RTMP_CMD_PUBLISH, transaction_id, stream);
    sr_amf0_write_string(out, type ? type : "live");
}

void sr_rtmp_build_play(sr_buf_t *out, double transaction_id, const char *stream, double start)
{
    sr_rtmp_build_stream_call(out, SR_RTMP_CMD_PLAY, transaction_id, stream);
    sr_amf0_write_number(out, start);
}

void sr_rtmp_build_delete_stream(sr_buf_t *out, double transaction_id, double stream_id)
{
    sr_rtmp_command_put_head(out, SR_RTMP_CMD_DELETE_STREAM, transaction_id);
    sr_amf0_write_number(out, stream_id);
}
