/* soundstyle-video-view.c: a video restyled by its own soundtrack
 *
 * SPDX-License-Identifier: MIT
 *
 * One frame at a time is rendered in a thread with its own reader
 * (AdisVideo is for one user at a time); a change while it runs is rendered
 * next, so the picture follows the sliders at the render's pace. The export
 * is soundstyle-video-export.c's child process.
 */
#define G_LOG_DOMAIN "soundstyle"

#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n.h>

#include <adwaita.h>

#include "soundstyle-file-chooser.h"
#include "soundstyle-types.h"
#include "soundstyle-video-export.h"
#include "soundstyle-video-view.h"

/* The long side frames are restyled at while scrubbing */
#define VIEW_SIZE 384

struct _SoundstyleVideoView
{
  GtkBox                 parent_instance;

  /* Template widgets */
  GtkPicture            *picture;
  GtkAdjustment         *time_adjustment;
  GtkAdjustment         *gain_adjustment;
  GtkProgressBar        *export_progress;
  GtkLabel              *status_label;
  GtkWidget             *export_button;
  GtkWidget             *cancel_button;

  /* Owned */
  GCancellable          *cancellable;
  AdisModel             *model;
  char                  *model_path;
  char                  *path;
  double                 duration;
  GdkTexture            *texture;
  gboolean               busy;
  gboolean               rendering;      /* a frame in the worker */
  gboolean               render_again;   /* the sliders moved meanwhile */
  AdisImageCode         *code;           /* the last frame's encoding */
  double                 code_seconds;
  AdisModel             *code_model;     /* compared only, not owned */
  SoundstyleVideoExport *export;
  gboolean               was_exporting;
  int                    export_size;
};

G_DEFINE_FINAL_TYPE (SoundstyleVideoView, soundstyle_video_view, GTK_TYPE_BOX)

enum {
  PROP_0,
  PROP_TEXTURE,
  PROP_BUSY,
  PROP_EXPORTING,
  PROP_EXPORT_FRACTION,
  N_PROPS
};

