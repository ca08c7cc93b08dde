/* soundstyle-window-private.h: what the window's files share
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "soundstyle-live-mode.h"
#include "soundstyle-window.h"

G_BEGIN_DECLS

struct _SoundstyleWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template widgets */
  AdwToastOverlay      *toast_overlay;
  AdwWindowTitle       *window_title;
  GtkStack             *main_stack;
  AdwStatusPage        *no_model_page;
  GtkStack             *photo_stack;
  SoundstyleCanvas     *canvas;
  GtkWidget            *preview_label;
  GtkProgressBar       *export_progress;
  GtkSpinner           *spinner;
  SoundstyleSoundSlot  *slot_a;
  SoundstyleSoundSlot  *slot_b;
  GtkAdjustment        *mix_adjustment;
  AdwComboRow          *microphone_row;
  GtkWidget            *zoom_box;
  AdwHeaderBar         *header_bar;

  /* Owned */
  GSettings            *settings;
  SoundstyleRenderer   *renderer;
  AdisModel            *model;
  char                 *model_path;
  AdisImage            *photo;
  char                 *photo_name;
  GCancellable         *cancellable;
  char                 *last_toast;
  guint                 n_exports;            /* running exports, for the spinner */
  AdwToast             *toast;                /* on screen until ::dismissed */
  guint64               photo_serial;
  GtkWidget            *models_window;        /* weak */
  GtkWidget            *finetune_window;      /* weak */
  SoundstyleLiveMode   *live_mode;           /* in the header bar */
};

/* soundstyle-window.c */
void   soundstyle_window_update_busy    (SoundstyleWindow *self);
void   soundstyle_window_set_photo      (SoundstyleWindow *self,
                                         AdisImage        *photo,
                                         GdkTexture       *texture,
                                         const char       *name);
/* A video in a window of its own (the menu, or dropped on the photo) */
void   soundstyle_window_open_video     (SoundstyleWindow *self,
                                         GFile            *file);

/* soundstyle-window-files.c: photos in (open, paste, drop) and out (export, copy) */
void   soundstyle_window_files_class_init (GtkWidgetClass   *widget_class);
void   soundstyle_window_files_init       (SoundstyleWindow *self);

G_END_DECLS
