/* adis-safetensors.c: the safetensors container, checked before it is trusted
 * (element types in adis-safetensors-dtype.c, the writer in
 * adis-safetensors-writer.c)
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "adis"

#include "config.h"

#include <string.h>
#include <math.h>
#include <json-glib/json-glib.h>

#include "adis-safetensors-private.h"

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
  if (!adis_dtype_from_string (dtype_name, &view.dtype))
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
