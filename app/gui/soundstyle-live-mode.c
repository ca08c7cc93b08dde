/* soundstyle-live-mode.c: the photo restyled continuously by the microphone
 *
 * SPDX-License-Identifier: MIT
 *
 * The recorder keeps the latest 3 s in a ring. Each time the renderer has
 * shown what it was given, the next snapshot goes in: the renderer restyles
 * at the preview size at once (its image code is cached), so updates come as
 * fast as one sound encoding and one decoding allow, and never queue up.
 */
#define G_LOG_DOMAIN "soundstyle"

#include "config.h"

#include <glib/gi18n.h>

#include "soundstyle-live-mode.h"

/* How often the level and the renderer are looked at */
#define TICK_MS         30
/* A pushed buffer whose picture never came (nothing to render: no photo)
 * is replaced after this long */
#define STALE_USEC      (2 * G_USEC_PER_SEC)
/* The meter's range: quieter than this shows empty */
#define METER_FLOOR_DB  (-60.0)

struct _SoundstyleLiveMode
{
  GtkBox                 parent_instance;

  /* Template widgets */
  GtkToggleButton       *toggle;
  GtkLevelBar           *level_bar;

  /* Owned */
  SoundstyleRenderer    *renderer;
  SoundstyleRecorder    *recorder;
  SoundstyleAudioDevice *device;
  guint                  tick_id;
  gboolean               active;
  gboolean               waiting;      /* a buffer pushed, its picture not shown */
  gint64                 pushed_usec;
  guint                  n_updates;
  double                 level;
};

G_DEFINE_FINAL_TYPE (SoundstyleLiveMode, soundstyle_live_mode, GTK_TYPE_BOX)

enum {
  PROP_0,
  PROP_ACTIVE,
  PROP_N_UPDATES,
  PROP_LEVEL,
  N_PROPS
};

enum {
  FAILED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
set_level (SoundstyleLiveMode *self,
           double              level)
{
  if (self->level == level)
    return;
  self->level = level;
  gtk_level_bar_set_value (self->level_bar, level);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LEVEL]);
}

/* Latest wins: a snapshot goes in only when the renderer has shown the
 * previous one, so buffers never queue behind a slow render */
static void
push_snapshot (SoundstyleLiveMode *self)
{
  gint64 now = g_get_monotonic_time ();
  g_autoptr(AdisSound) snapshot = NULL;

  if (self->renderer == NULL || soundstyle_renderer_get_busy (self->renderer) ||
      (self->waiting && now - self->pushed_usec < STALE_USEC))
    return;

  /* None just after the start: the ring fills within 0.1 s */
  snapshot = soundstyle_recorder_snapshot (self->recorder, NULL);
  if (snapshot == NULL)
    return;

  self->waiting = TRUE;
  self->pushed_usec = now;
  soundstyle_renderer_set_sounds (self->renderer, snapshot, 1.0, NULL, 0.0, 0.0);
}

static gboolean
tick (gpointer data)
{
  SoundstyleLiveMode *self = data;
  double db = soundstyle_recorder_get_rms_db (self->recorder);

  set_level (self, CLAMP ((db - METER_FLOOR_DB) / -METER_FLOOR_DB, 0.0, 1.0));
  push_snapshot (self);
  return G_SOURCE_CONTINUE;
}

static void
on_renderer_texture (SoundstyleRenderer *renderer,
                     GParamSpec         *pspec,
                     SoundstyleLiveMode *self)
{
  if (!self->active || !self->waiting || soundstyle_renderer_get_texture (renderer) == NULL ||
      soundstyle_renderer_get_busy (renderer))
    return;
  self->waiting = FALSE;
  self->n_updates++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_UPDATES]);
  /* The next one at once rather than at the next tick */
  push_snapshot (self);
}

static gboolean
start (SoundstyleLiveMode  *self,
       GError             **error)
{
  if (!soundstyle_recorder_start_live (self->recorder, self->device, error))
    return FALSE;
  if (self->renderer != NULL)
    soundstyle_renderer_set_live (self->renderer, TRUE);
  self->n_updates = 0;
  self->waiting = FALSE;
  self->tick_id = g_timeout_add (TICK_MS, tick, self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_UPDATES]);
  return TRUE;
}

/* The renderer keeps what it last showed: the picture stays */
static void
stop (SoundstyleLiveMode *self)
{
  g_clear_handle_id (&self->tick_id, g_source_remove);
  soundstyle_recorder_stop (self->recorder);
  if (self->renderer != NULL)
    soundstyle_renderer_set_live (self->renderer, FALSE);
  self->waiting = FALSE;
  set_level (self, 0.0);
}

