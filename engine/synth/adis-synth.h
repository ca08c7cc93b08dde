/* adis-synth.h: a ground-truth data set: weather rendered onto real photos,
 * paired with real recordings whose content and loudness carry the same factors
 *
 * SPDX-License-Identifier: MIT
 *
 * Three parts:
 *  - the renderer (adis-synth-render.c): adis_synth_render() is the oracle
 *    that evaluation compares a model's output against;
 *  - the audio builder (adis-synth-audio.c): composes a 3-s clip for the same
 *    factors from a media library of real recordings;
 *  - the set builder (adis-synth-set.c): photos, crops, factors and the
 *    factors.tsv table of a synthetic data set.
 *
 * Intensity. Every category has an intensity in [0, 1]: 0 is the lightest
 * version that is still clearly that weather (a drizzle, a dusting of snow,
 * a mild sunny day), 1 the heaviest. The audio carries it twice: by density
 * (more rain layers, more footsteps with shorter gaps, more birds) and by
 * loudness, with the law
 *
 *     rms (intensity) = ADIS_SYNTH_RMS_AT_FULL * 10 ^ (ADIS_SYNTH_DB_RANGE * (intensity - 1) / 20)
 *
 * that is, -20 dBFS RMS at intensity 1 and 24 dB quieter at intensity 0.
 * Because the law is logarithmic, the app's volume slider (gain g applied to
 * the waveform) moves intensity by a fixed step whatever the clip:
 *
 *     intensity' = intensity + 20 log10 (g) / ADIS_SYNTH_DB_RANGE
 *
 * so gain 2 adds 0.25, gain 4 adds 0.5, gain 0.5 takes 0.25 away.
 */
#pragma once

#include "adis-types.h"
#include "adis-audio.h"
#include "adis-image.h"

G_BEGIN_DECLS

#define ADIS_SYNTH_RMS_AT_FULL  0.1f   /* -20 dBFS */
#define ADIS_SYNTH_DB_RANGE     24.0f

typedef enum
{
  ADIS_SYNTH_SUNNY,   /* birdsong, forest by day: warmer, more saturated, brighter sky */
  ADIS_SYNTH_RAIN,    /* rain: darker, cooler, greyer, streaks, wet ground */
  ADIS_SYNTH_SNOW,    /* steps on snow: white cover on upward surfaces, flakes */
  ADIS_SYNTH_FOG,     /* wind: haze that grows with distance, muted colours */
  ADIS_SYNTH_N_CATEGORIES
} AdisSynthCategory;

/* What one rendered image and its clip show. weight blends two categories
 * at the same intensity: 0 is category alone, 1 is category_b alone; the
 * image is (1 - weight) * render (category) + weight * render (category_b)
 * and the audio the same mix of the two clips (adis_sound_mix's rule). */
typedef struct
{
  AdisSynthCategory category;
  float             intensity;    /* [0, 1] */
  AdisSynthCategory category_b;   /* only used when weight > 0 */
  float             weight;       /* [0, 1] */
  guint64           seed;         /* streaks, flakes, noise, the sun's place, the audio's cuts */
} AdisSynthFactors;

/* "sunny", "rain", "snow", "fog" */
const char   *adis_synth_category_name     (AdisSynthCategory        category);
gboolean      adis_synth_category_parse    (const char              *name,
                                            AdisSynthCategory       *out_category,
                                            GError                 **error);

/* category sunny, intensity 0.5, no mix, seed 0 */
void          adis_synth_factors_init      (AdisSynthFactors        *factors);
/* Ranges and categories; ADIS_ERROR_INVALID_INPUT says which field */
gboolean      adis_synth_factors_validate  (const AdisSynthFactors  *factors,
                                            GError                 **error);

/* THE ORACLE. Renders the factors onto photo at its own size. Deterministic:
 * the same photo, factors and seed give the same pixels on every run and
 * thread count. Effects scale with the image, so a render at 256 px and one at
 * 1024 px of the same photo look alike. */
AdisImage    *adis_synth_render            (AdisImage               *photo,
                                            const AdisSynthFactors  *factors,
                                            GError                 **error);
/* The same without rain's streaks (with_streaks FALSE): the frame a model
 * with the grid head's streak layer is taught to draw, leaving the streaks
 * to adis-streaks.h */
AdisImage    *adis_synth_render_layers     (AdisImage               *photo,
                                            const AdisSynthFactors  *factors,
                                            gboolean                 with_streaks,
                                            GError                 **error);
/* The strength of the streaks those factors draw: rain's share of the
 * image (1 alone, 1 - weight or weight in a mix) times the renderer's
 * strength 0.3 + 0.7 intensity; 0 without rain */
float         adis_synth_streak_strength   (const AdisSynthFactors  *factors);

/* ---- audio ---------------------------------------------------------------- */

/* Real recordings by category. A media folder holds sounds/ (files either in
 * a folder named after the category, sounds/rain/x.ogg, or named with the
 * category as prefix, sounds/rain-light.ogg) and photos/. Files shorter than
 * 1.5 s are events (footsteps) scattered in time; longer ones are beds
 * (rain, birdsong, wind) cut and layered. Immutable once loaded; share it
 * between threads. */
