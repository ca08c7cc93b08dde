/* soundstyle-models.h: the user's model files and what each one says about itself
 *
 * SPDX-License-Identifier: MIT
 *
 * Models live in $XDG_DATA_HOME/soundstyle/models/ as .safetensors files.
 * A card is read from the file's header (no weights are loaded, so a list
 * of large models stays quick) plus an optional model card beside it
 * (NAME.md or NAME.json) written by whoever trained it.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct
{
  char    *path;
  char    *name;          /* file name without .safetensors */
  char    *preset;        /* "paper", "desktop", "tiny", "custom" or NULL */
  char    *conditioning;  /* "audio" or "keywords" */
  char    *dtype;         /* "F32", "F16" or NULL */
  char    *created;       /* ISO 8601 or NULL */
  char    *dataset;       /* training data, when recorded */
  gint64   steps;         /* training steps, -1 when not recorded */
  gint64   n_parameters;  /* all tensors in the file */
  goffset  file_size;
  char    *card_text;     /* the model card beside the file, or NULL */
  char    *error;         /* set when the file is not a usable model */
} SoundstyleModelCard;

void                 soundstyle_model_card_free     (SoundstyleModelCard *card);
/* Never NULL: a file that is not a model gets a card whose error says why */
SoundstyleModelCard *soundstyle_model_card_read     (const char          *path);
/* One line for a list row: "tiny · 1.2 MB · 400 steps" */
char                *soundstyle_model_card_summary  (SoundstyleModelCard *card);

/* $XDG_DATA_HOME/soundstyle/models, created on demand */
char                *soundstyle_models_dir          (void);
/* The model files there, sorted by name (full paths) */
GPtrArray           *soundstyle_models_list         (void);
/* Copies a model file into the models folder under a free name (a temp
 * name, then a rename, so the folder never holds half a model). A file
 * that is not a model is refused with a one-line message naming it.
 * Returns the new path. Runs in the caller's thread: use a GTask. */
char                *soundstyle_models_import       (GFile               *source,
                                                     GCancellable        *cancellable,
                                                     GError             **error);
/* A free path for a new model named name (e.g. a fine-tuning result) */
char                *soundstyle_models_free_path    (const char          *name);
/* Removes a model from the folder with its card; refuses paths outside it */
gboolean             soundstyle_models_delete       (const char          *path,
                                                     GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SoundstyleModelCard, soundstyle_model_card_free)

G_END_DECLS
