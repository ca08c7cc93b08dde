/* soundstyle-mask-editor.h: the region brush's mask, painted stroke by stroke
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gtk/gtk.h>

#include "adis.h"

G_BEGIN_DECLS

#define SOUNDSTYLE_TYPE_MASK_EDITOR (soundstyle_mask_editor_get_type ())

G_DECLARE_FINAL_TYPE (SoundstyleMaskEditor, soundstyle_mask_editor, SOUNDSTYLE, MASK_EDITOR, GObject)

/* Brush diameter as a share of the photo's long side */
#define SOUNDSTYLE_BRUSH_MIN_SIZE 0.005
#define SOUNDSTYLE_BRUSH_MAX_SIZE 0.5

SoundstyleMaskEditor *soundstyle_mask_editor_new          (void);

/* A blank mask (no region: the whole photo restyled) at the photo's size */
void        soundstyle_mask_editor_reset         (SoundstyleMaskEditor *self,
                                                  int                   width,
                                                  int                   height);
/* Takes a mask of the photo's size (callers scale first); NULL blanks */
void        soundstyle_mask_editor_set_mask      (SoundstyleMaskEditor *self,
                                                  AdisMask             *mask);
/* The mask painted so far, or NULL while there is none (the whole photo
 * restyled); an immutable copy */
AdisMask   *soundstyle_mask_editor_dup_mask      (SoundstyleMaskEditor *self);
gboolean    soundstyle_mask_editor_get_active    (SoundstyleMaskEditor *self);
int         soundstyle_mask_editor_get_width     (SoundstyleMaskEditor *self);
int         soundstyle_mask_editor_get_height    (SoundstyleMaskEditor *self);

/* A stroke in photo pixels: painting, or erasing when erasing is set.
 * ::changed follows its end. */
void        soundstyle_mask_editor_stroke_begin  (SoundstyleMaskEditor *self,
                                                  double                x,
                                                  double                y);
void        soundstyle_mask_editor_stroke_to     (SoundstyleMaskEditor *self,
                                                  double                x,
                                                  double                y);
void        soundstyle_mask_editor_stroke_end    (SoundstyleMaskEditor *self);

void        soundstyle_mask_editor_invert        (SoundstyleMaskEditor *self);
void        soundstyle_mask_editor_clear         (SoundstyleMaskEditor *self);

double      soundstyle_mask_editor_get_brush_size (SoundstyleMaskEditor *self);
void        soundstyle_mask_editor_set_brush_size (SoundstyleMaskEditor *self,
                                                   double                size);
double      soundstyle_mask_editor_get_feather   (SoundstyleMaskEditor *self);
void        soundstyle_mask_editor_set_feather   (SoundstyleMaskEditor *self,
                                                  double                feather);
gboolean    soundstyle_mask_editor_get_erasing   (SoundstyleMaskEditor *self);
void        soundstyle_mask_editor_set_erasing   (SoundstyleMaskEditor *self,
                                                  gboolean              erasing);

/* The mask tinted for drawing over the photo, at most OVERLAY_SIDE pixels
 * on its long side; NULL while there is no mask */
GdkTexture *soundstyle_mask_editor_get_overlay   (SoundstyleMaskEditor *self);

G_END_DECLS
