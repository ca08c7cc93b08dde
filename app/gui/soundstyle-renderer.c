/* soundstyle-renderer.c: restyles the photo off the main thread, latest wins
 *
 * SPDX-License-Identifier: MIT
 *
 * One worker thread takes the newest job and runs it: a new job replaces a
 * queued one and cancels a running one from an older generation of inputs.
 * A model with the grid head restyles at the size the canvas shows the
 * photo (set_display_size): its networks run at a fixed working size and
 * only the last, per-pixel step grows with the pixels, so the picture is
 * sharp at every zoom at slider speed. A pixel-decoder model first renders
 * a light preview (preview-size), and once the inputs have rested for a
 * moment the full render (render-size) follows. The image's encoding is
 * cached per photo (and, for a pixel decoder, size), so a slider move costs
 * one sound encoding, one decode and one apply. Results come back to the main context
 * and are shown only if no newer inputs have arrived since, with one
 * exception: while a slider keeps moving, a running preview is not
 * cancelled but finishes and is shown (for the same photo and model), so
 * the picture follows the slider at the preview's pace instead of freezing
 * until the hand rests.
 */
#define G_LOG_DOMAIN "soundstyle-renderer"

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "soundstyle-renderer.h"
#include "soundstyle-sound-mix.h"

/* How long inputs must rest before the full render starts */
#define FULL_RENDER_DELAY_MS 350
#define N_CACHED_CODES 2

typedef struct
{
  guint64        generation;
  guint64        scene;              /* photo and model; see SoundstyleRenderer */
  gboolean       preview;
  AdisModel     *model;
  AdisImage     *photo;
  guint64        photo_id;
  AdisSound     *a;
  AdisSound     *b;
  float          gain_a;
  float          gain_b;
  float          weight;
  int            long_side;
  AdisMask      *mask;               /* region brush; NULL restyles everywhere */
  GCancellable  *cancellable;
} Job;

typedef struct
{
  AdisModel     *model;
  guint64        photo_id;
  int            long_side;
  AdisImageCode *code;
} CachedCode;

/* Shared by the renderer (main thread) and its worker thread; it outlives
 * the renderer until the thread has finished */
typedef struct
{
  gatomicrefcount ref_count;
  GMutex          mutex;
  GCond           cond;
  Job            *pending;             /* under mutex */
  Job            *running;             /* under mutex; only to cancel it */
  gboolean        quit;                /* under mutex */
  GWeakRef        renderer;
  GMainContext   *context;
  CachedCode      cache[N_CACHED_CODES];  /* worker thread only */
} Worker;

typedef struct
{
  Worker     *worker;
  guint64     generation;
  guint64     scene;
  gboolean    preview;
  AdisImage  *image;
  AdisStyle  *style;
  GdkTexture *texture;
  GError     *error;
  double      milliseconds;
} Result;

struct _SoundstyleRenderer
{
  GObject     parent_instance;

  Worker     *worker;

  /* Inputs */
  AdisModel  *model;
  AdisImage  *photo;
  guint64     photo_id;
  AdisSound  *a;
  AdisSound  *b;
  float       gain_a;
  float       gain_b;
  float       weight;
  int         preview_size;
  int         render_size;
  int         display_size;        /* the canvas's, in device pixels; 0: unknown */
  guint       display_source;
  double      export_progress;     /* of the latest export, or -1 */
  AdisMask   *mask;
  AdisStyle  *style;               /* of the result on screen: an export applies it again */
  gboolean    live;                /* previews only: see set_live */
  guint64     live_generation;     /* the last inputs given while live */

  /* State */
  guint64     generation;          /* any input */
  guint64     scene;               /* the photo or the model */
  guint64     shown_generation;    /* of the result on screen */
  guint       full_render_source;
  gboolean    full_shown;
  gboolean    busy;
  GdkTexture *texture;
  AdisImage  *result;
  gboolean    is_preview;
  double      render_time;
};

G_DEFINE_FINAL_TYPE (SoundstyleRenderer, soundstyle_renderer, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_TEXTURE,
  PROP_IS_PREVIEW,
  PROP_BUSY,
  PROP_RENDER_TIME,
  PROP_EXPORT_PROGRESS,
  N_PROPS
};

enum {
  FAILED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];
static guint64 next_photo_id = 1;

