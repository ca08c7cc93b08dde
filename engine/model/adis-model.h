/* adis-model.h: loading a model and running it, built for sliders
 *
 * SPDX-License-Identifier: MIT
 *
 * Stylizing is split so that a slider never redoes what did not change:
 * encode the image once (AdisImageCode), encode each sound setting
 * (AdisSoundCode), decode the pair into a style (AdisStyle, small, at the
 * working size), and apply the style at the size wanted: the size shown
 * for a preview, the photo's own for an export. Only the last step grows
 * with the pixels. All network calls on one AdisModel are serialised by a
 * lock inside, so one inference thread may run next to a UI thread that
 * only reads properties; applying a grid style takes no lock.
 */
#pragma once

#include "adis-types.h"
#include "adis-config.h"
#include "adis-audio.h"
#include "adis-image.h"

G_BEGIN_DECLS

/* Model file metadata key (safetensors __metadata__) holding a JSON object:
 * {"format": "soundstyle-model", "format_version": 1, "config": {...},
 *  "sample_rate": 16000, "clip_samples": 48000, "dtype": "F32"|"F16",
 *  "training": {"dataset", "steps", "epochs", ...}, "created": ISO-8601} */
#define ADIS_MODEL_METADATA_KEY   "soundstyle"
#define ADIS_MODEL_FORMAT         "soundstyle-model"
/* The newest version this build reads. A file is written with the lowest
 * version that describes it, so that an older build refuses, rather than
 * misreads, what it cannot honour: 1, the paper's pixel decoder; 2, a grid
 * head (config "head") or input rules (metadata "input"), which a version-1
 * reader would ignore and so render wrongly. */
#define ADIS_MODEL_FORMAT_VERSION 2

typedef struct _AdisModel AdisModel;
typedef struct _AdisImageCode AdisImageCode;
typedef struct _AdisSoundCode AdisSoundCode;
typedef struct _AdisStyle AdisStyle;

/* Refuses a truncated or foreign file, or one whose tensors' shapes disagree
 * with its config, with ADIS_ERROR_MODEL_FILE saying which tensor and how.
 * ADIS_DEVICE_CUDA without a GPU is ADIS_ERROR_DEVICE. */
AdisModel      *adis_model_load             (const char      *path,
                                             AdisDevice       device,
                                             GError         **error);
AdisModel      *adis_model_ref              (AdisModel       *model);
void            adis_model_unref            (AdisModel       *model);

const AdisConfig *adis_model_get_config     (AdisModel       *model);
/* The file's metadata object, pretty-printed JSON; free with g_free */
char           *adis_model_dup_metadata_json (AdisModel      *model);
const char     *adis_model_get_device_name  (AdisModel       *model);   /* "cpu", "cuda:0" */
gint64          adis_model_get_n_parameters (AdisModel       *model);

/* The output size follows the size rule (adis_image_size_for_long_side;
 * long_side <= 0 keeps the image's own long side, rounded). A grid-head
 * model runs its encoder at its working size whatever the output size; a
 * pixel-decoder model runs it at the output size, or at the largest size
 * its decoder can run in bounded memory (adis_model_get_network_side),
 * and carries the result to the output size with a guided filter. The code
 * keeps a reference to image, the pixels a style is applied to. */
AdisImageCode  *adis_model_encode_image     (AdisModel       *model,
                                             AdisImage       *image,
                                             int              long_side,
                                             GCancellable    *cancellable,
                                             GError         **error);
AdisImageCode  *adis_image_code_ref         (AdisImageCode   *code);
void            adis_image_code_unref       (AdisImageCode   *code);
int             adis_image_code_get_width   (AdisImageCode   *code);   /* output image size */
int             adis_image_code_get_height  (AdisImageCode   *code);

/* gain * ((1 - weight) * a + weight * b) -> STFT -> audio encoder. b may be
 * NULL. In keyword mode use adis_model_encode_keyword instead. */
