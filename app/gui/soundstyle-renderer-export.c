/* soundstyle-renderer-export.c: the photo restyled at its own size on a
 * thread of its own, with its progress, for an export
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "soundstyle-renderer"

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "soundstyle-renderer-private.h"
#include "soundstyle-sound-mix.h"
#include "soundstyle-types.h"

/* --- export ---------------------------------------------------------------- */

typedef struct
{
  Job          *job;
  AdisStyle    *style;       /* the picture on screen's, when it is of the current inputs */
  char         *path;
  GWeakRef      renderer;
  GMainContext *context;
  double        reported;    /* export thread only */
} ExportData;

typedef struct
{
  GWeakRef renderer;
  double   fraction;
} ExportProgress;

static void
export_data_free (ExportData *data)
{
  soundstyle_renderer_job_free (data->job);
  g_clear_pointer (&data->style, adis_style_unref);
  g_free (data->path);
  g_weak_ref_clear (&data->renderer);
  g_main_context_unref (data->context);
  g_free (data);
}

static void
export_progress_free (ExportProgress *progress)
{
  g_weak_ref_clear (&progress->renderer);
  g_free (progress);
}

static gboolean
deliver_export_progress (gpointer user_data)
{
  ExportProgress *progress = user_data;
  g_autoptr(SoundstyleRenderer) self = g_weak_ref_get (&progress->renderer);

  if (self != NULL)
    soundstyle_renderer_set_export_progress (self, progress->fraction);
  return G_SOURCE_REMOVE;
}

/* From the export thread, every few rows: on to the main thread, in steps
 * of a percent or more */
static void
on_export_progress (double   fraction,
                    gpointer user_data)
{
  ExportData *data = user_data;
  g_autoptr(GObject) renderer = g_weak_ref_get (&data->renderer);
  ExportProgress *progress;

  if (renderer == NULL || (fraction < 1.0 && fraction - data->reported < 0.01))
    return;
  data->reported = fraction;
  progress = g_new0 (ExportProgress, 1);
  g_weak_ref_init (&progress->renderer, renderer);
  progress->fraction = fraction;
  soundstyle_post_to_context (data->context, G_PRIORITY_DEFAULT, deliver_export_progress,
                              progress, (GDestroyNotify) export_progress_free);
}

static void
export_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ExportData *data = task_data;
  Job *job = data->job;
  g_autoptr(AdisImageCode) image_code = NULL;
  g_autoptr(AdisSoundCode) sound_code = NULL;
  g_autoptr(AdisStyle) style = NULL;
  g_autoptr(AdisImage) image = NULL;
  g_autoptr(GError) error = NULL;

  g_set_object (&job->cancellable, cancellable);

  /* The photo's own size, exactly: the networks run at their size and the
   * style is applied to every pixel of the photo. A grid style on screen
   * serves as it is, so the export only applies it */
  if (data->style != NULL)
    style = g_steal_pointer (&data->style);
  if ((style == NULL &&
       ((image_code = adis_model_encode_image (job->model, job->photo, 0, cancellable, &error)) == NULL ||
        (sound_code = soundstyle_renderer_job_encode_sound (job, &error)) == NULL ||
        (style = adis_model_decode_style (job->model, image_code, sound_code, cancellable, &error)) == NULL)) ||
      (image = soundstyle_renderer_job_apply_mask (job, adis_style_apply (style, adis_image_get_width (job->photo),
                                                   adis_image_get_height (job->photo),
                                                   on_export_progress, data, cancellable,
                                                   &error))) == NULL ||
      !adis_image_save (image, data->path, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
soundstyle_renderer_export_async (SoundstyleRenderer  *self,
                                  const char          *path,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ExportData *data;

  g_return_if_fail (SOUNDSTYLE_IS_RENDERER (self));
  g_return_if_fail (path != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, soundstyle_renderer_export_async);

  if (!soundstyle_renderer_can_render (self))
    {
      g_task_return_new_error (task, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                               _("nothing to export yet"));
      return;
    }

  data = g_new0 (ExportData, 1);
  data->job = soundstyle_renderer_job_new (self, 0, FALSE);
  /* A grid style does not depend on the size it was applied at; a pixel
   * decoder's does, so its export decodes again at the photo's size */
  if (self->style != NULL && self->shown_generation == self->generation && soundstyle_renderer_resolution_free (self->model))
    data->style = adis_style_ref (self->style);
  data->path = g_strdup (path);
  g_weak_ref_init (&data->renderer, self);
  data->context = g_main_context_ref_thread_default ();
  soundstyle_renderer_set_export_progress (self, 0.0);
  g_task_set_task_data (task, data, (GDestroyNotify) export_data_free);
  g_task_run_in_thread (task, export_thread);
}

gboolean
soundstyle_renderer_export_finish (SoundstyleRenderer  *self,
                                   GAsyncResult        *result,
                                   GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  soundstyle_renderer_set_export_progress (self, -1.0);
  return g_task_propagate_boolean (G_TASK (result), error);
}