enum {
  FAILED,
  NOTICE,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
fail (SoundstyleVideoView *self,
      const char          *message)
{
  gtk_label_set_text (self->status_label, message);
  g_signal_emit (self, signals[FAILED], 0, message);
}

/* --- one frame ------------------------------------------------------------ */

typedef struct
{
  char          *path;
  AdisModel     *model;
  double         seconds;
  float          gain;
  AdisImageCode *image_code;      /* of this frame, when known: a gain change */
} FrameJob;

typedef struct
{
  AdisImage     *styled;
  AdisImageCode *image_code;
} FrameResult;

static void
frame_job_free (FrameJob *job)
{
  g_free (job->path);
  g_clear_pointer (&job->model, adis_model_unref);
  g_clear_pointer (&job->image_code, adis_image_code_unref);
  g_free (job);
}

static void
frame_result_free (FrameResult *result)
{
  g_clear_pointer (&result->styled, adis_image_unref);
  g_clear_pointer (&result->image_code, adis_image_code_unref);
  g_free (result);
}

/* The frame's sound: the 3-s window centred on it, moved inside the track
 * at its ends (a track shorter than 3 s is tiled by the 3-s rule), as
 * `soundstyle video` takes it. The export also smooths the style over
 * time; one frame alone is shown unsmoothed. */
static AdisSound *
read_window (AdisVideo  *video,
             double      seconds,
             GError    **error)
{
  g_autofree float *samples = g_new0 (float, ADIS_CLIP_SAMPLES);
  double start = CLAMP (seconds - ADIS_CLIP_SECONDS / 2.0, 0.0,
                        MAX (0.0, adis_video_get_duration (video) - ADIS_CLIP_SECONDS));
  gsize n_read = 0;

  if (!adis_video_read_audio (video, start, samples, ADIS_CLIP_SAMPLES, &n_read, error))
    return NULL;
  return adis_sound_new_from_samples (samples, MAX (n_read, 1), ADIS_SAMPLE_RATE, 1, error);
}

static void
render_frame_thread (GTask        *task,
                     gpointer      source,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  FrameJob *job = task_data;
  g_autoptr(AdisVideo) video = NULL;
  g_autoptr(AdisImage) frame = NULL;
  g_autoptr(AdisSound) window = NULL;
  g_autoptr(AdisSoundCode) sound_code = NULL;
  g_autoptr(AdisImageCode) image_code = job->image_code != NULL ? adis_image_code_ref (job->image_code) : NULL;
  FrameResult *result;
  GError *error = NULL;
  AdisImage *styled;

  /* A reader of its own: AdisVideo is for one user at a time */
  if ((video = adis_video_open (job->path, &error)) == NULL ||
      (image_code == NULL &&
       ((frame = adis_video_read_frame (video, job->seconds, &error)) == NULL ||
        (image_code = adis_model_encode_image (job->model, frame, VIEW_SIZE, cancellable,
                                               &error)) == NULL)) ||
      (window = read_window (video, job->seconds, &error)) == NULL ||
      (sound_code = adis_model_encode_sound (job->model, window, NULL, job->gain, 0.0f,
                                             cancellable, &error)) == NULL ||
      (styled = adis_model_decode (job->model, image_code, sound_code, cancellable,
                                   &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  result = g_new0 (FrameResult, 1);
  result->styled = styled;
  result->image_code = g_steal_pointer (&image_code);
  g_task_return_pointer (task, result, (GDestroyNotify) frame_result_free);
}

static void
set_busy (SoundstyleVideoView *self,
          gboolean             busy)
{
  if (self->busy == busy)
    return;
  self->busy = busy;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void render (SoundstyleVideoView *self);

static void
on_frame_rendered (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  SoundstyleVideoView *self = SOUNDSTYLE_VIDEO_VIEW (source);
  FrameJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  FrameResult *frame = g_task_propagate_pointer (G_TASK (result), &error);

  self->rendering = FALSE;
  if (frame == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
          g_error_matches (error, ADIS_ERROR, ADIS_ERROR_CANCELLED))
        {
          g_debug ("frame render cancelled");
          return;
        }
      fail (self, error->message);
    }
  else
    {
      /* Shown even when the sliders have moved on: it is newer than what
       * is on screen, and the picture follows the hand at the render's pace */
      g_clear_object (&self->texture);
      self->texture = soundstyle_texture_new_for_image (frame->styled);
      gtk_picture_set_paintable (self->picture, GDK_PAINTABLE (self->texture));
      g_clear_pointer (&self->code, adis_image_code_unref);
      self->code = adis_image_code_ref (frame->image_code);
      self->code_seconds = job->seconds;
      self->code_model = job->model;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXTURE]);
      frame_result_free (frame);
    }

  if (self->render_again)
    render (self);
  else
    set_busy (self, FALSE);
}

/* Latest wins: one render at a time; a change while it runs is rendered
 * as soon as it ends, with whatever the sliders say then */
static void
render (SoundstyleVideoView *self)
{
  g_autoptr(GTask) task = NULL;
  FrameJob *job;

  if (self->path == NULL || self->model == NULL)
    return;
  set_busy (self, TRUE);
  if (self->rendering)
    {
      self->render_again = TRUE;
      return;
    }
  self->render_again = FALSE;
  self->rendering = TRUE;

  job = g_new0 (FrameJob, 1);
  job->path = g_strdup (self->path);
  job->model = adis_model_ref (self->model);
  job->seconds = gtk_adjustment_get_value (self->time_adjustment);
  job->gain = (float) gtk_adjustment_get_value (self->gain_adjustment);
  /* Only the volume moved: the frame's encoding is reused */
  if (self->code != NULL && self->code_model == self->model && self->code_seconds == job->seconds)
    job->image_code = adis_image_code_ref (self->code);

  task = g_task_new (self, self->cancellable, on_frame_rendered, NULL);
  g_task_set_source_tag (task, render);
  g_task_set_task_data (task, job, (GDestroyNotify) frame_job_free);
  g_task_run_in_thread (task, render_frame_thread);
}

static void
on_value_changed (GtkAdjustment       *adjustment,
                  SoundstyleVideoView *self)
{
  render (self);
}

/* --- the export ----------------------------------------------------------- */

static void
on_export_changed (SoundstyleVideoExport *export,
                   SoundstyleVideoView   *self)
{
  SoundstyleExportState state = soundstyle_video_export_get_state (export);
  gboolean running = soundstyle_video_export_is_running (export);
  const char *message = soundstyle_video_export_get_message (export);

  gtk_progress_bar_set_fraction (self->export_progress, soundstyle_video_export_get_fraction (export));
  gtk_progress_bar_set_text (self->export_progress, message);
  gtk_widget_set_visible (GTK_WIDGET (self->export_progress), running);
  gtk_widget_set_visible (GTK_WIDGET (self->export_button), !running);
  gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_button), state == SOUNDSTYLE_EXPORT_RUNNING);

