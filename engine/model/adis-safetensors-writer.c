/* adis-safetensors-writer.c: a safetensors file written whole, and the
 * engine's atomic file write
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "adis"

#include "config.h"

#include <string.h>
#include <math.h>
#include <json-glib/json-glib.h>

#include "adis-safetensors-private.h"

typedef struct
{
  char      *name;
  AdisDType  dtype;
  int        n_dims;
  gint64     shape[ADIS_TENSOR_MAX_DIMS];
  GBytes    *bytes;
} PendingTensor;

struct _AdisTensorWriter
{
  GHashTable *tensors;    /* name -> PendingTensor* */
  GHashTable *metadata;   /* char* -> char* */
};

/* --- atomic writes ------------------------------------------------------- */

gboolean
adis_write_file_atomic (const char  *path,
                        const void  *data,
                        gsize        length,
                        GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (data != NULL || length == 0, FALSE);

  /* GLib writes a temporary beside path, fsyncs it and renames it over,
   * and removes the temporary when anything fails. */
  if (!g_file_set_contents_full (path, data, (gssize) length,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0666, &local_error))
    {
      /* GLib's message names the temporary file; say which file the caller
       * asked for, and that whatever was there before is still there */
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_IO, "Cannot write “%s”%s (nothing was replaced): %s",
                   path, g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOSPC) ? ", the disk is full" : "",
                   local_error->message);
      return FALSE;
    }

  return TRUE;
}

/* --- writing ------------------------------------------------------------- */

static void
pending_tensor_free (gpointer data)
{
  PendingTensor *tensor = data;

  g_free (tensor->name);
  g_bytes_unref (tensor->bytes);
  g_free (tensor);
}

AdisTensorWriter *
adis_tensor_writer_new (void)
{
  AdisTensorWriter *writer = g_new0 (AdisTensorWriter, 1);

  writer->tensors = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, pending_tensor_free);
  writer->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return writer;
}

void
adis_tensor_writer_free (AdisTensorWriter *writer)
{
  if (writer == NULL)
    return;
  g_hash_table_unref (writer->tensors);
  g_hash_table_unref (writer->metadata);
  g_free (writer);
}

static gsize
count_elements (int           n_dims,
                const gint64 *shape)
{
  gsize n = 1;

  for (int d = 0; d < n_dims; d++)
    n *= (gsize) shape[d];
  return n;
}

static PendingTensor *
pending_tensor_new (AdisTensorWriter *writer,
                    const char       *name,
                    AdisDType         dtype,
                    int               n_dims,
                    const gint64     *shape)
{
  PendingTensor *tensor;

  g_return_val_if_fail (name != NULL && !g_str_equal (name, "__metadata__"), NULL);
  g_return_val_if_fail (!g_hash_table_contains (writer->tensors, name), NULL);
  g_return_val_if_fail (n_dims >= 0 && n_dims <= ADIS_TENSOR_MAX_DIMS, NULL);
  g_return_val_if_fail (n_dims == 0 || shape != NULL, NULL);
  for (int d = 0; d < n_dims; d++)
    g_return_val_if_fail (shape[d] >= 0, NULL);

  tensor = g_new0 (PendingTensor, 1);
  tensor->name = g_strdup (name);
  tensor->dtype = dtype;
  tensor->n_dims = n_dims;
  for (int d = 0; d < n_dims; d++)
    tensor->shape[d] = shape[d];
  return tensor;
}

void
adis_tensor_writer_add_f32_as (AdisTensorWriter *writer,
                               const char       *name,
                               AdisDType         stored_dtype,
                               int               n_dims,
                               const gint64     *shape,
                               const float      *data)
{
  PendingTensor *tensor;
  gsize n;

  g_return_if_fail (writer != NULL);
  g_return_if_fail (stored_dtype == ADIS_DTYPE_F32 || stored_dtype == ADIS_DTYPE_F16 ||
                    stored_dtype == ADIS_DTYPE_BF16);

  tensor = pending_tensor_new (writer, name, stored_dtype, n_dims, shape);
  if (tensor == NULL)
    return;
  n = count_elements (n_dims, shape);
  g_return_if_fail (n == 0 || data != NULL);

  if (stored_dtype == ADIS_DTYPE_F32)
    tensor->bytes = g_bytes_new (data, n * sizeof (float));
  else
    {
      guint16 *halves = g_new (guint16, MAX (n, 1));

      for (gsize i = 0; i < n; i++)
        halves[i] = GUINT16_TO_LE (stored_dtype == ADIS_DTYPE_F16 ? adis_f32_to_f16 (data[i])
                                                                  : adis_f32_to_bf16 (data[i]));
      tensor->bytes = g_bytes_new_take (halves, n * sizeof (guint16));
    }

  g_hash_table_insert (writer->tensors, tensor->name, tensor);
}

/* As the header says: F16 takes float input and converts it (the weights
 * live as F32 everywhere in the engine); every other dtype is copied raw. */
