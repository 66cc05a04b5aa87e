/* SPDX-License-Identifier: MIT */
/*
 * sr_amf0.h: the AMF0 codec (Adobe "Action Message Format -- AMF 0", 2007) that RTMP
 * commands, data messages and FLV script tags are written in.
 *
 * Two ways in and out:
 *  - a heap value tree (sr_amf0_t, opaque) for decoding peer input and for building
 *    structured values; objects and ECMA arrays keep their properties in insertion
 *    order, because players read onMetaData in the order the encoder wrote it;
 *  - direct writers (sr_amf0_write_*) that append one value to an sr_buf_t without a
 *    tree, for replies built on every connection.
 *
 * The decoder treats every byte as hostile: reads are bounds-checked, nesting depth is
 * limited (SR_AMF0_MAX_DEPTH) so a peer cannot recurse through a 128 KiB coroutine
 * stack, and element counts are checked against the bytes left before anything is
 * allocated. Reference (0x07), movieclip, unsupported, XML, typed-object and AMF3-switch
 * markers are refused. This file knows nothing about RTMP; see sr_rtmp_command.h.
 */
#ifndef SR_AMF0_H
#define SR_AMF0_H

#include "sr_bytes.h"
#include "sr_core.h"

SR_BEGIN_DECLS

/* Value types; the numbers are the AMF0 markers (spec 2.1). A long string (0x0c)
 * decodes as SR_AMF0_STRING and encodes as a long string only when it needs to. */
typedef enum sr_amf0_type {
    SR_AMF0_NUMBER = 0x00,
    SR_AMF0_BOOLEAN = 0x01,
    SR_AMF0_STRING = 0x02,
    SR_AMF0_OBJECT = 0x03,
    SR_AMF0_NULL = 0x05,
    SR_AMF0_UNDEFINED = 0x06,
    SR_AMF0_ECMA_ARRAY = 0x08,
    SR_AMF0_OBJECT_END = 0x09, /* a marker only, never the type of a value */
    SR_AMF0_STRICT_ARRAY = 0x0a,
    SR_AMF0_DATE = 0x0b,
    SR_AMF0_LONG_STRING = 0x0c, /* a marker only, never the type of a value */
} sr_amf0_type_t;

/* Most objects/arrays the decoder accepts nested inside each other (a top-level object is 1). */
#define SR_AMF0_MAX_DEPTH 32

typedef struct sr_amf0 sr_amf0_t;

/* ---- constructors: each returns a new value the caller owns (free with sr_amf0_free). Never NULL. ---- */

/* A number. */
sr_amf0_t *sr_amf0_number_new(double v);
/* A boolean. */
sr_amf0_t *sr_amf0_boolean_new(bool v);
/* A string holding a copy of the NUL-terminated s (borrowed). */
sr_amf0_t *sr_amf0_string_new(const char *s);
/* A string holding a copy of len bytes at s (borrowed); may contain NULs. */
sr_amf0_t *sr_amf0_string_newn(const char *s, size_t len);
/* The null value. */
sr_amf0_t *sr_amf0_null_new(void);
/* The undefined value. */
sr_amf0_t *sr_amf0_undefined_new(void);
/* An empty anonymous object. */
sr_amf0_t *sr_amf0_object_new(void);
/* An empty ECMA (associative) array; it has the object API below. */
sr_amf0_t *sr_amf0_ecma_array_new(void);
/* An empty strict (dense) array. */
sr_amf0_t *sr_amf0_strict_array_new(void);
/* A date: ms since the Unix epoch (UTC) and the timezone field (spec says 0x0000). */
sr_amf0_t *sr_amf0_date_new(double ms, int16_t tz);

/* Free v and everything it contains. NULL is ignored. */
void sr_amf0_free(sr_amf0_t *v);
/* A deep copy of v (borrowed); the caller owns the copy. v must not be NULL. */
sr_amf0_t *sr_amf0_clone(const sr_amf0_t *v);

/* ---- accessors: v is borrowed and may be NULL; a wrong type gives the neutral answer ---- */

/* The type of v (SR_AMF0_UNDEFINED for NULL). */
sr_amf0_type_t sr_amf0_type(const sr_amf0_t *v);
/* The number, or 0 if v is not a number. */
double sr_amf0_number(const sr_amf0_t *v);
/* The boolean, or false if v is not a boolean. */
bool sr_amf0_boolean(const sr_amf0_t *v);
/* The string, NUL-terminated and owned by v, or NULL if v is not a string. It may
 * contain NULs: *len (if len is not NULL) gets the real length. */
const char *sr_amf0_string(const sr_amf0_t *v, size_t *len);
/* The date's milliseconds, or 0 if v is not a date. */
double sr_amf0_date_ms(const sr_amf0_t *v);
/* The date's timezone field, or 0 if v is not a date. */
int16_t sr_amf0_date_tz(const sr_amf0_t *v);

/* ---- objects and ECMA arrays (o of another type: getters answer NULL/0/dflt) ---- */