  if (state == SOUNDSTYLE_EXPORT_FAILED)
    fail (self, message);
  else if (!running)
    {
      gtk_label_set_text (self->status_label, message);
      g_signal_emit (self, signals[NOTICE], 0, message);
    }
  if (running != self->was_exporting)
    {
      self->was_exporting = running;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXPORTING]);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXPORT_FRACTION]);
}

/* The save dialog's answer */
static void
on_export_chosen (gpointer  owner,
                  GFile    *file)
{
  g_autofree char *path = g_file_get_path (file);

  if (path != NULL)
    soundstyle_video_view_export (owner, path);
}

static void
on_export_clicked (GtkButton           *button,
                   SoundstyleVideoView *self)
{
  g_autofree char *base = self->path != NULL ? g_path_get_basename (self->path) : g_strdup (_("video"));
  char *dot = strrchr (base, '.');
  g_autofree char *suggested = NULL;

  if (dot != NULL)
    *dot = '\0';
  /* Translators: the suggested file name of a restyled video; %s is the original's */
  suggested = g_strdup_printf (_("%s restyled.mp4"), base);
  soundstyle_choose_file_then (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                               SOUNDSTYLE_FILES_VIDEO_EXPORT, suggested, self->cancellable,
                               self, on_export_chosen, (SoundstyleFileFailedFunc) fail);
}

static void
on_cancel_clicked (GtkButton           *button,
                   SoundstyleVideoView *self)
{
  soundstyle_video_view_cancel_export (self);
}

/* A video dropped on the view replaces the one shown */
static gboolean
on_drop (GtkDropTarget       *target,
         const GValue        *value,
         double               x,
         double               y,
         SoundstyleVideoView *self)
{
  GSList *files = g_value_get_boxed (value);
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  if (files == NULL || (path = g_file_get_path (files->data)) == NULL)
    return FALSE;
  if (!soundstyle_video_view_load (self, path, &error))
    {
      fail (self, error->message);
      return FALSE;
    }
  return TRUE;
}

/* --- GObject -------------------------------------------------------------- */

static void
soundstyle_video_view_dispose (GObject *object)
{
  SoundstyleVideoView *self = SOUNDSTYLE_VIDEO_VIEW (object);

  /* A running export goes on: it writes its file whole or not at all */
  g_cancellable_cancel (self->cancellable);
  if (self->export != NULL)
    g_signal_handlers_disconnect_by_data (self->export, self);
  g_clear_object (&self->export);
  g_clear_object (&self->texture);
  g_clear_pointer (&self->code, adis_image_code_unref);
  g_clear_pointer (&self->model, adis_model_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), SOUNDSTYLE_TYPE_VIDEO_VIEW);

  G_OBJECT_CLASS (soundstyle_video_view_parent_class)->dispose (object);
}

static void
soundstyle_video_view_finalize (GObject *object)
{
  SoundstyleVideoView *self = SOUNDSTYLE_VIDEO_VIEW (object);

  g_clear_object (&self->cancellable);
  g_free (self->model_path);
  g_free (self->path);

  G_OBJECT_CLASS (soundstyle_video_view_parent_class)->finalize (object);
}

