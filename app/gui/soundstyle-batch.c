/* soundstyle-batch.c: Restyle Photos…, many photos with the current settings
 *
 * SPDX-License-Identifier: MIT
 *
 * One thread takes the photos in turn: read, encode at full size, decode
 * with the one sound code made at the start, composite through the mask
 * when there is one, write. Each photo is encoded once. A result is
 * written under a hidden name first and then linked to its final name,
 * which fails rather than replace a file that exists, so no original and
 * no earlier result is ever overwritten, and a cancelled run leaves only
 * whole files. A photo that cannot be read is noted and the rest go on.
 */
#define G_LOG_DOMAIN "soundstyle-batch"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <glib/gi18n.h>

#include "soundstyle-batch.h"
#include "soundstyle-sound-mix.h"
#include "soundstyle-types.h"

struct _SoundstyleBatch
{
  GObject        parent_instance;

  /* Inputs, immutable once made */
  GPtrArray     *paths;
  char          *folder;
  AdisModel     *model;
  AdisSound     *a;
  AdisSound     *b;
  float          gain_a;
  float          gain_b;
  float          mix;
  AdisMask      *mask;

  /* State, main thread */
  GCancellable  *cancellable;
  GMainContext  *context;
  gboolean       running;
  gboolean       cancelled;
  guint          n_done;
  gint64         started;
  double         eta;
  GPtrArray     *written;
  GPtrArray     *failures;
};

G_DEFINE_FINAL_TYPE (SoundstyleBatch, soundstyle_batch, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_N_DONE,
  PROP_RUNNING,
  N_PROPS
};

enum {
  FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* --- names ----------------------------------------------------------------- */

char *
soundstyle_batch_output_name (const char *folder,
                              const char *photo_path,
                              guint       n)
{
  g_autofree char *base = g_path_get_basename (photo_path);
  g_autofree char *lower = g_ascii_strdown (base, -1);
  g_autofree char *name = NULL;
  const char *ext = ".png";
  char *dot;

  g_return_val_if_fail (folder != NULL && photo_path != NULL && n >= 1, NULL);

  if (g_str_has_suffix (lower, ".jpg") || g_str_has_suffix (lower, ".jpeg"))
    ext = ".jpg";
  if ((dot = strrchr (base, '.')) != NULL && dot != base)
    *dot = '\0';
  if (n == 1)
    name = g_strdup_printf ("%s-restyled%s", base, ext);
  else
    name = g_strdup_printf ("%s-restyled-%u%s", base, n, ext);
  return g_build_filename (folder, name, NULL);
}

/* Gives the finished file at temp its first free numbered name; the new
 * name, or NULL with errno's reason */
static char *
claim_name (const char  *temp,
            const char  *folder,
            const char  *photo_path,
            GError     **error)
{
  for (guint n = 1; n < 10000; n++)
    {
      g_autofree char *name = soundstyle_batch_output_name (folder, photo_path, n);

      /* link() never replaces: EEXIST means try the next number */
      if (link (temp, name) == 0)
        {
          g_unlink (temp);
          return g_steal_pointer (&name);
        }
      if (errno == EEXIST)
        continue;
      /* Folders without hard links (FAT on a memory card): check, then
       * rename; only another program racing for the same name could slip
       * in between */
      if (errno == EPERM || errno == ENOTSUP || errno == EOPNOTSUPP || errno == EMLINK)
        {
          if (g_file_test (name, G_FILE_TEST_EXISTS))
            continue;
          if (g_rename (temp, name) == 0)
            return g_steal_pointer (&name);
        }
      {
        int saved = errno;

        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                     "%s: %s", name, g_strerror (saved));
        return NULL;
      }
    }
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_EXISTS, _("Every numbered name is taken"));
  return NULL;
}

/* --- the worker ------------------------------------------------------------ */

typedef struct
{
  SoundstyleBatch *batch;
  char            *written;    /* a file written, or */
  char            *failure;    /* a photo that failed */
} Progress;

static void
progress_free (Progress *progress)
{
  g_object_unref (progress->batch);
  g_free (progress->written);
  g_free (progress->failure);
  g_free (progress);
}

static gboolean
apply_progress (gpointer data)
{
  Progress *progress = data;
  SoundstyleBatch *self = progress->batch;
  double elapsed;
  guint n = self->paths->len;

  if (progress->written != NULL)
    g_ptr_array_add (self->written, g_steal_pointer (&progress->written));
  if (progress->failure != NULL)
    g_ptr_array_add (self->failures, g_steal_pointer (&progress->failure));

  self->n_done++;
  elapsed = (g_get_monotonic_time () - self->started) / (double) G_USEC_PER_SEC;
  self->eta = elapsed / self->n_done * (n - self->n_done);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_DONE]);
  return G_SOURCE_REMOVE;
}

