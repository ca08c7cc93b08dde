/* soundstyle-renderer-worker.c: the renderer's jobs (immutable copies of
 * its inputs) and the worker thread that runs the newest of them, with its
 * cache of image encodings; the scheduling is in soundstyle-renderer.c
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "soundstyle-renderer"

#include "config.h"

#include <math.h>

#include "soundstyle-renderer-private.h"
#include "soundstyle-sound-mix.h"
#include "soundstyle-types.h"

/* --- jobs ------------------------------------------------------------------ */

void
soundstyle_renderer_job_free (Job *job)
{
  g_clear_pointer (&job->model, adis_model_unref);
  g_clear_pointer (&job->photo, adis_image_unref);
  g_clear_pointer (&job->a, adis_sound_unref);
  g_clear_pointer (&job->b, adis_sound_unref);
  g_clear_pointer (&job->mask, adis_mask_unref);
  g_clear_object (&job->cancellable);
  g_free (job);
}

int
soundstyle_renderer_clamp_long_side (AdisImage *photo,
                                     int        size)
{
  int photo_side = MAX (adis_image_get_width (photo), adis_image_get_height (photo));

  /* Never upscale a small photo only to show it */
  return MIN (size, photo_side);
}

/* A grid head's cost hardly grows with the output size */
gboolean
soundstyle_renderer_resolution_free (AdisModel *model)
{
  return adis_model_get_config (model)->head == ADIS_HEAD_GRID;
}

int
soundstyle_renderer_preview_long_side (SoundstyleRenderer *self)
{
  if (soundstyle_renderer_resolution_free (self->model) && self->display_size > 0)
    return soundstyle_renderer_clamp_long_side (self->photo, self->display_size);
  return soundstyle_renderer_clamp_long_side (self->photo, self->preview_size);
}

/* An immutable copy of the inputs, for a thread */
Job *
soundstyle_renderer_job_new (SoundstyleRenderer *self,
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
AdisImage *
soundstyle_renderer_job_apply_mask (Job       *job,
                                    AdisImage *image)
{
  AdisImage *composite;

  if (job->mask == NULL || image == NULL)
    return image;
  composite = adis_image_composite_masked (job->photo, image, job->mask);
  adis_image_unref (image);
  return composite;
}

AdisSoundCode *
soundstyle_renderer_job_encode_sound (Job           *job,
                                      GError       **error)
{
  return soundstyle_encode_sound_mix (job->model, job->a, job->gain_a, job->b, job->gain_b,
                                      job->weight, job->cancellable, error);
}

/* --- the worker ------------------------------------------------------------ */

Worker *
soundstyle_renderer_worker_ref (Worker *worker)
{
  g_atomic_ref_count_inc (&worker->ref_count);
  return worker;
}

void
soundstyle_renderer_worker_unref (Worker *worker)
{
  if (!g_atomic_ref_count_dec (&worker->ref_count))
    return;

  g_clear_pointer (&worker->pending, soundstyle_renderer_job_free);
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
  int code_side = soundstyle_renderer_resolution_free (job->model) ? 0 : job->long_side;

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

  if (!soundstyle_renderer_resolution_free (job->model))
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
  soundstyle_renderer_worker_unref (result->worker);
  g_clear_pointer (&result->image, adis_image_unref);
  g_clear_pointer (&result->style, adis_style_unref);
  g_clear_object (&result->texture);
  g_clear_error (&result->error);
  g_free (result);
}

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

  result->worker = soundstyle_renderer_worker_ref (worker);
  result->generation = job->generation;
  result->scene = job->scene;
  result->preview = job->preview;

  if ((image_code = worker_get_image_code (worker, job, &error)) != NULL &&
      (sound_code = soundstyle_renderer_job_encode_sound (job, &error)) != NULL &&
      (style = adis_model_decode_style (job->model, image_code, sound_code, job->cancellable, &error)) != NULL)
    {
      int width, height;

      output_size (job, &width, &height);
      result->image = soundstyle_renderer_job_apply_mask (job, adis_style_apply (style, width, height, NULL, NULL,
                                                          job->cancellable, &error));
    }
  if (result->image != NULL)
    result->style = g_steal_pointer (&style);

  if (result->image != NULL)
    result->texture = soundstyle_texture_new_for_image (result->image);
  else
    result->error = g_steal_pointer (&error);
  result->milliseconds = (g_get_monotonic_time () - start) / 1000.0;

  g_debug ("%s render at %d px: %.0f ms%s", job->preview ? "preview" : "full",
           job->long_side, result->milliseconds,
           result->error == NULL ? "" : g_cancellable_is_cancelled (job->cancellable) ? " (superseded)" : " (failed)");

  soundstyle_post_to_context (worker->context, G_PRIORITY_DEFAULT, deliver_result,
                              result, (GDestroyNotify) result_free);
}

gpointer
soundstyle_renderer_worker_thread (gpointer data)
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
      soundstyle_renderer_job_free (job);
    }
  g_mutex_unlock (&worker->mutex);

  soundstyle_renderer_worker_unref (worker);
  return NULL;
}

/* Queues a job in place of any queued one. A running job of older inputs
 * is cancelled, except a preview of the same photo and model: it finishes
 * and is shown while the sliders move (one of the same inputs, a preview
 * before its full render, may finish too) */
void
soundstyle_renderer_worker_submit (Worker *worker,
                                   Job    *job)
{
  g_mutex_lock (&worker->mutex);
  g_clear_pointer (&worker->pending, soundstyle_renderer_job_free);
  if (worker->running != NULL && worker->running->generation != job->generation &&
      !(worker->running->preview && worker->running->scene == job->scene))
    g_cancellable_cancel (worker->running->cancellable);
  worker->pending = job;
  g_cond_signal (&worker->cond);
  g_mutex_unlock (&worker->mutex);
}

void
soundstyle_renderer_worker_cancel_all (Worker *worker)
{
  g_mutex_lock (&worker->mutex);
  g_clear_pointer (&worker->pending, soundstyle_renderer_job_free);
  if (worker->running != NULL)
    g_cancellable_cancel (worker->running->cancellable);
  g_mutex_unlock (&worker->mutex);
}