/* --- jobs ------------------------------------------------------------------ */

static void
job_free (Job *job)
{
  g_clear_pointer (&job->model, adis_model_unref);
  g_clear_pointer (&job->photo, adis_image_unref);
  g_clear_pointer (&job->a, adis_sound_unref);
  g_clear_pointer (&job->b, adis_sound_unref);
  g_clear_pointer (&job->mask, adis_mask_unref);
  g_clear_object (&job->cancellable);
  g_free (job);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Job, job_free)

static int
clamp_long_side (AdisImage *photo,
                 int        size)
{
  int photo_side = MAX (adis_image_get_width (photo), adis_image_get_height (photo));

  /* Never upscale a small photo only to show it */
  return MIN (size, photo_side);
}

/* A grid head's cost hardly grows with the output size */
static gboolean
resolution_free (AdisModel *model)
{
  return adis_model_get_config (model)->head == ADIS_HEAD_GRID;
}

static int
preview_long_side (SoundstyleRenderer *self)
{
  if (resolution_free (self->model) && self->display_size > 0)
    return clamp_long_side (self->photo, self->display_size);
  return clamp_long_side (self->photo, self->preview_size);
}

/* An immutable copy of the inputs, for a thread */
static Job *
job_new (SoundstyleRenderer *self,
         int                 long_side,
         gboolean            preview)
{
  Job *job = g_new0 (Job, 1);

  job->generation = self->generation;
  job->scene = self->scene;
  job->preview = preview;
  job->model = adis_model_ref (self->model);
  job->photo = adis_image_ref (self->photo);
  job->photo_id = self->photo_id;
  job->a = self->a ? adis_sound_ref (self->a) : NULL;
  job->b = self->b ? adis_sound_ref (self->b) : NULL;
  job->gain_a = self->gain_a;
  job->gain_b = self->gain_b;
  job->weight = self->weight;
  job->long_side = long_side;
  job->mask = self->mask ? adis_mask_ref (self->mask) : NULL;
  job->cancellable = g_cancellable_new ();
  return job;
}

/* The region brush's one hook into rendering: whatever the model made is
 * composited with the original through the mask (by the engine, at the
 * result's size), for previews and exports alike. Takes image. */
static AdisImage *
job_apply_mask (Job       *job,
                AdisImage *image)
{
  AdisImage *composite;

  if (job->mask == NULL || image == NULL)
    return image;
  composite = adis_image_composite_masked (job->photo, image, job->mask);
  adis_image_unref (image);
  return composite;
}

static AdisSoundCode *
job_encode_sound (Job           *job,
                  GError       **error)
{
  return soundstyle_encode_sound_mix (job->model, job->a, job->gain_a, job->b, job->gain_b,
                                      job->weight, job->cancellable, error);
}

/* --- the worker ------------------------------------------------------------ */

static Worker *
worker_ref (Worker *worker)
{
  g_atomic_ref_count_inc (&worker->ref_count);
  return worker;
}

static void
worker_unref (Worker *worker)
{
  if (!g_atomic_ref_count_dec (&worker->ref_count))
    return;

  g_clear_pointer (&worker->pending, job_free);
  for (guint i = 0; i < N_CACHED_CODES; i++)
    {
      g_clear_pointer (&worker->cache[i].code, adis_image_code_unref);
      g_clear_pointer (&worker->cache[i].model, adis_model_unref);
    }
  g_weak_ref_clear (&worker->renderer);
  g_main_context_unref (worker->context);
  g_mutex_clear (&worker->mutex);
  g_cond_clear (&worker->cond);
  g_free (worker);
}

static void
cached_code_clear (CachedCode *entry)
{
  g_clear_pointer (&entry->code, adis_image_code_unref);
  g_clear_pointer (&entry->model, adis_model_unref);
  entry->photo_id = 0;
  entry->long_side = 0;
}

