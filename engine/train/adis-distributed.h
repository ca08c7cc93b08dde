/* adis-distributed.h: data-parallel training on libtorch's c10d, launched
 * by PyTorch's torchrun
 *
 * SPDX-License-Identifier: MIT
 *
 * One process per rank; torchrun (or Slurm, or anything that sets the same
 * variables) tells each its place. Joining makes every trainer created
 * afterwards data-parallel: each rank loads a disjoint shard of every global
 * batch, the parameters start from rank 0's, and gradients are averaged over
 * the ranks before each update, so N ranks compute the step one process
 * would on the same global batch. Without torchrun's variables nothing here
 * is active and training runs in one process.
 */
#pragma once

#include "adis-types.h"

G_BEGIN_DECLS

/* What torchrun sets for each worker process */
typedef struct
{
  int      rank;             /* RANK: 0 .. world_size - 1 */
  int      local_rank;       /* LOCAL_RANK: the GPU a CUDA rank uses */
  int      world_size;       /* WORLD_SIZE */
  int      restart_count;    /* TORCHELASTIC_RESTART_COUNT, 0 on the first attempt */
  char    *master_addr;      /* MASTER_ADDR */
  int      master_port;      /* MASTER_PORT */
  gboolean agent_store;      /* TORCHELASTIC_USE_AGENT_STORE: torchrun's agent already
                              * serves the TCPStore at MASTER_ADDR:MASTER_PORT */
} AdisDistributedEnv;

/* The c10d backends this build has, e.g. "gloo" or "gloo, nccl"; "" when it
 * was built without c10d (then adis_distributed_join always fails) */
const char *adis_distributed_backends       (void);

/* Reads the environment: FALSE without an error when it names no world
 * (RANK or WORLD_SIZE unset: a single process); FALSE with an
 * ADIS_ERROR_INVALID_INPUT error when it is set but malformed */
gboolean    adis_distributed_env_read       (AdisDistributedEnv       *env,
                                             GError                  **error);
void        adis_distributed_env_clear      (AdisDistributedEnv       *env);

typedef struct
{
  double   timeout_seconds;  /* bound on the rendezvous and on every collective: a
                              * rank that dies or hangs ends the others' wait with an
                              * error after this long (600) */
  gboolean sync_batchnorm;   /* FALSE (default, as DDP): BatchNorm in the audio encoder
                              * normalises with each rank's own part of the batch, and
                              * its running statistics follow rank 0's. TRUE (as
                              * SyncBatchNorm): with the statistics of the whole global
                              * batch, so the step is one process's on that batch */
  gboolean no_overlap;       /* FALSE (default): the gradients' all-reduce overlaps the
                              * backward pass (as DDP's Reducer, each bucket is launched
                              * as soon as its gradients are ready). TRUE: all buckets
                              * after the backward pass; the same numbers, for measuring */
  gint64   bucket_bytes;     /* the gradients' bucket size; 0 (default): DDP's, 1 MB for
                              * the first bucket and 25 MB for the others */
  gboolean cuda;             /* TRUE: NCCL on cuda:LOCAL_RANK; FALSE: Gloo on the CPU */
} AdisDistributedOptions;

void        adis_distributed_options_init   (AdisDistributedOptions   *options);

/* Joins the process group (every rank must call it; it returns once all
 * have). Afterwards, until adis_distributed_leave, new trainers are ranks
 * of one data-parallel job. Fails with ADIS_ERROR_FAILED when the
 * rendezvous times out or the backend is missing. Process-wide. */
gboolean    adis_distributed_join           (const AdisDistributedEnv     *env,
                                             const AdisDistributedOptions *options,
                                             GError                      **error);
void        adis_distributed_leave          (void);

gboolean    adis_distributed_is_active      (void);
/* 0 and 1 when not active */
int         adis_distributed_get_rank       (void);
int         adis_distributed_get_world_size (void);
/* "gloo" or "nccl"; NULL when not active */
const char *adis_distributed_get_backend    (void);

/* TRUE on every rank when flag is TRUE on any rank (a collective: all ranks
 * call it at the same point); flag itself when not active. FALSE with an
 * error set when a rank has gone */
gboolean    adis_distributed_any            (gboolean                  flag,
                                             gboolean                 *out_any,
                                             GError                  **error);

/* Fails on every rank, saying what differs, unless value is the same on
 * all (a collective); TRUE when not active */
gboolean    adis_distributed_check_same     (gint64                    value,
                                             const char               *what,
                                             GError                  **error);

/* Time spent averaging gradients over the ranks since joining, the bytes
 * all-reduced, and how many training steps they were for. After the
 * backward pass (no_overlap) the time is that of flattening, all-reduce,
 * waiting and copying back; overlapping it, from the launch of the first
 * bucket to the end of the last one's all-reduce, during the backward pass */
void        adis_distributed_get_stats      (double                   *out_seconds,
                                             guint64                  *out_bytes,
                                             guint64                  *out_steps);

G_END_DECLS
