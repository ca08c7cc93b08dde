/* soundstyle-file-chooser.h: choosing a file to open or save, through the portal
 *
 * SPDX-License-Identifier: MIT
 *
 * GtkFileDialog where GTK has it (4.10, e.g. the Flatpak runtime), else
 * GtkFileChooserNative; both go through the file chooser portal when it is
 * there, so a sandboxed app sees only what the user picked.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef enum
{
  SOUNDSTYLE_FILES_PHOTO,
  SOUNDSTYLE_FILES_SOUND,
  SOUNDSTYLE_FILES_MODEL,
  SOUNDSTYLE_FILES_EXPORT,
  SOUNDSTYLE_FILES_FOLDER,   /* training data: a dataset or a folder of videos */
  SOUNDSTYLE_FILES_VIDEO,
  SOUNDSTYLE_FILES_VIDEO_EXPORT,
  SOUNDSTYLE_FILES_MASK,           /* the region brush's mask: any image */
  SOUNDSTYLE_FILES_MASK_EXPORT,    /* saved as a greyscale PNG */
  SOUNDSTYLE_FILES_OUTPUT_FOLDER,  /* where restyled photos go */
} SoundstyleFileKind;

/* Opens (or, for the _EXPORT kinds, saves under suggested_name); the
 * result is a GFile, or G_IO_ERROR_CANCELLED when the user closed the dialog */
void     soundstyle_choose_file_async  (GtkWindow           *parent,
                                        SoundstyleFileKind   kind,
                                        const char          *suggested_name,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
GFile   *soundstyle_choose_file_finish (GAsyncResult        *result,
                                        GError             **error);

/* Several photos at once (Restyle Photos…): a GListModel of GFile, or
 * G_IO_ERROR_CANCELLED when the user closed the dialog */
void        soundstyle_choose_photos_async  (GtkWindow           *parent,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
GListModel *soundstyle_choose_photos_finish (GAsyncResult        *result,
                                             GError             **error);

/* What every caller does with the answer: then (owner, file) once a file
 * is chosen; nothing when the dialog is dismissed; failed (owner, message),
 * when not NULL, when the chooser itself fails (no portal, say). owner (a
 * GObject) is kept alive until the dialog answers. */
typedef void (*SoundstyleFileChosenFunc) (gpointer    owner,
                                          GFile      *file);
typedef void (*SoundstyleFileFailedFunc) (gpointer    owner,
                                          const char *message);

void     soundstyle_choose_file_then   (GtkWindow                *parent,
                                        SoundstyleFileKind        kind,
                                        const char               *suggested_name,
                                        GCancellable             *cancellable,
                                        gpointer                  owner,
                                        SoundstyleFileChosenFunc  then,
                                        SoundstyleFileFailedFunc  failed);

G_END_DECLS