static void
report (SoundstyleBatch *self,
        char            *written,
        char            *failure)
{
  Progress *progress = g_new0 (Progress, 1);

  progress->batch = g_object_ref (self);
  progress->written = written;
  progress->failure = failure;
  soundstyle_post_to_context (self->context, G_PRIORITY_DEFAULT, apply_progress, progress,
                              (GDestroyNotify) progress_free);
}

static char *
restyle_one (SoundstyleBatch  *self,
             AdisSoundCode    *sound_code,
             const char       *path,
             guint             index,
             GCancellable     *cancellable,
             GError          **error)
{
  g_autoptr(AdisImage) photo = NULL;
  g_autoptr(AdisImageCode) image_code = NULL;
  g_autoptr(AdisImage) styled = NULL;
  g_autofree char *final = NULL;
  g_autofree char *temp = NULL;
  g_autofree char *temp_base = NULL;
  g_autofree char *ours = soundstyle_batch_output_name (self->folder, path, 1);

  if ((photo = adis_image_load (path, error)) == NULL)
    return NULL;
  /* Long side 0: the photo's own size */
  if ((image_code = adis_model_encode_image (self->model, photo, 0, cancellable, error)) == NULL ||
      (styled = adis_model_decode (self->model, image_code, sound_code, cancellable, error)) == NULL)
    return NULL;
  if (self->mask != NULL)
    {
      AdisImage *composite = adis_image_composite_masked (photo, styled, self->mask);

      adis_image_unref (styled);
      styled = composite;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  /* Hidden, and of the final format (the extension chooses it) */
  temp_base = g_strdup_printf (".soundstyle-%d-%u%s", (int) getpid (), index,
                               g_str_has_suffix (ours, ".jpg") ? ".jpg" : ".png");
  temp = g_build_filename (self->folder, temp_base, NULL);
  if (!adis_image_save (styled, temp, error))
    return NULL;
  if ((final = claim_name (temp, self->folder, path, error)) == NULL)
    g_unlink (temp);
  return g_steal_pointer (&final);
}

static void
batch_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  SoundstyleBatch *self = source_object;
  g_autoptr(AdisSoundCode) sound_code = NULL;
  GError *error = NULL;

  sound_code = soundstyle_encode_sound_mix (self->model, self->a, self->gain_a, self->b, self->gain_b,
                                            self->mix, cancellable, &error);
  if (sound_code == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  for (guint i = 0; i < self->paths->len; i++)
    {
      const char *path = g_ptr_array_index (self->paths, i);
      g_autoptr(GError) photo_error = NULL;
      char *written;

      if (g_cancellable_set_error_if_cancelled (cancellable, &error))
        {
          g_task_return_error (task, error);
          return;
        }

      written = restyle_one (self, sound_code, path, i, cancellable, &photo_error);
      if (written != NULL)
        report (self, written, NULL);
      else if (g_error_matches (photo_error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
               g_error_matches (photo_error, ADIS_ERROR, ADIS_ERROR_CANCELLED))
        {
          g_task_return_error (task, g_steal_pointer (&photo_error));
          return;
        }
      else
        {
          g_autofree char *name = g_path_get_basename (path);

          g_debug ("%s: %s", path, photo_error->message);
          report (self, NULL, g_strdup_printf ("%s: %s", name, photo_error->message));
        }
    }
  g_task_return_boolean (task, TRUE);
}

/* At low priority, after the last photo's progress (default priority) */
static gboolean
announce_finished (gpointer data)
{
  SoundstyleBatch *self = data;

  self->running = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  g_signal_emit (self, signals[FINISHED], 0);
  return G_SOURCE_REMOVE;
}

static void
on_batch_done (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  SoundstyleBatch *self = SOUNDSTYLE_BATCH (object);
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
          g_error_matches (error, ADIS_ERROR, ADIS_ERROR_CANCELLED))
        self->cancelled = TRUE;
      else
        g_ptr_array_add (self->failures, g_strdup (error->message));
    }

  soundstyle_post_to_context (self->context, G_PRIORITY_LOW, announce_finished,
                              g_object_ref (self), g_object_unref);
}

/* --- GObject --------------------------------------------------------------- */