static void
soundstyle_video_view_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  SoundstyleVideoView *self = SOUNDSTYLE_VIDEO_VIEW (object);

  switch (prop_id)
    {
    case PROP_TEXTURE:
      g_value_set_object (value, self->texture);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    case PROP_EXPORTING:
      g_value_set_boolean (value, soundstyle_video_view_get_exporting (self));
      break;
    case PROP_EXPORT_FRACTION:
      g_value_set_double (value, soundstyle_video_view_get_export_fraction (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
soundstyle_video_view_class_init (SoundstyleVideoViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = soundstyle_video_view_dispose;
  object_class->finalize = soundstyle_video_view_finalize;
  object_class->get_property = soundstyle_video_view_get_property;

  properties[PROP_TEXTURE] =
    g_param_spec_object ("texture", NULL, NULL, GDK_TYPE_TEXTURE,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_EXPORTING] =
    g_param_spec_boolean ("exporting", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_EXPORT_FRACTION] =
    g_param_spec_double ("export-fraction", NULL, NULL, 0.0, 1.0, 0.0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[FAILED] = g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[NOTICE] = g_signal_new ("notice", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/soundstyle/Soundstyle/soundstyle-video-view.ui");
  gtk_widget_class_bind_template_child (widget_class, SoundstyleVideoView, picture);
  gtk_widget_class_bind_template_child (widget_class, SoundstyleVideoView, time_adjustment);
  gtk_widget_class_bind_template_child (widget_class, SoundstyleVideoView, gain_adjustment);
  gtk_widget_class_bind_template_child (widget_class, SoundstyleVideoView, export_progress);
  gtk_widget_class_bind_template_child (widget_class, SoundstyleVideoView, status_label);
  gtk_widget_class_bind_template_child (widget_class, SoundstyleVideoView, export_button);
  gtk_widget_class_bind_template_child (widget_class, SoundstyleVideoView, cancel_button);
  gtk_widget_class_bind_template_callback (widget_class, on_value_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_export_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel_clicked);
}

static void
soundstyle_video_view_init (SoundstyleVideoView *self)
{
  GtkDropTarget *drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->export_size = 512;

  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
}

/* --- public API ----------------------------------------------------------- */

GtkWidget *
soundstyle_video_view_new (void)
{
  return g_object_new (SOUNDSTYLE_TYPE_VIDEO_VIEW, NULL);
}

void
soundstyle_video_view_set_model (SoundstyleVideoView *self,
                                 AdisModel           *model,
                                 const char          *model_path)
{
  g_return_if_fail (SOUNDSTYLE_IS_VIDEO_VIEW (self));

  g_clear_pointer (&self->model, adis_model_unref);
  self->model = model != NULL ? adis_model_ref (model) : NULL;
  soundstyle_set_str (&self->model_path, model_path);
  render (self);
}

gboolean
soundstyle_video_view_load (SoundstyleVideoView  *self,
                            const char           *path,
                            GError              **error)
{
  g_autoptr(AdisVideo) video = NULL;
  g_autofree char *name = g_path_get_basename (path);

  g_return_val_if_fail (SOUNDSTYLE_IS_VIDEO_VIEW (self), FALSE);

  if ((video = adis_video_open (path, error)) == NULL)
    return FALSE;
  if (!adis_video_has_audio (video))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   _("“%s” has no sound track to restyle it by"), name);
      return FALSE;
    }
  soundstyle_set_str (&self->path, path);
  self->duration = adis_video_get_duration (video);
  g_clear_pointer (&self->code, adis_image_code_unref);
  gtk_adjustment_configure (self->time_adjustment, 0.0, 0.0, self->duration,
                            MIN (0.1, self->duration), 1.0, 0.0);
  gtk_label_set_text (self->status_label, "");
  render (self);
  return TRUE;
}

double
soundstyle_video_view_get_duration (SoundstyleVideoView *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_VIDEO_VIEW (self), 0.0);

  return self->duration;
}

void
soundstyle_video_view_set_time (SoundstyleVideoView *self,
                                double               seconds)
{
  g_return_if_fail (SOUNDSTYLE_IS_VIDEO_VIEW (self));

  gtk_adjustment_set_value (self->time_adjustment, seconds);
}

void
soundstyle_video_view_set_gain (SoundstyleVideoView *self,
                                double               gain)
{
  g_return_if_fail (SOUNDSTYLE_IS_VIDEO_VIEW (self));

  gtk_adjustment_set_value (self->gain_adjustment, gain);
}

GdkTexture *
soundstyle_video_view_get_texture (SoundstyleVideoView *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_VIDEO_VIEW (self), NULL);

  return self->texture;
}

gboolean
soundstyle_video_view_get_busy (SoundstyleVideoView *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_VIDEO_VIEW (self), FALSE);

  return self->busy;
}

void
soundstyle_video_view_set_export_size (SoundstyleVideoView *self,
                                       int                  long_side)
{
  g_return_if_fail (SOUNDSTYLE_IS_VIDEO_VIEW (self));
  g_return_if_fail (long_side >= 16);

  self->export_size = long_side;
}

void
soundstyle_video_view_export (SoundstyleVideoView *self,
                              const char          *output)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (SOUNDSTYLE_IS_VIDEO_VIEW (self));
  g_return_if_fail (output != NULL);

  if (self->path == NULL || self->model_path == NULL || soundstyle_video_view_get_exporting (self))
    return;

  if (self->export != NULL)
    g_signal_handlers_disconnect_by_data (self->export, self);
  g_clear_object (&self->export);
  self->export = soundstyle_video_export_new (self->path, output, self->model_path,
                                              gtk_adjustment_get_value (self->gain_adjustment),
                                              self->export_size);
  g_signal_connect_object (self->export, "changed", G_CALLBACK (on_export_changed), self, 0);
  if (!soundstyle_video_export_start (self->export, &error))
    {
      g_autofree char *message = g_strdup_printf (_("The video could not be exported: %s"), error->message);

      g_clear_object (&self->export);
      fail (self, message);
    }
}

