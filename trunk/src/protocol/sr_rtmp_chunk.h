/* SPDX-License-Identifier: MIT */
/*
 * sr_rtmp_chunk.h: the RTMP chunk stream (Adobe RTMP 1.0, section 5.3), both ways.
 *
 * The reader turns the interleaved chunks a peer sends into whole messages, each in
 * one refcounted payload allocated once at the message length, so the payload can be
 * fanned out with no further copy. The writer cuts messages into chunks and batches
 * many of them into few writev calls; payload bytes are never copied, only chunk
 * headers are built (in a per-writer arena).
 *
 * Not here: the handshake, AMF0, commands, and the policy of when to acknowledge or
 * which chunk size to use. The caller applies received protocol control messages
 * (Set Chunk Size, Abort) to the reader; byte builders and parsers for those
 * messages live in sr_rtmp_control.h.
 */
#ifndef SR_RTMP_CHUNK_H
#define SR_RTMP_CHUNK_H

#include "sr_core.h"
#include "sr_io.h"
#include "sr_payload.h"

SR_BEGIN_DECLS

/* Message type ids (RTMP 5.4, 7.1). */
enum {
    SR_RTMP_MSG_SET_CHUNK_SIZE = 1,
    SR_RTMP_MSG_ABORT = 2,
    SR_RTMP_MSG_ACK = 3,
    SR_RTMP_MSG_USER_CONTROL = 4,
    SR_RTMP_MSG_WINDOW_ACK_SIZE = 5,
    SR_RTMP_MSG_SET_PEER_BANDWIDTH = 6,
    SR_RTMP_MSG_AUDIO = 8,
    SR_RTMP_MSG_VIDEO = 9,
    SR_RTMP_MSG_AMF3_DATA = 15,
    SR_RTMP_MSG_AMF3_SHARED_OBJECT = 16,
    SR_RTMP_MSG_AMF3_COMMAND = 17,
    SR_RTMP_MSG_AMF0_DATA = 18,
    SR_RTMP_MSG_AMF0_SHARED_OBJECT = 19,
    SR_RTMP_MSG_AMF0_COMMAND = 20,
    SR_RTMP_MSG_AGGREGATE = 22,
};

/* Chunk stream ids: 2 is reserved for protocol control messages (RTMP 5.4). */
#define SR_RTMP_CSID_CONTROL 2
#define SR_RTMP_CSID_MIN 2
#define SR_RTMP_CSID_MAX 65599
/* Chunk size before any Set Chunk Size (RTMP 5.4.1). */
#define SR_RTMP_DEFAULT_CHUNK_SIZE 128
/* Largest chunk size accepted: a message length is 24 bits, so a larger chunk never helps. */
#define SR_RTMP_MAX_CHUNK_SIZE 0xFFFFFF
/* Largest message length (the 24-bit message length field): audio, video, aggregates. */
#define SR_RTMP_MAX_MESSAGE_SIZE 0xFFFFFF
/* What a reader accepts of the other types, so a peer cannot make a connection hold
 * megabytes with a command: protocol control messages carry a few bytes, commands and
 * shared objects a few hundred (a 64 KiB one is hostile), metadata a few KiB. */
#define SR_RTMP_MAX_CONTROL_SIZE 64
#define SR_RTMP_MAX_COMMAND_SIZE (64 * 1024)
#define SR_RTMP_MAX_DATA_SIZE (1024 * 1024)
/* Timestamps at or above this travel in the 4-byte extended timestamp field (RTMP 5.3.1.3). */
#define SR_RTMP_EXTENDED_TIMESTAMP 0xFFFFFF

/* One complete message. */
typedef struct sr_rtmp_msg {
    uint8_t type;          /* SR_RTMP_MSG_* */
    uint32_t stream_id;    /* message stream id */
    uint32_t timestamp;    /* absolute, 32 bits as RTMP carries it; the caller handles wrap */
    uint32_t csid;         /* chunk stream it arrived on */
    sr_payload_t *payload; /* the caller owns one reference; payload->size is the message length */
} sr_rtmp_msg_t;

/* ---- reader ---- */
typedef struct sr_rtmp_reader sr_rtmp_reader_t;

/* New reader over io (borrowed; must outlive the reader). Chunk size starts at 128. Never NULL. */
sr_rtmp_reader_t *sr_rtmp_reader_new(sr_io_t *io);
/* Free the reader and every partial message it holds. NULL is ignored. */
void sr_rtmp_reader_free(sr_rtmp_reader_t *r);

/*
 * Read chunks until one message is complete and return it in *msg; the caller owns
 * msg->payload's reference. Reads through an internal buffer, so the io may already
 * hold bytes past the returned message.
 * Errors: the io's (-SR_EPEER_CLOSED, -SR_ETIMEOUT, -SR_EINTERRUPTED, -SR_ESOCKET_READ),
 * -SR_ERTMP_CHUNK for a malformed chunk stream. After -SR_ETIMEOUT or -SR_EINTERRUPTED
 * the reader is intact and the call may be repeated; after any other error the
 * connection must be closed. *msg is untouched on error. May yield.
 */
