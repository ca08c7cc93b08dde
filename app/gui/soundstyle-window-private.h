/* soundstyle-window-private.h: what the window's files share
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "soundstyle-history.h"
#include "soundstyle-live-mode.h"
#include "soundstyle-mask-editor.h"
#include "soundstyle-window.h"

G_BEGIN_DECLS

typedef struct _SoundstyleUndoStep SoundstyleUndoStep;

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
  GtkWidget            *brush_box;
  GtkRevealer          *brush_revealer;
  GtkAdjustment        *brush_size_adjustment;
  GtkAdjustment        *feather_adjustment;
  GtkFlowBox           *history_box;
  GtkWidget            *history_empty;

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

  /* The region brush (soundstyle-window-mask.c) */
  SoundstyleMaskEditor *mask_editor;
  GSimpleActionGroup   *mask_actions;         /* "mask.*" */
  GHashTable           *masks;                /* photo key -> AdisMask, while open */
  char                 *photo_key;            /* the file's path, or one per paste */
  gboolean              photo_switching;      /* the editor follows a new photo */

  /* Undo and redo (soundstyle-window-undo.c) */
  GPtrArray            *undo_steps;           /* SoundstyleUndoStep, oldest first */
  GPtrArray            *redo_steps;
  SoundstyleUndoStep   *settled;              /* the settings as they rest now */
  guint                 settle_source;
  gboolean              restoring;

  /* The history strip (soundstyle-window-history.c) */
  SoundstyleHistory    *history;
  char                 *pending_mask;         /* an entry's mask, for its photo */
  gboolean              pending_mask_wanted;
};

/* soundstyle-window.c */
void   soundstyle_window_update_busy    (SoundstyleWindow *self);
/* key names the photo for its mask: its path, or NULL for one that
 * cannot come back (a pasted picture) */
void   soundstyle_window_set_photo      (SoundstyleWindow *self,
                                         AdisImage        *photo,
                                         GdkTexture       *texture,
                                         const char       *name,
                                         const char       *key);
/* A video in a window of its own (the menu, or dropped on the photo) */
void   soundstyle_window_open_video     (SoundstyleWindow *self,
                                         GFile            *file);

/* soundstyle-window-files.c: photos in (open, paste, drop) and out (export, copy) */
void   soundstyle_window_files_class_init (GtkWidgetClass   *widget_class);
void   soundstyle_window_files_init       (SoundstyleWindow *self);

/* soundstyle-window-batch.c: Restyle Photos… */
void   soundstyle_window_batch_class_init  (GtkWidgetClass   *widget_class);
/* A folder dropped on the window: its photos, restyled into another */
void   soundstyle_window_restyle_folder    (SoundstyleWindow *self,
                                            GFile            *folder);

/* soundstyle-window-model.c: the model, its actions and settings */
void   soundstyle_window_model_class_init  (GtkWidgetClass   *widget_class);
void   soundstyle_window_model_init        (SoundstyleWindow *self);
/* The model in use, and what the window feeds with it */
void   soundstyle_window_use_model         (SoundstyleWindow *self,
                                            AdisModel        *model,
                                            const char       *path);
/* The model of the last run, or the default; at the end of the window's init */
void   soundstyle_window_load_startup_model (SoundstyleWindow *self);

/* soundstyle-window-undo.c: Ctrl+Z, Ctrl+Shift+Z */
void   soundstyle_window_undo_class_init   (GtkWidgetClass   *widget_class);
void   soundstyle_window_undo_init         (SoundstyleWindow *self);
void   soundstyle_window_undo_dispose      (SoundstyleWindow *self);
void   soundstyle_window_undo_finalize     (SoundstyleWindow *self);
/* A setting changed: a step once they rest */
void   soundstyle_window_undo_note_change  (SoundstyleWindow *self);
void   soundstyle_window_undo_photo_changed (SoundstyleWindow *self);

/* soundstyle-window-history.c: the history strip */
void   soundstyle_window_history_class_init (GtkWidgetClass  *widget_class);
void   soundstyle_window_history_init      (SoundstyleWindow *self);
void   soundstyle_window_history_finalize  (SoundstyleWindow *self);
/* A photo was set: an entry's mask waiting for it comes now */
void   soundstyle_window_history_photo_ready (SoundstyleWindow *self);

/* soundstyle-window-mask.c: the region brush */
void   soundstyle_window_mask_class_init   (GtkWidgetClass   *widget_class);
void   soundstyle_window_mask_init         (SoundstyleWindow *self);
void   soundstyle_window_mask_finalize     (SoundstyleWindow *self);
/* After self->photo changed: the editor takes that photo's mask */
void   soundstyle_window_mask_photo_changed (SoundstyleWindow *self,
                                             const char       *key);

G_END_DECLS
