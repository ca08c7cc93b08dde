/* adis-safetensors.c: the safetensors container, checked before it is trusted
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "adis"

#include "config.h"

#include <string.h>
#include <math.h>
#include <json-glib/json-glib.h>

#include "adis-safetensors.h"

/* The data section is the host's memory image: little-endian only */
#if G_BYTE_ORDER != G_LITTLE_ENDIAN
#error "safetensors data is little-endian; this host is not"
#endif

/* A header is a few kB for the largest model; anything bigger is not ours */
#define MAX_HEADER_LENGTH (100 * 1024 * 1024)

struct _AdisTensorFile
{
  char        *path;
  GMappedFile *mapped;
  GPtrArray   *views;      /* AdisTensorView*, sorted by name */
  GHashTable  *by_name;    /* name -> AdisTensorView* */
  GHashTable  *metadata;   /* char* -> char* */
};

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

static const struct
{
  AdisDType   dtype;
  const char *name;
  gsize       size;
} dtypes[] = {
  { ADIS_DTYPE_F32,  "F32",  4 },
  { ADIS_DTYPE_F16,  "F16",  2 },
  { ADIS_DTYPE_BF16, "BF16", 2 },
  { ADIS_DTYPE_I64,  "I64",  8 },
  { ADIS_DTYPE_U8,   "U8",   1 },
};

gsize
adis_dtype_size (AdisDType dtype)
{
  for (guint i = 0; i < G_N_ELEMENTS (dtypes); i++)
    if (dtypes[i].dtype == dtype)
      return dtypes[i].size;
  g_return_val_if_reached (0);
}

const char *
adis_dtype_to_string (AdisDType dtype)
{
  for (guint i = 0; i < G_N_ELEMENTS (dtypes); i++)
    if (dtypes[i].dtype == dtype)
      return dtypes[i].name;
  g_return_val_if_reached ("?");
}

static gboolean
dtype_from_string (const char *name,
                   AdisDType  *out_dtype)
{
  for (guint i = 0; i < G_N_ELEMENTS (dtypes); i++)
    if (g_strcmp0 (dtypes[i].name, name) == 0)
      {
        *out_dtype = dtypes[i].dtype;
        return TRUE;
      }
  return FALSE;
}

/* --- half precision ------------------------------------------------------ */

float
adis_f16_to_f32 (guint16 h)
{
  guint32 sign = (guint32) (h & 0x8000) << 16;
  guint32 exponent = (h >> 10) & 0x1f;
  guint32 mantissa = h & 0x3ff;
  guint32 bits;
  float f;

  if (exponent == 0)
    {
      /* Zero or subnormal: exactly mantissa * 2^-24 */
      f = ldexpf ((float) mantissa, -24);
      return sign ? -f : f;
    }
  if (exponent == 31)
    bits = sign | 0x7f800000 | (mantissa << 13);
  else
    bits = sign | ((exponent + 112) << 23) | (mantissa << 13);

  memcpy (&f, &bits, sizeof f);
  return f;
}

guint16
adis_f32_to_f16 (float f)
{
  guint32 bits;
  guint32 sign;
  guint32 mantissa;
  guint32 half;
  guint32 rest;
  int exponent;

  memcpy (&bits, &f, sizeof bits);
  sign = (bits >> 16) & 0x8000;
  mantissa = bits & 0x7fffff;
  exponent = (int) ((bits >> 23) & 0xff);

  if (exponent == 0xff)
    return sign | 0x7c00 | (mantissa ? 0x200 | (mantissa >> 13) : 0);

  exponent = exponent - 127 + 15;
  if (exponent >= 31)
    return sign | 0x7c00;

  if (exponent <= 0)
    {
      guint shift;
      guint32 halfway;

      /* Below half the smallest subnormal: rounds to zero */
      if (exponent < -10)
        return sign;
      mantissa |= 0x800000;
      shift = (guint) (14 - exponent);
      half = mantissa >> shift;
      rest = mantissa & ((1u << shift) - 1);
      halfway = 1u << (shift - 1);
      if (rest > halfway || (rest == halfway && (half & 1)))
        half++;
      return sign | half;
    }

  /* Round to nearest even; a carry out of the mantissa bumps the exponent,
   * which is also right at the top of the range (becomes infinity). */
  half = sign | ((guint32) exponent << 10) | (mantissa >> 13);
  rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest == 0x1000 && (half & 1)))
    half++;
  return (guint16) half;
}

