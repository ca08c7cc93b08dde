/* adis-safetensors.h: reading and writing the safetensors container
 *
 * SPDX-License-Identifier: MIT
 *
 * Format: 8-byte little-endian header length N, N bytes of JSON
 * {"name": {"dtype", "shape", "data_offsets": [begin, end]}, ...,
 *  "__metadata__": {string: string}}, then the raw little-endian data.
 * Every offset and shape is checked against the file before use.
 */
#pragma once

#include "adis-types.h"

G_BEGIN_DECLS

typedef enum
{
  ADIS_DTYPE_F32,
  ADIS_DTYPE_F16,
  ADIS_DTYPE_BF16,
  ADIS_DTYPE_I64,
  ADIS_DTYPE_U8,
} AdisDType;

#define ADIS_TENSOR_MAX_DIMS 8

typedef struct
{
  const char    *name;
  AdisDType      dtype;
  int            n_dims;
  gint64         shape[ADIS_TENSOR_MAX_DIMS];
  gsize          n_elements;
  gsize          n_bytes;
  const guint8  *data;      /* points into the mapped file */
} AdisTensorView;

gsize         adis_dtype_size              (AdisDType       dtype);
const char   *adis_dtype_to_string         (AdisDType       dtype);   /* "F32", ... */

typedef struct _AdisTensorFile AdisTensorFile;

/* Maps and validates the whole file. A truncated file, a header that is not
 * JSON, offsets that overlap or run past the end, a shape that disagrees
 * with the byte count: ADIS_ERROR_MODEL_FILE with what is wrong. */
AdisTensorFile       *adis_tensor_file_open          (const char      *path,
                                                      GError         **error);
void                  adis_tensor_file_free          (AdisTensorFile  *file);
guint                 adis_tensor_file_get_n_tensors (AdisTensorFile  *file);
const AdisTensorView *adis_tensor_file_get_tensor    (AdisTensorFile  *file,
                                                      guint            index);
const AdisTensorView *adis_tensor_file_lookup        (AdisTensorFile  *file,
                                                      const char      *name);
/* A value of __metadata__, or NULL */
const char           *adis_tensor_file_get_metadata  (AdisTensorFile  *file,
                                                      const char      *key);

typedef struct _AdisTensorWriter AdisTensorWriter;

AdisTensorWriter     *adis_tensor_writer_new         (void);
void                  adis_tensor_writer_free        (AdisTensorWriter *writer);
/* Copies the data; converts F32 input to F16 when dtype is F16 */
void                  adis_tensor_writer_add         (AdisTensorWriter *writer,
                                                      const char       *name,
                                                      AdisDType         dtype,
                                                      int               n_dims,
                                                      const gint64     *shape,
                                                      const void       *data);
void                  adis_tensor_writer_add_f32_as  (AdisTensorWriter *writer,
                                                      const char       *name,
                                                      AdisDType         stored_dtype,
                                                      int               n_dims,
                                                      const gint64     *shape,
                                                      const float      *data);
void                  adis_tensor_writer_set_metadata (AdisTensorWriter *writer,
                                                      const char       *key,
                                                      const char       *value);
/* Temporary file beside path, fsync, rename: never a partial file */
gboolean              adis_tensor_writer_save        (AdisTensorWriter *writer,
                                                      const char       *path,
                                                      GError          **error);

/* Half-precision conversions used by readers and writers */
float                 adis_f16_to_f32                (guint16 h);
guint16               adis_f32_to_f16                (float f);
float                 adis_bf16_to_f32               (guint16 h);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AdisTensorFile, adis_tensor_file_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AdisTensorWriter, adis_tensor_writer_free)

/* Writes bytes to a temporary file beside path, fsyncs and renames: the one
 * atomic-write helper for every output of the engine. */
gboolean              adis_write_file_atomic         (const char      *path,
                                                      const void      *data,
                                                      gsize            length,
                                                      GError         **error);

/* A copy of text for an error message: invalid UTF-8 made valid and
 * control characters (line breaks included) turned into spaces, because
 * what a hostile file names (tensor names, metadata, the text json-glib
 * quotes) must not break the message's one line. Free with g_free(). */
char *adis_one_line_text (const char *text);

G_END_DECLS
