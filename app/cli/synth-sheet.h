/* synth-sheet.h: the contact sheet of the weather renderer
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "adis.h"

G_BEGIN_DECLS

/* One row per photo (up to 5, spread over the media's list): the photo, then
 * each category at intensity 0, 0.5 and 1; a last row blends rain into
 * sunny at weights 0, 0.25, 0.5, 0.75, 1 and snow into fog likewise. Cells
 * are cell x cell centre crops. */
gboolean  synth_contact_sheet (AdisSynthMedia  *media,
                               int              cell,
                               guint64          seed,
                               const char      *output,
                               GError         **error);

G_END_DECLS