float
adis_bf16_to_f32 (guint16 h)
{
  guint32 bits = (guint32) h << 16;
  float f;

  memcpy (&f, &bits, sizeof f);
  return f;
}

static guint16
f32_to_bf16 (float f)
{
  guint32 bits;

  memcpy (&bits, &f, sizeof bits);
  if ((bits & 0x7fffffff) > 0x7f800000)
    return (guint16) ((bits >> 16) | 0x40);   /* keep NaN a NaN */
  bits += 0x7fff + ((bits >> 16) & 1);
  return (guint16) (bits >> 16);
}

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

/* --- reading ------------------------------------------------------------- */

static void
view_free (gpointer data)
{
  AdisTensorView *view = data;

  g_free ((char *) view->name);
  g_free (view);
}

void
adis_tensor_file_free (AdisTensorFile *file)
{
  if (file == NULL)
    return;
  g_clear_pointer (&file->by_name, g_hash_table_unref);
  g_clear_pointer (&file->views, g_ptr_array_unref);
  g_clear_pointer (&file->metadata, g_hash_table_unref);
  g_clear_pointer (&file->mapped, g_mapped_file_unref);
  g_free (file->path);
  g_free (file);
}

char *
adis_one_line_text (const char *text)
{
  char *line = g_utf8_make_valid (text, -1);

  for (char *c = line; *c != '\0'; c++)
    if ((guchar) *c < 0x20 || *c == 0x7f)
      *c = ' ';
  return line;
}

G_GNUC_PRINTF (3, 4)
static gboolean
fail (GError     **error,
      const char  *path,
      const char  *format,
      ...)
{
  g_autofree char *message = NULL;
  g_autofree char *line = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  line = adis_one_line_text (message);
  g_set_error (error, ADIS_ERROR, ADIS_ERROR_MODEL_FILE, "%s: %s", path, line);
  return FALSE;
}

static gboolean
read_metadata (AdisTensorFile  *file,
               JsonNode        *node,
               GError         **error)
{
  JsonObject *object;
  g_autoptr(GList) members = NULL;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return fail (error, file->path, "__metadata__ is not an object");

  object = json_node_get_object (node);
  members = json_object_get_members (object);
  for (const GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *value = json_object_get_member (object, l->data);

      if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_STRING)
        return fail (error, file->path, "__metadata__ value “%s” is not a string",
                     (const char *) l->data);
      g_hash_table_insert (file->metadata, g_strdup (l->data),
                           g_strdup (json_node_get_string (value)));
    }

  return TRUE;
}

static gboolean
get_int (JsonNode *node,
         gint64   *out)
{
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  *out = json_node_get_int (node);
  return TRUE;
}

