/* adis-model.h: loading a model and running it, built for sliders
 *
 * SPDX-License-Identifier: MIT
 *
 * Stylizing is split so that a slider never redoes what did not change:
 * encode the image once (AdisImageCode), encode each sound setting
 * (AdisSoundCode), decode the pair. All calls on one AdisModel are
 * serialised by a lock inside, so one inference thread may run next to a UI
 * thread that only reads properties.
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
#define ADIS_MODEL_FORMAT_VERSION 1

typedef struct _AdisModel AdisModel;
typedef struct _AdisImageCode AdisImageCode;
typedef struct _AdisSoundCode AdisSoundCode;

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

/* Scales to the size rule (adis_image_size_for_long_side; long_side <= 0
 * keeps the image's own long side, rounded) and runs G's encoder. */
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

AdisImage      *adis_model_decode           (AdisModel       *model,
                                             AdisImageCode   *image_code,
                                             AdisSoundCode   *sound_code,
                                             GCancellable    *cancellable,
                                             GError         **error);

/* The spectrogram the encoder sees: [ADIS_STFT_BINS, ADIS_STFT_FRAMES]
 * floats, row-major; free with g_free */
float          *adis_model_spectrogram      (AdisModel       *model,
                                             AdisSound       *sound,
                                             GError         **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AdisModel, adis_model_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AdisImageCode, adis_image_code_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AdisSoundCode, adis_sound_code_unref)

G_END_DECLS
