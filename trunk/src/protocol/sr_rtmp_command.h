/* SPDX-License-Identifier: MIT */
/*
 * sr_rtmp_command.h: RTMP command and data messages (RTMP spec 7.1.1, 7.2) as values:
 * parse a message body into a name, a transaction id and AMF0 arguments, and append
 * the bodies the server and our RTMP clients send. Pure code, no IO and no policy: the
 * RTMP connection decides what to answer, this file only knows how it is spelled.
 *
 * Message types: 20 is an AMF0 command, 17 an AMF3 command, 18 AMF0 data, 15 AMF3
 * data. Clients that negotiated objectEncoding 3 send the "AMF3" kinds as one format
 * byte 0x00 followed by plain AMF0, which is all we accept from them.
 *
 * Parse failures start an error trail (sr_err_new) saying which message failed; the
 * -SR_ENOT_FOUND answer of sr_rtmp_metadata_slice is an ordinary outcome and does not.
 */
#ifndef SR_RTMP_COMMAND_H
#define SR_RTMP_COMMAND_H

#include "sr_amf0.h"
#include "sr_bytes.h"
#include "sr_core.h"

SR_BEGIN_DECLS

/* ---- command names ---- */
#define SR_RTMP_CMD_CONNECT "connect"
#define SR_RTMP_CMD_CREATE_STREAM "createStream"
#define SR_RTMP_CMD_PUBLISH "publish"
#define SR_RTMP_CMD_PLAY "play"
#define SR_RTMP_CMD_PAUSE "pause"
#define SR_RTMP_CMD_RELEASE_STREAM "releaseStream"
#define SR_RTMP_CMD_FC_PUBLISH "FCPublish"
#define SR_RTMP_CMD_FC_UNPUBLISH "FCUnpublish"
#define SR_RTMP_CMD_DELETE_STREAM "deleteStream"
#define SR_RTMP_CMD_CLOSE_STREAM "closeStream"
#define SR_RTMP_CMD_GET_STREAM_LENGTH "getStreamLength"
#define SR_RTMP_CMD_RESULT "_result"
#define SR_RTMP_CMD_ERROR "_error"
#define SR_RTMP_CMD_ON_STATUS "onStatus"
#define SR_RTMP_CMD_ON_BW_DONE "onBWDone"
#define SR_RTMP_DATA_SET_DATA_FRAME "@setDataFrame"
#define SR_RTMP_DATA_ON_METADATA "onMetaData"

/* ---- onStatus levels and codes ---- */
#define SR_RTMP_LEVEL_STATUS "status"
#define SR_RTMP_LEVEL_ERROR "error"
#define SR_RTMP_LEVEL_WARNING "warning"
#define SR_RTMP_STATUS_CONNECT_SUCCESS "NetConnection.Connect.Success"
#define SR_RTMP_STATUS_CONNECT_REJECTED "NetConnection.Connect.Rejected"
#define SR_RTMP_STATUS_PUBLISH_START "NetStream.Publish.Start"
#define SR_RTMP_STATUS_PUBLISH_BAD_NAME "NetStream.Publish.BadName"
#define SR_RTMP_STATUS_UNPUBLISH_SUCCESS "NetStream.Unpublish.Success"
#define SR_RTMP_STATUS_PLAY_RESET "NetStream.Play.Reset"
#define SR_RTMP_STATUS_PLAY_START "NetStream.Play.Start"
#define SR_RTMP_STATUS_PLAY_STOP "NetStream.Play.Stop"
#define SR_RTMP_STATUS_PLAY_STREAM_NOT_FOUND "NetStream.Play.StreamNotFound"
#define SR_RTMP_STATUS_PLAY_PUBLISH_NOTIFY "NetStream.Play.PublishNotify"
#define SR_RTMP_STATUS_PLAY_UNPUBLISH_NOTIFY "NetStream.Play.UnpublishNotify"
#define SR_RTMP_STATUS_PAUSE_NOTIFY "NetStream.Pause.Notify"
#define SR_RTMP_STATUS_UNPAUSE_NOTIFY "NetStream.Unpause.Notify"

/* What the server claims to be in the connect _result (FMS-compatible clients check it). */
#define SR_RTMP_FMS_VERSION "FMS/3,5,3,888"
#define SR_RTMP_SERVER_NAME "Strand"

#define SR_RTMP_COMMAND_NAME_MAX 64
#define SR_RTMP_COMMAND_MAX_ARGS 8

/* A parsed command: name, transaction id, command object, then up to 8 more values.
 * Every sr_amf0_t is owned by the struct and freed by sr_rtmp_command_deinit. */
typedef struct sr_rtmp_command {
    char name[SR_RTMP_COMMAND_NAME_MAX];
    double transaction_id;     /* 0 if the peer sent none */
    sr_amf0_t *command_object; /* NULL if absent; an AMF0 null value if the peer sent null */
    sr_amf0_t *args[SR_RTMP_COMMAND_MAX_ARGS];
    size_t nargs;
} sr_rtmp_command_t;

/* A parsed data message: name and up to 8 values, owned by the struct. */
typedef struct sr_rtmp_data {
    char name[SR_RTMP_COMMAND_NAME_MAX];
    sr_amf0_t *values[SR_RTMP_COMMAND_MAX_ARGS];
    size_t count;
} sr_rtmp_data_t;

/* ---- parsing ---- */

/* Parse a command message body (data borrowed; amf3 true for message type 17, whose
 * leading 0x00 format byte is skipped) into cmd (caller storage, fully overwritten).
 * The name must be a string shorter than SR_RTMP_COMMAND_NAME_MAX without NULs; the
 * transaction id, if present, a number. Values after the 8th argument are ignored
 * undecoded. Errors: -SR_ERTMP_AMF0 for malformed AMF0, -SR_ERTMP_COMMAND for a body that
 * is not a command. On failure cmd holds nothing (deinit is safe but not needed). */