static AdisImageCode *
worker_get_image_code (Worker   *worker,
                       Job      *job,
                       GError  **error)
{
  AdisImageCode *code;
  /* A grid head's code serves every output size */
  int code_side = resolution_free (job->model) ? 0 : job->long_side;

  /* Codes of another photo or model will not be asked for again */
  for (guint i = 0; i < N_CACHED_CODES; i++)
    if (worker->cache[i].code != NULL &&
        (worker->cache[i].model != job->model || worker->cache[i].photo_id != job->photo_id))
      cached_code_clear (&worker->cache[i]);

  for (guint i = 0; i < N_CACHED_CODES; i++)
    if (worker->cache[i].code != NULL && worker->cache[i].long_side == code_side)
      return adis_image_code_ref (worker->cache[i].code);

  code = adis_model_encode_image (job->model, job->photo, code_side, job->cancellable, error);
  if (code == NULL)
    return NULL;

  /* Keep the newest in slot 0 and the one before in slot 1 */
  cached_code_clear (&worker->cache[N_CACHED_CODES - 1]);
  for (guint i = N_CACHED_CODES - 1; i > 0; i--)
    worker->cache[i] = worker->cache[i - 1];
  worker->cache[0] = (CachedCode) {
    .model = adis_model_ref (job->model),
    .photo_id = job->photo_id,
    .long_side = code_side,
    .code = adis_image_code_ref (code),
  };
  return code;
}

static GdkTexture *
texture_from_image (AdisImage *image)
{
  int width = adis_image_get_width (image);
  int height = adis_image_get_height (image);
  g_autoptr(GBytes) bytes = g_bytes_new_take (adis_image_to_rgb8 (image), (gsize) width * height * 3);

  return gdk_memory_texture_new (width, height, GDK_MEMORY_R8G8B8, bytes, (gsize) width * 3);
}

/* The picture's size for a job: a grid style is applied at exactly the
 * size shown; a pixel decoder's network makes sizes of the size rule */
static void
output_size (Job *job,
             int *out_width,
             int *out_height)
{
  int width = adis_image_get_width (job->photo);
  int height = adis_image_get_height (job->photo);
  double scale = (double) job->long_side / MAX (width, height);

  if (!resolution_free (job->model))
    {
      adis_image_size_for_long_side (width, height, job->long_side, out_width, out_height);
      return;
    }
  *out_width = MAX (1, (int) lround (width * scale));
  *out_height = MAX (1, (int) lround (height * scale));
}

static void
result_free (Result *result)
{
  worker_unref (result->worker);
  g_clear_pointer (&result->image, adis_image_unref);
  g_clear_pointer (&result->style, adis_style_unref);
  g_clear_object (&result->texture);
  g_clear_error (&result->error);
  g_free (result);
}

static void soundstyle_renderer_apply (SoundstyleRenderer *self,
                                       Result             *result);

static gboolean
deliver_result (gpointer data)
{
  Result *result = data;
  g_autoptr(SoundstyleRenderer) self = g_weak_ref_get (&result->worker->renderer);

  if (self != NULL)
    soundstyle_renderer_apply (self, result);
  return G_SOURCE_REMOVE;
}

static void
worker_run_job (Worker *worker,
                Job    *job)
{
  g_autoptr(AdisImageCode) image_code = NULL;
  g_autoptr(AdisSoundCode) sound_code = NULL;
  g_autoptr(AdisStyle) style = NULL;
  g_autoptr(GError) error = NULL;
  Result *result = g_new0 (Result, 1);
  gint64 start = g_get_monotonic_time ();

  result->worker = worker_ref (worker);
  result->generation = job->generation;
  result->scene = job->scene;
  result->preview = job->preview;

  if ((image_code = worker_get_image_code (worker, job, &error)) != NULL &&
      (sound_code = job_encode_sound (job, &error)) != NULL &&
      (style = adis_model_decode_style (job->model, image_code, sound_code, job->cancellable, &error)) != NULL)
    {
      int width, height;

      output_size (job, &width, &height);
      result->image = job_apply_mask (job, adis_style_apply (style, width, height, NULL, NULL,
                                                             job->cancellable, &error));
    }
  if (result->image != NULL)
    result->style = g_steal_pointer (&style);

  if (result->image != NULL)
    result->texture = texture_from_image (result->image);
  else
    result->error = g_steal_pointer (&error);
  result->milliseconds = (g_get_monotonic_time () - start) / 1000.0;

  g_debug ("%s render at %d px: %.0f ms%s", job->preview ? "preview" : "full",
           job->long_side, result->milliseconds,
           result->error == NULL ? "" : g_cancellable_is_cancelled (job->cancellable) ? " (superseded)" : " (failed)");

  g_main_context_invoke_full (worker->context, G_PRIORITY_DEFAULT, deliver_result,
                              result, (GDestroyNotify) result_free);
}

