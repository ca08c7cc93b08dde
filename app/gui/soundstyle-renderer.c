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
 *
 * Here: the inputs, the scheduling and the GObject; the jobs and the worker
 * thread are in soundstyle-renderer-worker.c, exports in
 * soundstyle-renderer-export.c.
 */
#define G_LOG_DOMAIN "soundstyle-renderer"

#include "config.h"

#include <math.h>

#include "soundstyle-renderer-private.h"

/* How long inputs must rest before the full render starts */
#define FULL_RENDER_DELAY_MS 350

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

gboolean
soundstyle_renderer_can_render (SoundstyleRenderer *self)
{
  return self->model != NULL && self->photo != NULL && (self->a != NULL || self->b != NULL);
}

static gboolean
needs_full_render (SoundstyleRenderer *self)
{
  if (self->live || soundstyle_renderer_resolution_free (self->model))
    return FALSE;
  return soundstyle_renderer_clamp_long_side (self->photo, self->render_size) > soundstyle_renderer_preview_long_side (self);
}

static gboolean
start_full_render (gpointer data)
{
  SoundstyleRenderer *self = data;

  self->full_render_source = 0;
  if (soundstyle_renderer_can_render (self))
    soundstyle_renderer_worker_submit (self->worker, soundstyle_renderer_job_new (self, soundstyle_renderer_clamp_long_side (self->photo, self->render_size), FALSE));
  return G_SOURCE_REMOVE;
}

/* Called after every change of inputs */
static void
schedule (SoundstyleRenderer *self)
{
  self->generation++;
  self->full_shown = FALSE;
  g_clear_handle_id (&self->full_render_source, g_source_remove);

  if (!soundstyle_renderer_can_render (self))
    {
      soundstyle_renderer_worker_cancel_all (self->worker);
      set_busy (self, FALSE);
      return;
    }

  set_busy (self, TRUE);
  soundstyle_renderer_worker_submit (self->worker, soundstyle_renderer_job_new (self, soundstyle_renderer_preview_long_side (self), TRUE));

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

void
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

void
soundstyle_renderer_set_export_progress (SoundstyleRenderer *self,
                                         double              fraction)
{
  if (self->export_progress == fraction)
    return;
  self->export_progress = fraction;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXPORT_PROGRESS]);
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
  g_clear_pointer (&self->worker->pending, soundstyle_renderer_job_free);
  if (self->worker->running != NULL)
    g_cancellable_cancel (self->worker->running->cancellable);
  g_cond_signal (&self->worker->cond);
  g_mutex_unlock (&self->worker->mutex);
  soundstyle_renderer_worker_unref (self->worker);

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
  g_thread_unref (g_thread_new ("soundstyle-render", soundstyle_renderer_worker_thread, soundstyle_renderer_worker_ref (worker)));

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
  if (self->model != NULL && soundstyle_renderer_resolution_free (self->model))
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