int sr_rtmp_command_parse(const uint8_t *data, size_t size, bool amf3, sr_rtmp_command_t *cmd);
/* Free every value cmd holds and zero it. */
void sr_rtmp_command_deinit(sr_rtmp_command_t *cmd);
/* Argument i (0 is the first after the command object) as a string, or NULL. */
const char *sr_rtmp_command_arg_string(const sr_rtmp_command_t *cmd, size_t i);
/* Argument i as a number, or dflt if absent or not a number. */
double sr_rtmp_command_arg_number(const sr_rtmp_command_t *cmd, size_t i, double dflt);

/* Parse a data message body (type 18, or 15 with amf3 true) into d (caller storage):
 * a string name then up to 8 values (the rest ignored). Same errors and failure
 * contract as sr_rtmp_command_parse. */
int sr_rtmp_data_parse(const uint8_t *data, size_t size, bool amf3, sr_rtmp_data_t *d);
/* Free every value d holds and zero it. */
void sr_rtmp_data_deinit(sr_rtmp_data_t *d);

/* Find the onMetaData body inside a metadata data message without re-encoding: for
 * "@setDataFrame", "onMetaData", {...} the body is the bytes after the first string;
 * a message that already starts with "onMetaData" is its own body (after the AMF3
 * format byte, if any). *body points into data (borrowed). The metadata value after the
 * name must decode as AMF0. Errors: -SR_ERTMP_AMF0 malformed, -SR_ENOT_FOUND if this is
 * not a metadata message. */
int sr_rtmp_metadata_slice(const uint8_t *data, size_t size, bool amf3, const uint8_t **body, size_t *body_size);

/* ---- server replies: each appends one complete AMF0 message body to out ---- */

/* "_result" for connect: properties {fmsVer, capabilities 127, mode 1} and information
 * {level, code NetConnection.Connect.Success, description, objectEncoding (echo the
 * client's; 0 by default), data {version, server}}. */
void sr_rtmp_build_connect_result(sr_buf_t *out, double transaction_id, double object_encoding);
/* "_result", tid, null, value: e.g. createStream's stream id. */
void sr_rtmp_build_result_number(sr_buf_t *out, double transaction_id, double value);
/* "_result", tid, null, undefined: releaseStream, FCPublish and other acknowledgements. */
void sr_rtmp_build_result_undefined(sr_buf_t *out, double transaction_id);
/* "_error", tid, null, {level "error", code, description} (code/description borrowed). */
void sr_rtmp_build_error(sr_buf_t *out, double transaction_id, const char *code, const char *description);

/* Fields of an onStatus information object; strings borrowed, NULL omits optional ones. */
typedef struct sr_rtmp_status {
    const char *level;       /* NULL means "status" */
    const char *code;        /* required */
    const char *description; /* NULL writes "" */
    const char *details;     /* optional, usually the stream name */
    const char *client_id;   /* optional */
} sr_rtmp_status_t;

/* "onStatus", 0, null, {level, code, description[, details][, clientid]}. */
void sr_rtmp_build_on_status(sr_buf_t *out, const sr_rtmp_status_t *st);
/* "onBWDone", 0, null. */
void sr_rtmp_build_on_bw_done(sr_buf_t *out);
/* "onFCPublish", 0, null, {code, description}; strings borrowed. */
void sr_rtmp_build_on_fc_publish(sr_buf_t *out, const char *code, const char *description);
/* "onFCUnpublish", 0, null, {code, description}; strings borrowed. */
void sr_rtmp_build_on_fc_unpublish(sr_buf_t *out, const char *code, const char *description);
/* Data message "|RtmpSampleAccess", true, true (lets Flash players read samples). */
void sr_rtmp_build_sample_access(sr_buf_t *out);

/* ---- client commands (forwarder, edge, tests) ---- */

/* Fields of a connect command object; strings borrowed, NULL omits optional ones. */
typedef struct sr_rtmp_connect_args {
    const char *app;        /* required */
    const char *tc_url;     /* required */
    const char *flash_ver;  /* NULL means "FMLE/3.0 (compatible; FMSc/1.0)" */
    const char *swf_url;    /* optional */
    const char *page_url;   /* optional */
    double object_encoding; /* written only when not 0 */
} sr_rtmp_connect_args_t;

/* "connect", tid, {app, type "nonprivate", flashVer, tcUrl[, swfUrl][, pageUrl][, objectEncoding]}. */
void sr_rtmp_build_connect(sr_buf_t *out, double transaction_id, const sr_rtmp_connect_args_t *a);
/* "createStream", tid, null. */
void sr_rtmp_build_create_stream(sr_buf_t *out, double transaction_id);
/* name, tid, null, stream: releaseStream, FCPublish, FCUnpublish (strings borrowed). */
void sr_rtmp_build_stream_call(sr_buf_t *out, const char *name, double transaction_id, const char *stream);
/* "publish", tid, null, stream, type ("live", "record" or "append"; NULL means "live"). */
void sr_rtmp_build_publish(sr_buf_t *out, double transaction_id, const char *stream, const char *type);
/* "play", tid, null, stream, start (-2 live or recorded, -1 live only, >= 0 seconds). */
void sr_rtmp_build_play(sr_buf_t *out, double transaction_id, const char *stream, double start);
/* "deleteStream", tid, null, stream_id. */
void sr_rtmp_build_delete_stream(sr_buf_t *out, double transaction_id, double stream_id);

SR_END_DECLS

#endif