static gboolean
read_entry (AdisTensorFile  *file,
            const char      *name,
            JsonNode        *node,
            const guint8    *data_section,
            gsize            data_length,
            gsize            offsets[2],
            GError         **error)
{
  AdisTensorView view = { 0 };
  JsonObject *object;
  JsonNode *member;
  JsonArray *shape;
  JsonArray *range;
  const char *dtype_name;
  gint64 begin, end;
  gsize n_elements = 1;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return fail (error, file->path, "tensor %s: entry is not an object", name);
  object = json_node_get_object (node);

  member = json_object_get_member (object, "dtype");
  dtype_name = member && JSON_NODE_HOLDS_VALUE (member) ? json_node_get_string (member) : NULL;
  if (dtype_name == NULL)
    return fail (error, file->path, "tensor %s: no dtype", name);
  if (!dtype_from_string (dtype_name, &view.dtype))
    return fail (error, file->path, "tensor %s: unsupported dtype “%s”", name, dtype_name);

  member = json_object_get_member (object, "shape");
  if (member == NULL || !JSON_NODE_HOLDS_ARRAY (member))
    return fail (error, file->path, "tensor %s: no shape list", name);
  shape = json_node_get_array (member);
  if (json_array_get_length (shape) > ADIS_TENSOR_MAX_DIMS)
    return fail (error, file->path, "tensor %s: %u dimensions, at most %d supported",
                 name, json_array_get_length (shape), ADIS_TENSOR_MAX_DIMS);
  view.n_dims = (int) json_array_get_length (shape);
  for (int d = 0; d < view.n_dims; d++)
    {
      gint64 size;

      if (!get_int (json_array_get_element (shape, d), &size) || size < 0)
        return fail (error, file->path, "tensor %s: shape[%d] is not a non-negative integer", name, d);
      view.shape[d] = size;
      /* Multiplying in 128 bits is not portable: check for overflow instead */
      if (size != 0 && n_elements > G_MAXSIZE / (gsize) size / 8)
        return fail (error, file->path, "tensor %s: shape is impossibly large", name);
      n_elements *= (gsize) size;
    }
  view.n_elements = n_elements;
  view.n_bytes = n_elements * adis_dtype_size (view.dtype);

  member = json_object_get_member (object, "data_offsets");
  if (member == NULL || !JSON_NODE_HOLDS_ARRAY (member) ||
      json_array_get_length (range = json_node_get_array (member)) != 2 ||
      !get_int (json_array_get_element (range, 0), &begin) ||
      !get_int (json_array_get_element (range, 1), &end))
    return fail (error, file->path, "tensor %s: data_offsets is not a pair of integers", name);
  if (begin < 0 || end < begin)
    return fail (error, file->path, "tensor %s: data_offsets [%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT "] are invalid",
                 name, begin, end);
  if ((guint64) end > data_length)
    return fail (error, file->path, "tensor %s: data runs past the end of the file (truncated?)", name);
  if ((guint64) (end - begin) != view.n_bytes)
    return fail (error, file->path, "tensor %s: shape and dtype need %" G_GSIZE_FORMAT " bytes but the data has %" G_GINT64_FORMAT,
                 name, view.n_bytes, end - begin);

  view.name = g_strdup (name);
  view.data = data_section + begin;
  offsets[0] = (gsize) begin;
  offsets[1] = (gsize) end;
  g_ptr_array_add (file->views, g_memdup2 (&view, sizeof view));
  return TRUE;
}

typedef struct
{
  gsize       begin;
  gsize       end;
  const char *name;
} Extent;

static int
compare_extents (gconstpointer a,
                 gconstpointer b)
{
  const Extent *ea = a;
  const Extent *eb = b;

  if (ea->begin != eb->begin)
    return ea->begin < eb->begin ? -1 : 1;
  return ea->end < eb->end ? -1 : ea->end > eb->end;
}

static int
compare_views (gconstpointer a,
               gconstpointer b)
{
  const AdisTensorView *va = *(AdisTensorView * const *) a;
  const AdisTensorView *vb = *(AdisTensorView * const *) b;

  return strcmp (va->name, vb->name);
}