typedef struct _AdisSynthMedia AdisSynthMedia;

/* Decodes every sound (16 kHz mono, whole length) and lists the photos.
 * A category without sounds is left out (adis_synth_media_has_category).
 * No photos, no sounds or an unreadable file: ADIS_ERROR_INVALID_INPUT
 * naming it. */
AdisSynthMedia *adis_synth_media_load          (const char        *media_dir,
                                                GError           **error);
AdisSynthMedia *adis_synth_media_ref           (AdisSynthMedia    *media);
void            adis_synth_media_unref         (AdisSynthMedia    *media);
gboolean        adis_synth_media_has_category  (AdisSynthMedia    *media,
                                                AdisSynthCategory  category);
/* Photo paths, sorted; NULL-terminated */
const char *const *adis_synth_media_get_photos (AdisSynthMedia    *media);
const char     *adis_synth_media_get_dir       (AdisSynthMedia    *media);
/* The package a file of the media folder came from ("photos/x.jpg",
 * "sounds/rain/y.ogg"), as the folder's INVENTORY.tsv (fetch-media.sh) says;
 * NULL when the folder has no inventory or it does not list the file */
const char     *adis_synth_media_get_source    (AdisSynthMedia    *media,
                                                const char        *name);

/* The recordings of a known category, numbered 0 .. n-1 in path order: what a
 * set splits between train and test clips */
guint           adis_synth_media_get_n_recordings       (AdisSynthMedia *media);
/* Relative to the media folder: "sounds/rain/y.ogg" */
const char     *adis_synth_media_get_recording_name     (AdisSynthMedia *media,
                                                         guint           index);
/* Its package (adis_synth_media_get_source), NULL when unknown */
const char     *adis_synth_media_get_recording_source   (AdisSynthMedia *media,
                                                         guint           index);
AdisSynthCategory adis_synth_media_get_recording_category (AdisSynthMedia *media,
                                                         guint           index);

/* A 3-s, 16-kHz clip for the factors, from media's recordings, at the
 * loudness law above (each category's clip at its target RMS, then mixed by
 * weight). A category the media lacks is ADIS_ERROR_INVALID_INPUT. */
AdisSound    *adis_synth_audio             (AdisSynthMedia          *media,
                                            const AdisSynthFactors  *factors,
                                            GError                 **error);

/* The RMS the law gives, and its inverse (clamped to [0, 1]) */
/* As adis_synth_audio, drawing only on the recordings whose allowed[index]
 * is TRUE (allowed NULL: all of them). When used is non-NULL, the indices
 * (guint) of the recordings the clip draws on are appended, ascending, each
 * once. A category with no allowed recording is ADIS_ERROR_INVALID_INPUT. */
AdisSound    *adis_synth_audio_from        (AdisSynthMedia          *media,
                                            const AdisSynthFactors  *factors,
                                            const gboolean          *allowed,
                                            GArray                  *used,
                                            GError                 **error);
/* Which recordings adis_synth_audio_from would use, without composing */
gboolean      adis_synth_audio_recordings  (AdisSynthMedia          *media,
                                            const AdisSynthFactors  *factors,
                                            const gboolean          *allowed,
                                            GArray                  *used,
                                            GError                 **error);

float         adis_synth_rms_for_intensity (float                    intensity);
float         adis_synth_intensity_for_rms (float                    rms);

/* ---- data sets ------------------------------------------------------------- */

/* A square crop of a photo, optionally mirrored: how a clip's image was cut
 * from its photo before rendering. Written "x,y,side,flip" (flip 0 or 1). */
typedef struct
{
  int      x;
  int      y;
  int      side;
  gboolean flip;
} AdisSynthCrop;

char         *adis_synth_crop_to_string    (const AdisSynthCrop     *crop);
gboolean      adis_synth_crop_parse        (const char              *text,
                                            AdisSynthCrop           *out_crop,
                                            GError                 **error);
/* Cuts the crop out of photo (it must fit) and resizes it to size x size:
 * the unstyled input whose render is the clip's image. */
AdisImage    *adis_synth_crop_apply        (AdisImage               *photo,
                                            const AdisSynthCrop     *crop,
                                            int                      size,
                                            GError                 **error);

/* One row of DATASET/factors.tsv:
 * clip_id, category, intensity, category_b ("-" when none), weight,
 * photo (relative to the data set: photos/NAME.png), crop, seed, and
 * recordings: the recordings the clip's sound is cut from, relative to the
 * media folder, separated by commas (each name URI-escaped, so a comma or
 * tab in a file name cannot break the table). Tables written before that
 * column existed still load, with recordings NULL. */
typedef struct
{
  char             *clip_id;
  AdisSynthFactors  factors;
  char             *photo;
  AdisSynthCrop     crop;
  char            **recordings;   /* NULL-terminated; NULL: not recorded */
} AdisSynthClip;