static void
soundstyle_batch_finalize (GObject *object)
{
  SoundstyleBatch *self = SOUNDSTYLE_BATCH (object);

  g_ptr_array_unref (self->paths);
  g_free (self->folder);
  g_clear_pointer (&self->model, adis_model_unref);
  g_clear_pointer (&self->a, adis_sound_unref);
  g_clear_pointer (&self->b, adis_sound_unref);
  g_clear_pointer (&self->mask, adis_mask_unref);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_ptr_array_unref (self->written);
  g_ptr_array_unref (self->failures);

  G_OBJECT_CLASS (soundstyle_batch_parent_class)->finalize (object);
}

static void
soundstyle_batch_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  SoundstyleBatch *self = SOUNDSTYLE_BATCH (object);

  switch (prop_id)
    {
    case PROP_N_DONE:
      g_value_set_uint (value, self->n_done);
      break;
    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
soundstyle_batch_class_init (SoundstyleBatchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = soundstyle_batch_finalize;
  object_class->get_property = soundstyle_batch_get_property;

  properties[PROP_N_DONE] =
    g_param_spec_uint ("n-done", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
soundstyle_batch_init (SoundstyleBatch *self)
{
  self->cancellable = g_cancellable_new ();
  self->written = g_ptr_array_new_with_free_func (g_free);
  self->failures = g_ptr_array_new_with_free_func (g_free);
  self->eta = -1;
}

/* --- public API ------------------------------------------------------------ */

SoundstyleBatch *
soundstyle_batch_new (GPtrArray  *photo_paths,
                      const char *folder,
                      AdisModel  *model,
                      AdisSound  *a,
                      double      gain_a,
                      AdisSound  *b,
                      double      gain_b,
                      double      mix,
                      AdisMask   *mask)
{
  SoundstyleBatch *self;

  g_return_val_if_fail (photo_paths != NULL, NULL);
  g_return_val_if_fail (folder != NULL, NULL);
  g_return_val_if_fail (model != NULL, NULL);

  self = g_object_new (SOUNDSTYLE_TYPE_BATCH, NULL);
  self->paths = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < photo_paths->len; i++)
    g_ptr_array_add (self->paths, g_strdup (g_ptr_array_index (photo_paths, i)));
  self->folder = g_strdup (folder);
  self->model = adis_model_ref (model);
  self->a = a ? adis_sound_ref (a) : NULL;
  self->b = b ? adis_sound_ref (b) : NULL;
  self->gain_a = (float) CLAMP (gain_a, 0.0, ADIS_MAX_GAIN);
  self->gain_b = (float) CLAMP (gain_b, 0.0, ADIS_MAX_GAIN);
  self->mix = (float) CLAMP (mix, 0.0, 1.0);
  self->mask = mask ? adis_mask_ref (mask) : NULL;
  return self;
}

void
soundstyle_batch_start (SoundstyleBatch *self)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (SOUNDSTYLE_IS_BATCH (self));
  g_return_if_fail (!self->running && self->context == NULL);

  self->context = g_main_context_ref_thread_default ();
  self->started = g_get_monotonic_time ();
  self->running = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);

  task = g_task_new (self, self->cancellable, on_batch_done, NULL);
  g_task_set_source_tag (task, soundstyle_batch_start);
  g_task_run_in_thread (task, batch_thread);
}

void
soundstyle_batch_cancel (SoundstyleBatch *self)
{
  g_return_if_fail (SOUNDSTYLE_IS_BATCH (self));

  g_cancellable_cancel (self->cancellable);
}

guint
soundstyle_batch_get_n_photos (SoundstyleBatch *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_BATCH (self), 0);
  return self->paths->len;
}

guint
soundstyle_batch_get_n_done (SoundstyleBatch *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_BATCH (self), 0);
  return self->n_done;
}

double
soundstyle_batch_get_fraction (SoundstyleBatch *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_BATCH (self), 0.0);
  return self->paths->len > 0 ? (double) self->n_done / self->paths->len : 1.0;
}

double
soundstyle_batch_get_eta (SoundstyleBatch *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_BATCH (self), -1.0);
  return self->n_done > 0 ? self->eta : -1.0;
}

gboolean
soundstyle_batch_get_running (SoundstyleBatch *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_BATCH (self), FALSE);
  return self->running;
}

gboolean
soundstyle_batch_get_cancelled (SoundstyleBatch *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_BATCH (self), FALSE);
  return self->cancelled;
}

const char *
soundstyle_batch_get_folder (SoundstyleBatch *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_BATCH (self), NULL);
  return self->folder;
}

GPtrArray *
soundstyle_batch_get_written (SoundstyleBatch *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_BATCH (self), NULL);
  return self->written;
}

GPtrArray *
soundstyle_batch_get_failures (SoundstyleBatch *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_BATCH (self), NULL);
  return self->failures;
}