void
adis_tensor_writer_add (AdisTensorWriter *writer,
                        const char       *name,
                        AdisDType         dtype,
                        int               n_dims,
                        const gint64     *shape,
                        const void       *data)
{
  PendingTensor *tensor;
  gsize n_bytes;

  g_return_if_fail (writer != NULL);

  if (dtype == ADIS_DTYPE_F16)
    {
      adis_tensor_writer_add_f32_as (writer, name, dtype, n_dims, shape, data);
      return;
    }

  tensor = pending_tensor_new (writer, name, dtype, n_dims, shape);
  if (tensor == NULL)
    return;
  n_bytes = count_elements (n_dims, shape) * adis_dtype_size (dtype);
  g_return_if_fail (n_bytes == 0 || data != NULL);
  tensor->bytes = g_bytes_new (data, n_bytes);
  g_hash_table_insert (writer->tensors, tensor->name, tensor);
}

void
adis_tensor_writer_set_metadata (AdisTensorWriter *writer,
                                 const char       *key,
                                 const char       *value)
{
  g_return_if_fail (writer != NULL);
  g_return_if_fail (key != NULL && value != NULL);
  g_return_if_fail (g_utf8_validate (key, -1, NULL) && g_utf8_validate (value, -1, NULL));

  g_hash_table_insert (writer->metadata, g_strdup (key), g_strdup (value));
}

/* Wider elements first, so every tensor starts aligned to its own element
 * size while the data stays contiguous (readers reject gaps); by name
 * within a width so the bytes never depend on hash order. */
static int
compare_layout (gconstpointer a,
                gconstpointer b)
{
  const PendingTensor *ta = *(PendingTensor * const *) a;
  const PendingTensor *tb = *(PendingTensor * const *) b;
  gsize sa = adis_dtype_size (ta->dtype);
  gsize sb = adis_dtype_size (tb->dtype);

  if (sa != sb)
    return sa > sb ? -1 : 1;
  return strcmp (ta->name, tb->name);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

gboolean
adis_tensor_writer_save (AdisTensorWriter  *writer,
                         const char        *path,
                         GError           **error)
{
  g_autoptr(GPtrArray) layout = NULL;
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GByteArray) out = NULL;
  g_autoptr(GHashTable) offsets = NULL;
  g_autofree char *json = NULL;
  GHashTableIter iter;
  gpointer key, value;
  gsize json_length;
  gsize header_length;
  gsize position = 0;
  guint8 length_bytes[8];

  g_return_val_if_fail (writer != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  layout = g_ptr_array_new ();
  g_hash_table_iter_init (&iter, writer->tensors);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (layout, value);
  g_ptr_array_sort (layout, compare_layout);

  offsets = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  for (guint i = 0; i < layout->len; i++)
    {
      PendingTensor *tensor = g_ptr_array_index (layout, i);
      gsize *range = g_new (gsize, 2);

      range[0] = position;
      position += g_bytes_get_size (tensor->bytes);
      range[1] = position;
      g_hash_table_insert (offsets, tensor->name, range);
    }

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  if (g_hash_table_size (writer->metadata) > 0)
    {
      g_autoptr(GPtrArray) keys = g_ptr_array_new ();

      g_hash_table_iter_init (&iter, writer->metadata);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        g_ptr_array_add (keys, key);
      g_ptr_array_sort (keys, compare_strings);

      json_builder_set_member_name (builder, "__metadata__");
      json_builder_begin_object (builder);
      for (guint i = 0; i < keys->len; i++)
        {
          const char *k = g_ptr_array_index (keys, i);

          json_builder_set_member_name (builder, k);
          json_builder_add_string_value (builder, g_hash_table_lookup (writer->metadata, k));
        }
      json_builder_end_object (builder);
    }

  names = g_ptr_array_new ();
  g_hash_table_iter_init (&iter, writer->tensors);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (names, key);
  g_ptr_array_sort (names, compare_strings);
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      PendingTensor *tensor = g_hash_table_lookup (writer->tensors, name);
      const gsize *range = g_hash_table_lookup (offsets, name);

      json_builder_set_member_name (builder, name);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "dtype");
      json_builder_add_string_value (builder, adis_dtype_to_string (tensor->dtype));
      json_builder_set_member_name (builder, "shape");
      json_builder_begin_array (builder);
      for (int d = 0; d < tensor->n_dims; d++)
        json_builder_add_int_value (builder, tensor->shape[d]);
      json_builder_end_array (builder);
      json_builder_set_member_name (builder, "data_offsets");
      json_builder_begin_array (builder);
      json_builder_add_int_value (builder, (gint64) range[0]);
      json_builder_add_int_value (builder, (gint64) range[1]);
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  generator = json_generator_new ();
  json_generator_set_root (generator, root);
  json = json_generator_to_data (generator, &json_length);

  /* Spaces pad the header so the data section starts 8-byte aligned */
  header_length = (json_length + 7) & ~(gsize) 7;
  for (int i = 0; i < 8; i++)
    length_bytes[i] = (guint8) ((guint64) header_length >> (8 * i));

  out = g_byte_array_sized_new ((guint) (8 + header_length + position));
  g_byte_array_append (out, length_bytes, 8);
  g_byte_array_append (out, (const guint8 *) json, (guint) json_length);
  for (gsize i = json_length; i < header_length; i++)
    g_byte_array_append (out, (const guint8 *) " ", 1);
  for (guint i = 0; i < layout->len; i++)
    {
      GBytes *bytes = ((PendingTensor *) g_ptr_array_index (layout, i))->bytes;
      gsize size;
      gconstpointer data = g_bytes_get_data (bytes, &size);

      if (size > 0)
        g_byte_array_append (out, data, (guint) size);
    }

  return adis_write_file_atomic (path, out->data, out->len, error);
}