void          adis_synth_clip_free         (AdisSynthClip           *clip);

#define ADIS_SYNTH_FACTORS_FILE  "factors.tsv"
#define ADIS_SYNTH_FACTORS_HEADER \
  "clip_id\tcategory\tintensity\tcategory_b\tweight\tphoto\tcrop\tseed\trecordings"
/* The table's first version, without the recordings */
#define ADIS_SYNTH_FACTORS_HEADER_V1 \
  "clip_id\tcategory\tintensity\tcategory_b\tweight\tphoto\tcrop\tseed"

/* DATASET/media.tsv: where a set's photos and recordings came from and which
 * split uses each. Columns: kind ("photo" or "recording"), name (a photo's
 * copy in the set, photos/NAME.png; a recording's path in the media folder,
 * sounds/...), original (the file synth read, an absolute path), category
 * ("-" for photos), source (the package, "-" when unknown), split ("train",
 * "test" or "both": both splits use it, so it is not held out). Names and
 * paths URI-escaped as in factors.tsv. */
#define ADIS_SYNTH_MEDIA_FILE    "media.tsv"
#define ADIS_SYNTH_MEDIA_HEADER  "kind\tname\toriginal\tcategory\tsource\tsplit"

typedef struct
{
  gboolean  is_photo;
  char     *name;
  char     *original;
  char     *category;   /* NULL for photos */
  char     *source;     /* NULL when unknown */
  char     *split;      /* "train", "test" or "both" */
} AdisSynthMediaRow;

void          adis_synth_media_row_free    (AdisSynthMediaRow       *row);
/* DATASET/media.tsv as AdisSynthMediaRow; a set made before the table
 * existed gives an empty array. A malformed table: ADIS_ERROR_INVALID_INPUT. */
GPtrArray    *adis_synth_read_media_table  (const char              *dataset_dir,
                                            GError                 **error);

/* One line, no newline; free with g_free */
char         *adis_synth_clip_to_line      (const AdisSynthClip     *clip);
/* Reads DATASET/factors.tsv: an array of AdisSynthClip in file order.
 * A malformed line is ADIS_ERROR_INVALID_INPUT naming the file and line. */
GPtrArray    *adis_synth_read_factors      (const char              *dataset_dir,
                                            GError                 **error);

/* The unstyled input of a clip: DATASET/photo, cropped and resized to size */
AdisImage    *adis_synth_clip_load_input   (const char              *dataset_dir,
                                            const AdisSynthClip     *clip,
                                            int                      size,
                                            GError                 **error);

/* ---- building a set ---------------------------------------------------------- */

typedef struct
{
  guint    n_clips;        /* 1000 */
  guint64  seed;           /* 0: the same seed gives the same set */
  int      size;           /* 256: frames are size x size */
  double   mix_fraction;   /* 0.2: clips that blend two categories */
  double   test_fraction;  /* 0.2: clips in the test split; 1: every clip */
  int      n_threads;      /* 0: one per core */
  /* NULL: each category's recordings are split like the photos (about
   * test_fraction of them, at least one, heard only in test clips, when the
   * category has 2 or more; otherwise both splits share them). Else the
   * packages (INVENTORY.tsv's names) whose recordings only test clips use;
   * train clips use all the others. NULL-terminated. */
  const char *const *holdout_sources;
} AdisSynthSetOptions;

void          adis_synth_set_options_init  (AdisSynthSetOptions     *options);

/* Called on the calling thread after each clip: clips finished so far
 * (resumed ones included) of total, and how many of those were already there */
typedef void (*AdisSynthProgressFunc)      (guint                    done,
                                            guint                    total,
                                            guint                    resumed,
                                            gpointer                 user_data);

/* Writes a synthetic data set in the prepared format (adis-manifest.h):
 * DATASET/photos/ (the media's photos, long side at most 1024, PNG), frames/
 * (one rendered JPEG per clip), audio/ (WAV), manifest.tsv, factors.tsv and
 * synth.ini (the options, so that a re-run resumes only with the same ones).
 * Clip i depends only on (seed, i): its split (adis_split_choose by clip),
 * photo (test clips use photos that no train clip shows, when there are at
 * least 4), crop, flip, category, intensity and mix, and its recordings
 * (test clips use recordings that no train clip uses: see holdout_sources).
 * A split draws only categories it has recordings for. media.tsv records
 * each photo's and recording's origin and split. Clips already in the
 * manifest are kept, so an interrupted run resumes; --clips may grow. Work
 * runs on n_threads workers. */
gboolean      adis_synth_build_set         (AdisSynthMedia            *media,
                                            const char                *dataset_dir,
                                            const AdisSynthSetOptions *options,
                                            AdisSynthProgressFunc      progress,
                                            gpointer                   user_data,
                                            GCancellable              *cancellable,
                                            GError                   **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AdisSynthMedia, adis_synth_media_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AdisSynthClip, adis_synth_clip_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AdisSynthMediaRow, adis_synth_media_row_free)

G_END_DECLS