static gpointer
worker_thread (gpointer data)
{
  Worker *worker = data;

  g_mutex_lock (&worker->mutex);
  for (;;)
    {
      Job *job;

      while (worker->pending == NULL && !worker->quit)
        g_cond_wait (&worker->cond, &worker->mutex);
      if (worker->quit)
        break;

      job = g_steal_pointer (&worker->pending);
      worker->running = job;
      g_mutex_unlock (&worker->mutex);

      worker_run_job (worker, job);

      g_mutex_lock (&worker->mutex);
      worker->running = NULL;
      job_free (job);
    }
  g_mutex_unlock (&worker->mutex);

  worker_unref (worker);
  return NULL;
}

/* Queues a job in place of any queued one. A running job of older inputs
 * is cancelled, except a preview of the same photo and model: it finishes
 * and is shown while the sliders move (one of the same inputs, a preview
 * before its full render, may finish too) */
static void
worker_submit (Worker *worker,
               Job    *job)
{
  g_mutex_lock (&worker->mutex);
  g_clear_pointer (&worker->pending, job_free);
  if (worker->running != NULL && worker->running->generation != job->generation &&
      !(worker->running->preview && worker->running->scene == job->scene))
    g_cancellable_cancel (worker->running->cancellable);
  worker->pending = job;
  g_cond_signal (&worker->cond);
  g_mutex_unlock (&worker->mutex);
}

static void
worker_cancel_all (Worker *worker)
{
  g_mutex_lock (&worker->mutex);
  g_clear_pointer (&worker->pending, job_free);
  if (worker->running != NULL)
    g_cancellable_cancel (worker->running->cancellable);
  g_mutex_unlock (&worker->mutex);
}

/* --- scheduling (main thread) ---------------------------------------------- */

static void
set_busy (SoundstyleRenderer *self,
          gboolean            busy)
{
  if (self->busy == busy)
    return;
  self->busy = busy;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static gboolean
can_render (SoundstyleRenderer *self)
{
  return self->model != NULL && self->photo != NULL && (self->a != NULL || self->b != NULL);
}

static gboolean
needs_full_render (SoundstyleRenderer *self)
{
  if (self->live || resolution_free (self->model))
    return FALSE;
  return clamp_long_side (self->photo, self->render_size) > preview_long_side (self);
}

static gboolean
start_full_render (gpointer data)
{
  SoundstyleRenderer *self = data;

  self->full_render_source = 0;
  if (can_render (self))
    worker_submit (self->worker, job_new (self, clamp_long_side (self->photo, self->render_size), FALSE));
  return G_SOURCE_REMOVE;
}

/* Called after every change of inputs */
static void
schedule (SoundstyleRenderer *self)
{
  self->generation++;
  self->full_shown = FALSE;
  g_clear_handle_id (&self->full_render_source, g_source_remove);

  if (!can_render (self))
    {
      worker_cancel_all (self->worker);
      set_busy (self, FALSE);
      return;
    }

  set_busy (self, TRUE);
  worker_submit (self->worker, job_new (self, preview_long_side (self), TRUE));

  if (needs_full_render (self))
    self->full_render_source = g_timeout_add (FULL_RENDER_DELAY_MS, start_full_render, self);
}

static void
show_result (SoundstyleRenderer *self,
             Result             *result,
             gboolean            is_preview)
{
  g_set_object (&self->texture, result->texture);
  g_clear_pointer (&self->result, adis_image_unref);
  self->result = adis_image_ref (result->image);
  g_clear_pointer (&self->style, adis_style_unref);
  self->style = result->style != NULL ? adis_style_ref (result->style) : NULL;
  self->render_time = result->milliseconds;
  self->is_preview = is_preview;
  self->shown_generation = result->generation;

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RENDER_TIME]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IS_PREVIEW]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXTURE]);
}

