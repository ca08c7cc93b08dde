/* soundstyle-renderer-private.h: what the renderer's files share: its
 * state, its jobs and its worker thread
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "soundstyle-renderer.h"

G_BEGIN_DECLS

#define N_CACHED_CODES 2

typedef struct
{
  guint64        generation;
  guint64        scene;              /* photo and model; see SoundstyleRenderer */
  gboolean       preview;
  AdisModel     *model;
  AdisImage     *photo;
  guint64        photo_id;
  AdisSound     *a;
  AdisSound     *b;
  float          gain_a;
  float          gain_b;
  float          weight;
  int            long_side;
  AdisMask      *mask;               /* region brush; NULL restyles everywhere */
  GCancellable  *cancellable;
} Job;

typedef struct
{
  AdisModel     *model;
  guint64        photo_id;
  int            long_side;
  AdisImageCode *code;
} CachedCode;

/* Shared by the renderer (main thread) and its worker thread; it outlives
 * the renderer until the thread has finished */
typedef struct
{
  gatomicrefcount ref_count;
  GMutex          mutex;
  GCond           cond;
  Job            *pending;             /* under mutex */
  Job            *running;             /* under mutex; only to cancel it */
  gboolean        quit;                /* under mutex */
  GWeakRef        renderer;
  GMainContext   *context;
  CachedCode      cache[N_CACHED_CODES];  /* worker thread only */
} Worker;

typedef struct
{
  Worker     *worker;
  guint64     generation;
  guint64     scene;
  gboolean    preview;
  AdisImage  *image;
  AdisStyle  *style;
  GdkTexture *texture;
  GError     *error;
  double      milliseconds;
} Result;

struct _SoundstyleRenderer
{
  GObject     parent_instance;

  Worker     *worker;

  /* Inputs */
  AdisModel  *model;
  AdisImage  *photo;
  guint64     photo_id;
  AdisSound  *a;
  AdisSound  *b;
  float       gain_a;
  float       gain_b;
  float       weight;
  int         preview_size;
  int         render_size;
  int         display_size;        /* the canvas's, in device pixels; 0: unknown */
  guint       display_source;
  double      export_progress;     /* of the latest export, or -1 */
  AdisMask   *mask;
  AdisStyle  *style;               /* of the result on screen: an export applies it again */
  gboolean    live;                /* previews only: see set_live */
  guint64     live_generation;     /* the last inputs given while live */

  /* State */
  guint64     generation;          /* any input */
  guint64     scene;               /* the photo or the model */
  guint64     shown_generation;    /* of the result on screen */
  guint       full_render_source;
  gboolean    full_shown;
  gboolean    busy;
  GdkTexture *texture;
  AdisImage  *result;
  gboolean    is_preview;
  double      render_time;
};

/* --- jobs and the worker (soundstyle-renderer-worker.c) ------------------- */

void           soundstyle_renderer_job_free          (Job                *job);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Job, soundstyle_renderer_job_free)
/* The size a render's long side gets: never more than the photo's */
int            soundstyle_renderer_clamp_long_side   (AdisImage          *photo,
                                                      int                 size);
/* A grid head's cost hardly grows with the output size */
gboolean       soundstyle_renderer_resolution_free   (AdisModel          *model);
int            soundstyle_renderer_preview_long_side (SoundstyleRenderer *self);
/* An immutable copy of the inputs, for a thread */
Job           *soundstyle_renderer_job_new           (SoundstyleRenderer *self,
                                                      int                 long_side,
                                                      gboolean            preview);
/* The result composited with the original through the mask; takes image */
AdisImage     *soundstyle_renderer_job_apply_mask    (Job                *job,
                                                      AdisImage          *image);
AdisSoundCode *soundstyle_renderer_job_encode_sound  (Job                *job,
                                                      GError            **error);

Worker        *soundstyle_renderer_worker_ref        (Worker             *worker);
void           soundstyle_renderer_worker_unref      (Worker             *worker);
gpointer       soundstyle_renderer_worker_thread     (gpointer            data);
/* Queues a job in place of any queued one, cancelling an older running one */
void           soundstyle_renderer_worker_submit     (Worker             *worker,
                                                      Job                *job);
void           soundstyle_renderer_worker_cancel_all (Worker             *worker);

/* --- the renderer (soundstyle-renderer.c) --------------------------------- */

/* A worker's result, on the main thread */
void           soundstyle_renderer_apply             (SoundstyleRenderer *self,
                                                      Result             *result);
gboolean       soundstyle_renderer_can_render        (SoundstyleRenderer *self);
void           soundstyle_renderer_set_export_progress (SoundstyleRenderer *self,
                                                        double              fraction);

G_END_DECLS