/* Set property key (borrowed, copied) to value, consuming value on every path. An
 * existing key keeps its position and gets the new value; a new key is appended. If o
 * is not an object or ECMA array (a programmer error), value is freed and o unchanged. */
void sr_amf0_object_set_take(sr_amf0_t *o, const char *key, sr_amf0_t *value);
/* The value of key, borrowed from o, or NULL if absent. */
sr_amf0_t *sr_amf0_object_get(const sr_amf0_t *o, const char *key);
/* The string value of key (owned by o), or NULL if absent or not a string. */
const char *sr_amf0_object_get_string(const sr_amf0_t *o, const char *key);
/* The number value of key, or dflt if absent or not a number. */
double sr_amf0_object_get_number(const sr_amf0_t *o, const char *key, double dflt);
/* Number of properties. */
size_t sr_amf0_object_count(const sr_amf0_t *o);
/* Key of the i-th property in insertion order (owned by o), or NULL if i is out of range. */
const char *sr_amf0_object_key_at(const sr_amf0_t *o, size_t i);
/* Value of the i-th property (borrowed), or NULL if i is out of range. */
sr_amf0_t *sr_amf0_object_value_at(const sr_amf0_t *o, size_t i);
/* Remove and free property key. Returns true if it was there. Order of the rest is kept. */
bool sr_amf0_object_remove(sr_amf0_t *o, const char *key);

/* ---- strict arrays ---- */

/* Append value, consuming it on every path. If a is not a strict array (a programmer
 * error), value is freed and a unchanged. */
void sr_amf0_array_push_take(sr_amf0_t *a, sr_amf0_t *value);
/* Number of elements (0 if a is not a strict array). */
size_t sr_amf0_array_count(const sr_amf0_t *a);
/* The i-th element (borrowed), or NULL if out of range. */
sr_amf0_t *sr_amf0_array_at(const sr_amf0_t *a, size_t i);

/* ---- decode / encode ---- */

/* Decode one value at r's position into *out (owned by the caller). On success r is
 * advanced past the value. On failure *out is NULL, r is left where it was, nothing is
 * leaked, and the code is -SR_ERTMP_AMF0 for every kind of bad input: truncation,
 * unknown or unsupported marker, nesting deeper than SR_AMF0_MAX_DEPTH, a strict array
 * claiming more elements than bytes left. An ECMA array's count is only a hint: it is
 * read until the object-end marker, or to the end of input if the marker is missing
 * (some encoders omit it). */
int sr_amf0_decode(sr_reader_t *r, sr_amf0_t **out);
/* Decode values back to back until size bytes are consumed. On success *values is a
 * new array of *count values, all owned by the caller: free with sr_amf0_free_all.
 * Empty input gives *values NULL, *count 0. On failure (-SR_ERTMP_AMF0) nothing is
 * returned or leaked. data is borrowed. */
int sr_amf0_decode_all(const uint8_t *data, size_t size, sr_amf0_t ***values, size_t *count);
/* Free count values and the array from sr_amf0_decode_all. NULL is ignored. */
void sr_amf0_free_all(sr_amf0_t **values, size_t count);

/* Append the encoding of v (borrowed) to out. Strings over 65535 bytes become long
 * strings; keys over 65535 bytes (not representable) are cut to 65535. */
void sr_amf0_encode(const sr_amf0_t *v, sr_buf_t *out);

/* ---- direct writers: each appends one marker (and payload) to out ---- */

/* Number marker + IEEE 754 big-endian double. */
void sr_amf0_write_number(sr_buf_t *out, double v);
/* Boolean marker + 0x00/0x01. */
void sr_amf0_write_boolean(sr_buf_t *out, bool v);
/* String (or long string if over 65535 bytes) of the NUL-terminated s (borrowed). */
void sr_amf0_write_string(sr_buf_t *out, const char *s);
/* String (or long string) of len bytes at s (borrowed). */
void sr_amf0_write_stringn(sr_buf_t *out, const char *s, size_t len);
/* Null marker. */
void sr_amf0_write_null(sr_buf_t *out);
/* Undefined marker. */
void sr_amf0_write_undefined(sr_buf_t *out);
/* Object marker; follow with property name + value pairs and sr_amf0_write_object_end. */
void sr_amf0_write_object_start(sr_buf_t *out);
/* A property name: u16 length + key bytes, no marker (cut to 65535 bytes). */
void sr_amf0_write_property_name(sr_buf_t *out, const char *key);
/* The object-end sequence 0x00 0x00 0x09 (ends objects and ECMA arrays). */
void sr_amf0_write_object_end(sr_buf_t *out);
/* ECMA array marker + u32 count hint; follow like an object. */
void sr_amf0_write_ecma_array_start(sr_buf_t *out, uint32_t count);
/* Date marker + double ms + s16 timezone. */
void sr_amf0_write_date(sr_buf_t *out, double ms, int16_t tz);

SR_END_DECLS

#endif