int sr_rtmp_reader_read(sr_rtmp_reader_t *r, sr_rtmp_msg_t *msg);

/* Apply a received Set Chunk Size. Returns SR_OK or -SR_ERTMP_CHUNK when size is 0 or above
 * SR_RTMP_MAX_CHUNK_SIZE (the chunk size is then unchanged). */
int sr_rtmp_reader_set_chunk_size(sr_rtmp_reader_t *r, uint32_t size);
/* The chunk size the reader expects from the peer. */
uint32_t sr_rtmp_reader_chunk_size(const sr_rtmp_reader_t *r);
/* Apply a received Abort: drop the partial message on csid, if any (RTMP 5.4.2). */
void sr_rtmp_reader_abort(sr_rtmp_reader_t *r, uint32_t csid);
/* Bytes received from the io so far (including bytes buffered but not yet parsed), for
 * Acknowledgement sequence numbers (RTMP 5.4.3). */
uint64_t sr_rtmp_reader_recv_bytes(const sr_rtmp_reader_t *r);

/* ---- writer ---- */
typedef struct sr_rtmp_writer sr_rtmp_writer_t;

/* New writer over io (borrowed; must outlive the writer). Chunk size starts at 128. Never NULL. */
sr_rtmp_writer_t *sr_rtmp_writer_new(sr_io_t *io);
/* Free the writer, dropping (not writing) anything queued and its payload references. NULL is ignored. */
void sr_rtmp_writer_free(sr_rtmp_writer_t *w);

/* Set the chunk size used for messages added from now on (1..SR_RTMP_MAX_CHUNK_SIZE; other
 * values are clamped). The caller sends the Set Chunk Size message first. */
void sr_rtmp_writer_set_chunk_size(sr_rtmp_writer_t *w, uint32_t size);
int sr_rtmp_writer_chunk_size(const sr_rtmp_writer_t *w);

/*
 * Queue one message as chunks: a fmt 0 header, then a fmt 3 header every chunk size
 * bytes (repeating the extended timestamp when the timestamp needs one, as FFmpeg and
 * librtmp expect). Takes its own reference on payload (borrowed; the caller keeps
 * theirs) and drops it once the bytes are written or dropped. When the queue is full
 * it flushes first, so it may write. Returns SR_OK, -SR_EINVAL (csid outside
 * 2..65599 or payload above SR_RTMP_MAX_MESSAGE_SIZE), or a flush error (the message
 * is then not queued). May yield.
 */
int sr_rtmp_writer_add(sr_rtmp_writer_t *w, uint32_t csid, uint8_t type, uint32_t stream_id, uint32_t timestamp,
                       sr_payload_t *payload);
/* As sr_rtmp_writer_add for small messages (control, commands): copies len bytes of data
 * (borrowed) into a new payload. len must be at most SR_RTMP_MAX_MESSAGE_SIZE. May yield. */
int sr_rtmp_writer_add_bytes(sr_rtmp_writer_t *w, uint32_t csid, uint8_t type, uint32_t stream_id, uint32_t timestamp,
                             const void *data, size_t len);
/* Queue len bytes at data, already in chunks (sr_rtmp_chunk_delta), held by owner (the
 * writer takes a reference until they are written). Ranges that follow each other in
 * memory go out as one iovec. May yield (a full queue is flushed first). */
int sr_rtmp_writer_add_chunked(sr_rtmp_writer_t *w, sr_payload_t *owner, const uint8_t *data, size_t len);
/* The chunked form of a message whose timestamp is delta after the previous message's on
 * the same chunk stream, with the same stream id: a fmt 1 header, then a fmt 3 header
 * every chunk_size bytes. Returns the bytes it takes (sr_rtmp_chunk_delta_size) written to
 * out, or 0 when a delta does not fit (negative, or one that needs an extended timestamp):
 * such a message needs its own fmt 0 header. */
size_t sr_rtmp_chunk_delta_size(uint32_t csid, uint32_t chunk_size, size_t len);
size_t sr_rtmp_chunk_delta(uint8_t *out, uint32_t csid, uint8_t type, int64_t delta, uint32_t chunk_size,
                           const uint8_t *payload, size_t len);
/*
 * Write everything queued (writev, at most 1024 iovecs per call), then drop the payload
 * references and reset the header arena. On error the queue is dropped all the same.
 * Returns SR_OK or the io's error. May yield.
 */
int sr_rtmp_writer_flush(sr_rtmp_writer_t *w);
/* Bytes queued and not yet written (headers plus payload). */
size_t sr_rtmp_writer_pending_bytes(const sr_rtmp_writer_t *w);

SR_END_DECLS

#endif
