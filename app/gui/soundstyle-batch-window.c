/* soundstyle-batch-window.c: a running Restyle Photos…, its progress and its end
 *
 * SPDX-License-Identifier: MIT
 *
 * A small window beside the main one, so the main window stays usable while
 * a folder is restyled: a progress bar, how many are done and about how long
 * the rest will take, Cancel; at the end what was written where, and which
 * photos could not be restyled, and why.
 */
#define G_LOG_DOMAIN "soundstyle-batch"

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "soundstyle-batch-window.h"

struct _SoundstyleBatchWindow
{
  AdwWindow        parent_instance;

  /* Widgets */
  AdwWindowTitle  *title;
  GtkLabel        *status;
  GtkProgressBar  *progress;
  GtkLabel        *detail;
  GtkLabel        *failures;
  GtkButton       *cancel;
  GtkButton       *close;

  /* Owned */
  SoundstyleBatch *batch;
};

G_DEFINE_FINAL_TYPE (SoundstyleBatchWindow, soundstyle_batch_window, ADW_TYPE_WINDOW)

/* "about 3 minutes left", rounded up so it never promises too little */
static char *
format_eta (double seconds)
{
  if (seconds < 0)
    return g_strdup (_("Estimating the time left…"));
  if (seconds < 90)
    {
      int n = MAX (1, (int) ceil (seconds));

      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "About %d second left",
                                           "About %d seconds left", n), n);
    }
  {
    int n = (int) ceil (seconds / 60);

    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "About %d minute left",
                                         "About %d minutes left", n), n);
  }
}

static void
update (SoundstyleBatchWindow *self)
{
  guint done = soundstyle_batch_get_n_done (self->batch);
  guint total = soundstyle_batch_get_n_photos (self->batch);
  g_autofree char *count = NULL;
  g_autofree char *eta = NULL;

  gtk_progress_bar_set_fraction (self->progress, soundstyle_batch_get_fraction (self->batch));
  /* Translators: progress of Restyle Photos…, "3 of 12" */
  count = g_strdup_printf (_("%u of %u"), done, total);
  gtk_progress_bar_set_text (self->progress, count);
  eta = format_eta (soundstyle_batch_get_eta (self->batch));
  gtk_label_set_text (self->detail, eta);
}

static void
on_n_done (SoundstyleBatch       *batch,
           GParamSpec            *pspec,
           SoundstyleBatchWindow *self)
{
  update (self);
}

static void
on_finished (SoundstyleBatch       *batch,
             SoundstyleBatchWindow *self)
{
  GPtrArray *written = soundstyle_batch_get_written (batch);
  GPtrArray *failed = soundstyle_batch_get_failures (batch);
  g_autofree char *folder = g_path_get_basename (soundstyle_batch_get_folder (batch));
  g_autofree char *status = NULL;

  update (self);
  if (soundstyle_batch_get_cancelled (batch))
    status = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "Cancelled: %u photo restyled into “%s”",
                                           "Cancelled: %u photos restyled into “%s”", written->len),
                              written->len, folder);
  else
    status = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "%u photo restyled into “%s”",
                                           "%u photos restyled into “%s”", written->len),
                              written->len, folder);
  gtk_label_set_text (self->status, status);
  gtk_label_set_text (self->detail, "");
  adw_window_title_set_title (self->title, _("Restyle Photos: Done"));

  if (failed->len > 0)
    {
      g_autoptr(GString) text = g_string_new (NULL);

      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE,
                                                 "%u photo could not be restyled:",
                                                 "%u photos could not be restyled:", failed->len),
                              failed->len);
      for (guint i = 0; i < failed->len; i++)
        g_string_append_printf (text, "\n%s", (const char *) g_ptr_array_index (failed, i));
      gtk_label_set_text (self->failures, text->str);
      gtk_widget_set_visible (GTK_WIDGET (self->failures), TRUE);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->cancel), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->close), TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->close));
}

static void
on_cancel_clicked (GtkButton             *button,
                   SoundstyleBatchWindow *self)
{
  gtk_widget_set_sensitive (GTK_WIDGET (button), FALSE);
  gtk_label_set_text (self->detail, _("Cancelling after the photo in hand…"));
  soundstyle_batch_cancel (self->batch);
}

static gboolean
soundstyle_batch_window_close_request (GtkWindow *window)
{
  SoundstyleBatchWindow *self = SOUNDSTYLE_BATCH_WINDOW (window);

  /* Closing while it runs cancels: nothing goes on unseen */
  if (self->batch != NULL && soundstyle_batch_get_running (self->batch))
    soundstyle_batch_cancel (self->batch);
  return GTK_WINDOW_CLASS (soundstyle_batch_window_parent_class)->close_request (window);
}

