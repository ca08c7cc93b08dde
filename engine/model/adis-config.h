/* adis-config.h: the shape of a model (widths, depths) and its presets
 *
 * SPDX-License-Identifier: MIT
 *
 * An AdisConfig is everything needed to build the networks; it is stored in
 * every model file's metadata, so a file always says what it holds.
 */
#pragma once

#include "adis-types.h"
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum
{
  ADIS_CONDITIONING_AUDIO,    /* the paper: G is conditioned on f(a) */
  ADIS_CONDITIONING_KEYWORD,  /* the paper's label baseline: a learned embedding per category */
} AdisConditioning;

#define ADIS_MAX_NCE_LAYERS 8

typedef enum
{
  ADIS_HEAD_PIXELS,   /* the paper: an up-sampling decoder that paints every pixel */
  ADIS_HEAD_GRID,     /* beyond the paper: a bilateral grid of affine colour transforms
                       * and a low-resolution overlay, applied to the photo's own pixels */
} AdisHead;

/* The grid head's shape (see engine/torch/head.h). Cells, bins and the
 * overlay's resolution were chosen by measurement: README, "The grid head". */
typedef struct
{
  int grid_cell;      /* working-size pixels per grid cell: 8, 16 or 32 */
  int bins;           /* luminance bins of the grid: 2 to 32 */
  int overlay_cell;   /* working-size pixels per overlay pixel: 2 or 4 */
  int guide_knots;    /* knots of the guide's per-channel curve: 2 to 64 */
  int working_size;   /* long side the networks run at in inference: 64 to 2048 */
  /* The streak layer (train --rain-streaks): the sound also sets the
   * strength of rain streaks that adis-streaks.h draws at the picture's
   * own size, which neither the grid nor the low-resolution overlay can */
  gboolean rain_streaks;
} AdisGridHead;

/* Affine coefficients per grid cell and bin: a 3 x 4 matrix on (r, g, b, 1) */
#define ADIS_GRID_COEFFS 12

typedef struct
{
  char             preset[32];   /* "paper", "desktop", "compact", "tiny" or "custom" */
  int              ngf;          /* generator base width (paper: 64) */
  int              ndf;          /* discriminator base width (paper: 64) */
  int              n_blocks;     /* residual blocks at the bottleneck (paper: 9) */
  int              audio_width;  /* audio ResNet-18 base width (paper: 64 -> 64-128-256-512) */
  int              embed_dim;    /* audio/keyword embedding size (paper: 256) */
  int              mlp_dim;      /* PatchSample MLP width (paper: 256) */
  AdisConditioning conditioning;
  int              n_keywords;   /* categories in keyword mode, else 0 */
  char           **keywords;     /* NULL-terminated category names in keyword mode, else NULL */
  /* Beyond the paper (FALSE in every preset; train --audio-film): the
   * embedding also scales and shifts each channel after both of the
   * decoder's instance norms (feature-wise linear modulation, FiLM). In the
   * paper's decoder the tiled embedding is a per-channel constant that the
   * first norm subtracts again, so the sound reaches the picture only
   * through the zero-padded border of the first conv and the norm's
   * variance: enough for a category, too faint for a volume slider. */
  gboolean         audio_film;
  /* Beyond the paper (FALSE in every preset; train --audio-level): the
   * audio encoder hears every clip at one level (-20 dBFS RMS) and is told
   * the level apart, through a small network whose output is added to the
   * embedding. The paper's encoder reads the linear STFT magnitude, so a
   * quiet clip's evidence of what it is shrinks with its level: quiet rain
   * was drawn as barely anything, not as light rain. */
  gboolean         audio_level;
  /* Beyond the paper (ADIS_HEAD_PIXELS in every preset; train --head grid):
   * what turns the fused code into the picture. Files without "head" are
   * pixel-decoder models. */
  AdisHead         head;
  AdisGridHead     grid;         /* with ADIS_HEAD_GRID */
} AdisConfig;

/* "paper" equals the published model; "desktop" and "compact" are smaller
 * ones for CPU inference (compact is the shipped default's); "tiny" is for
 * tests. Unknown names are ADIS_ERROR_INVALID_INPUT. */
gboolean     adis_config_init_preset   (AdisConfig        *config,
                                        const char        *preset,
                                        GError           **error);
void         adis_config_copy          (AdisConfig        *dest,
                                        const AdisConfig  *src);
void         adis_config_clear         (AdisConfig        *config);
const char *const *adis_config_list_presets (void);

/* Switches config to the grid head with the measured defaults: 16-px cells,
 * 8 bins, an overlay at half the working size, 16 knots, 256-px working size */
void         adis_config_use_grid_head (AdisConfig        *config);

/* The generator encoder's layer indices that PatchNCE reads: 0, 4, 8, 12, 16
 * for 9 blocks (the last moves down when there are fewer than 5 blocks). */
int          adis_config_nce_layers    (const AdisConfig  *config,
                                        int                layers[ADIS_MAX_NCE_LAYERS]);

/* Checks ranges (positive widths, 1..64 blocks, ...); says which field is wrong */
gboolean     adis_config_validate      (const AdisConfig  *config,
                                        GError           **error);

JsonObject  *adis_config_to_json       (const AdisConfig  *config);
gboolean     adis_config_from_json     (AdisConfig        *config,
                                        JsonObject        *object,
                                        GError           **error);

G_END_DECLS
