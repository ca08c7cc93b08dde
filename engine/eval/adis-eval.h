/* adis-eval.h: what `soundstyle eval` measures with
 *
 * SPDX-License-Identifier: MIT
 *
 * Three kinds of measure, none needing a download:
 *  - image metrics on two images of the same size (PSNR, SSIM, edge-map
 *    correlation) and rank statistics (Pearson, Spearman with ties);
 *  - a small probe network, trained on the weather renderer's images, that
 *    reads a category and an intensity off any image;
 *  - FID and KID by the clean-fid protocol, on the features of an Inception
 *    network whose TorchScript file the user supplies.
 * Colours are read in [0, 1] (an AdisImage's [-1, 1] mapped linearly).
 */
#pragma once

#include "adis-types.h"
#include "adis-image.h"
#include "adis-synth.h"

G_BEGIN_DECLS

/* --- image metrics ------------------------------------------------------- */

/* Peak signal-to-noise ratio in dB over all three channels, peak 1:
 * 10 log10 (1 / MSE). INFINITY for identical images; NAN when the sizes differ. */
double        adis_eval_psnr               (AdisImage      *a,
                                            AdisImage      *b);

/* Structural similarity (Wang et al. 2004) on luminance
 * (Y = 0.299 R + 0.587 G + 0.114 B): an 11×11 Gaussian window of sigma 1.5,
 * C1 = 0.01², C2 = 0.03², averaged over the positions where the window lies
 * wholly inside the image. NAN when the sizes differ or a side is below 11. */
double        adis_eval_ssim               (AdisImage      *a,
                                            AdisImage      *b);

/* Structure kept: the Pearson correlation of the Sobel gradient magnitudes
 * of the two images' luminance, over the pixels whose 3×3 neighbourhood is
 * inside the image. 1 for identical images; NAN when the sizes differ or an
 * image has no edge at all. */
double        adis_eval_edge_correlation   (AdisImage      *a,
                                            AdisImage      *b);

/* NAN when n < 2 or either series is constant */
double        adis_eval_pearson            (const double   *x,
                                            const double   *y,
                                            gsize           n);
/* Pearson correlation of the ranks; tied values share their mean rank */
double        adis_eval_spearman           (const double   *x,
                                            const double   *y,
                                            gsize           n);

/* --- colour layout and detail (adis-eval-layout.c) ------------------------ */

/* Colours are CIELAB (D65) from the image's sRGB values (clamped to [0, 1]):
 * linearised by the sRGB curve, to XYZ by the sRGB matrix, then L*, a*, b*. */

/* The coarse grid the layout is compared on */
#define ADIS_EVAL_LAYOUT_CELLS 16

/* The mean L*, a*, b* of each of cells x cells cells (cell (cx, cy) covers
 * x in [cx w / cells, (cx + 1) w / cells), rounded down, and likewise y):
 * cells * cells * 3 doubles, row by row; free with g_free. The image must be
 * at least cells pixels on each side. */
double       *adis_eval_lab_grid           (AdisImage      *image,
                                            int             cells);
/* The mean over cells of the Euclidean distance (CIE76 delta E) of two grids */
double        adis_eval_lab_grid_distance  (const double   *a,
                                            const double   *b,
                                            int             cells);
/* The two above at ADIS_EVAL_LAYOUT_CELLS; NAN if an image is too small.
 * The images may differ in size: the grid is the common ground. */
double        adis_eval_layout_distance    (AdisImage      *a,
                                            AdisImage      *b);

/* The renderer's images of photo for every category at every intensity, all
 * with the render seed, as layout grids: n_categories x n_intensities grids
 * (category-major) of ADIS_EVAL_LAYOUT_CELLS^2 * 3 doubles; free with g_free */
double       *adis_eval_oracle_grids       (AdisImage                *photo,
                                            const AdisSynthCategory  *categories,
                                            int                       n_categories,
                                            const float              *intensities,
                                            int                       n_intensities,
                                            guint64                   seed,
                                            GError                  **error);
/* Which category's render image is nearest to (the smallest layout
 * distance over its intensities): an index into the categories the grids
 * were made for, the first on a tie; -1 if image is too small.
 * out_distance (may be NULL) gets that distance. */
int           adis_eval_oracle_nearest     (AdisImage      *image,
                                            const double   *grids,
                                            int             n_categories,
                                            int             n_intensities,
                                            double         *out_distance);