static void
soundstyle_batch_window_dispose (GObject *object)
{
  SoundstyleBatchWindow *self = SOUNDSTYLE_BATCH_WINDOW (object);

  if (self->batch != NULL)
    {
      soundstyle_batch_cancel (self->batch);
      g_signal_handlers_disconnect_by_data (self->batch, self);
      g_clear_object (&self->batch);
    }

  G_OBJECT_CLASS (soundstyle_batch_window_parent_class)->dispose (object);
}

static void
soundstyle_batch_window_class_init (SoundstyleBatchWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = soundstyle_batch_window_dispose;
  window_class->close_request = soundstyle_batch_window_close_request;
}

static void
soundstyle_batch_window_init (SoundstyleBatchWindow *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *scroller = gtk_scrolled_window_new ();

  gtk_window_set_default_size (GTK_WINDOW (self), 460, -1);
  gtk_window_set_title (GTK_WINDOW (self), _("Restyle Photos"));

  self->title = ADW_WINDOW_TITLE (adw_window_title_new (_("Restyle Photos"), NULL));
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), GTK_WIDGET (self->title));
  gtk_box_append (GTK_BOX (box), header);

  gtk_widget_set_margin_start (content, 18);
  gtk_widget_set_margin_end (content, 18);
  gtk_widget_set_margin_top (content, 12);
  gtk_widget_set_margin_bottom (content, 18);
  gtk_box_append (GTK_BOX (box), content);

  self->status = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->status, TRUE);
  gtk_label_set_xalign (self->status, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->status), "heading");
  gtk_box_append (GTK_BOX (content), GTK_WIDGET (self->status));

  self->progress = GTK_PROGRESS_BAR (gtk_progress_bar_new ());
  gtk_progress_bar_set_show_text (self->progress, TRUE);
  gtk_box_append (GTK_BOX (content), GTK_WIDGET (self->progress));

  self->detail = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->detail, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->detail), "dim-label");
  gtk_box_append (GTK_BOX (content), GTK_WIDGET (self->detail));

  self->failures = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->failures, 0);
  gtk_label_set_yalign (self->failures, 0);
  gtk_label_set_wrap (self->failures, TRUE);
  gtk_label_set_selectable (self->failures, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->failures), "batch-failures");
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), GTK_WIDGET (self->failures));
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scroller), 96);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroller), 200);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_widget_add_css_class (scroller, "card");
  g_object_bind_property (self->failures, "visible", scroller, "visible", G_BINDING_SYNC_CREATE);
  gtk_widget_set_visible (GTK_WIDGET (self->failures), FALSE);
  gtk_box_append (GTK_BOX (content), scroller);

  gtk_widget_set_halign (buttons, GTK_ALIGN_END);
  self->cancel = GTK_BUTTON (gtk_button_new_with_mnemonic (_("_Cancel")));
  g_signal_connect (self->cancel, "clicked", G_CALLBACK (on_cancel_clicked), self);
  self->close = GTK_BUTTON (gtk_button_new_with_mnemonic (_("_Close")));
  gtk_widget_add_css_class (GTK_WIDGET (self->close), "suggested-action");
  gtk_widget_set_visible (GTK_WIDGET (self->close), FALSE);
  g_signal_connect_swapped (self->close, "clicked", G_CALLBACK (gtk_window_close), self);
  gtk_box_append (GTK_BOX (buttons), GTK_WIDGET (self->cancel));
  gtk_box_append (GTK_BOX (buttons), GTK_WIDGET (self->close));
  gtk_box_append (GTK_BOX (content), buttons);

  adw_window_set_content (ADW_WINDOW (self), box);
}

GtkWidget *
soundstyle_batch_window_new (GtkWindow       *parent,
                             SoundstyleBatch *batch)
{
  SoundstyleBatchWindow *self;
  g_autofree char *folder = NULL;
  g_autofree char *status = NULL;
  guint n;

  g_return_val_if_fail (SOUNDSTYLE_IS_BATCH (batch), NULL);

  self = g_object_new (SOUNDSTYLE_TYPE_BATCH_WINDOW, "transient-for", parent, NULL);
  self->batch = g_object_ref (batch);
  n = soundstyle_batch_get_n_photos (batch);
  folder = g_path_get_basename (soundstyle_batch_get_folder (batch));
  status = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Restyling %u photo into “%s”",
                                         "Restyling %u photos into “%s”", n), n, folder);
  gtk_label_set_text (self->status, status);
  g_signal_connect_object (batch, "notify::n-done", G_CALLBACK (on_n_done), self, 0);
  g_signal_connect_object (batch, "finished", G_CALLBACK (on_finished), self, 0);
  update (self);
  if (!soundstyle_batch_get_running (batch) && soundstyle_batch_get_n_done (batch) > 0)
    on_finished (batch, self);
  return GTK_WIDGET (self);
}

SoundstyleBatch *
soundstyle_batch_window_get_batch (SoundstyleBatchWindow *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_BATCH_WINDOW (self), NULL);

  return self->batch;
}