static void
soundstyle_renderer_apply (SoundstyleRenderer *self,
                           Result             *result)
{
  gboolean final;

  /* Results of inputs that have changed since are of no use, but for a
   * preview of the same photo and model newer than what is on screen: the
   * sliders are moving, and it shows where they are heading. Busy stays on
   * until the latest inputs are rendered. */
  if (result->generation != self->generation)
    {
      if (!result->preview || result->error != NULL || result->scene != self->scene ||
          result->generation <= self->shown_generation)
        return;
      show_result (self, result, TRUE);
      return;
    }

  /* A live preview that lands after live mode ended is final too */
  final = !result->preview || !needs_full_render (self) || self->generation <= self->live_generation;

  if (result->error != NULL)
    {
      if (g_error_matches (result->error, ADIS_ERROR, ADIS_ERROR_CANCELLED) ||
          g_error_matches (result->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("render cancelled");
      else
        {
          g_clear_handle_id (&self->full_render_source, g_source_remove);
          set_busy (self, FALSE);
          g_signal_emit (self, signals[FAILED], 0, result->error);
        }
      return;
    }

  /* A preview that lost the race to its own full render stays unseen */
  if (result->preview && self->full_shown)
    return;

  if (!result->preview)
    self->full_shown = TRUE;
  if (final)
    set_busy (self, FALSE);
  show_result (self, result, !final);
}

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
  job_free (data->job);
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

static void
set_export_progress (SoundstyleRenderer *self,
                     double              fraction)
{
  if (self->export_progress == fraction)
    return;
  self->export_progress = fraction;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXPORT_PROGRESS]);
}