/* Detail kept: the Pearson correlation of the Laplacian of Gaussian
 * (sigma 1) of the two images' L*, over the pixels whose 9 x 9 kernel
 * (radius 4 sigma) lies wholly inside. The kernel is g''(x) g(y) +
 * g(x) g''(y), g the sampled Gaussian normalised to sum 1 and
 * g''(x) = (x^2 - 1) g(x). NAN when the sizes differ, a side is under 10,
 * or an image has no detail at all. */
double        adis_eval_detail_correlation (AdisImage      *a,
                                            AdisImage      *b);

/* --- the probe ----------------------------------------------------------- */

/* A few convolutions, a softmax over the categories and a sigmoid intensity
 * in [0, 1], trained on examples of known category (a distribution, so a
 * two-category blend is a soft target) and intensity. Deterministic under
 * its seed for a given thread count. */
typedef struct _AdisProbe AdisProbe;

typedef struct
{
  int      size;          /* examples are resized to size × size (64) */
  int      epochs;        /* passes over the examples (20) */
  int      batch_size;    /* 32 */
  double   lr;            /* Adam (2e-3) */
  guint64  seed;
} AdisProbeOptions;

void          adis_probe_options_init      (AdisProbeOptions *options);

typedef void (*AdisProbeProgressFunc)      (int             epoch,
                                            int             n_epochs,
                                            double          loss,
                                            gpointer        user_data);

AdisProbe    *adis_probe_new               (int                     n_categories,
                                            const AdisProbeOptions *options);
void          adis_probe_free              (AdisProbe      *probe);
int           adis_probe_get_n_categories  (AdisProbe      *probe);
guint         adis_probe_get_n_examples    (AdisProbe      *probe);

/* category_probs: n_categories values summing to 1; intensity in [0, 1] */
void          adis_probe_add_example       (AdisProbe      *probe,
                                            AdisImage      *image,
                                            const float    *category_probs,
                                            float           intensity);
/* Trains from scratch on the examples added so far */
gboolean      adis_probe_train             (AdisProbe             *probe,
                                            AdisProbeProgressFunc  progress,
                                            gpointer               user_data,
                                            GCancellable          *cancellable,
                                            GError               **error);
/* out_probs: n_categories values; either output may be NULL */
gboolean      adis_probe_predict           (AdisProbe      *probe,
                                            AdisImage      *image,
                                            float          *out_probs,
                                            float          *out_intensity,
                                            GError        **error);

/* --- FID and KID ----------------------------------------------------------- */

/* The clean-fid protocol's input: each image resized to 299 × 299
 * (bilinear), as floats 0..255 in a [N, 3, 299, 299] batch. */
#define ADIS_INCEPTION_SIZE 299

/* A feature network from a TorchScript file (torch.jit.save), such as the
 * Inception-v3 pool3 extractor clean-fid uses. Its forward takes the batch
 * above (and, when it has a second argument such as return_features, True)
 * and returns [N, D] or [N, D, 1, 1] features (D = 2048 for Inception).
 * A file that is not TorchScript is ADIS_ERROR_INVALID_INPUT naming it. */
typedef struct _AdisFeatureNet AdisFeatureNet;

AdisFeatureNet *adis_feature_net_load      (const char     *path,
                                            AdisDevice      device,
                                            GError        **error);
void          adis_feature_net_free        (AdisFeatureNet *net);
/* n × dim floats, row-major; free with g_free */
float        *adis_feature_net_extract     (AdisFeatureNet *net,
                                            AdisImage     **images,
                                            guint           n,
                                            int            *out_dim,
                                            GCancellable   *cancellable,
                                            GError        **error);

/* Fréchet distance between Gaussians fitted to two feature sets (unbiased
 * covariances): |mu_a - mu_b|² + Tr (S_a + S_b - 2 (S_a S_b)^½), in double
 * precision. Needs at least 2 rows in each. */
gboolean      adis_eval_fid                (const float    *a,
                                            gsize           n_a,
                                            const float    *b,
                                            gsize           n_b,
                                            int             dim,
                                            double         *out_fid,
                                            GError        **error);
/* Kernel Inception distance: the unbiased MMD² with the kernel
 * (x·y / dim + 1)³, averaged over n_subsets random subsets of
 * m = min (n_a, n_b, subset_size) rows of each set (clean-fid: 100 × 1000).
 * out_std may be NULL. */
gboolean      adis_eval_kid                (const float    *a,
                                            gsize           n_a,
                                            const float    *b,
                                            gsize           n_b,
                                            int             dim,
                                            int             n_subsets,
                                            int             subset_size,
                                            guint64         seed,
                                            double         *out_kid,
                                            double         *out_std,
                                            GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AdisProbe, adis_probe_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AdisFeatureNet, adis_feature_net_free)

G_END_DECLS
