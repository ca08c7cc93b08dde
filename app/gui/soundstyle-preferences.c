/* soundstyle-preferences.c: the preferences window
 *
 * SPDX-License-Identifier: MIT
 *
 * Every row is bound to its GSettings key, so a change applies at once and
 * the window has no state of its own.
 */
#define G_LOG_DOMAIN "soundstyle"

#include "config.h"

#include <glib/gi18n.h>

#include "soundstyle-preferences.h"

struct _SoundstylePreferences
{
  AdwPreferencesWindow  parent_instance;

  /* Template widgets */
  AdwComboRow          *device_row;
  GtkAdjustment        *preview_adjustment;
  GtkAdjustment        *render_adjustment;

  /* Owned */
  GSettings            *settings;
};

G_DEFINE_FINAL_TYPE (SoundstylePreferences, soundstyle_preferences, ADW_TYPE_PREFERENCES_WINDOW)

/* The combo row's positions, in the order of the template's strings */
static const char *const device_names[] = { "auto", "cpu", "gpu" };

static gboolean
device_to_position (GValue   *value,
                    GVariant *variant,
                    gpointer  user_data)
{
  const char *name = g_variant_get_string (variant, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (device_names); i++)
    if (g_str_equal (name, device_names[i]))
      {
        g_value_set_uint (value, i);
        return TRUE;
      }
  return FALSE;
}

static GVariant *
position_to_device (const GValue       *value,
                    const GVariantType *expected_type,
                    gpointer            user_data)
{
  guint position = g_value_get_uint (value);

  if (position >= G_N_ELEMENTS (device_names))
    return NULL;
  return g_variant_new_string (device_names[position]);
}

static void
soundstyle_preferences_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), SOUNDSTYLE_TYPE_PREFERENCES);

  G_OBJECT_CLASS (soundstyle_preferences_parent_class)->dispose (object);
}

static void
soundstyle_preferences_finalize (GObject *object)
{
  SoundstylePreferences *self = SOUNDSTYLE_PREFERENCES (object);

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (soundstyle_preferences_parent_class)->finalize (object);
}

static void
soundstyle_preferences_class_init (SoundstylePreferencesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = soundstyle_preferences_dispose;
  object_class->finalize = soundstyle_preferences_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/soundstyle/Soundstyle/soundstyle-preferences.ui");
  gtk_widget_class_bind_template_child (widget_class, SoundstylePreferences, device_row);
  gtk_widget_class_bind_template_child (widget_class, SoundstylePreferences, preview_adjustment);
  gtk_widget_class_bind_template_child (widget_class, SoundstylePreferences, render_adjustment);
}

static void
soundstyle_preferences_init (SoundstylePreferences *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
soundstyle_preferences_new (GSettings *settings)
{
  SoundstylePreferences *self;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (SOUNDSTYLE_TYPE_PREFERENCES, NULL);
  self->settings = g_object_ref (settings);

  g_settings_bind_with_mapping (settings, "device", self->device_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, device_to_position, position_to_device,
                                NULL, NULL);
  g_settings_bind (settings, "preview-size", self->preview_adjustment, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "render-size", self->render_adjustment, "value", G_SETTINGS_BIND_DEFAULT);

  return GTK_WIDGET (self);
}