static gboolean
deliver_export_progress (gpointer user_data)
{
  ExportProgress *progress = user_data;
  g_autoptr(SoundstyleRenderer) self = g_weak_ref_get (&progress->renderer);

  if (self != NULL)
    set_export_progress (self, progress->fraction);
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
  g_main_context_invoke_full (data->context, G_PRIORITY_DEFAULT, deliver_export_progress,
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
        (sound_code = job_encode_sound (job, &error)) == NULL ||
        (style = adis_model_decode_style (job->model, image_code, sound_code, cancellable, &error)) == NULL)) ||
      (image = job_apply_mask (job, adis_style_apply (style, adis_image_get_width (job->photo),
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

  if (!can_render (self))
    {
      g_task_return_new_error (task, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                               _("nothing to export yet"));
      return;
    }

  data = g_new0 (ExportData, 1);
  data->job = job_new (self, 0, FALSE);
  /* A grid style does not depend on the size it was applied at; a pixel
   * decoder's does, so its export decodes again at the photo's size */
  if (self->style != NULL && self->shown_generation == self->generation && resolution_free (self->model))
    data->style = adis_style_ref (self->style);
  data->path = g_strdup (path);
  g_weak_ref_init (&data->renderer, self);
  data->context = g_main_context_ref_thread_default ();
  set_export_progress (self, 0.0);
  g_task_set_task_data (task, data, (GDestroyNotify) export_data_free);
  g_task_run_in_thread (task, export_thread);
}

gboolean
soundstyle_renderer_export_finish (SoundstyleRenderer  *self,
                                   GAsyncResult        *result,
                                   GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  set_export_progress (self, -1.0);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* --- GObject --------------------------------------------------------------- */

static void
soundstyle_renderer_dispose (GObject *object)
{
  SoundstyleRenderer *self = SOUNDSTYLE_RENDERER (object);

  g_clear_handle_id (&self->full_render_source, g_source_remove);
  g_clear_handle_id (&self->display_source, g_source_remove);

  G_OBJECT_CLASS (soundstyle_renderer_parent_class)->dispose (object);
}

static void
soundstyle_renderer_finalize (GObject *object)
{
  SoundstyleRenderer *self = SOUNDSTYLE_RENDERER (object);

  /* The thread finishes its current step on its own and then exits; the
   * main thread never waits for it */
  g_mutex_lock (&self->worker->mutex);
  self->worker->quit = TRUE;
  g_clear_pointer (&self->worker->pending, job_free);
  if (self->worker->running != NULL)
    g_cancellable_cancel (self->worker->running->cancellable);
  g_cond_signal (&self->worker->cond);
  g_mutex_unlock (&self->worker->mutex);
  worker_unref (self->worker);

  g_clear_pointer (&self->model, adis_model_unref);
  g_clear_pointer (&self->photo, adis_image_unref);
  g_clear_pointer (&self->a, adis_sound_unref);
  g_clear_pointer (&self->b, adis_sound_unref);
  g_clear_pointer (&self->mask, adis_mask_unref);
  g_clear_pointer (&self->result, adis_image_unref);
  g_clear_pointer (&self->style, adis_style_unref);
  g_clear_object (&self->texture);

  G_OBJECT_CLASS (soundstyle_renderer_parent_class)->finalize (object);
}

static void
soundstyle_renderer_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  SoundstyleRenderer *self = SOUNDSTYLE_RENDERER (object);

  switch (prop_id)
    {
    case PROP_TEXTURE:
      g_value_set_object (value, self->texture);
      break;
    case PROP_IS_PREVIEW:
      g_value_set_boolean (value, self->is_preview);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    case PROP_RENDER_TIME:
      g_value_set_double (value, self->render_time);
      break;
    case PROP_EXPORT_PROGRESS:
      g_value_set_double (value, self->export_progress);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
soundstyle_renderer_class_init (SoundstyleRendererClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  /* libtorch would take every core and starve the main loop: leave one to
   * the window, so it keeps drawing while a render runs */
  adis_set_num_threads (MAX (1, (int) g_get_num_processors () - 1));

  object_class->dispose = soundstyle_renderer_dispose;
  object_class->finalize = soundstyle_renderer_finalize;
  object_class->get_property = soundstyle_renderer_get_property;

  properties[PROP_TEXTURE] =
    g_param_spec_object ("texture", NULL, NULL, GDK_TYPE_TEXTURE,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_IS_PREVIEW] =
    g_param_spec_boolean ("is-preview", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RENDER_TIME] =
    g_param_spec_double ("render-time", NULL, NULL, 0.0, G_MAXDOUBLE, 0.0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_EXPORT_PROGRESS] =
    g_param_spec_double ("export-progress", NULL, NULL, -1.0, 1.0, -1.0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A render that failed for a reason other than being superseded */
  signals[FAILED] =
    g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
soundstyle_renderer_init (SoundstyleRenderer *self)
{
  Worker *worker = g_new0 (Worker, 1);

  g_atomic_ref_count_init (&worker->ref_count);
  g_mutex_init (&worker->mutex);
  g_cond_init (&worker->cond);
  g_weak_ref_init (&worker->renderer, self);
  worker->context = g_main_context_ref_thread_default ();
  self->worker = worker;

  /* The thread holds its own reference to the shared state */
  g_thread_unref (g_thread_new ("soundstyle-render", worker_thread, worker_ref (worker)));

  self->gain_a = 1.0f;
  self->gain_b = 1.0f;
  self->preview_size = 256;
  self->render_size = 768;
  self->export_progress = -1.0;
}

/* --- public API ------------------------------------------------------------ */

SoundstyleRenderer *
soundstyle_renderer_new (void)
{
  return g_object_new (SOUNDSTYLE_TYPE_RENDERER, NULL);
}

void
soundstyle_renderer_set_model (SoundstyleRenderer *self,
                               AdisModel          *model)
{
  g_return_if_fail (SOUNDSTYLE_IS_RENDERER (self));

  if (self->model == model)
    return;
  g_clear_pointer (&self->model, adis_model_unref);
  self->model = model ? adis_model_ref (model) : NULL;
  self->scene++;
  schedule (self);
}

AdisModel *
soundstyle_renderer_get_model (SoundstyleRenderer *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_RENDERER (self), NULL);

  return self->model;
}

void
soundstyle_renderer_set_photo (SoundstyleRenderer *self,
                               AdisImage          *photo)
{
  g_return_if_fail (SOUNDSTYLE_IS_RENDERER (self));

  if (self->photo == photo)
    return;
  g_clear_pointer (&self->photo, adis_image_unref);
  self->photo = photo ? adis_image_ref (photo) : NULL;
  self->photo_id = next_photo_id++;
  self->scene++;

  /* The old photo's result must not be shown over the new one */
  g_clear_object (&self->texture);
  g_clear_pointer (&self->result, adis_image_unref);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXTURE]);

  schedule (self);
}

void
soundstyle_renderer_set_sounds (SoundstyleRenderer *self,
                                AdisSound          *a,
                                double              gain_a,
                                AdisSound          *b,
                                double              gain_b,
                                double              mix)
{
  g_return_if_fail (SOUNDSTYLE_IS_RENDERER (self));

  gain_a = CLAMP (gain_a, 0.0, ADIS_MAX_GAIN);
  gain_b = CLAMP (gain_b, 0.0, ADIS_MAX_GAIN);
  mix = CLAMP (mix, 0.0, 1.0);

  if (self->a == a && self->b == b &&
      self->gain_a == (float) gain_a && self->gain_b == (float) gain_b &&
      self->weight == (float) mix)
    return;

  if (self->a != a)
    {
      g_clear_pointer (&self->a, adis_sound_unref);
      self->a = a ? adis_sound_ref (a) : NULL;
    }
  if (self->b != b)
    {
      g_clear_pointer (&self->b, adis_sound_unref);
      self->b = b ? adis_sound_ref (b) : NULL;
    }
  self->gain_a = gain_a;
  self->gain_b = gain_b;
  self->weight = mix;
  schedule (self);
}

void
soundstyle_renderer_set_mask (SoundstyleRenderer *self,
                              AdisMask           *mask)
{
  g_return_if_fail (SOUNDSTYLE_IS_RENDERER (self));

  if (self->mask == mask)
    return;
  g_clear_pointer (&self->mask, adis_mask_unref);
  self->mask = mask ? adis_mask_ref (mask) : NULL;
  schedule (self);
}

AdisMask *
soundstyle_renderer_get_mask (SoundstyleRenderer *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_RENDERER (self), NULL);

  return self->mask;
}

void
soundstyle_renderer_set_sizes (SoundstyleRenderer *self,
                               int                 preview_size,
                               int                 render_size)
{
  g_return_if_fail (SOUNDSTYLE_IS_RENDERER (self));
  g_return_if_fail (preview_size >= 16 && render_size >= 16);

  if (self->preview_size == preview_size && self->render_size == render_size)
    return;
  self->preview_size = preview_size;
  self->render_size = render_size;
  schedule (self);
}

void
soundstyle_renderer_set_live (SoundstyleRenderer *self,
                              gboolean            live)
{
  g_return_if_fail (SOUNDSTYLE_IS_RENDERER (self));

  /* Nothing is re-rendered either way: leaving live mode keeps its last
   * picture until the next change */
  if (self->live && !live)
    self->live_generation = self->generation;
  self->live = !!live;
  if (self->live && self->full_render_source != 0)
    {
      /* A full render was still to come after a preview already shown:
       * that preview is the final picture now */
      g_clear_handle_id (&self->full_render_source, g_source_remove);
      if (self->shown_generation == self->generation)
        set_busy (self, FALSE);
    }
}

GdkTexture *
soundstyle_renderer_get_texture (SoundstyleRenderer *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_RENDERER (self), NULL);

  return self->texture;
}

AdisImage *
soundstyle_renderer_get_result (SoundstyleRenderer *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_RENDERER (self), NULL);

  return self->result;
}

