/* soundstyle-history.h: pictures made before, with the settings that made them
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gtk/gtk.h>

#include "adis.h"

G_BEGIN_DECLS

/* One picture: its thumbnail and everything needed to make it again */
#define SOUNDSTYLE_TYPE_HISTORY_ENTRY (soundstyle_history_entry_get_type ())

G_DECLARE_FINAL_TYPE (SoundstyleHistoryEntry, soundstyle_history_entry, SOUNDSTYLE, HISTORY_ENTRY, GObject)

const char *soundstyle_history_entry_get_photo      (SoundstyleHistoryEntry *self);
const char *soundstyle_history_entry_get_sound_a    (SoundstyleHistoryEntry *self);  /* NULL: none or a recording */
const char *soundstyle_history_entry_get_sound_b    (SoundstyleHistoryEntry *self);
double      soundstyle_history_entry_get_gain_a     (SoundstyleHistoryEntry *self);
double      soundstyle_history_entry_get_gain_b     (SoundstyleHistoryEntry *self);
double      soundstyle_history_entry_get_mix        (SoundstyleHistoryEntry *self);
const char *soundstyle_history_entry_get_model      (SoundstyleHistoryEntry *self);
/* Full paths of the stored files; the mask's is NULL when there was none */
const char *soundstyle_history_entry_get_thumbnail  (SoundstyleHistoryEntry *self);
const char *soundstyle_history_entry_get_mask       (SoundstyleHistoryEntry *self);
/* One line per setting, for a tooltip */
char       *soundstyle_history_entry_describe       (SoundstyleHistoryEntry *self);

/* The list, kept in a folder (an index and the pictures), newest first */
#define SOUNDSTYLE_TYPE_HISTORY (soundstyle_history_get_type ())

G_DECLARE_FINAL_TYPE (SoundstyleHistory, soundstyle_history, SOUNDSTYLE, HISTORY, GObject)

/* At most this many entries: the oldest go, files and all */
#define SOUNDSTYLE_HISTORY_MAX_ENTRIES 40

/* Reads dir/history.json when there is one; a missing or unreadable index
 * is an empty history (a damaged one is set aside, not lost) */
SoundstyleHistory *soundstyle_history_new     (const char         *dir);
/* The entries as a GListModel of SoundstyleHistoryEntry, newest first */
GListModel        *soundstyle_history_get_model (SoundstyleHistory *self);
/* Adds the picture with its settings: a thumbnail and the mask (when not
 * NULL) are written beside the index, which is rewritten atomically */
gboolean           soundstyle_history_add     (SoundstyleHistory  *self,
                                               AdisImage          *picture,
                                               const char         *photo,
                                               const char         *sound_a,
                                               const char         *sound_b,
                                               double              gain_a,
                                               double              gain_b,
                                               double              mix,
                                               const char         *model,
                                               AdisMask           *mask,
                                               GError            **error);
/* Forgets every entry and deletes its files */
gboolean           soundstyle_history_clear   (SoundstyleHistory  *self,
                                               GError            **error);

G_END_DECLS