AdisTensorFile *
adis_tensor_file_open (const char  *path,
                       GError     **error)
{
  g_autoptr(AdisTensorFile) file = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GArray) extents = NULL;
  g_autoptr(GList) members = NULL;
  const guint8 *contents;
  JsonObject *root;
  gsize length;
  guint64 header_length = 0;

  g_return_val_if_fail (path != NULL, NULL);

  file = g_new0 (AdisTensorFile, 1);
  file->path = g_strdup (path);
  file->views = g_ptr_array_new_with_free_func (view_free);
  file->by_name = g_hash_table_new (g_str_hash, g_str_equal);
  file->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  file->mapped = g_mapped_file_new (path, FALSE, &local_error);
  if (file->mapped == NULL)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_IO, "%s", local_error->message);
      return NULL;
    }

  contents = (const guint8 *) g_mapped_file_get_contents (file->mapped);
  length = g_mapped_file_get_length (file->mapped);
  if (length < 8)
    {
      fail (error, path, "too short to be a safetensors file (%" G_GSIZE_FORMAT " bytes)", length);
      return NULL;
    }

  for (int i = 7; i >= 0; i--)
    header_length = (header_length << 8) | contents[i];
  if (header_length < 2 || header_length > MAX_HEADER_LENGTH)
    {
      fail (error, path, "header length %" G_GUINT64_FORMAT " is not plausible (not a safetensors file?)",
            header_length);
      return NULL;
    }
  if (header_length > length - 8)
    {
      fail (error, path, "header runs past the end of the file (truncated?)");
      return NULL;
    }

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, (const char *) contents + 8, (gssize) header_length, &local_error))
    {
      fail (error, path, "header is not valid JSON: %s", local_error->message);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      fail (error, path, "header is not a JSON object");
      return NULL;
    }

  root = json_node_get_object (json_parser_get_root (parser));
  members = json_object_get_members (root);
  extents = g_array_new (FALSE, FALSE, sizeof (Extent));
  for (const GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonNode *node = json_object_get_member (root, name);
      gsize offsets[2] = { 0, 0 };
      Extent extent;

      if (g_str_equal (name, "__metadata__"))
        {
          if (!read_metadata (file, node, error))
            return NULL;
          continue;
        }

      if (!read_entry (file, name, node, contents + 8 + header_length,
                       length - 8 - header_length, offsets, error))
        return NULL;
      extent.begin = offsets[0];
      extent.end = offsets[1];
      extent.name = ((AdisTensorView *) g_ptr_array_index (file->views, file->views->len - 1))->name;
      g_array_append_val (extents, extent);
    }

  /* Two tensors sharing bytes would let a write to one show in the other */
  g_array_sort (extents, compare_extents);
  for (guint i = 1; i < extents->len; i++)
    {
      const Extent *prev = &g_array_index (extents, Extent, i - 1);
      const Extent *cur = &g_array_index (extents, Extent, i);

      if (cur->begin < prev->end && cur->end > cur->begin)
        {
          fail (error, path, "tensors %s and %s overlap", prev->name, cur->name);
          return NULL;
        }
    }

  g_ptr_array_sort (file->views, compare_views);
  for (guint i = 0; i < file->views->len; i++)
    {
      AdisTensorView *view = g_ptr_array_index (file->views, i);

      g_hash_table_insert (file->by_name, (char *) view->name, view);
    }

  return g_steal_pointer (&file);
}

guint
adis_tensor_file_get_n_tensors (AdisTensorFile *file)
{
  g_return_val_if_fail (file != NULL, 0);
  return file->views->len;
}

const AdisTensorView *
adis_tensor_file_get_tensor (AdisTensorFile *file,
                             guint           index)
{
  g_return_val_if_fail (file != NULL, NULL);
  g_return_val_if_fail (index < file->views->len, NULL);
  return g_ptr_array_index (file->views, index);
}

const AdisTensorView *
adis_tensor_file_lookup (AdisTensorFile *file,
                         const char     *name)
{
  g_return_val_if_fail (file != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);
  return g_hash_table_lookup (file->by_name, name);
}

const char *
adis_tensor_file_get_metadata (AdisTensorFile *file,
                               const char     *key)
{
  g_return_val_if_fail (file != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);
  return g_hash_table_lookup (file->metadata, key);
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
                                                                  : f32_to_bf16 (data[i]));
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