AdisSoundCode  *adis_model_encode_sound     (AdisModel       *model,
                                             AdisSound       *a,
                                             AdisSound       *b,
                                             float            gain,
                                             float            weight,
                                             GCancellable    *cancellable,
                                             GError         **error);
AdisSoundCode  *adis_model_encode_keyword   (AdisModel       *model,
                                             const char      *keyword,
                                             GError         **error);
AdisSoundCode  *adis_sound_code_ref         (AdisSoundCode   *code);
void            adis_sound_code_unref       (AdisSoundCode   *code);
/* A code whose embedding is the weighted average of codes' (weights >= 0,
 * not all 0; all codes from one model): a style between several sounds,
 * e.g. smoothed over time for video. */
AdisSoundCode  *adis_sound_code_blend       (AdisSoundCode  **codes,
                                             const float     *weights,
                                             guint            n_codes,
                                             GError         **error);
/* The embedding itself (embed_dim floats), e.g. for evaluation */
const float    *adis_sound_code_get_embedding (AdisSoundCode *code,
                                             int             *out_dim);

/* The style of a sound for one photo: for a grid head the bilateral grid
 * and overlay, for the pixel decoder its picture at the network's size. */
AdisStyle      *adis_model_decode_style     (AdisModel       *model,
                                             AdisImageCode   *image_code,
                                             AdisSoundCode   *sound_code,
                                             GCancellable    *cancellable,
                                             GError         **error);
AdisStyle      *adis_style_ref              (AdisStyle       *style);
void            adis_style_unref            (AdisStyle       *style);
/* A model with the grid head's streak layer (AdisGridHead.rain_streaks)
 * draws rain streaks of this strength, in [0, 1]; 0 for no streaks or no
 * layer */
float           adis_style_get_streaks      (AdisStyle       *style);
/* Where the streaks fall follows a seed. Every style starts with the same
 * one, so a photo keeps its streaks in place as sliders move; a video sets
 * one per frame, so that the rain falls. Set it before applying, not while
 * another thread applies the style. */
void            adis_style_set_streak_seed  (AdisStyle       *style,
                                             guint64          seed);

/* Called from the applying thread with the share done so far */
typedef void (*AdisStyleProgressFunc)       (double           fraction,
                                             gpointer         user_data);

/* The restyled photo at width x height (any size; the image code's own,
 * adis_image_code_get_width/height, for the usual one). A grid style is
 * sliced at every pixel of the photo resized to that size, streamed over
 * rows: memory is the photo and the result. A pixel-decoder style is its
 * picture at the network's size, resized, or carried to a larger size by a
 * guided filter against the photo. */
AdisImage      *adis_style_apply            (AdisStyle       *style,
                                             int              width,
                                             int              height,
                                             AdisStyleProgressFunc progress,
                                             gpointer         user_data,
                                             GCancellable    *cancellable,
                                             GError         **error);

/* decode_style, then apply at the image code's size */
AdisImage      *adis_model_decode           (AdisModel       *model,
                                             AdisImageCode   *image_code,
                                             AdisSoundCode   *sound_code,
                                             GCancellable    *cancellable,
                                             GError         **error);

/* The longest side the networks run at for an output of width x height:
 * the working size for a grid head; for the pixel decoder the output's own
 * long side, capped so that its activations stay within a few hundred MB
 * (about 600 px for the compact preset, 300 for the paper's) */
int             adis_model_get_network_side (AdisModel       *model,
                                             int              width,
                                             int              height);

/* The spectrogram the encoder sees: [ADIS_STFT_BINS, ADIS_STFT_FRAMES]
 * floats, row-major; free with g_free */
float          *adis_model_spectrogram      (AdisModel       *model,
                                             AdisSound       *sound,
                                             GError         **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AdisModel, adis_model_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AdisImageCode, adis_image_code_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AdisSoundCode, adis_sound_code_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AdisStyle, adis_style_unref)

G_END_DECLS