gboolean
soundstyle_renderer_get_is_preview (SoundstyleRenderer *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_RENDERER (self), FALSE);

  return self->is_preview;
}

gboolean
soundstyle_renderer_get_busy (SoundstyleRenderer *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_RENDERER (self), FALSE);

  return self->busy;
}

double
soundstyle_renderer_get_render_time (SoundstyleRenderer *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_RENDERER (self), 0.0);

  return self->render_time;
}

static gboolean
display_size_settled (gpointer data)
{
  SoundstyleRenderer *self = data;

  self->display_source = 0;
  if (self->model != NULL && resolution_free (self->model))
    schedule (self);
  return G_SOURCE_REMOVE;
}

/* While a window is resized or a zoom moves, the size changes on every
 * frame; the picture is restyled once it holds still for a moment */
#define DISPLAY_SETTLE_MS 120

void
soundstyle_renderer_set_display_size (SoundstyleRenderer *self,
                                      int                 display_size)
{
  g_return_if_fail (SOUNDSTYLE_IS_RENDERER (self));
  g_return_if_fail (display_size >= 0);

  if (self->display_size == display_size)
    return;
  self->display_size = display_size;
  g_clear_handle_id (&self->display_source, g_source_remove);
  self->display_source = g_timeout_add (DISPLAY_SETTLE_MS, display_size_settled, self);
}

int
soundstyle_renderer_get_display_size (SoundstyleRenderer *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_RENDERER (self), 0);

  return self->display_size;
}

double
soundstyle_renderer_get_export_progress (SoundstyleRenderer *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_RENDERER (self), -1.0);

  return self->export_progress;
}