static void
on_toggled (GtkToggleButton    *toggle,
            SoundstyleLiveMode *self)
{
  soundstyle_live_mode_set_active (self, gtk_toggle_button_get_active (toggle));
}

static void
soundstyle_live_mode_dispose (GObject *object)
{
  SoundstyleLiveMode *self = SOUNDSTYLE_LIVE_MODE (object);

  if (self->active)
    stop (self);
  soundstyle_live_mode_set_renderer (self, NULL);
  g_clear_object (&self->recorder);
  g_clear_object (&self->device);
  gtk_widget_dispose_template (GTK_WIDGET (self), SOUNDSTYLE_TYPE_LIVE_MODE);

  G_OBJECT_CLASS (soundstyle_live_mode_parent_class)->dispose (object);
}

static void
soundstyle_live_mode_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  SoundstyleLiveMode *self = SOUNDSTYLE_LIVE_MODE (object);

  switch (prop_id)
    {
    case PROP_ACTIVE:
      g_value_set_boolean (value, self->active);
      break;
    case PROP_N_UPDATES:
      g_value_set_uint (value, self->n_updates);
      break;
    case PROP_LEVEL:
      g_value_set_double (value, self->level);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
soundstyle_live_mode_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  SoundstyleLiveMode *self = SOUNDSTYLE_LIVE_MODE (object);

  switch (prop_id)
    {
    case PROP_ACTIVE:
      soundstyle_live_mode_set_active (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
soundstyle_live_mode_class_init (SoundstyleLiveModeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = soundstyle_live_mode_dispose;
  object_class->get_property = soundstyle_live_mode_get_property;
  object_class->set_property = soundstyle_live_mode_set_property;

  properties[PROP_ACTIVE] =
    g_param_spec_boolean ("active", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_UPDATES] =
    g_param_spec_uint ("n-updates", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LEVEL] =
    g_param_spec_double ("level", NULL, NULL, 0.0, 1.0, 0.0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[FAILED] = g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/soundstyle/Soundstyle/soundstyle-live-mode.ui");
  gtk_widget_class_bind_template_child (widget_class, SoundstyleLiveMode, toggle);
  gtk_widget_class_bind_template_child (widget_class, SoundstyleLiveMode, level_bar);
  gtk_widget_class_bind_template_callback (widget_class, on_toggled);
}

static void
soundstyle_live_mode_init (SoundstyleLiveMode *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->recorder = soundstyle_recorder_new ();
}

GtkWidget *
soundstyle_live_mode_new (void)
{
  return g_object_new (SOUNDSTYLE_TYPE_LIVE_MODE, NULL);
}

void
soundstyle_live_mode_set_renderer (SoundstyleLiveMode *self,
                                   SoundstyleRenderer *renderer)
{
  g_return_if_fail (SOUNDSTYLE_IS_LIVE_MODE (self));

  if (self->renderer == renderer)
    return;
  if (self->renderer != NULL)
    g_signal_handlers_disconnect_by_data (self->renderer, self);
  g_set_object (&self->renderer, renderer);
  if (renderer != NULL)
    g_signal_connect_object (renderer, "notify::texture", G_CALLBACK (on_renderer_texture), self, 0);
}

void
soundstyle_live_mode_set_device (SoundstyleLiveMode    *self,
                                 SoundstyleAudioDevice *device)
{
  g_return_if_fail (SOUNDSTYLE_IS_LIVE_MODE (self));

  g_set_object (&self->device, device);
}

gboolean
soundstyle_live_mode_get_active (SoundstyleLiveMode *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_LIVE_MODE (self), FALSE);

  return self->active;
}

void
soundstyle_live_mode_set_active (SoundstyleLiveMode *self,
                                 gboolean            active)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (SOUNDSTYLE_IS_LIVE_MODE (self));

  active = !!active;
  if (self->active == active)
    return;

  if (active && !start (self, &error))
    {
      g_autofree char *message = g_strdup_printf (_("Live mode cannot use the microphone: %s"),
                                                  error->message);

      gtk_toggle_button_set_active (self->toggle, FALSE);
      g_signal_emit (self, signals[FAILED], 0, message);
      return;
    }
  if (!active)
    stop (self);

  self->active = active;
  gtk_toggle_button_set_active (self->toggle, active);
  gtk_widget_set_visible (GTK_WIDGET (self->level_bar), active);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE]);
}

guint
soundstyle_live_mode_get_n_updates (SoundstyleLiveMode *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_LIVE_MODE (self), 0);

  return self->n_updates;
}

double
soundstyle_live_mode_get_level (SoundstyleLiveMode *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_LIVE_MODE (self), 0.0);

  return self->level;
}