void
soundstyle_video_view_cancel_export (SoundstyleVideoView *self)
{
  g_return_if_fail (SOUNDSTYLE_IS_VIDEO_VIEW (self));

  if (self->export != NULL)
    soundstyle_video_export_cancel (self->export);
}

gboolean
soundstyle_video_view_get_exporting (SoundstyleVideoView *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_VIDEO_VIEW (self), FALSE);

  return self->export != NULL && soundstyle_video_export_is_running (self->export);
}

double
soundstyle_video_view_get_export_fraction (SoundstyleVideoView *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_VIDEO_VIEW (self), 0.0);

  return self->export != NULL ? soundstyle_video_export_get_fraction (self->export) : 0.0;
}

SoundstyleVideoExport *
soundstyle_video_view_get_export (SoundstyleVideoView *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_VIDEO_VIEW (self), NULL);

  return self->export;
}

static void
on_view_message (SoundstyleVideoView *view,
                 const char          *message,
                 AdwToastOverlay     *overlay)
{
  AdwToast *toast = adw_toast_new (message);

  adw_toast_set_timeout (toast, 6);
  adw_toast_overlay_add_toast (overlay, toast);
}

static void
close_when_stopped (GtkWindow           *window,
                    GParamSpec          *pspec,
                    SoundstyleVideoView *view)
{
  if (!soundstyle_video_view_get_exporting (view))
    gtk_window_destroy (window);
}

/* Closing during an export cancels it (no file stays); the window goes
 * once the child has stopped, so nothing runs on unseen */
static gboolean
on_close_request (GtkWindow           *window,
                  SoundstyleVideoView *view)
{
  if (!soundstyle_video_view_get_exporting (view))
    return FALSE;
  if (g_object_get_data (G_OBJECT (window), "closing") == NULL)
    {
      g_object_set_data (G_OBJECT (window), "closing", GINT_TO_POINTER (TRUE));
      g_signal_connect_object (view, "notify::exporting", G_CALLBACK (close_when_stopped), window,
                               G_CONNECT_SWAPPED);
      soundstyle_video_view_cancel_export (view);
    }
  return TRUE;
}

GtkWindow *
soundstyle_video_view_open_window (GtkWindow   *parent,
                                   AdisModel   *model,
                                   const char  *model_path,
                                   const char  *path,
                                   GError     **error)
{
  GtkWidget *view = soundstyle_video_view_new ();
  g_autofree char *name = g_path_get_basename (path);
  GtkWidget *window;
  GtkWidget *box;
  GtkWidget *overlay;

  g_object_ref_sink (view);
  if (!soundstyle_video_view_load (SOUNDSTYLE_VIDEO_VIEW (view), path, error))
    {
      g_object_unref (view);
      return NULL;
    }
  soundstyle_video_view_set_model (SOUNDSTYLE_VIDEO_VIEW (view), model, model_path);

  window = adw_window_new ();
  gtk_window_set_title (GTK_WINDOW (window), name);
  gtk_window_set_transient_for (GTK_WINDOW (window), parent);
  gtk_window_set_default_size (GTK_WINDOW (window), 720, 600);
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_box_append (GTK_BOX (box), adw_header_bar_new ());
  gtk_box_append (GTK_BOX (box), view);
  /* Failures and a finished export are toasts, as in the main window */
  overlay = adw_toast_overlay_new ();
  adw_toast_overlay_set_child (ADW_TOAST_OVERLAY (overlay), box);
  adw_window_set_content (ADW_WINDOW (window), overlay);
  g_signal_connect_object (view, "failed", G_CALLBACK (on_view_message), overlay, 0);
  g_signal_connect_object (view, "notice", G_CALLBACK (on_view_message), overlay, 0);
  g_signal_connect (window, "close-request", G_CALLBACK (on_close_request), view);
  /* For tests */
  g_object_set_data (G_OBJECT (window), "video-view", view);
  g_object_unref (view);
  return GTK_WINDOW (window);
}
