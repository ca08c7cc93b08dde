/* adis-streaks.h: rain streaks, one drawing for the renderer and the product
 *
 * SPDX-License-Identifier: MIT
 *
 * The renderer's rain draws thin slanted streaks. A colour transform cannot
 * make them, and their places are random, so a network trained to match the
 * renderer's frames learns only their average: a lighter, hazier picture,
 * not rain. With the grid head's streak layer (beyond the paper) the
 * network predicts only how strong the rain is, from the sound, and this
 * file draws the streaks themselves at the picture's own size. The streaks
 * of one seed keep their places as the strength grows: a louder sound adds
 * streaks and lengthens them, it does not move the ones already there.
 * Sizes are in units of the picture's short side / 256; above 256 px the
 * streaks grow with the picture and their count per pixel falls, so a
 * large picture is streaked as a 256-px one (below, as the training sets
 * were drawn).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The renderer's lightest rain is drawn at strength 0.3 (intensity 0);
 * the product draws weaker strengths as these streaks, fainter */
#define ADIS_STREAKS_MIN_STRENGTH  0.3f
/* Above this long side the streaks are drawn at it and up-sampled: they
 * are soft, blurred things, and so the layer's memory and time stay bounded
 * whatever the picture's size */
#define ADIS_STREAKS_MAX_DRAW_SIDE 1024

/* The streaks' colour, in [0, 1] */
extern const float adis_streaks_colour[3];

/* The coverage in [0, 1] of the streaks of strength s (the renderer's
 * 0.3 + 0.7 intensity) and seed, at width x height, their sizes in units
 * of scale (the short side / 256), blurred as the renderer blurs them */
void  adis_streaks_draw_alpha  (float   *alpha,
                                int      width,
                                int      height,
                                float    scale,
                                float    strength,
                                guint64  seed);

/* Composites streaks of strength in [0, 1] over planes ([3, height, width],
 * values in [-1, 1]) in place; strength 0 leaves them untouched */
void  adis_streaks_composite   (float   *planes,
                                int      width,
                                int      height,
                                float    strength,
                                guint64  seed);

G_END_DECLS
